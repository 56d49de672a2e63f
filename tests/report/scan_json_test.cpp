#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "render_util.h"

using namespace dpo::report;
using namespace dpo::report::testing;
using nlohmann::json;

namespace {

json RenderJson(const dpo::scan::ScanResult& r) { return json::parse(Render(r, ScanFormat::kJson)); }

// Every key path in a document: "summary.errors", "findings[].evidence[].kind".
void CollectPaths(const json& j, const std::string& prefix, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
      out.insert(path);
      CollectPaths(it.value(), path, out);
    }
  } else if (j.is_array()) {
    for (const json& e : j) CollectPaths(e, prefix + "[]", out);
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("JSON: top level, summary and counts follow the result") {
  const auto r = PolicyModeResult();
  RenderOptions options;
  options.tool_version = "9.8.7";
  const json j = json::parse(Render(r, ScanFormat::kJson, options));
  CHECK(j["dpo_version"] == "9.8.7");
  CHECK(j["schema_version"] == 1);
  CHECK(j["source"] == r.source);
  CHECK(j["source_kind"] == r.source_kind);
  CHECK(j["policy"] == r.policy_file);
  CHECK(j["discovery"] == false);
  CHECK(j["as_of"] == r.as_of);
  CHECK(j["mode"] == r.mode);
  CHECK(j["sample_rows"] == r.sample_rows);
  CHECK(j["verdict"] == "FAIL");
  CHECK(j["summary"]["errors"] == r.CountAtLeast(dpo::scan::Severity::kError));
  CHECK(j["summary"]["warnings"] ==
        r.CountAtLeast(dpo::scan::Severity::kWarning) - r.CountAtLeast(dpo::scan::Severity::kError));
  CHECK(j["summary"]["notes"] == 0);
  CHECK(j["summary"]["tables"] == r.tables.size());
  CHECK(j["summary"]["rows"] == r.stats.rows);
  CHECK(j["summary"]["bytes"] == r.stats.bytes);
  CHECK(j["summary"]["seconds"] == doctest::Approx(r.stats.seconds));
  CHECK(j["summary"]["threads"] == r.stats.threads);
}

TEST_CASE("JSON: every Finding, TableReport, ColumnReport and Evidence field is there, in order") {
  const auto r = PolicyModeResult();
  const json j = RenderJson(r);
  REQUIRE(j["findings"].size() == r.findings.size());
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const auto& f = r.findings[i];
    const json& jf = j["findings"][i];
    CHECK(jf["code"] == f.code);
    CHECK(jf["severity"] == dpo::scan::SeverityName(f.severity));
    CHECK(jf["table"] == f.table);
    CHECK(jf["column"] == f.column);
    CHECK(jf["file"] == f.file);
    CHECK(jf["line"] == f.line);
    CHECK(jf["category"] == f.category);
    CHECK(jf["message"] == f.message);
    CHECK(jf["hint"] == f.hint);
    CHECK(jf["count"] == f.count);
    CHECK(jf["policy_rule"] == f.policy_rule);
    CHECK(jf["policy_location"] == f.policy_location);
    REQUIRE(jf["evidence"].size() == f.evidence.size());
    for (size_t k = 0; k < f.evidence.size(); ++k) {
      const auto& e = f.evidence[k];
      const json& je = jf["evidence"][k];
      CHECK(je["kind"] == e.kind);
      CHECK(je["confidence"] == doctest::Approx(e.confidence));
      CHECK(je["values_seen"] == e.values_seen);
      CHECK(je["values_matched"] == e.values_matched);
      CHECK(je["values_validated"] == e.values_validated);
      CHECK(je["values_containing"] == e.values_containing);
      CHECK(je["name_match"] == e.name_match);
      CHECK(je["masked_samples"] == e.masked_samples);
    }
  }
  REQUIRE(j["tables"].size() == r.tables.size());
  for (size_t i = 0; i < r.tables.size(); ++i) {
    const auto& t = r.tables[i];
    const json& jt = j["tables"][i];
    CHECK(jt["name"] == t.name);
    CHECK(jt["file"] == t.file);
    CHECK(jt["row_count"] == t.row_count);
    CHECK(jt["row_count_exact"] == t.row_count_exact);
    CHECK(jt["rows_scanned"] == t.rows_scanned);
    REQUIRE(jt["columns"].size() == t.columns.size());
    for (size_t k = 0; k < t.columns.size(); ++k) {
      const auto& c = t.columns[k];
      const json& jc = jt["columns"][k];
      CHECK(jc["name"] == c.name);
      CHECK(jc["type"] == c.type);
      CHECK(jc["declared_category"] == c.declared_category);
      CHECK(jc["discovered_category"] == c.discovered_category);
      CHECK(jc["free_text"] == c.free_text);
      CHECK(jc["values_seen"] == c.values_seen);
      CHECK(jc["evidence"].size() == c.evidence.size());
    }
  }
  // Stable key order: a diff of two reports must show changes, not reshuffles.
  const std::string text = Render(r, ScanFormat::kJson);
  CHECK(text.find("\"dpo_version\"") < text.find("\"schema_version\""));
  CHECK(text.find("\"summary\"") < text.find("\"findings\""));
  CHECK(text.find("\"findings\"") < text.find("\n  \"tables\": ["));
}

