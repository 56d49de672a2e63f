// The sample staffing data loaded into a throwaway PostgreSQL server (with the
// retention date columns as real timestamp types), scanned against the
// staffing policy: the same findings and counts as on SQLite and CSV.
#include <doctest/doctest.h>

#include <set>

#include "detect/kind.h"
#include "policy/loader.h"
#include "scan/scanner.h"
#include "scan_test_util.h"
#include "source/pg_sample_loader.h"
#include "source/pg_server.h"


TEST_CASE("postgres: the sample staffing data scanned against the policy matches the ground truth") {
  DPO_PG_SERVER_OR_SKIP(pg);
  auto loaded = dpo::policy::LoadPolicyFile(std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml");
  REQUIRE(loaded.ok());
  const dpo::policy::Policy& policy = loaded->policy;
  dpo::testing::SampleFixture sample(600, 13);

  std::string uri = dpo::testing::LoadSampleIntoPostgres(*pg, "dpo_staffing", sample.db, sample.csv_dir, sample.truth,
                                                         policy, sample.dir.string());

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
