// Regressions found by the scan quality test against the sample's ground truth.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "detect/column_classifier.h"
#include "detect/column_names.h"

using dpo::detect::ColumnClassifier;
using dpo::detect::Kind;

namespace {

bool Has(const dpo::detect::ColumnVerdict& v, Kind kind) {
  for (const auto& k : v.kinds)
    if (k.kind == kind) return true;
  return false;
}

dpo::detect::ColumnVerdict Classify(const std::string& name, const std::vector<std::string>& values) {
  ColumnClassifier c(name);
  for (const auto& v : values) c.AddValue(v);
  return c.Finish();
}

}  // namespace

TEST_CASE("an identifier column named <thing>_id is the identifier, not metadata") {
  auto v = Classify("cookie_id", {"3f9a1c2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586"});
  CHECK(Has(v, Kind::kDeviceId));
  // ... while "email_id" or "address_id" still are references, not the value.
  CHECK(dpo::detect::KindsFromColumnName("address_id").empty());
  CHECK(dpo::detect::KindsFromColumnName("email_verified").empty());
}

TEST_CASE("payslip amounts and union dues are recognised by name") {
  std::vector<std::string> amounts = {"412.50", "398.10", "1203.77", "87.00"};
  CHECK(Has(Classify("tax_withheld", amounts), Kind::kSalary));
  CHECK(Has(Classify("pension_contribution", amounts), Kind::kSalary));
  CHECK(Has(Classify("loonheffing", amounts), Kind::kSalary));
  CHECK(Has(Classify("union_dues", {"12.50", "0.00", "12.50"}), Kind::kUnionTerm));
  CHECK(Has(Classify("vakbondscontributie", {"12.50"}), Kind::kUnionTerm));
}

TEST_CASE("a column mixing IPv4 and IPv6 addresses reports both families") {
  std::vector<std::string> ips;
  for (int i = 0; i < 80; ++i) ips.push_back("192.168.1." + std::to_string(i));
  for (int i = 0; i < 20; ++i) ips.push_back("2001:db8::" + std::to_string(i + 1));
  auto v = Classify("ip_address", ips);
  CHECK(Has(v, Kind::kIpv4));
  CHECK(Has(v, Kind::kIpv6));
  // Content alone, too.
  auto unnamed = Classify("col3", ips);
  CHECK(Has(unnamed, Kind::kIpv4));
  CHECK(Has(unnamed, Kind::kIpv6));
  // A stray IPv6 address in an IPv4 column (under 5%) is not a second family.
  std::vector<std::string> mostly_v4(ips.begin(), ips.begin() + 80);
  mostly_v4.push_back("2001:db8::1");
  CHECK_FALSE(Has(Classify("ip_address", mostly_v4), Kind::kIpv6));
}

#include "detect/text_scanner.h"

namespace {

bool ValidatedKvk(const std::string& text) {
  for (const auto& h : dpo::detect::ScanText(text))
    if (h.kind == Kind::kKvk && h.validated) return true;
  return false;
}

}  // namespace

TEST_CASE("context words vouch for a number on their own line only, never for the next row") {
  CHECK(ValidatedKvk("Ingeschreven bij de KvK onder 12345678"));
  CHECK_FALSE(ValidatedKvk("Ingeschreven bij de KvK\n12345678"));
  // Through the classifier: values are joined with newlines before scanning,
  // so a note mentioning the KvK must not validate a number in the next row.
  ColumnClassifier joined("remarks");
  joined.AddValues({"Ingeschreven bij de KvK, zie volgende regel", "12345678"});
  ColumnClassifier alone("remarks");
  alone.AddValues({"iets anders, zie volgende regel", "12345678"});
  auto validated = [](const dpo::detect::ColumnVerdict& v) {
    int64_t n = 0;
    for (const auto& k : v.kinds)
      if (k.kind == Kind::kKvk) n += k.values_validated;
    return n;
  };
  CHECK(validated(joined.Finish()) == validated(alone.Finish()));
}
