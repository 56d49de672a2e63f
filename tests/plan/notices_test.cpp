// Renewal notices (plan/notices.h) on a generated sample: the rows listed for
// a window are those an independent SQL query on the same file finds, held
// and undated rows are never listed, rows already past the period are
// counted and not listed, and SQLite, the CSV export and PostgreSQL agree.
//
// The staffing policy's rule candidate_profile_renewal restricts active
// candidates 1 year after last_active_at unless a legal hold (legal_hold = 1)
// keeps them; notify_before is 30d. As of 2026-11-01, a window W lists the
// active, unheld candidates with 2025-11-01 <= last_active_at < (2026-11-01 +
// W) - 1 year; the cutoffs below are written out by hand, not computed by dpo.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

#include "plan/ledger.h"
#include "plan/notices.h"
#include "plan/retention_predicate.h"
#include "policy/loader.h"
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
constexpr const char* kRule = "candidate_profile_renewal";

struct Sample {
  std::string dir;
  std::string db;
  std::string csv;
  sample::GroundTruth truth;
  policy::Policy policy;

  Sample() {
    static int counter = 0;
    dir = (fs::temp_directory_path() / ("dpo-notices-" + std::to_string(getpid()) + "-" + std::to_string(++counter)))
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
    auto loaded = policy::LoadPolicyFile(std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml");
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    policy = loaded->policy;
  }
  ~Sample() { fs::remove_all(dir); }

  std::unique_ptr<source::Source> OpenSqlite() const {
    auto src = source::OpenSqliteSource(db, source::OpenOptions{});
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    return std::move(*src);
  }
  std::unique_ptr<source::Source> OpenCsv() const {
    auto src = source::OpenCsvSource(csv, source::OpenOptions{});
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    return std::move(*src);
  }
};

// What the sink received, by rule and key.
struct Collected : plan::NoticeSink {
  std::vector<plan::NoticeRule> rules;
  bool begun = false;
  std::map<std::string, plan::Notice> by_key;  // candidates' id -> notice (one rule on candidates)
  std::vector<std::string> order;
  Status Begin(const std::vector<plan::NoticeRule>& r) override {
    CHECK_FALSE(begun);
    begun = true;
    rules = r;
    return Status::Ok();
  }
  Status Add(size_t rule, const plan::Notice& notice) override {
    REQUIRE(begun);
    REQUIRE(rule < rules.size());
    REQUIRE(notice.subject_key.has_value());
    CHECK(notice.contact.size() == rules[rule].notify_columns.size());
    CHECK(by_key.emplace(*notice.subject_key, notice).second);  // each row once
    order.push_back(*notice.subject_key);
    return Status::Ok();
  }
  std::set<std::string> Keys() const {
    std::set<std::string> keys;
    for (const auto& [k, n] : by_key) keys.insert(k);
    return keys;
  }
};

plan::NoticesResult List(const policy::Policy& policy, source::Source& src, const char* within, Collected* sink,
                         const util::SecretKey* key = nullptr) {
  plan::NoticesOptions options;
  options.as_of = *util::ParseIsoDate(kAsOf);
  if (within != nullptr) options.within = *util::ParseDuration(within);
  options.key = key;
  options.batch_rows = 7;  // several batches on a small sample
  auto listed = plan::ListNotices(policy, src, options, *sink);
  REQUIRE_MESSAGE(listed.ok(), listed.status().message());
  return *listed;
}

Status ListError(const policy::Policy& policy, source::Source& src, const plan::NoticesOptions& options) {
  Collected sink;
  auto listed = plan::ListNotices(policy, src, options, sink);
  REQUIRE_FALSE(listed.ok());
  CHECK_FALSE(sink.begun);  // refused before anything was handed over
  return listed.status();
}

// Rows of the query's first column, and the second when there is one.
std::map<std::string, std::string> Query(const std::string& db, const std::string& sql) {
  sqlite3* conn = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(conn, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK, sqlite3_errmsg(conn));
  std::map<std::string, std::string> out;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string k = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    const unsigned char* v = sqlite3_column_count(stmt) > 1 ? sqlite3_column_text(stmt, 1) : nullptr;
    out[k] = v != nullptr ? reinterpret_cast<const char*>(v) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(conn);
  return out;
}

void Exec(const std::string& db, const std::string& sql) {
  sqlite3* conn = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &conn) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(conn);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

// The truth: active, not held, dated in [2025-11-01, later_cutoff), with the
// day each expires by SQLite's own date arithmetic (no 29 February in range).
std::map<std::string, std::string> Due(const std::string& db, const std::string& later_cutoff) {
  return Query(db,
               "SELECT id, date(last_active_at, '+1 year', '+1 day') FROM candidates WHERE status = 'active' "
               "AND legal_hold <> 1 AND last_active_at <> '' AND last_active_at >= '2025-11-01' "
               "AND last_active_at < '" + later_cutoff + "'");
}

std::set<std::string> KeysOf(const std::map<std::string, std::string>& m) {
  std::set<std::string> keys;
  for (const auto& [k, v] : m) keys.insert(k);
  return keys;
}

}  // namespace

