// The scan engine: policy x source x detectors -> findings (plain data).
//
// Without a policy it is pure discovery: every column holding personal data
// becomes a "personal-data" note with its category, confidence and evidence.
// With a policy it also checks what it found against what the policy
// declares, and counts rows past their retention period inside the database.
// It never prints; lib/report renders the ScanResult.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "scan/baseline.h"
#include "scan/finding.h"
#include "source/source.h"
#include "util/duration.h"
#include "util/status.h"

namespace dpo::scan {

// Where a scan is, for a progress display: the table being read and the
// whole scan. Totals are what the scan expects to read (the table's row count,
// capped at the sample size); -1 when the source cannot say.
struct ScanProgress {
  std::string table;
  int table_number = 1;  // 1-based, of table_count
  int table_count = 1;
  int64_t rows_done = 0;
  int64_t rows_total = -1;
  int64_t bytes_done = 0;
  int64_t scan_rows_done = 0;    // over every table so far, this one included
  int64_t scan_rows_total = -1;  // -1 when any table's count is unknown
};

// The most detector threads a scan starts per table, whatever it is asked
// for: beyond the cores they only cost memory and thread-creation failures
// (`dpo scan --threads` refuses more).
constexpr int kMaxScanThreads = 256;

struct ScanOptions {
  const policy::Policy* policy = nullptr;  // nullptr: discovery only
  bool full = false;                       // every row; otherwise a random sample per table
  int64_t sample_rows = 10000;
  uint64_t sample_seed = 0;
  util::Date as_of = util::Today();        // retention is evaluated as of this day
  int threads = 2;                         // detector threads per table (the reader is one more);
                                           // capped at the table's columns and kMaxScanThreads
  std::vector<std::string> tables;         // only these tables; empty = all
  double min_confidence = 0.5;             // evidence below this is not reported
  // Findings in it are marked baselined (scan/baseline.h); nullptr: none.
  // The policy's `accepted:` entries are applied whenever there is a policy.
  const Baseline* baseline = nullptr;
  // Called now and then from the scanning thread; must be cheap.
  std::function<void(const ScanProgress&)> progress;
};

// Scans `source`. Errors are source errors (unreadable table, ragged CSV row
// without skip); findings are never errors.
Result<ScanResult> RunScan(source::Source& source, const ScanOptions& options);

// The category a detector kind suggests: in policy mode the first policy
// category listing the kind among its detectors, otherwise dpo's built-in
// category for it (detect/vocabulary.h: "contact", "bsn", "financial",
// "identity", "notes", "health", "criminal", ...), the ids `policy init`
// drafts. Empty for kinds that are not personal data on their own (a date).
std::string CategoryForKind(const std::string& kind, const policy::Policy* policy);

}  // namespace dpo::scan
