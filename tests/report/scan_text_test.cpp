#include <doctest/doctest.h>

#include "fixtures.h"
#include "render_util.h"
#include "report/scan_common.h"

using namespace dpo::report;
using namespace dpo::report::testing;

namespace {

// The line of `text` that contains all of `parts`, or "".
std::string LineWith(const std::string& text, std::initializer_list<std::string> parts) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    bool all = true;
    for (const std::string& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) return line;
    start = end + 1;
  }
  return "";
}

}  // namespace

TEST_CASE("text: header, one line per finding with evidence, hints, and the summary") {
  const auto r = PolicyModeResult();
  const std::string out = Render(r, ScanFormat::kText);
  MaybePreview("scan.txt", out);
  CHECK(!LineWith(out, {r.source, r.source_kind, r.policy_file, "mode " + r.mode, r.as_of}).empty());
  for (const auto& f : r.findings) {
    std::string line = LineWith(out, {dpo::scan::SeverityName(f.severity), FindingLocation(f), f.code});
    CHECK_MESSAGE(!line.empty(), f.code << " " << FindingLocation(f));
    if (!f.category.empty()) CHECK(line.find("category " + f.category) != std::string::npos);
    for (const auto& e : f.evidence)
      if (&e == &f.evidence.front())
        for (const std::string& sample : e.masked_samples) CHECK(line.find(sample) != std::string::npos);
    CHECK(out.find(f.message) != std::string::npos);
    CHECK(!LineWith(out, {"hint:", f.hint}).empty());
  }
  const std::string undeclared = LineWith(out, {"candidates.private_email_2", "undeclared-personal-data"});
  CHECK(undeclared.find("97% of 300 values, 291 validated; e.g. j***@e***.nl") != std::string::npos);
  // Table-level retention finding counts rows.
  CHECK(LineWith(out, {"retention-expired", "42 rows"}).size() > 0);
  const auto c = CountBySeverity(r);
  CHECK(!LineWith(out, {std::to_string(c.errors) + " errors, " + std::to_string(c.warnings) + " warnings, 0 notes in " +
                           std::to_string(r.tables.size()) + " tables (" + std::to_string(r.stats.rows) + " rows, " +
                           FormatMegabytes(r.stats.bytes) + ", " + FormatSeconds(r.stats.seconds) + ")"})
             .empty());
}

TEST_CASE("text: colours only when asked") {
  const auto r = PolicyModeResult();
  RenderOptions plain;
  CHECK(Render(r, ScanFormat::kText, plain).find('\x1b') == std::string::npos);
  RenderOptions color;
  color.color = true;
  const std::string out = Render(r, ScanFormat::kText, color);
  CHECK(out.find("\x1b[1;31merror") != std::string::npos);
  CHECK(out.find("\x1b[1;33mwarning") != std::string::npos);
  CHECK(CountOf(out, "\x1b[") >= 2 * r.findings.size());
}

TEST_CASE("text: discovery mode lists every personal-data column with category, confidence and evidence") {
  const auto r = DiscoveryResult();
  const std::string out = Render(r, ScanFormat::kText);
  MaybePreview("scan-discovery.txt", out);
  CHECK(out.find("policy none (discovery)") != std::string::npos);
  CHECK(out.find("sample (1000 rows per table)") != std::string::npos);
  for (const auto& t : r.tables)
    for (const auto& c : t.columns) {
      if (c.discovered_category.empty()) {
        CHECK(LineWith(out, {"  " + c.name + " "}).empty());
        continue;
      }
      const auto& e = c.evidence.front();
      std::string line = LineWith(out, {c.name, c.discovered_category, ConfidencePercent(e.confidence), e.kind});
      CHECK_MESSAGE(!line.empty(), c.name);
      for (const std::string& sample : e.masked_samples) CHECK(line.find(sample) != std::string::npos);
    }
  CHECK(out.find("4 columns hold personal data") != std::string::npos);
  CHECK(out.find("0 errors, 0 warnings, 4 notes in 2 tables") != std::string::npos);
}

TEST_CASE("text: control characters in names cannot reach the terminal") {
  const std::string out = Render(HostileResult(), ScanFormat::kText);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find('\x07') == std::string::npos);
  CHECK(out.find("esc\\x1b]0;pwned\\x07\\x1b[31mred") != std::string::npos);
}
