// The text scanner (detect/text_scanner.h) on arbitrary bytes: whole text,
// the structured kinds only, and a range of it (the first two bytes choose
// the range). Hits must lie inside the text, sorted by offset.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "detect/text_scanner.h"

using namespace dpo::detect;

namespace {

void CheckHits(const std::vector<Hit>& hits, size_t from, size_t to) {
  size_t last = 0;
  for (const Hit& h : hits) {
    if (h.offset < from || h.length == 0 || h.offset + h.length > to) abort();
    if (h.offset < last) abort();
    last = h.offset;
    (void)KindHasValidator(h.kind);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Hit> hits = ScanText(text);
  CheckHits(hits, 0, size);

  std::vector<Hit> structured;
  ScanStructured(text, &structured);
  CheckHits(structured, 0, size);

  if (size >= 2) {
    size_t a = data[0] % (size + 1), b = data[1] % (size + 1);
    if (a > b) std::swap(a, b);
    std::vector<Hit> range;
    ScanTextRange(text, a, b, &range);
    CheckHits(range, a, b);
  }
  return 0;
}
