// The SQLite source against real SQLite files created here.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "source/sql_source_checks.h"
#include "source/sqlite/sqlite_source.h"

namespace {

using namespace dpo::testing;
using dpo::source::OpenOptions;
using dpo::source::OpenSource;
using dpo::source::OpenSqliteSource;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/dpo-sqlite-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

std::string MakeFixture(const TempDir& dir, const std::string& name = "crm.db") {
  std::string path = dir.File(name);
  ExecSql(path, std::string("BEGIN;") + kSchemaSql +
                    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 10000) "
                    "INSERT INTO customers SELECT i, 'user' || i || '@example.nl', "
                    "CASE WHEN i % 10 = 0 THEN NULL ELSE 'Name ' || i END, '1980-01-01', "
                    "'2024-01-01 10:00:00', i % 2, i * 0.5 FROM s;"
                    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100) "
                    "INSERT INTO orders SELECT i, i, i * 1.25, 'note' FROM s;"
                    "INSERT INTO order_lines SELECT id, 1, 'sku' FROM orders;"
                    "COMMIT;");
  return path;
}

std::unique_ptr<dpo::source::Source> Open(const std::string& path, bool read_only, int busy_ms = 5000) {
  OpenOptions options;
  options.read_only = read_only;
  auto src = OpenSqliteSource(path, options, busy_ms);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  return std::move(*src);
}

TEST_CASE("sqlite: introspection, streaming, sampling, where") {
  TempDir dir;
  std::string path = MakeFixture(dir);
  auto src = Open(path, true);
  CHECK(src->kind() == dpo::source::SourceKind::kSqlite);
  CHECK(src->DisplayName() == path);
  SUBCASE("introspection") { CheckIntrospection(*src); }
  SUBCASE("streaming") { CheckStreaming(*src); }
  SUBCASE("sampling") { CheckSampling(*src); }
  SUBCASE("where and count") { CheckWhere(*src); }
  SUBCASE("hostile identifiers") { CheckHostileIdentifiers(*src); }
  SUBCASE("read-only refuses to write") { CheckReadOnlyRefusesApply(*src); }
}

TEST_CASE("sqlite: apply in one transaction") {
  TempDir dir;
  std::string path = MakeFixture(dir);
  auto src = Open(path, false);
  CheckApply(*src);
  // The changes are on disk for another connection.
  auto again = Open(path, true);
  CHECK(MustCount(*again, "order_lines", std::nullopt) == 90);
}

TEST_CASE("sqlite: a read-only connection cannot write even through raw SQL") {
  TempDir dir;
  std::string path = MakeFixture(dir);
  auto src = Open(path, true);
  sqlite3* handle = dpo::source::SqliteHandleForTesting(src.get());
  REQUIRE(handle != nullptr);
  CHECK(sqlite3_exec(handle, "DELETE FROM orders", nullptr, nullptr, nullptr) != SQLITE_OK);
  CHECK(sqlite3_exec(handle, "PRAGMA query_only = 0; DELETE FROM orders", nullptr, nullptr, nullptr) != SQLITE_OK);
  CHECK(MustCount(*src, "orders", std::nullopt) == 100);
}

TEST_CASE("sqlite: types by affinity, blobs as hex, tables without a key") {
  TempDir dir;
  std::string path = dir.File("types.db");
  ExecSql(path,
          "CREATE TABLE t (a, b BLOB, c DATETIME, d DECIMAL(5,2), e NVARCHAR(3), f BIGINT, g DOUBLE PRECISION, "
          "h FLOATING POINT, i BOOL, j DATE);"
          "INSERT INTO t VALUES (5, x'00ff10', '2024-01-01 00:00:00', 1.5, 'abc', 7, 2.5, 1, 1, '2024-01-01');"
          "INSERT INTO t VALUES ('x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);");
  auto src = Open(path, true);
  auto t = src->Describe("t");
  REQUIRE(t.ok());
  using T = dpo::source::TypeClass;
  std::vector<T> types;
  std::string type_names;
  for (const auto& c : t->columns) {
    types.push_back(c.type);
    type_names += std::string(dpo::source::TypeClassName(c.type)) + " ";
  }
  INFO("types: " << type_names);
  CHECK(types == std::vector<T>{T::kUnknown, T::kBlob, T::kTimestamp, T::kReal, T::kText, T::kInteger, T::kReal,
                                T::kInteger, T::kBoolean, T::kDate});
  CHECK(t->columns[3].declared_type == "DECIMAL(5,2)");
  ReadRequest request;
  request.columns = {"a", "b"};
  Rows rows = ReadAll(*src, "t", request);
  REQUIRE(rows.cells.size() == 2);
  CHECK(rows.cells[0] == std::vector<std::string>{"5", "\\x00ff10"});
  CHECK(rows.cells[1] == std::vector<std::string>{"x", "<NULL>"});
  // A numeric literal matches a stored number in a column without a type.
  CHECK(MustCount(*src, "t", Predicate::Compare(Predicate::Op::kEq, "a", "5")) == 1);
  CHECK(MustCount(*src, "t", Predicate::Compare(Predicate::Op::kEq, "a", "x")) == 1);
  ReadRequest sample;
  sample.mode = SampleMode::kRandom;
  sample.limit = 1;
  CHECK(ReadAll(*src, "t", sample).cells.size() == 1);
}

