// Loads a generated sample (lib/sample) into a database of the throwaway
// PostgreSQL server: the SQLite DDL as it is (PostgreSQL-compatible, with
// every PRIMARY KEY and FOREIGN KEY and its ON DELETE action), the rows by
// COPY from the CSV export, and the retention date columns of `policy`
// retyped to timestamp, as a real server keeps them. Shared by the scan and
// the retention tests.
#pragma once

#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "policy/policy.h"
#include "sample/generator.h"
#include "source/pg_server.h"

namespace dpo::testing {

inline std::string SlurpFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// COPY ... FROM STDIN with the CSV file's own delimiter; empty unquoted fields are NULL.
inline void CopyCsvIntoPostgres(const std::string& uri, const std::string& table, const std::string& file,
                                char delimiter) {
  PGconn* conn = PQconnectdb(uri.c_str());
  REQUIRE_MESSAGE(PQstatus(conn) == CONNECTION_OK, PQerrorMessage(conn));
  std::string sql = "COPY \"" + table + "\" FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '" +
                    std::string(1, delimiter) + "')";
  PGresult* r = PQexec(conn, sql.c_str());
  REQUIRE_MESSAGE(PQresultStatus(r) == PGRES_COPY_IN, PQerrorMessage(conn));
  PQclear(r);
  std::string data = SlurpFile(file);
  REQUIRE(PQputCopyData(conn, data.data(), static_cast<int>(data.size())) == 1);
  REQUIRE(PQputCopyEnd(conn, nullptr) == 1);
  r = PQgetResult(conn);
  CHECK_MESSAGE(PQresultStatus(r) == PGRES_COMMAND_OK, table << ": " << PQerrorMessage(conn));
  PQclear(r);
  PQfinish(conn);
}

// Returns the URI of database `name`. `work_dir` receives the schema dump.
inline std::string LoadSampleIntoPostgres(PgServer& pg, const std::string& name, const std::string& sqlite_db,
                                          const std::string& csv_dir, const sample::GroundTruth& truth,
                                          const policy::Policy& policy, const std::string& work_dir) {
  std::string uri = pg.CreateDatabase(name);
  std::string schema_file = work_dir + "/schema.sql";
  std::string cmd = "sqlite3 " + sqlite_db + " .schema > " + schema_file;
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::string error = pg.Exec(name, SlurpFile(schema_file));
  REQUIRE_MESSAGE(error.empty(), error);
  // Foreign keys are not checked during the load (file order is not parent
  // order), and are enforced again afterwards: writes must meet them.
  std::string off, on;
  for (const auto& t : truth.tables) {
    off += "ALTER TABLE \"" + t.name + "\" DISABLE TRIGGER ALL;";
    on += "ALTER TABLE \"" + t.name + "\" ENABLE TRIGGER ALL;";
  }
  REQUIRE(pg.Exec(name, off).empty());
  for (const auto& t : truth.tables) CopyCsvIntoPostgres(uri, t.name, csv_dir + "/" + t.csv_file, t.csv_delimiter);
  REQUIRE(pg.Exec(name, on).empty());
  std::set<std::string> retyped;
  for (const auto& rule : policy.retention) {
    if (!retyped.insert(rule.dataset + "." + rule.after_column).second) continue;
    error = pg.Exec(name, "ALTER TABLE \"" + rule.dataset + "\" ALTER COLUMN \"" + rule.after_column +
                              "\" TYPE timestamp USING \"" + rule.after_column + "\"::timestamp");
    REQUIRE_MESSAGE(error.empty(), error);
  }
  REQUIRE(pg.Exec(name, "ANALYZE").empty());
  return uri;
}

}  // namespace dpo::testing
