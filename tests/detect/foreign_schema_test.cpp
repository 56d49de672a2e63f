// The kinds of mistakes discovery made on databases nobody here designed
// (issue 14; the corpus test in tests/scan measures them on real sources).
// Each case is a kind of schema, with values of our own making.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "detect/column_classifier.h"
#include "detect/column_names.h"
#include "detect/table_context.h"
#include "detect/validators.h"

using namespace dpo::detect;

namespace {

ColumnVerdict Classify(const std::string& name, const std::vector<std::string>& values) {
  ColumnClassifier c(name);
  for (const std::string& v : values) c.AddValue(v);
  return c.Finish();
}

const KindEvidence* Find(const ColumnVerdict& v, Kind kind) {
  for (const KindEvidence& e : v.kinds)
    if (e.kind == kind) return &e;
  return nullptr;
}

std::vector<std::string> Repeat(const std::vector<std::string>& values, int times) {
  std::vector<std::string> out;
  for (int i = 0; i < times; ++i) out.insert(out.end(), values.begin(), values.end());
  return out;
}

}  // namespace

TEST_CASE("compound column names: a qualifier before the value's name does not hide it") {
  for (const char* name : {"ShipPostalCode", "billing_zip_code", "delivery_postcode", "PostleitzahlKunde", "plz"}) {
    CAPTURE(name);
    std::vector<NameEvidence> e = KindsFromColumnName(name);
    REQUIRE_FALSE(e.empty());
    CHECK(e.front().kind == Kind::kPostcode);
    CHECK(e.front().whole);
  }
  CHECK(KindsFromColumnName("ShipAddress").front().kind == Kind::kStreetAddress);
  CHECK(KindsFromColumnName("HomePhone").front().kind == Kind::kPhone);
  CHECK(KindsFromColumnName("contact_email").front().kind == Kind::kEmail);
  // Still metadata about a value, not the value.
  CHECK(KindsFromColumnName("shipping_country_code").empty());
  CHECK(KindsFromColumnName("address_id").empty());
  CHECK(KindsFromColumnName("email_verified").empty());
  // A part of the name is not the whole of it.
  std::vector<NameEvidence> vat = KindsFromColumnName("amount_excl_vat");
  REQUIRE_FALSE(vat.empty());
  CHECK_FALSE(vat.front().whole);
}

TEST_CASE("street addresses in any country's order, under a column called address") {
  ColumnVerdict v = Classify("Address", Repeat({"Obere Str. 57", "Avda. de la Constitución 2222", "Mataderos  2312",
                                                "120 Hanover Sq.", "Berguvsvägen  8", "P.O. Box 78934"},
                                               5));
  const KindEvidence* e = Find(v, Kind::kStreetAddress);
  REQUIRE(e != nullptr);
  CHECK(e->confidence >= 0.9);
  // Pseudonyms in the same column are not addresses.
  ColumnVerdict p = Classify("address", Repeat({"anon-bfc6bb24736d9621", "anon-596fcecb66f9cc13"}, 10));
  CHECK(Find(p, Kind::kStreetAddress) == nullptr);
}

TEST_CASE("a column named exactly for a kind is reported on its name when the values do not show it") {
  // A mailbox name without '@' ("SKING"): only the name can tell.
  ColumnVerdict v = Classify("email", Repeat({"SKING", "NKOCHHAR", "LDEHAAN", "AHUNOLD"}, 5));
  const KindEvidence* e = Find(v, Kind::kEmail);
  REQUIRE(e != nullptr);
  CHECK(e->confidence >= ColumnClassifier::kConfidenceFloor);
  CHECK(e->confidence < 0.7);  // never as certain as matching values
  // Not a part of a name ("vat" in an amount column) ...
  ColumnVerdict amount = Classify("amount_excl_vat", Repeat({"120.50", "99.00", "1450.00"}, 5));
  CHECK(Find(amount, Kind::kVatNl) == nullptr);
  // ... and not pseudonyms or hashes: they replaced what the name promises.
  ColumnVerdict pseudonyms = Classify("email", Repeat({"anon-e18e4094a3246e5c", "anon-784f4b57002222d9"}, 10));
  CHECK(Find(pseudonyms, Kind::kEmail) == nullptr);
}

TEST_CASE("a generic name column holds people only when its values are known names") {
  ColumnVerdict regions = Classify("region_name", {"Europe", "Americas", "Asia", "Middle East and Africa"});
  CHECK(Find(regions, Kind::kPersonName) == nullptr);
  ColumnVerdict people = Classify("name", Repeat({"Jane Doe", "Maria Anders", "Thomas Hardy", "Hanna Moos"}, 3));
  CHECK(Find(people, Kind::kPersonName) != nullptr);
}

