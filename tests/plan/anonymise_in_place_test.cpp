// Issue 9: `action: anonymise` keeps the table's constraints. A NOT NULL or
// UNIQUE column gets a keyed pseudonym (or a year, a fixed value) instead of
// NULL, computed inside the transaction on SQLite, PostgreSQL and CSV.
//
//  - The staffing sample's rule employee_records (employees.personnel_number,
//    first_name, last_name and bsn are NOT NULL) is planned and applied on
//    every backend: the expired rows' columns no longer hold their values,
//    NOT NULL holds, a second plan finds nothing, foreign keys are intact,
//    and SQLite and PostgreSQL write the same pseudonyms with the same key.
//  - Apply without a key refuses before anything changes.
//  - A tiny schema with UNIQUE columns (text, e-mail, integer) and a NOT
//    NULL date: UNIQUE holds after the sweep; a column other rows reference
//    blocks its rule with the reason.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "anonymise/operators.h"
#include "plan/plan_json.h"
#include "plan/retention_apply.h"
#include "plan/retention_plan.h"
#include "policy/loader.h"
#include "relations/policy_relations.h"
#include "sample/generator.h"
#include "source/csv/csv_source.h"
#include "source/pg_sample_loader.h"
#include "source/pg_server.h"
#include "source/sqlite/sqlite_source.h"
#include "util/keyed_hash.h"

using namespace dpo;
namespace fs = std::filesystem;