TEST_CASE("notices: the rows listed for a window are an independent SQL query's, with the day each expires") {
  Sample s;
  auto src = s.OpenSqlite();
  struct Window {
    const char* within;
    const char* later_cutoff;  // (2026-11-01 + within) - 1 year
    const char* until;
  };
  for (Window w : {Window{nullptr, "2025-12-01", "2026-12-01"}, Window{"90d", "2026-01-30", "2027-01-30"},
                   Window{"1y", "2026-11-01", "2027-11-01"}}) {
    CAPTURE(w.until);
    Collected sink;
    plan::NoticesResult result = List(s.policy, *src, w.within, &sink);
    REQUIRE(result.rules.size() == 1);  // the only rule with notify_before
    const plan::NoticeRule& r = result.rules[0];
    CHECK(r.rule == kRule);
    CHECK(r.table == "candidates");
    CHECK(r.subject_key == "id");
    CHECK(r.notify_columns == std::vector<std::string>{"first_name", "tussenvoegsel", "last_name", "email"});
    CHECK(r.until == w.until);
    CHECK(r.window == (w.within != nullptr ? std::string(w.within) : "30d"));
    CHECK(r.keys_hmac.empty());  // no key given

    std::map<std::string, std::string> due = Due(s.db, w.later_cutoff);
    CHECK(due.size() > 3);  // the window holds rows, or the comparison proves nothing
    CHECK(sink.Keys() == KeysOf(due));
    CHECK(r.rows == static_cast<int64_t>(due.size()));
    for (const auto& key_notice : sink.by_key) {  // (named: clang 14 cannot capture structured bindings)
      const auto& key = std::get<0>(key_notice);
      const auto& notice = std::get<1>(key_notice);
      CAPTURE(key);
      REQUIRE(notice.expires_on.has_value());
      CHECK(notice.expires_on->ToIso() == due[key]);
      CHECK(notice.expires_on->ToIso() > std::string(kAsOf));
      CHECK(notice.expires_on->ToIso() <= std::string(w.until));
    }

    // Already past the period: the sweep's rows, counted and never listed.
    std::map<std::string, std::string> past = Query(
        s.db, "SELECT id FROM candidates WHERE status = 'active' AND legal_hold <> 1 AND last_active_at <> '' AND "
              "last_active_at < '2025-11-01'");
    CHECK(past.size() > 0);
    CHECK(r.already_expired == static_cast<int64_t>(past.size()));
    for (const auto& [key, unused] : past) CHECK(sink.by_key.count(key) == 0);
  }

  // The contact values are the row's own, column by column.
  Collected sink;
  List(s.policy, *src, "1y", &sink);
  std::map<std::string, std::string> emails = Query(s.db, "SELECT id, email FROM candidates");
  std::map<std::string, std::string> tussen = Query(s.db, "SELECT id, tussenvoegsel FROM candidates");
  for (const auto& key_notice : sink.by_key) {  // (named: clang 14 cannot capture structured bindings)
    const auto& key = std::get<0>(key_notice);
    const auto& notice = std::get<1>(key_notice);
    CHECK(notice.contact[3] == emails[key]);
    CHECK(notice.contact[1].value_or("") == tussen[key]);
  }
}

