// SQLite: injected faults and SIGKILL in the middle of a large multi-table
// delete leave the database entirely before or entirely after.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "csv_test_util.h"
#include "sample/generator.h"
#include "source/sqlite/sqlite_source.h"
#include "write_faults.h"

using namespace dpo;
namespace fs = std::filesystem;

namespace {

struct SqliteFixture {
  source::csv_test::TempDir dir;
  std::string golden = dir.File("golden.db");
  std::string work = dir.File("work.db");
  testing::Snapshot before, after;
  static constexpr int kLastId = 15000;

  SqliteFixture() {
    sample::GenerateOptions options;
    options.sqlite_path = golden;
    options.rows = 20000;
    options.seed = 5;
    auto generated = sample::GenerateSample(options);
    REQUIRE_MESSAGE(generated.ok(), generated.status().message());
    Reset();
    before = Snapshot();
    {
      auto src = Open();
      REQUIRE(testing::DeleteCandidates(*src, {}, kLastId).ok());
    }
    after = Snapshot();
    REQUIRE(before != after);
    Reset();
  }
  void Reset() {
    for (const char* side : {"", "-journal", "-wal", "-shm"}) fs::remove(work + side);
    fs::copy_file(golden, work);
  }
  std::unique_ptr<source::Source> Open() {
    source::OpenOptions options;
    options.read_only = false;  // a writable open rolls back a hot journal
    auto src = source::OpenSqliteSource(work, options);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    return std::move(*src);
  }
  testing::Snapshot Snapshot() {
    auto src = Open();
    return testing::TakeSnapshot(*src);
  }
  int Classify() {
    testing::Snapshot now = Snapshot();
    return now == before ? 0 : now == after ? 1 : -1;
  }
};

}  // namespace

TEST_CASE("SQLite: an injected fault at any write or at commit leaves the database as before") {
  SqliteFixture f;
  for (int nth = 1; nth <= 8; ++nth) {
    CAPTURE(nth);
    f.Reset();
    util::ArmFault(util::FaultPoint::kWrite, nth);
    Status s;
    {
      auto src = f.Open();
      s = testing::DeleteCandidates(*src, {}, SqliteFixture::kLastId);
    }
    util::ArmFault(util::FaultPoint::kWrite, 0);
    if (s.ok()) {  // fewer writes than nth: the run completed
      CHECK(f.Classify() == 1);
      break;
    }
    CHECK(s.message().find("injected fault") != std::string::npos);
    CHECK(f.Classify() == 0);
  }
  f.Reset();
  util::ArmFault(util::FaultPoint::kCommit, 1);
  {
    auto src = f.Open();
    Status s = testing::DeleteCandidates(*src, {}, SqliteFixture::kLastId);
    CHECK_FALSE(s.ok());
  }
  util::ArmFault(util::FaultPoint::kCommit, 0);
  CHECK(f.Classify() == 0);
}

TEST_CASE("SQLite: SIGKILL at many points of a large multi-table delete; every time before or after") {
  SqliteFixture f;
  auto started = std::chrono::steady_clock::now();
  {
    auto src = f.Open();
    REQUIRE(testing::DeleteCandidates(*src, {}, SqliteFixture::kLastId).ok());
  }
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  std::vector<int> delays;
  const int points = 30;
  for (int i = 0; i < points; ++i) delays.push_back(static_cast<int>(took.count() * 1.3 * i / points));
  auto report = testing::KillAtManyPoints(
      delays, [&] { f.Reset(); },
      [&] {
        source::OpenOptions options;
        options.read_only = false;
        auto src = source::OpenSqliteSource(f.work, options);
        if (!src.ok()) return 2;
        return testing::DeleteCandidates(**src, {}, SqliteFixture::kLastId).ok() ? 0 : 1;
      },
      [&] { return f.Classify(); });
  MESSAGE("SQLite kill test: delete took " << took.count() / 1000 << " ms; " << report.kills << " kills, "
                                           << report.finished << " finished first; " << report.before
                                           << " ended before, " << report.after << " after");
  CHECK(report.before + report.after == points);
  CHECK(report.kills > 0);
}