namespace {

constexpr const char* kAsOf = "2026-11-01";
constexpr const char* kRule = "employee_records";
const std::vector<std::string> kNotNull = {"personnel_number", "first_name", "last_name", "bsn"};

const util::SecretKey& Key() {
  static const util::SecretKey key = std::move(util::SecretKey::FromBytes("an anonymise test key, 32 bytes!")).value();
  return key;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using Row = std::vector<std::optional<std::string>>;

// id -> the values of `columns`, for the rows `where` selects.
std::map<std::string, Row> Rows(source::Source& src, const std::string& table, const std::vector<std::string>& columns,
                                 const std::optional<source::Predicate>& where) {
  source::ReadRequest request;
  request.columns = {"id"};
  request.columns.insert(request.columns.end(), columns.begin(), columns.end());
  request.where = where;
  auto reader = src.Read(table, request);
  REQUIRE_MESSAGE(reader.ok(), reader.status().message());
  std::map<std::string, Row> out;
  source::RowBatch batch;
  for (;;) {
    auto more = (*reader)->Next(&batch);
    REQUIRE_MESSAGE(more.ok(), more.status().message());
    if (!*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      Row row;
      for (size_t c = 1; c < batch.num_columns(); ++c)
        row.push_back(batch.IsNull(r, c) ? std::nullopt : std::optional<std::string>(std::string(batch.Cell(r, c))));
      out[std::string(batch.Cell(r, 0))] = row;
    }
  }
  return out;
}

struct Sample {
  std::string dir;
  std::string db;
  std::string csv;
  sample::GroundTruth truth;
  policy::Policy policy;
  std::string policy_sha;

  Sample() {
    static int counter = 0;
    dir = (fs::temp_directory_path() / ("dpo-anonymise-" + std::to_string(getpid()) + "-" + std::to_string(++counter)))
              .string();
    fs::remove_all(dir);
    fs::create_directories(dir);
    db = dir + "/s.db";
    csv = dir + "/csv";
    sample::GenerateOptions options;
    options.sqlite_path = db;
    options.csv_dir = csv;
    options.rows = 1500;
    options.seed = 11;
    options.as_of = *util::ParseIsoDate(kAsOf);
    auto generated = sample::GenerateSample(options);
    REQUIRE_MESSAGE(generated.ok(), generated.status().message());
    truth = generated->truth;
    std::string path = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
    auto loaded = policy::LoadPolicyFile(path);
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    policy = loaded->policy;
    policy_sha = util::Sha256Hex(ReadAll(path));
  }
  ~Sample() { fs::remove_all(dir); }

  plan::RetentionPlan Plan(source::Source& src) const {
    plan::PlanOptions options;
    options.as_of = *util::ParseIsoDate(kAsOf);
    options.policy_sha256 = policy_sha;
    auto made = plan::MakeRetentionPlan(policy, src, options);
    REQUIRE_MESSAGE(made.ok(), made.status().message());
    return *made;
  }

  plan::ApplyOptions Options(const util::SecretKey* key) const {
    plan::ApplyOptions options;
    options.key = key;
    options.max_percent = 100;
    options.policy_sha256 = policy_sha;
    options.declared = relations::PolicyRelations(policy);
    return options;
  }
};

std::unique_ptr<source::Source> Open(const std::string& spec, bool read_only) {
  source::OpenOptions options;
  options.read_only = read_only;
  auto src = source::OpenSource(spec, options);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  return std::move(*src);
}

const plan::PlanStep& RuleStep(const plan::RetentionPlan& plan, const std::string& rule) {
  for (const plan::RulePlan& r : plan.rules)
    if (r.rule == rule) REQUIRE_MESSAGE(r.blocked.empty(), r.blocked);
  for (const plan::PlanStep& s : plan.steps)
    if (s.rule == rule) return s;
  FAIL("no step for rule " << rule);
  throw 0;
}

const plan::RulePlan& RuleOf(const plan::RetentionPlan& plan, const std::string& rule) {
  for (const plan::RulePlan& r : plan.rules)
    if (r.rule == rule) return r;
  FAIL("no rule " << rule);
  throw 0;
}

std::vector<std::string> RuleColumns(const Sample& s) {
  for (const policy::RetentionRule& r : s.policy.retention)
    if (r.id == kRule) return r.columns;
  FAIL("no rule");
  throw 0;
}

// Plans on `spec`, refuses to apply without a key (nothing changes), applies
// with the key, and checks what the rule's rows hold now. Returns those rows
// after the sweep (id -> listed columns).
std::map<std::string, Row> SweepEmployees(const Sample& s, const std::string& spec, bool constraints) {
  const std::vector<std::string> columns = RuleColumns(s);
  plan::RetentionPlan plan;
  std::map<std::string, Row> before, everyone;
  {
    auto src = Open(spec, true);
    everyone = Rows(*src, "employees", columns, std::nullopt);
    plan = s.Plan(*src);
    const plan::PlanStep& step = RuleStep(plan, kRule);
    CHECK(step.action == "anonymise");
    CHECK(step.rows > 0);
    CHECK(step.key_columns == std::vector<std::string>{"id"});
    std::set<std::string> computed;
    for (const auto& c : step.op.computed) {
      computed.insert(c.column);
      CHECK(c.op == "pseudonym");
      CHECK_FALSE(c.fn);  // bound at apply, never in a plan
    }
    CHECK(computed == (constraints ? std::set<std::string>(kNotNull.begin(), kNotNull.end()) : std::set<std::string>{}));
    CHECK(step.op.assignments.size() + step.op.computed.size() == columns.size());
    CHECK(plan::NeedsKey(plan) == constraints);
    if (constraints) CHECK(step.sql.find("\"bsn\" = dpo_pseudonym(\"bsn\")") != std::string::npos);
    before = Rows(*src, "employees", columns, step.op.where);
    CHECK(static_cast<int64_t>(before.size()) == step.rows);
  }
  // The plan file reads back to the same plan; apply runs the one read back.
  auto again = plan::PlanFromJson(plan::PlanToJson(plan), "plan.json");
  REQUIRE_MESSAGE(again.ok(), again.status().message());
  CHECK(plan::PlanToJson(*again) == plan::PlanToJson(plan));
  CHECK(RuleStep(*again, kRule).op.computed.size() == RuleStep(plan, kRule).op.computed.size());

  auto src = Open(spec, false);
  if (constraints) {
    auto refused = plan::ApplyRetentionPlan(*again, *src, s.Options(nullptr));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message().find("--key-file") != std::string::npos);
    CHECK(refused.status().message().find("employee_records") != std::string::npos);
    CHECK(Rows(*src, "employees", columns, std::nullopt).size() > 0);
    auto unchanged = Rows(*src, "employees", columns, RuleStep(plan, kRule).op.where);
    CHECK(unchanged == before);
  }
  // A dry run counts what the real run changes.
  auto dry = plan::ApplyRetentionPlan(*again, *src, [&] {
    plan::ApplyOptions o = s.Options(&Key());
    o.dry_run = true;
    return o;
  }());
  REQUIRE_MESSAGE(dry.ok(), dry.status().message());
  auto applied = plan::ApplyRetentionPlan(*again, *src, s.Options(&Key()));
  REQUIRE_MESSAGE(applied.ok(), applied.status().message());
  for (const plan::AppliedStep& a : applied->steps)
    if (a.rule == kRule) CHECK(a.rows == static_cast<int64_t>(before.size()));
  CHECK(applied->total == dry->total);

  // No listed column holds its value any more; NOT NULL columns hold a
  // pseudonym (constraints) or NULL (CSV); the others are NULL.
  std::map<std::string, Row> after = Rows(*src, "employees", columns, std::nullopt);
  auto fn = anonymise::MakeFunction(*anonymise::ParseOperator("pseudonym"), &Key());
  REQUIRE(fn.ok());
  for (const auto& id_old : before) {  // (named: clang 14 cannot capture structured bindings)
    const auto& id = std::get<0>(id_old);
    const auto& old = std::get<1>(id_old);
    CAPTURE(id);
    REQUIRE(after.count(id) == 1);
    const Row& now = after[id];
    for (size_t c = 0; c < columns.size(); ++c) {
      CAPTURE(columns[c]);
      bool not_null = std::find(kNotNull.begin(), kNotNull.end(), columns[c]) != kNotNull.end();
      if (old[c]) CHECK(now[c] != old[c]);
      if (not_null && constraints) {
        REQUIRE(now[c].has_value());
        CHECK(now[c]->rfind("anon-", 0) == 0);
        CHECK(now[c] == (*fn)(old[c]));  // keyed and deterministic
      } else {
        CHECK_FALSE(now[c].has_value());
      }
    }
  }
  // Rows the rule did not select are as they were.
  CHECK(after.size() == everyone.size());
  for (const auto& id_row : after) {  // (named: clang 14 cannot capture structured bindings)
    const auto& id = id_row.first;
    if (before.count(id) == 0) CHECK_MESSAGE(id_row.second == everyone[id], id);
  }

  // A second plan finds nothing left for the rule.
  plan::RetentionPlan second = s.Plan(*src);
  CHECK(RuleOf(second, kRule).to_act == 0);
  CHECK(RuleOf(second, kRule).blocked.empty());
  std::map<std::string, Row> anonymised;
  for (const auto& [id, row] : before) anonymised[id] = after[id];
  return anonymised;
}

void CheckSqliteIntegrity(const std::string& db) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  int violations = 0;
  REQUIRE(sqlite3_exec(handle, "PRAGMA foreign_key_check",
                       [](void* n, int, char**, char**) {
                         ++*static_cast<int*>(n);
                         return 0;
                       },
                       &violations, nullptr) == SQLITE_OK);
  CHECK(violations == 0);
  sqlite3_close(handle);
}

}  // namespace