TEST_CASE("notices: held rows and undated rows are never listed; a row once held is listed again") {
  Sample s;
  Collected before;
  {
    auto src = s.OpenSqlite();
    List(s.policy, *src, "1y", &before);
  }
  // The window has held rows, which the listing left out.
  std::map<std::string, std::string> held = Query(
      s.db, "SELECT id FROM candidates WHERE status = 'active' AND legal_hold = 1 AND last_active_at >= '2025-11-01' "
            "AND last_active_at < '2026-11-01'");
  REQUIRE(held.size() > 0);
  for (const auto& [key, unused] : held) CHECK(before.by_key.count(key) == 0);

  REQUIRE(before.order.size() > 4);
  const std::string a = before.order[0], b = before.order[1], c = before.order[2];
  const std::string released = held.begin()->first;
  // last_active_at is NOT NULL in the sample: '' is its undated row.
  Exec(s.db, "UPDATE candidates SET legal_hold = 1 WHERE id = " + a + "; UPDATE candidates SET last_active_at = '' "
             "WHERE id = " + b + "; UPDATE candidates SET legal_hold = 0 WHERE id = " + released);
  Collected after;
  auto src = s.OpenSqlite();
  plan::NoticesResult result = List(s.policy, *src, "1y", &after);
  CHECK(after.by_key.count(a) == 0);        // now held
  CHECK(after.by_key.count(b) == 0);        // now undated
  CHECK(after.by_key.count(c) == 1);        // untouched
  CHECK(after.by_key.count(released) == 1);  // the hold ended: due again
  CHECK(result.rules[0].rows == static_cast<int64_t>(before.by_key.size()) - 2 + 1);
}

TEST_CASE("notices: a key gives each rule the digest of its listed rows, as retention's audit entries have") {
  Sample s;
  auto src = s.OpenSqlite();
  auto key = util::SecretKey::FromBytes("0123456789abcdef0123456789abcdef");
  REQUIRE(key.ok());
  Collected sink;
  plan::NoticesResult result = List(s.policy, *src, nullptr, &sink, &*key);
  REQUIRE(result.rules.size() == 1);
  CHECK(result.rules[0].key_columns == std::vector<std::string>{"id"});
  plan::KeySetHmac expected(*key, "candidates");
  for (const auto& [id, unused] : Due(s.db, "2025-12-01")) expected.Add(plan::RowKey{id});
  CHECK(result.rules[0].keys_hmac == expected.Hex());
  // Another set of rows, another digest.
  Collected wider;
  CHECK(List(s.policy, *src, "90d", &wider, &*key).rules[0].keys_hmac != expected.Hex());
}

TEST_CASE("notices: a rule without notify_before, an unknown rule, no window and a date on another table are refused") {
  Sample s;
  auto src = s.OpenSqlite();
  plan::NoticesOptions options;
  options.as_of = *util::ParseIsoDate(kAsOf);

  options.rule = "candidate_inactive";
  Status no_notice = ListError(s.policy, *src, options);
  CHECK(no_notice.code() == StatusCode::kInvalidArgument);
  CHECK(no_notice.message().find(s.policy.file + ":") == 0);
  CHECK(no_notice.message().find("has no notify_before") != std::string::npos);
  CHECK(no_notice.message().find("--within") != std::string::npos);
  // With a window it is listed, with no contact columns.
  options.within = util::Duration::Days(60);
  Collected inactive;
  auto listed = plan::ListNotices(s.policy, *src, options, inactive);
  REQUIRE_MESSAGE(listed.ok(), listed.status().message());
  CHECK(listed->rules[0].notify_columns.empty());
  CHECK(listed->rules[0].rows == static_cast<int64_t>(
                                     Query(s.db, "SELECT id FROM candidates WHERE legal_hold <> 1 AND last_active_at "
                                                 ">= '2024-11-01' AND last_active_at < '2024-12-31'")
                                         .size()));

  options.rule = "no_such_rule";
  Status unknown = ListError(s.policy, *src, options);
  CHECK(unknown.message().find("--rule no_such_rule") == 0);
  CHECK(unknown.message().find("candidate_profile_renewal") != std::string::npos);  // what to use instead

  options.rule.clear();
  options.within = util::Duration::Days(0);
  CHECK(ListError(s.policy, *src, options).message().find("--within 0d") == 0);

  options.within.reset();
  policy::Policy none = s.policy;
  for (policy::RetentionRule& r : none.retention) r.notify_before.reset();
  Status nothing = ListError(none, *src, options);
  CHECK(nothing.message().find("no retention rule has notify_before") != std::string::npos);

  policy::Policy elsewhere = s.policy;
  for (policy::RetentionRule& r : elsewhere.retention)
    if (r.id == kRule) {
      r.after_table = "employees";
      r.after_column = "employment_ended_at";
    }
  Status other_table = ListError(elsewhere, *src, options);
  CHECK(other_table.message().find("employees.employment_ended_at") != std::string::npos);
  CHECK(other_table.message().find("a date on the row itself") != std::string::npos);

  policy::Policy missing = s.policy;
  for (policy::RetentionRule& r : missing.retention)
    if (r.id == kRule) r.notify_columns.push_back("fax");
  Status column = ListError(missing, *src, options);
  CHECK(column.message().find("candidates.fax does not exist") != std::string::npos);
  CHECK(column.message().find(s.policy.file + ":") == 0);
}

