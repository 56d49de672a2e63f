// Resource limits at the command line: hostile input ends in exit 2 and a
// message naming the limit and its flag, quickly and in bounded memory; and
// rows skipped under --skip-bad-rows are said, never silently dropped.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sanitizers.h"
#include "cli_util.h"

using dpo::testing::RunDpo;
using dpo::testing::TempDir;

namespace {

// A header of `columns` names c0..c{n-1} and one row of x's.
std::string WriteWide(const TempDir& dir, const std::string& name, int columns) {
  std::ofstream out(dir.File(name), std::ios::binary);
  for (int i = 0; i < columns; ++i) out << (i ? ",c" : "c") << i;
  out << "\n";
  for (int i = 0; i < columns; ++i) out << (i ? ",x" : "x");
  out << "\n";
  return dir.File(name);
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Ragged rows at lines 3, 5 and 7 (one row has a value in its extra field,
// which must never be shown).
const char* kRagged =
    "id,email\n"
    "1,jan@example.nl\n"
    "2,piet@example.nl,SECRET-EXTRA\n"
    "3,kees@example.nl\n"
    "4\n"
    "5,anna@example.nl\n"
    "6,a,b,c\n"
    "7,mark@example.nl\n";

}  // namespace

TEST_CASE("cli limits: a header wider than --max-columns is exit 2 naming the flag; raising it reads the file") {
  TempDir dir;
  std::string path = WriteWide(dir, "w.csv", 10001);
  auto run = RunDpo(dir, {"scan", path, "-o", "/dev/null"});
  CHECK(run.exit_code == 2);
  CHECK_MESSAGE(Contains(run.err, "w.csv:1: more than 10000 fields in one record (the --max-columns limit)"), run.err);
  CHECK(Contains(run.err, "raise the limit with --max-columns"));

  auto raised = RunDpo(dir, {"scan", path, "--max-columns", "20000", "-o", "/dev/null"});
  CHECK_MESSAGE(raised.exit_code == 0, raised.err);
}

TEST_CASE("cli limits: 50,000 columns with --max-columns raised scan in flat memory") {
  TempDir dir;
  std::string path = WriteWide(dir, "wide.csv", 50000);
  // Under 1 GB of address space: each column's classifier used to take a
  // 190 KB cache at once (9.5 GB here), and three steps compared every
  // column with every other (minutes here).
  // Speed is measured in bench/, not here: `timeout` only stops a hang. An
  // AddressSanitizer build cannot run under an address-space cap (its shadow
  // memory is reserved up front), so there the cap is left out.
#if DPO_TESTS_UNDER_ASAN
  const std::string cap = "";
#else
  const std::string cap = "ulimit -v 1000000 && ";
#endif
  std::string cmd = cap + "timeout 120 " + dpo::testing::ShellQuote(DPO_BINARY) + " scan " +
                    dpo::testing::ShellQuote(path) + " --max-columns 60000 --format json -o " +
                    dpo::testing::ShellQuote(dir.File("out.json")) + " 2>" + dpo::testing::ShellQuote(dir.File("err"));
  int status = std::system(cmd.c_str());
  REQUIRE_MESSAGE(WIFEXITED(status), cmd);
  CHECK_MESSAGE(WEXITSTATUS(status) == 0, dpo::testing::ReadFile(dir.File("err")));
  auto doc = nlohmann::json::parse(dpo::testing::ReadFile(dir.File("out.json")));
  CHECK(doc["tables"][0]["columns"].size() == 50000);
}

TEST_CASE("cli limits: a header of 1,000,000 columns is refused at once") {
  TempDir dir;
  std::string path = WriteWide(dir, "m.csv", 1000000);
  for (const char* command : {"scan", "inspect"}) {
    auto run = RunDpo(dir, {command, path});
    CHECK(run.exit_code == 2);
    CHECK_MESSAGE(Contains(run.err, "(the --max-columns limit)"), run.err);
  }
}

TEST_CASE("cli limits: a record longer than --max-record-bytes is exit 2 naming the flag") {
  TempDir dir;
  std::string path = dir.Write("l.csv", "a,b\n1,\"" + std::string(100000, 'x') + "\n");
  auto run = RunDpo(dir, {"inspect", path, "--max-record-bytes", "50000"});
  CHECK(run.exit_code == 2);
  CHECK_MESSAGE(Contains(run.err, "l.csv:2: record longer than 50000 bytes (the --max-record-bytes limit)"),
                run.err);
}

TEST_CASE("cli limits: dpo detect on endless input without line breaks stops at the line limit") {
  TempDir dir;
  // /dev/zero never ends: before the limit this grew memory until killed.
  auto run = RunDpo(dir, {"detect", "--max-record-bytes", "4000000"}, {}, "/dev/zero");
  CHECK(run.exit_code == 2);
  CHECK_MESSAGE(Contains(run.err, "<stdin>:1: line longer than 4000000 bytes (the --max-record-bytes limit)"),
                run.err);
  // The default limit (64 MiB) ends too: on 100 MB of zeros (a sparse file,
  // so that this test ends even where the limit is missing).
  const std::string zeros = dir.File("zeros.bin");
  std::ofstream(zeros, std::ios::binary).close();
  std::filesystem::resize_file(zeros, 100u << 20);
  auto by_default = RunDpo(dir, {"detect", zeros});
  CHECK(by_default.exit_code == 2);
  CHECK_MESSAGE(Contains(by_default.err, "zeros.bin:1: line longer than 64 MiB"), by_default.err);

  // Lines under the limit are read as before, a last one without a line break too.
  std::string text = dir.Write("t.txt", "mail jan@example.nl\n" + std::string(200000, 'y') + "\nx piet@example.nl");
  auto fine = RunDpo(dir, {"detect", text, "--format", "jsonl"});
  CHECK(fine.exit_code == 1);
  CHECK(Contains(fine.out, "\"line\":1"));
  CHECK(Contains(fine.out, "\"line\":3"));
}

TEST_CASE("cli limits: --skip-bad-rows says how many rows it skipped and where, in text and JSON") {
  TempDir dir;
  std::string path = dir.Write("r.csv", kRagged);

  auto text = RunDpo(dir, {"scan", path, "--skip-bad-rows", "--full"});
  CHECK(text.exit_code == 0);
  const std::string sentence = "3 rows with the wrong number of fields skipped (--skip-bad-rows), at lines 3, 5 and 7";
  CHECK_MESSAGE(Contains(text.out, sentence), text.out);
  CHECK_MESSAGE(Contains(text.err, "dpo: warning: " + path + ": " + sentence), text.err);
  CHECK_FALSE(Contains(text.out + text.err, "SECRET-EXTRA"));

  auto json = RunDpo(dir, {"scan", path, "--skip-bad-rows", "--full", "--format", "json"});
  CHECK(json.exit_code == 0);
  auto doc = nlohmann::json::parse(json.out);
  REQUIRE(doc["tables"].size() == 1);
  CHECK(doc["tables"][0]["rows_skipped"] == 3);
  CHECK(doc["tables"][0]["skipped_lines"] == nlohmann::json::array({3, 5, 7}));

  auto sarif = RunDpo(dir, {"scan", path, "--skip-bad-rows", "--format", "sarif"});
  auto notes = nlohmann::json::parse(sarif.out)["runs"][0]["invocations"][0]["toolExecutionNotifications"];
  REQUIRE(notes.size() == 1);
  CHECK(notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3);

  auto html = RunDpo(dir, {"scan", path, "--skip-bad-rows", "--format", "html"});
  CHECK(Contains(html.out, sentence));

  auto inspect = RunDpo(dir, {"inspect", path, "--skip-bad-rows", "--format", "json"});
  CHECK(inspect.exit_code == 0);
  auto idoc = nlohmann::json::parse(inspect.out);
  CHECK(idoc["tables"][0]["rows_skipped"] == 3);
  CHECK(idoc["tables"][0]["skipped_lines"] == nlohmann::json::array({3, 5, 7}));
  CHECK(Contains(inspect.err, sentence));

  // Without skipped rows nothing is said, and the JSON says 0.
  std::string clean = dir.Write("c.csv", "id,email\n1,jan@example.nl\n");
  auto quiet = RunDpo(dir, {"scan", clean, "--skip-bad-rows", "--format", "json"});
  CHECK_FALSE(Contains(quiet.err, "skipped"));
  CHECK(nlohmann::json::parse(quiet.out)["tables"][0]["rows_skipped"] == 0);
}
