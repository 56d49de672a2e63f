// Issue 12: an apply against a real PostgreSQL server, killed or stopped in
// the middle (DPO_FAULT at exact steps: before the data's COMMIT, before
// the intent entry, before the first step's entry; SIGKILL and SIGTERM at
// moments). Afterwards the database is as before or as fully applied (the
// server rolls back the transaction of a client that died), the audit log
// and the ledger verify, and running the same apply again finishes the job
// or refuses the plan as stale. The dpo binary is run as a user would.
#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli/fault_cli_util.h"
#include "policy/loader.h"
#include "sample/generator.h"
#include "source/pg_sample_loader.h"
#include "source/pg_server.h"
#include "util/duration.h"

using dpo::testing::CliRun;
using dpo::testing::ErrorLines;
using dpo::testing::FaultWork;
using dpo::testing::PgServer;
using dpo::testing::ReadFile;
using dpo::testing::SignalAfter;
using dpo::testing::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr const char* kReference = "dpo_crash_reference";
constexpr const char* kWork = "dpo_crash_work";

// One line per table: its name and the MD5 of its rows in a fixed order.
std::string PgState(const std::string& uri) {
  PGconn* conn = PQconnectdb(uri.c_str());
  REQUIRE_MESSAGE(PQstatus(conn) == CONNECTION_OK, PQerrorMessage(conn));
  PGresult* tables = PQexec(conn,
                            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                            "AND table_type = 'BASE TABLE' ORDER BY table_name");
  REQUIRE(PQresultStatus(tables) == PGRES_TUPLES_OK);
  std::string state;
  for (int i = 0; i < PQntuples(tables); ++i) {
    std::string table = PQgetvalue(tables, i, 0);
    std::string sql = "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM \"" +
                      table + "\" t";
    PGresult* r = PQexec(conn, sql.c_str());
    REQUIRE_MESSAGE(PQresultStatus(r) == PGRES_TUPLES_OK, PQerrorMessage(conn));
    state += table + " " + PQgetvalue(r, 0, 0) + " " + PQgetvalue(r, 0, 1) + "\n";
    PQclear(r);
  }
  PQclear(tables);
  PQfinish(conn);
  return state;
}

// A fresh copy of the reference database as kWork (connections to an old
// copy, such as the backend of a killed dpo, are ended first).
std::string FreshWork(const PgServer& pg) {
  CHECK(pg.Exec("postgres", std::string("DROP DATABASE IF EXISTS \"") + kWork + "\" WITH (FORCE)") == "");
  std::string error =
      pg.Exec("postgres", std::string("CREATE DATABASE \"") + kWork + "\" TEMPLATE \"" + kReference + "\"");
  REQUIRE_MESSAGE(error.empty(), error);
  return pg.Uri(kWork);
}

struct Flavour {
  const char* name;
  std::string kind;      // "retention" or "erase"
  int exit_applied = 0;  // a complete apply's exit code (1: a rule was blocked)
};

std::vector<std::string> ApplyArgs(const Flavour& f, const std::string& uri) {
  return {f.kind, "apply", "plan.json", uri, "--max-percent", "100", "--key-file", "dpo.key",
          "--ledger", "ledger.db", "--audit-log", "audit.jsonl", "-q"};
}

struct Reference {
  std::string before, after, plan;
};

struct Tally {
  int attempts = 0, before = 0, after = 0;
};

void CheckAndResume(const PgServer& pg, const FaultWork& w, const Flavour& f, const Reference& ref, Tally* tally,
                    const std::string& how) {
  CAPTURE(how);
  ++tally->attempts;
  std::string uri = pg.Uri(kWork);
  std::string state = PgState(uri);
  bool is_before = state == ref.before, is_after = state == ref.after;
  CHECK_MESSAGE((is_before || is_after), "torn database after " << how);
  tally->before += is_before;
  tally->after += is_after;
  if (fs::exists(w.dir.File("audit.jsonl"))) {
    CliRun verify = w.Dpo({"audit", "verify", "audit.jsonl"});
    CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  }
  if (fs::exists(w.dir.File("ledger.db"))) {
    CliRun stats = w.Dpo({"ledger", "stats", "--ledger", "ledger.db"});
    CHECK_MESSAGE(stats.exit_code == 0, stats.err);
  }
  CliRun again = w.Dpo(ApplyArgs(f, uri));
  if (is_before) {
    CHECK_MESSAGE(again.exit_code == f.exit_applied, again.err);
  } else {
    CHECK(again.exit_code == 2);
    CHECK_MESSAGE(again.err.find("the plan is stale") != std::string::npos, again.err);
    CHECK(ErrorLines(again.err) == 1);
  }
  CHECK(PgState(uri) == ref.after);
  CliRun verify = w.Dpo({"audit", "verify", "audit.jsonl"});
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  // Nothing in the logs or the output names the password of the URI.
  for (const std::string& text : {ReadFile(w.dir.File("audit.jsonl")), again.err, again.out})
    CHECK(text.find(PgServer::kPassword) == std::string::npos);
}

}  // namespace

