// Issue 9, "After a backup restore": a copy taken before a sweep, replayed
// against the sweep's erasure ledger, ends with exactly the rows of the swept
// database (every table, every column). On SQLite, on the real PostgreSQL
// server and on a CSV export whose relations the policy declares. Replaying
// again changes nothing; a dry run changes nothing and counts the same; a row
// put under a legal hold after the sweep stays; a wrong key finds nothing and
// is refused; a rule gone from the policy is reported, not guessed at.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <sqlite3.h>

#include "plan/audit_log.h"
#include "plan/ledger.h"
#include "plan/ledger_replay.h"
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

util::SecretKey MakeKey(const std::string& bytes) {
  auto key = util::SecretKey::FromBytes(bytes);
  REQUIRE(key.ok());
  return std::move(key).value();
}

// The generated sample and the staffing policy, in a directory of its own.
struct Sample {
  std::string dir;
  std::string db;
  std::string csv;
  sample::GroundTruth truth;
  policy::Policy policy;
  std::string policy_sha;
  util::SecretKey key = MakeKey("0123456789abcdef0123456789abcdef");

  Sample() {
    static int counter = 0;
    dir = (fs::temp_directory_path() / ("dpo-replay-" + std::to_string(getpid()) + "-" + std::to_string(++counter)))
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
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    policy_sha = util::Sha256Hex(bytes.str());
  }
  ~Sample() { fs::remove_all(dir); }

  std::string Ledger() const { return dir + "/ledger.db"; }
};

std::unique_ptr<source::Source> Open(const std::string& spec, bool read_only) {
  source::OpenOptions options;
  options.read_only = read_only;
  auto src = source::OpenSource(spec, options);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  return std::move(*src);
}

// Every row of every table, as text, sorted: what "the same rows" means.
using Content = std::map<std::string, std::vector<std::string>>;

Content ReadContent(source::Source& src) {
  Content out;
  auto names = src.ListTables();
  REQUIRE_MESSAGE(names.ok(), names.status().message());
  for (const std::string& name : *names) {
    auto reader = src.Read(name, {});
    REQUIRE_MESSAGE(reader.ok(), reader.status().message());
    std::vector<std::string>& rows = out[name];
    source::RowBatch batch;
    for (;;) {
      auto more = (*reader)->Next(&batch);
      REQUIRE_MESSAGE(more.ok(), more.status().message());
      if (!*more) break;
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        std::string row;
        for (size_t c = 0; c < batch.num_columns(); ++c) {
          row += c > 0 ? "\x1f" : "";
          row += batch.IsNull(r, c) ? std::string("\\N") : std::string(batch.Cell(r, c));
        }
        rows.push_back(std::move(row));
      }
    }
    std::sort(rows.begin(), rows.end());
  }
  return out;
}

Content ReadContent(const std::string& spec) {
  auto src = Open(spec, true);
  return ReadContent(*src);
}

// Table by table: the same rows. Says which table differs and how much,
// never the values.
void CheckSameContent(const Content& expected, const Content& actual) {
  REQUIRE(actual.size() == expected.size());
  for (const auto& table_rows : expected) {  // (named: clang 14 cannot capture structured bindings)
    const auto& table = std::get<0>(table_rows);
    const auto& rows = std::get<1>(table_rows);
    CAPTURE(table);
    auto it = actual.find(table);
    REQUIRE(it != actual.end());
    CHECK(it->second.size() == rows.size());
    std::vector<std::string> missing, extra;
    std::set_difference(rows.begin(), rows.end(), it->second.begin(), it->second.end(), std::back_inserter(missing));
    std::set_difference(it->second.begin(), it->second.end(), rows.begin(), rows.end(), std::back_inserter(extra));
    CHECK_MESSAGE(missing.empty(), missing.size() << " row(s) of the expected content are not there");
    CHECK_MESSAGE(extra.empty(), extra.size() << " row(s) are there that should not be");
  }
}

