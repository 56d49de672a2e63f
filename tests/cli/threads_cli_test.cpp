// Threads (dpo issue 12): --threads is bounded, a scan never starts more
// workers than a table has columns, and a system that refuses threads
// (ulimit -u, a container's pids limit) makes the work run on fewer threads,
// down to the calling one, instead of aborting ("terminate called without an
// active exception").
//
// Two ways to refuse threads: a real RLIMIT_NPROC (prlimit; as root, which
// the limit does not bind, dpo runs as an unused uid through setpriv), and,
// for the paths that need a precise count (anonymise's pool and producer),
// the test hook DPO_THREAD_LIMIT=N (lib/util/thread_start.h): only the first
// N threads dpo starts succeed. The hook sits exactly where std::thread
// would throw std::system_error, on the same fallback path.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sanitizers.h"
#include "cli_util.h"

namespace {

using dpo::testing::CliRun;
using dpo::testing::RunDpo;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;
namespace fs = std::filesystem;

const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
const std::string kSampleDb = std::string(DPO_SOURCE_DIR) + "/samples/staffing.db";

nlohmann::json Json(const CliRun& run) {
  INFO(run.err);
  REQUIRE_FALSE(run.out.empty());
  return nlohmann::json::parse(run.out);
}

// A table of three columns (one of e-mail addresses), made with the sqlite3 shell.
std::string ThreeColumnDb(const TempDir& dir) {
  REQUIRE(std::system("command -v sqlite3 >/dev/null 2>&1") == 0);
  std::string db = dir.File("three.db");
  std::string sql =
      "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, note TEXT);"
      "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 500) "
      "INSERT INTO people SELECT i, 'user' || i || '@example.nl', 'n' || i FROM s;";
  REQUIRE(std::system(("sqlite3 " + ShellQuote(db) + " " + ShellQuote(sql)).c_str()) == 0);
  return db;
}

}  // namespace

TEST_CASE("scan --threads: refused outside 1..256 with the range, never overflowing") {
  TempDir dir;
  for (const char* bad : {"2147483647", "257", "0", "-1", "99999999999999999999", "two"}) {
    CAPTURE(bad);
    CliRun run = RunDpo(dir, {"scan", kSampleDb, "--threads", bad});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("from 1 to 256") != std::string::npos);
    CHECK(run.out.empty());
  }
  CliRun top = RunDpo(dir, {"scan", kSampleDb, "--threads", "256", "--format", "json", "--fail-on", "never"});
  CHECK(top.exit_code == 0);
  // The old JSON said -2147483648 for --threads 2147483647; now a real count.
  int threads = Json(top)["summary"]["threads"];
  CHECK(threads >= 1);
  CHECK(threads <= 257);
}

TEST_CASE("scan --threads: workers are capped at the table's columns") {
  TempDir dir;
  std::string db = ThreeColumnDb(dir);
  CliRun run = RunDpo(dir, {"scan", db, "--threads", "200", "--format", "json", "--fail-on", "never"});
  REQUIRE(run.exit_code == 0);
  // Three columns: three workers and the reader, not 201 threads.
  CHECK(Json(run)["summary"]["threads"] == 4);
}

TEST_CASE("scan: when the system refuses threads, it scans on fewer, down to one, with the same findings") {
  TempDir dir;
  const std::vector<std::string> args = {"scan",   "--policy", kPolicy,    kSampleDb, "--format",
                                         "json",   "--full",   "--threads", "4",      "--fail-on",
                                         "never",  "--as-of",  "2026-11-01"};
  CliRun normal = RunDpo(dir, args);
  REQUIRE_MESSAGE(normal.exit_code == 0, normal.err);
  for (int limit : {0, 1}) {
    CAPTURE(limit);
    CliRun refused = RunDpo(dir, args, {"DPO_THREAD_LIMIT=" + std::to_string(limit)});
    INFO(refused.err);
    REQUIRE(refused.exit_code == 0);
    CHECK(refused.err.find("terminate") == std::string::npos);
    nlohmann::json a = Json(normal), b = Json(refused);
    CHECK(b["summary"]["threads"] == limit + 1);
    CHECK(a["findings"] == b["findings"]);
    CHECK(a["tables"] == b["tables"]);
  }
}

