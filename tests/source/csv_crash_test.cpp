// What happens when the process dies in the middle of a CSV rewrite: the file
// must hold either the old rows or the new ones, never a mixture and never a
// truncated file. A child process applies a deletion and is killed with
// SIGKILL after a varying delay; the parent then opens the file read-only
// (which reads a journaled change as committed, changing nothing), then for
// writing (which finishes or removes what the child left), and reads it back.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "source/csv/csv_source.h"
#include "source/source.h"

namespace fs = std::filesystem;

namespace {

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a CSV rewrite killed at any moment leaves the old file or the new one, whole") {
  fs::path dir = fs::temp_directory_path() / ("dpo-csv-crash-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path file = dir / "people.csv";
  {
    std::ofstream out(file, std::ios::binary);
    out << "id;email;last_active_at\n";
    for (int i = 1; i <= 200000; ++i)
      out << i << ";person" << i << "@example.nl;" << (i % 2 ? "2019-01-01" : "2026-01-01") << "\n";
  }
  const std::string before = Slurp(file);

  // The expected result, computed once by an uninterrupted run on a copy.
  fs::path copy = dir / "expected";
  fs::create_directories(copy);
  fs::copy_file(file, copy / "people.csv");
  dpo::source::OpenOptions writable;
  writable.read_only = false;
  dpo::source::WriteOp op;
  op.kind = dpo::source::WriteOp::Kind::kDelete;
  op.table = "people";
  op.where = dpo::source::Predicate::Compare(dpo::source::Predicate::Op::kLt, "last_active_at", "2024-01-01");
  {
    auto src = dpo::source::OpenCsvSource((copy / "people.csv").string(), writable);
    REQUIRE(src.ok());
    auto applied = dpo::source::ApplyAll(**src, {op}, {});
    REQUIRE_MESSAGE(applied.ok(), applied.status().message());
    CHECK(applied->rows_affected[0] == 100000);
  }
  const std::string after = Slurp(copy / "people.csv");
  REQUIRE(after != before);

  int old_seen = 0, new_seen = 0;
  for (int delay_us : {0, 200, 1000, 3000, 8000, 20000, 50000, 200000, 3000000}) {
    // Restore the original before each attempt.
    { std::ofstream(file, std::ios::binary | std::ios::trunc) << before; }
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      auto src = dpo::source::OpenCsvSource(file.string(), writable);
      if (!src.ok()) _exit(3);
      auto applied = dpo::source::ApplyAll(**src, {op}, {});
      _exit(applied.ok() ? 0 : 4);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFEXITED(status)) CHECK(WEXITSTATUS(status) == 0);
    dpo::source::OpenOptions read_only;
    int64_t seen = -1;
    {
      auto ro = dpo::source::OpenCsvSource(file.string(), read_only);
      REQUIRE_MESSAGE(ro.ok(), ro.status().message());
      auto n = (*ro)->Count("people", std::nullopt);
      REQUIRE(n.ok());
      seen = *n;
    }
    {
      auto rw = dpo::source::OpenCsvSource(file.string(), writable);
      REQUIRE_MESSAGE(rw.ok(), rw.status().message());
      auto n = (*rw)->Count("people", std::nullopt);
      REQUIRE(n.ok());
      CHECK(*n == seen);  // the read-only view said what the writable open made of it
    }
    int leftovers = 0;
    for (const auto& e : fs::directory_iterator(dir)) leftovers += e.path().filename().string()[0] == '.';
    CHECK(leftovers == 0);
    std::string now = Slurp(file);
    bool is_old = now == before;
    bool is_new = now == after;
    CHECK_MESSAGE((is_old || is_new), "after a kill at " << delay_us << " us the file is neither old nor new ("
                                                         << now.size() << " bytes)");
    old_seen += is_old;
    new_seen += is_new;
  }
  MESSAGE("killed rewrites: " << old_seen << " left the old file, " << new_seen << " completed");
  fs::remove_all(dir);
}
