// Which purpose and categories a disclosure has, decided from the bundled
// policy alone: one purpose (named when several list the recipient), only
// categories both the recipient and the purpose allow, a recipient without
// categories refused, and a recipient outside the EU/EEA refused unless the
// purpose declares a transfer to it with a safeguard.
#include <doctest/doctest.h>

#include <string>

#include "share/disclosure_scope.h"
#include "share_test_util.h"

using namespace dpo;
using namespace dpo::share_test;

namespace {

std::string Refusal(const policy::Policy& policy, const std::string& recipient, const std::string& purpose) {
  Result<share::DisclosureScope> scope = share::ResolveScope(policy, recipient, purpose);
  REQUIRE_MESSAGE(!scope.ok(), recipient << "/" << purpose << " was allowed");
  CHECK(scope.status().code() == StatusCode::kInvalidArgument);
  return scope.status().message();
}

policy::Policy Bundled() { return TheSample().policy; }

}  // namespace

TEST_CASE("clients under mediation may receive contact and career, the categories both allow") {
  share::DisclosureScope s = Scope(Bundled(), "clients", "mediation");
  CHECK(s.purpose == "mediation");
  CHECK(s.legal_basis == "consent");
  CHECK(s.country == "NL");
  CHECK(s.categories == std::vector<std::string>{"contact", "career"});
  CHECK(s.columns.size() == 10);
  CHECK_FALSE(s.transfer.has_value());
  // Under employment_administration (contact, identity, employment, ...) career is not covered.
  CHECK(Scope(Bundled(), "clients", "employment_administration").categories == std::vector<std::string>{"contact"});
}

TEST_CASE("a recipient listed by several purposes needs --purpose, and the message names them all") {
  std::string m = Refusal(Bundled(), "clients", "");
  INFO(m);
  for (const char* p : {"mediation", "application_procedure", "employment_administration", "vog_screening"})
    CHECK(m.find(p) != std::string::npos);
  CHECK(m.find("--purpose") != std::string::npos);
  // One purpose listing it: taken without --purpose.
  CHECK(Scope(Bundled(), "occupational_health", "").purpose == "absence_management");
}

TEST_CASE("a purpose that does not list the recipient, or an unknown one, is refused") {
  std::string m = Refusal(Bundled(), "clients", "payroll");
  CHECK(m.find("does not list recipient clients") != std::string::npos);
  CHECK(m.find("staffing-agency.yaml:") != std::string::npos);  // where to look
  CHECK(Refusal(Bundled(), "clients", "no_such").find("mediation") != std::string::npos);
  std::string unknown = Refusal(Bundled(), "acme", "");
  CHECK(unknown.find("payroll_processor") != std::string::npos);  // lists the recipients
}

TEST_CASE("a recipient without categories may receive nothing, and is told to add categories:") {
  std::string m = Refusal(Bundled(), "hosting", "mediation");
  INFO(m);
  CHECK(m.find("categories:") != std::string::npos);
  CHECK(m.find("staffing-agency.yaml:") != std::string::npos);
}

TEST_CASE("no category in both the recipient's and the purpose's list: nothing may go") {
  // vog_screening lists clients but covers only criminal data, which clients may not receive.
  std::string m = Refusal(Bundled(), "clients", "vog_screening");
  CHECK(m.find("no category is in both") != std::string::npos);
}

TEST_CASE("a special category needs the purpose's Art. 9 condition") {
  CHECK(Scope(Bundled(), "occupational_health", "absence_management").categories ==
        std::vector<std::string>{"health"});
  policy::Policy p = Bundled();
  for (policy::Purpose& pu : p.purposes)
    if (pu.id == "absence_management") pu.art9_condition.reset();
  CHECK(Refusal(p, "occupational_health", "absence_management").find("art9_condition") != std::string::npos);
}

TEST_CASE("outside the EU/EEA only with a declared transfer and safeguard") {
  share::DisclosureScope s = Scope(Bundled(), "web_analytics", "");
  CHECK(s.purpose == "website_analytics");
  REQUIRE(s.transfer.has_value());
  CHECK(s.transfer->country == "US");
  CHECK(s.transfer->safeguard == "adequacy");

  // The same policy without the transfer: refused, naming the country and what to add.
  std::string text = Slurp(kPolicyPath);
  const std::string transfer = "      - { country: US, recipient: web_analytics, safeguard: adequacy }";
  size_t at = text.find(transfer);
  REQUIRE(at != std::string::npos);
  text.erase(at, text.find('\n', at) - at);
  text.replace(text.find("    transfers:\n"), std::string("    transfers:\n").size(), "");
  policy::Policy p = PolicyFromString(text, "no-transfer.yaml");
  std::string m = Refusal(p, "web_analytics", "website_analytics");
  INFO(m);
  CHECK(m.find("US") != std::string::npos);
  CHECK(m.find("outside the EU/EEA") != std::string::npos);
  CHECK(m.find("transfers:") != std::string::npos);
  CHECK(m.find("recipient: web_analytics") != std::string::npos);
  CHECK(m.find("no-transfer.yaml:") != std::string::npos);

  // A transfer without a safeguard is no transfer either.
  policy::Policy q = Bundled();
  for (policy::Purpose& pu : q.purposes)
    for (policy::Transfer& t : pu.transfers) t.safeguard.clear();
  CHECK(Refusal(q, "web_analytics", "").find("outside the EU/EEA") != std::string::npos);
  // Nor is a recipient with no country.
  policy::Policy r = Bundled();
  for (policy::Recipient& rc : r.recipients)
    if (rc.id == "clients") rc.country.clear();
  CHECK(Refusal(r, "clients", "mediation").find("unknown country") != std::string::npos);
}
