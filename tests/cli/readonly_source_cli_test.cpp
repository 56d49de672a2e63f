// Read-only means read-only (dpo issue 12): reading a SQLite source creates
// no file beside it (no -wal, no -shm), a WAL database in a read-only
// directory can be read, a FIFO is refused instead of blocking forever, a
// virtual table whose module is missing is skipped with a warning (the rest
// is scanned), and views are named as not read.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_util.h"

namespace {

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;
namespace fs = std::filesystem;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void Sqlite(const std::string& db, const std::string& sql) {
  REQUIRE_MESSAGE(std::system("command -v sqlite3 >/dev/null 2>&1") == 0, "needs the sqlite3 shell");
  REQUIRE(std::system(("sqlite3 " + ShellQuote(db) + " " + ShellQuote(sql) + " >/dev/null").c_str()) == 0);
}

// A database left in WAL mode (the mode is in the file header), every change
// checkpointed: the sqlite3 shell removes -wal and -shm when it closes.
std::string WalDb(const std::string& dir) {
  std::string db = dir + "/wal.db";
  Sqlite(db,
         "PRAGMA journal_mode=WAL;"
         "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT);"
         "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200) "
         "INSERT INTO people SELECT i, 'user' || i || '@example.nl' FROM s;");
  return db;
}

std::set<std::string> Listing(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// `dpo ARGS` under timeout(1), so that a regression (a FIFO blocking in
// open()) fails the test instead of hanging it.
CliRun RunWithTimeout(const TempDir& dir, const std::vector<std::string>& args) {
  std::string cmd = "cd " + ShellQuote(DPO_SOURCE_DIR) + " && timeout 20 " + ShellQuote(DPO_BINARY);
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  cmd += " </dev/null >" + ShellQuote(dir.File(".stdout")) + " 2>" + ShellQuote(dir.File(".stderr"));
  int status = std::system(cmd.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadFile(dir.File(".stdout"));
  run.err = ReadFile(dir.File(".stderr"));
  return run;
}

}  // namespace

TEST_CASE("a WAL database: scan and inspect create no -wal or -shm beside it") {
  TempDir dir;
  TempDir capture;
  std::string db = WalDb(dir.path);
  const std::set<std::string> before = Listing(dir.path);
  REQUIRE(before == std::set<std::string>{"wal.db"});
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"inspect", db}, std::vector<std::string>{"scan", db, "--fail-on", "never"},
        std::vector<std::string>{"scan", db, "--full", "--fail-on", "never"},
        std::vector<std::string>{"policy", "init", db, "--out", capture.File("draft.yaml"), "--force"}}) {
    CAPTURE(args[0]);
    CliRun run = RunDpo(capture, args);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(Listing(dir.path) == before);
  }
  CliRun json = RunDpo(capture, {"scan", db, "--format", "json", "--fail-on", "never"});
  REQUIRE(json.exit_code == 0);
  CHECK(nlohmann::json::parse(json.out)["summary"]["rows"] == 200);
}

TEST_CASE("a WAL database in a read-only directory is scanned") {
  TempDir dir;
  TempDir capture;
  fs::create_directory(dir.File("ro"));
  std::string db = WalDb(dir.File("ro"));
  ::chmod(db.c_str(), 0444);
  ::chmod(dir.File("ro").c_str(), 0555);
  // Root writes into a 0555 directory anyway: there the listing shows that
  // nothing was created, elsewhere the permissions do.
  const bool root = ::geteuid() == 0;
  CliRun scan = RunDpo(capture, {"scan", db, "--format", "json", "--fail-on", "never"});
  CliRun inspect = RunDpo(capture, {"inspect", db});
  CHECK(Listing(dir.File("ro")) == std::set<std::string>{"wal.db"});
  ::chmod(dir.File("ro").c_str(), 0755);
  INFO("root: " << root);
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK(nlohmann::json::parse(scan.out)["summary"]["rows"] == 200);
  CHECK(inspect.exit_code == 0);
  CHECK_FALSE(Has(scan.err + inspect.err, "cannot write"));
}

TEST_CASE("a WAL database with changes in its -wal is read through it, and nothing is added") {
  TempDir dir;
  TempDir capture;
  std::string db = WalDb(dir.path);
  // A writer that keeps the database open (and so its -wal and -shm) while
  // dpo reads: its committed rows must be seen.
  std::string fifo = dir.File("hold");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string writer = "(echo 'PRAGMA wal_autocheckpoint=0; INSERT INTO people VALUES (1000, \"x@example.nl\");'; cat " +
                       ShellQuote(fifo) + ") | sqlite3 " + ShellQuote(db) + " &";
  REQUIRE(std::system(writer.c_str()) == 0);
  for (int i = 0; i < 200 && !fs::exists(db + "-wal"); ++i) ::usleep(20000);
  ::usleep(200000);
  const std::set<std::string> before = Listing(dir.path);
  CliRun run = RunDpo(capture, {"scan", db, "--full", "--format", "json", "--fail-on", "never"});
  CHECK(Listing(dir.path) == before);
  std::ofstream(fifo) << ".quit\n";  // the writer ends
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(nlohmann::json::parse(run.out)["summary"]["rows"] == 201);
}

TEST_CASE("a FIFO as a source is refused at once, exit 2") {
  TempDir dir;
  for (const char* name : {"p.db", "p.csv", "p.sqlite"}) {
    std::string fifo = dir.File(name);
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    for (const std::string& spec : {fifo, "sqlite:" + fifo, "csv:" + fifo}) {
      CAPTURE(spec);
      CliRun scan = RunWithTimeout(dir, {"scan", spec});
      CHECK(scan.exit_code == 2);
      CHECK(Has(scan.err, "FIFO"));
      CliRun inspect = RunWithTimeout(dir, {"inspect", spec});
      CHECK(inspect.exit_code == 2);
    }
  }
}

TEST_CASE("a virtual table with a missing module is skipped with a warning; views are named") {
  TempDir dir;
  std::string db = dir.File("vt.db");
  // writable_schema: a virtual table of a module no SQLite has, as a
  // database made with an extension looks to a SQLite without it.
  Sqlite(db,
         "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT);"
         "INSERT INTO people VALUES (1, 'a@example.nl'), (2, 'b@example.nl');"
         "CREATE VIEW people_emails AS SELECT email FROM people;"
         "PRAGMA writable_schema=ON;"
         "INSERT INTO sqlite_master VALUES ('table', 'ghost', 'ghost', 0, "
         "'CREATE VIRTUAL TABLE ghost USING nosuchmodule(a, b)');");
  CliRun scan = RunDpo(dir, {"scan", db, "--format", "json", "--fail-on", "never"});
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK(Has(scan.err, "skipped table 'ghost'"));
  CHECK(Has(scan.err, "no such module: nosuchmodule"));
  CHECK(Has(scan.err, "1 view not read as a table ('people_emails')"));
  nlohmann::json j = nlohmann::json::parse(scan.out);
  REQUIRE(j["tables"].size() == 1);
  CHECK(j["tables"][0]["name"] == "people");
  CliRun inspect = RunDpo(dir, {"inspect", db});
  CHECK(inspect.exit_code == 0);
  CHECK(Has(inspect.err, "skipped table 'ghost'"));
  // Asked for by name: an error that says why.
  CliRun named = RunDpo(dir, {"scan", db, "--table", "ghost"});
  CHECK(named.exit_code == 2);
  CHECK(Has(named.err, "no such module"));
}