TEST_CASE("anonymise: when the system refuses threads, the copy is made on this thread, the same") {
  REQUIRE(std::system("command -v sqlite3 >/dev/null 2>&1") == 0);
  TempDir dir;
  std::string key = dir.Write("dpo.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  auto dump = [&](const std::string& db) {
    std::string out = dir.File("dump.sql");
    REQUIRE(std::system(("sqlite3 " + ShellQuote(db) + " .dump > " + ShellQuote(out)).c_str()) == 0);
    return dpo::testing::ReadFile(out);
  };
  // --no-fast-copy streams every table through the transform pool.
  for (const char* threads : {"4", "2"}) {
    CAPTURE(threads);
    std::string a = dir.File(std::string("pool-") + threads + ".db"), b = dir.File(std::string("one-") + threads + ".db");
    std::vector<std::string> args = {"anonymise", "--policy", kPolicy,  kSampleDb, "--key-file", key,
                                     "--threads", threads,    "-q",     "--as-of", "2026-11-01"};
    if (std::string(threads) == "4") args.push_back("--no-fast-copy");
    std::vector<std::string> args_a = args, args_b = args;
    args_a.insert(args_a.end(), {"--out", a});
    args_b.insert(args_b.end(), {"--out", b});
    CliRun normal = RunDpo(dir, args_a);
    REQUIRE_MESSAGE(normal.exit_code == 0, normal.err);
    CliRun refused = RunDpo(dir, args_b, {"DPO_THREAD_LIMIT=0"});
    REQUIRE_MESSAGE(refused.exit_code == 0, refused.err);
    CHECK(dump(a) == dump(b));
  }
}

TEST_CASE("scan under a real RLIMIT_NPROC of 1: no abort, one thread, exit 0") {
  // RLIMIT_NPROC binds only users without CAP_SYS_RESOURCE: as root, run dpo
  // as an otherwise unused uid (setpriv), so that the limit counts dpo alone.
  if (std::system("command -v prlimit >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1") != 0) {
    MESSAGE("SKIPPED: needs prlimit and setpriv (util-linux)");
    return;
  }
  TempDir dir;
  fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  std::string db = dir.File("s.db");
  fs::copy_file(kSampleDb, db);
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  std::string as = ::geteuid() == 0 ? "setpriv --reuid=54321 --regid=54321 --clear-groups " : "";
  // LeakSanitizer checks at exit from a thread of its own, which a limit of
  // one process forbids: under AddressSanitizer this run goes without it.
  const std::string env = DPO_TESTS_UNDER_ASAN ? "env ASAN_OPTIONS=detect_leaks=0 " : "";
  std::string cmd = "cd / && " + as + "prlimit --nproc=1 " + env + ShellQuote(DPO_BINARY) + " scan " + ShellQuote(db) +
                    " --threads 4 --full --format json --fail-on never >" + ShellQuote(dir.File("out")) + " 2>" +
                    ShellQuote(dir.File("err"));
  int status = std::system(cmd.c_str());
  std::string err = dpo::testing::ReadFile(dir.File("err"));
  INFO(err);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(err.find("terminate") == std::string::npos);
  nlohmann::json j = nlohmann::json::parse(dpo::testing::ReadFile(dir.File("out")));
  CHECK(j["summary"]["threads"] == 1);
}

TEST_CASE("ledger replay: when the system refuses threads, it reads and replays on one, the same") {
  REQUIRE(std::system("command -v sqlite3 >/dev/null 2>&1") == 0);
  TempDir dir;
  auto copy = [&](const std::string& name) {
    fs::copy_file(kSampleDb, dir.File(name));
    return dir.File(name);
  };
  auto dump = [&](const std::string& db) {
    std::string out = dir.File("dump.sql");
    REQUIRE(std::system(("sqlite3 " + ShellQuote(db) + " .dump > " + ShellQuote(out)).c_str()) == 0);
    return dpo::testing::ReadFile(out);
  };
  std::string db = copy("crm.db"), two = copy("two.db"), one = copy("one.db");
  std::string key = dir.Write("dpo.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  std::string ledger = dir.File("ledger.db");
  CliRun swept = RunDpo(dir, {"retention", "sweep", "--policy", kPolicy, "--as-of", "2026-11-01", "--max-percent",
                              "100", "--key-file", key, "--ledger", ledger, db});
  REQUIRE_MESSAGE(swept.exit_code == 1, swept.err);  // the sample has rules dpo blocks, on purpose
  const std::string before = dump(two);
  for (const auto& run : {std::pair{two, std::string("DPO_THREAD_LIMIT=")},
                          std::pair{one, std::string("DPO_THREAD_LIMIT=0")}}) {
    const auto& backup = run.first;
    const auto& env = run.second;
    CAPTURE(env);
    CliRun replayed = RunDpo(dir, {"ledger", "replay", "--policy", kPolicy, backup, "--ledger", ledger, "--key-file",
                                   key, "--max-percent", "100", "-q"},
                             {env});
    REQUIRE_MESSAGE(replayed.exit_code == 0, replayed.err);
  }
  CHECK(dump(one) == dump(two));
  CHECK(dump(one) == dump(db));
  CHECK(dump(one) != before);
}
