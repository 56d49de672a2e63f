// SARIF 2.1.0 (OASIS), the format code-scanning tools ingest. One run, one
// rule per finding code, one result per finding. Each result is located in
// the file a person would open to fix it: the CSV file (at the first
// offending line), else the policy file (at the rule's line), else the
// database. The table and column are a logical location ("table.column",
// kind "member"), since a database has no lines.
#include <nlohmann/json.hpp>

#include "report/escape.h"
#include "report/scan_common.h"
#include "report/scan_report.h"
#include "report/skipped_rows.h"
#include "scan/fingerprint.h"

namespace dpo::report {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char* kDefaultInformationUri = "man:dpo-scan(1)";

const char* SarifLevel(scan::Severity s) {
  switch (s) {
    case scan::Severity::kError: return "error";
    case scan::Severity::kWarning: return "warning";
    case scan::Severity::kNote: return "note";
  }
  return "note";
}

Json Text(const std::string& s) { return Json{{"text", s}}; }

Json RuleJson(const RuleInfo& r) {
  Json j;
  j["id"] = r.code;
  j["name"] = r.code;
  j["shortDescription"] = Text(r.title);
  j["fullDescription"] = Text(std::string(r.description) + (r.law[0] ? std::string(" (") + r.law + ")" : ""));
  j["helpUri"] = r.help_uri;
  j["help"] = Text(r.description);
  j["defaultConfiguration"] = Json{{"level", SarifLevel(r.default_severity)}};
  j["properties"] = Json{{"tags", Json::array({"privacy", "gdpr"})}};
  return j;
}

// A rule for a code this build does not describe: still a valid rule, so
// every result has one.
Json UnknownRuleJson(const std::string& code, scan::Severity severity) {
  Json j;
  j["id"] = code;
  j["name"] = code;
  j["shortDescription"] = Text(code);
  j["fullDescription"] = Text("dpo finding " + code + ".");
  j["helpUri"] = kDefaultInformationUri;
  j["defaultConfiguration"] = Json{{"level", SarifLevel(severity)}};
  return j;
}

Json PhysicalLocation(const std::string& path, int64_t line, int64_t column) {
  Json p;
  p["artifactLocation"] = Json{{"uri", UriFromPath(path)}};
  if (line > 0) {
    Json region;
    region["startLine"] = line;
    if (column > 0) region["startColumn"] = column;
    p["region"] = std::move(region);
  }
  return p;
}

Json LogicalLocations(const scan::Finding& f) {
  Json l;
  if (f.column.empty()) {
    l["name"] = f.table;
    l["fullyQualifiedName"] = f.table;
    l["kind"] = "type";  // the table: what holds the members
  } else {
    l["name"] = f.column;
    l["fullyQualifiedName"] = f.table + "." + f.column;
    l["kind"] = "member";
  }
  return Json::array({std::move(l)});
}

// A short text a code-scanning UI can show on its own: the message, the
// evidence, and what to do.
std::string MessageText(const scan::Finding& f) {
  std::string text = f.message.empty() ? FindingLocation(f) + ": " + f.code : f.message;
  if (!f.evidence.empty()) text += " Evidence: " + EvidenceSummary(f.evidence.front()) + ".";
  if (!f.hint.empty()) text += " Fix: " + f.hint;
  return text;
}

Json ResultJson(const scan::ScanResult& result, const scan::Finding& f, int rule_index) {
  Json r;
  r["ruleId"] = f.code;
  r["ruleIndex"] = rule_index;
  r["level"] = SarifLevel(f.severity);
  r["message"] = Text(MessageText(f));

  const SourceLocation policy = ParseSourceLocation(f.policy_location);
  Json location;
  bool policy_is_primary = false;
  if (!f.file.empty()) {
    location["physicalLocation"] = PhysicalLocation(f.file, f.line, 0);
  } else if (!policy.path.empty()) {
    location["physicalLocation"] = PhysicalLocation(policy.path, policy.line, policy.column);
    policy_is_primary = true;
  } else if (!result.source.empty()) {
    location["physicalLocation"] = PhysicalLocation(result.source, 0, 0);
  }
  location["logicalLocations"] = LogicalLocations(f);
  r["locations"] = Json::array({std::move(location)});
  if (!policy.path.empty() && !policy_is_primary) {
    Json related;
    related["id"] = 1;
    related["physicalLocation"] = PhysicalLocation(policy.path, policy.line, policy.column);
    related["message"] = Text("policy rule " + (f.policy_rule.empty() ? f.policy_location : f.policy_rule));
    r["relatedLocations"] = Json::array({std::move(related)});
  }
  // Stable across runs, so code-scanning tools can track a finding over time,
  // and one per finding: two retention rules on one table are two alerts, so
  // the policy rule is part of it (v2; v1 had only code and location). The
  // engine's fingerprint, which baselines and `accepted:` also match on.
  r["partialFingerprints"] = Json{{"dpoFinding/v2", scan::Fingerprint(f)}};
  if (result.baseline_used) r["baselineState"] = f.baselined ? "unchanged" : "new";
  if (f.accepted) {
    Json s;
    s["kind"] = "external";  // declared in the policy, not in the scanned source
    s["status"] = "accepted";
    s["justification"] = f.accepted->reason + " (accepted by " + f.accepted->by + " until " + f.accepted->until + ")";
    if (!f.accepted->location.empty()) {
      const SourceLocation at = ParseSourceLocation(f.accepted->location);
      s["location"] = Json{{"physicalLocation", PhysicalLocation(at.path, at.line, at.column)}};
    }
    r["suppressions"] = Json::array({std::move(s)});
  }

  Json props;
  props["category"] = f.category;
  props["table"] = f.table;
  props["column"] = f.column;
  props["count"] = f.count;
  if (!f.hint.empty()) props["hint"] = f.hint;
  if (!f.policy_rule.empty()) props["policyRule"] = f.policy_rule;
  if (!f.policy_location.empty()) props["policyLocation"] = f.policy_location;
  if (!f.evidence.empty()) {
    const scan::Evidence& e = f.evidence.front();
    props["evidenceKind"] = e.kind;
    props["confidence"] = e.confidence;
    props["valuesSeen"] = e.values_seen;
    props["valuesMatched"] = e.values_matched;
    props["valuesValidated"] = e.values_validated;
    props["valuesContaining"] = e.values_containing;
    props["maskedSamples"] = e.masked_samples;
  }
  r["properties"] = std::move(props);
  return r;
}

}  // namespace