// Plans and applies the staffing policy on `spec`, with a ledger and an
// audit log: the sweep.
plan::ApplyReport Sweep(const Sample& s, const std::string& spec, const std::string& audit) {
  plan::RetentionPlan made;
  {
    auto src = Open(spec, true);
    plan::PlanOptions options;
    options.as_of = *util::ParseIsoDate(kAsOf);
    options.policy_sha256 = s.policy_sha;
    auto planned = plan::MakeRetentionPlan(s.policy, *src, options);
    REQUIRE_MESSAGE(planned.ok(), planned.status().message());
    made = *planned;
  }
  auto src = Open(spec, false);
  plan::ApplyOptions options;
  options.max_percent = 100;
  options.policy_sha256 = s.policy_sha;
  options.declared = relations::PolicyRelations(s.policy);
  options.key = &s.key;
  options.ledger_path = s.Ledger();
  options.audit_log = audit;
  auto applied = plan::ApplyRetentionPlan(made, *src, options);
  REQUIRE_MESSAGE(applied.ok(), applied.status().message());
  REQUIRE(applied->ledger_entries > 0);
  return *applied;
}

plan::ReplayOptions Options(const Sample& s) {
  plan::ReplayOptions options;
  options.as_of = *util::ParseIsoDate(kAsOf);
  options.policy_sha256 = s.policy_sha;
  options.max_percent = 100;
  return options;
}

Result<plan::ReplayReport> Replay(const Sample& s, const std::string& spec, const plan::ReplayOptions& options,
                                  const util::SecretKey* key = nullptr, const policy::Policy* policy = nullptr) {
  auto ledger = plan::Ledger::Open(s.Ledger(), false);
  REQUIRE_MESSAGE(ledger.ok(), ledger.status().message());
  auto src = Open(spec, false);
  return plan::ReplayLedger(policy ? *policy : s.policy, *src, *ledger, key ? *key : s.key, options);
}

const plan::ReplayTable* TableOf(const plan::ReplayReport& r, const std::string& name) {
  for (const plan::ReplayTable& t : r.tables)
    if (t.table == name) return &t;
  return nullptr;
}

std::string Describe(const plan::ReplayReport& r) {
  std::ostringstream o;
  o << (r.dry_run ? "dry run" : "replay") << ", total " << r.total << ":";
  for (const plan::ReplayTable& t : r.tables)
    o << "\n  " << t.table << ": tombstones " << t.tombstones << ", found " << t.found << ", deleted " << t.deleted
      << ", anonymised " << t.anonymised << ", restricted " << t.restricted << ", unlinked " << t.unlinked << ", held "
      << t.held << ", kept_for_children " << t.kept_for_children << ", already " << t.already << ", blocked "
      << t.blocked << ", skipped " << t.skipped;
  for (const std::string& b : r.blocked) o << "\n  BLOCKED " << b;
  for (const std::string& b : r.skipped) o << "\n  SKIPPED " << b;
  return o.str();
}

// Counts that say what happened, without the dry-run flag.
std::vector<int64_t> Counts(const plan::ReplayReport& r) {
  std::vector<int64_t> out = {r.total};
  for (const plan::ReplayTable& t : r.tables)
    out.insert(out.end(), {t.tombstones, t.found, t.deleted, t.anonymised, t.restricted, t.unlinked, t.held,
                           t.kept_for_children, t.already, t.blocked, t.skipped});
  for (const plan::ReplayStep& st : r.steps) out.push_back(st.rows);
  return out;
}

