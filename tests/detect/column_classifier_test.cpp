#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "detect/column_classifier.h"
#include "detect/column_names.h"
#include "detect/validators.h"

using namespace dpo::detect;

namespace {

ColumnVerdict Classify(const std::string& name, const std::vector<std::string>& values) {
  ColumnClassifier c(name);
  for (const std::string& v : values) c.AddValue(v);
  return c.Finish();
}

const KindEvidence* Find(const ColumnVerdict& v, Kind kind) {
  for (const KindEvidence& e : v.kinds) {
    if (e.kind == kind) return &e;
  }
  return nullptr;
}

Kind Top(const ColumnVerdict& v) {
  REQUIRE_FALSE(v.kinds.empty());
  return v.kinds.front().kind;
}

// Deterministic pseudo-random numbers for synthetic data.
struct Lcg {
  uint64_t s;
  uint32_t Next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  }
};

std::string ValidBsn(Lcg& r) {
  for (;;) {
    char buf[16];
    snprintf(buf, sizeof buf, "%09u", 100000000u + r.Next() % 899999999u);
    if (IsValidBsn(buf)) return buf;
  }
}

std::string Iban(Lcg& r) {
  // NLkk ABNA + 10 digits with a computed check.
  char acct[16];
  snprintf(acct, sizeof acct, "%010u", r.Next() % 1000000000u);
  for (int check = 2; check < 99; ++check) {
    char buf[32];
    snprintf(buf, sizeof buf, "NL%02dABNA%s", check, acct);
    if (IsValidIban(buf)) return buf;
  }
  return "";
}

}  // namespace

TEST_CASE("column names are normalised") {
  CHECK(ColumnNameTokens("candidateEmailAddress_2") == std::vector<std::string>{"candidate", "email", "address", "2"});
  CHECK(ColumnNameTokens("IPAddress") == std::vector<std::string>{"ip", "address"});
  auto first = [](std::string_view name) {
    auto e = KindsFromColumnName(name);
    return e.empty() ? std::optional<Kind>() : std::optional<Kind>(e.front().kind);
  };
  CHECK(first("candidate_email") == Kind::kEmail);
  CHECK(first("emailAddress") == Kind::kEmail);
  CHECK(first("E-mail") == Kind::kEmail);
  CHECK(first("contact_phone_2") == Kind::kPhone);
  CHECK(first("Geboortedatum") == Kind::kBirthDate);
  CHECK(first("geb_datum") == Kind::kBirthDate);
  CHECK(first("date_of_birth") == Kind::kBirthDate);
  CHECK(first("created_at") == Kind::kDate);
  CHECK(first("burgerlijke_staat") == Kind::kMaritalStatus);
  CHECK(first("user_agent") == Kind::kDeviceId);
  CHECK(first("sofinummer") == Kind::kBsn);
  CHECK(first("Woonplaats") == Kind::kCity);
  CHECK(first("klanttelefoon") == Kind::kPhone);
  CHECK(first("company_name") == std::nullopt);
  CHECK(first("email_verified") == std::nullopt);
  CHECK(first("address_id") == std::nullopt);
  CHECK(first("col7") == std::nullopt);
  CHECK(first("id") == std::nullopt);
}

TEST_CASE("an e-mail column") {
  std::vector<std::string> values;
  for (int i = 0; i < 200; ++i) values.push_back("user" + std::to_string(i) + "@example.nl");
  values.push_back("");
  values.push_back("NULL");
  ColumnVerdict v = Classify("contact_email", values);
  CHECK(v.values_seen == 200);
  CHECK(Top(v) == Kind::kEmail);
  const KindEvidence* e = Find(v, Kind::kEmail);
  CHECK(e->confidence >= 0.95);
  CHECK(e->values_matched == 200);
  CHECK(e->name_match);
  REQUIRE(e->masked_samples.size() == 3);
  CHECK(e->masked_samples[0] == "u***@e***.nl");
  CHECK(v.kinds.size() == 1);
}

