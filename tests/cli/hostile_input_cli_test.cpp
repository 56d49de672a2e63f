// Hostile input fed to the built binary (issue 12): files a user did not
// write and a cron job reads with nobody watching. Each case must end in a
// correct result (exit 0 or 1) or one clean error line and exit 2; never a
// crash (exit 3, a signal, a sanitizer report), never a hang, never a report
// file left behind by a failed run, and the source byte-identical afterwards.
// Needs the sqlite3 command-line shell (Debian package sqlite3).
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_util.h"

namespace {

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;
namespace fs = std::filesystem;

const std::string kSample = std::string(DPO_SOURCE_DIR) + "/samples/staffing.db";

// Exit 0/1, or 2 with exactly one line on stderr that starts "dpo: error:".
void CheckCleanEnd(const CliRun& run, const std::string& what) {
  INFO(what << "\nexit " << run.exit_code << "\nstderr: " << run.err);
  CHECK((run.exit_code == 0 || run.exit_code == 1 || run.exit_code == 2));
  CHECK(run.err.find("AddressSanitizer") == std::string::npos);
  CHECK(run.err.find("runtime error") == std::string::npos);
  CHECK(run.err.find("terminate called") == std::string::npos);
  if (run.exit_code == 2) {
    CHECK(run.err.rfind("dpo: error: ", 0) != std::string::npos);
    size_t error_lines = 0;
    for (size_t p = run.err.find("dpo: error:"); p != std::string::npos; p = run.err.find("dpo: error:", p + 1)) {
      ++error_lines;
    }
    CHECK(error_lines == 1);
  }
}

// Scans `source` into a JSON report; on exit 2 the report must not exist.
CliRun ScanChecked(const TempDir& dir, const std::string& source, const std::string& what,
                   const std::vector<std::string>& extra = {}) {
  const std::string report = dir.File("report.json");
  std::error_code ec;
  fs::remove(report, ec);
  std::vector<std::string> args = {"scan", "--full", "--format", "json", "-o", report, source};
  args.insert(args.end(), extra.begin(), extra.end());
  const std::string before = ReadFile(source);
  CliRun run = RunDpo(dir, args);
  CheckCleanEnd(run, what);
  if (run.exit_code == 2) CHECK_MESSAGE(!fs::exists(report), what << ": a failed scan left a report");
  if (run.exit_code == 0 || run.exit_code == 1) CHECK_MESSAGE(fs::exists(report), what << ": no report");
  CHECK_MESSAGE(ReadFile(source) == before, what << ": the source changed");
  return run;
}

std::string Sh(const std::string& command) {
  const int rc = std::system(command.c_str());
  REQUIRE_MESSAGE(rc == 0, command);
  return command;
}

}  // namespace

TEST_CASE("hostile CSV: bad encodings, NUL bytes, empty and header-only files") {
  TempDir dir("dpo-hostile");
  struct Case {
    std::string name, content;
    int exit_code;
    std::string says;  // part of the error message, for exit 2
  };
  const std::vector<Case> cases = {
      // Not UTF-8: read as Windows-1252 (auto), which every byte but five is.
      {"invalid-utf8.csv", "a,b\n1,\xff\xfe\xc3(x\n", 0, ""},
      {"utf16le-bom.csv", std::string("\xff\xfe" "a\0,\0b\0\n\0", 10), 2, "UTF-16"},  // 10: AddressSanitizer caught 12
      {"utf16be-bom.csv", std::string("\xfe\xff\0a\0,\0b\0\n", 10), 2, "UTF-16"},
      {"nul.csv", std::string("a,b\n1,x\0y\n", 10), 2, "NUL byte"},
      {"empty.csv", "", 2, "empty file"},
      {"header-only.csv", "email,phone\n", 0, ""},
      {"only-newlines.csv", "\n\n\n", 2, ""},
      {"unclosed-quote.csv", "a,b\n1,\"never closed\n2,3\n", 2, "quote"},
      {"ragged.csv", "a,b\n1,2,3\n", 2, "--skip-bad-rows"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.Write(c.name, c.content);
    CliRun run = ScanChecked(dir, path, c.name);
    CHECK_MESSAGE(run.exit_code == c.exit_code, c.name << ": " << run.err);
    if (!c.says.empty()) CHECK_MESSAGE(run.err.find(c.says) != std::string::npos, c.name << ": " << run.err);
  }
}

TEST_CASE("hostile CSV: a 100 MB single field stops at the record limit, in bounded time, with the limit named") {
  TempDir dir("dpo-hostile");
  const std::string path = dir.File("big-field.csv");
  {
    std::ofstream out(path, std::ios::binary);
    out << "notes\n\"";
    const std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 100; ++i) out << chunk;
    out << "\"\n";
  }
  CliRun run = ScanChecked(dir, path, "100 MB field");
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("MiB") != std::string::npos);
}