// Copy, sweep the original, replay the copy: the same rows. Then: again
// (nothing), and a dry run on a second copy (same counts, nothing changed).
// `copy` makes a copy of the source before the sweep and returns its spec.
void CheckReplayEqualsSweep(const Sample& s, const std::string& swept, const std::vector<std::string>& copies) {
  REQUIRE(copies.size() == 2);
  const Content before = ReadContent(copies[1]);
  plan::ApplyReport sweep = Sweep(s, swept, s.dir + "/audit.log");
  const Content after_sweep = ReadContent(swept);
  CHECK(after_sweep != before);

  // Dry run first, on the second copy: nothing changes.
  plan::ReplayOptions dry = Options(s);
  dry.dry_run = true;
  auto dry_report = Replay(s, copies[1], dry);
  REQUIRE_MESSAGE(dry_report.ok(), dry_report.status().message());
  CHECK(dry_report->dry_run);
  CheckSameContent(before, ReadContent(copies[1]));

  plan::ReplayOptions real = Options(s);
  real.audit_log = s.dir + "/replay-audit.log";
  auto report = Replay(s, copies[0], real);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  const std::string dump = Describe(*report);
  INFO(dump);
  CHECK_FALSE(report->incomplete());
  CHECK(report->other_key_tombstones == 0);
  CHECK(report->unknown_table_tombstones == 0);
  CHECK(report->total > 0);
  CHECK(Counts(*dry_report) == Counts(*report));
  // Every tombstone found its row (the copy is from before the sweep), and
  // the replay deleted the rows the sweep deleted, table by table. (Totals
  // differ: the sweep restricted rows it then deleted, and unlinked rows it
  // then deleted; replay only deletes them.)
  int64_t tombstones = 0;
  std::map<std::string, int64_t> sweep_deleted;
  for (const plan::AppliedStep& st : sweep.steps)
    if (st.action == "delete") sweep_deleted[st.table] += st.rows;
  for (const plan::ReplayTable& t : report->tables) {
    CAPTURE(t.table);
    CHECK(t.not_found == 0);
    CHECK(t.found <= t.tombstones);
    CHECK(t.held == 0);
    CHECK(t.deleted == sweep_deleted[t.table]);
    tombstones += t.tombstones;
  }
  CHECK(tombstones == sweep.ledger_entries);
  CheckSameContent(after_sweep, ReadContent(copies[0]));

  // The audit log: valid, the intent, an entry per step and one for the
  // whole replay; no apply left unfinished.
  auto verified = plan::VerifyAuditLog(real.audit_log);
  REQUIRE(verified.ok());
  CHECK(verified->ok);
  CHECK(verified->entries == static_cast<int64_t>(report->steps.size()) + 2);
  CHECK(verified->unfinished.empty());
  CHECK(report->audit_entries == verified->entries);

  // Again: nothing left to do, nothing changes.
  auto again = Replay(s, copies[0], Options(s));
  REQUIRE_MESSAGE(again.ok(), again.status().message());
  const std::string again_dump = Describe(*again);
  INFO(again_dump);
  CHECK(again->total == 0);
  for (const plan::ReplayTable& t : again->tables) {
    CAPTURE(t.table);
    CHECK(t.deleted == 0);
    CHECK(t.found == t.already);  // the anonymised and restricted rows, already so
  }
  CheckSameContent(after_sweep, ReadContent(copies[0]));
}

std::string CopySqlite(const Sample& s, const std::string& name) {
  std::string path = s.dir + "/" + name;
  fs::copy_file(s.db, path);
  return path;
}

std::string CopyCsv(const Sample& s, const std::string& name) {
  std::string path = s.dir + "/" + name;
  fs::copy(s.csv, path, fs::copy_options::recursive);
  return path;
}

}  // namespace

TEST_CASE("ledger replay on SQLite: a copy from before the sweep ends with the swept rows; again: nothing") {
  Sample s;
  std::vector<std::string> copies = {CopySqlite(s, "copy.db"), CopySqlite(s, "dry.db")};
  CheckReplayEqualsSweep(s, s.db, copies);
}

TEST_CASE("ledger replay on a CSV export (relations from the policy): the swept rows") {
  Sample s;
  std::vector<std::string> copies = {CopyCsv(s, "copy-csv"), CopyCsv(s, "dry-csv")};
  CheckReplayEqualsSweep(s, s.csv, copies);
}

TEST_CASE("ledger replay on postgres: the swept rows") {
  DPO_PG_SERVER_OR_SKIP(pg);
  Sample s;
  std::string swept = testing::LoadSampleIntoPostgres(*pg, "dpo_replay_swept", s.db, s.csv, s.truth, s.policy, s.dir);
  std::string copy = testing::LoadSampleIntoPostgres(*pg, "dpo_replay_copy", s.db, s.csv, s.truth, s.policy, s.dir);
  std::string dry = testing::LoadSampleIntoPostgres(*pg, "dpo_replay_dry", s.db, s.csv, s.truth, s.policy, s.dir);
  CheckReplayEqualsSweep(s, swept, {copy, dry});
}

