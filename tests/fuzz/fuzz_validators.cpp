// The validators (detect/validators.h) on arbitrary bytes: each must answer
// without reading outside the value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/validators.h"

using namespace dpo::detect;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view v(reinterpret_cast<const char*>(data), size);
  (void)IsValidBsn(v);
  (void)IsValidIban(v);
  (void)IbanLengthForCountry(v.substr(0, 2));
  (void)PassesLuhn(v);
  (void)IsValidPaymentCard(v);
  (void)IsValidVatNl(v);
  (void)IsValidKvkFormat(v);
  (void)IsValidNlDocumentNumber(v);
  (void)IsValidPostcodeNl(v);
  (void)IsValidEmail(v);
  (void)IsValidPhone(v);
  (void)IsValidIpv4(v);
  (void)IsValidIpv6(v);
  int year = 0;
  if (IsValidDate(v, &year) && (year < 1800 || year > 2199)) __builtin_trap();  // the documented range
  (void)IsValidDate(v);
  if (size >= 3) (void)IsCalendarDate(static_cast<int8_t>(data[0]) * 40, data[1], data[2]);
  (void)IsSocialProfileUrl(v);
  (void)IsStreetAddress(v);
  return 0;
}
