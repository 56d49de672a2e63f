// The output of `dpo export`: complete under its name or absent, owner-only
// whatever the umask, an existing output replaced only with overwrite and
// only when complete, put back when the disclosure is retracted, and a
// directory replaced only when an earlier export wrote it.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "share/export_output.h"
#include "share_test_util.h"
#include "util/fault.h"

using namespace dpo;
using namespace dpo::share_test;

namespace {

struct Umask {
  mode_t old;
  explicit Umask(mode_t mask) : old(::umask(mask)) {}
  ~Umask() { ::umask(old); }
};

std::unique_ptr<share::ExportOutput> File(const std::string& path, bool overwrite) {
  auto out = share::ExportOutput::CreateFile(path, overwrite);
  REQUIRE_MESSAGE(out.ok(), out.status().message());
  return std::move(*out);
}

void WriteAll(share::ExportOutput& out, const std::string& name, const std::string& content) {
  REQUIRE(out.BeginFile(name).ok());
  REQUIRE(out.Write(content).ok());
  REQUIRE(out.EndFile().ok());
}

}  // namespace

TEST_CASE("a file appears whole and 0600 on Publish, and nothing is left when it never does") {
  Umask umask(0);
  TempDir dir;
  const std::string path = dir / "clients.csv";
  {
    auto out = File(path, false);
    WriteAll(*out, "", "first_name\r\nJan\r\n");
    CHECK(dir.Entries().size() == 1);  // only the hidden partial file
    CHECK_FALSE(fs::exists(path));
  }  // destroyed before Publish
  CHECK(dir.Entries().empty());

  auto out = File(path, false);
  WriteAll(*out, "", "first_name\r\nJan\r\n");
  REQUIRE(out->Publish().ok());
  out->Keep();
  CHECK(Slurp(path) == "first_name\r\nJan\r\n");
  CHECK(Mode(path) == 0600);
  CHECK(dir.Entries() == std::set<std::string>{"clients.csv"});
}

TEST_CASE("Retract removes a published file, and puts back the one it replaced") {
  TempDir dir;
  const std::string path = dir / "out.json";
  {
    auto out = File(path, false);
    WriteAll(*out, "", "new");
    REQUIRE(out->Publish().ok());
    REQUIRE(out->Retract().ok());
    CHECK(dir.Entries().empty());
  }
  Spit(path, "old");
  {
    auto out = File(path, true);
    WriteAll(*out, "", "new");
    REQUIRE(out->Publish().ok());
    CHECK(Slurp(path) == "new");
    REQUIRE(out->Retract().ok());
    CHECK(Slurp(path) == "old");
    CHECK(dir.Entries() == std::set<std::string>{"out.json"});
  }
  {
    auto out = File(path, true);
    WriteAll(*out, "", "newer");
    REQUIRE(out->Publish().ok());
  }  // destroyed after Publish: kept, and the replaced file is gone
  CHECK(Slurp(path) == "newer");
  CHECK(dir.Entries() == std::set<std::string>{"out.json"});
}

TEST_CASE("a file that appears while the export runs is not replaced without overwrite") {
  TempDir dir;
  const std::string path = dir / "out.csv";
  auto out = File(path, false);
  WriteAll(*out, "", "mine");
  Spit(path, "theirs");
  Status s = out->Publish();
  CHECK_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kConflict);
  CHECK(Slurp(path) == "theirs");
  out.reset();
  CHECK(dir.Entries() == std::set<std::string>{"out.csv"});
}

TEST_CASE("a failed write leaves nothing") {
  TempDir dir;
  auto out = File(dir / "out.csv", false);
  REQUIRE(out->BeginFile("").ok());
  util::ArmFault(util::FaultPoint::kWrite, 1);
  Status s = out->Write("x");
  if (s.ok()) s = out->EndFile();
  util::ArmFault(util::FaultPoint::kWrite, 0);
  CHECK_FALSE(s.ok());
  out.reset();
  CHECK(dir.Entries().empty());
}

TEST_CASE("a directory output: 0700, files 0600, a marker, and --force replaces only an earlier export") {
  Umask umask(0);
  TempDir dir;
  const std::string path = dir / "pkg";
  {
    auto made = share::ExportOutput::CreateDirectory(path, false);
    REQUIRE(made.ok());
    WriteAll(**made, "candidates.csv", "a\r\n");
    WriteAll(**made, "payslips.csv", "b\r\n");
    CHECK_FALSE(fs::exists(path));
    REQUIRE((*made)->Publish().ok());
    (*made)->Keep();
  }
  CHECK(Mode(path) == 0700);
  CHECK(Mode(path + "/candidates.csv") == 0600);
  CHECK(Mode(path + "/payslips.csv") == 0600);
  CHECK(fs::exists(path + "/" + share::kExportMarker));

  CHECK_FALSE(share::CheckDirectoryDestination(path, {}, false, "-o").ok());
  CHECK(share::CheckDirectoryDestination(path, {}, true, "-o").ok());
  fs::create_directories(dir / "mine");
  Spit(dir / "mine/notes.csv", "keep me");
  Status mine = share::CheckDirectoryDestination(dir / "mine", {}, true, "-o");
  CHECK_FALSE(mine.ok());
  CHECK(mine.message().find(share::kExportMarker) != std::string::npos);
  // Never the source, nor inside it, nor around it.
  Status inside = share::CheckDirectoryDestination(dir / "mine/out", {{dir / "mine", "the source"}}, false, "-o");
  CHECK(inside.message().find("the source") != std::string::npos);
  CHECK_FALSE(share::CheckDirectoryDestination(dir.path, {{dir / "mine/notes.csv", "the source"}}, true, "-o").ok());

  // Replaced, then retracted: the earlier export is back as it was.
  auto again = share::ExportOutput::CreateDirectory(path, true);
  REQUIRE(again.ok());
  WriteAll(**again, "employees.csv", "c\r\n");
  REQUIRE((*again)->Publish().ok());
  CHECK(fs::exists(path + "/employees.csv"));
  CHECK_FALSE(fs::exists(path + "/candidates.csv"));
  REQUIRE((*again)->Retract().ok());
  CHECK(fs::exists(path + "/candidates.csv"));
  CHECK_FALSE(fs::exists(path + "/employees.csv"));
  CHECK(dir.Entries() == std::set<std::string>{"pkg", "mine"});
}

TEST_CASE("a file destination is never stdout, a directory or an input") {
  TempDir dir;
  Spit(dir / "crm.db", "x");
  CHECK(share::CheckFileDestination("-", {}, false, "-o").status().message().find("standard output") !=
        std::string::npos);
  CHECK_FALSE(share::CheckFileDestination(dir.path, {}, true, "-o").ok());
  CHECK_FALSE(share::CheckFileDestination(dir / "crm.db", {{dir / "crm.db", "the source"}}, true, "-o").ok());
  CHECK_FALSE(share::CheckFileDestination(dir / "crm.db", {}, false, "-o").ok());  // exists, no --force
  Result<std::string> ok = share::CheckFileDestination(dir / "new.csv", {}, false, "-o");
  REQUIRE(ok.ok());
  CHECK(*ok == dir / "new.csv");
}
