// The progress line on a terminal: table N of M, the whole scan's share, rate
// and time left; erased before the report is printed.
#include <doctest/doctest.h>

#include "cli_util.h"
#include "progress_line.h"

using namespace dpo::testing;
using dpo::cmd::FormatProgress;
using dpo::cmd::ProgressLine;

TEST_CASE("progress line: table N of M, the run's percentage, rate and time left") {
  ProgressLine::State st;
  st.item = "consents";
  st.item_number = 3;
  st.item_count = 9;
  st.done = 680;
  st.total = 1000;
  st.run_done = 5000;
  st.run_total = 20000;
  CHECK(FormatProgress(st, 2.0) ==
        "scanning consents (table 3 of 9): 680/1,000 rows; 25% of 20,000 rows, 2,500 rows/s, about 6 s left");
  // Too early for a rate: no guess.
  CHECK(FormatProgress(st, 0.1) == "scanning consents (table 3 of 9): 680/1,000 rows; 25% of 20,000 rows");
  // Unknown totals (a CSV too big to count): rows and rate only.
  st.total = -1;
  st.run_total = -1;
  st.item_count = 1;
  CHECK(FormatProgress(st, 2.0) == "scanning consents: 680 rows; 2,500 rows/s");
  st.unit = "candidates";
  st.verb = "generating";
  CHECK(FormatProgress(st, 2.0) == "generating consents: 680 candidates; 2,500 candidates/s");
  st.unit = "rows";
  st.verb = "scanning";
  // A table name from the data cannot move the cursor.
  st.item = "t\r\x1b[2Jx";
  CHECK(FormatProgress(st, 0.0).find('\x1b') == std::string::npos);
  CHECK(FormatProgress(st, 0.0).find('\r') == std::string::npos);
}

// Regression (issue 13): the first report line was glued to "scanning
// consents: 680/680 rows (100%...)" on a terminal.
TEST_CASE("dpo scan on a terminal: the progress line is erased before the report") {
  TempDir dir;
  const std::string cmd = std::string("cd ") + ShellQuote(DPO_SOURCE_DIR) + " && " + ShellQuote(DPO_BINARY) +
                          " scan samples/staffing.db --threads 1 --color never";
  // script(1) gives dpo a terminal on stdout and stderr (bsdutils, always installed on Debian).
  CliRun run = RunDpo(dir, {"--version"});  // the binary exists
  REQUIRE(run.exit_code == 0);
  const std::string full = "script -qec " + ShellQuote(cmd) + " /dev/null >" + ShellQuote(dir.File("tty")) + " 2>&1";
  const int status = std::system(full.c_str());
  REQUIRE(WIFEXITED(status));
  const std::string tty = ReadFile(dir.File("tty"));
  const size_t drawn = tty.rfind("scanning ");
  REQUIRE(drawn != std::string::npos);  // a terminal gets progress
  CHECK(tty.find("(table ") != std::string::npos);  // the sample has several tables
  const size_t cleared = tty.find("\r\033[K", drawn);
  REQUIRE(cleared != std::string::npos);
  // Nothing but the erase between the last progress text and the report.
  const size_t next_text = tty.find_first_not_of("\r\033[K", cleared);
  REQUIRE(next_text != std::string::npos);
  CHECK(tty.substr(drawn, cleared - drawn).find('\n') == std::string::npos);
  CHECK(tty.find("scanning ", next_text) == std::string::npos);
}

// Issue 13: sample generate shows progress too, and erases it before its summary.
TEST_CASE("dpo sample generate on a terminal: progress, erased before the summary line") {
  TempDir dir;
  const std::string cmd = ShellQuote(DPO_BINARY) + " sample generate --rows 3000 -o " + ShellQuote(dir.File("s.db"));
  const std::string full = "script -qec " + ShellQuote(cmd) + " /dev/null >" + ShellQuote(dir.File("tty")) + " 2>&1";
  const int status = std::system(full.c_str());
  REQUIRE(WIFEXITED(status));
  const std::string tty = ReadFile(dir.File("tty"));
  const size_t drawn = tty.rfind("generating the sample: ");
  REQUIRE_MESSAGE(drawn != std::string::npos, tty);
  CHECK(tty.find("/3,000 candidates", drawn) != std::string::npos);
  const size_t cleared = tty.find("\r\033[K", drawn);
  const size_t summary = tty.find("dpo: sample:");
  REQUIRE(cleared != std::string::npos);
  REQUIRE(summary != std::string::npos);
  CHECK(cleared < summary);
  CHECK(tty.substr(drawn, summary - drawn).find('\n') == std::string::npos);
}
