// Validation: every check, each triggered by a small change to a clean
// policy, with its code, message, hint and exact line:column.
#include <doctest/doctest.h>

#include "policy_test_util.h"

using namespace policy_test;

namespace {
// A policy with a BSN, a health and a criminal category, all correctly grounded.
const char* kFull = R"(version: 1
controller:
  name: Acme Uitzend B.V.
  contact: privacy@acme.example
data_subjects:
  employee: { description: Temporary workers }
categories:
  contact: { detectors: [email] }
  bsn: { sensitivity: national_id, detectors: [bsn] }
  health: { sensitivity: special, special_category: health, detectors: [health_term] }
  vog: { sensitivity: criminal, detectors: [criminal_term] }
recipients:
  payroll_bureau: { type: processor, agreement: VWO-2024-01 }
  us_cloud: { type: processor, agreement: DPA-7, country: US }
purposes:
  payroll:
    legal_basis: legal_obligation
    law: Wet op de loonbelasting 1964, art. 28
    data_subjects: [employee]
    categories: [contact, bsn]
    recipients: [payroll_bureau]
  absence:
    legal_basis: legal_obligation
    law: Wet verbetering poortwachter
    art9_condition: employment_law
    data_subjects: [employee]
    categories: [health]
  screening:
    legal_basis: legitimate_interests
    interest: Safe placement with vulnerable clients
    art10_basis: UAVG art. 33; VOG
    data_subjects: [employee]
    categories: [vog]
    recipients: [us_cloud]
    transfers:
      - { country: US, recipient: us_cloud, safeguard: scc }
datasets:
  employees:
    data_subject: employee
    subject_key: id
    purposes: [payroll, absence, screening]
    columns:
      id: none
      email: { category: contact, identifier: true }
      bsn: { category: bsn, identifier: true }
      sick_note: health
      vog_result: vog
      ended_at: none
retention:
  employees:
    dataset: employees
    keep: 7y after ended_at
    basis: Art. 52 AWR
)";
}  // namespace

TEST_CASE("the full policy of these tests is clean") {
  auto all = Check(kFull);
  INFO(Dump(all));
  CHECK(all.empty());
}

TEST_CASE("todo: keep TODO") {
  std::string text = With(kBase, "keep: 2y after last_active_at", "keep: TODO");
  Expect(text, "todo", "TODO", kError, "retention for candidates is TODO", "keep: 2y after last_active_at");
}

TEST_CASE("todo: any value written TODO") {
  std::string text = With(kBase, "name: Acme Uitzend B.V.", "name: TODO your legal name");
  Expect(text, "todo", "TODO", kError, "'name' of the controller is TODO", "replace TODO");
}

TEST_CASE("todo: an enum written TODO does not also report the check it blocks") {
  std::string text = With(kFull, "    art9_condition: employment_law", "    art9_condition: TODO");
  Expect(text, "todo", "TODO", kError, "'art9_condition' of purpose 'absence' is TODO", "write one of explicit_consent");
  for (const Diagnostic& d : Check(text)) CHECK(d.code != "art9-condition-missing");
}

TEST_CASE("unknown-data-subject") {
  std::string text = With(kBase, "    data_subject: candidate", "    data_subject: candidat");
  Expect(text, "unknown-data-subject", "candidat\n", kError,
         "dataset 'candidates' names data subject 'candidat', which is not declared", "did you mean 'candidate'?");
}

TEST_CASE("unknown-data-subject in a purpose list") {
  std::string text = With(kBase, "data_subjects: [candidate]", "data_subjects: [candidate, visitor]");
  Expect(text, "unknown-data-subject", "visitor", kError, "purpose 'mediation' names data subject 'visitor'",
         "declare it under data_subjects:");
}

TEST_CASE("unknown-category: a column mapped to an undeclared category") {
  std::string text = With(kBase, "      last_active_at: none", "      last_active_at: none\n      phone: contacts");
  Expect(text, "unknown-category", "contacts", kError,
         "column 'phone' of dataset 'candidates' names category 'contacts', which is not declared",
         "did you mean 'contact'?");
}

TEST_CASE("unknown-category in a purpose") {
  std::string text = With(kBase, "    categories: [contact]", "    categories: [contact, career]");
  Expect(text, "unknown-category", "career", kError, "purpose 'mediation' names category 'career'",
         "declare it under categories:");
}

