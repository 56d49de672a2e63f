// The sample staffing data loaded into a throwaway PostgreSQL server (with the
// retention date columns as real timestamp types), scanned against the
// staffing policy: the same findings and counts as on SQLite and CSV.
#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <fstream>
#include <set>
#include <sstream>

#include "detect/kind.h"
#include "policy/loader.h"
#include "scan/scanner.h"
#include "scan_test_util.h"
#include "source/pg_server.h"

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// COPY ... FROM STDIN with the CSV file's own delimiter; empty unquoted fields are NULL.
void CopyCsv(const std::string& uri, const std::string& table, const std::string& file, char delimiter) {
  PGconn* conn = PQconnectdb(uri.c_str());
  REQUIRE_MESSAGE(PQstatus(conn) == CONNECTION_OK, PQerrorMessage(conn));
  std::string sql = "COPY \"" + table + "\" FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '" +
                    std::string(1, delimiter) + "')";
  PGresult* r = PQexec(conn, sql.c_str());
  REQUIRE_MESSAGE(PQresultStatus(r) == PGRES_COPY_IN, PQerrorMessage(conn));
  PQclear(r);
  std::string data = Slurp(file);
  REQUIRE(PQputCopyData(conn, data.data(), static_cast<int>(data.size())) == 1);
  REQUIRE(PQputCopyEnd(conn, nullptr) == 1);
  r = PQgetResult(conn);
  CHECK_MESSAGE(PQresultStatus(r) == PGRES_COMMAND_OK, table << ": " << PQerrorMessage(conn));
  PQclear(r);
  PQfinish(conn);
}

}  // namespace

TEST_CASE("postgres: the sample staffing data scanned against the policy matches the ground truth") {
  DPO_PG_SERVER_OR_SKIP(pg);
  auto loaded = dpo::policy::LoadPolicyFile(std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml");
  REQUIRE(loaded.ok());
  const dpo::policy::Policy& policy = loaded->policy;
  dpo::testing::SampleFixture sample(600, 13);

  // Schema: SQLite's DDL is PostgreSQL-compatible; load parents before children.
  std::string uri = pg->CreateDatabase("dpo_staffing");
  std::string ddl;
  {
    std::string cmd = "sqlite3 " + sample.db + " .schema > " + (sample.dir / "schema.sql").string();
    REQUIRE(std::system(cmd.c_str()) == 0);
    ddl = Slurp((sample.dir / "schema.sql").string());
  }
  // Foreign keys are checked at the end of the load, whatever the file order.
  std::string error = pg->Exec("dpo_staffing", ddl);
  REQUIRE_MESSAGE(error.empty(), error);
  std::string fk_off;
  for (const auto& t : sample.truth.tables) fk_off += "ALTER TABLE \"" + t.name + "\" DISABLE TRIGGER ALL;";
  REQUIRE(pg->Exec("dpo_staffing", fk_off).empty());
  for (const auto& t : sample.truth.tables)
    CopyCsv(uri, t.name, sample.csv_dir + "/" + t.csv_file, t.csv_delimiter);
  // Real servers keep dates as dates: retype every retention date column.
  std::set<std::string> retyped;
  for (const auto& rule : policy.retention) {
    std::string key = rule.dataset + "." + rule.after_column;
    if (!retyped.insert(key).second) continue;
    error = pg->Exec("dpo_staffing", "ALTER TABLE \"" + rule.dataset + "\" ALTER COLUMN \"" + rule.after_column +
                                         "\" TYPE timestamp USING \"" + rule.after_column + "\"::timestamp");
    REQUIRE_MESSAGE(error.empty(), error);
  }
  REQUIRE(pg->Exec("dpo_staffing", "ANALYZE").empty());

  dpo::source::OpenOptions read_only;
  auto src = dpo::source::OpenSource(uri, read_only);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  dpo::scan::ScanOptions options;
  options.policy = &policy;
  options.full = true;
  options.as_of = dpo::util::ParseIsoDate(sample.truth.as_of).value();
  auto result = dpo::scan::RunScan(**src, options);
  REQUIRE_MESSAGE(result.ok(), result.status().message());

  std::set<std::string> undeclared;
  std::map<std::string, int64_t> expired;
  for (const auto& f : result->findings) {
    if (f.code == dpo::scan::kCodeUndeclared) undeclared.insert(f.table + "." + f.column);
    if (f.code == dpo::scan::kCodeRetentionExpired) expired[f.policy_rule] = f.count;
    CHECK_MESSAGE(f.code != dpo::scan::kCodeMissingColumn, f.message);
    CHECK_MESSAGE(f.code != dpo::scan::kCodeMissingTable, f.message);
  }
  for (const std::string& u : sample.truth.undeclared) CHECK_MESSAGE(undeclared.count(u) == 1, u);
  for (const auto& r : sample.truth.retention)
    CHECK_MESSAGE(expired["retention." + r.rule] == static_cast<int64_t>(r.to_act), "rule " << r.rule);

  // A sample scan reads server-side samples, and no more rows than asked.
  options.full = false;
  options.sample_rows = 50;
  auto sampled = dpo::scan::RunScan(**src, options);
  REQUIRE_MESSAGE(sampled.ok(), sampled.status().message());
  for (const auto& t : sampled->tables) CHECK(t.rows_scanned <= 50);
}
