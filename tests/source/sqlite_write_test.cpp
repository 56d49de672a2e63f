// The write-path conformance suite on a real SQLite file.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>

#include "csv_test_util.h"
#include "source/sqlite/sqlite_source.h"
#include "write_conformance.h"

using namespace dpo;

TEST_CASE("write conformance: SQLite") {
  auto dir = std::make_shared<source::csv_test::TempDir>();
  static int counter = 0;
  testing::Backend backend{"sqlite", [dir](bool read_only) {
                             std::string path = dir->File("conf" + std::to_string(++counter) + ".db");
                             sqlite3* db = nullptr;
                             REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
                             char* err = nullptr;
                             int rc = sqlite3_exec(db, testing::ConformanceSql(true).c_str(), nullptr, nullptr, &err);
                             REQUIRE_MESSAGE(rc == SQLITE_OK, (err ? err : ""));
                             sqlite3_close(db);
                             source::OpenOptions options;
                             options.read_only = read_only;
                             auto src = source::OpenSqliteSource(path, options);
                             REQUIRE_MESSAGE(src.ok(), src.status().message());
                             return std::move(*src);
                           },
                           {}};
  testing::RunWriteConformance(backend);
}
