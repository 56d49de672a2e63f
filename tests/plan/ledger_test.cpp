// The erasure ledger: tombstones found again by key, not by anything else,
// and nothing of the key values in the file.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "cli/cli_util.h"
#include "plan/ledger.h"
#include "util/keyed_hash.h"

using dpo::plan::KeyHmac;
using dpo::plan::Ledger;
using dpo::plan::RowKey;
using dpo::util::SecretKey;
using dpo::testing::ReadFile;
using dpo::testing::TempDir;

namespace {

SecretKey Key(const std::string& bytes) {
  auto key = SecretKey::FromBytes(bytes);
  REQUIRE(key.ok());
  return std::move(key).value();
}

std::string Email(int i) { return "jan.de.vries" + std::to_string(i) + "@example.nl"; }

}  // namespace

TEST_CASE("1000 tombstones: found again by key, only by that key, under that secret; file 0600 without values") {
  TempDir dir("dpo-ledger");
  std::string path = dir.File("erasure.ledger");
  SecretKey key = Key("0123456789abcdef0123456789abcdef");
  SecretKey other = Key("fedcba9876543210fedcba9876543210");
  {
    auto ledger = Ledger::Open(path, /*create=*/true);
    REQUIRE_MESSAGE(ledger.ok(), ledger.status().message());
    REQUIRE(ledger->Begin().ok());
    for (int i = 0; i < 1000; ++i) {
      dpo::Status s = ledger->Record(key, "candidates", {Email(i)}, "candidates_2y", i % 10 == 0 ? "anonymise" : "delete");
      REQUIRE_MESSAGE(s.ok(), s.message());
    }
    REQUIRE(ledger->Commit().ok());
  }
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(std::filesystem::exists(path + "-journal"));
  std::string bytes = ReadFile(path);
  CHECK(bytes.find(Email(17)) == std::string::npos);
  CHECK(bytes.find("jan.de.vries") == std::string::npos);
  CHECK(bytes.find("example.nl") == std::string::npos);
  CHECK(bytes.find("candidates\x1f") == std::string::npos);
  CHECK(bytes.find(key.bytes()) == std::string::npos);

  auto ledger = Ledger::Open(path, /*create=*/false);
  REQUIRE_MESSAGE(ledger.ok(), ledger.status().message());
  CHECK(*ledger->Count() == 1000);
  for (int i = 0; i < 1000; ++i) {
    auto found = ledger->Contains(KeyHmac(key, "candidates", {Email(i)}));
    REQUIRE(found.ok());
    if (!*found) FAIL_CHECK("key " << i << " not found");
  }
  CHECK_FALSE(*ledger->Contains(KeyHmac(key, "candidates", {Email(1000)})));   // a different key
  CHECK_FALSE(*ledger->Contains(KeyHmac(key, "placements", {Email(1)})));      // same key, other table
  CHECK_FALSE(*ledger->Contains(KeyHmac(other, "candidates", {Email(1)})));   // a different secret

  // A batch as replay reads it from a restored backup: which rows are tombstoned, and how.
  std::vector<RowKey> batch = {{Email(5)}, {"someone.else@example.nl"}, {Email(10)}, {Email(999)}};
  auto matches = ledger->Match(key, "candidates", batch);
  REQUIRE(matches.ok());
  REQUIRE(matches->size() == 3);
  CHECK((*matches)[0].index == 0);
  CHECK((*matches)[0].tombstone.action == "delete");
  CHECK((*matches)[1].index == 2);
  CHECK((*matches)[1].tombstone.action == "anonymise");
  CHECK((*matches)[1].tombstone.rule == "candidates_2y");
  CHECK((*matches)[1].tombstone.key_id == key.Id());
  CHECK((*matches)[1].tombstone.table_hmac == dpo::plan::TableHmac(key, "candidates"));
  CHECK((*matches)[1].tombstone.key_hmac == KeyHmac(key, "candidates", {Email(10)}));
  CHECK((*matches)[1].tombstone.date.size() == 20);
  CHECK((*matches)[2].index == 3);
  CHECK(ledger->Match(other, "candidates", batch)->empty());

  auto all = ledger->ForTable(key, "candidates");
  REQUIRE(all.ok());
  CHECK(all->size() == 1000);
  CHECK(ledger->ForTable(other, "candidates")->empty());
  CHECK(ledger->ForTable(key, "placements")->empty());
}