TEST_CASE("anonymise in place on SQLite: employee_records is planned with keyed pseudonyms and applied") {
  Sample s;
  // The NOT NULL columns the rule used to be blocked by.
  {
    auto src = Open(s.db, true);
    auto employees = src->Describe("employees");
    REQUIRE(employees.ok());
    for (const std::string& c : kNotNull) CHECK_FALSE(employees->FindColumn(c)->nullable);
  }
  SweepEmployees(s, s.db, true);
  CheckSqliteIntegrity(s.db);
  // NOT NULL holds for every row.
  auto src = Open(s.db, true);
  for (const std::string& c : kNotNull) {
    auto nulls = src->Count("employees", source::Predicate::Null(c));
    REQUIRE(nulls.ok());
    CHECK(*nulls == 0);
  }
}

TEST_CASE("anonymise in place on a CSV export: no constraints, so the listed columns become NULL") {
  Sample s;
  SweepEmployees(s, "csv:" + s.csv, false);
}

TEST_CASE("anonymise in place on postgres: planned and applied; the same pseudonyms as SQLite with the same key") {
  DPO_PG_SERVER_OR_SKIP(pg);
  Sample s;
  std::string uri = testing::LoadSampleIntoPostgres(*pg, "dpo_anonymise_in_place", s.db, s.csv, s.truth, s.policy, s.dir);
  auto on_postgres = SweepEmployees(s, uri, true);
  auto on_sqlite = SweepEmployees(s, s.db, true);
  CHECK(on_postgres.size() > 0);
  CHECK(on_postgres == on_sqlite);
  auto src = Open(uri, true);
  for (const std::string& c : kNotNull) {
    auto nulls = src->Count("employees", source::Predicate::Null(c));
    REQUIRE(nulls.ok());
    CHECK(*nulls == 0);
  }
}

