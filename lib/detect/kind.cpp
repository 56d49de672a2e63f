#include "detect/kind.h"

#include <array>
#include <utility>

namespace dpo::detect {
namespace {

struct KindEntry {
  Kind kind;
  std::string_view name;
};

// The public vocabulary (see kind.h): append only, never rename.
constexpr std::array<KindEntry, 34> kKinds = {{
    {Kind::kEmail, "email"},
    {Kind::kPhone, "phone"},
    {Kind::kIban, "iban"},
    {Kind::kBsn, "bsn"},
    {Kind::kPostcode, "postcode"},
    {Kind::kDate, "date"},
    {Kind::kBirthDate, "birth_date"},
    {Kind::kIpv4, "ipv4"},
    {Kind::kIpv6, "ipv6"},
    {Kind::kPaymentCard, "payment_card"},
    {Kind::kKvk, "kvk"},
    {Kind::kVatNl, "vat_nl"},
    {Kind::kPassportNl, "passport_nl"},
    {Kind::kIdCardNl, "id_card_nl"},
    {Kind::kPersonName, "person_name"},
    {Kind::kStreetAddress, "street_address"},
    {Kind::kSocialProfile, "social_profile"},
    {Kind::kCity, "city"},
    {Kind::kGender, "gender"},
    {Kind::kNationality, "nationality"},
    {Kind::kMaritalStatus, "marital_status"},
    {Kind::kSalary, "salary"},
    {Kind::kFreeText, "free_text"},
    {Kind::kDeviceId, "device_id"},
    {Kind::kGeolocation, "geolocation"},
    {Kind::kHealthTerm, "health_term"},
    {Kind::kReligionTerm, "religion_term"},
    {Kind::kEthnicityTerm, "ethnicity_term"},
    {Kind::kPoliticalTerm, "political_term"},
    {Kind::kUnionTerm, "union_term"},
    {Kind::kSexualityTerm, "sexuality_term"},
    {Kind::kBiometricTerm, "biometric_term"},
    {Kind::kCriminalTerm, "criminal_term"},
    {Kind::kSsnUs, "ssn_us"},
}};

}  // namespace

std::string_view KindName(Kind kind) {
  for (const KindEntry& e : kKinds) {
    if (e.kind == kind) return e.name;
  }
  return "unknown";
}

std::optional<Kind> KindFromName(std::string_view name) {
  for (const KindEntry& e : kKinds) {
    if (e.name == name) return e.kind;
  }
  return std::nullopt;
}

const std::vector<Kind>& AllKinds() {
  static const std::vector<Kind>* kinds = [] {
    auto* v = new std::vector<Kind>();
    for (const KindEntry& e : kKinds) v->push_back(e.kind);
    return v;
  }();
  return *kinds;
}

bool IsSpecialCategoryTerm(Kind kind) {
  switch (kind) {
    case Kind::kHealthTerm:
    case Kind::kReligionTerm:
    case Kind::kEthnicityTerm:
    case Kind::kPoliticalTerm:
    case Kind::kUnionTerm:
    case Kind::kSexualityTerm:
    case Kind::kBiometricTerm:
      return true;
    default:
      return false;
  }
}

bool IsCriminalTerm(Kind kind) { return kind == Kind::kCriminalTerm; }

}  // namespace dpo::detect
