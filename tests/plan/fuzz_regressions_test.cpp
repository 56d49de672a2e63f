// Inputs the fuzz targets (tests/fuzz, docs/fuzzing.md) found to break the
// plan room's readers, kept as regression tests.
#include <doctest/doctest.h>

#include <string>

#include <sqlite3.h>

#include "cli/cli_util.h"
#include "plan/ledger.h"
#include "plan/plan_json.h"
#include "util/keyed_hash.h"

using dpo::plan::Ledger;
using dpo::testing::TempDir;
using dpo::util::SecretKey;

namespace {

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

}  // namespace

TEST_CASE("fuzz_ledger: a damaged ledger with NULL texts gives answers or errors, never an abort") {
  // The schema says NOT NULL, but a ledger is a file the user names: the
  // fuzzer flipped bytes of the schema text and stored NULLs, and reading
  // them into std::string aborted the process (std::logic_error).
  TempDir dir("dpo-ledger-fuzz");
  std::string path = dir.File("damaged.ledger");
  auto key = SecretKey::FromBytes("0123456789abcdef0123456789abcdef");
  REQUIRE(key.ok());
  {
    auto ledger = Ledger::Open(path, /*create=*/true);
    REQUIRE_MESSAGE(ledger.ok(), ledger.status().message());
    REQUIRE(ledger->Begin().ok());
    REQUIRE(ledger->Record(*key, "candidates", {std::string("7")}, "candidates_2y", "delete").ok());
    REQUIRE(ledger->Commit().ok());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  Exec(db, "PRAGMA writable_schema = ON");
  Exec(db, "UPDATE sqlite_master SET sql = replace(sql, 'NOT NULL', '') WHERE name = 'tombstones'");
  Exec(db, "PRAGMA writable_schema = OFF");
  sqlite3_close(db);
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  Exec(db, "INSERT INTO tombstones (key_hmac, action, table_id, rule, date, key_id) "
           "SELECT randomblob(32), 'delete', table_id, NULL, NULL, NULL FROM tombstones LIMIT 1");
  sqlite3_close(db);

  auto ledger = Ledger::Open(path, /*create=*/false);
  REQUIRE_MESSAGE(ledger.ok(), ledger.status().message());
  auto count = ledger->Count();
  REQUIRE(count.ok());
  CHECK(*count == 2);
  auto by_key = ledger->CountByKeyId();  // aborted before the fix
  REQUIRE(by_key.ok());
  CHECK(by_key->size() == 2);  // the real key id and "" for the NULLs
  CHECK(ledger->Stats().ok());
  auto rows = ledger->ForTable(*key, "candidates");  // aborted before the fix
  REQUIRE(rows.ok());
  CHECK(rows->size() == 2);
  auto loaded = ledger->LoadTable(*key, "candidates", 0, nullptr);
  REQUIRE(loaded.ok());
  CHECK(loaded->size() == 2);
}

TEST_CASE("fuzz_plan_json: a number out of range or a format of the wrong type is an error, not an abort") {
  // json::parse throws out_of_range (not parse_error) for "1e999", and
  // value("format", "") throws type_error for a non-string format: both
  // escaped PlanFromJson and ended the process.
  for (const char* text : {"88e88888", "[1e999]", "{\"format\": 5}", "{\"format\": null}", "{\"format\": [\"dpo-retention-plan\"]}"}) {
    CAPTURE(text);
    auto plan = dpo::plan::PlanFromJson(text, "plan.json");
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.status().message().rfind("plan.json: ", 0) == 0);
    CHECK(plan.status().message().find("dpo retention plan") != std::string::npos);
  }
}