namespace {

// A tiny schema with UNIQUE columns. people 1-4 left before 2019, 5-6 are current.
const char* kTinyPolicy = R"(version: 1
controller: { name: Club B.V., contact: privacy@club.example }
data_subjects:
  member: { description: Members }
categories:
  contact: { description: Name, login and e-mail, sensitivity: ordinary, detectors: [person_name, email] }
  membership: { description: Membership, sensitivity: ordinary }
purposes:
  club:
    description: Running the club
    legal_basis: contract
    data_subjects: [member]
    categories: [contact, membership]
datasets:
  people:
    data_subject: member
    subject_key: id
    purposes: [club]
    columns: { id: none, login: contact, email: contact, staff_no: membership, born: contact, nickname: contact,
               code: membership, left_at: none }
  badges:
    data_subject: member
    purposes: [club]
    columns: { id: none, person_code: membership }
    relations:
      - { columns: [person_code], references: people.code }
retention:
  former_members:
    dataset: people
    keep: 7y after left_at
    action: anonymise
    columns: [login, email, staff_no, born, nickname]
    basis: AVG art. 5(1)(e)
  member_codes:
    dataset: people
    keep: 7y after left_at
    action: anonymise
    columns: [code]
    basis: AVG art. 5(1)(e)
)";

const char* kTinySchema =
    "CREATE TABLE people (id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, email TEXT UNIQUE, "
    "staff_no INTEGER NOT NULL UNIQUE, born DATE NOT NULL, nickname TEXT, code TEXT UNIQUE, left_at DATE);"
    "CREATE TABLE badges (id INTEGER PRIMARY KEY, person_code TEXT REFERENCES people(code));"
    "INSERT INTO people VALUES (1, 'ann', 'ann@club.example', 1001, '1980-04-05', 'Annie', 'C1', '2015-01-01');"
    "INSERT INTO people VALUES (2, 'bob', NULL, 1002, '1975-12-31', NULL, 'C2', '2016-06-30');"
    "INSERT INTO people VALUES (3, 'cem', 'cem@club.example', 1003, '1990-01-01', 'C', 'C3', '2017-02-02');"
    "INSERT INTO people VALUES (4, 'dik', 'dik@club.example', 1004, '1969-07-20', NULL, NULL, '2018-03-03');"
    "INSERT INTO people VALUES (5, 'eva', 'eva@club.example', 1005, '2000-02-29', 'E', 'C5', '2025-01-01');"
    "INSERT INTO people VALUES (6, 'fay', 'fay@club.example', 1006, '2001-03-01', NULL, 'C6', NULL);"
    "INSERT INTO badges VALUES (1, 'C1');";

