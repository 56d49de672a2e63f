// CSV: injected faults and SIGKILL in the middle of a large multi-table
// delete leave the directory entirely before or entirely after, as the
// read-only view says before anything is repaired and as the next writable
// open leaves it (and says in Notices()).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "csv_test_util.h"
#include "sample/generator.h"
#include "source/csv/csv_source.h"
#include "source/sqlite/sqlite_source.h"
#include "write_faults.h"

using namespace dpo;
namespace fs = std::filesystem;

namespace {

using Relations = std::vector<std::pair<std::string, source::ForeignKey>>;

bool Mentions(const std::vector<std::string>& notices, const std::string& what) {
  for (const std::string& n : notices)
    if (n.find(what) != std::string::npos) return true;
  return false;
}

struct CsvFixture {
  source::csv_test::TempDir dir;
  std::string golden_db = dir.File("golden.db");
  std::string golden = dir.File("golden");
  std::string work = dir.File("work");
  Relations declared;
  testing::Snapshot before, after;
  static constexpr int kLastId = 15000;

  // What the last Classify() saw.
  std::vector<std::string> notices;
  int leftovers = 0;  // hidden files in the directory after the writable open

  CsvFixture() {
    sample::GenerateOptions options;
    options.sqlite_path = golden_db;
    options.csv_dir = golden;
    options.rows = 20000;
    options.seed = 5;
    auto generated = sample::GenerateSample(options);
    REQUIRE_MESSAGE(generated.ok(), generated.status().message());
    // The relations a policy would declare for the export: the SQLite schema's.
    {
      auto db = source::OpenSqliteSource(golden_db, source::OpenOptions{});
      REQUIRE(db.ok());
      auto tables = (*db)->ListTables();
      REQUIRE(tables.ok());
      for (const std::string& t : *tables) {
        auto described = (*db)->Describe(t);
        REQUIRE(described.ok());
        for (source::ForeignKey fk : described->foreign_keys) {
          fk.origin = "policy";
          declared.emplace_back(t, fk);
        }
      }
    }
    REQUIRE(!declared.empty());
    Reset();
    before = Snapshot(false);
    {
      auto src = Open(false);
      Status s = testing::DeleteCandidates(*src, declared, kLastId);
      REQUIRE_MESSAGE(s.ok(), s.message());
    }
    after = Snapshot(false);
    REQUIRE(before != after);
    Reset();
  }
  void Reset() {
    fs::remove_all(work);
    fs::copy(golden, work);
  }
  std::unique_ptr<source::Source> Open(bool read_only) {
    source::OpenOptions options;
    options.read_only = read_only;
    auto src = source::OpenCsvSource(work, options);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    (*src)->DeclareRelations(declared);
    return std::move(*src);
  }
  testing::Snapshot Snapshot(bool read_only) {
    auto src = Open(read_only);
    notices = src->Notices();
    return testing::TakeSnapshot(*src);
  }
  int HiddenFiles() {
    int n = 0;
    for (const auto& e : fs::directory_iterator(work)) n += e.path().filename().string()[0] == '.';
    return n;
  }
  // 0 before, 1 after, -1 torn. The read-only view (taken first, changing
  // nothing) and the writable open (which finishes or removes what was left)
  // must agree, and the writable open must say what it did.
  int Classify() {
    testing::Snapshot seen = Snapshot(true);
    const int hidden_before = HiddenFiles();
    testing::Snapshot now = Snapshot(false);
    leftovers = HiddenFiles();
    CHECK(seen == now);
    CHECK(leftovers == 0);
    int state = now == before ? 0 : now == after ? 1 : -1;
    if (Mentions(notices, "finished an interrupted change")) CHECK(state == 1);
    if (Mentions(notices, "never committed")) CHECK(state == 0);
    if (hidden_before == 0) CHECK(notices.empty());
    else CHECK_FALSE(notices.empty());
    return state;
  }
};

}  // namespace

