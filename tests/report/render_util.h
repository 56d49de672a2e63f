// Small helpers shared by the report tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "report/scan_report.h"

namespace dpo::report::testing {

inline std::string Render(const scan::ScanResult& result, ScanFormat format, RenderOptions options = {}) {
  std::ostringstream out;
  RenderScan(result, format, options, out);
  return out.str();
}

inline size_t CountOf(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

// When DPO_REPORT_PREVIEW names a directory, tests leave their renderings
// there for a person (or a headless browser) to look at.
inline void MaybePreview(const std::string& name, const std::string& content) {
  const char* dir = std::getenv("DPO_REPORT_PREVIEW");
  if (dir == nullptr || *dir == '\0') return;
  std::filesystem::create_directories(dir);
  std::ofstream(std::filesystem::path(dir) / name) << content;
}

}  // namespace dpo::report::testing
