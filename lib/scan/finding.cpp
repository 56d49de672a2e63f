#include "scan/finding.h"

namespace dpo::scan {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kNote: return "note";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "note";
}

int64_t ScanResult::CountAtLeast(Severity s) const {
  int64_t n = 0;
  for (const Finding& f : findings)
    if (f.Counts() && static_cast<int>(f.severity) >= static_cast<int>(s)) ++n;
  return n;
}

}  // namespace dpo::scan
