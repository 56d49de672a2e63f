#include "detect/identifier_spans.h"

#include <algorithm>

#include "detect/person_names.h"
#include "detect/text_scanner.h"

namespace dpo::detect {
namespace {

bool ByOffset(const Span& a, const Span& b) {
  if (a.offset != b.offset) return a.offset < b.offset;
  if (a.length != b.length) return a.length > b.length;
  return a.kind < b.kind;
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The scanner's hits of one call. Per thread and reused, so that scanning
// millions of notes does not allocate a vector for each; one huge text must
// not pin its memory for the life of the thread, though.
std::vector<Hit>& Scratch() {
  thread_local std::vector<Hit> hits;
  return hits;
}
constexpr size_t kKeepScratch = 4096;

}  // namespace

bool IsSpanKind(Kind kind) {
  switch (kind) {
    case Kind::kEmail:
    case Kind::kPhone:
    case Kind::kIban:
    case Kind::kBsn:
    case Kind::kSsnUs:
    case Kind::kPaymentCard:
    case Kind::kPassportNl:
    case Kind::kIdCardNl:
    case Kind::kStreetAddress:
    case Kind::kPostcode:
    case Kind::kSocialProfile:
    case Kind::kIpv4:
    case Kind::kIpv6:
    case Kind::kPersonName:
      return true;
    default:
      return IsSpecialCategoryTerm(kind) || IsCriminalTerm(kind);
  }
}

void FindIdentifierHits(std::string_view text, bool include_terms, std::vector<Span>* hits) {
  if (hits == nullptr || text.empty()) return;
  const size_t first = hits->size();
  auto add = [&](const Hit& h) {
    // Bounds are checked although the detectors promise them: a span past the
    // end would make every caller's replace throw.
    if (!h.validated || h.length == 0 || h.offset > text.size() || h.length > text.size() - h.offset) return;
    if (!include_terms && (IsSpecialCategoryTerm(h.kind) || IsCriminalTerm(h.kind))) return;
    if (IsSpanKind(h.kind)) hits->push_back(Span{h.offset, h.length, h.kind});
  };
  std::vector<Hit>& scratch = Scratch();
  scratch.clear();
  // Without terms the Hyperscan pass is skipped: the structured hits are the
  // same either way (ScanText only adds the terms outside them).
  if (include_terms) {
    ScanText(text, &scratch);
  } else {
    ScanStructured(text, &scratch);
  }
  for (const Hit& h : scratch) add(h);
  if (scratch.capacity() > kKeepScratch) std::vector<Hit>().swap(scratch);
  for (const Hit& h : FindPersonNames(text)) add(h);
  std::sort(hits->begin() + static_cast<std::ptrdiff_t>(first), hits->end(), ByOffset);
}

void FindIdentifierSpans(std::string_view text, bool include_terms, std::vector<Span>* spans) {
  if (spans == nullptr) return;
  spans->clear();
  FindIdentifierHits(text, include_terms, spans);
  if (spans->empty()) return;
  // Whole characters only: a span that ended inside "ö" would leave half of it
  // behind. Valid UTF-8 has at most 3 continuation bytes; invalid input gets
  // no more, so that a run of stray bytes costs nothing quadratic.
  for (Span& s : *spans) {
    size_t begin = s.offset;
    size_t end = s.offset + s.length;
    for (int k = 0; k < 3 && begin > 0 && IsContinuation(static_cast<unsigned char>(text[begin])); ++k) --begin;
    for (int k = 0; k < 3 && end < text.size() && IsContinuation(static_cast<unsigned char>(text[end])); ++k) ++end;
    s.offset = begin;
    s.length = end - begin;
  }
  std::sort(spans->begin(), spans->end(), ByOffset);
  // One pass over the sorted spans: a span that starts before the current
  // one ends joins it. The longest member names the merged span; sorting put
  // the longer first at equal offsets, and '>' keeps the earlier at equal
  // lengths.
  size_t w = 0;
  size_t best = 0;  // length of the longest member of spans[w - 1]
  for (size_t r = 0; r < spans->size(); ++r) {
    const Span s = (*spans)[r];
    if (w > 0) {
      Span& cur = (*spans)[w - 1];
      size_t cur_end = cur.offset + cur.length;
      if (s.offset < cur_end) {
        if (s.length > best) {
          best = s.length;
          cur.kind = s.kind;
        }
        cur.length = std::max(cur_end, s.offset + s.length) - cur.offset;
        continue;
      }
    }
    (*spans)[w++] = s;
    best = s.length;
  }
  spans->resize(w);
}

std::vector<Span> FindIdentifierSpans(std::string_view text, bool include_terms) {
  std::vector<Span> spans;
  FindIdentifierSpans(text, include_terms, &spans);
  return spans;
}

}  // namespace dpo::detect
