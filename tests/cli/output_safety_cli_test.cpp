// Issue 7: a read-only command never destroys its input or a system file
// through an output path, and never loses its output silently.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_util.h"

using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;

namespace fs = std::filesystem;

namespace {

const std::string kSampleDb = std::string(DPO_SOURCE_DIR) + "/samples/staffing.db";
const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
const std::string kCsvDir = std::string(DPO_SOURCE_DIR) + "/samples/csv";

// A private copy of the inputs, so a bug here can only destroy the copy.
struct Inputs {
  TempDir dir{"dpo-out"};
  std::string db = dir.File("crm.db");
  std::string policy = dir.File("p.yaml");
  std::string csv = dir.File("csv");
  Inputs() {
    fs::copy_file(kSampleDb, db);
    fs::copy_file(kPolicy, policy);
    fs::copy(kCsvDir, csv, fs::copy_options::recursive);
  }
  // Byte-identical to the originals.
  void CheckUntouched() const {
    CHECK(ReadFile(db) == ReadFile(kSampleDb));
    CHECK(ReadFile(policy) == ReadFile(kPolicy));
    for (const auto& e : fs::directory_iterator(kCsvDir))
      CHECK(ReadFile(csv + "/" + e.path().filename().string()) == ReadFile(e.path().string()));
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(csv)) { (void)e; ++files; }
    CHECK(files == static_cast<size_t>(std::distance(fs::directory_iterator(kCsvDir), fs::directory_iterator())));
  }
};

// Every subcommand that writes a file, with the flag that names the file.
struct Writer {
  const char* name;
  std::vector<std::string> (*args)(const Inputs&, const std::string& out);
};

std::vector<Writer> Writers() {
  return {
      {"scan -o", [](const Inputs& in, const std::string& out) {
         return std::vector<std::string>{"scan", "--policy", in.policy, "--force", "-o", out, in.db};
       }},
      {"scan -o (csv)", [](const Inputs& in, const std::string& out) {
         return std::vector<std::string>{"scan", "--policy", in.policy, "--force", "-o", out, in.csv};
       }},
      {"policy init --out", [](const Inputs& in, const std::string& out) {
         return std::vector<std::string>{"policy", "init", "--schema-only", "--force", "--out", out, in.db};
       }},
      {"retention plan --out", [](const Inputs& in, const std::string& out) {
         return std::vector<std::string>{"retention", "plan", "--policy", in.policy, "--force", "--out", out, in.db};
       }},
      {"retention plan --out (csv)", [](const Inputs& in, const std::string& out) {
         return std::vector<std::string>{"retention", "plan", "--policy", in.policy, "--force", "--out", out, in.csv};
       }},
      {"sample generate --out", [](const Inputs&, const std::string& out) {
         return std::vector<std::string>{"sample", "generate", "--rows", "5", "--force", "--out", out};
       }},
      {"sample generate --truth", [](const Inputs& in, const std::string& out) {
         return std::vector<std::string>{"sample", "generate", "--rows", "5", "--force", "--out",
                                         in.dir.File("fresh.db"), "--truth", out};
       }},
  };
}

}  // namespace

TEST_CASE("an output path that is an input of the command is refused, and nothing changes") {
  Inputs in;
  fs::create_symlink(in.db, in.dir.File("link.db"));
  fs::create_hard_link(in.db, in.dir.File("hard.db"));
  const std::vector<std::pair<std::string, std::string>> targets = {
      {in.db, "the source"},
      {in.policy, "the policy"},
      {in.csv + "/candidates.csv", "the source"},
      {in.csv + "/new-report.json", "inside the source directory"},
      {in.dir.File("link.db"), "the source"},
      {in.dir.File("hard.db"), "the source"},
      {in.db + "-wal", "side file"},
  };
  for (const Writer& w : Writers()) {
    if (std::string(w.name).find("sample") != std::string::npos) continue;  // reads nothing
    for (const auto& target_entry : targets) {
      const auto& target = target_entry.first;
      const auto& why = target_entry.second;
      // The CSV directory protects only the CSV scan; the SQLite file only the others.
      bool csv_target = target.find("/csv/") != std::string::npos;
      bool csv_writer = std::string(w.name).find("csv") != std::string::npos;
      bool db_target = target == in.db || target.find("link.db") != std::string::npos ||
                       target.find("hard.db") != std::string::npos || target == in.db + "-wal";
      if (csv_target && !csv_writer) continue;
      if (db_target && csv_writer) continue;
      if (target == in.policy && std::string(w.name).find("init") != std::string::npos) continue;
      CAPTURE(w.name);
      CAPTURE(target);
      auto run = RunDpo(in.dir, w.args(in, target));
      CHECK(run.exit_code == 2);
      CHECK(run.err.find(why) != std::string::npos);
      CHECK(run.err.find("dpo: error: ") == 0);
    }
  }
  in.CheckUntouched();
  CHECK(fs::is_symlink(in.dir.File("link.db")));
}

TEST_CASE("a directory, a FIFO without a reader, a socket path or an existing file without --force is refused") {
  Inputs in;
  std::string fifo = in.dir.File("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  fs::create_directory(in.dir.File("adir"));
  for (const Writer& w : Writers()) {
    CAPTURE(w.name);
    auto to_dir = RunDpo(in.dir, w.args(in, in.dir.File("adir")));
    CHECK(to_dir.exit_code == 2);
    CHECK(to_dir.err.find("is a directory") != std::string::npos);
    CHECK(fs::is_directory(in.dir.File("adir")));

    auto to_fifo = RunDpo(in.dir, w.args(in, fifo));  // must not block: no reader
    CHECK(to_fifo.exit_code == 2);
    CHECK(to_fifo.err.find("FIFO") != std::string::npos);
    struct stat st{};
    REQUIRE(::lstat(fifo.c_str(), &st) == 0);
    CHECK(S_ISFIFO(st.st_mode));
  }
  std::string existing = in.dir.Write("existing.txt", "keep me");
  auto run = RunDpo(in.dir, {"scan", "-o", existing, in.db});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("--force") != std::string::npos);
  CHECK(ReadFile(existing) == "keep me");
  in.CheckUntouched();
}