TEST_CASE("sequential integer ids are not phones or BSNs") {
  std::vector<std::string> small, big;
  for (int i = 1; i <= 1000; ++i) small.push_back(std::to_string(i));
  for (int i = 0; i < 1000; ++i) big.push_back(std::to_string(100000000 + i));
  CHECK(Classify("id", small).kinds.empty());
  ColumnVerdict v = Classify("col3", big);
  CHECK(Find(v, Kind::kBsn) == nullptr);
  CHECK(Find(v, Kind::kPhone) == nullptr);
  CHECK(Find(v, Kind::kPaymentCard) == nullptr);
}

TEST_CASE("a BSN column by content, with and without a name") {
  Lcg r{7};
  std::vector<std::string> values;
  for (int i = 0; i < 300; ++i) values.push_back(ValidBsn(r));
  CHECK(Top(Classify("col7", values)) == Kind::kBsn);
  CHECK(Find(Classify("bsn", values), Kind::kBsn)->confidence >= 0.95);
}

TEST_CASE("col7 holding IBANs is judged by content") {
  Lcg r{42};
  std::vector<std::string> values;
  for (int i = 0; i < 100; ++i) values.push_back(Iban(r));
  ColumnVerdict v = Classify("col7", values);
  CHECK(Top(v) == Kind::kIban);
  CHECK_FALSE(Find(v, Kind::kIban)->name_match);
  CHECK(Find(v, Kind::kIban)->values_validated == 100);
}

TEST_CASE("created_at is a date, not a birth date; geboortedatum is a birth date") {
  std::vector<std::string> recent, births;
  for (int i = 0; i < 300; ++i) {
    char buf[32];
    snprintf(buf, sizeof buf, "2024-%02d-%02d 10:%02d:00", 1 + i % 12, 1 + i % 28, i % 60);
    recent.push_back(buf);
    snprintf(buf, sizeof buf, "%02d-%02d-%d", 1 + i % 28, 1 + i % 12, 1950 + i % 55);
    births.push_back(buf);
  }
  ColumnVerdict created = Classify("created_at", recent);
  CHECK(Top(created) == Kind::kDate);
  CHECK(Find(created, Kind::kBirthDate) == nullptr);
  ColumnVerdict birth = Classify("geboortedatum", births);
  CHECK(Top(birth) == Kind::kBirthDate);
  CHECK(Find(birth, Kind::kDate) == nullptr);
  // Without a name: recent dates are dates; adult ages over many years suggest birth dates.
  CHECK(Find(Classify("col2", recent), Kind::kBirthDate) == nullptr);
  CHECK(Find(Classify("col2", births), Kind::kBirthDate) != nullptr);
}

TEST_CASE("amounts are not dates") {
  std::vector<std::string> values;
  for (int i = 0; i < 200; ++i) values.push_back(std::to_string(10 + i % 90) + "." + std::to_string(10 + i % 89));
  ColumnVerdict v = Classify("bedrag", values);
  CHECK(Find(v, Kind::kDate) == nullptr);
  CHECK(Find(v, Kind::kIpv4) == nullptr);
}

TEST_CASE("a notes column is free text with hits inside") {
  std::vector<std::string> values;
  for (int i = 0; i < 100; ++i) {
    if (i % 10 == 0) values.push_back("Kandidaat belde: is zwanger, verlof vanaf juni. Mail naar k" + std::to_string(i) + "@example.nl");
    else values.push_back("Gesprek gehad over beschikbaarheid en de vacature in Utrecht, volgt nog.");
  }
  ColumnVerdict v = Classify("notities", values);
  CHECK(v.free_text);
  CHECK(Find(v, Kind::kFreeText) != nullptr);
  const KindEvidence* health = Find(v, Kind::kHealthTerm);
  REQUIRE(health != nullptr);
  CHECK(health->values_containing == 10);
  const KindEvidence* email = Find(v, Kind::kEmail);
  REQUIRE(email != nullptr);
  CHECK(email->values_containing == 10);
  CHECK(email->values_matched == 0);
  // Same data without a telling name: still free text.
  CHECK(Classify("col9", values).free_text);
}

