#include <doctest/doctest.h>

#include "fixtures.h"
#include "render_util.h"
#include "report/escape.h"
#include "report/scan_common.h"

using namespace dpo::report;
using namespace dpo::report::testing;

TEST_CASE("markdown: summary, one findings row per finding, one inventory section per table") {
  const auto r = PolicyModeResult();
  const std::string out = Render(r, ScanFormat::kMarkdown);
  MaybePreview("scan.md", out);
  CHECK(out.find("**FAIL**") != std::string::npos);
  CHECK(out.find("| Policy | " + MarkdownEscape(r.policy_file) + " |") != std::string::npos);
  const auto c = CountBySeverity(r);
  CHECK(out.find("| Errors | " + std::to_string(c.errors) + " |") != std::string::npos);
  CHECK(out.find("| Warnings | " + std::to_string(c.warnings) + " |") != std::string::npos);
  for (const auto& f : r.findings) {
    CHECK(out.find("| " + MarkdownEscape(FindingLocation(f))) != std::string::npos);
    CHECK(out.find(MarkdownEscape(f.hint)) != std::string::npos);
  }
  size_t finding_rows = CountOf(out, "\n| **error** |") + CountOf(out, "\n| warning |") + CountOf(out, "\n| note |");
  CHECK(finding_rows == r.findings.size());
  for (const auto& t : r.tables) CHECK(out.find("### " + MarkdownEscape(t.name) + "\n") != std::string::npos);
  // Masked samples appear escaped (j\*\*\*@e\*\*\*.nl renders as j***@e***.nl).
  CHECK(out.find(MarkdownEscape("j***@e***.nl")) != std::string::npos);
}

TEST_CASE("markdown: hostile names stay text and cannot break the table") {
  const auto r = HostileResult();
  const std::string out = Render(r, ScanFormat::kMarkdown);
  CHECK(out.find("<script") == std::string::npos);
  CHECK(out.find("<img") == std::string::npos);
  CHECK(out.find("&lt;script&gt;") != std::string::npos);
  CHECK(out.find("x](javascript") == std::string::npos);  // only x\\](: an escaped bracket, no link
  // Count unescaped pipes per table line: all rows of a table agree with its header.
  size_t start = 0, header_pipes = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] != '|') {
      header_pipes = 0;
      continue;
    }
    size_t pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') ++i;
      else if (line[i] == '|') ++pipes;
    }
    if (header_pipes == 0) header_pipes = pipes;
    CHECK_MESSAGE(pipes == header_pipes, line);
  }
}