TEST_CASE("US social security numbers: the SSA's rules, in a column whose name says nothing") {
  CHECK(IsValidSsnUs("172-32-1176"));
  CHECK(IsValidSsnUs("514 14 8905"));
  CHECK_FALSE(IsValidSsnUs("000-32-1176"));  // area never assigned
  CHECK_FALSE(IsValidSsnUs("666-32-1176"));
  CHECK_FALSE(IsValidSsnUs("912-32-1176"));
  CHECK_FALSE(IsValidSsnUs("172-00-1176"));  // group 00
  CHECK_FALSE(IsValidSsnUs("172-32-0000"));  // serial 0000
  CHECK_FALSE(IsValidSsnUs("172-32 1176"));  // mixed separators
  CHECK_FALSE(IsValidSsnUs("172321176"));    // bare digits: any number
  ColumnVerdict v = Classify("id", Repeat({"172-32-1176", "514-14-8905", "213-46-8915", "645-24-3211"}, 5));
  const KindEvidence* e = Find(v, Kind::kSsnUs);
  REQUIRE(e != nullptr);
  CHECK(e->confidence >= 0.9);
  // Phone-like numbers in the same shape but never assigned are not SSNs.
  ColumnVerdict fake = Classify("code", Repeat({"999-12-3456", "000-11-2222", "666-66-6666"}, 5));
  CHECK(Find(fake, Kind::kSsnUs) == nullptr);
}

TEST_CASE("binary values and long tokens are not free text") {
  std::string hex(4000, 'a');
  for (size_t i = 0; i < hex.size(); i += 3) hex[i] = '0' + static_cast<char>(i % 10);
  ColumnVerdict v = Classify("Picture", Repeat({hex}, 8));
  CHECK_FALSE(v.free_text);
  std::string binary("\xff\xd8\xff\xe0\0\x10JFIF\0\x01", 12);
  binary += std::string(300, 'x');
  ColumnVerdict b = Classify("Photo", Repeat({binary}, 8));
  CHECK_FALSE(b.free_text);
  // Prose still is.
  ColumnVerdict notes = Classify("notes", Repeat({std::string(250, 'w') + " and some more words in it"}, 8));
  CHECK(notes.free_text);
}

TEST_CASE("tables of things lose the kinds that are personal only about a person") {
  std::vector<std::string> names = {"job_id", "job_title", "min_salary", "max_salary"};
  std::vector<ColumnVerdict> verdicts = {
      Classify("job_id", {"AD_PRES", "AD_VP", "IT_PROG"}),
      Classify("job_title", {"President", "Programmer", "Nurse"}),
      Classify("min_salary", {"20080", "15000", "4000"}),
      Classify("max_salary", {"40000", "30000", "10000"}),
  };
  REQUIRE(Find(verdicts[2], Kind::kSalary) != nullptr);
  CHECK_FALSE(ApplyTableContext("jobs", names, &verdicts));
  CHECK(Find(verdicts[2], Kind::kSalary) == nullptr);
  CHECK(Find(verdicts[3], Kind::kSalary) == nullptr);

  // The same salary beside a person's key, or in a table named for people, stays.
  for (const auto& table_extra : std::vector<std::pair<std::string, std::string>>{
           {"payslips", "employee_id"}, {"employees", "hire_date"}, {"kandidaten", "created_at"}}) {
    const std::string& table = table_extra.first;  // (named: clang 14 cannot capture structured bindings)
    const std::string& extra = table_extra.second;
    CAPTURE(table);
    std::vector<std::string> n = {extra, "salary"};
    std::vector<ColumnVerdict> v = {Classify(extra, {"1", "2", "3"}), Classify("salary", {"2500", "3100", "2900"})};
    CHECK(ApplyTableContext(table, n, &v));
    CHECK(Find(v[1], Kind::kSalary) != nullptr);
  }

  // What identifies anyone stays even among things: an office's address.
  std::vector<std::string> loc_names = {"location_id", "street_address", "city"};
  std::vector<ColumnVerdict> loc = {
      Classify("location_id", {"1000", "1100"}),
      Classify("street_address", Repeat({"1297 Via Cola di Rie", "93091 Calle della Testa"}, 3)),
      Classify("city", {"Roma", "Venice"}),
  };
  CHECK_FALSE(ApplyTableContext("locations", loc_names, &loc));
  CHECK(Find(loc[1], Kind::kStreetAddress) != nullptr);
}
