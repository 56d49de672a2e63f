// Renderers of a scan result. They print a dpo::scan::ScanResult in one of
// five formats and never look anywhere else: no source is queried, no detector
// runs, no file is opened. The caller owns the stream (stdout or a 0600 file;
// reports hold masked samples, which are still personal data in aggregate).
//
//   text      for a terminal; ANSI colours only when RenderOptions::color
//   json      the stable machine interface, schema_version 1 (docs/scan-json.md)
//   sarif     SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, IDEs)
//   markdown  a report a DPO can paste into a ticket
//   html      one self-contained file (inline CSS and SVG, nothing external)
//
// Every identifier that came from the source (table, column, file names) is
// treated as hostile: escaped for HTML and Markdown, stripped of control
// characters for the terminal, and encoded by the JSON writer.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "scan/finding.h"
#include "util/status.h"

namespace dpo::report {

enum class ScanFormat { kText, kJson, kSarif, kMarkdown, kHtml };

// "text", "json", "sarif", "markdown" (or "md"), "html"; case-insensitive.
// Anything else is an error that lists the accepted names (exit code 2).
Result<ScanFormat> ParseScanFormat(std::string_view name);
const char* ScanFormatName(ScanFormat format);

struct RenderOptions {
  // ANSI colours in the text format. The caller decides (isatty, NO_COLOR,
  // --color); the other formats ignore it.
  bool color = false;
  // Shown as the producing dpo version; empty means this build's DPO_VERSION.
  std::string tool_version;
  // SARIF tool.driver.informationUri; empty means "man:dpo-scan(1)".
  std::string information_uri;
};

// Writes `result` to `out` in `format`. Does not fail: every ScanResult has a
// rendering (invalid UTF-8 in names is replaced, not thrown on).
void RenderScan(const scan::ScanResult& result, ScanFormat format, const RenderOptions& options,
                std::ostream& out);

// The same, one function per format (RenderScan dispatches to these).
void RenderScanText(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out);
void RenderScanJson(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out);
void RenderScanSarif(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out);
void RenderScanMarkdown(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out);
void RenderScanHtml(const scan::ScanResult& result, const RenderOptions& options, std::ostream& out);

}  // namespace dpo::report
