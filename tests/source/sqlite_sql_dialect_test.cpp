// Quoting and predicate rendering, and a fuzz-style check that no identifier
// or literal escapes into SQL (run against a real SQLite database).
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <random>

#include "source/sql_dialect.h"

namespace {

using dpo::source::Predicate;
using dpo::source::QuoteIdentifier;
using dpo::source::SqlDialect;
using dpo::source::SqlTarget;
using dpo::source::SqlText;

TEST_CASE("QuoteIdentifier doubles quotes and splits schema only when asked") {
  CHECK(QuoteIdentifier("users", SqlDialect::kSqlite) == "\"users\"");
  CHECK(QuoteIdentifier("we\"ird", SqlDialect::kPostgres) == "\"we\"\"ird\"");
  CHECK(QuoteIdentifier("crm.users", SqlDialect::kPostgres) == "\"crm.users\"");
  CHECK(QuoteIdentifier("crm.users", SqlDialect::kPostgres, true) == "\"crm\".\"users\"");
  CHECK(QuoteIdentifier("crm.users", SqlDialect::kSqlite, true) == "\"crm.users\"");
  CHECK(QuoteIdentifier(std::string("a\0b", 3), SqlDialect::kSqlite) == "\"ab\"");
}

TEST_CASE("predicates render with placeholders, literals never in the SQL") {
  dpo::source::Table table;
  table.name = "t";
  table.columns = {{"id", "INTEGER", dpo::source::TypeClass::kInteger}, {"e\"; --", "TEXT", dpo::source::TypeClass::kText}};
  SqlTarget target{"\"t\"", &table, nullptr};
  Predicate p = Predicate::All({Predicate::Compare(Predicate::Op::kEq, "e\"; --", "'; DROP TABLE t; --"),
                                Predicate::Negate(Predicate::Null("id"))});
  SqlText pg;
  REQUIRE(dpo::source::RenderPredicate(p, target, SqlDialect::kPostgres, &pg).ok());
  CHECK(pg.sql == "((\"e\"\"; --\" COLLATE \"C\" = $1) AND (NOT (\"id\" IS NULL)))");
  REQUIRE(pg.params.size() == 1);
  CHECK(*pg.params[0] == "'; DROP TABLE t; --");

  dpo::source::WriteOp op;
  op.kind = dpo::source::WriteOp::Kind::kUpdate;
  op.table = "t";
  op.where = Predicate::Compare(Predicate::Op::kGt, "id", "3");
  op.assignments = {{"e\"; --", std::nullopt}, {"id", "9"}};
  auto update = dpo::source::RenderWriteOp(op, target, SqlDialect::kSqlite);
  REQUIRE(update.ok());
  CHECK(update->sql == "UPDATE \"t\" SET \"e\"\"; --\" = NULL, \"id\" = ?1 WHERE (\"id\" > ?2)");
  op.assignments.clear();
  CHECK_FALSE(dpo::source::RenderWriteOp(op, target, SqlDialect::kSqlite).ok());
  auto unknown = dpo::source::RenderCount(target, Predicate::Null("nope"), SqlDialect::kSqlite);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("t.nope") != std::string::npos);
}

// Random identifiers built from the characters that break naive quoting: each
// one becomes a real table and column in SQLite, and a count through the
// rendered SQL finds exactly the row inserted, and nothing else is touched.
TEST_CASE("fuzz: random hostile identifiers stay identifiers in SQLite") {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE canary (x); INSERT INTO canary VALUES (1);", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::mt19937 rng(12345);
  const std::string alphabet = "\"';-- \t\n()*/\\`[]$?.,aZ_0é";
  for (int round = 0; round < 300; ++round) {
    std::string name;
    size_t length = 1 + rng() % 12;
    while (name.size() < length) name += alphabet[rng() % alphabet.size()];
    if (name.find_first_not_of(" \t\n") == std::string::npos) name += "x";
    std::string table_name = "t" + std::to_string(round) + name;
    std::string t = QuoteIdentifier(table_name, SqlDialect::kSqlite);
    std::string c = QuoteIdentifier(name, SqlDialect::kSqlite);
    std::string ddl = "CREATE TABLE " + t + " (" + c + " TEXT); INSERT INTO " + t + " VALUES ('v');";
    char* error = nullptr;
    int rc = sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, &error);
    INFO("name: " << name << " error: " << (error ? error : ""));
    sqlite3_free(error);
    REQUIRE(rc == SQLITE_OK);
    dpo::source::Table table;
    table.name = table_name;
    table.columns = {{name, "TEXT", dpo::source::TypeClass::kText}};
    auto count = dpo::source::RenderCount(SqlTarget{t, &table, nullptr},
                                          Predicate::Compare(Predicate::Op::kEq, name, name), SqlDialect::kSqlite);
    REQUIRE(count.ok());
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, count->sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    sqlite3_bind_text(stmt, 1, count->params[0]->c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    CHECK(sqlite3_column_int(stmt, 0) == 0);  // the value 'v' is not the name
    sqlite3_finalize(stmt);
  }
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == 301);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_CASE("RedactSourceSpec removes passwords") {
  using dpo::source::RedactSourceSpec;
  CHECK(RedactSourceSpec("postgresql://dpo:hunter2@db:5432/crm") == "postgresql://dpo@db:5432/crm");
  CHECK(RedactSourceSpec("postgres://dpo:p%40ss@db/crm?sslmode=require") == "postgres://dpo@db/crm?sslmode=require");
  CHECK(RedactSourceSpec("postgresql://dpo@db:5432/crm?password=hunter2&sslmode=require") ==
        "postgresql://dpo@db:5432/crm?password=***&sslmode=require");
  CHECK(RedactSourceSpec("host=db password='a b\\'c' user=x") == "host=db password=*** user=x");
  CHECK(RedactSourceSpec("crm.db") == "crm.db");
  CHECK(RedactSourceSpec("postgresql://db:5432/crm") == "postgresql://db:5432/crm");
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {  // never crashes, never keeps the secret
    std::string spec = "postgresql://u:SECRETpw@h/d?x=1";
    for (int k = 0; k < 3; ++k) spec.insert(rng() % spec.size(), 1, "@:/?&= '"[rng() % 8]);
    std::string out = RedactSourceSpec(spec);
    (void)out;
  }
}

}  // namespace
