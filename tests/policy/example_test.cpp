// docs/policy-example.yaml is the shape every user copies: it must load and
// validate without a single diagnostic.
#include <doctest/doctest.h>

#include <iostream>

#include "policy/loader.h"
#include "policy/validate.h"

using namespace dpo::policy;

namespace {
const std::vector<std::string> kDetectors = {
    "email", "phone", "iban", "bsn", "postcode", "date", "birth_date", "ipv4", "ipv6", "payment_card", "kvk",
    "vat_nl", "passport_nl", "id_card_nl", "person_name", "street_address", "social_profile", "city", "gender",
    "nationality", "marital_status", "salary", "free_text", "device_id", "geolocation", "health_term",
    "religion_term", "ethnicity_term", "political_term", "union_term", "sexuality_term", "biometric_term",
    "criminal_term"};
}

TEST_CASE("docs/policy-example.yaml loads and validates clean") {
  auto loaded = LoadPolicyFile(DPO_SOURCE_DIR "/docs/policy-example.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  std::vector<Diagnostic> all = loaded->diagnostics;
  ValidateOptions options;
  options.known_detectors = kDetectors;
  for (Diagnostic& d : ValidatePolicy(loaded->policy, options)) all.push_back(d);
  for (const Diagnostic& d : all)
    std::cerr << d.location.ToString() << ": " << SeverityName(d.severity) << ": " << d.message << " [" << d.code
              << "]\n    hint: " << d.hint << "\n";
  CHECK(all.empty());

  const Policy& p = loaded->policy;
  CHECK(p.controller.name == "Voorbeeld Uitzendbureau B.V.");
  CHECK(p.controller.dpo_name == "J. de Vries");
  REQUIRE(p.categories.size() == 3);
  CHECK(p.FindCategory("bsn")->sensitivity == Sensitivity::kNationalId);
  CHECK(p.FindCategory("health")->special_category == "health");
  CHECK(p.FindPurpose("payroll")->legal_basis == LegalBasis::kLegalObligation);
  CHECK(p.FindPurpose("absence")->art9_condition == Art9Condition::kEmploymentLaw);
  REQUIRE(p.FindPurpose("absence")->transfers.size() == 1);
  CHECK(p.FindPurpose("absence")->transfers[0].safeguard == "scc");
  const Dataset* candidates = p.FindDataset("candidates");
  REQUIRE(candidates != nullptr);
  CHECK(candidates->IdentifierColumns() == std::vector<std::string>{"email"});
  CHECK(candidates->FindColumn("id")->category.empty());
  CHECK(candidates->FindColumn("full_name")->category == "contact");
  const Dataset* absences = p.FindDataset("absences");
  REQUIRE(absences->relations.size() == 1);
  CHECK(absences->relations[0].referenced_table == "employees");
  CHECK(absences->relations[0].referenced_columns == std::vector<std::string>{"id"});
  auto rules = p.RulesForDataset("candidates");
  REQUIRE(rules.size() == 1);
  CHECK(rules[0]->keep == dpo::util::Duration::Years(2));
  CHECK(rules[0]->after_column == "last_active_at");
  REQUIRE(rules[0]->when.size() == 1);
  CHECK(rules[0]->when[0].op == Condition::Op::kEquals);
  CHECK(rules[0]->when[0].values == std::vector<std::string>{"0"});
  REQUIRE(rules[0]->legal_holds.size() == 1);
  CHECK(rules[0]->legal_holds[0].when[0].column == "dispute_open");
  CHECK(p.FindDataset("absences") != nullptr);
  CHECK(p.RulesForDataset("absences")[0]->action == RetentionAction::kAnonymise);
  CHECK(p.dsar.response_period == dpo::util::Duration::Months(1));
  CHECK(p.dsar.identity_methods.size() == 2);
  CHECK(p.FindCategory("contact")->location.line == 17);
  CHECK(p.FindCategory("contact")->location.column == 3);
}
