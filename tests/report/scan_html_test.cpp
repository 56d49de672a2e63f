#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include "fixtures.h"
#include "render_util.h"
#include "report/escape.h"
#include "report/scan_common.h"

using namespace dpo::report;
using namespace dpo::report::testing;

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Balanced open and close tags for the elements we emit in pairs.
void CheckBalanced(const std::string& html) {
  for (const char* tag : {"table", "tr", "td", "svg", "g", "section", "dl", "div", "h2", "h3", "span", "title"}) {
    const std::string t(tag);
    const size_t open = CountOf(html, "<" + t + ">") + CountOf(html, "<" + t + " ");
    CHECK_MESSAGE(open == CountOf(html, "</" + t + ">"), tag);
  }
}

}  // namespace

TEST_CASE("HTML: self-contained, with summary, charts, findings and inventory") {
  const auto r = PolicyModeResult();
  const std::string html = Render(r, ScanFormat::kHtml);
  MaybePreview("scan.html", html);
  const std::string lower = Lower(html);
  CHECK(lower.rfind("<!doctype html>", 0) == 0);
  CHECK(lower.find("<script") == std::string::npos);
  CHECK(lower.find("http://") == std::string::npos);
  CHECK(lower.find("https://") == std::string::npos);
  for (const char* external : {"<link", "<img", "<iframe", "@import", "url(", "src="})
    CHECK_MESSAGE(lower.find(external) == std::string::npos, external);
  CHECK(html.find("Content-Security-Policy") != std::string::npos);
  CHECK(html.find("FAIL") != std::string::npos);
  CHECK(CountOf(html, "<svg") == 2);
  CHECK(html.find("Findings per category") != std::string::npos);
  CHECK(html.find("Findings per table") != std::string::npos);
  const auto c = CountBySeverity(r);
  CHECK(CountOf(html, "<tr class=\"error\"><td><span class=\"badge error\">") == static_cast<size_t>(c.errors));
  CHECK(CountOf(html, "<tr class=\"warning\"><td><span class=\"badge warning\">") == static_cast<size_t>(c.warnings));
  for (const auto& f : r.findings) {
    CHECK(html.find(HtmlEscape(f.message)) != std::string::npos);
    CHECK(html.find(HtmlEscape(f.hint)) != std::string::npos);
  }
  for (const auto& t : r.tables)
    for (const auto& col : t.columns) CHECK(html.find(">" + HtmlEscape(col.name) + "</td>") != std::string::npos);
  CHECK(html.find(HtmlEscape("j***@e***.nl")) != std::string::npos);
  CHECK(html.find("@media print") != std::string::npos);
  CheckBalanced(html);
}

// Regression (issue 13): findings about no one category (a retention rule,
// a table outside the policy) made a "(none)" bar in the category chart.
TEST_CASE("HTML: findings without a category get no bar, only a line under the chart") {
  auto r = PolicyModeResult();
  r.findings.push_back(MakeFinding(dpo::scan::kCodeRetentionExpired, dpo::scan::Severity::kError, "placements", "",
                                   "", "rows kept past the period", "delete them"));
  r.findings.push_back(MakeFinding(dpo::scan::kCodeRetentionExpired, dpo::scan::Severity::kWarning, "invoices", "",
                                   "", "rows kept past the period", "delete them"));
  const std::string html = Render(r, ScanFormat::kHtml);
  CHECK(html.find("(none)") == std::string::npos);
  CHECK(html.find("2 findings concern no one category") != std::string::npos);
  for (const auto& g : FindingsByCategory(r)) CHECK_FALSE(g.key.empty());
  CHECK(FindingsWithoutCategory(r) == 2);
  CheckBalanced(html);
}

TEST_CASE("HTML: discovery mode adds the columns-per-category chart") {
  const auto r = DiscoveryResult();
  const std::string html = Render(r, ScanFormat::kHtml);
  MaybePreview("scan-discovery.html", html);
  CHECK(CountOf(html, "<svg") == 3);
  CHECK(html.find("Columns with personal data, per category") != std::string::npos);
  CHECK(html.find("INVENTORY") != std::string::npos);
  for (const auto& g : ColumnsByCategory(r)) CHECK(html.find(">" + g.key + "</text>") != std::string::npos);
  CheckBalanced(html);
}

TEST_CASE("HTML: hostile names are escaped everywhere, including chart labels and tooltips") {
  const auto r = HostileResult();
  const std::string html = Render(r, ScanFormat::kHtml);
  MaybePreview("scan-hostile.html", html);
  const std::string lower = Lower(html);
  CHECK(lower.find("<script") == std::string::npos);
  CHECK(lower.find("<img") == std::string::npos);
  CHECK(lower.find("<b>x") == std::string::npos);
  CHECK(lower.find("<i>p") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("&quot;a&quot;b") != std::string::npos);
  CHECK(html.find('\x1b') == std::string::npos);
  CHECK(html.find("\"a\"b") == std::string::npos);
  CheckBalanced(html);
}

TEST_CASE("HTML: many tables are summarised in the chart, labels truncated on character boundaries") {
  auto r = PolicyModeResult();
  for (int i = 0; i < 30; ++i) {
    dpo::scan::Finding f = r.findings.back();
    f.table = "tabel_met_een_heel_lange_naam_\xC3\xA9\xC3\xA9\xC3\xA9_" + std::to_string(i);
    r.findings.push_back(f);
  }
  const std::string html = Render(r, ScanFormat::kHtml);
  CHECK(html.find(" others</text>") != std::string::npos);
  CHECK(html.find("\xE2\x80\xA6") != std::string::npos);  // the ellipsis
}

// Issue 13: Markdown and HTML showed baselined and accepted findings like
// any other, though they do not count.
TEST_CASE("HTML and Markdown: baselined and accepted findings are marked and not styled as counting") {
  auto r = PolicyModeResult();
  REQUIRE(r.findings.size() >= 2);
  r.findings[0].baselined = true;
  dpo::scan::Finding::Acceptance a;
  a.reason = "migration in progress";
  a.by = "DPO";
  a.until = "2027-01-31";
  r.findings[1].accepted = a;
  const std::string html = Render(r, ScanFormat::kHtml);
  CHECK(CountOf(html, "<tr class=\"known\">") == 2);
  CHECK(html.find("accepted until 2027-01-31") != std::string::npos);
  CHECK(html.find("accepted: migration in progress (DPO)") != std::string::npos);
  CHECK(html.find(">baselined<") != std::string::npos);
  const auto c = CountBySeverity(r);
  CHECK(CountOf(html, "<tr class=\"error\"><td><span class=\"badge error\">") == static_cast<size_t>(c.errors));
  CheckBalanced(html);
  const std::string md = Render(r, ScanFormat::kMarkdown);
  CHECK(md.find("(baselined)") != std::string::npos);
  CHECK(md.find("(accepted until 2027-01-31)") != std::string::npos);
}
