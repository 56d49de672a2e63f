#include <doctest/doctest.h>

#include <string>

#include "detect/mask.h"

using namespace dpo::detect;

TEST_CASE("masks show shape, not values") {
  CHECK(MaskValue("jan.jansen@example.nl", Kind::kEmail) == "j***@e***.nl");
  CHECK(MaskValue("111222333", Kind::kBsn) == "*******33");
  CHECK(MaskValue("06-12345678", Kind::kPhone) == "**-******78");
  CHECK(MaskValue("Jan de Vries", Kind::kPersonName) == "J*** d*** V***");
  CHECK(MaskValue("1990-05-17", Kind::kBirthDate) == "****-**-**");
  CHECK(MaskValue("", Kind::kEmail).empty());
}

TEST_CASE("masking never leaks the full value") {
  const std::pair<const char*, Kind> cases[] = {
      {"jan.jansen@example.nl", Kind::kEmail}, {"06-12345678", Kind::kPhone},
      {"+31612345678", Kind::kPhone},          {"NL91ABNA0417164300", Kind::kIban},
      {"111222333", Kind::kBsn},               {"4111111111111111", Kind::kPaymentCard},
      {"12345678", Kind::kKvk},                {"NL123456782B01", Kind::kVatNl},
      {"NW3T8R4H1", Kind::kPassportNl},        {"1234 AB", Kind::kPostcode},
      {"1990-05-17", Kind::kBirthDate},        {"192.168.1.1", Kind::kIpv4},
      {"Jan Jansen", Kind::kPersonName},       {"Kerkstraat 12a", Kind::kStreetAddress},
      {"Amsterdam", Kind::kCity},              {"M", Kind::kGender},
      {"zwanger", Kind::kHealthTerm},          {"https://linkedin.com/in/jan", Kind::kSocialProfile},
      {"Zij is zwanger en heeft verlof", Kind::kFreeText}, {"52.3702, 4.8952", Kind::kGeolocation},
      {"ab", Kind::kEmail},                    {"12", Kind::kBsn},
  };
  for (const auto& [value, kind] : cases) {
    std::string masked = MaskValue(value, kind);
    std::string v(value);
    CAPTURE(v);
    CHECK(masked != v);
    if (v.size() >= 3) CHECK(masked.find(v) == std::string::npos);
    // No run of 3 or more of the value's digits survives.
    std::string digits_in_mask;
    for (char c : masked) digits_in_mask += (c >= '0' && c <= '9') ? c : ' ';
    for (size_t i = 0; i + 3 <= digits_in_mask.size(); ++i) {
      CHECK_FALSE((digits_in_mask[i] != ' ' && digits_in_mask[i + 1] != ' ' && digits_in_mask[i + 2] != ' '));
    }
  }
}
