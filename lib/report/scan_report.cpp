#include "report/scan_report.h"

#include <cctype>

namespace dpo::report {

Result<ScanFormat> ParseScanFormat(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "text") return ScanFormat::kText;
  if (lower == "json") return ScanFormat::kJson;
  if (lower == "sarif") return ScanFormat::kSarif;
  if (lower == "markdown" || lower == "md") return ScanFormat::kMarkdown;
  if (lower == "html") return ScanFormat::kHtml;
  // The name is the user's own argument, not data: safe to echo (trimmed).
  std::string shown(name.substr(0, 40));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  return Status::Error("--format: unknown report format '" + shown +
                       "'; use one of text, json, sarif, markdown, html");
}

const char* ScanFormatName(ScanFormat format) {
  switch (format) {
    case ScanFormat::kText: return "text";
    case ScanFormat::kJson: return "json";
    case ScanFormat::kSarif: return "sarif";
    case ScanFormat::kMarkdown: return "markdown";
    case ScanFormat::kHtml: return "html";
  }
  return "text";
}

void RenderScan(const scan::ScanResult& result, ScanFormat format, const RenderOptions& options,
                std::ostream& out) {
  switch (format) {
    case ScanFormat::kText: RenderScanText(result, options, out); return;
    case ScanFormat::kJson: RenderScanJson(result, options, out); return;
    case ScanFormat::kSarif: RenderScanSarif(result, options, out); return;
    case ScanFormat::kMarkdown: RenderScanMarkdown(result, options, out); return;
    case ScanFormat::kHtml: RenderScanHtml(result, options, out); return;
  }
}

}  // namespace dpo::report
