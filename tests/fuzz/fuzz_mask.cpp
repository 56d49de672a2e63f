// Masking (detect/mask.h) for every kind on arbitrary bytes, with the
// header's promise checked: the mask never shows a run of more than 2 of
// the value's digits, and never the value itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "detect/kind.h"
#include "detect/mask.h"

using namespace dpo::detect;

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void Check(std::string_view value, const std::string& shown) {
  if (value.empty()) return;
  // Free text's mask ends in its length, " (122 bytes)": a count, not the value's digits.
  std::string_view masked = shown;
  if (masked.size() > 7 && masked.substr(masked.size() - 7) == " bytes)") masked = masked.substr(0, masked.rfind(" ("));
  // A mask that shows three or more of the value's digits in a row shows
  // what identifies a person.
  for (size_t i = 0; i + 3 <= value.size(); ++i) {
    if (IsDigit(value[i]) && IsDigit(value[i + 1]) && IsDigit(value[i + 2]) &&
        masked.find(value.substr(i, 3)) != std::string_view::npos) {
      abort();
    }
  }
  size_t alnum = 0;
  for (char c : value) alnum += (IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) ? 1 : 0;
  // A value spelled like a mask ("N*** (13 byte") can occur in its own mask
  // by construction; anything else must not.
  if (alnum >= 3 && value.find('*') == std::string_view::npos && masked.find(value) != std::string_view::npos) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  for (Kind kind : AllKinds()) Check(value, MaskValue(value, kind));
  return 0;
}