void RenderScanSarif(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out) {
  // Rules: every known code (a stable ruleIndex), then any code this build
  // does not know, in order of first use.
  Json rules = Json::array();
  std::vector<std::string> rule_ids;
  for (const RuleInfo& r : AllRules()) {
    rules.push_back(RuleJson(r));
    rule_ids.push_back(r.code);
  }
  auto index_of = [&rule_ids](const std::string& code) {
    for (size_t i = 0; i < rule_ids.size(); ++i)
      if (rule_ids[i] == code) return static_cast<int>(i);
    return -1;
  };
  Json results = Json::array();
  for (const scan::Finding& f : result.findings) {
    int index = index_of(f.code);
    if (index < 0) {
      rules.push_back(UnknownRuleJson(f.code, f.severity));
      rule_ids.push_back(f.code);
      index = static_cast<int>(rule_ids.size()) - 1;
    }
    results.push_back(ResultJson(result, f, index));
  }

  Json driver;
  driver["name"] = "dpo";
  driver["version"] = ToolVersion(options);
  driver["semanticVersion"] = ToolVersion(options);
  driver["informationUri"] = options.information_uri.empty() ? kDefaultInformationUri : options.information_uri;
  driver["rules"] = std::move(rules);

  const SeverityCounts counts = CountBySeverity(result);
  Json run;
  run["tool"] = Json{{"driver", std::move(driver)}};
  Json invocation{{"executionSuccessful", true}};
  // Rows skipped under --skip-bad-rows were never scanned: a notification
  // per file, located at its first skipped line.
  Json notifications = Json::array();
  for (const scan::TableReport& t : result.tables) {
    if (t.rows_skipped <= 0) continue;
    Json n;
    n["level"] = "warning";
    n["descriptor"] = Json{{"id", "skipped-rows"}};
    n["message"] = Json{{"text", SkippedRowsSentence(t.rows_skipped, t.skipped_lines) + "; they were not scanned"}};
    Json physical = PhysicalLocation(t.file.empty() ? t.name : t.file,
                                     t.skipped_lines.empty() ? 0 : t.skipped_lines.front(), 0);
    n["locations"] = Json::array({Json{{"physicalLocation", std::move(physical)}}});
    n["properties"] = Json{{"table", t.name}, {"rows_skipped", t.rows_skipped}, {"skipped_lines", t.skipped_lines}};
    notifications.push_back(std::move(n));
  }
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);
  run["invocations"] = Json::array({std::move(invocation)});
  run["results"] = std::move(results);
  Json props;
  props["source"] = result.source;
  props["sourceKind"] = result.source_kind;
  props["policy"] = result.policy_file;
  props["discovery"] = IsDiscovery(result);
  props["asOf"] = result.as_of;
  props["mode"] = result.mode;
  props["sampleRows"] = result.sample_rows;
  props["errors"] = counts.errors;
  props["warnings"] = counts.warnings;
  props["notes"] = counts.notes;
  props["baselined"] = counts.baselined;
  props["accepted"] = counts.accepted;
  props["tables"] = static_cast<int64_t>(result.tables.size());
  props["rows"] = result.stats.rows;
  props["bytes"] = result.stats.bytes;
  props["seconds"] = result.stats.seconds;
  run["properties"] = std::move(props);

  Json sarif;
  sarif["$schema"] = kSarifSchema;
  sarif["version"] = "2.1.0";
  sarif["runs"] = Json::array({std::move(run)});
  out << sarif.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace dpo::report