TEST_CASE("unknown-recipient: purpose and transfer") {
  std::string text = With(kFull, "recipients: [payroll_bureau]", "recipients: [payrol_bureau]");
  Expect(text, "unknown-recipient", "payrol_bureau", kError, "purpose 'payroll' names recipient 'payrol_bureau'",
         "did you mean 'payroll_bureau'?");
  std::string t2 = With(kFull, "recipient: us_cloud, safeguard", "recipient: aws, safeguard");
  Expect(t2, "unknown-recipient", "aws", kError, "a transfer of purpose 'screening' names recipient 'aws'",
         "declare it under recipients:");
}

TEST_CASE("unknown-purpose") {
  std::string text = With(kBase, "    purposes: [mediation]", "    purposes: [mediaton]");
  Expect(text, "unknown-purpose", "mediaton", kError, "dataset 'candidates' names purpose 'mediaton'",
         "did you mean 'mediation'?");
}

TEST_CASE("unknown-dataset: retention rule for an undeclared dataset") {
  std::string text = With(kBase, "    dataset: candidates", "    dataset: candidate");
  std::vector<Diagnostic> all = Check(text);
  Expect(text, "unknown-dataset", "candidate\n    keep", kError,
         "retention rule 'candidates' applies to dataset 'candidate', which is not declared",
         "did you mean 'candidates'?");
}

TEST_CASE("undeclared-column: keep after a column the dataset does not declare (warning)") {
  std::string text = With(kBase, "keep: 2y after last_active_at", "keep: 2y after last_login");
  Expect(text, "undeclared-column", "2y after last_login", kWarning,
         "retention rule 'candidates' (keep ... after) uses column 'last_login', which dataset 'candidates' does not "
         "declare",
         "add `last_login: none`");
}

TEST_CASE("undeclared-column: condition, subject_key and anonymise columns") {
  std::string text = With(kBase, "    keep: 2y after last_active_at",
                          "    keep: 2y after last_active_at\n    when: [ { column: statuss, equals: x } ]");
  Expect(text, "undeclared-column", "statuss", kWarning, "a condition of retention rule 'candidates' uses column 'statuss'",
         "add `statuss: none`");
  std::string t2 = With(kBase, "subject_key: id", "subject_key: candidate_id");
  Expect(t2, "undeclared-column", "candidate_id", kWarning, "dataset 'candidates' (subject_key) uses column 'candidate_id'",
         "add `candidate_id: none`");
}

TEST_CASE("undeclared-table: a relation to a table that is no dataset") {
  std::string text = With(kBase, "      last_active_at: none",
                          "      last_active_at: none\n      owner_id: none\n    relations:\n"
                          "      - { columns: [owner_id], references: users.id }");
  Expect(text, "undeclared-table", "users.id", kWarning, "references table 'users', which is not declared",
         "declare datasets.users");
}

TEST_CASE("unknown-detector") {
  std::string text = With(kBase, "detectors: [email, phone]", "detectors: [email, phone_number]");
  Expect(text, "unknown-detector", "phone_number", kError,
         "category 'contact' lists detector 'phone_number', which dpo does not have", "did you mean 'phone'?");
}

TEST_CASE("special-category-missing (warning)") {
  std::string text = With(kFull, "sensitivity: special, special_category: health,", "sensitivity: special,");
  Expect(text, "special-category-missing", "health: {", kWarning,
         "category 'health' is special (Art. 9) but does not say which special category", "add special_category:");
}

TEST_CASE("art9-condition-missing: special category without an Art. 9(2) condition") {
  std::string text = With(kFull, "    art9_condition: employment_law\n", "");
  Expect(text, "art9-condition-missing", "absence:", kError,
         "purpose 'absence' processes special category 'health' (Art. 9) without an Art. 9(2) condition",
         "add art9_condition: one of explicit_consent, employment_law");
}

TEST_CASE("art10-basis-missing: criminal data without an Art. 10 basis") {
  std::string text = With(kFull, "    art10_basis: UAVG art. 33; VOG\n", "");
  Expect(text, "art10-basis-missing", "screening:", kError,
         "purpose 'screening' processes criminal data 'vog' (Art. 10) without naming the legal basis",
         "add art10_basis:");
}

TEST_CASE("national-id-without-law: BSN processed on consent") {
  std::string text = With(kFull, "    legal_basis: legal_obligation\n    law: Wet op de loonbelasting 1964, art. 28\n",
                          "    legal_basis: consent\n");
  Expect(text, "national-id-without-law", "consent", kError,
         "purpose 'payroll' processes national id 'bsn' (BSN) on legal basis consent; UAVG art. 46",
         "use legal_basis: legal_obligation with law:");
}

