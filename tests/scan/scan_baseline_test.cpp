// Baselines and accepted findings (issue 13, "CI gate"): the fingerprint a
// finding is known by, the three files a baseline can be read from, and the
// policy's accepted: entries with their expiry.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "detect/kind.h"
#include "policy/loader.h"
#include "policy/validate.h"
#include "report/scan_report.h"
#include "scan/accepted.h"
#include "scan/baseline.h"
#include "scan/fingerprint.h"
#include "scan/scanner.h"
#include "scan_test_util.h"

namespace {

using dpo::scan::Finding;
using dpo::scan::ScanResult;
using dpo::scan::Severity;

Finding Make(const std::string& code, const std::string& table, const std::string& column, const std::string& rule,
             Severity severity = Severity::kError) {
  Finding f;
  f.code = code;
  f.table = table;
  f.column = column;
  f.policy_rule = rule;
  f.severity = severity;
  f.line = 7;  // never part of the fingerprint
  dpo::scan::Evidence e;
  e.kind = "email";
  e.masked_samples = {"j***@e***.nl"};
  f.evidence = {e};
  return f;
}

ScanResult TwoFindings() {
  ScanResult r;
  r.policy_file = "p.yaml";
  r.findings.push_back(Make("undeclared-personal-data", "candidates", "notes", "datasets.candidates"));
  r.findings.push_back(Make("retention-expired", "candidates", "", "retention.inactive"));
  return r;
}

dpo::util::Date Day(const char* iso) { return dpo::util::ParseIsoDate(iso).value(); }

dpo::policy::Policy PolicyWith(const std::string& accepted_yaml) {
  const std::string text = std::string(R"(version: 1
controller: { name: X, contact: x@example.nl }
data_subjects: { candidate: { description: c } }
categories: { contact: { sensitivity: ordinary } }
purposes: { recruit: { legal_basis: contract, data_subjects: [candidate], categories: [contact] } }
datasets: { candidates: { data_subject: candidate, purposes: [recruit], columns: { email: contact } } }
accepted:
)") + accepted_yaml;
  auto loaded = dpo::policy::LoadPolicyString(text, "p.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  for (const auto& d : loaded->diagnostics) FAIL_CHECK(d.location.ToString() << ": " << d.message);
  return loaded->policy;
}

}  // namespace

TEST_CASE("fingerprint: code, table.column and policy rule; never the line, count or evidence") {
  Finding a = Make("undeclared-personal-data", "candidates", "notes", "datasets.candidates");
  CHECK(dpo::scan::Fingerprint(a) == "undeclared-personal-data:candidates.notes:datasets.candidates");
  Finding b = a;
  b.line = 900;
  b.count = 12;
  b.evidence.clear();
  b.message = "other words";
  CHECK(dpo::scan::Fingerprint(a) == dpo::scan::Fingerprint(b));
  // Two retention rules on one table are two findings.
  CHECK(dpo::scan::Fingerprint(Make("retention-expired", "t", "", "retention.a")) !=
        dpo::scan::Fingerprint(Make("retention-expired", "t", "", "retention.b")));
  CHECK(dpo::scan::Fingerprint(Make("declared-table-missing", "t", "", "")) == "declared-table-missing:t");
}

TEST_CASE("baseline: written without samples or accepted findings, read back, and applied") {
  ScanResult r = TwoFindings();
  r.findings.push_back(Make("free-text-personal-data", "candidates", "remarks", "datasets.candidates"));
  r.findings.back().accepted = Finding::Acceptance{"cleanup", "DPO", "2030-01-01", "p.yaml:9:5"};
  const std::string text = dpo::scan::BaselineJson(r);
  CHECK(text.find("j***") == std::string::npos);  // no masked samples
  CHECK(text.find("remarks") == std::string::npos);  // accepted: managed by the policy, not the baseline
  auto j = nlohmann::json::parse(text);
  CHECK(j["dpo_baseline"] == 1);
  REQUIRE(j["fingerprints"].size() == 2);
  CHECK(j["fingerprints"][0]["fingerprint"] == "retention-expired:candidates:retention.inactive");
  CHECK(j["fingerprints"][0]["code"] == "retention-expired");
  CHECK(j["fingerprints"][0]["location"] == "candidates");

  auto baseline = dpo::scan::ParseBaseline(text, "b.json");
  REQUIRE_MESSAGE(baseline.ok(), baseline.status().message());
  CHECK(baseline->fingerprints.size() == 2);

  ScanResult next = TwoFindings();
  next.findings.push_back(Make("undeclared-personal-data", "candidates", "iban", "datasets.candidates"));
  CHECK(next.CountAtLeast(Severity::kError) == 3);
  dpo::scan::ApplyBaseline(*baseline, &next);
  CHECK(next.baseline_used);
  CHECK(next.findings[0].baselined);
  CHECK(next.findings[1].baselined);
  CHECK_FALSE(next.findings[2].baselined);
  CHECK(next.CountAtLeast(Severity::kError) == 1);  // only the new one fails
}

TEST_CASE("baseline: a JSON or SARIF report is a baseline too, with or without the fingerprint field") {
  ScanResult r = TwoFindings();
  r.findings.push_back(Make("free-text-personal-data", "candidates", "remarks", "datasets.candidates"));
  r.findings.back().accepted = Finding::Acceptance{"cleanup", "DPO", "2030-01-01", "p.yaml:9:5"};
  for (auto format : {dpo::report::ScanFormat::kJson, dpo::report::ScanFormat::kSarif}) {
    CAPTURE(dpo::report::ScanFormatName(format));
    std::ostringstream out;
    dpo::report::RenderScan(r, format, {}, out);
    auto baseline = dpo::scan::ParseBaseline(out.str(), "report");
    REQUIRE_MESSAGE(baseline.ok(), baseline.status().message());
    CHECK(baseline->fingerprints == std::set<std::string>{"undeclared-personal-data:candidates.notes:datasets.candidates",
                                                          "retention-expired:candidates:retention.inactive"});
  }
  // SARIF: the accepted finding carries a suppression; without a baseline, no baselineState.
  std::ostringstream sarif;
  dpo::report::RenderScan(r, dpo::report::ScanFormat::kSarif, {}, sarif);
  const nlohmann::json sj = nlohmann::json::parse(sarif.str());
  const auto& results = sj["runs"][0]["results"];
  REQUIRE(results.size() == 3);
  int suppressed = 0;
  for (const auto& res : results) {
    CHECK_FALSE(res.contains("baselineState"));
    if (!res.contains("suppressions")) continue;
    ++suppressed;
    CHECK(res["suppressions"][0]["status"] == "accepted");
    CHECK(res["suppressions"][0]["kind"] == "external");
    CHECK(res["suppressions"][0]["location"]["physicalLocation"]["region"]["startLine"] == 9);
  }
  CHECK(suppressed == 1);
  CHECK(sj["runs"][0]["properties"]["accepted"] == 1);
  std::ostringstream text;
  dpo::report::RenderScan(r, dpo::report::ScanFormat::kText, {}, text);
  CHECK(text.str().find("[accepted until 2030-01-01]") != std::string::npos);
  CHECK(text.str().find("2 errors, 0 warnings, 0 notes (and 1 accepted, not counted)") != std::string::npos);

  // A report of a dpo before "fingerprint" existed: made from its parts.
  auto old = dpo::scan::ParseBaseline(
      R"({"schema_version":1,"findings":[{"code":"retention-expired","table":"t","column":"","policy_rule":"retention.r"}]})",
      "old.json");
  REQUIRE_MESSAGE(old.ok(), old.status().message());
  CHECK(old->fingerprints.count("retention-expired:t:retention.r") == 1);
}

TEST_CASE("baseline: not JSON, the wrong shape, another tool's SARIF: errors naming the file and the place") {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"dpo scan output\n", "b.json: not a baseline: invalid JSON at byte"},
      {"[1, 2]", "b.json: not a baseline (the JSON is not an object)"},
      {R"({"hello": 1})", "b.json: not a baseline, nor a dpo scan JSON or SARIF report"},
      {R"({"dpo_baseline": 2, "fingerprints": []})", "baseline format 2 is not supported"},
      {R"({"dpo_baseline": 1})", "b.json: fingerprints: missing, or not a list"},
      {R"({"dpo_baseline": 1, "fingerprints": [{"code": "x"}]})", "b.json: fingerprints[0]: has no \"fingerprint\""},
      {R"({"schema_version": 1, "findings": [{"severity": "error"}]})", "b.json: findings[0]: has no \"fingerprint\""},
      {R"({"runs": [{"tool": {"driver": {"name": "semgrep"}}, "results": []}]})",
       "b.json: runs[0].tool.driver.name: not a SARIF report of dpo"},
      {R"({"runs": [{"tool": {"driver": {"name": "dpo"}}, "results": [{"ruleId": "x"}]}]})",
       "b.json: runs[0].results[0]: has no partialFingerprints \"dpoFinding/v2\""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto b = dpo::scan::ParseBaseline(c.text, "b.json");
    REQUIRE_FALSE(b.ok());
    CHECK_MESSAGE(b.status().message().find(c.expect) != std::string::npos, b.status().message());
    CHECK(b.status().message().find("dpo scan --write-baseline") != std::string::npos);  // what to do
  }
  auto missing = dpo::scan::ReadBaselineFile("/nonexistent/dir/b.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("cannot read baseline file '/nonexistent/dir/b.json'") != std::string::npos);
}

TEST_CASE("accepted: counts again after 'until', with an acceptance-expired warning; expiry beats the baseline") {
  dpo::policy::Policy p = PolicyWith(R"(  - finding: undeclared-personal-data:candidates.notes:datasets.candidates
    reason: notes are being cleaned up (ticket 42)
    by: J. de Vries, FG
    until: 2027-06-30
  - finding: { code: retention-expired, table: candidates }
    reason: the purge job is rewritten
    by: IT
    until: 2026-12-31
)");
  REQUIRE(p.accepted.size() == 2);
  CHECK(p.accepted[1].code == "retention-expired");

  ScanResult before = TwoFindings();
  dpo::scan::ApplyAcceptances(p, Day("2026-12-31"), &before);  // the last day still counts as accepted
  REQUIRE(before.findings.size() == 2);
  REQUIRE(before.findings[0].accepted.has_value());
  CHECK(before.findings[0].accepted->until == "2027-06-30");
  CHECK(before.findings[0].accepted->by == "J. de Vries, FG");
  CHECK(before.findings[0].accepted->location == "p.yaml:8:5");
  CHECK(before.findings[1].accepted.has_value());
  CHECK(before.CountAtLeast(Severity::kNote) == 0);

  ScanResult after = TwoFindings();
  dpo::scan::Baseline baseline;
  baseline.fingerprints = {dpo::scan::Fingerprint(after.findings[1])};
  dpo::scan::ApplyBaseline(baseline, &after);
  dpo::scan::ApplyAcceptances(p, Day("2027-01-01"), &after);
  REQUIRE(after.findings.size() == 3);
  CHECK(after.findings[0].accepted.has_value());      // until 2027-06-30: still accepted
  CHECK_FALSE(after.findings[1].accepted.has_value());  // expired on 2026-12-31
  CHECK_FALSE(after.findings[1].baselined);           // in the baseline, but the expiry decides
  const Finding& note = after.findings[2];
  CHECK(note.code == dpo::scan::kCodeAcceptanceExpired);
  CHECK(note.severity == Severity::kWarning);
  CHECK(note.table == "candidates");
  CHECK(note.policy_rule == "accepted[1]");
  CHECK(note.message.find("ended on 2026-12-31") != std::string::npos);
  CHECK(note.message.find("purge") == std::string::npos);  // neither the reason...
  CHECK(note.message.find("IT") == std::string::npos);     // ...nor who accepted it
  CHECK(after.CountAtLeast(Severity::kError) == 1);
}

TEST_CASE("accepted: the loader requires reason, by and a real until, with file:line:column") {
  struct Case {
    const char* yaml;
    const char* where;
    const char* expect;
  };
  const Case cases[] = {
      {"  - { finding: a:b, by: me, until: 2027-01-01 }\n", "p.yaml:8:5", "has no 'reason'"},
      {"  - { finding: a:b, reason: r, until: 2027-01-01 }\n", "p.yaml:8:5", "has no 'by'"},
      {"  - { finding: a:b, reason: r, by: me }\n", "p.yaml:8:5", "has no 'until'"},
      {"  - { finding: a:b, reason: r, by: me, until: 2027-02-30 }\n", "p.yaml:8:47", "is not a date"},
      {"  - { finding: a:b, reason: r, by: me, until: next year }\n", "p.yaml:8:47", "is not a date"},
      {"  - { finding: a:b, reason: r, by: me, until: 2027-01-01T00:00 }\n", "p.yaml:8:47", "is not a date"},
      {"  - { finding: nocolon, reason: r, by: me, until: 2027-01-01 }\n", "p.yaml:8:16", "is not a fingerprint"},
      {"  - { finding: { table: t }, reason: r, by: me, until: 2027-01-01 }\n", "p.yaml:8:16", "has no 'code'"},
      {"  - { reason: r, by: me, until: 2027-01-01 }\n", "p.yaml:8:5", "has no 'finding'"},
      {"  - { finding: a:b, reason: r, by: me, until: 2027-01-01, who: x }\n", "p.yaml:8:59", "unknown key 'who'"},
  };
  const std::string head = R"(version: 1
controller: { name: X, contact: x@example.nl }
data_subjects: { candidate: { description: c } }
categories: { contact: { sensitivity: ordinary } }
purposes: { recruit: { legal_basis: contract, data_subjects: [candidate], categories: [contact] } }
datasets: { candidates: { data_subject: candidate, purposes: [recruit], columns: { email: contact } } }
accepted:
)";
  for (const Case& c : cases) {
    const std::string yaml = c.yaml;
    CAPTURE(yaml);
    auto loaded = dpo::policy::LoadPolicyString(head + c.yaml, "p.yaml");
    REQUIRE(loaded.ok());
    REQUIRE(loaded->diagnostics.size() == 1);
    const auto& d = loaded->diagnostics[0];
    CHECK(d.severity == dpo::policy::Diagnostic::Severity::kError);
    CHECK(d.location.ToString() == c.where);
    CHECK_MESSAGE(d.message.find(c.expect) != std::string::npos, d.message);
    CHECK_FALSE(d.hint.empty());
    // An incomplete entry accepts nothing (an unknown key is an error, but the entry is complete).
    if (d.code != "unknown-key") CHECK(loaded->policy.accepted.empty());
  }
  // TODO is a warning elsewhere, so a TODO reason must not accept.
  auto todo = dpo::policy::LoadPolicyString(head + "  - { finding: a:b, reason: TODO, by: me, until: 2027-01-01 }\n",
                                            "p.yaml");
  REQUIRE(todo.ok());
  CHECK(todo->policy.accepted.empty());
  CHECK(todo->policy.todos.size() == 1);
  // The same finding twice: a warning of validation.
  auto twice = dpo::policy::LoadPolicyString(head + "  - { finding: a:b, reason: r, by: me, until: 2027-01-01 }\n" +
                                                 "  - { finding: a:b, reason: s, by: me, until: 2028-01-01 }\n",
                                             "p.yaml");
  REQUIRE(twice.ok());
  CHECK(twice->diagnostics.empty());
  bool duplicate = false;
  for (const auto& d : dpo::policy::ValidatePolicy(twice->policy, {}))
    if (d.code == "duplicate-acceptance") duplicate = d.location.ToString() == "p.yaml:9:5";
  CHECK(duplicate);
}

