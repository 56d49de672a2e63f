// An idle WAL database is read with immutable=1, without locks, so that a
// read-only command creates nothing beside it. SQLite then cannot see a
// writer that starts during the read: each table read checks the file is
// still the one opened, and says so if another program wrote to it
// (regression from the review of issue 12's read-only opens).
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>

#include "csv_test_util.h"
#include "source/row_batch.h"
#include "source/sqlite/sqlite_source.h"

namespace {

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("sqlite: a writer that starts while an idle WAL database is read is an error, not a silent mixed read") {
  dpo::source::csv_test::TempDir dir;
  const std::string path = dir.File("idle-wal.db");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    Exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
             "INSERT INTO people SELECT i, 'p' || i || '@example.nl' FROM n;");
    sqlite3_close(db);  // the last connection: checkpointed, -wal and -shm removed
  }
  dpo::source::OpenOptions read_only;
  read_only.read_only = true;
  auto source = dpo::source::OpenSqliteSource(path, read_only);
  REQUIRE_MESSAGE(source.ok(), source.status().message());

  // Undisturbed: read to the end.
  {
    auto reader = (*source)->Read("people", {});
    REQUIRE(reader.ok());
    dpo::source::RowBatch batch;
    int64_t rows = 0;
    for (;;) {
      auto more = (*reader)->Next(&batch);
      REQUIRE_MESSAGE(more.ok(), more.status().message());
      if (!*more) break;
      rows += static_cast<int64_t>(batch.num_rows());
    }
    CHECK(rows == 20000);
  }

  // A writer comes in after the first batch.
  auto reader = (*source)->Read("people", {});
  REQUIRE(reader.ok());
  dpo::source::RowBatch batch;
  auto first = (*reader)->Next(&batch);
  REQUIRE(first.ok());
  REQUIRE(*first);
  sqlite3* writer = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &writer) == SQLITE_OK);
  Exec(writer, "DELETE FROM people WHERE id > 10000;");
  dpo::Status end = dpo::Status::Ok();
  for (;;) {
    auto more = (*reader)->Next(&batch);
    if (!more.ok()) {
      end = more.status();
      break;
    }
    if (!*more) break;
  }
  sqlite3_close(writer);
  REQUIRE_FALSE(end.ok());
  CHECK(end.message().find("another program wrote to the database while dpo read table people") != std::string::npos);
}
