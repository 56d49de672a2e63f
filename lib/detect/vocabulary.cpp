#include "detect/vocabulary.h"

#include <algorithm>

namespace dpo::detect {

const std::vector<BuiltinCategory>& BuiltinCategories() {
  static const std::vector<BuiltinCategory> kCategories = {
      {"contact", "Name, address, e-mail address, phone number, online profiles", "ordinary", "",
       {Kind::kPersonName, Kind::kEmail, Kind::kPhone, Kind::kStreetAddress, Kind::kPostcode, Kind::kCity,
        Kind::kSocialProfile}},
      {"identity", "Date of birth, gender, nationality, marital status, ID document numbers", "ordinary", "",
       {Kind::kBirthDate, Kind::kGender, Kind::kNationality, Kind::kMaritalStatus, Kind::kPassportNl,
        Kind::kIdCardNl}},
      {"identifiers", "Customer, candidate and employee numbers", "ordinary", "", {}},
      {"career", "CV, education, work history, skills, assessments", "ordinary", "", {}},
      {"financial", "Bank account, pay and payment card data", "ordinary", "",
       {Kind::kIban, Kind::kSalary, Kind::kPaymentCard}},
      {"business", "Chamber of Commerce (KvK) and VAT numbers of self-employed people", "ordinary", "",
       {Kind::kKvk, Kind::kVatNl}},
      {"technical", "IP addresses, device and cookie identifiers, location", "ordinary", "",
       {Kind::kIpv4, Kind::kIpv6, Kind::kDeviceId, Kind::kGeolocation}},
      {"notes", "Free-text notes and remarks (may hold any kind of data)", "ordinary", "", {Kind::kFreeText}},
      {"bsn", "Citizen service number (BSN)", "national_id", "", {Kind::kBsn}},
      {"national_id", "National identification numbers of other countries (US social security number)",
       "national_id", "", {Kind::kSsnUs}},
      {"health", "Health data (sick leave, medical remarks)", "special", "health", {Kind::kHealthTerm}},
      {"religion", "Religious or philosophical beliefs", "special", "religion", {Kind::kReligionTerm}},
      {"ethnicity", "Racial or ethnic origin", "special", "ethnicity", {Kind::kEthnicityTerm}},
      {"political", "Political opinions", "special", "political", {Kind::kPoliticalTerm}},
      {"union", "Trade-union membership", "special", "union", {Kind::kUnionTerm}},
      {"sexuality", "Sex life or sexual orientation", "special", "sexuality", {Kind::kSexualityTerm}},
      {"biometric", "Biometric and genetic data", "special", "biometric", {Kind::kBiometricTerm}},
      {"criminal", "Criminal records and certificates of conduct (VOG)", "criminal", "", {Kind::kCriminalTerm}},
  };
  return kCategories;
}

const BuiltinCategory* BuiltinCategoryOf(Kind kind) {
  for (const BuiltinCategory& c : BuiltinCategories())
    if (std::find(c.kinds.begin(), c.kinds.end(), kind) != c.kinds.end()) return &c;
  return nullptr;
}

const BuiltinCategory* FindBuiltinCategory(std::string_view id) {
  for (const BuiltinCategory& c : BuiltinCategories())
    if (c.id == id) return &c;
  return nullptr;
}

int SensitivityRank(Kind kind) {
  if (IsCriminalTerm(kind)) return 4;
  if (IsSpecialCategoryTerm(kind)) return 3;
  switch (kind) {
    case Kind::kBsn:
    case Kind::kSsnUs:
      return 2;
    case Kind::kIban:
    case Kind::kPaymentCard:
    case Kind::kSalary:
    case Kind::kPassportNl:
    case Kind::kIdCardNl:
      return 1;
    default:
      return 0;
  }
}

}  // namespace dpo::detect
