// Issue 10: finding a data subject and erasing one give the same answers on
// SQLite, the real PostgreSQL server and a CSV export (relations declared in
// the policy), and SQLite's answer is the one independent SQL gives.
//
// One generated sample (1500 rows, seed 11, as of 2026-11-01). The subject is
// a temporary worker who was a candidate first (employees.candidate_id, the
// same e-mail in both tables): the walk must find both records and every row
// that belongs to either, and nothing that belongs to someone else.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include "dsar/erasure_plan.h"
#include "dsar/subject_finder.h"
#include "plan/retention_apply.h"
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

struct Sample {
  std::string dir, db, csv;
  sample::GroundTruth truth;
  policy::Policy policy;
  std::string policy_sha;

  Sample() {
    static int counter = 0;
    dir = (fs::temp_directory_path() / ("dpo-dsar-" + std::to_string(getpid()) + "-" + std::to_string(++counter))).string();
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
    policy_sha = util::Sha256Hex(testing::SlurpFile(path));
  }
  ~Sample() { fs::remove_all(dir); }

  std::unique_ptr<source::Source> Open(const std::string& spec, bool read_only) const {
    source::OpenOptions options;
    options.read_only = read_only;
    auto src = source::OpenSource(spec, options);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    (*src)->DeclareRelations(relations::PolicyRelations(policy));
    return std::move(*src);
  }

  dsar::SubjectData Find(source::Source& src, const std::vector<dsar::SubjectSelector>& selectors,
                         bool exhaustive = false) const {
    dsar::FindOptions options;
    options.exhaustive = exhaustive;
    auto found = dsar::FindSubject(policy, src, selectors, options);
    REQUIRE_MESSAGE(found.ok(), found.status().message());
    return std::move(*found);
  }

  plan::RetentionPlan Erasure(source::Source& src, const dsar::SubjectData& data) const {
    dsar::ErasureOptions options;
    options.as_of = *util::ParseIsoDate(kAsOf);
    options.policy_sha256 = policy_sha;
    auto made = dsar::MakeErasurePlan(policy, src, data, options);
    REQUIRE_MESSAGE(made.ok(), made.status().message());
    return std::move(*made);
  }

  plan::ApplyOptions ApplyOptions() const {
    static const util::SecretKey key = std::move(util::SecretKey::FromBytes("0123456789abcdef0123456789abcdef")).value();
    plan::ApplyOptions options;
    options.key = &key;
    options.max_percent = 100;
    options.policy_sha256 = policy_sha;
    options.declared = relations::PolicyRelations(policy);
    options.command = "erase apply";
    return options;
  }
};

// A temporary worker who was a candidate with the same e-mail, with
// placements, payslips and notes: the richest subject of the sample.
struct Person {
  int64_t employee = 0;
  int64_t candidate = 0;
  std::string email;
};

Person PickPerson(const Sample& s) {
  SQLite::Database db(s.db);
  SQLite::Statement q(db,
                      "SELECT e.id, e.candidate_id, e.email FROM employees e JOIN candidates c ON c.id = e.candidate_id "
                      "WHERE lower(c.email) = lower(e.email) "
                      "AND EXISTS (SELECT 1 FROM payslips p WHERE p.employee_id = e.id) "
                      "AND EXISTS (SELECT 1 FROM conversation_notes n WHERE n.candidate_id = c.id) "
                      "AND (SELECT count(*) FROM candidates c2 WHERE lower(c2.email) = lower(e.email)) = 1 "
                      "AND (SELECT count(*) FROM employees e2 WHERE lower(e2.email) = lower(e.email)) = 1 "
                      "AND e.legal_hold = 0 AND c.legal_hold = 0 ORDER BY e.id LIMIT 1");
  REQUIRE(q.executeStep());
  return {q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getString()};
}

int64_t SqlCount(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path);
  return db.execAndGet(sql).getInt64();
}

size_t Rows(const dsar::SubjectData& d, const std::string& table, dsar::RowRole role) {
  const dsar::DatasetRows* rows = d.Find(table, role);
  return rows == nullptr ? 0 : rows->rows.size();
}

std::map<std::string, size_t> Shape(const dsar::SubjectData& d) {
  std::map<std::string, size_t> out;
  for (const dsar::DatasetRows& r : d.datasets) out[std::string(dsar::RowRoleName(r.role)) + ":" + r.table] = r.rows.size();
  return out;
}

