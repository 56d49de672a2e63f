// The access package on disk: complete or absent, owner-only, verifiable.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "dsar/package.h"
#include "util/fault.h"

using namespace dpo;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    static int n = 0;
    path = (fs::temp_directory_path() / ("dpo-package-" + std::to_string(getpid()) + "-" + std::to_string(++n))).string();
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  size_t Entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator())); }
};

std::vector<dsar::PackageFile> Files() {
  return {{"data.json", "{\"datasets\": []}\n"}, {"summary.md", "# hi\n"}, {dsar::TableFileName("candidates"), "id\n1\n"}};
}

mode_t Mode(const std::string& p) {
  struct stat st;
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("a package is owner-only and verifies; a change, a missing or an extra file does not") {
  TempDir dir;
  std::string out = dir.path + "/pkg";
  REQUIRE(dsar::WritePackage(out, Files(), {}, false).ok());
  CHECK(Mode(out) == 0700);
  CHECK(Mode(out + "/tables") == 0700);
  for (const char* f : {"/data.json", "/summary.md", "/manifest.json", "/tables/candidates.csv"}) CHECK(Mode(out + f) == 0600);
  auto ok = dsar::VerifyPackage(out);
  REQUIRE(ok.ok());
  CHECK(ok->ok());
  CHECK(ok->files == 3);
  { std::ofstream(out + "/summary.md", std::ios::app) << "x"; }
  { std::ofstream(out + "/extra.txt") << "x"; }
  fs::remove(out + "/data.json");
  auto bad = dsar::VerifyPackage(out);
  REQUIRE(bad.ok());
  CHECK(bad->problems.size() == 3);
  // An existing --out is never written into or over, even an empty directory.
  fs::create_directories(dir.path + "/empty");
  CHECK_FALSE(dsar::WritePackage(dir.path + "/empty", Files(), {}, false).ok());
  CHECK(fs::is_empty(dir.path + "/empty"));
}

TEST_CASE("a zip package verifies, and a table name cannot escape the package") {
  TempDir dir;
  CHECK(dsar::TableFileName("../../etc/passwd") == "tables/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.csv");
  CHECK(dsar::TableFileName("a.b") != dsar::TableFileName("a_2Eb"));
  std::string out = dir.path + "/pkg.zip";
  REQUIRE(dsar::WritePackage(out, Files(), {}, true).ok());
  CHECK(Mode(out) == 0600);
  auto ok = dsar::VerifyPackage(out);
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(ok->ok());
  CHECK(dir.Entries() == 1);  // no temporary file left beside it
}

TEST_CASE("a write that fails midway leaves no package and no temporary directory") {
  for (util::FaultPoint point : {util::FaultPoint::kWrite, util::FaultPoint::kRename}) {
    for (int nth = 1; nth <= (point == util::FaultPoint::kWrite ? 4 : 1); ++nth) {
      TempDir dir;
      util::ArmFault(point, nth);
      Status s = dsar::WritePackage(dir.path + "/pkg", Files(), {}, false);
      util::ArmFault(point, 0);
      CAPTURE(nth);
      CHECK_FALSE(s.ok());
      CHECK(dir.Entries() == 0);
    }
  }
}