TEST_CASE("a FIFO with a reader gets the report in place; the node stays a FIFO") {
  Inputs in;
  std::string fifo = in.dir.File("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string copy = in.dir.File("copy.json");
  // The reader runs in the background until the writer closes the FIFO.
  std::string cmd = "cat " + ShellQuote(fifo) + " > " + ShellQuote(copy) + " & sleep 0.3; " +
                    ShellQuote(DPO_BINARY) + " scan --format json -o " + ShellQuote(fifo) + " " +
                    ShellQuote(in.db) + " 2>/dev/null; rc=$?; wait; exit $rc";
  int status = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(ReadFile(copy).find("\"findings\"") != std::string::npos);
  struct stat st{};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  in.CheckUntouched();
}

TEST_CASE("a character device is written in place, never replaced (our own node, when we may make one)") {
  Inputs in;
  std::string dev = in.dir.File("null");
  if (::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    MESSAGE("cannot create a device node here (not root); skipped");
    return;
  }
  for (const Writer& w : Writers()) {
    CAPTURE(w.name);
    auto run = RunDpo(in.dir, w.args(in, dev));
    bool must_be_file = std::string(w.name).find("sample") != std::string::npos;
    if (must_be_file) {
      CHECK(run.exit_code == 2);  // a database or JSON renamed into place must be a regular file
      CHECK(run.err.find("device") != std::string::npos);
    } else {
      CHECK_MESSAGE((run.exit_code == 0 || run.exit_code == 1), run.err);
    }
    struct stat st{};
    REQUIRE(::lstat(dev.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    CHECK(st.st_rdev == makedev(1, 3));
  }
  in.CheckUntouched();
}

namespace {

// Runs dpo with stdout on `stdout_path` (a device such as /dev/full) and
// returns the exit code; stderr goes to `err_file`.
int RunWithStdout(const std::vector<std::string>& args, const std::string& stdout_path, const std::string& err_file,
                  const std::string& stdin_text = "") {
  std::string cmd = "cd " + ShellQuote(DPO_SOURCE_DIR) + " && ";
  if (!stdin_text.empty()) cmd += "printf '%s\\n' " + ShellQuote(stdin_text) + " | ";
  cmd += ShellQuote(DPO_BINARY);
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  if (stdin_text.empty()) cmd += " </dev/null";
  cmd += " >" + ShellQuote(stdout_path) + " 2>" + ShellQuote(err_file);
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::vector<std::vector<std::string>>& PrintingCommands() {
  static const std::vector<std::vector<std::string>> commands = {
      {"policy", "check", "--format", "json", "policies/staffing-agency.yaml"},
      {"policy", "check", "policies/staffing-agency.yaml"},
      {"policy", "show", "policies/staffing-agency.yaml"},
      {"policy", "init", "--schema-only", "samples/staffing.db"},
      {"inspect", "samples/staffing.db"},
      {"inspect", "--format", "json", "samples/csv"},
      {"scan", "samples/staffing.db"},
      {"scan", "--policy", "policies/staffing-agency.yaml", "--format", "html", "samples/staffing.db"},
      {"detect"},
      {"retention", "plan", "--policy", "policies/staffing-agency.yaml", "samples/staffing.db"},
      {"--help"},
      {"--version"},
      {"help", "scan"},
  };
  return commands;
}

}  // namespace

TEST_CASE("stdout on a full disk (/dev/full): exit 2 and one error line, for every subcommand that prints") {
  struct stat st{};
  if (::stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode)) {
    MESSAGE("/dev/full is missing; skipped");
    return;
  }
  TempDir dir;
  for (const auto& args : PrintingCommands()) {
    CAPTURE(args[0]);
    CAPTURE(args.back());
    bool detect = args[0] == "detect";
    int code = RunWithStdout(args, "/dev/full", dir.File("err"), detect ? "mail jan.devries@example.nl" : "");
    std::string err = ReadFile(dir.File("err"));
    CHECK(code == 2);
    CHECK(err.find("dpo: error: standard output: No space left on device") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  }
}

TEST_CASE("a reader that closes the pipe early ends the command quietly, not by SIGPIPE") {
  TempDir dir;
  // Enough output to fill the pipe: a big detect input whose every line has a hit.
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "mail jan.devries@example.nl en bel 06-12345678\n";
  std::string input = dir.Write("big.txt", big);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"detect", input}, {"scan", "--format", "json", "samples/staffing.db"}, {"inspect", "samples/csv"}}) {
    CAPTURE(args[0]);
    std::string cmd = "cd " + ShellQuote(DPO_SOURCE_DIR) + " && " + ShellQuote(DPO_BINARY);
    for (const auto& a : args) cmd += " " + ShellQuote(a);
    cmd += " 2>" + ShellQuote(dir.File("err")) + " | head -c 10 >/dev/null; exit ${PIPESTATUS[0]}";
    std::string bash = "bash -c " + ShellQuote(cmd);
    int status = std::system(bash.c_str());
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    CHECK(code != 141);  // 128 + SIGPIPE
    CHECK((code == 0 || code == 1));
    CHECK(ReadFile(dir.File("err")).empty());
  }
}
