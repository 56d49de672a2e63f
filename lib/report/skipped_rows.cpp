#include "report/skipped_rows.h"

namespace dpo::report {

std::string SkippedRowsSentence(int64_t count, const std::vector<int64_t>& lines) {
  std::string s = std::to_string(count) + (count == 1 ? " row" : " rows") +
                  " with the wrong number of fields skipped (--skip-bad-rows)";
  if (lines.empty()) return s;
  const bool all = static_cast<int64_t>(lines.size()) >= count;
  s += all ? (lines.size() == 1 ? ", at line " : ", at lines ") : ", the first at lines ";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) s += (all && i + 1 == lines.size()) ? " and " : ", ";
    s += std::to_string(lines[i]);
  }
  return s;
}

}  // namespace dpo::report
