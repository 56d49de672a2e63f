// The loader: every diagnostic it gives, with its exact line:column.
#include <doctest/doctest.h>

#include "policy_test_util.h"

using namespace policy_test;
using dpo::policy::LoadPolicyString;

TEST_CASE("the base policy of these tests is clean") {
  auto all = Check(kBase);
  INFO(Dump(all));
  CHECK(all.empty());
}

TEST_CASE("YAML syntax error: Result error with file:line:column") {
  std::string text = With(kBase, "  contact: privacy@acme.example\n", "  contact: [privacy@acme.example\n");
  auto loaded = LoadPolicyString(text, "t.yaml");
  REQUIRE_FALSE(loaded.ok());
  INFO(loaded.status().message());
  CHECK(loaded.status().message().rfind("t.yaml:", 0) == 0);
  CHECK(loaded.status().message().find("not valid YAML") != std::string::npos);
  CHECK(loaded.status().code() == dpo::StatusCode::kInvalidArgument);
}

TEST_CASE("YAML syntax error location is the parser's mark, 1-based") {
  // A tab-free, unambiguous error: a map value where a key was expected.
  std::string text = "version: 1\ncontroller:\n  name: a\n   bad: indentation: here\n";
  auto loaded = LoadPolicyString(text, "t.yaml");
  REQUIRE_FALSE(loaded.ok());
  INFO(loaded.status().message());
  CHECK(loaded.status().message().rfind("t.yaml:4:", 0) == 0);
}

TEST_CASE("a missing file is an error naming the file") {
  auto loaded = dpo::policy::LoadPolicyFile("/nonexistent/policy.yaml");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().message().find("/nonexistent/policy.yaml") != std::string::npos);
}

TEST_CASE("unknown-key with a did-you-mean suggestion") {
  std::string text = With(kBase, "    legal_basis: consent", "    legal_bases: consent");
  Diagnostic d = Expect(text, "unknown-key", "legal_bases", kError, "unknown key 'legal_bases' in purpose 'mediation'",
                        "did you mean 'legal_basis'?");
  CHECK(d.location.line == 11);
  CHECK(d.location.column == 5);
}

TEST_CASE("unknown top-level key suggests the section") {
  std::string text = With(kBase, "retention:\n", "retension:\n");
  Expect(text, "unknown-key", "retension", kError, "unknown key 'retension' in the policy", "did you mean 'retention'?");
}

TEST_CASE("unknown-key without a near match lists the valid keys") {
  std::string text = With(kBase, "  candidate: { description: Candidates }",
                          "  candidate: { description: Candidates, colour: blue }");
  Expect(text, "unknown-key", "colour", kError, "unknown key 'colour' in data subject 'candidate'",
         "valid keys here: description");
}

TEST_CASE("wrong-type: a single value where a list is needed") {
  std::string text = With(kBase, "    categories: [contact]", "    categories: contact");
  Diagnostic d = Expect(text, "wrong-type", "contact\n", kError,
                        "'categories' of purpose 'mediation' must be a list, not a single value 'contact'",
                        "write categories: [contact]");
  CHECK(d.location.line == 13);
  CHECK(d.location.column == 17);
}

TEST_CASE("wrong-type: a list where a map is needed") {
  std::string text = With(kBase, "controller:\n  name: Acme Uitzend B.V.\n  contact: privacy@acme.example\n",
                          "controller:\n  - Acme Uitzend B.V.\n");
  Expect(text, "wrong-type", "- Acme", kError, "the controller must be a map of keys, not a list", "name, contact");
}

TEST_CASE("wrong-type: the whole document is not a map") {
  std::vector<Diagnostic> all = Check("- just\n- a list\n");
  REQUIRE(all.size() == 1);
  CHECK(all[0].code == "wrong-type");
  CHECK(all[0].location.line == 1);
  CHECK(all[0].location.column == 1);
}

TEST_CASE("wrong-type: a boolean that is not true or false") {
  std::string text = With(kBase, "    legal_basis: consent", "    legal_basis: consent\n    automated_decisions: maybe");
  Expect(text, "invalid-value", "maybe", kError, "'automated_decisions' of purpose 'mediation' must be true or false",
         "automated_decisions: true");
}

TEST_CASE("missing-key: purpose without legal_basis") {
  std::string text = With(kBase, "    legal_basis: consent\n", "");
  Expect(text, "missing-key", "mediation:", kError, "purpose 'mediation' has no 'legal_basis'",
         "add legal_basis: one of consent, contract, legal_obligation");
}