TEST_CASE("the sample's scan: every SARIF partialFingerprint and JSON fingerprint is unique") {
  dpo::testing::SampleFixture sample(400, 9);
  auto loaded = dpo::policy::LoadPolicyFile(std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml");
  REQUIRE(loaded.ok());
  for (const std::string& spec : {sample.db, sample.csv_dir}) {
    for (bool discovery : {false, true}) {
      CAPTURE(spec);
      CAPTURE(discovery);
      auto src = dpo::source::OpenSource(spec, dpo::source::OpenOptions{});
      REQUIRE(src.ok());
      dpo::scan::ScanOptions options;
      options.policy = discovery ? nullptr : &loaded->policy;
      options.as_of = Day(sample.truth.as_of.c_str());
      auto result = dpo::scan::RunScan(**src, options);
      REQUIRE_MESSAGE(result.ok(), result.status().message());
      REQUIRE(result->findings.size() > 10);
      if (!discovery) {
        // The sample has several retention rules on one table: the case v1 merged.
        std::map<std::string, int> retention_per_table;
        for (const auto& f : result->findings)
          if (f.code == dpo::scan::kCodeRetentionExpired) ++retention_per_table[f.table];
        int most = 0;
        for (const auto& [t, n] : retention_per_table) most = std::max(most, n);
        CHECK(most >= 2);
      }
      std::ostringstream sarif;
      dpo::report::RenderScan(*result, dpo::report::ScanFormat::kSarif, {}, sarif);
      std::set<std::string> seen;
      const nlohmann::json sarif_json = nlohmann::json::parse(sarif.str());
      for (const auto& r : sarif_json["runs"][0]["results"]) {
        std::string fp = r["partialFingerprints"]["dpoFinding/v2"];
        CHECK_MESSAGE(seen.insert(fp).second, "duplicate SARIF fingerprint " << fp);
      }
      CHECK(seen.size() == result->findings.size());
      std::ostringstream json;
      dpo::report::RenderScan(*result, dpo::report::ScanFormat::kJson, {}, json);
      std::set<std::string> json_seen;
      const nlohmann::json json_json = nlohmann::json::parse(json.str());
      for (const auto& f : json_json["findings"]) json_seen.insert(f["fingerprint"].get<std::string>());
      CHECK(json_seen == seen);
    }
  }
}
