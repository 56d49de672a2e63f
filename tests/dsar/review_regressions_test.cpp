// Regressions from the data-loss review of issue 10, each on a small SQLite
// database made here: an erasure must never delete another person's rows,
// never leave the subject's rows in silence, and a package must never show
// another person's record.
#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include "dsar/erasure_plan.h"
#include "dsar/subject_finder.h"
#include "policy/loader.h"
#include "relations/policy_relations.h"
#include "source/source.h"

using namespace dpo;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPolicy = R"(version: 1
controller: { name: Test B.V., contact: privacy@test.example }
data_subjects:
  candidate: { description: Candidates }
  staff: { description: Staff }
categories:
  contact: { description: Contact details, sensitivity: ordinary, detectors: [email] }
purposes:
  mediation: { description: Mediation, legal_basis: contract, data_subjects: [candidate, staff], categories: [contact] }
datasets:
  candidates:
    data_subject: candidate
    subject_key: id
    purposes: [mediation]
    columns: { id: none, email: { category: contact, identifier: true }, legal_hold: none }
  notes:
    data_subject: candidate
    subject_key: candidate_id
    purposes: [mediation]
    columns: { id: none, candidate_id: none, author_email: contact, note: contact }
  staff:
    data_subject: staff
    subject_key: id
    purposes: [mediation]
    columns: { id: none, email: { category: contact, identifier: true }, manager_id: none }
  profiles:
    data_subject: candidate
    subject_key: candidate_id
    purposes: [mediation]
    columns: { handle: none, candidate_id: none }
  hours:
    data_subject: candidate
    subject_key: candidate_id
    purposes: [mediation]
    columns: { candidate_id: none, amount: none }
retention:
  candidates:
    dataset: candidates
    keep: TODO
    legal_holds:
      - { name: dispute, reason: an open dispute, when: [ { column: legal_hold, equals: 1 } ] }
)";

struct Db {
  std::string dir, path;
  policy::Policy policy;
  Db() {
    static int n = 0;
    dir = (fs::temp_directory_path() / ("dpo-review-" + std::to_string(getpid()) + "-" + std::to_string(++n))).string();
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = dir + "/r.db";
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(R"(
      CREATE TABLE candidates (id INTEGER PRIMARY KEY, email TEXT, legal_hold INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE notes (id INTEGER PRIMARY KEY, candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
                          author_email TEXT, note TEXT);
      CREATE TABLE staff (id INTEGER PRIMARY KEY, email TEXT, manager_id INTEGER REFERENCES staff(id));
      CREATE TABLE profiles (handle TEXT PRIMARY KEY, candidate_id INTEGER REFERENCES candidates(id));
      CREATE TABLE hours (candidate_id INTEGER REFERENCES candidates(id), amount REAL);
      INSERT INTO candidates VALUES (1, 'jan@example.nl', 0), (2, 'piet@example.nl', 0);
      INSERT INTO notes VALUES (1, 1, 'rec@agency.nl', 'spoke to Jan'), (2, 2, 'rec@agency.nl', 'spoke to Piet');
      INSERT INTO staff VALUES (1, 'anna@agency.nl', NULL), (2, 'bert@agency.nl', 1), (3, 'rec@agency.nl', 1);
      INSERT INTO profiles VALUES (NULL, 1), ('', 2);
    )");
    auto loaded = policy::LoadPolicyString(kPolicy, "p.yaml");
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    policy = loaded->policy;
  }
  ~Db() { fs::remove_all(dir); }

  std::unique_ptr<source::Source> Open() {
    auto src = source::OpenSource(path, {});
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    (*src)->DeclareRelations(relations::PolicyRelations(policy));
    return std::move(*src);
  }
  Result<plan::RetentionPlan> Erasure(const std::string& email) {
    auto src = Open();
    auto data = dsar::FindSubject(policy, *src, {{"email", email}}, {});
    if (!data.ok()) return data.status();
    dsar::ErasureOptions options;
    options.as_of = util::Date{2026, 11, 1};
    return dsar::MakeErasurePlan(policy, *src, *data, options);
  }
};

int64_t Erased(const plan::RetentionPlan& p, const std::string& table) {
  for (const plan::RulePlan& r : p.rules)
    if (r.table == table) return r.to_act;
  return 0;
}

}  // namespace

TEST_CASE("a note's author is not the note's subject: erasing the recruiter leaves the candidates' notes") {
  Db db;
  auto plan = db.Erasure("rec@agency.nl");
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  CHECK(Erased(*plan, "notes") == 0);
  CHECK(Erased(*plan, "staff") == 1);  // the recruiter's own record
}

TEST_CASE("a self-reference is not 'belongs to': erasing a manager leaves her reports") {
  Db db;
  auto src = db.Open();
  auto data = dsar::FindSubject(db.policy, *src, {{"email", "anna@agency.nl"}}, {});
  REQUIRE(data.ok());
  CHECK(data->Find("staff", dsar::RowRole::kBelongs) == nullptr);
}

TEST_CASE("a row of another person's dataset is no context: nothing of it is shown") {
  Db db;
  auto src = db.Open();
  auto data = dsar::FindSubject(db.policy, *src, {{"email", "bert@agency.nl"}}, {});
  REQUIRE(data.ok());
  CHECK(data->Find("staff", dsar::RowRole::kContext) == nullptr);  // his manager Anna
}

TEST_CASE("a NULL key is matched on every column, never as ''; a hold in a TODO rule still keeps") {
  Db db;
  auto plan = db.Erasure("jan@example.nl");
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  CHECK(Erased(*plan, "profiles") == 1);
  for (const plan::PlanStep& s : plan->steps) CHECK(s.sql.find("IN ('')") == std::string::npos);
  {
    SQLite::Database w(db.path, SQLite::OPEN_READWRITE);
    w.exec("UPDATE candidates SET legal_hold = 1 WHERE id = 1");
  }
  auto held = db.Erasure("jan@example.nl");
  REQUIRE(held.ok());
  CHECK(Erased(*held, "candidates") == 0);
  CHECK(Erased(*held, "notes") == 0);  // belongs to the held candidate
}

TEST_CASE("a hold set between plan and apply makes the plan stale") {
  Db db;
  auto plan = db.Erasure("piet@example.nl");
  REQUIRE(plan.ok());
  bool selects_holds = false;
  for (const plan::PlanStep& s : plan->steps)
    if (s.table == "candidates") selects_holds |= s.sql.find("legal_hold") != std::string::npos;
  CHECK(selects_holds);  // the delete excludes held rows, so a new hold changes its count
}

TEST_CASE("rows a whole-row match cannot find again (REAL in a keyless table) refuse the plan") {
  Db db;
  {
    SQLite::Database w(db.path, SQLite::OPEN_READWRITE);
    w.exec("INSERT INTO hours VALUES (1, 0.1 + 0.2), (1, 1.0 / 3.0)");
  }
  auto plan = db.Erasure("jan@example.nl");
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().message().find("add a primary key to hours") != std::string::npos);
}

TEST_CASE("a row that changes owner between plan and apply makes the plan stale") {
  Db db;
  auto plan = db.Erasure("jan@example.nl");
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  bool checks_owner = false;
  for (const plan::PlanStep& s : plan->steps)
    if (s.table == "notes") checks_owner |= s.sql.find("candidate_id") != std::string::npos;
  CHECK(checks_owner);
}