void SweepTiny(const std::string& spec, source::SourceKind kind) {
  auto loaded = policy::LoadPolicyString(kTinyPolicy, "club.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  const policy::Policy& policy = loaded->policy;
  plan::PlanOptions options;
  options.as_of = *util::ParseIsoDate("2026-06-01");
  plan::RetentionPlan plan;
  {
    auto src = Open(spec, true);
    auto people = src->Describe("people");
    REQUIRE(people.ok());
    for (const char* c : {"login", "email", "staff_no", "code"}) CHECK_MESSAGE(people->FindColumn(c)->unique, c);
    for (const char* c : {"id", "born", "nickname", "left_at"}) CHECK_FALSE_MESSAGE(people->FindColumn(c)->unique, c);
    auto made = plan::MakeRetentionPlan(policy, *src, options);
    REQUIRE_MESSAGE(made.ok(), made.status().message());
    plan = *made;
  }
  // A column other rows reference is never overwritten: that rule is blocked.
  const plan::RulePlan& codes = RuleOf(plan, "member_codes");
  CHECK(codes.blocked.find("people.code is referenced by badges.person_code") != std::string::npos);
  const plan::PlanStep& step = RuleStep(plan, "former_members");
  CHECK(step.rows == 4);
  std::map<std::string, std::string> ops;
  for (const auto& c : step.op.computed) ops[c.column] = c.op;
  for (const auto& [c, v] : step.op.assignments) ops[c] = v ? "fixed:" + *v : "null";
  CHECK(ops["login"] == "pseudonym");
  CHECK(ops["email"] == "pseudonym:email");  // UNIQUE, and the name says e-mail
  CHECK(ops["staff_no"] == (kind == source::SourceKind::kPostgres ? "pseudonym:int32" : "pseudonym:int64"));
  CHECK(ops["born"] == "year");
  CHECK(ops["nickname"] == "null");

  auto src = Open(spec, false);
  plan::ApplyOptions apply;
  apply.key = &Key();
  apply.max_percent = 100;
  apply.declared = relations::PolicyRelations(policy);
  auto applied = plan::ApplyRetentionPlan(plan, *src, apply);
  REQUIRE_MESSAGE(applied.ok(), applied.status().message());
  auto rows = Rows(*src, "people", {"login", "email", "staff_no", "born", "nickname"}, std::nullopt);
  REQUIRE(rows.size() == 6);
  std::set<std::string> logins, emails, numbers;
  for (const auto& id_row : rows) {  // (named: clang 14 cannot capture structured bindings)
    const auto& id = std::get<0>(id_row);
    const auto& row = std::get<1>(id_row);
    CAPTURE(id);
    logins.insert(*row[0]);
    if (row[1]) emails.insert(*row[1]);
    numbers.insert(*row[2]);
    if (id == "5" || id == "6") {
      CHECK(row[0]->rfind("anon-", 0) != 0);
      continue;
    }
    CHECK(row[0]->rfind("anon-", 0) == 0);
    CHECK(row[2]->size() >= 10);
    CHECK(row[3]->substr(4, 6) == "-01-01");
    CHECK_FALSE(row[4].has_value());
  }
  CHECK(logins.size() == 6);  // UNIQUE holds
  CHECK(numbers.size() == 6);
  CHECK(emails.size() == 5);
  CHECK_FALSE(rows["2"][1].has_value());  // NULL stays NULL in a nullable UNIQUE column
  CHECK(rows["1"][1]->find("@example.invalid") != std::string::npos);
  CHECK(*rows["1"][3] == "1980-01-01");
  CHECK(*rows["3"][3] == "1990-01-01");
  // Nothing left.
  auto again = plan::MakeRetentionPlan(policy, *src, options);
  REQUIRE(again.ok());
  CHECK(RuleOf(*again, "former_members").to_act == 0);
}

}  // namespace

TEST_CASE("anonymise in place keeps UNIQUE on SQLite; a referenced column blocks its rule") {
  fs::path dir = fs::temp_directory_path() / ("dpo-anonymise-tiny-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string db = (dir / "club.db").string();
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, kTinySchema, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  SweepTiny(db, source::SourceKind::kSqlite);
  CheckSqliteIntegrity(db);
  fs::remove_all(dir);
}

TEST_CASE("anonymise in place keeps UNIQUE on postgres (integer: 32-bit pseudonyms)") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = pg->CreateDatabase("dpo_anonymise_tiny");
  std::string error = pg->Exec("dpo_anonymise_tiny", kTinySchema);
  REQUIRE_MESSAGE(error.empty(), error);
  SweepTiny(uri, source::SourceKind::kPostgres);
}
