// 'dpo inspect' end to end: runs the built binary (DPO_BINARY) on SQLite
// files made with the sqlite3 shell, and on PostgreSQL URIs that cannot
// connect. Needs the sqlite3 command-line shell (Debian package sqlite3).
#include <doctest/doctest.h>

#include "cli_util.h"
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

using Run = dpo::testing::CliRun;
using Dir = dpo::testing::TempDir;


Run Dpo(const Dir& dir, const std::vector<std::string>& args) { return dpo::testing::RunDpo(dir, args); }

std::string MakeDb(const Dir& dir) {
  REQUIRE_MESSAGE(std::system("command -v sqlite3 >/dev/null 2>&1") == 0,
                  "the sqlite3 shell is needed to build test fixtures (apt-get install sqlite3)");
  std::string path = dir.path + "/crm.db";
  std::ofstream(dir.path + "/schema.sql")
      << "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, born DATE);\n"
         "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), amount REAL);\n"
         "CREATE TABLE \"we\"\"ird; --\" (\"select\" TEXT);\n"
         "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1234)\n"
         "INSERT INTO customers SELECT i, 'user' || i || '@example.nl', '1980-01-01' FROM s;\n"
         "INSERT INTO orders VALUES (1, 1, 9.5), (2, 1, 3.0);\n";
  REQUIRE(std::system(("sqlite3 " + dpo::testing::ShellQuote(path) + " < " + dpo::testing::ShellQuote(dir.path + "/schema.sql")).c_str()) == 0);
  return path;
}

TEST_CASE("dpo inspect: text output of a SQLite file") {
  Dir dir;
  std::string db = MakeDb(dir);
  Run run = Dpo(dir, {"inspect", db});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("Source: " + db + " (sqlite), 3 tables") != std::string::npos);
  CHECK(run.out.find("customers  (1,234 rows)") != std::string::npos);
  CHECK(run.out.find("orders  (2 rows)") != std::string::npos);
  CHECK(run.out.find("relation: (customer_id) -> customers(id)") != std::string::npos);
  CHECK(run.out.find("we\"ird; --  (0 rows)") != std::string::npos);
  // Columns are aligned: "email" and "born" rows start their type at the same offset.
  size_t email = run.out.find("  email ");
  size_t born = run.out.find("  born ");
  REQUIRE(email != std::string::npos);
  REQUIRE(born != std::string::npos);
  size_t email_type = run.out.find("text", email) - email;
  size_t born_type = run.out.find("date", born) - born;
  CHECK(email_type == born_type);
  CHECK(run.err.empty());
}

TEST_CASE("dpo inspect: JSON output and --table") {
  Dir dir;
  std::string db = MakeDb(dir);
  Run run = Dpo(dir, {"inspect", "sqlite:" + db, "--format", "json", "--table", "orders"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto doc = nlohmann::json::parse(run.out);
  CHECK(doc["schema"] == "dpo.inspect/1");
  CHECK(doc["source"]["kind"] == "sqlite");
  CHECK(doc["source"]["name"] == db);
  REQUIRE(doc["tables"].size() == 1);
  const auto& t = doc["tables"][0];
  CHECK(t["name"] == "orders");
  CHECK(t["row_count"]["rows"] == 2);
  CHECK(t["row_count"]["exact"] == true);
  CHECK(t["primary_key"] == nlohmann::json::array({"id"}));
  CHECK(t["columns"][2]["type"] == "real");
  CHECK(t["columns"][0]["primary_key_position"] == 1);
  CHECK(t["foreign_keys"][0]["referenced_table"] == "customers");
  CHECK(t["foreign_keys"][0]["origin"] == "schema");
}

TEST_CASE("dpo inspect: errors exit 2 with one line") {
  Dir dir;
  SUBCASE("missing file") {
    Run run = Dpo(dir, {"inspect", dir.path + "/nope.db"});
    CHECK(run.exit_code == 2);
    CHECK(run.err == "dpo: error: no such file: " + dir.path +
                         "/nope.db; check the path (a SQLite file, a CSV file or directory), or give a postgresql:// URI\n");
    CHECK(run.out.empty());
  }
  SUBCASE("not a database") {
    std::ofstream(dir.path + "/x.db") << "not sqlite at all, just text that is long enough to have a header";
    Run run = Dpo(dir, {"inspect", dir.path + "/x.db"});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("not a SQLite database") != std::string::npos);
  }
  SUBCASE("unknown table") {
    std::string db = MakeDb(dir);
    Run run = Dpo(dir, {"inspect", db, "--table", "nope"});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("'nope'") != std::string::npos);
  }
  SUBCASE("bad format") {
    std::string db = MakeDb(dir);
    Run run = Dpo(dir, {"inspect", db, "--format", "xml"});
    CHECK(run.exit_code == 2);
  }
  SUBCASE("PostgreSQL server down, password never echoed") {
    Run run = Dpo(dir, {"inspect", "postgresql://dpo:Sup3rSecret@127.0.0.1:1/crm"});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("could not connect to postgresql://dpo@127.0.0.1:1/crm: connection refused") !=
          std::string::npos);
    CHECK(run.err.find("Sup3rSecret") == std::string::npos);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  }
}

}  // namespace

TEST_CASE("inspect --policy: a CSV export gets the relations its policy declares") {
  Dir dir;
  auto bare = Dpo(dir, {"inspect", "--format", "json", "--table", "employees", DPO_SOURCE_DIR "/samples/csv"});
  REQUIRE_MESSAGE(bare.exit_code == 0, bare.err);
  CHECK(nlohmann::json::parse(bare.out)["tables"][0]["foreign_keys"].empty());
  auto merged = Dpo(dir, {"inspect", "--format", "json", "--table", "employees", "--policy",
                          DPO_SOURCE_DIR "/policies/staffing-agency.yaml", DPO_SOURCE_DIR "/samples/csv"});
  REQUIRE_MESSAGE(merged.exit_code == 0, merged.err);
  auto fks = nlohmann::json::parse(merged.out)["tables"][0]["foreign_keys"];
  REQUIRE(fks.size() >= 1);
  CHECK(fks[0]["origin"] == "policy");
  CHECK(fks[0]["referenced_table"] == "candidates");
  // On SQLite the schema already declares it: no duplicate from the policy.
  auto sqlite = Dpo(dir, {"inspect", "--format", "json", "--table", "employees", "--policy",
                          DPO_SOURCE_DIR "/policies/staffing-agency.yaml", DPO_SOURCE_DIR "/samples/staffing.db"});
  REQUIRE(sqlite.exit_code == 0);
  // Named: a range-for over a member of a temporary reads freed memory (AddressSanitizer).
  const auto sqlite_json = nlohmann::json::parse(sqlite.out);
  for (const auto& fk : sqlite_json["tables"][0]["foreign_keys"]) CHECK(fk["origin"] == "schema");
}