TEST_CASE("missing-key: top-level section") {
  std::string text = With(kBase, "data_subjects:\n  candidate: { description: Candidates }\n", "");
  std::vector<Diagnostic> all = Check(text);
  bool found = false;
  for (const Diagnostic& d : all) {
    if (d.code == "missing-key" && d.message == "the policy has no 'data_subjects'") {
      found = true;
      CHECK(d.location.line == 1);
      CHECK(d.location.column == 1);
    }
  }
  CHECK_MESSAGE(found, Dump(all));
}

TEST_CASE("missing-key: anonymise without columns") {
  std::string text = With(kBase, "    keep: 2y after last_active_at", "    keep: 2y after last_active_at\n    action: anonymise");
  Expect(text, "missing-key", "candidates:\n    dataset", kError, "retention rule 'candidates' has no 'columns'",
         "anonymise needs columns");
}

TEST_CASE("invalid-value: enum lists the valid values and suggests one") {
  std::string text = With(kBase, "    legal_basis: consent", "    legal_basis: consnet");
  Expect(text, "invalid-value", "consnet", kError, "invalid legal_basis 'consnet' for purpose 'mediation'",
         "did you mean 'consent'? valid values: consent, contract, legal_obligation, vital_interests, public_task, "
         "legitimate_interests");
}

TEST_CASE("invalid-value: sensitivity") {
  std::string text = With(kBase, "detectors: [email, phone] }", "detectors: [email, phone], sensitivity: secret }");
  Expect(text, "invalid-value", "secret", kError, "invalid sensitivity 'secret' for category 'contact'",
         "ordinary, special, criminal, national_id");
}

TEST_CASE("invalid-value: unsupported version") {
  std::string text = With(kBase, "version: 1", "version: 2");
  Diagnostic d = Expect(text, "invalid-value", "2", kError, "unsupported policy version '2'", "version: 1");
  CHECK(d.location.line == 1);
  CHECK(d.location.column == 10);
}

TEST_CASE("invalid-value: country code") {
  std::string text = With(kBase, "purposes:", "recipients:\n  cloud: { type: processor, agreement: DPA-1, country: Nederland }\npurposes:");
  Expect(text, "invalid-value", "Nederland", kError, "invalid country 'Nederland' for recipient 'cloud'",
         "two-letter ISO 3166");
}

TEST_CASE("invalid-value: condition with two operators, and a bad date") {
  std::string two = With(kBase, "    keep: 2y after last_active_at",
                         "    keep: 2y after last_active_at\n    when:\n      - { column: last_active_at, equals: 1, in: [2] }");
  Expect(two, "invalid-value", "{ column: last", kError, "has 2 operators (equals, in)", "one operator per condition");
  std::string date = With(kBase, "    keep: 2y after last_active_at",
                          "    keep: 2y after last_active_at\n    when:\n      - { column: last_active_at, before: 2020-13-45 }");
  Expect(date, "invalid-value", "2020-13-45", kError, "'2020-13-45' is not a date", "YYYY-MM-DD");
}

TEST_CASE("invalid-duration: keep with a unit dpo does not know, hint rewrites it") {
  std::string text = With(kBase, "keep: 2y after last_active_at", "keep: 2 yrs after last_active_at");
  Diagnostic d = Expect(text, "invalid-duration", "2 yrs", kError,
                        "'keep' of retention rule 'candidates': '2 yrs' is not a period",
                        "write keep: 2y after last_active_at");
  CHECK(d.location.line == 29);
  CHECK(d.location.column == 11);
}

TEST_CASE("invalid-duration: dsar response period") {
  std::string text = std::string(kBase) + "dsar:\n  response_period: one month\n";
  Expect(text, "invalid-duration", "one month", kError, "'one month' is not a duration", "response_period: 1m");
}

TEST_CASE("keep-without-after") {
  std::string text = With(kBase, "keep: 2y after last_active_at", "keep: 2 years");
  Expect(text, "keep-without-after", "2 years", kError, "says how long (2y) but not from when",
         "write keep: 2y after DATE_COLUMN");
}

TEST_CASE("duplicate-id: a category declared twice") {
  std::string text = With(kBase, "purposes:", "  contact: { description: again }\npurposes:");
  Diagnostic d = Expect(text, "duplicate-id", "contact: { description: again", kError,
                        "duplicate category id 'contact' in 'categories' (first at t.yaml:8:3)", "rename or merge");
  CHECK(d.location.line == 9);
}