TEST_CASE("CSV: an injected fault at any write, fsync or rename leaves the files before or after, never between") {
  CsvFixture f;
  struct Point {
    util::FaultPoint point;
    const char* name;
  };
  for (Point p : {Point{util::FaultPoint::kWrite, "write"}, Point{util::FaultPoint::kFsync, "fsync"},
                  Point{util::FaultPoint::kRename, "rename"}}) {
    int failed = 0, before = 0, after = 0, finished_later = 0;
    bool completed = false;
    for (int nth = 1; nth <= 60 && !completed; ++nth) {
      CAPTURE(std::string(p.name));
      CAPTURE(nth);
      f.Reset();
      Status s;
      {
        auto src = f.Open(false);
        util::ArmFault(p.point, nth);
        s = testing::DeleteCandidates(*src, f.declared, CsvFixture::kLastId);
        util::ArmFault(p.point, 0);
      }
      int state = f.Classify();
      CHECK(state >= 0);
      if (s.ok()) {  // fewer such operations than nth: the run completed
        CHECK(state == 1);
        completed = true;
        break;
      }
      ++failed;
      CHECK(s.message().find("injected fault") != std::string::npos);
      if (state == 0) ++before;
      if (state == 1) {
        ++after;
        // A failure after the journal was in place: committed, finished by the next writable open.
        CHECK(s.message().find("committed") != std::string::npos);
        finished_later += Mentions(f.notices, "finished an interrupted change");
      }
    }
    CHECK(completed);
    CHECK(failed > 0);
    MESSAGE("CSV faults at " << std::string(p.name) << ": " << failed << " injected; " << before << " left before, " << after
                             << " after (" << finished_later << " finished by the next writable open)");
  }
  // At commit: nothing is written.
  f.Reset();
  {
    auto src = f.Open(false);
    util::ArmFault(util::FaultPoint::kCommit, 1);
    Status s = testing::DeleteCandidates(*src, f.declared, CsvFixture::kLastId);
    util::ArmFault(util::FaultPoint::kCommit, 0);
    CHECK_FALSE(s.ok());
  }
  CHECK(f.Classify() == 0);
}

TEST_CASE("CSV: SIGKILL at many points of a large multi-table delete; every time before or after") {
  CsvFixture f;
  auto work = [&] {
    source::OpenOptions options;
    options.read_only = false;
    auto src = source::OpenCsvSource(f.work, options);
    if (!src.ok()) return 2;
    (*src)->DeclareRelations(f.declared);
    return testing::DeleteCandidates(**src, f.declared, CsvFixture::kLastId).ok() ? 0 : 1;
  };
  // How long a forked child takes from fork to exit, run to the end.
  f.Reset();
  auto started = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(work());
  int status = 0;
  ::waitpid(pid, &status, 0);
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(f.Classify() == 1);
  int finished_by_open = 0, removed_by_open = 0;
  auto classify = [&] {
    int state = f.Classify();
    finished_by_open += Mentions(f.notices, "finished an interrupted change");
    removed_by_open += Mentions(f.notices, "never committed");
    return state;
  };
  auto add = [](testing::KillReport* total, const testing::KillReport& r) {
    total->kills += r.kills;
    total->finished += r.finished;
    total->before += r.before;
    total->after += r.after;
  };
  // Spread over the whole run...
  std::vector<int> delays;
  for (int i = 0; i < 24; ++i) delays.push_back(static_cast<int>(took.count() * 1.1 * i / 24));
  testing::KillReport report = testing::KillAtManyPoints(delays, [&] { f.Reset(); }, work, classify);
  // ...then around the commit (fsyncs, the journal, the renames: a few
  // milliseconds), whose moment varies from run to run on a shared machine:
  // later after a kill that came too early, earlier after a child that finished.
  double at = took.count() * 0.97;
  for (int i = 0; i < 16; ++i) {
    testing::KillReport one = testing::KillAtManyPoints({static_cast<int>(at)}, [&] { f.Reset(); }, work, classify);
    add(&report, one);
    if (one.finished > 0) at *= 0.96;
    else if (one.before > 0) at *= 1.03;
  }
  const int points = 24 + 16;
  MESSAGE("CSV kill test: a child ran the delete in " << took.count() / 1000 << " ms; " << report.kills << " kills, "
                                        << report.finished << " finished first; " << report.before
                                        << " ended before, " << report.after << " after; the next writable open "
                                        << "finished " << finished_by_open << " journaled change(s) and removed the "
                                        << "temporary files of " << removed_by_open);
  CHECK(report.before + report.after == points);
  CHECK(report.kills > 0);
}
