// The HTML rendering: one self-contained file a DPO can open, mail or print.
// Inline CSS and inline SVG only: no script, no font, no image, no link to
// anywhere (a Content-Security-Policy says so to the browser too, so even a
// missed escape could not run code). Every value from the source passes
// HtmlEscape; table and column names are hostile input.
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "report/escape.h"
#include "report/scan_common.h"
#include "report/scan_report.h"
#include "report/skipped_rows.h"

namespace dpo::report {

namespace {

std::string H(std::string_view s) { return HtmlEscape(s); }

// Escaped, with a line-break opportunity after each dot and underscore, so
// long "table.column" names wrap at their joints instead of mid-word.
std::string HBreakable(std::string_view s) {
  std::string out;
  for (const char c : H(s)) {
    out += c;
    if (c == '.' || c == '_') out += "<wbr>";
  }
  return out;
}

constexpr const char* kErrorColor = "#c0392b";
constexpr const char* kWarningColor = "#d68910";
constexpr const char* kNoteColor = "#2e6da4";
constexpr const char* kInventoryColor = "#16866f";

constexpr const char* kCss = R"CSS(
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --card:#fff;
  --error:#c0392b; --warning:#d68910; --note:#2e6da4; --ok:#1e8449; --inv:#16866f; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 14px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 12.5px; }
h1 { font-size: 26px; margin: 2px 0 4px; word-break: break-all; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); font-weight: 600; }
.meta { color: var(--muted); }
.verdict { display:flex; gap:18px; align-items:center; margin: 20px 0; padding: 16px 20px; border-radius: 8px;
  background: var(--card); border: 1px solid var(--line); border-left: 8px solid var(--muted); }
.verdict .word { font-size: 22px; font-weight: 800; letter-spacing: .04em; min-width: 120px; }
.verdict p { margin: 0; font-size: 15px; }
.verdict.fail { border-left-color: var(--error); } .verdict.fail .word { color: var(--error); }
.verdict.warn { border-left-color: var(--warning); } .verdict.warn .word { color: var(--warning); }
.verdict.pass { border-left-color: var(--ok); } .verdict.pass .word { color: var(--ok); }
.verdict.inventory { border-left-color: var(--inv); } .verdict.inventory .word { color: var(--inv); }
.cards { display:grid; grid-template-columns: repeat(6, 1fr); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .n { font-size: 26px; font-weight: 700; line-height: 1.2; }
.card .l { color: var(--muted); font-size: 12.5px; }
.card.error .n { color: var(--error); } .card.warning .n { color: var(--warning); } .card.note .n { color: var(--note); }
.card.zero .n { color: var(--muted); }
dl.scope { display:grid; grid-template-columns: 200px 1fr; gap: 6px 16px; margin: 0; background: var(--card);
  border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; }
dl.scope dt { color: var(--muted); } dl.scope dd { margin: 0; word-break: break-all; }
.charts { display:grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.charts.three { grid-template-columns: 1fr 1fr 1fr; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px 10px; break-inside: avoid; }
.chart h3 { margin: 0 0 8px; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .empty { color: var(--muted); margin: 8px 0; }
.legend { display:flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 6px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; vertical-align: -1px; }
table { width:100%; border-collapse: collapse; table-layout: auto; background: var(--card); border: 1px solid var(--line); }
th, td { text-align:left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
th { background: #eef2f7; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.loc { overflow-wrap: anywhere; min-width: 170px; }
.findings td:first-child { width: 80px; }
.findings tr.error td:first-child { box-shadow: inset 4px 0 var(--error); }
.findings tr.warning td:first-child { box-shadow: inset 4px 0 var(--warning); }
.findings tr.known { opacity: .6; }
.findings tr.note td:first-child { box-shadow: inset 4px 0 var(--note); }
.badge { display:inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 700; color: #fff; }
.badge.error { background: var(--error); } .badge.warning { background: var(--warning); } .badge.note { background: var(--note); }
.chip { display:inline-block; padding: 0 7px; border-radius: 4px; background: #e6eef7; color: #24507a; font-size: 12px; }
.small { font-size: 12.5px; color: var(--muted); }
.msg { font-weight: 600; }
.hint { color: #1e5631; }
.inventory tr.error td:first-child { box-shadow: inset 4px 0 var(--error); }
.inventory tr.warning td:first-child { box-shadow: inset 4px 0 var(--warning); }
.inventory { table-layout: fixed; }
.inventory td { overflow-wrap: anywhere; }
.inventory tr.plain td { color: var(--muted); }
.rules dt { font-weight: 600; margin-top: 10px; } .rules dd { margin: 2px 0 0 0; }
footer { margin-top: 36px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12.5px; }
@media screen and (max-width: 900px) { .cards { grid-template-columns: repeat(3, 1fr); } .charts, .charts.three { grid-template-columns: 1fr; } }
@page { size: A4; margin: 14mm; }
@media print {
  body { background: #fff; font-size: 11.5px; }
  main { max-width: none; padding: 0; }
  .cards { grid-template-columns: repeat(6, 1fr); }
  .charts { grid-template-columns: 1fr 1fr; } .charts.three { grid-template-columns: 1fr 1fr 1fr; }
  h2 { break-after: avoid; } h3 { break-after: avoid; }
  .verdict, .card, .chart, dl.scope { box-shadow: none; }
}
)CSS";

const char* SeverityClass(scan::Severity s) { return scan::SeverityName(s); }

std::string Num(int64_t n) { return std::to_string(n); }

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Shortens a label to `max_chars` code points (not bytes: never split a
// UTF-8 sequence), with an ellipsis.
std::string Truncate(const std::string& s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars) return s.substr(0, i) + "\xE2\x80\xA6";
    ++chars;
  }
  return s;
}

// A horizontal bar chart, one bar per group, stacked by severity (or one
// colour for `single_color`). The full label and the counts are in a
// <title> tooltip; the top `kMaxBars` groups are shown, the rest summed.
std::string BarChart(std::vector<GroupCount> groups, const std::string& label, const char* single_color,
                     bool narrow) {
  constexpr size_t kMaxBars = 12;
  if (groups.size() > kMaxBars) {
    GroupCount rest{Num(static_cast<int64_t>(groups.size() - (kMaxBars - 1))) + " others"};
    for (size_t i = kMaxBars - 1; i < groups.size(); ++i) {
      rest.errors += groups[i].errors;
      rest.warnings += groups[i].warnings;
      rest.notes += groups[i].notes;
    }
    groups.resize(kMaxBars - 1);
    groups.push_back(rest);
  }
  // Narrow charts sit three in a row; their viewBox shrinks too, so text keeps its size.
  const double kWidth = narrow ? 380 : 560, kLabelW = narrow ? 130 : 180;
  const size_t kLabelChars = narrow ? 17 : 26;
  constexpr double kCountW = 44, kRowH = 26, kBarH = 16, kTop = 4;
  const double bar_area = kWidth - kLabelW - kCountW;
  int64_t max_total = 1;
  for (const GroupCount& g : groups) max_total = std::max(max_total, g.total());
  const double height = kTop + kRowH * static_cast<double>(groups.size()) + 4;

  std::ostringstream svg;
  svg << "<svg viewBox=\"0 0 " << Fixed(kWidth) << " " << Fixed(height) << "\" role=\"img\" aria-label=\""
      << H(label) << "\" font-size=\"12\">\n";
  svg << "<line x1=\"" << Fixed(kLabelW) << "\" y1=\"0\" x2=\"" << Fixed(kLabelW) << "\" y2=\"" << Fixed(height)
      << "\" stroke=\"#bcccdc\"/>\n";
  double y = kTop;
  for (const GroupCount& g : groups) {
    std::string tip = g.key + ": ";
    if (single_color) {
      tip += Plural(g.total(), "column", "columns");
    } else {
      tip += Plural(g.errors, "error", "errors") + ", " + Plural(g.warnings, "warning", "warnings") + ", " +
             Plural(g.notes, "note", "notes");
    }
    svg << "<g><title>" << H(tip) << "</title>";
    svg << "<text x=\"" << Fixed(kLabelW - 8) << "\" y=\"" << Fixed(y + kBarH - 3)
        << "\" text-anchor=\"end\" fill=\"#1f2933\">" << H(Truncate(g.key, kLabelChars)) << "</text>";
    double x = kLabelW;
    auto segment = [&](int64_t n, const char* color) {
      if (n <= 0) return;
      const double w = std::max(2.0, bar_area * static_cast<double>(n) / static_cast<double>(max_total));
      svg << "<rect x=\"" << Fixed(x) << "\" y=\"" << Fixed(y) << "\" width=\"" << Fixed(w) << "\" height=\""
          << Fixed(kBarH) << "\" fill=\"" << color << "\"/>";
      x += w;
    };
    if (single_color) {
      segment(g.total(), single_color);
    } else {
      segment(g.errors, kErrorColor);
      segment(g.warnings, kWarningColor);
      segment(g.notes, kNoteColor);
    }
    svg << "<text x=\"" << Fixed(x + 6) << "\" y=\"" << Fixed(y + kBarH - 3) << "\" fill=\"#52606d\">"
        << g.total() << "</text></g>\n";
    y += kRowH;
  }
  svg << "</svg>";
  return svg.str();
}

std::string ChartBox(const std::string& title, const std::vector<GroupCount>& groups, const char* single_color,
                     const std::string& empty_text, bool narrow, const std::string& footnote = "") {
  std::string html = "<div class=\"chart\"><h3>" + H(title) + "</h3>";
  if (groups.empty()) {
    html += "<p class=\"empty\">" + H(empty_text) + "</p>";
  } else {
    html += BarChart(groups, title, single_color, narrow);
    if (single_color) {
      html += "<div class=\"legend\"><span><i style=\"background:" + std::string(single_color) +
              "\"></i>columns</span></div>";
    } else {
      html += "<div class=\"legend\"><span><i style=\"background:" + std::string(kErrorColor) +
              "\"></i>error</span><span><i style=\"background:" + std::string(kWarningColor) +
              "\"></i>warning</span><span><i style=\"background:" + std::string(kNoteColor) +
              "\"></i>note</span></div>";
    }
  }
  if (!footnote.empty()) html += "<p class=\"small\">" + H(footnote) + "</p>";
  return html + "</div>\n";
}

void Card(std::ostream& out, int64_t n, const std::string& label, const char* cls) {
  out << "<div class=\"card " << cls << (n == 0 ? " zero" : "") << "\"><div class=\"n\">" << n
      << "</div><div class=\"l\">" << H(label) << "</div></div>\n";
}

std::string EvidenceCell(const std::vector<scan::Evidence>& evidence) {
  std::string html;
  for (const scan::Evidence& e : evidence) {
    if (!html.empty()) html += "<br>";
    html += "<span class=\"chip\">" + H(e.kind) + "</span> " + H(EvidenceSummary(e));
  }
  return html.empty() ? "<span class=\"small\">—</span>" : html;
}

void RenderFindings(const scan::ScanResult& result, std::ostream& out) {
  out << "<h2>Findings</h2>\n";
  if (result.findings.empty()) {
    out << "<p>No findings.</p>\n";
    return;
  }
  out << "<table class=\"findings\">\n<thead><tr><th>Severity</th><th>Where</th><th>Finding</th>"
         "<th>Evidence</th><th>What to do</th></tr></thead>\n<tbody>\n";
  for (const scan::Finding& f : result.findings) {
    const char* cls = SeverityClass(f.severity);
    // Baselined and accepted findings are shown, greyed and marked, but do
    // not count (the verdict and the cards leave them out).
    const bool known = f.accepted.has_value() || f.baselined;
    out << "<tr class=\"" << (known ? "known" : cls) << "\"><td><span class=\"badge " << cls << "\">"
        << scan::SeverityName(f.severity) << "</span>";
    if (f.accepted)
      out << "<br><span class=\"small\">accepted until " << H(f.accepted->until) << "</span>";
    else if (f.baselined)
      out << "<br><span class=\"small\">baselined</span>";
    out << "</td>";
    out << "<td class=\"loc\"><span class=\"mono\">" << HBreakable(FindingLocation(f)) << "</span>";
    if (!f.file.empty())
      out << "<br><span class=\"small mono\">" << H(f.file) << (f.line > 0 ? ":" + Num(f.line) : "") << "</span>";
    out << "</td>";
    out << "<td>";
    if (!f.message.empty()) out << "<div class=\"msg\">" << H(f.message) << "</div>";
    out << "<div class=\"small\"><code>" << H(f.code) << "</code>";
    if (!f.category.empty()) out << " · category <span class=\"chip\">" << H(f.category) << "</span>";
    if (f.count > 0) out << " · " << H(Plural(f.count, "row", "rows"));
    out << "</div></td>";
    out << "<td>" << EvidenceCell(f.evidence) << "</td>";
    out << "<td>";
    if (!f.hint.empty()) out << "<div class=\"hint\">" << H(f.hint) << "</div>";
    if (f.accepted)
      out << "<div class=\"small\">accepted: " << H(f.accepted->reason) << " (" << H(f.accepted->by) << ")</div>";
    if (!f.policy_rule.empty() || !f.policy_location.empty()) {
      out << "<div class=\"small\">policy: <span class=\"mono\">" << H(f.policy_rule);
      if (!f.policy_location.empty())
        out << (f.policy_rule.empty() ? "" : " at ") << H(f.policy_location);
      out << "</span></div>";
    }
    out << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

void RenderInventory(const scan::ScanResult& result, bool discovery, std::ostream& out) {
  out << "<h2>Column inventory</h2>\n";
  out << "<p class=\"small\">Every column the scan looked at. "
      << (discovery ? "Greyed columns hold no personal data that dpo recognised."
                    : "A coloured edge marks a column with an error or a warning above; greyed columns hold "
                      "no personal data that dpo recognised.")
      << "</p>\n";
  if (result.tables.empty()) {
    out << "<p>No tables were scanned.</p>\n";
    return;
  }
  // The worst severity per column, to mark rows of the inventory.
  std::map<std::pair<std::string, std::string>, scan::Severity> worst;
  for (const scan::Finding& f : result.findings) {
    if (f.column.empty() || f.severity == scan::Severity::kNote) continue;
    auto key = std::make_pair(f.table, f.column);
    auto it = worst.find(key);
    if (it == worst.end() || static_cast<int>(f.severity) > static_cast<int>(it->second)) worst[key] = f.severity;
  }
  for (const scan::TableReport& t : result.tables) {
    out << "<h3><span class=\"mono\">" << H(t.name) << "</span> <span class=\"small\">";
    if (t.row_count >= 0) out << H(Plural(t.row_count, "row", "rows")) << (t.row_count_exact ? "" : " (estimate)");
    else out << "row count unknown";
    out << ", " << t.rows_scanned << " scanned";
    if (!t.file.empty()) out << " · " << H(t.file);
    out << "</span></h3>\n";
    if (t.rows_skipped > 0)
      out << "<p class=\"small\"><strong>Warning:</strong> "
          << H(SkippedRowsSentence(t.rows_skipped, t.skipped_lines)) << "; they were not scanned.</p>\n";
    if (t.columns.empty()) {
      out << "<p class=\"small\">No columns.</p>\n";
      continue;
    }
    // Fixed widths, so the inventories of all tables line up under each other.
    out << "<table class=\"inventory\">\n"
        << (discovery ? "<colgroup><col style=\"width:24%\"><col style=\"width:9%\"><col style=\"width:17%\">"
                        "<col style=\"width:10%\"><col></colgroup>\n"
                      : "<colgroup><col style=\"width:21%\"><col style=\"width:8%\"><col style=\"width:12%\">"
                        "<col style=\"width:15%\"><col style=\"width:9%\"><col></colgroup>\n")
        << "<thead><tr><th>Column</th><th>Type</th>";
    if (!discovery) out << "<th>Declared</th>";
    out << "<th>Discovered</th><th>Confidence</th><th>Evidence</th></tr></thead>\n<tbody>\n";
    for (const scan::ColumnReport& c : t.columns) {
      auto it = worst.find(std::make_pair(t.name, c.name));
      std::string cls = it != worst.end() ? SeverityClass(it->second)
                        : (c.discovered_category.empty() && (c.declared_category.empty() || c.declared_category == "none"))
                            ? "plain"
                            : "";
      out << "<tr" << (cls.empty() ? "" : " class=\"" + cls + "\"") << "><td class=\"mono loc\">" << H(c.name)
          << "</td><td class=\"small\">" << H(c.type) << "</td>";
      if (!discovery) {
        out << "<td>";
        if (c.declared_category.empty()) out << "<span class=\"small\">undeclared</span>";
        else if (c.declared_category == "none") out << "<span class=\"small\">not personal</span>";
        else out << "<span class=\"chip\">" << H(c.declared_category) << "</span>";
        out << "</td>";
      }
      out << "<td>";
      if (!c.discovered_category.empty()) out << "<span class=\"chip\">" << H(c.discovered_category) << "</span>";
      if (c.free_text) out << " <span class=\"small\">free text</span>";
      if (c.discovered_category.empty() && !c.free_text) out << "<span class=\"small\">—</span>";
      out << "</td><td>" << (c.evidence.empty() ? "—" : ConfidencePercent(c.evidence.front().confidence)) << "</td>";
      out << "<td class=\"small\">" << EvidenceCell(c.evidence) << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n";
  }
}

void RenderRules(const scan::ScanResult& result, std::ostream& out) {
  std::vector<const RuleInfo*> used;
  for (const RuleInfo& r : AllRules())
    for (const scan::Finding& f : result.findings)
      if (f.code == r.code) {
        used.push_back(&r);
        break;
      }
  if (used.empty()) return;
  out << "<h2>What the findings mean</h2>\n<dl class=\"rules\">\n";
  for (const RuleInfo* r : used) {
    out << "<dt>" << H(r->title) << " <span class=\"small\">(<code>" << H(r->code) << "</code>";
    if (r->law[0]) out << ", " << H(r->law);
    out << ")</span></dt><dd>" << H(r->description) << "</dd>\n";
  }
  out << "</dl>\n";
}

}  // namespace

void RenderScanHtml(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out) {
  const bool discovery = IsDiscovery(result);
  const SeverityCounts c = CountBySeverity(result);
  const Verdict verdict = VerdictOf(result);
  std::string verdict_class = verdict.word;
  std::transform(verdict_class.begin(), verdict_class.end(), verdict_class.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"dpo "
      << H(ToolVersion(options)) << "\">\n<title>dpo scan report: " << H(result.source) << "</title>\n<style>"
      << kCss << "</style>\n</head>\n<body>\n<main>\n";

  // Header: what was scanned.
  out << "<div class=\"kicker\">dpo · GDPR/AVG personal-data scan" << (discovery ? " · discovery" : "")
      << "</div>\n<h1>" << H(result.source) << "</h1>\n<div class=\"meta\">";
  if (!result.source_kind.empty()) out << H(result.source_kind) << " · ";
  out << (discovery ? "no policy (discovery mode)" : "policy " + H(result.policy_file));
  if (!result.as_of.empty()) out << " · as of " << H(result.as_of);
  out << "</div>\n";

  out << "<section class=\"verdict " << H(verdict_class) << "\"><div class=\"word\">" << H(verdict.word)
      << "</div><p>" << H(verdict.sentence) << "</p></section>\n";

  out << "<section class=\"cards\">\n";
  Card(out, c.errors, c.errors == 1 ? "error" : "errors", "error");
  Card(out, c.warnings, c.warnings == 1 ? "warning" : "warnings", "warning");
  Card(out, c.notes, c.notes == 1 ? "note" : "notes", "note");
  Card(out, static_cast<int64_t>(result.tables.size()), "tables scanned", "plain");
  Card(out, PersonalDataColumnCount(result), "columns with personal data", "plain");
  Card(out, result.stats.rows, "rows scanned", "plain");
  out << "</section>\n";

  out << "<h2>What was scanned</h2>\n<dl class=\"scope\">\n";
  out << "<dt>Source</dt><dd class=\"mono\">" << H(result.source) << "</dd>\n";
  out << "<dt>Kind</dt><dd>" << H(result.source_kind.empty() ? "—" : result.source_kind) << "</dd>\n";
  out << "<dt>Policy</dt><dd" << (discovery ? ">none: discovery mode, personal data is inventoried, not checked"
                                           : " class=\"mono\">" + H(result.policy_file))
      << "</dd>\n";
  std::string mode = result.mode.empty() ? "full" : result.mode;
  if (result.mode == "sample" && result.sample_rows > 0)
    mode += " (" + Num(result.sample_rows) + " rows sampled per table)";
  else if (result.mode == "full" || result.mode.empty())
    mode += " (every row)";
  out << "<dt>Mode</dt><dd>" << H(mode) << "</dd>\n";
  out << "<dt>" << (discovery ? "As of" : "Retention evaluated as of") << "</dt><dd>" << H(result.as_of.empty() ? "—" : result.as_of) << "</dd>\n";
  out << "<dt>Volume</dt><dd>" << H(Plural(result.stats.rows, "row", "rows")) << ", "
      << H(FormatMegabytes(result.stats.bytes)) << ", " << H(FormatSeconds(result.stats.seconds)) << " on "
      << H(Plural(result.stats.threads, "thread", "threads")) << "</dd>\n";
  out << "<dt>Tool</dt><dd>dpo " << H(ToolVersion(options)) << "</dd>\n</dl>\n";

  out << "<h2>Overview</h2>\n<section class=\"charts" << (discovery ? " three" : "") << "\">\n";
  if (discovery)
    out << ChartBox("Columns with personal data, per category", ColumnsByCategory(result), kInventoryColor,
                    "No personal data found.", true);
  const int64_t uncategorised = FindingsWithoutCategory(result);
  const std::string not_shown =
      uncategorised == 0 ? ""
                         : Plural(uncategorised, "finding concerns", "findings concern") +
                               " no one category (a retention rule, a purpose's consent, a whole table): see Findings.";
  out << ChartBox("Findings per category", FindingsByCategory(result), nullptr,
                  uncategorised > 0 ? "No finding concerns one category." : "No findings.", discovery, not_shown);
  out << ChartBox("Findings per table", FindingsByTable(result), nullptr, "No findings.", discovery);
  out << "</section>\n";

  RenderFindings(result, out);
  RenderInventory(result, discovery, out);
  RenderRules(result, out);

  out << "<footer>Generated by dpo " << H(ToolVersion(options))
      << ". Sample values are masked; the report still tells where personal data lives: "
         "share it on a need-to-know basis.</footer>\n</main>\n</body>\n</html>\n";
}

}  // namespace dpo::report
