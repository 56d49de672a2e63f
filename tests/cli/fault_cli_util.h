// Running the built dpo under a fault (a file-size limit, a signal, a crash
// at an exact step): a private working copy of the sample and policy, a
// shell prefix before dpo (ulimit, trap), stdout through a pipe (a file-size
// limit must hit dpo's own output files, not the capture of its stdout), and
// what a test compares afterwards: a checksum of a SQLite database or a CSV
// directory, the entries of a directory, permission bits.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli_util.h"

namespace dpo::testing {

inline const std::string kFaultSampleDb = std::string(DPO_SOURCE_DIR) + "/samples/staffing.db";
inline const std::string kFaultSampleCsv = std::string(DPO_SOURCE_DIR) + "/samples/csv";
inline const std::string kFaultPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
inline const std::string kFaultKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

inline mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

inline std::set<std::string> EntriesOf(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) out.insert(e.path().filename().string());
  return out;
}

inline std::string Joined(const std::set<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// A working copy: crm.db, csv/, p.yaml and dpo.key (0600) in a new directory;
// captured output goes to a second directory, so the first lists only what
// the commands made.
struct FaultWork {
  TempDir dir{"dpo-fault"};
  TempDir capture{"dpo-fault-out"};
  std::string db = dir.File("crm.db");
  std::string csv = dir.File("csv");
  std::string policy = dir.File("p.yaml");
  std::string key = dir.File("dpo.key");
  FaultWork() {
    namespace fs = std::filesystem;
    fs::copy_file(kFaultSampleDb, db);
    fs::copy(kFaultSampleCsv, csv, fs::copy_options::recursive);
    // export_tmp.csv is undeclared; keep the CSV copy like the database.
    fs::copy_file(kFaultPolicy, policy);
    dir.Write("dpo.key", kFaultKeyHex + "\n");
    ::chmod(key.c_str(), 0600);
  }

  // `PREFIX; exec dpo ARGS` in bash from the work directory, DPO_KEY unset,
  // stdout through a pipe into the capture directory.
  CliRun Dpo(const std::vector<std::string>& args, const std::string& prefix = "",
             const std::vector<std::string>& env = {}) const {
    std::string inner = prefix + (prefix.empty() ? "" : "; ") + "exec env -u DPO_KEY";
    for (const auto& e : env) inner += " " + ShellQuote(e);
    inner += " " + ShellQuote(DPO_BINARY);
    for (const auto& a : args) inner += " " + ShellQuote(a);
    std::string cmd = "cd " + ShellQuote(dir.path) + " && (" + inner + ") </dev/null 2>" +
                      ShellQuote(capture.File("stderr")) + " | cat >" + ShellQuote(capture.File("stdout")) +
                      "; exit ${PIPESTATUS[0]}";
    int status = std::system(("bash -c " + ShellQuote(cmd)).c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadFile(capture.File("stdout"));
    run.err = ReadFile(capture.File("stderr"));
    return run;
  }

  // Starts dpo in the background (stdout and stderr to files in the capture
  // directory); returns its pid.
  pid_t Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) const {
    // A signal that arrives between fork and exec must not reach the test
    // framework's handlers in the child (it would report a crash of this
    // test): blocked across the fork, set to its default in the child, then
    // let through (it ends the child as it would end dpo).
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigaddset(&term, SIGINT);
    ::sigprocmask(SIG_BLOCK, &term, &old);
    pid_t pid = ::fork();
    if (pid != 0) ::sigprocmask(SIG_SETMASK, &old, nullptr);
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::signal(SIGTERM, SIG_DFL);
      ::signal(SIGINT, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &old, nullptr);
      if (::chdir(dir.path.c_str()) != 0) ::_exit(127);
      std::string out = capture.File("bg.stdout"), err = capture.File("bg.stderr");
      if (!::freopen("/dev/null", "r", stdin) || !::freopen(out.c_str(), "w", stdout) ||
          !::freopen(err.c_str(), "w", stderr))
        ::_exit(127);
      ::unsetenv("DPO_KEY");
      for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(DPO_BINARY));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(DPO_BINARY, argv.data());
      ::_exit(127);
    }
    return pid;
  }
};

// Lines of `text` that start with "dpo: error: ".
inline int ErrorLines(const std::string& text) {
  int n = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    if (text.compare(at, 12, "dpo: error: ") == 0) ++n;
    at = nl + 1;
  }
  return n;
}

// What a SQLite database holds, as one text (sqlite3 .dump: schema and every
// row in rowid order); opening it rolls back a hot journal, as dpo would.
inline std::string DbDump(const std::string& db) {
  std::string cmd = "sqlite3 " + ShellQuote(db) + " .dump";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

// Every *.csv file of a directory, by name, concatenated.
inline std::string CsvDump(const std::string& dir) {
  std::string out;
  for (const std::string& name : EntriesOf(dir))
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0)
      out += "== " + name + "\n" + ReadFile(dir + "/" + name);
  return out;
}

// What dpo reads from a CSV directory: CsvDump, but while a journaled change
// is pending (a commit killed between its renames: `.dpo-journal` lists
// which temporary file replaces which file), each journaled file's
// temporary version where it has not been renamed yet. A read-only open
// reads the same; the next writing open finishes the renames.
inline std::string CsvCommittedDump(const std::string& dir) {
  std::map<std::string, std::string> replaced;  // file name -> temporary file name
  std::string journal = ReadFile(dir + "/.dpo-journal");
  std::istringstream lines(journal);
  std::string line;
  std::getline(lines, line);  // "dpo-journal 1"
  while (std::getline(lines, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;  // the checksum line
    std::string temp = line.substr(0, tab), target = line.substr(tab + 1);
    if (std::filesystem::exists(dir + "/" + temp)) replaced[target] = temp;
  }
  std::string out;
  for (const std::string& name : EntriesOf(dir))
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0) {
      auto it = replaced.find(name);
      out += "== " + name + "\n" + ReadFile(dir + "/" + (it == replaced.end() ? name : it->second));
    }
  return out;
}

// Sends `sig` to `pid` after `delay_ms` (0: at once) unless it has ended; returns
// its wait status and whether the signal landed.
inline std::pair<int, bool> SignalAfter(pid_t pid, int sig, int delay_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return {status, false};
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  if (::waitpid(pid, &status, WNOHANG) == pid) return {status, false};
  ::kill(pid, sig);
  ::waitpid(pid, &status, 0);
  return {status, WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 130)};
}

}  // namespace dpo::testing
