// The Markdown rendering: a report a DPO pastes into a ticket (GitHub,
// GitLab, Jira with Markdown). Every value from the source goes through
// MarkdownEscape, which also turns HTML markup into entities.
#include "report/escape.h"
#include "report/scan_common.h"
#include "report/scan_report.h"
#include "report/skipped_rows.h"

namespace dpo::report {

namespace {

std::string Md(std::string_view s) { return MarkdownEscape(s); }

std::string SeverityCell(scan::Severity s) {
  switch (s) {
    case scan::Severity::kError: return "**error**";
    case scan::Severity::kWarning: return "warning";
    case scan::Severity::kNote: return "note";
  }
  return "note";
}

std::string Or(const std::string& s, const char* fallback) { return s.empty() ? fallback : Md(s); }

}  // namespace

void RenderScanMarkdown(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out) {
  const bool discovery = IsDiscovery(result);
  const SeverityCounts c = CountBySeverity(result);
  const Verdict verdict = VerdictOf(result);

  out << "# dpo scan report: " << Md(result.source) << "\n\n";
  out << "**" << verdict.word << "** — " << Md(verdict.sentence) << "\n\n";

  out << "## Summary\n\n";
  out << "| | |\n|---|---|\n";
  out << "| Source | " << Md(result.source) << (result.source_kind.empty() ? "" : " (" + Md(result.source_kind) + ")")
      << " |\n";
  out << "| Policy | " << (discovery ? "none (discovery mode)" : Md(result.policy_file)) << " |\n";
  std::string mode = Or(result.mode, "full");
  if (result.mode == "sample" && result.sample_rows > 0)
    mode += " (" + std::to_string(result.sample_rows) + " rows per table)";
  out << "| Mode | " << mode << " |\n";
  out << "| Retention evaluated as of | " << Or(result.as_of, "—") << " |\n";
  out << "| Errors | " << c.errors << " |\n";
  out << "| Warnings | " << c.warnings << " |\n";
  out << "| Notes | " << c.notes << " |\n";
  out << "| Tables scanned | " << result.tables.size() << " |\n";
  out << "| Columns with personal data | " << PersonalDataColumnCount(result) << " |\n";
  out << "| Rows scanned | " << result.stats.rows << " (" << FormatMegabytes(result.stats.bytes) << ", "
      << FormatSeconds(result.stats.seconds) << ") |\n";
  out << "| dpo version | " << Md(ToolVersion(options)) << " |\n\n";

  out << "## Findings\n\n";
  if (result.findings.empty()) {
    out << "No findings.\n\n";
  } else {
    out << "| Severity | Location | Code | Category | Finding | What to do | Policy rule |\n";
    out << "|---|---|---|---|---|---|---|\n";
    for (const scan::Finding& f : result.findings) {
      std::string finding = Md(f.message);
      if (!f.evidence.empty()) {
        if (!finding.empty()) finding += "<br>";
        finding += "Evidence: " + Md(f.evidence.front().kind) + ", " + Md(EvidenceSummary(f.evidence.front()));
      } else if (f.count > 0) {
        if (!finding.empty()) finding += "<br>";
        finding += Plural(f.count, "row", "rows") + " concerned";
      }
      std::string location = Md(FindingLocation(f));
      if (!f.file.empty()) location += "<br>" + Md(f.file) + (f.line > 0 ? ":" + std::to_string(f.line) : "");
      std::string rule = Md(f.policy_rule);
      if (!f.policy_location.empty()) rule += (rule.empty() ? "" : "<br>") + Md(f.policy_location);
      // Baselined and accepted findings are listed, marked, and not counted.
      std::string severity = SeverityCell(f.severity);
      if (f.accepted) severity += " (accepted until " + Md(f.accepted->until) + ")";
      else if (f.baselined) severity += " (baselined)";
      out << "| " << severity << " | " << location << " | " << Md(f.code) << " | "
          << Or(f.category, "—") << " | " << finding << " | " << Or(f.hint, "—") << " | "
          << (rule.empty() ? "—" : rule) << " |\n";
    }
    out << "\n";
  }

  out << "## Column inventory\n\n";
  if (result.tables.empty()) out << "No tables were scanned.\n\n";
  for (const scan::TableReport& t : result.tables) {
    out << "### " << Md(t.name) << "\n\n";
    std::string rows = t.row_count < 0 ? "unknown" : std::to_string(t.row_count) + (t.row_count_exact ? "" : " (estimate)");
    out << "Rows: " << rows << ", scanned: " << t.rows_scanned;
    if (!t.file.empty()) out << ", file: " << Md(t.file);
    out << "\n\n";
    if (t.rows_skipped > 0)
      out << "**Warning:** " << Md(SkippedRowsSentence(t.rows_skipped, t.skipped_lines))
          << "; they were not scanned.\n\n";
    if (t.columns.empty()) {
      out << "No columns.\n\n";
      continue;
    }
    // Discovery mode has no policy, so nothing is declared: no column for it.
    out << (discovery ? "| Column | Type | Discovered | Confidence | Evidence |\n|---|---|---|---|---|\n"
                      : "| Column | Type | Declared | Discovered | Confidence | Evidence |\n|---|---|---|---|---|---|\n");
    for (const scan::ColumnReport& col : t.columns) {
      std::string declared = col.declared_category.empty()    ? "*undeclared*"
                             : col.declared_category == "none" ? "not personal"
                                                               : Md(col.declared_category);
      std::string discovered = Or(col.discovered_category, "—");
      if (col.free_text) discovered += " (free text)";
      std::string confidence = col.evidence.empty() ? "—" : ConfidencePercent(col.evidence.front().confidence);
      std::string evidence;
      for (const scan::Evidence& e : col.evidence) {
        if (!evidence.empty()) evidence += "<br>";
        evidence += Md(e.kind) + ": " + Md(EvidenceSummary(e));
      }
      out << "| " << Md(col.name) << " | " << Or(col.type, "—") << " | " << (discovery ? "" : declared + " | ") << discovered
          << " | " << confidence << " | " << (evidence.empty() ? "—" : evidence) << " |\n";
    }
    out << "\n";
  }
  out << "*Sample values are masked. Generated by dpo " << Md(ToolVersion(options)) << ".*\n";
}

}  // namespace dpo::report