TEST_CASE("duplicate-id: a column mapped twice") {
  std::string text = With(kBase, "      last_active_at: none", "      last_active_at: none\n      email: contact");
  Expect(text, "duplicate-id", "email: contact", kError, "duplicate column 'email'", "rename or merge");
}

TEST_CASE("duplicate-key: a key given twice in one purpose") {
  std::string text = With(kBase, "    legal_basis: consent", "    legal_basis: consent\n    legal_basis: contract");
  Expect(text, "duplicate-key", "legal_basis: contract", kError, "duplicate key 'legal_basis' in purpose 'mediation'",
         "give each key once");
}

TEST_CASE("TODO values are recorded with their location, the text kept") {
  std::string text = With(kBase, "    legal_basis: consent", "    legal_basis: TODO choose one");
  auto loaded = LoadPolicyString(text, "t.yaml");
  REQUIRE(loaded.ok());
  CHECK(loaded->diagnostics.empty());
  REQUIRE(loaded->policy.todos.size() == 1);
  CHECK(loaded->policy.todos[0].key == "purposes.mediation.legal_basis");
  CHECK(loaded->policy.IsTodo("purposes.mediation.legal_basis"));
  CHECK(loaded->policy.todos[0].location.line == 11);
  CHECK(loaded->policy.todos[0].location.column == 18);
}

TEST_CASE("value locations point at each list item") {
  auto loaded = LoadPolicyString(kBase, "t.yaml");
  REQUIRE(loaded.ok());
  dpo::policy::Location fallback;
  const auto& loc = loaded->policy.LocationOf("categories.contact.detectors[1]", fallback);
  LineCol want = Position(kBase, "phone");
  CHECK(loc.line == want.line);
  CHECK(loc.column == want.column);
  CHECK(loc.ToString() == "t.yaml:" + std::to_string(want.line) + ":" + std::to_string(want.column));
}

TEST_CASE("column mappings: none, a category, a map; relations; conditions of every operator") {
  std::string text = With(kBase, "      last_active_at: none",
                          "      last_active_at: none\n"
                          "      owner_id: { category: none, description: the recruiter }\n"
                          "    relations:\n"
                          "      - { columns: [owner_id], references: { table: users, columns: [id] } }");
  text = With(text, "    keep: 2y after last_active_at",
              "    keep: 18 months after last_active_at\n"
              "    action: restrict\n"
              "    set: { id: 0 }\n"
              "    when:\n"
              "      - { column: id, not_equals: 1 }\n"
              "      - { column: id, in: [1, 2] }\n"
              "      - { column: id, is_null: false }\n"
              "      - { column: last_active_at, after: 2020-01-01 }\n"
              "      - { column: last_active_at, older_than: 7y }\n"
              "      - { column: last_active_at, within: 4w }\n");
  auto loaded = LoadPolicyString(text, "t.yaml");
  REQUIRE(loaded.ok());
  INFO(Dump(loaded->diagnostics));
  CHECK(loaded->diagnostics.empty());
  const auto& p = loaded->policy;
  const auto* d = p.FindDataset("candidates");
  REQUIRE(d != nullptr);
  CHECK(d->FindColumn("owner_id")->category.empty());
  CHECK(d->FindColumn("owner_id")->description == "the recruiter");
  REQUIRE(d->relations.size() == 1);
  CHECK(d->relations[0].referenced_table == "users");
  const auto& r = p.retention[0];
  CHECK(r.keep == dpo::util::Duration::Months(18));
  CHECK(r.action == dpo::policy::RetentionAction::kRestrict);
  CHECK(r.set.at("id") == "0");
  REQUIRE(r.when.size() == 6);
  using Op = dpo::policy::Condition::Op;
  CHECK(r.when[0].op == Op::kNotEquals);
  CHECK(r.when[1].op == Op::kIn);
  CHECK(r.when[1].values.size() == 2);
  CHECK(r.when[2].op == Op::kIsNotNull);
  CHECK(r.when[3].op == Op::kAfter);
  CHECK(r.when[4].op == Op::kOlderThan);
  CHECK(*r.when[4].duration == dpo::util::Duration::Years(7));
  CHECK(r.when[5].op == Op::kWithin);
}

TEST_CASE("EditDistance and ClosestMatch") {
  using dpo::policy::ClosestMatch;
  CHECK(dpo::policy::EditDistance("kitten", "sitting") == 3);
  CHECK(ClosestMatch("legal_bases", {"legal_basis", "law"}) == "legal_basis");
  CHECK(ClosestMatch("Retention", {"retention", "version"}) == "retention");
  CHECK(ClosestMatch("xyz", {"retention", "version"}).empty());
}
