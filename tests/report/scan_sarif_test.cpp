#include <doctest/doctest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "render_util.h"

using namespace dpo::report;
using namespace dpo::report::testing;
using nlohmann::json;

namespace {

json RenderSarif(const dpo::scan::ScanResult& r, RenderOptions options = {}) {
  return json::parse(Render(r, ScanFormat::kSarif, options));
}

const json& ResultFor(const json& sarif, const std::string& rule, const std::string& fqn) {
  for (const json& res : sarif["runs"][0]["results"])
    if (res["ruleId"] == rule && res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == fqn) return res;
  FAIL("no result " << rule << " at " << fqn);
  static json none;
  return none;
}

}  // namespace

TEST_CASE("SARIF: 2.1.0 envelope and a driver with a rule for every code used") {
  const auto r = PolicyModeResult();
  RenderOptions options;
  options.tool_version = "1.2.3";
  const json s = RenderSarif(r, options);
  CHECK(s["version"] == "2.1.0");
  CHECK(s["$schema"].get<std::string>().find("sarif-2.1.0") != std::string::npos);
  REQUIRE(s["runs"].size() == 1);
  const json& driver = s["runs"][0]["tool"]["driver"];
  CHECK(driver["name"] == "dpo");
  CHECK(driver["version"] == "1.2.3");
  CHECK(driver["informationUri"].get<std::string>().find(':') != std::string::npos);
  std::set<std::string> rule_ids;
  for (const json& rule : driver["rules"]) {
    rule_ids.insert(rule["id"]);
    CHECK_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
    CHECK_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
    CHECK(rule["helpUri"].get<std::string>().rfind("https://", 0) == 0);
    const std::string level = rule["defaultConfiguration"]["level"];
    CHECK((level == "error" || level == "warning" || level == "note"));
  }
  CHECK(rule_ids.size() == driver["rules"].size());  // ids are unique
  for (const auto& f : r.findings) CHECK(rule_ids.count(f.code) == 1);
}

TEST_CASE("SARIF: one result per finding with its level, message, rule index and logical location") {
  const auto r = PolicyModeResult();
  const json s = RenderSarif(r);
  const json& results = s["runs"][0]["results"];
  const json& rules = s["runs"][0]["tool"]["driver"]["rules"];
  REQUIRE(results.size() == r.findings.size());
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const auto& f = r.findings[i];
    const json& res = results[i];
    CHECK(res["ruleId"] == f.code);
    CHECK(rules[res["ruleIndex"].get<size_t>()]["id"] == f.code);
    CHECK(res["level"] == dpo::scan::SeverityName(f.severity));
    CHECK(res["message"]["text"].get<std::string>().find(f.message) != std::string::npos);
    const json& logical = res["locations"][0]["logicalLocations"][0];
    if (f.column.empty()) {
      CHECK(logical["fullyQualifiedName"] == f.table);
      CHECK(logical["kind"] == "type");
    } else {
      CHECK(logical["fullyQualifiedName"] == f.table + "." + f.column);
      CHECK(logical["kind"] == "member");
    }
    CHECK(res["properties"]["category"] == f.category);
    CHECK(res["properties"]["count"] == f.count);
    CHECK_FALSE(res["partialFingerprints"]["dpoFinding/v2"].get<std::string>().empty());
  }
}

TEST_CASE("SARIF: a database finding points at the policy line, or else at the database") {
  const json s = RenderSarif(PolicyModeResult());
  const json& undeclared = ResultFor(s, "undeclared-personal-data", "candidates.private_email_2");
  const json& phys = undeclared["locations"][0]["physicalLocation"];
  CHECK(phys["artifactLocation"]["uri"] == "policies/staffing.yaml");
  CHECK(phys["region"]["startLine"] == 14);
  CHECK(phys["region"]["startColumn"] == 5);
  // No policy location: the database itself, without a region.
  const json& free_text = ResultFor(s, "free-text-personal-data", "candidate_notes.body");
  CHECK(free_text["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "samples/staffing.db");
  CHECK_FALSE(free_text["locations"][0]["physicalLocation"].contains("region"));
}

TEST_CASE("SARIF: a CSV finding points at the file and line; the policy rule becomes a related location") {
  auto r = DiscoveryResult();
  r.findings[0].policy_location = "policies/p.yaml:8:3";
  const json s = RenderSarif(r);
  const json& res = s["runs"][0]["results"][0];
  const json& phys = res["locations"][0]["physicalLocation"];
  CHECK(phys["artifactLocation"]["uri"] == r.findings[0].file);
  CHECK(phys["region"]["startLine"] == r.findings[0].line);
  CHECK(res["level"] == "note");
  CHECK(res["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "policies/p.yaml");
  CHECK(res["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 8);
  CHECK(s["runs"][0]["properties"]["discovery"] == true);
}

TEST_CASE("SARIF: hostile file names are percent-encoded URIs; unknown codes still get a rule") {
  auto r = HostileResult();
  r.findings[1].code = "some-future-code";
  const json s = RenderSarif(r);
  const std::string uri = s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
  CHECK(uri.find_first_of("<> =") == std::string::npos);
  bool found = false;
  for (const json& rule : s["runs"][0]["tool"]["driver"]["rules"]) found = found || rule["id"] == "some-future-code";
  CHECK(found);
  const json& res = s["runs"][0]["results"][1];
  CHECK(s["runs"][0]["tool"]["driver"]["rules"][res["ruleIndex"].get<size_t>()]["id"] == "some-future-code");
}