TEST_CASE("hostile SQLite: SQL keywords, quotes and statements in table and column names") {
  TempDir dir("dpo-hostile");
  const std::string db = dir.File("names.db");
  Sh("sqlite3 " + ShellQuote(db) + " " +
     ShellQuote("CREATE TABLE \"select\" (\"from\" TEXT PRIMARY KEY, \"a\"\"b\" TEXT, "
                "\"x'; DROP TABLE t;--\" TEXT, \"order by\" INTEGER);"
                "CREATE TABLE \"t\"\"; DELETE FROM select;\" (id INTEGER PRIMARY KEY, "
                "\"select\" TEXT REFERENCES \"select\"(\"from\"));"
                "INSERT INTO \"select\" VALUES ('jan@example.nl', 'NL91ABNA0417164300', 'z', 1);"
                "INSERT INTO \"t\"\"; DELETE FROM select;\" VALUES (1, 'jan@example.nl');"));
  CliRun scan = ScanChecked(dir, db, "keywords in names");
  CHECK(scan.exit_code == 0);
  const std::string report = ReadFile(dir.File("report.json"));
  CHECK(report.find("a\\\"b") != std::string::npos);  // the column, named as it is
  CHECK(report.find("DROP TABLE t") != std::string::npos);

  const std::string before = ReadFile(db);
  CliRun inspect = RunDpo(dir, {"inspect", db});
  CheckCleanEnd(inspect, "inspect");
  CHECK(inspect.exit_code == 0);

  // A draft policy of those names loads, and the scan and a retention plan
  // against it quote every identifier.
  CliRun init = RunDpo(dir, {"policy", "init", db, "--out", dir.File("policy.yaml")});
  CheckCleanEnd(init, "policy init");
  REQUIRE(init.exit_code == 0);
  CliRun checked = RunDpo(dir, {"scan", "--policy", dir.File("policy.yaml"), db, "-o", dir.File("r2.txt")});
  CheckCleanEnd(checked, "scan --policy");
  CHECK(checked.exit_code != 2);
  CliRun plan = RunDpo(dir, {"retention", "plan", "--policy", dir.File("policy.yaml"), db, "-o", dir.File("plan.json")});
  CheckCleanEnd(plan, "retention plan");
  CHECK(plan.exit_code == 0);
  CHECK(ReadFile(db) == before);
}

TEST_CASE("hostile SQLite: a database truncated at many offsets is a clean error or a correct scan") {
  TempDir dir("dpo-hostile");
  const std::string sample = ReadFile(kSample);
  REQUIRE(sample.size() > 100000);
  const std::vector<size_t> offsets = {1,     15,    16,    99,    100,   101,         512,
                                       1023,  4096,  4097,  8192,  20000, 65536,       131072,
                                       sample.size() / 2,  sample.size() - 4096, sample.size() - 1};
  for (size_t offset : offsets) {
    const std::string path = dir.Write("truncated.db", sample.substr(0, offset));
    CliRun run = ScanChecked(dir, path, "truncated at " + std::to_string(offset));
    // Up to half the file, the schema or the pages it names are gone; the
    // last byte of the last page, though, SQLite reads back as the zero it
    // was (integrity_check agrees), so a correct scan is right there too.
    if (offset <= sample.size() / 2) CHECK_MESSAGE(run.exit_code == 2, "truncated at " << offset << ": " << run.err);
  }
}

TEST_CASE("hostile SQLite: bytes overwritten at many places never crash the scan or change the file") {
  TempDir dir("dpo-hostile");
  const std::string sample = ReadFile(kSample);
  // A fixed pseudo-random sequence, so a failure can be reproduced.
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 24; ++round) {
    std::string damaged = sample;
    const size_t at = 100 + next() % (damaged.size() - 200);  // past the 100-byte header
    const size_t length = 1 + next() % 64;
    for (size_t i = 0; i < length && at + i < damaged.size(); ++i) damaged[at + i] = static_cast<char>(next());
    const std::string path = dir.Write("damaged.db", damaged);
    ScanChecked(dir, path, "round " + std::to_string(round) + ": " + std::to_string(length) + " bytes at " +
                               std::to_string(at));
  }
}

TEST_CASE("hostile SQLite: a database another program holds locked is a clean error, after a bounded wait") {
  TempDir dir("dpo-hostile");
  const std::string db = dir.File("locked.db");
  fs::copy_file(kSample, db);
  // The sqlite3 shell takes an exclusive lock and keeps it for 8 seconds.
  const std::string ready = dir.File("locked");
  Sh("( printf 'BEGIN EXCLUSIVE;\\nDELETE FROM candidates WHERE 0;\\n.shell touch " + ready +
     "\\n'; sleep 8 ) | sqlite3 " + ShellQuote(db) + " >/dev/null 2>&1 &");
  for (int i = 0; i < 100 && !fs::exists(ready); ++i) ::usleep(50000);
  REQUIRE(fs::exists(ready));
  const std::string before = ReadFile(db);
  CliRun run = RunDpo(dir, {"scan", db, "-o", dir.File("report.txt")});
  CheckCleanEnd(run, "locked database");
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("locked") != std::string::npos);
  CHECK(!fs::exists(dir.File("report.txt")));
  CHECK(ReadFile(db) == before);
}