// Per table what goes and what is kept, sorted (backends walk in their own order).
std::string Describe(const plan::RetentionPlan& p) {
  std::set<std::string> lines;
  for (const plan::RulePlan& r : p.rules) {
    std::ostringstream o;
    o << r.table << " erase " << r.to_act;
    for (const plan::HoldCount& h : r.holds) o << " | keep " << h.rows << " " << h.name;
    lines.insert(o.str());
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("the walk finds every row of a worker who was a candidate, as independent SQL counts them") {
  Sample s;
  Person p = PickPerson(s);
  auto src = s.Open(s.db, true);
  dsar::SubjectData d = s.Find(*src, {{"email", p.email}});
  std::string e = std::to_string(p.employee), c = std::to_string(p.candidate);

  CHECK(Rows(d, "candidates", dsar::RowRole::kSubject) == 1);
  CHECK(Rows(d, "employees", dsar::RowRole::kSubject) == 1);
  for (const char* t : {"placements", "timesheets", "payslips", "id_documents", "absences"})
    CHECK_MESSAGE(Rows(d, t, dsar::RowRole::kBelongs) ==
                      static_cast<size_t>(SqlCount(s.db, std::string("SELECT count(*) FROM ") + t + " WHERE employee_id = " + e)),
                  t);
  for (const char* t : {"applications", "consents", "conversation_notes", "website_visits"})
    CHECK_MESSAGE(Rows(d, t, dsar::RowRole::kBelongs) ==
                      static_cast<size_t>(SqlCount(s.db, std::string("SELECT count(*) FROM ") + t + " WHERE candidate_id = " + c)),
                  t);
  // Invoices are the client's (subject_key company_id), even where they name
  // the worker's placement; client contacts are other people.
  CHECK(Rows(d, "invoices", dsar::RowRole::kBelongs) == 0);
  CHECK(Rows(d, "client_contacts", dsar::RowRole::kBelongs) == 0);
  // Context rows show only the columns the policy declares not personal.
  for (const dsar::DatasetRows& r : d.datasets) {
    if (r.role != dsar::RowRole::kContext) continue;
    const policy::Dataset* ds = s.policy.FindDataset(r.table);
    REQUIRE(ds != nullptr);
    for (const std::string& col : r.columns) {
      const policy::ColumnMapping* m = ds->FindColumn(col);
      REQUIRE(m != nullptr);
      CHECK_MESSAGE(m->category.empty(), r.table << "." << col);
    }
  }
  // The same subject by BSN, spelled with dots, and narrowed by two keys.
  SQLite::Database db(s.db);
  std::string bsn = db.execAndGet("SELECT bsn FROM employees WHERE id = " + e).getString();
  if (bsn.size() == 9) {
    std::string dotted = bsn.substr(0, 4) + "." + bsn.substr(4, 2) + "." + bsn.substr(6);
    dsar::SubjectData by_bsn = s.Find(*src, {{"bsn", dotted}, {"email", "  " + p.email + " "}});
    CHECK(Rows(by_bsn, "employees", dsar::RowRole::kSubject) == 1);
    CHECK(Rows(by_bsn, "payslips", dsar::RowRole::kBelongs) == Rows(d, "payslips", dsar::RowRole::kBelongs));
  }
}

TEST_CASE("an ambiguous identity is refused with the count, and --all-matches or a narrower key resolves it") {
  Sample s;
  {
    SQLite::Database db(s.db, SQLite::OPEN_READWRITE);
    db.exec("UPDATE candidates SET email = (SELECT email FROM candidates WHERE id = 1) WHERE id = 2");
  }
  auto src = s.Open(s.db, true);
  SQLite::Database db(s.db);
  std::string email = db.execAndGet("SELECT email FROM candidates WHERE id = 1").getString();
  auto found = dsar::FindSubject(s.policy, *src, {{"email", email}}, {});
  REQUIRE_FALSE(found.ok());
  CHECK(found.status().code() == StatusCode::kConflict);
  CHECK(found.status().message().find("2 rows of candidates") != std::string::npos);
  CHECK(found.status().message().find(email) == std::string::npos);  // never the value
  dsar::FindOptions all;
  all.all_matches = true;
  auto both = dsar::FindSubject(s.policy, *src, {{"email", email}}, all);
  REQUIRE(both.ok());
  CHECK(Rows(*both, "candidates", dsar::RowRole::kSubject) == 2);
  dsar::SubjectData one = s.Find(*src, {{"email", email}, {"candidates.id", "2"}});
  CHECK(Rows(one, "candidates", dsar::RowRole::kSubject) == 1);
}

TEST_CASE("a subject with no data is no error, and an unknown key says which keys exist") {
  Sample s;
  auto src = s.Open(s.db, true);
  dsar::SubjectData none = s.Find(*src, {{"email", "nobody@example.invalid"}});
  CHECK(none.datasets.empty());
  auto bad = dsar::FindSubject(s.policy, *src, {{"shoe_size", "42"}}, {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("personnel_number") != std::string::npos);
}

TEST_CASE("an index lookup and a full scan find the same subject") {
  Sample s;
  Person p = PickPerson(s);
  {
    SQLite::Database db(s.db, SQLite::OPEN_READWRITE);
    for (const char* sql : {"CREATE INDEX c_email ON candidates(email)", "CREATE INDEX c_email2 ON candidates(private_email_2)",
                            "CREATE INDEX e_email ON employees(email)", "CREATE INDEX cc_email ON client_contacts(email)",
                            "CREATE INDEX x_email ON export_tmp(email)"})
      db.exec(sql);
  }
  auto src = s.Open(s.db, true);
  dsar::SubjectData indexed = s.Find(*src, {{"email", p.email}});
  dsar::SubjectData scanned = s.Find(*src, {{"email", p.email}}, /*exhaustive=*/true);
  CHECK(Shape(indexed) == Shape(scanned));
  // Tables without the subject are looked at again case-folded before "nothing".
  for (const dsar::SubjectData::Match& m : indexed.matches)
    CHECK_MESSAGE(m.method == (m.rows > 0 ? "index" : "index, then folded"), m.table);
  for (const dsar::SubjectData::Match& m : scanned.matches) CHECK_MESSAGE(m.method == "scan", m.table);
}

TEST_CASE("erasure keeps what the law keeps and deletes the rest, on SQLite, CSV and PostgreSQL alike") {
  Sample s;
  Person p = PickPerson(s);
  std::string e = std::to_string(p.employee), c = std::to_string(p.candidate);

  // SQLite: the reference.
  auto ro = s.Open(s.db, true);
  dsar::SubjectData d = s.Find(*ro, {{"email", p.email}});
  plan::RetentionPlan reference = s.Erasure(*ro, d);
  INFO("sqlite plan:\n" << Describe(reference));
  CHECK(reference.kind == "erasure");
  // Payslips within the 7 years of Art. 52 AWR are kept, with the reason.
  int64_t young_payslips = SqlCount(s.db, "SELECT count(*) FROM payslips WHERE employee_id = " + e +
                                              " AND paid_at >= date('" + kAsOf + "', '-7 years')");
  int64_t kept_payslips = 0;
  for (const plan::RulePlan& r : reference.rules)
    if (r.table == "payslips")
      for (const plan::HoldCount& h : r.holds) kept_payslips += h.rows;
  CHECK(kept_payslips >= young_payslips);
  ro.reset();

  auto rw = s.Open(s.db, false);
  auto applied = plan::ApplyRetentionPlan(reference, *rw, s.ApplyOptions());
  REQUIRE_MESSAGE(applied.ok(), applied.status().message());
  CHECK(applied->total == reference.TotalRows());
  // What is left of the subject is exactly what the plan kept.
  dsar::SubjectData after = s.Find(*rw, {{"email", p.email}});
  int64_t kept = 0, left = 0;
  for (const plan::RulePlan& r : reference.rules)
    for (const plan::HoldCount& h : r.holds) kept += h.rows;
  for (const dsar::DatasetRows& r : after.datasets)
    if (r.role != dsar::RowRole::kContext) left += static_cast<int64_t>(r.rows.size());
  CHECK(left == kept);
  CHECK(SqlCount(s.db, "SELECT count(*) FROM conversation_notes WHERE candidate_id = " + c) == 0);
  CHECK(SqlCount(s.db, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
  // Applying it again is refused as stale, and changes nothing.
  auto again = plan::ApplyRetentionPlan(reference, *rw, s.ApplyOptions());
  CHECK_FALSE(again.ok());
  rw.reset();

  // CSV, a fresh export of the same sample: the same plan, applied.
  Sample t;
  auto csv_ro = t.Open(t.csv, true);
  plan::RetentionPlan csv_plan = t.Erasure(*csv_ro, t.Find(*csv_ro, {{"email", p.email}}));
  CHECK(Describe(csv_plan) == Describe(reference));
  csv_ro.reset();
  auto csv_rw = t.Open(t.csv, false);
  auto csv_applied = plan::ApplyRetentionPlan(csv_plan, *csv_rw, t.ApplyOptions());
  REQUIRE_MESSAGE(csv_applied.ok(), csv_applied.status().message());
  CHECK(csv_applied->total == applied->total);

  // PostgreSQL, loaded from a third copy (the other two are erased now).
  DPO_PG_SERVER_OR_SKIP(pg);
  Sample u;
  std::string uri = testing::LoadSampleIntoPostgres(*pg, "dsar_erase", u.db, u.csv, u.truth, u.policy, u.dir);
  auto pg_ro = t.Open(uri, true);
  dsar::SubjectData pg_data = t.Find(*pg_ro, {{"email", p.email}});
  CHECK(Shape(pg_data) == Shape(d));
  plan::RetentionPlan pg_plan = t.Erasure(*pg_ro, pg_data);
  CHECK(Describe(pg_plan) == Describe(reference));
  pg_ro.reset();
  auto pg_rw = t.Open(uri, false);
  auto pg_applied = plan::ApplyRetentionPlan(pg_plan, *pg_rw, t.ApplyOptions());
  REQUIRE_MESSAGE(pg_applied.ok(), pg_applied.status().message());
  CHECK(pg_applied->total == applied->total);
}

TEST_CASE("the lookup is the same on SQLite, CSV and PostgreSQL") {
  Sample s;
  Person p = PickPerson(s);
  auto lite = s.Open(s.db, true);
  auto csv = s.Open(s.csv, true);
  dsar::SubjectData a = s.Find(*lite, {{"email", p.email}});
  dsar::SubjectData b = s.Find(*csv, {{"email", p.email}});
  CHECK(Shape(a) == Shape(b));
  CHECK(Shape(a).size() >= 8);
}

TEST_CASE("a candidate under a legal hold is kept whole, with the hold named") {
  Sample s;
  Person p = PickPerson(s);
  {
    SQLite::Database db(s.db, SQLite::OPEN_READWRITE);
    db.exec("UPDATE candidates SET legal_hold = 1 WHERE id = " + std::to_string(p.candidate));
  }
  auto src = s.Open(s.db, true);
  plan::RetentionPlan plan = s.Erasure(*src, s.Find(*src, {{"email", p.email}}));
  INFO(Describe(plan));
  for (const plan::RulePlan& r : plan.rules) {
    if (r.table != "candidates" && r.table != "conversation_notes" && r.table != "consents") continue;
    CHECK_MESSAGE(r.to_act == 0, r.table);
    bool named = false;
    for (const plan::HoldCount& h : r.holds) named |= h.name.find("legal hold") != std::string::npos ||
                                                      h.name.find("belongs to a row under a legal hold") != std::string::npos;
    CHECK_MESSAGE(named, r.table);
  }
}

// Regressions found by review (issue 10): with an index on the e-mail column,
// an address stored in another case and with a space was not found at all,
// and the package said "we hold no personal data about you"; a note that is
// nothing but another person's phone number left unredacted.
TEST_CASE("an e-mail stored in another case is found with an index; a note that is only someone's number is redacted") {
  Sample s;
  Person p = PickPerson(s);
  std::string c = std::to_string(p.candidate);
  std::string upper = p.email;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  {
    SQLite::Database db(s.db, SQLite::OPEN_READWRITE);
    db.exec("CREATE INDEX c_email ON candidates(email)");
    db.exec("UPDATE candidates SET email = ' " + upper + "' WHERE id = " + c);
    db.exec("UPDATE conversation_notes SET note = '06-53190840' WHERE id = (SELECT min(id) FROM conversation_notes "
            "WHERE candidate_id = " + c + ")");
  }
  auto src = s.Open(s.db, true);
  dsar::SubjectData d = s.Find(*src, {{"email", p.email}});
  CHECK(Rows(d, "candidates", dsar::RowRole::kSubject) == 1);
  dsar::RedactOtherPeople(s.policy, &d);
  const dsar::DatasetRows* notes = d.Find("conversation_notes", dsar::RowRole::kBelongs);
  REQUIRE(notes != nullptr);
  for (const auto& row : notes->rows)
    for (const auto& cell : row) CHECK(cell.value_or("").find("06-53190840") == std::string::npos);
  // The same on CSV (no index: compared normalised by dpo).
  auto csv = s.Open(s.csv, true);
  CHECK(Rows(s.Find(*csv, {{"email", upper}}), "candidates", dsar::RowRole::kSubject) == 1);
}
