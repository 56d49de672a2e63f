// Messages of the CSV and SQLite sources never repeat what they read raw
// (issue 7): a header cell that looks like a value is withheld, control
// characters in names and paths are shown escaped.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>

#include "csv_test_util.h"
#include "source/csv/csv_source.h"
#include "source/sqlite/sqlite_source.h"

namespace dpo::source {
namespace {

using csv_test::TempDir;

bool HasControl(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9F)
      return true;
  }
  return false;
}

std::unique_ptr<Source> OpenCsv(const std::string& path) {
  OpenOptions o;
  o.read_only = true;
  auto s = OpenCsvSource(path, o);
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  return std::move(s).value();
}

std::string DescribeError(const std::string& dir_path, const std::string& table) {
  auto source = OpenCsv(dir_path);
  Result<Table> t = source->Describe(table);
  REQUIRE_FALSE(t.ok());
  return t.status().message();
}

}  // namespace

TEST_CASE("csv: a repeated header cell that looks like a value is named by position only") {
  struct Case {
    const char* header;
    const char* value;
  };
  const Case cases[] = {
      {"jan.devries@example.nl,naam,jan.devries@example.nl", "jan.devries"},
      {"NL91ABNA0417164300;x;NL91ABNA0417164300", "NL91ABNA"},
      {"+31 6 1234 5678,x,+31 6 1234 5678", "1234 5678"},
      {"123456782,x,123456782", "123456782"},
      {"3511 LX,x,3511 LX", "3511"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    dir.Write("t.csv", std::string(c.header) + "\n1,2,3\n");
    std::string m = DescribeError(dir.path(), "t");
    INFO(m);
    CHECK(m.find("t.csv:1: columns 1 and 3 have the same name") != std::string::npos);
    CHECK(m.find("--no-header") != std::string::npos);
    CHECK(m.find(c.value) == std::string::npos);
  }
}

TEST_CASE("csv: a repeated name with control characters is quoted escaped") {
  TempDir dir;
  dir.Write("t.csv", "id,\"\x1b[31mx\nname\",\"\x1b[31mx\nname\"\n1,2,3\n");
  std::string m = DescribeError(dir.path(), "t");
  INFO(m);
  CHECK(m.find("columns 2 and 3 have the same name '\\x1b[31mx\\nname'") != std::string::npos);
  CHECK_FALSE(HasControl(m));
}

TEST_CASE("csv: unknown tables and columns are escaped, or withheld when they look like values") {
  TempDir dir;
  dir.Write("people.csv", "id,email\n1,a@b.nl\n");
  auto source = OpenCsv(dir.path());

  CHECK(DescribeError(dir.path(), "orders").find("unknown table orders") != std::string::npos);
  std::string m = DescribeError(dir.path(), "jan@example.nl");
  CHECK(m.find("jan@") == std::string::npos);
  CHECK(m.find("withheld") != std::string::npos);
  m = DescribeError(dir.path(), "\x1b]0;t\x07");
  CHECK(m.find("unknown table \\x1b]0;t\\x07") != std::string::npos);
  CHECK_FALSE(HasControl(m));

  ReadRequest request;
  request.columns = {"0612345678"};
  auto reader = source->Read("people", request);
  REQUIRE_FALSE(reader.ok());
  m = reader.status().message();
  INFO(m);
  CHECK(m.find("unknown column people.") != std::string::npos);
  CHECK(m.find("0612345678") == std::string::npos);
  request.columns = {"e\x1b[2Jmail"};
  reader = source->Read("people", request);
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().message().find("unknown column people.e\\x1b[2Jmail") != std::string::npos);
}

TEST_CASE("csv: file names with control characters are escaped in every message") {
  TempDir dir;
  std::string path = dir.Write("\x1b[31mevil.csv", "a,b\n1,2,3\n");
  auto source = OpenCsv(path);
  Result<Table> t = source->Describe("\x1b[31mevil");
  REQUIRE_FALSE(t.ok());
  std::string m = t.status().message();
  INFO(m);
  CHECK(m.find("\\x1b[31mevil.csv:2: row has 3 fields") != std::string::npos);
  CHECK_FALSE(HasControl(m));

  std::string nul = dir.Write("n\x07.csv", std::string("a,b\n1,\0\n", 8));
  auto nul_source = OpenCsv(nul);
  t = nul_source->Describe("n\x07");
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().message().find("n\\x07.csv:2:") != std::string::npos);
  CHECK_FALSE(HasControl(t.status().message()));
}

TEST_CASE("sqlite: names in messages are escaped, or withheld when they look like values") {
  TempDir dir;
  std::string path = dir.File("t.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE \"\x1b[31mred\" (\"jan@example.nl\" TEXT, id INTEGER)", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(db);
  OpenOptions o;
  o.read_only = true;
  auto source = OpenSqliteSource(path, o);
  REQUIRE_MESSAGE(source.ok(), source.status().message());

  Result<Table> t = (*source)->Describe("jan.devries@example.nl");
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().message().find("jan.devries") == std::string::npos);
  CHECK(t.status().message().find("withheld") != std::string::npos);
  t = (*source)->Describe("\x1b[32mgreen");
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().message().find("no table named '\\x1b[32mgreen'") != std::string::npos);
  CHECK_FALSE(HasControl(t.status().message()));

  // The table with an escape in its name describes fine (names are data,
  // renderers escape them); only messages must not carry them raw.
  t = (*source)->Describe("\x1b[31mred");
  REQUIRE_MESSAGE(t.ok(), t.status().message());
  CHECK(t->columns.size() == 2);
}

}  // namespace dpo::source
