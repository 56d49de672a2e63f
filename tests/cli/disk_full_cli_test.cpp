// Issue 12: a full disk while a command writes its output. The disk is
// "full" through a file-size limit on the dpo process (bash `ulimit -f`, with
// SIGXFSZ ignored so that a write fails with EFBIG as it would with ENOSPC).
// For every command that writes a file: exit 2, one error line, and no output
// that looks complete: the path is absent, or the file --force was to replace
// is as it was, and no temporary file is left beside it. Each case first runs
// without the limit, to prove that its output is larger than the limit (else
// the case could not fail). The audit log, the ledger and the data of an
// apply: the source unchanged, the audit log as it was (and verifiable), the
// ledger without a tombstone of a change that did not happen.
#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "fault_cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::DbDump;
using dpo::testing::CsvDump;
using dpo::testing::EntriesOf;
using dpo::testing::ErrorLines;
using dpo::testing::FaultWork;
using dpo::testing::Joined;
using dpo::testing::ReadFile;
namespace fs = std::filesystem;

namespace {

// 1 KiB: smaller than every output below, larger than an error message.
const std::string kFull = "trap '' XFSZ; ulimit -f 1";

struct Case {
  const char* name;
  std::function<std::vector<std::string>(const FaultWork&, const std::string& out)> args;
  const char* out_name;
  bool directory = false;  // the output is a directory
  bool force = false;      // --force may replace an existing output
};

std::vector<std::string> With(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

std::vector<Case> Cases() {
  const std::vector<std::string> scan = {"scan", "--policy", "p.yaml", "--as-of", "2026-11-01", "-q"};
  return {
      {"scan -o json", [=](const FaultWork&, const std::string& o) { return With(scan, {"--format", "json", "-o", o, "crm.db"}); },
       "report.json", false, true},
      {"scan -o sarif", [=](const FaultWork&, const std::string& o) { return With(scan, {"--format", "sarif", "-o", o, "csv"}); },
       "report.sarif", false, true},
      {"scan -o html", [=](const FaultWork&, const std::string& o) { return With(scan, {"--format", "html", "-o", o, "crm.db"}); },
       "report.html", false, true},
      {"retention plan -o",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"retention", "plan", "--policy", "p.yaml", "--as-of", "2026-11-01", "-o", o, "crm.db"};
       },
       "plan.json", false, true},
      {"retention notices -o",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"retention", "notices", "--policy", "p.yaml", "--as-of", "2026-11-01",
                                         "--within", "365d", "-o", o, "crm.db"};
       },
       "notices.csv", false, true},
      {"dsar export --out DIR",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"dsar", "export", "--policy", "p.yaml", "crm.db", "--subject",
                                         "email=gertjan_jansen4@yahoo.com", "--received", "2026-11-02", "--out", o};
       },
       "package", true, false},
      {"dsar export --zip",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"dsar", "export", "--policy", "p.yaml", "crm.db", "--subject",
                                         "email=gertjan_jansen4@yahoo.com", "--received", "2026-11-02", "--zip",
                                         "--out", o};
       },
       "package.zip", false, false},
      {"erase plan -o",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"erase", "plan", "--policy", "p.yaml", "crm.db", "--subject",
                                         "email=iris_veld1@kpnmail.nl", "--as-of", "2026-11-01", "-o", o};
       },
       "erase.json", false, true},
      {"anonymise --out SQLite",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"anonymise", "--policy", "p.yaml", "crm.db", "--out", o, "--key-file",
                                         "dpo.key", "--as-of", "2026-11-01", "-q"};
       },
       "anon.db", false, true},
      {"anonymise --out CSV",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"anonymise", "--policy", "p.yaml", "crm.db", "--out", o + "/", "--key-file",
                                         "dpo.key", "--as-of", "2026-11-01", "-q"};
       },
       "anon-csv", true, true},
      {"export -o",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"export", "--policy", "p.yaml", "crm.db", "--recipient", "clients",
                                         "--purpose", "mediation", "--table", "candidates", "--where",
                                         "status=active", "-o", o, "--audit-log", "export-audit.jsonl"};
       },
       "clients.csv", false, true},
      {"policy init --out",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"policy", "init", "crm.db", "--out", o};
       },
       "draft.yaml", false, true},
      {"sample generate --out",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"sample", "generate", "--rows", "20", "--out", o};
       },
       "sample.db", false, true},
      {"sample generate --csv",
       [](const FaultWork&, const std::string& o) {
         return std::vector<std::string>{"sample", "generate", "--rows", "20", "--csv", o};
       },
       "sample-csv", true, true},
  };
}

uintmax_t SizeOf(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return fs::file_size(path, ec);
  uintmax_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(path, ec))
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  return total;
}

std::string FirstErrorLine(const std::string& err) {
  size_t at = err.find("dpo: error: ");
  if (at == std::string::npos) return "(no error line)";
  return err.substr(at, err.find('\n', at) - at);
}

}  // namespace