TEST_CASE("composite keys, NULLs, duplicates, rollback") {
  TempDir dir("dpo-ledger");
  SecretKey key = Key("0123456789abcdef0123456789abcdef");
  CHECK(dpo::plan::CanonicalKey({"a", std::nullopt}) == std::string("a\x1f\0", 3));
  CHECK(KeyHmac(key, "t", {"a", std::nullopt}) != KeyHmac(key, "t", {"a", ""}));
  CHECK(KeyHmac(key, "t", {"1", "23"}) != KeyHmac(key, "t", {"12", "3"}));
  CHECK(KeyHmac(key, "ab", {"c"}) != KeyHmac(key, "a", {"bc"}));

  auto ledger = Ledger::Open(dir.File("l.db"), true);
  REQUIRE(ledger.ok());
  CHECK_FALSE(ledger->Record(key, "t", {"1"}, "r", "delete").ok());  // no Begin
  REQUIRE(ledger->Begin().ok());
  REQUIRE(ledger->Record(key, "placements", {"42", std::nullopt}, "r", "delete").ok());
  REQUIRE(ledger->Record(key, "placements", {"42", std::nullopt}, "r", "delete").ok());     // again: kept once
  REQUIRE(ledger->Record(key, "placements", {"42", std::nullopt}, "r", "anonymise").ok());  // another action
  CHECK_FALSE(ledger->Record(key, "placements", {"43"}, "r", "shred").ok());
  REQUIRE(ledger->Commit().ok());
  CHECK(*ledger->Count() == 2);
  CHECK(ledger->Match(key, "placements", {{"42", std::nullopt}})->size() == 2);
  CHECK(ledger->Match(key, "placements", {{"42", ""}})->empty());

  REQUIRE(ledger->Begin().ok());
  REQUIRE(ledger->Record(key, "placements", {"7"}, "r", "restrict").ok());
  ledger->Rollback();
  CHECK(*ledger->Count() == 2);
  {  // a ledger dropped mid-transaction (a crash) keeps nothing of it
    REQUIRE(ledger->Begin().ok());
    REQUIRE(ledger->Record(key, "placements", {"8"}, "r", "restrict").ok());
    Ledger gone = std::move(*ledger);
  }
  auto again = Ledger::Open(dir.File("l.db"), false);
  REQUIRE(again.ok());
  CHECK(*again->Count() == 2);
  CHECK_FALSE(*again->Contains(KeyHmac(key, "placements", {"8"})));
}

TEST_CASE("open: a missing ledger, a directory, a text file, another SQLite database") {
  TempDir dir("dpo-ledger");
  auto missing = Ledger::Open(dir.File("none.db"), false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == dpo::StatusCode::kNotFound);
  CHECK_FALSE(std::filesystem::exists(dir.File("none.db")));
  CHECK_FALSE(Ledger::Open(dir.path, true).ok());

  std::string text = dir.Write("notes.txt", "this is not a database, it is a text file of some length\n");
  auto not_db = Ledger::Open(text, true);
  REQUIRE_FALSE(not_db.ok());
  CHECK(not_db.status().message().find("ledger") != std::string::npos);
  CHECK(ReadFile(text) == "this is not a database, it is a text file of some length\n");

  std::string other = dir.File("other.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE candidates (id INTEGER)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto not_ledger = Ledger::Open(other, true);
  REQUIRE_FALSE(not_ledger.ok());
  CHECK(not_ledger.status().message().find("not a dpo erasure ledger") != std::string::npos);
}

TEST_CASE("KeySetHmac: the same set in any order gives the same digest; another set or secret does not") {
  SecretKey key = Key("0123456789abcdef0123456789abcdef");
  SecretKey other = Key("fedcba9876543210fedcba9876543210");
  dpo::plan::KeySetHmac a(key, "candidates"), b(key, "candidates"), c(key, "candidates"), d(other, "candidates");
  for (int i = 0; i < 100; ++i) {
    a.Add({Email(i)});
    b.Add({Email(99 - i)});
    c.Add({Email(i + 1)});
    d.Add({Email(i)});
  }
  CHECK(a.count() == 100);
  CHECK(a.Hex() == b.Hex());
  CHECK(a.Hex() != c.Hex());
  CHECK(a.Hex() != d.Hex());
  CHECK(a.Hex().size() == 64);
  CHECK(dpo::plan::KeySetHmac(key, "candidates").Hex() != dpo::plan::KeySetHmac(key, "placements").Hex());
}
