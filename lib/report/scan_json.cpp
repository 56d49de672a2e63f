// The JSON rendering: a public, stable interface (schema_version 1,
// documented field by field in docs/scan-json.md). Add fields, never rename
// or remove one; bump schema_version only for an incompatible change.
#include <nlohmann/json.hpp>

#include "report/scan_common.h"
#include "report/scan_report.h"
#include "scan/fingerprint.h"

namespace dpo::report {

namespace {

using Json = nlohmann::ordered_json;  // keys in the documented order

constexpr int kSchemaVersion = 1;

Json EvidenceJson(const scan::Evidence& e) {
  Json j;
  j["kind"] = e.kind;
  j["confidence"] = e.confidence;
  j["values_seen"] = e.values_seen;
  j["values_matched"] = e.values_matched;
  j["values_validated"] = e.values_validated;
  j["values_containing"] = e.values_containing;
  j["name_match"] = e.name_match;
  j["masked_samples"] = e.masked_samples;
  return j;
}

Json EvidenceListJson(const std::vector<scan::Evidence>& list) {
  Json a = Json::array();
  for (const scan::Evidence& e : list) a.push_back(EvidenceJson(e));
  return a;
}

Json FindingJson(const scan::Finding& f) {
  Json j;
  j["code"] = f.code;
  j["severity"] = scan::SeverityName(f.severity);
  j["table"] = f.table;
  j["column"] = f.column;
  j["file"] = f.file;
  j["line"] = f.line;
  j["category"] = f.category;
  j["message"] = f.message;
  j["hint"] = f.hint;
  j["count"] = f.count;
  j["policy_rule"] = f.policy_rule;
  j["policy_location"] = f.policy_location;
  j["evidence"] = EvidenceListJson(f.evidence);
  j["fingerprint"] = scan::Fingerprint(f);
  j["baselined"] = f.baselined;
  if (f.accepted) {
    Json a;
    a["reason"] = f.accepted->reason;
    a["by"] = f.accepted->by;
    a["until"] = f.accepted->until;
    a["policy_location"] = f.accepted->location;
    j["accepted"] = std::move(a);
  } else {
    j["accepted"] = nullptr;
  }
  return j;
}

Json TableJson(const scan::TableReport& t) {
  Json j;
  j["name"] = t.name;
  j["file"] = t.file;
  j["row_count"] = t.row_count < 0 ? Json(nullptr) : Json(t.row_count);
  j["row_count_exact"] = t.row_count_exact;
  j["rows_scanned"] = t.rows_scanned;
  j["rows_skipped"] = t.rows_skipped;
  j["skipped_lines"] = t.skipped_lines;
  Json cols = Json::array();
  for (const scan::ColumnReport& c : t.columns) {
    Json cj;
    cj["name"] = c.name;
    cj["type"] = c.type;
    cj["declared_category"] = c.declared_category;
    cj["discovered_category"] = c.discovered_category;
    cj["free_text"] = c.free_text;
    cj["values_seen"] = c.values_seen;
    cj["evidence"] = EvidenceListJson(c.evidence);
    cols.push_back(std::move(cj));
  }
  j["columns"] = std::move(cols);
  return j;
}

}  // namespace

void RenderScanJson(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out) {
  const SeverityCounts counts = CountBySeverity(result);
  Json j;
  j["dpo_version"] = ToolVersion(options);
  j["schema_version"] = kSchemaVersion;
  j["source"] = result.source;
  j["source_kind"] = result.source_kind;
  j["policy"] = IsDiscovery(result) ? Json(nullptr) : Json(result.policy_file);
  j["discovery"] = IsDiscovery(result);
  j["as_of"] = result.as_of;
  j["mode"] = result.mode;
  j["sample_rows"] = result.sample_rows;
  j["verdict"] = VerdictOf(result).word;
  Json summary;
  summary["errors"] = counts.errors;
  summary["warnings"] = counts.warnings;
  summary["notes"] = counts.notes;
  summary["baselined"] = counts.baselined;
  summary["accepted"] = counts.accepted;
  summary["tables"] = static_cast<int64_t>(result.tables.size());
  summary["personal_data_columns"] = PersonalDataColumnCount(result);
  summary["rows"] = result.stats.rows;
  summary["bytes"] = result.stats.bytes;
  summary["seconds"] = result.stats.seconds;
  summary["threads"] = result.stats.threads;
  j["summary"] = std::move(summary);
  Json findings = Json::array();
  for (const scan::Finding& f : result.findings) findings.push_back(FindingJson(f));
  j["findings"] = std::move(findings);
  Json tables = Json::array();
  for (const scan::TableReport& t : result.tables) tables.push_back(TableJson(t));
  j["tables"] = std::move(tables);
  // Names come from the source and may be invalid UTF-8: replace, never throw.
  out << j.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace dpo::report
