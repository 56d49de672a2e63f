// `dpo sample generate` stopped by SIGINT or SIGTERM (dpo issue 12): it
// removes its .partial files (up to ~90 MB each at --rows 400000), leaves no
// half output and no --csv directory it created, and exits 130 or 143.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "cli_util.h"

extern char** environ;

namespace {

using dpo::testing::ReadFile;
using dpo::testing::TempDir;
namespace fs = std::filesystem;

pid_t Spawn(const std::vector<std::string>& args, const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv_s = {DPO_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, DPO_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

// Every entry under `dir` (recursively), as paths relative to it.
std::vector<std::string> Everything(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) out.push_back(fs::relative(e.path(), dir).string());
  return out;
}

bool AnyPartial(const std::string& dir) {
  for (const std::string& name : Everything(dir))
    if (name.find(".partial") != std::string::npos) return true;
  return false;
}

// Starts `generate ARGS`, signals it once a .partial file exists under
// `out_dir`, and checks that it ended by itself with 128 + the signal.
void InterruptGenerate(int signo, const std::vector<std::string>& args, const std::string& out_dir) {
  TempDir capture{"dpo-sample-sig"};
  std::vector<std::string> all = {"sample", "generate", "--rows", "400000"};
  all.insert(all.end(), args.begin(), args.end());
  pid_t pid = Spawn(all, capture.File("err"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  bool signalled = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    if (AnyPartial(out_dir)) {
      // Let it write for a moment: the signal lands mid-generation.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      REQUIRE(::kill(pid, signo) == 0);
      signalled = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!signalled) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL("generate neither started writing nor finished within 30 s");
  }
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  std::string err = ReadFile(capture.File("err"));
  CAPTURE(err);
  REQUIRE(WIFEXITED(status));  // not killed by the signal: it cleaned up
  CHECK(WEXITSTATUS(status) == 128 + signo);
  CHECK(err.find("interrupted") != std::string::npos);
}

}  // namespace

TEST_CASE("sample generate: SIGINT removes the partial SQLite file and exits 130") {
  TempDir dir{"dpo-sample-int"};
  InterruptGenerate(SIGINT, {"--out", dir.File("big.db")}, dir.path);
  std::vector<std::string> left = Everything(dir.path);
  CHECK_MESSAGE(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

TEST_CASE("sample generate: SIGTERM removes the partial CSV files and the directory it made, exits 143") {
  TempDir dir{"dpo-sample-term"};
  InterruptGenerate(SIGTERM, {"--csv", dir.File("csv"), "--out", dir.File("big.db")}, dir.path);
  std::vector<std::string> left = Everything(dir.path);
  CHECK_MESSAGE(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}

TEST_CASE("sample generate: SIGINT keeps a --csv directory that was there before, empty of partial files") {
  TempDir dir{"dpo-sample-keep"};
  fs::create_directory(dir.File("csv"));
  InterruptGenerate(SIGINT, {"--csv", dir.File("csv")}, dir.path);
  CHECK(fs::is_directory(dir.File("csv")));
  CHECK(Everything(dir.File("csv")).empty());
}