TEST_CASE("ledger replay: slices of tombstones and small chunks give the same rows") {
  Sample s;
  std::string copy = CopySqlite(s, "copy.db");
  Sweep(s, s.db, "");
  plan::ReplayOptions options = Options(s);
  options.max_tombstones_in_memory = 7;
  options.chunk_rows = 3;
  auto report = Replay(s, copy, options);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  CHECK_FALSE(report->incomplete());
  CheckSameContent(ReadContent(s.db), ReadContent(copy));
}

TEST_CASE("ledger replay: a row under a legal hold now is left and counted as held") {
  Sample s;
  std::string copy = CopySqlite(s, "copy.db");
  const Content before = ReadContent(copy);
  Sweep(s, s.db, "");
  // A candidate the sweep deleted, put under a hold in the copy (a dispute
  // that started after the sweep, before the restore).
  auto ids = [](const Content& c) {
    std::set<std::string> out;
    for (const std::string& row : c.at("candidates")) out.insert(row.substr(0, row.find('\x1f')));
    return out;
  };
  std::set<std::string> kept = ids(ReadContent(s.db)), all = ids(before);
  std::string erased;
  for (const std::string& id : all)
    if (!kept.count(id)) erased = id;
  REQUIRE_FALSE(erased.empty());
  {
    auto src = Open(copy, false);
    auto held = source::ApplyAll(*src,
                                 {source::WriteOp{source::WriteOp::Kind::kUpdate, "candidates",
                                                  source::Predicate::Compare(source::Predicate::Op::kEq, "id", erased),
                                                  {{"legal_hold", "1"}},
                                                  {}}},
                                 {});
    REQUIRE_MESSAGE(held.ok(), held.status().message());
    REQUIRE(held->rows_affected[0] == 1);
  }
  auto report = Replay(s, copy, Options(s));
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  const std::string dump = Describe(*report);
  INFO(dump);
  const plan::ReplayTable* candidates = TableOf(*report, "candidates");
  REQUIRE(candidates != nullptr);
  CHECK(candidates->held == 1);
  CHECK(candidates->not_found == 0);
  auto src = Open(copy, true);
  auto n = src->Count("candidates", source::Predicate::Compare(source::Predicate::Op::kEq, "id", erased));
  REQUIRE(n.ok());
  CHECK(*n == 1);
  // Its applications and notes belong to it: held with it, not deleted.
  auto children = src->Count("applications", source::Predicate::Compare(source::Predicate::Op::kEq, "candidate_id", erased));
  auto before_children = 0;
  for (const std::string& row : before.at("applications")) {
    size_t a = row.find('\x1f'), b = row.find('\x1f', a + 1);
    if (row.substr(a + 1, b - a - 1) == erased) ++before_children;
  }
  REQUIRE(children.ok());
  CHECK(*children == before_children);
  // Every other table is as swept, candidates but for the held one.
  Content swept = ReadContent(s.db), replayed = ReadContent(*src);
  for (const auto& table_rows : swept) {  // (named: clang 14 cannot capture structured bindings)
    const auto& table = std::get<0>(table_rows);
    const auto& rows = std::get<1>(table_rows);
    if (table == "candidates" || table == "applications" || table == "consents" || table == "conversation_notes" ||
        table == "employees" || table == "website_visits")
      continue;
    CAPTURE(table);
    CHECK(replayed.at(table) == rows);
  }
  CHECK(replayed.at("candidates").size() == swept.at("candidates").size() + 1);
}

TEST_CASE("ledger replay with a wrong key: refused, nothing found, nothing changed") {
  Sample s;
  std::string copy = CopySqlite(s, "copy.db");
  const Content before = ReadContent(copy);
  Sweep(s, s.db, "");
  util::SecretKey wrong = MakeKey("fedcba9876543210fedcba9876543210");
  auto report = Replay(s, copy, Options(s), &wrong);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == StatusCode::kInvalidArgument);
  CHECK(report.status().message().find("none of the ledger's") != std::string::npos);
  CHECK(report.status().message().find(wrong.Id()) != std::string::npos);
  CheckSameContent(before, ReadContent(copy));
}

