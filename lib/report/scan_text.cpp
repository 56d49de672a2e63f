// The terminal rendering: one header line, findings grouped by table (or, in
// discovery mode, the personal-data columns of each table), one summary line.
// Everything from the source passes TerminalSafe: a column named with an
// escape sequence must not recolour or retitle the reader's terminal.
#include <algorithm>
#include <map>

#include "report/escape.h"
#include "report/scan_common.h"
#include "report/scan_report.h"
#include "report/skipped_rows.h"

namespace dpo::report {

namespace {

constexpr const char* kReset = "\033[0m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kRed = "\033[1;31m";
constexpr const char* kYellow = "\033[1;33m";
constexpr const char* kCyan = "\033[1;36m";
constexpr const char* kGreen = "\033[1;32m";

class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}
  std::string operator()(const char* style, const std::string& text) const {
    if (!color_ || text.empty()) return text;
    return std::string(style) + text + kReset;
  }

 private:
  bool color_;
};

const char* SeverityStyle(scan::Severity s) {
  switch (s) {
    case scan::Severity::kError: return kRed;
    case scan::Severity::kWarning: return kYellow;
    case scan::Severity::kNote: return kCyan;
  }
  return kBold;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string TableHeading(const scan::ScanResult& result, const std::string& table) {
  for (const scan::TableReport& t : result.tables) {
    if (t.name != table) continue;
    std::string rows;
    if (t.row_count >= 0) rows = (t.row_count_exact ? "" : "about ") + std::to_string(t.row_count) + " rows";
    if (t.rows_scanned > 0 && t.rows_scanned != t.row_count)
      rows += (rows.empty() ? "" : ", ") + std::to_string(t.rows_scanned) + " scanned";
    std::string where = t.file.empty() ? "" : TerminalSafe(t.file);
    std::string extra = where.empty() ? rows : (rows.empty() ? where : where + ", " + rows);
    return extra.empty() ? "" : "  (" + extra + ")";
  }
  return "";
}

// "(97% of 300 values, ...)" after the category, or the row count for
// findings that count rows rather than values.
std::string FindingDetail(const scan::Finding& f) {
  if (!f.evidence.empty()) {
    const scan::Evidence& e = f.evidence.front();
    std::string kind = (!e.kind.empty() && e.kind != f.category) ? e.kind + ": " : "";
    return "(" + kind + TerminalSafe(EvidenceSummary(e)) + ")";
  }
  if (f.count > 0) {
    return "(" + Plural(f.count, "row", "rows") + ")";
  }
  return "";
}

void PrintFinding(const scan::Finding& f, const Painter& paint, std::ostream& out) {
  constexpr const char* kIndent = "         ";  // under the location, past "warning  "
  std::string line = paint(SeverityStyle(f.severity), Pad(scan::SeverityName(f.severity), 7)) + "  " +
                     paint(kBold, TerminalSafe(FindingLocation(f))) + "  " + TerminalSafe(f.code);
  if (!f.category.empty()) line += "  category " + TerminalSafe(f.category);
  const std::string detail = FindingDetail(f);
  if (!detail.empty()) line += "  " + detail;
  // Known findings are listed, but marked: they do not fail the run.
  if (f.accepted)
    line += "  " + paint(kDim, "[accepted until " + TerminalSafe(f.accepted->until) + "]");
  else if (f.baselined)
    line += "  " + paint(kDim, "[baselined]");
  out << line << "\n";
  if (!f.message.empty()) out << kIndent << TerminalSafe(f.message) << "\n";
  if (!f.file.empty()) {
    std::string at = TerminalSafe(f.file);
    if (f.line > 0) at += ":" + std::to_string(f.line);
    out << kIndent << paint(kDim, "at " + at) << "\n";
  }
  if (!f.policy_location.empty() || !f.policy_rule.empty()) {
    std::string rule = "policy ";
    rule += TerminalSafe(f.policy_location.empty() ? f.policy_rule : f.policy_location);
    if (!f.policy_location.empty() && !f.policy_rule.empty()) rule += " (" + TerminalSafe(f.policy_rule) + ")";
    out << kIndent << paint(kDim, rule) << "\n";
  }
  if (!f.hint.empty()) out << kIndent << paint(kGreen, "hint:") << " " << TerminalSafe(f.hint) << "\n";
  if (f.accepted)
    out << kIndent << paint(kDim, "accepted: " + TerminalSafe(f.accepted->reason) + " (" + TerminalSafe(f.accepted->by) +
                                      (f.accepted->location.empty() ? "" : ", " + TerminalSafe(f.accepted->location)) + ")")
        << "\n";
}

// Discovery mode: every column that holds personal data, aligned.
void PrintInventory(const scan::TableReport& t, const Painter& paint, std::ostream& out) {
  size_t name_w = 0, cat_w = 0;
  for (const scan::ColumnReport& c : t.columns) {
    if (c.discovered_category.empty()) continue;
    name_w = std::max(name_w, TerminalSafe(c.name).size());
    cat_w = std::max(cat_w, TerminalSafe(c.discovered_category).size());
  }
  for (const scan::ColumnReport& c : t.columns) {
    if (c.discovered_category.empty()) continue;
    std::string line = "  " + paint(kBold, Pad(TerminalSafe(c.name), name_w)) + "  " +
                       paint(kCyan, Pad(TerminalSafe(c.discovered_category), cat_w));
    if (!c.evidence.empty()) {
      const scan::Evidence& e = c.evidence.front();
      line += "  " + Pad(ConfidencePercent(e.confidence), 4) + "  " + TerminalSafe(e.kind) + ": " +
              TerminalSafe(EvidenceSummary(e));
      for (size_t i = 1; i < c.evidence.size(); ++i)
        line += paint(kDim, "; also " + TerminalSafe(c.evidence[i].kind) + " " +
                                ConfidencePercent(c.evidence[i].confidence));
    }
    if (c.free_text) line += paint(kDim, "  [free text]");
    out << line << "\n";
  }
}

bool InInventory(const scan::ScanResult& result, const scan::Finding& f) {
  if (f.code != scan::kCodePersonalData) return false;
  for (const scan::TableReport& t : result.tables) {
    if (t.name != f.table) continue;
    for (const scan::ColumnReport& c : t.columns)
      if (c.name == f.column && !c.discovered_category.empty()) return true;
  }
  return false;
}

}  // namespace

void RenderScanText(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out) {
  const Painter paint(options.color);
  const bool discovery = IsDiscovery(result);

  std::string mode = result.mode.empty() ? "full" : TerminalSafe(result.mode);
  if (result.mode == "sample" && result.sample_rows > 0)
    mode += " (" + std::to_string(result.sample_rows) + " rows per table)";
  out << paint(kBold, "dpo scan") << "  source " << TerminalSafe(result.source);
  if (!result.source_kind.empty()) out << " (" << TerminalSafe(result.source_kind) << ")";
  out << "  policy " << (discovery ? "none (discovery)" : TerminalSafe(result.policy_file)) << "  mode " << mode;
  if (!result.as_of.empty()) out << "  as of " << TerminalSafe(result.as_of);
  out << "\n";

  // Tables in the order their first finding appears (findings are sorted by
  // severity, so the worst table comes first); in discovery mode, every
  // table with personal data in source order, then the rest of the findings.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const scan::Finding*>> by_table;
  if (discovery) {
    for (const scan::TableReport& t : result.tables)
      for (const scan::ColumnReport& c : t.columns)
        if (!c.discovered_category.empty()) {
          order.push_back(t.name);
          by_table[t.name];
          break;
        }
  }
  for (const scan::Finding& f : result.findings) {
    if (discovery && InInventory(result, f)) continue;
    auto [it, inserted] = by_table.try_emplace(f.table);
    if (inserted) order.push_back(f.table);
    it->second.push_back(&f);
  }

  for (const std::string& table : order) {
    out << "\n"
        << paint(kBold, table.empty() ? std::string("(no table)") : TerminalSafe(table))
        << TableHeading(result, table) << "\n";
    if (discovery) {
      for (const scan::TableReport& t : result.tables)
        if (t.name == table) PrintInventory(t, paint, out);
    }
    for (const scan::Finding* f : by_table[table]) PrintFinding(*f, paint, out);
  }

  // Skipped rows were never looked at: said even when the scan found nothing.
  bool skipped_heading = false;
  for (const scan::TableReport& t : result.tables) {
    if (t.rows_skipped <= 0) continue;
    if (!skipped_heading) out << "\n";
    skipped_heading = true;
    out << paint(kYellow, "warning") << "  " << TerminalSafe(t.file.empty() ? t.name : t.file) << ": "
        << SkippedRowsSentence(t.rows_skipped, t.skipped_lines) << "; they were not scanned\n";
  }

  const SeverityCounts c = CountBySeverity(result);
  out << "\n";
  if (discovery)
    out << Plural(PersonalDataColumnCount(result), "column holds", "columns hold") << " personal data; "
        << "declare them in a policy (dpo policy init) to check them.\n";
  std::string errors = Plural(c.errors, "error", "errors");
  std::string warnings = Plural(c.warnings, "warning", "warnings");
  out << (c.errors > 0 ? paint(kRed, errors) : errors) << ", "
      << (c.warnings > 0 ? paint(kYellow, warnings) : warnings) << ", " << Plural(c.notes, "note", "notes");
  if (c.baselined > 0) out << " (and " << c.baselined << " baselined";
  if (c.accepted > 0) out << (c.baselined > 0 ? ", " : " (and ") << c.accepted << " accepted";
  if (c.baselined > 0 || c.accepted > 0) out << ", not counted)";
  out << " in " << Plural(static_cast<int64_t>(result.tables.size()), "table", "tables") << " ("
      << Plural(result.stats.rows, "row", "rows") << ", " << FormatMegabytes(result.stats.bytes) << ", "
      << FormatSeconds(result.stats.seconds) << ")\n";
}

}  // namespace dpo::report