TEST_CASE("names, phones, postcodes, cities, gender") {
  std::vector<std::string> names = {"Jan Jansen", "Maria de Vries", "Piet van der Berg", "Sanne Bakker",
                                    "Mohammed El Amrani", "Emma Visser", "Lucas Smit", "Anna Meijer",
                                    "Daan Mulder", "Sophie de Boer"};
  CHECK(Top(Classify("naam", names)) == Kind::kPersonName);
  CHECK(Top(Classify("col1", names)) == Kind::kPersonName);
  std::vector<std::string> phones = {"06-12345678", "+31 6 2345 6789", "020-1234567", "+44 20 7946 0958",
                                     "0612345679", "+49 30 12345678", "(555) 234-5678", "010 123 4567"};
  CHECK(Top(Classify("mobiel", phones)) == Kind::kPhone);
  CHECK(Top(Classify("col4", phones)) == Kind::kPhone);
  std::vector<std::string> pcs = {"1234 AB", "9999ZZ", "3511 AX", "1012 JS", "2511 CV"};
  CHECK(Top(Classify("col5", pcs)) == Kind::kPostcode);
  std::vector<std::string> foreign_zip = {"10001", "SW1A 1AA", "75001", "10115", "1000"};
  CHECK(Top(Classify("zip", foreign_zip)) == Kind::kPostcode);
  std::vector<std::string> cities = {"Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Zwolle"};
  CHECK(Top(Classify("woonplaats", cities)) == Kind::kCity);
  CHECK(Top(Classify("col6", cities)) == Kind::kCity);
  std::vector<std::string> genders = {"M", "V", "M", "V", "X", "M"};
  CHECK(Top(Classify("geslacht", genders)) == Kind::kGender);
  std::vector<std::string> sizes = {"S", "M", "L", "XL", "M", "S"};
  CHECK(Find(Classify("col8", sizes), Kind::kGender) == nullptr);
}

TEST_CASE("addresses of several countries") {
  std::vector<std::string> addresses = {"Kerkstraat 12a", "12 Baker Street", "Laan van Meerdervoort 52",
                                        "10 rue de Rivoli", "Prins Hendrikkade 12-3", "Hauptstraße 5",
                                        "221B Baker St", "Calle Mayor 5"};
  CHECK(Top(Classify("col2", addresses)) == Kind::kStreetAddress);
  CHECK(Top(Classify("adres", addresses)) == Kind::kStreetAddress);
}

TEST_CASE("a phone-named column of integers is not a BSN; AddValues equals AddValue") {
  Lcg r{3};
  std::vector<std::string> values;
  for (int i = 0; i < 100; ++i) values.push_back(i % 3 == 0 ? ValidBsn(r) : "0612345" + std::to_string(100 + i));
  ColumnClassifier one("telefoon"), batch("telefoon");
  std::vector<std::string_view> views;
  for (const std::string& v : values) {
    one.AddValue(v);
    views.push_back(v);
  }
  batch.AddValues(views);
  ColumnVerdict a = one.Finish(), b = batch.Finish();
  REQUIRE(a.kinds.size() == b.kinds.size());
  for (size_t i = 0; i < a.kinds.size(); ++i) {
    CHECK(a.kinds[i].kind == b.kinds[i].kind);
    CHECK(a.kinds[i].values_matched == b.kinds[i].values_matched);
    CHECK(a.kinds[i].values_containing == b.kinds[i].values_containing);
  }
  CHECK(Find(a, Kind::kBsn) == nullptr);
  CHECK(Top(a) == Kind::kPhone);
}

TEST_CASE("an empty column reports name evidence only") {
  ColumnClassifier c("email");
  ColumnVerdict v = c.Finish();
  CHECK(v.values_seen == 0);
  REQUIRE(v.kinds.size() == 1);
  CHECK(v.kinds[0].kind == Kind::kEmail);
  CHECK(v.kinds[0].confidence < 0.9);
}