TEST_CASE("ledger replay: a rule gone from the policy is reported and its rows are left") {
  Sample s;
  std::string copy = CopySqlite(s, "copy.db");
  Sweep(s, s.db, "");
  policy::Policy changed = s.policy;
  changed.retention.erase(std::remove_if(changed.retention.begin(), changed.retention.end(),
                                         [](const policy::RetentionRule& r) { return r.id == "absence_records"; }),
                          changed.retention.end());
  auto report = Replay(s, copy, Options(s), nullptr, &changed);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  const std::string dump = Describe(*report);
  INFO(dump);
  CHECK(report->incomplete());
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].find("absence_records") != std::string::npos);
  CHECK(report->skipped[0].find("not in the policy") != std::string::npos);
  const plan::ReplayTable* absences = TableOf(*report, "absences");
  REQUIRE(absences != nullptr);
  CHECK(absences->skipped == absences->found);
  CHECK(absences->anonymised == 0);
  // Everything else is as swept.
  Content swept = ReadContent(s.db), replayed = ReadContent(copy);
  for (const auto& table_rows : swept) {  // (named: clang 14 cannot capture structured bindings)
    const auto& table = table_rows.first;
    if (table != "absences") CHECK_MESSAGE(replayed.at(table) == table_rows.second, table);
  }
}

TEST_CASE("ledger replay: limits refuse a replay that changes too much; nothing changes") {
  Sample s;
  std::string copy = CopySqlite(s, "copy.db");
  const Content before = ReadContent(copy);
  Sweep(s, s.db, "");
  plan::ReplayOptions options = Options(s);
  options.max_rows = 5;
  auto report = Replay(s, copy, options);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().message().find("--max-rows") != std::string::npos);
  options = Options(s);
  options.max_percent = 1;
  report = Replay(s, copy, options);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().message().find("--max-percent") != std::string::npos);
  CheckSameContent(before, ReadContent(copy));
}