TEST_CASE("disk full: every command that writes a file fails with exit 2, one error line and no complete-looking output") {
  std::ostringstream table;
  table << "\n| command | output absent before | --force over a previous output |\n|---|---|---|\n";
  for (const Case& c : Cases()) {
    const std::string command = c.name;
    CAPTURE(command);
    FaultWork w;
    const std::string out = w.dir.File(c.out_name);
    // Unlimited, the command works and writes more than the limit.
    CliRun ok = w.Dpo(c.args(w, c.out_name));
    REQUIRE_MESSAGE((ok.exit_code == 0 || ok.exit_code == 1), ok.err);
    REQUIRE(fs::exists(out));
    REQUIRE(SizeOf(out) > 1024);
    fs::remove_all(out);
    fs::remove(w.dir.File("export-audit.jsonl"));
    const auto before = EntriesOf(w.dir.path);
    const std::string db_before = ReadFile(w.db);

    // 1. No output before: none after, and nothing else left in the directory.
    CliRun full = w.Dpo(c.args(w, c.out_name), kFull);
    CHECK(full.exit_code == 2);
    CHECK_MESSAGE(ErrorLines(full.err) == 1, full.err);
    const bool left = fs::exists(fs::symlink_status(out));
    CHECK_FALSE(left);
    CHECK_MESSAGE(EntriesOf(w.dir.path) == before, "left behind: " << Joined(EntriesOf(w.dir.path)));
    CHECK(ReadFile(w.db) == db_before);
    std::string first = FirstErrorLine(full.err);
    std::string forced = "not offered";

    // 2. --force over a previous output: the previous one is still there, whole.
    if (c.force) {
      if (c.directory) {
        fs::create_directory(out);
        w.dir.Write(std::string(c.out_name) + "/previous.csv", "id\n1\n");
      } else {
        w.dir.Write(c.out_name, "previous\n");
      }
      const auto with_previous = EntriesOf(w.dir.path);
      std::vector<std::string> args = c.args(w, c.out_name);
      args.push_back("--force");
      CliRun again = w.Dpo(args, kFull);
      CHECK(again.exit_code == 2);
      CHECK_MESSAGE(ErrorLines(again.err) == 1, again.err);
      if (c.directory) {
        CHECK(EntriesOf(out) == std::set<std::string>{"previous.csv"});
        CHECK(ReadFile(out + "/previous.csv") == "id\n1\n");
      } else {
        CHECK(ReadFile(out) == "previous\n");
      }
      CHECK_MESSAGE(EntriesOf(w.dir.path) == with_previous, "left behind: " << Joined(EntriesOf(w.dir.path)));
      forced = again.exit_code == 2 && ErrorLines(again.err) == 1 ? "exit 2, previous intact" : "FAILED";
    }
    table << "| " << c.name << " | exit " << full.exit_code << ", " << (left ? "output left" : "absent")
          << ": `" << first.substr(0, 150) << "` | " << forced << " |\n";
  }
  MESSAGE(table.str());
}

TEST_CASE("disk full: an audit log that cannot grow keeps its last whole entry and still verifies") {
  FaultWork w;
  const std::vector<std::string> notices = {"retention", "notices", "--policy", "p.yaml", "--as-of", "2026-11-01",
                                            "-o", "-", "--audit-log", "audit.jsonl", "--force", "crm.db"};
  // Enough entries that the log is larger than the limit.
  for (int i = 0; i < 3 && (!fs::exists(w.dir.File("audit.jsonl")) || fs::file_size(w.dir.File("audit.jsonl")) <= 1024); ++i)
    REQUIRE(w.Dpo(notices).exit_code == 0);
  REQUIRE(fs::file_size(w.dir.File("audit.jsonl")) > 1024);
  const std::string log = ReadFile(w.dir.File("audit.jsonl"));
  CliRun full = w.Dpo(notices, kFull);
  CHECK(full.exit_code == 2);
  CHECK_MESSAGE(ErrorLines(full.err) == 1, full.err);
  CHECK(full.err.find("audit log") != std::string::npos);
  CHECK(ReadFile(w.dir.File("audit.jsonl")) == log);
  CHECK(w.Dpo({"audit", "verify", "audit.jsonl"}).exit_code == 0);
}

TEST_CASE("disk full: retention apply and erase apply change nothing, and leave the ledger and audit log as they were") {
  for (const char* kind : {"retention", "erase"}) {
    CAPTURE(kind);
    FaultWork w;
    std::vector<std::string> plan =
        std::string(kind) == "retention"
            ? std::vector<std::string>{"retention", "plan", "--policy", "p.yaml", "--as-of", "2026-11-01", "-o",
                                       "plan.json", "crm.db"}
            : std::vector<std::string>{"erase", "plan", "--policy", "p.yaml", "crm.db", "--subject",
                                       "email=iris_veld1@kpnmail.nl", "--as-of", "2026-11-01", "-o", "plan.json"};
    REQUIRE(w.Dpo(plan).exit_code == 0);
    const std::string dump = DbDump(w.db);
    const std::vector<std::string> apply = {kind, "apply", "plan.json", "crm.db", "--max-percent", "100",
                                            "--key-file", "dpo.key", "--ledger", "ledger.db", "--audit-log",
                                            "audit.jsonl"};
    const auto before = EntriesOf(w.dir.path);
    CliRun full = w.Dpo(apply, kFull);
    CHECK(full.exit_code == 2);
    CHECK_MESSAGE(ErrorLines(full.err) == 1, full.err);
    CHECK(DbDump(w.db) == dump);
    CHECK_FALSE(fs::exists(w.dir.File("audit.jsonl")));
    // Regression: the ledger this run could not set up stayed as an empty
    // file, which every later apply, replay and stats refused as "not a dpo
    // erasure ledger".
    CHECK_FALSE(fs::exists(w.dir.File("ledger.db")));
    auto after = EntriesOf(w.dir.path);
    after.erase("crm.db.dpo-sweep.lock");
    CHECK_MESSAGE(after == before, "left behind: " << Joined(after));
    // Without the limit the same apply then goes through.
    CliRun ok = w.Dpo(apply);
    CHECK_MESSAGE(ok.exit_code == (std::string(kind) == "retention" ? 1 : 0), ok.err);
    CHECK(DbDump(w.db) != dump);
    CHECK(w.Dpo({"audit", "verify", "audit.jsonl"}).exit_code == 0);
  }
}