TEST_CASE("JSON: discovery mode has a null policy and an unknown row count is null") {
  auto r = DiscoveryResult();
  r.tables[1].row_count = -1;
  const json j = RenderJson(r);
  CHECK(j["policy"].is_null());
  CHECK(j["discovery"] == true);
  CHECK(j["verdict"] == "INVENTORY");
  CHECK(j["summary"]["notes"] == r.findings.size());
  CHECK(j["summary"]["personal_data_columns"] == 4);
  CHECK(j["tables"][1]["row_count"].is_null());
  CHECK(j["tables"][0]["row_count"] == 1000);
}

TEST_CASE("JSON: hostile names round-trip exactly; invalid UTF-8 is replaced, not thrown") {
  const auto r = HostileResult();
  std::string text;
  REQUIRE_NOTHROW(text = Render(r, ScanFormat::kJson));
  const json j = json::parse(text);
  CHECK(j["tables"][0]["name"] == kHostileTable);
  CHECK(j["tables"][0]["columns"][0]["name"] == kHostileColumn);
  CHECK(j["findings"][0]["file"] == kHostileFile);
  CHECK(j["tables"][1]["name"] == "bad\xEF\xBF\xBD\xEF\xBF\xBDutf8");
  CHECK(text.find('\x1b') == std::string::npos);  // control characters are \u escaped
}

TEST_CASE("JSON: docs/scan-json.md documents exactly the fields dpo writes") {
  std::set<std::string> raw;
  CollectPaths(RenderJson(PolicyModeResult()), "", raw);
  CollectPaths(RenderJson(DiscoveryResult()), "", raw);
  // The evidence object is documented once, as evidence[], for both places it occurs.
  std::set<std::string> written;
  for (std::string p : raw) {
    for (const std::string prefix : {"findings[].evidence[]", "tables[].columns[].evidence[]"})
      if (p.rfind(prefix + ".", 0) == 0) p = "evidence[]" + p.substr(prefix.size());
    written.insert(p);
  }
  const std::string doc = ReadFile(std::string(DPO_SOURCE_DIR) + "/docs/scan-json.md");
  REQUIRE_FALSE(doc.empty());
  // Entries are definition-list terms: a line "`path` (type)".
  std::set<std::string> documented;
  const std::regex term(R"(^`([a-z_\[\].]+)` \()", std::regex::multiline);
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), term); it != std::sregex_iterator(); ++it)
    documented.insert((*it)[1]);
  for (const std::string& p : written) CHECK_MESSAGE(documented.count(p) == 1, "undocumented field: " << p);
  for (const std::string& p : documented) CHECK_MESSAGE(written.count(p) == 1, "documented but not written: " << p);
}