TEST_CASE("ledger: tombstones loaded per table in slices, found by digest") {
  std::string dir = (fs::temp_directory_path() / ("dpo-replay-ledger-" + std::to_string(getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  util::SecretKey key = MakeKey("0123456789abcdef0123456789abcdef");
  util::SecretKey other = MakeKey("fedcba9876543210fedcba9876543210");
  {
    auto ledger = plan::Ledger::Open(dir + "/l.db", true);
    REQUIRE(ledger.ok());
    REQUIRE(ledger->Begin().ok());
    for (int i = 0; i < 500; ++i) {
      REQUIRE(ledger->Record(key, "t", {std::to_string(i)}, "r1", "delete").ok());
      if (i % 5 == 0) REQUIRE(ledger->Record(key, "t", {std::to_string(i)}, "r2", "anonymise").ok());
    }
    REQUIRE(ledger->Record(key, "u", {"1"}, "r3", "restrict").ok());
    REQUIRE(ledger->Record(other, "t", {"1"}, "r1", "delete").ok());
    REQUIRE(ledger->Commit().ok());
  }
  auto ledger = plan::Ledger::Open(dir + "/l.db", false);
  REQUIRE(ledger.ok());
  CHECK(*ledger->CountInTable(key, "t") == 600);
  CHECK(*ledger->CountInTable(key, "u") == 1);
  CHECK(*ledger->CountInTable(key, "v") == 0);
  CHECK(*ledger->CountInTable(other, "t") == 1);
  CHECK(*ledger->CountTables() == 3);
  auto by_key = ledger->CountByKeyId();
  REQUIRE(by_key.ok());
  REQUIRE(by_key->size() == 2);
  CHECK((*by_key)[0] == std::make_pair(key.Id(), int64_t{601}));

  for (size_t run = 0; run < 10; ++run) {
    const size_t max = std::vector<size_t>{0, 1, 7, 100, 600}[run % 5];
    const bool whole_ledger = run >= 5;  // both ways to a table's tombstones
    CAPTURE(max);
    CAPTURE(whole_ledger);
    plan::KeyHasher hasher(key, "t");
    std::set<std::string> seen;
    size_t entries = 0, slices = 0;
    std::optional<util::Digest> after;
    for (;;) {
      auto slice = ledger->LoadTable(key, "t", max, after ? &*after : nullptr, whole_ledger);
      REQUIRE(slice.ok());
      if (slice->size() == 0) break;
      ++slices;
      entries += slice->size();
      for (int i = 0; i < 500; ++i) {
        auto [first, last] = slice->Find(hasher.Of({std::to_string(i)}));
        if (first == last) continue;
        CHECK(seen.insert(std::to_string(i)).second);  // in one slice only
        CHECK(last - first == (i % 5 == 0 ? 2 : 1));
        CHECK(std::string(plan::kLedgerActions[first->action]) == "delete");  // delete first
        CHECK(slice->rules()[first->rule] == "r1");
        CHECK(slice->dates()[first->date].size() == 20);
      }
      auto [none, none_end] = slice->Find(hasher.Of({"500"}));
      CHECK(none == none_end);
      if (!slice->more()) break;
      after = slice->entries().back().key;
    }
    CHECK(entries == 600);
    CHECK(seen.size() == 500);
    if (max == 0 || max >= 600) CHECK(slices == 1);
    if (max == 7) CHECK(slices >= 500 / 7);
  }
  // The hasher is the ledger's KeyHmac.
  plan::KeyHasher hasher(key, "t");
  util::Digest d = hasher.Of({"42", std::nullopt});
  CHECK(util::ToHex(d.data(), d.size()) == plan::KeyHmac(key, "t", {"42", std::nullopt}));

  auto stats = ledger->Stats();
  REQUIRE(stats.ok());
  int64_t total = 0;
  for (const plan::LedgerStat& st : *stats) {
    total += st.tombstones;
    CHECK(st.day.size() == 10);
  }
  CHECK(total == 602);
  fs::remove_all(dir);
}

namespace {

// A log table whose expired rows come in runs (old rows, in id order) and
// alone: replay deletes runs as ranges of the integer key on SQLite. A row
// inside a range that is not in the ledger, or is held, must stay.
const char* kEventsPolicy = R"(version: 1
controller:
  name: Bench B.V.
  contact: privacy@bench.example
data_subjects:
  visitor: { description: Visitors }
categories:
  technical: { description: IP addresses, detectors: [ipv4] }
purposes:
  analytics:
    description: Statistics
    legal_basis: legitimate_interests
    interest: Knowing which pages are read
    data_subjects: [visitor]
    categories: [technical]
datasets:
  events:
    data_subject: visitor
    subject_key: id
    purposes: [analytics]
    columns:
      id: none
      at: none
      ip: technical
      hold: none
  tagged:
    data_subject: visitor
    subject_key: code
    purposes: [analytics]
    columns:
      code: none
      at: none
      ip: technical
retention:
  events:
    dataset: events
    keep: 1y after at
    action: delete
    legal_holds:
      - name: dispute
        reason: a dispute
        when: [ { column: hold, equals: 1 } ]
    basis: AVG art. 5(1)(e)
  tagged:
    dataset: tagged
    keep: 1y after at
    action: delete
    basis: AVG art. 5(1)(e)
)";

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("ledger replay on SQLite: runs of an integer key are deleted as ranges, nothing around them") {
  Sample s;  // for its directory and key
  auto loaded = policy::LoadPolicyString(kEventsPolicy, "events.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  const policy::Policy& events_policy = loaded->policy;
  std::string db = s.dir + "/events.db";
  {
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
    Exec(handle, "CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, ip TEXT, hold INTEGER NOT NULL DEFAULT 0);"
                 "CREATE TABLE tagged (code TEXT PRIMARY KEY, at TEXT NOT NULL, ip TEXT) WITHOUT ROWID;");
    // Old: 100-400 (a run), 600-605 (short), every third id of 800-900,
    // 2000 (the last row); the rest is recent. Ids have gaps.
    std::string sql = "BEGIN;";
    for (int id = 1; id <= 2000; ++id) {
      if (id % 37 == 0) continue;  // gaps in the ids
      bool old = (id >= 100 && id <= 400) || (id >= 600 && id <= 605) || (id >= 800 && id <= 900 && id % 3 == 0) ||
                 id == 2000;
      sql += "INSERT INTO events VALUES (" + std::to_string(id) + ", '" + (old ? "2020-01-01" : "2026-10-01") +
             "', '10.0.0." + std::to_string(id % 250) + "', 0);";
      sql += "INSERT INTO tagged VALUES ('k" + std::to_string(id) + "', '" + (old ? "2020-01-01" : "2026-10-01") +
             "', '10.0.0.1');";
    }
    Exec(handle, sql + "COMMIT;");
    sqlite3_close(handle);
  }
  std::string copy = s.dir + "/events-copy.db";
  fs::copy_file(db, copy);
  // The sweep.
  {
    auto src = Open(db, true);
    plan::PlanOptions options;
    options.as_of = *util::ParseIsoDate(kAsOf);
    auto planned = plan::MakeRetentionPlan(events_policy, *src, options);
    REQUIRE_MESSAGE(planned.ok(), planned.status().message());
    src = Open(db, false);
    plan::ApplyOptions apply;
    apply.max_percent = 100;
    apply.key = &s.key;
    apply.ledger_path = s.Ledger();
    auto applied = plan::ApplyRetentionPlan(*planned, *src, apply);
    REQUIRE_MESSAGE(applied.ok(), applied.status().message());
    REQUIRE(applied->total > 300);
  }
  // In the restored copy: a row inside the long run is put under a hold,
  // and a row the ledger does not name is written into a gap of the run
  // (id 296): replay must leave both.
  {
    auto src = Open(copy, false);
    auto changed = source::ApplyAll(
        *src,
        {source::WriteOp{source::WriteOp::Kind::kUpdate, "events",
                         source::Predicate::Compare(source::Predicate::Op::kEq, "id", "250"), {{"hold", "1"}}, {}}},
        {});
    REQUIRE_MESSAGE(changed.ok(), changed.status().message());
  }
  {
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(copy.c_str(), &handle) == SQLITE_OK);
    Exec(handle, "INSERT INTO events VALUES (296, '2026-10-30', '10.0.0.9', 0)");  // 296 = 8 x 37: a gap of the run
    sqlite3_close(handle);
  }
  for (size_t chunk : {size_t{0}, size_t{7}}) {
    CAPTURE(chunk);
    std::string replayed = s.dir + "/events-replayed-" + std::to_string(chunk) + ".db";
    fs::copy_file(copy, replayed);
    auto ledger = plan::Ledger::Open(s.Ledger(), false);
    REQUIRE(ledger.ok());
    auto src = Open(replayed, false);
    plan::ReplayOptions options = Options(s);
    options.chunk_rows = chunk;
    auto report = plan::ReplayLedger(events_policy, *src, *ledger, s.key, options);
    REQUIRE_MESSAGE(report.ok(), report.status().message());
    const std::string dump = Describe(*report);
    INFO(dump);
    const plan::ReplayTable* events = TableOf(*report, "events");
    REQUIRE(events != nullptr);
    CHECK(events->held == 1);
    CHECK(events->not_found == 0);
    // As swept, plus the held row and the row made by hand.
    Content swept = ReadContent(db), now = ReadContent(*src);
    CHECK(now.at("tagged") == swept.at("tagged"));
    std::vector<std::string> expected = swept.at("events");
    const Content restored = ReadContent(copy);
    for (const std::string& row : restored.at("events"))
      if (row.rfind("250\x1f", 0) == 0 || row.rfind("296\x1f", 0) == 0) expected.push_back(row);
    std::sort(expected.begin(), expected.end());
    CHECK(now.at("events").size() == expected.size());
    std::vector<std::string> missing, extra;
    std::set_difference(expected.begin(), expected.end(), now.at("events").begin(), now.at("events").end(),
                        std::back_inserter(missing));
    std::set_difference(now.at("events").begin(), now.at("events").end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    CHECK_MESSAGE(missing.empty(), "missing: " << (missing.empty() ? "" : missing[0].substr(0, missing[0].find('\x1f'))));
    CHECK_MESSAGE(extra.empty(), "extra: " << (extra.empty() ? "" : extra[0].substr(0, extra[0].find('\x1f'))));
  }
}