TEST_CASE("notices: the day a row expires is the first day the rule's cutoff passes it, months clamped") {
  policy::RetentionRule rule;
  const util::Date start = *util::ParseIsoDate("2023-01-01");
  for (util::Duration keep : {util::Duration::Months(1), util::Duration::Years(1), util::Duration::Days(30),
                              util::Duration::Weeks(2), util::Duration::Months(18)}) {
    rule.keep = keep;
    for (long d = 0; d < 3 * 366; ++d) {
      util::Date dated = util::CivilFromDays(util::DaysFromCivil(start) + d);
      // Brute force: walk from the dated day to the first day the cutoff passes it.
      util::Date t = dated;
      while (!(dated < plan::RetentionCutoff(rule, t))) t = util::Add(t, util::Duration::Days(1));
      CAPTURE(dated.ToIso());
      CAPTURE(keep.ToString());
      REQUIRE(plan::ExpiryDay(rule, dated) == t);
    }
  }
  rule.keep = util::Duration::Months(1);
  CHECK(plan::ExpiryDay(rule, *util::ParseIsoDate("2025-02-28")).ToIso() == "2025-04-01");
  CHECK(plan::ExpiryDay(rule, *util::ParseIsoDate("2025-01-15")).ToIso() == "2025-02-16");
}

TEST_CASE("notices: the CSV export and PostgreSQL list SQLite's rows with SQLite's days") {
  Sample s;
  Collected sqlite;
  {
    auto src = s.OpenSqlite();
    List(s.policy, *src, "90d", &sqlite);
  }
  REQUIRE(sqlite.by_key.size() > 3);
  auto same = [&](const Collected& other, const plan::NoticesResult& result) {
    CHECK(other.Keys() == sqlite.Keys());
    for (const auto& key_notice : other.by_key) {  // (named: clang 14 cannot capture structured bindings)
      const auto& key = std::get<0>(key_notice);
      const auto& notice = std::get<1>(key_notice);
      CAPTURE(key);
      const plan::Notice& ref = sqlite.by_key.at(key);
      CHECK(notice.expires_on == ref.expires_on);
      CHECK(notice.contact == ref.contact);
    }
    CHECK(result.rules[0].already_expired ==
          static_cast<int64_t>(Query(s.db, "SELECT id FROM candidates WHERE status = 'active' AND legal_hold <> 1 "
                                           "AND last_active_at < '2025-11-01'")
                                   .size()));
  };
  {
    auto src = s.OpenCsv();
    Collected csv;
    plan::NoticesResult result = List(s.policy, *src, "90d", &csv);
    same(csv, result);
  }
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = testing::LoadSampleIntoPostgres(*pg, "notices", s.db, s.csv, s.truth, s.policy, s.dir);
  auto src = source::OpenSource(uri, source::OpenOptions{});
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  Collected postgres;
  plan::NoticesResult result = List(s.policy, **src, "90d", &postgres);
  same(postgres, result);
}