TEST_CASE("law-missing: legal_obligation without a law") {
  std::string text = With(kFull, "    law: Wet op de loonbelasting 1964, art. 28\n", "");
  Expect(text, "law-missing", "legal_obligation\n    data_subjects", kError,
         "purpose 'payroll' rests on a legal obligation but does not name the law", "add law:");
}

TEST_CASE("interest-missing: legitimate_interests without the interest (warning)") {
  std::string text = With(kFull, "    interest: Safe placement with vulnerable clients\n", "");
  Expect(text, "interest-missing", "legitimate_interests", kWarning,
         "purpose 'screening' rests on legitimate interests but does not name the interest", "add interest:");
}

TEST_CASE("agreement-missing: processor without a processing agreement (warning)") {
  std::string text = With(kFull, "payroll_bureau: { type: processor, agreement: VWO-2024-01 }",
                          "payroll_bureau: { type: processor }");
  Expect(text, "agreement-missing", "payroll_bureau: {", kWarning,
         "recipient 'payroll_bureau' is a processor without a processing agreement (Art. 28(3))", "add agreement:");
}

TEST_CASE("transfer-without-safeguard: outside the EU/EEA") {
  std::string text = With(kFull, "recipient: us_cloud, safeguard: scc }", "recipient: us_cloud }");
  Expect(text, "transfer-without-safeguard", "{ country: US", kError,
         "the transfer of purpose 'screening' to US (outside the EU/EEA) has no safeguard", "add safeguard: adequacy");
  // Inside the EEA no safeguard is needed.
  std::string eea = With(text, "{ country: US,", "{ country: NO,");
  for (const Diagnostic& d : Check(eea)) CHECK(d.code != "transfer-without-safeguard");
}

TEST_CASE("undeclared-transfer: a recipient outside the EU/EEA without a transfer (warning)") {
  std::string text = With(kFull, "    transfers:\n      - { country: US, recipient: us_cloud, safeguard: scc }\n", "");
  Expect(text, "undeclared-transfer", "us_cloud]", kWarning,
         "purpose 'screening' shares data with recipient 'us_cloud' in US (outside the EU/EEA) but declares no transfer",
         "add under transfers:");
}

TEST_CASE("dataset-without-subject and dataset-without-purpose") {
  std::string text = With(kBase, "    data_subject: candidate\n", "");
  Expect(text, "dataset-without-subject", "candidates:\n    subject_key", kError,
         "dataset 'candidates' holds personal data but names no data_subject", "add data_subject:");
  std::string t2 = With(kBase, "    purposes: [mediation]\n", "");
  Expect(t2, "dataset-without-purpose", "candidates:\n    data_subject", kError,
         "dataset 'candidates' holds personal data but names no purpose", "add purposes:");
}

TEST_CASE("category-not-in-purpose: a mapped category no purpose of the dataset lists (warning)") {
  std::string text = With(kFull, "    categories: [contact, bsn]", "    categories: [contact]");
  Expect(text, "category-not-in-purpose", "bsn, identifier", kWarning,
         "column 'bsn' of dataset 'employees' holds category 'bsn', which none of its purposes (payroll, absence, "
         "screening) lists",
         "add 'bsn' to the categories");
}

TEST_CASE("retention-missing: a category in a dataset without a rule") {
  std::string text = With(kBase, "retention:\n  candidates:\n    dataset: candidates\n    keep: 2y after last_active_at\n", "");
  Expect(text, "retention-missing", "contact, identifier", kError,
         "category 'contact' in dataset 'candidates' (column 'email') has no retention rule (Art. 5(1)(e))",
         "add under retention: a rule with dataset: candidates");
}

TEST_CASE("retention-missing: anonymise covers only the categories of its columns") {
  std::string text = With(kFull, "    keep: 7y after ended_at\n",
                          "    keep: 7y after ended_at\n    action: anonymise\n    columns: [email, bsn, vog_result]\n");
  Expect(text, "retention-missing", "health\n      vog", kError,
         "category 'health' in dataset 'employees' (column 'sick_note') has no retention rule", "columns: [sick_note]");
}

TEST_CASE("unused-category (warning)") {
  std::string text = With(kBase, "purposes:", "  career: { description: CV }\npurposes:");
  Expect(text, "unused-category", "career:", kWarning, "category 'career' is declared but no purpose or dataset uses it",
         "map a column to it");
}

TEST_CASE("validation without known detectors skips the detector check") {
  auto loaded = dpo::policy::LoadPolicyString(With(kBase, "[email, phone]", "[nonsense]"), "t.yaml");
  REQUIRE(loaded.ok());
  CHECK(dpo::policy::ValidatePolicy(loaded->policy, {}).empty());
}
