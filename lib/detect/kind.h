// The kinds of personal data the detectors recognise. A policy category names
// the kinds that recognise it (`detectors: [email]`), by the names below;
// those names are a public, stable vocabulary (policies and JSON output use
// them), so never rename one.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace dpo::detect {

enum class Kind {
  // Recognised from values (and column names).
  kEmail,          // "email"
  kPhone,          // "phone": Dutch 06 / +31 / 0xx forms, international E.164
  kIban,           // "iban": mod-97 and per-country length
  kBsn,            // "bsn": Dutch citizen service number, 11-check, 8 or 9 digits
  kPostcode,       // "postcode": Dutch 1234 AB
  kDate,           // "date"
  kBirthDate,      // "birth_date": a date with birth context (column name) and a plausible age
  kIpv4,           // "ipv4"
  kIpv6,           // "ipv6"
  kPaymentCard,    // "payment_card": Luhn
  kKvk,            // "kvk": Chamber of Commerce number, 8 digits, with context
  kVatNl,          // "vat_nl": NL + 9 digits + B + 2 digits
  kPassportNl,     // "passport_nl"
  kIdCardNl,       // "id_card_nl"
  kPersonName,     // "person_name": bundled first-name and surname lists + column context
  kStreetAddress,  // "street_address"
  kSocialProfile,  // "social_profile": LinkedIn and similar profile URLs
  // Recognised mostly from column names (values are too generic to tell alone).
  kCity,           // "city"
  kGender,         // "gender"
  kNationality,    // "nationality"
  kMaritalStatus,  // "marital_status"
  kSalary,         // "salary": pay, wage, income amounts
  kFreeText,       // "free_text": notes, comments, remarks (may hold anything)
  kDeviceId,       // "device_id": cookie ids, device identifiers, user agents
  kGeolocation,    // "geolocation": latitude/longitude
  // Special-category (Art. 9) and criminal (Art. 10) terms in Dutch and English free text.
  kHealthTerm,     // "health_term": diagnosis, illness, pregnancy, burn-out, ziekte, zwanger, ...
  kReligionTerm,   // "religion_term"
  kEthnicityTerm,  // "ethnicity_term"
  kPoliticalTerm,  // "political_term"
  kUnionTerm,      // "union_term": trade-union membership (vakbond, FNV, CNV)
  kSexualityTerm,  // "sexuality_term"
  kBiometricTerm,  // "biometric_term": fingerprint, face scan, genetic data
  kCriminalTerm,   // "criminal_term": VOG, strafblad, criminal record, conviction
  // Recognised from values (appended: the names above keep their numbers).
  kSsnUs,          // "ssn_us": US social security number, AAA-GG-SSSS, SSA assignment rules
};

std::string_view KindName(Kind kind);
std::optional<Kind> KindFromName(std::string_view name);
const std::vector<Kind>& AllKinds();

// True for the terms that reveal GDPR Art. 9 special categories, and Art. 10 criminal data.
bool IsSpecialCategoryTerm(Kind kind);
bool IsCriminalTerm(Kind kind);

}  // namespace dpo::detect