TEST_CASE("PostgreSQL: an apply killed or stopped at any moment leaves the database before or after, logs verify") {
  DPO_PG_SERVER_OR_SKIP(pg);
  TempDir gen{"dpo-crash-pg"};
  dpo::sample::GenerateOptions options;
  options.sqlite_path = gen.File("s.db");
  options.csv_dir = gen.File("csv");
  options.rows = 400;
  options.seed = 7;
  options.as_of = *dpo::util::ParseIsoDate("2026-11-01");
  auto generated = dpo::sample::GenerateSample(options);
  REQUIRE_MESSAGE(generated.ok(), generated.status().message());
  auto policy = dpo::policy::LoadPolicyFile(dpo::testing::kFaultPolicy);
  REQUIRE_MESSAGE(policy.ok(), policy.status().message());
  std::string reference_uri = dpo::testing::LoadSampleIntoPostgres(*pg, kReference, options.sqlite_path,
                                                                   options.csv_dir, generated->truth,
                                                                   policy->policy, gen.path);
  // A candidate to erase: one with applications, so the erasure cascades.
  std::string subject;
  {
    PGconn* conn = PQconnectdb(reference_uri.c_str());
    REQUIRE(PQstatus(conn) == CONNECTION_OK);
    PGresult* r = PQexec(conn,
                         "SELECT c.email FROM candidates c JOIN applications a ON a.candidate_id = c.id "
                         "WHERE c.email IS NOT NULL GROUP BY c.id, c.email ORDER BY count(*) DESC, c.id LIMIT 1");
    REQUIRE_MESSAGE(PQresultStatus(r) == PGRES_TUPLES_OK, PQerrorMessage(conn));
    REQUIRE(PQntuples(r) == 1);
    subject = PQgetvalue(r, 0, 0);
    PQclear(r);
    PQfinish(conn);
  }

  const std::vector<Flavour> flavours = {{"retention apply, PostgreSQL", "retention", 1},
                                         {"erase apply, PostgreSQL", "erase", 0}};
  for (const Flavour& f : flavours) {
    const std::string flavour = f.name;
    CAPTURE(flavour);
    std::string uri = FreshWork(*pg);
    Reference ref;
    ref.before = PgState(uri);
    {
      FaultWork w;
      std::vector<std::string> plan_args =
          f.kind == "retention"
              ? std::vector<std::string>{"retention", "plan", "--policy", "p.yaml", "--as-of", "2026-11-01", "-o",
                                         "plan.json", uri}
              : std::vector<std::string>{"erase", "plan", "--policy", "p.yaml", uri, "--subject", "email=" + subject,
                                         "--as-of", "2026-11-01", "-o", "plan.json"};
      CliRun plan = w.Dpo(plan_args);
      REQUIRE_MESSAGE(plan.exit_code == 0, plan.err);
      ref.plan = ReadFile(w.dir.File("plan.json"));
      CliRun apply = w.Dpo(ApplyArgs(f, uri));
      REQUIRE_MESSAGE(apply.exit_code == f.exit_applied, apply.err);
      ref.after = PgState(uri);
      REQUIRE(ref.after != ref.before);
    }

    Tally tally;
    // Exact steps. commit:1: before the data's COMMIT (the ledger is
    // committed); append:1: before the intent entry; append:2: after the
    // data's COMMIT, before the first step's entry.
    struct Point {
      const char* fault;
      bool applied;
      int exit_code;  // 137: SIGKILL; 143: SIGTERM, handled
    };
    for (const Point& point : {Point{"commit:1:kill", false, 137}, Point{"append:1:kill", false, 137},
                               Point{"append:2:kill", true, 137}, Point{"write:1:term", false, 143},
                               Point{"append:1:term", false, 143}, Point{"append:2:term", true, 143}}) {
      FaultWork w;
      w.dir.Write("plan.json", ref.plan);
      std::string work = FreshWork(*pg);
      CliRun run = w.Dpo(ApplyArgs(f, work), "", {std::string("DPO_FAULT=") + point.fault});
      CHECK_MESSAGE(run.exit_code == point.exit_code, point.fault << ": " << run.err);
      CHECK_MESSAGE(PgState(work) == (point.applied ? ref.after : ref.before), point.fault);
      if (std::string(point.fault) == "append:2:kill") {
        CliRun verify = w.Dpo({"audit", "verify", "-q", "audit.jsonl"});
        CHECK(verify.err.find("has an intent entry but no outcome") != std::string::npos);
      }
      CheckAndResume(*pg, w, f, ref, &tally, point.fault);
    }
    // Signals at moments, whatever step they land in.
    int landed = 0;
    for (int sig : {SIGKILL, SIGTERM}) {
      for (int delay_ms : {0, 10, 30, 80, 200}) {
        FaultWork w;
        w.dir.Write("plan.json", ref.plan);
        std::string work = FreshWork(*pg);
        pid_t pid = w.Spawn(ApplyArgs(f, work));
        auto signalled = SignalAfter(pid, sig, delay_ms);
        landed += signalled.second;
        CheckAndResume(*pg, w, f, ref, &tally,
                       std::string(sig == SIGKILL ? "SIGKILL" : "SIGTERM") + " after " + std::to_string(delay_ms) +
                           " ms");
      }
    }
    MESSAGE(flavour << ": " << tally.attempts << " runs (" << landed << " signals landed): " << tally.before
                    << " left the database as before, " << tally.after << " as applied");
    CHECK(tally.before >= 4);
    CHECK(tally.after >= 2);
    CHECK(landed >= 1);
  }
  pg->Exec("postgres", std::string("DROP DATABASE IF EXISTS \"") + kWork + "\" WITH (FORCE)");
  pg->Exec("postgres", std::string("DROP DATABASE IF EXISTS \"") + kReference + "\" WITH (FORCE)");
}
