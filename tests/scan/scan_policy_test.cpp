// Policy mode on a fresh sample: the scan must find exactly the personal data
// the generator hid from the policy, and count exactly the rows the generator
// knows are past retention (minus those under a legal hold), on SQLite and CSV.
#include <doctest/doctest.h>

#include <cstring>
#include <sstream>

#include <nlohmann/json.hpp>
#include <map>
#include <set>

#include "detect/kind.h"
#include "policy/loader.h"
#include "policy/validate.h"
#include "report/scan_report.h"
#include "scan/scanner.h"
#include "scan_test_util.h"

namespace {

dpo::policy::Policy LoadStaffingPolicy() {
  auto loaded = dpo::policy::LoadPolicyFile(std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  dpo::policy::ValidateOptions options;
  for (auto k : dpo::detect::AllKinds()) options.known_detectors.emplace_back(dpo::detect::KindName(k));
  auto diagnostics = loaded->diagnostics;
  for (auto& d : dpo::policy::ValidatePolicy(loaded->policy, options)) diagnostics.push_back(d);
  CHECK(dpo::policy::CountErrors(diagnostics) == 0);
  CHECK(dpo::policy::CountWarnings(diagnostics) == 0);
  return loaded->policy;
}

dpo::scan::ScanResult Scan(const std::string& spec, const dpo::policy::Policy& policy,
                           const dpo::sample::GroundTruth& truth) {
  auto src = dpo::source::OpenSource(spec, dpo::source::OpenOptions{});
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  dpo::scan::ScanOptions options;
  options.policy = &policy;
  options.full = true;
  options.as_of = dpo::util::ParseIsoDate(truth.as_of).value();
  auto result = dpo::scan::RunScan(**src, options);
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  return *result;
}

void CheckAgainstTruth(const dpo::scan::ScanResult& result, const dpo::sample::GroundTruth& truth) {
  std::set<std::string> undeclared;
  std::map<std::string, int64_t> expired;  // rule -> rows
  for (const auto& f : result.findings) {
    if (f.code == dpo::scan::kCodeUndeclared) undeclared.insert(f.table + "." + f.column);
    if (f.code == dpo::scan::kCodeRetentionExpired) expired[f.policy_rule.substr(strlen("retention."))] = f.count;
    CHECK_MESSAGE(f.code != dpo::scan::kCodeMissingTable, f.message);
    CHECK_MESSAGE(f.code != dpo::scan::kCodeMissingColumn, f.message);
    CHECK_MESSAGE(f.code != dpo::scan::kCodeNationalIdWithoutLaw, f.message);
    CHECK_MESSAGE(f.code != dpo::scan::kCodeNoArt10Basis, f.message);
  }
  // Every column of an undeclared table counts as undeclared personal data.
  std::set<std::string> expected(truth.undeclared.begin(), truth.undeclared.end());
  for (const auto& t : truth.tables)
    if (!t.declared)
      for (const auto& c : t.columns)
        if (c.personal && !c.kinds.empty()) expected.insert(t.name + "." + c.name);
  CHECK(undeclared == expected);
  int rules_with_rows = 0;
  for (const auto& r : truth.retention) {
    int64_t want = static_cast<int64_t>(r.to_act);
    int64_t got = expired.count(r.rule) ? expired[r.rule] : 0;
    CHECK_MESSAGE(got == want, "rule " << r.rule << ": scan counted " << got << ", truth says " << want);
    if (want > 0) ++rules_with_rows;
  }
  CHECK(rules_with_rows >= 5);  // the sample really has expired rows to find
  CHECK(result.CountAtLeast(dpo::scan::Severity::kError) > 0);
}

}  // namespace

TEST_CASE("policy mode finds exactly the undeclared columns and expired rows the generator planted") {
  dpo::policy::Policy policy = LoadStaffingPolicy();
  dpo::testing::SampleFixture sample(800, 5);
  REQUIRE(sample.truth.undeclared.size() >= 2);
  SUBCASE("sqlite") { CheckAgainstTruth(Scan(sample.db, policy, sample.truth), sample.truth); }
  SUBCASE("csv") { CheckAgainstTruth(Scan("csv:" + sample.csv_dir, policy, sample.truth), sample.truth); }
}

TEST_CASE("a legal hold keeps rows out of the expired count, and --as-of moves the cutoff") {
  dpo::policy::Policy policy = LoadStaffingPolicy();
  dpo::testing::SampleFixture sample(400, 9);
  auto src = dpo::source::OpenSource(sample.db, dpo::source::OpenOptions{});
  REQUIRE(src.ok());
  const dpo::policy::RetentionRule* rule = nullptr;
  for (const auto& r : policy.retention)
    if (!r.legal_holds.empty() && r.dataset == "candidates") rule = &r;
  REQUIRE(rule != nullptr);
  dpo::scan::ScanOptions options;
  options.policy = &policy;
  options.tables = {"candidates"};
  options.as_of = dpo::util::ParseIsoDate(sample.truth.as_of).value();
  auto now = dpo::scan::RunScan(**src, options);
  REQUIRE(now.ok());
  options.as_of = dpo::util::Add(options.as_of, dpo::util::Duration::Years(3));
  auto later = dpo::scan::RunScan(**src, options);
  REQUIRE(later.ok());
  auto count = [&](const dpo::scan::ScanResult& r) {
    for (const auto& f : r.findings)
      if (f.policy_rule == "retention." + rule->id) return f.count;
    return int64_t{0};
  };
  int64_t candidates = 0;
  for (const auto& t : sample.truth.tables)
    if (t.name == "candidates") candidates = static_cast<int64_t>(t.rows);
  CHECK(count(*now) > 0);
  CHECK(count(*later) > count(*now));
  CHECK(count(*later) < candidates);  // held (and in-scope-only) rows never count
}

TEST_CASE("SARIF fingerprints are unique over the sample's scan (two retention rules on one table are two alerts)") {
  dpo::policy::Policy policy = LoadStaffingPolicy();
  dpo::testing::SampleFixture sample(400, 9);
  dpo::scan::ScanResult result = Scan(sample.db, policy, sample.truth);
  std::ostringstream out;
  dpo::report::RenderScanSarif(result, dpo::report::RenderOptions{}, out);
  auto sarif = nlohmann::json::parse(out.str());
  std::map<std::string, int> seen;
  int retention_on_candidates = 0;
  for (const auto& res : sarif["runs"][0]["results"]) {
    std::string fp = res["partialFingerprints"]["dpoFinding/v2"].get<std::string>();
    ++seen[fp];
    if (fp.rfind("retention-expired:", 0) == 0 && fp.find("candidates") != std::string::npos) ++retention_on_candidates;
  }
  CHECK(retention_on_candidates >= 2);  // candidate_profile_renewal and candidate_inactive
  for (const auto& fp_n : seen) {  // (named: clang 14 cannot capture structured bindings)
    const auto& fp = std::get<0>(fp_n);
    const auto& n = std::get<1>(fp_n);
    CAPTURE(fp);
    CHECK(n == 1);
  }
}