TEST_CASE("sqlite: errors name the file and say what to do") {
  TempDir dir;
  OpenOptions options;

  SUBCASE("missing file") {
    auto r = OpenSource(dir.File("nope.db"), options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "no such file: " + dir.File("nope.db") +
                                   "; check the path (a SQLite file, a CSV file or directory), or give a postgresql:// URI");
    CHECK(r.status().code() == dpo::StatusCode::kNotFound);
    auto prefixed = OpenSource("sqlite:" + dir.File("nope.sqlite"), options);
    REQUIRE_FALSE(prefixed.ok());
    CHECK(prefixed.status().message().find("no such file") != std::string::npos);
    // Opening never creates the file.
    CHECK_FALSE(std::filesystem::exists(dir.File("nope.sqlite")));
  }
  SUBCASE("not a database") {
    std::ofstream(dir.File("notes.db")) << "these are not the tables you are looking for\n" << std::string(4096, 'x');
    auto r = OpenSource(dir.File("notes.db"), options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find(dir.File("notes.db")) != std::string::npos);
    CHECK(r.status().message().find("not a SQLite database") != std::string::npos);
    CHECK(r.status().code() == dpo::StatusCode::kInvalidArgument);
  }
  SUBCASE("locked database") {
    std::string path = MakeFixture(dir);
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE; DELETE FROM order_lines;", nullptr, nullptr, nullptr) == SQLITE_OK);
    auto r = OpenSqliteSource(path, options, 200);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find(path) != std::string::npos);
    CHECK(r.status().message().find("locked") != std::string::npos);
    CHECK(r.status().code() == dpo::StatusCode::kBusy);
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    CHECK(OpenSqliteSource(path, options, 200).ok());
  }
  SUBCASE("locked while writing") {
    std::string path = MakeFixture(dir);
    auto src = Open(path, false, 200);
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE; DELETE FROM order_lines;", nullptr, nullptr, nullptr) == SQLITE_OK);
    WriteOp del;
    del.table = "orders";
    del.where = Predicate::Compare(Predicate::Op::kEq, "id", "1");
    auto r = dpo::source::ApplyAll(*src, {del}, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("locked") != std::string::npos);
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
  }
  SUBCASE("corrupt database") {
    std::string path = MakeFixture(dir);
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(4096 * 2);
      std::string garbage(4096 * 3, '\x5a');
      f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    auto src = OpenSqliteSource(path, options);
    std::string message;
    if (!src.ok()) {
      message = src.status().message();
    } else {
      for (std::string table : {"customers", "orders", "order_lines"}) {
        auto n = (*src)->Count(table, std::nullopt);
        if (!n.ok()) {
          message = n.status().message();
          break;
        }
        ReadRequest request;
        auto reader = (*src)->Read(table, request);
        if (!reader.ok()) {
          message = reader.status().message();
          break;
        }
        RowBatch batch;
        dpo::Result<bool> more = true;
        while ((more = (*reader)->Next(&batch)).ok() && *more) {
        }
        if (!more.ok()) {
          message = more.status().message();
          break;
        }
      }
    }
    REQUIRE_FALSE(message.empty());
    CHECK(message.find(path) != std::string::npos);
    CHECK((message.find("corrupt") != std::string::npos || message.find("not a SQLite") != std::string::npos));
  }
  SUBCASE("a table that disappears") {
    std::string path = MakeFixture(dir);
    auto src = Open(path, true);
    REQUIRE(src->Describe("orders").ok());
    ExecSql(path, "DROP TABLE order_lines; DROP TABLE orders;");
    auto n = src->Count("orders", std::nullopt);
    REQUIRE_FALSE(n.ok());
    CHECK(n.status().message().find("orders") != std::string::npos);
    CHECK(n.status().message().find(path) != std::string::npos);
  }
}

TEST_CASE("sqlite: OpenSource dispatch by prefix, header and extension") {
  TempDir dir;
  std::string path = MakeFixture(dir, "export.bin");  // SQLite header, unknown extension
  OpenOptions options;
  auto by_header = OpenSource(path, options);
  REQUIRE_MESSAGE(by_header.ok(), by_header.status().message());
  CHECK((*by_header)->kind() == dpo::source::SourceKind::kSqlite);
  auto by_prefix = OpenSource("sqlite:" + path, options);
  REQUIRE(by_prefix.ok());
  CHECK((*by_prefix)->DisplayName() == path);
  std::ofstream(dir.File("thing.xyz")) << "hello";
  auto unknown = OpenSource(dir.File("thing.xyz"), options);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("sqlite:") != std::string::npos);
}

}  // namespace
