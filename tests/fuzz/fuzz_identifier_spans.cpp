// Identifier spans and person names inside running text
// (detect/identifier_spans.h, detect/person_names.h): spans lie inside the
// text, are sorted and disjoint, never empty, and never split a UTF-8
// sequence of valid input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "detect/identifier_spans.h"
#include "detect/person_names.h"
#include "source/csv/cp1252.h"

using namespace dpo::detect;

namespace {

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    int n = dpo::source::Utf8SequenceLength(p, end);
    if (n <= 0) return false;
    p += n;
  }
  return true;
}

bool IsContinuation(std::string_view s, size_t i) {
  return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool terms = size > 0 && (data[0] & 1);

  std::vector<Span> hits;
  FindIdentifierHits(text, terms, &hits);
  for (const Span& s : hits) {
    if (s.length == 0 || s.offset + s.length > size || !IsSpanKind(s.kind)) abort();
  }

  const bool valid_utf8 = ValidUtf8(text);
  std::vector<Span> spans = FindIdentifierSpans(text, terms);
  size_t end = 0;
  for (const Span& s : spans) {
    if (s.length == 0 || s.offset < end || s.offset + s.length > size) abort();
    end = s.offset + s.length;
    // A span never starts or ends inside a UTF-8 sequence (of valid input).
    if (valid_utf8 && (IsContinuation(text, s.offset) || IsContinuation(text, s.offset + s.length))) abort();
  }

  std::vector<Hit> names = FindPersonNames(text);
  size_t last = 0;
  for (const Hit& h : names) {
    if (h.length == 0 || h.offset < last || h.offset + h.length > size) abort();
    last = h.offset + h.length;
    (void)NameKey(text.substr(h.offset, h.length));
  }
  (void)NameKey(text);
  return 0;
}
