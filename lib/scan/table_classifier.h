// Internal to lib/scan: reading one table and classifying its columns, the
// part of a scan that runs on several threads.
#pragma once

#include <cstdint>
#include <vector>

#include "detect/column_classifier.h"
#include "detect/kind.h"
#include "scan/finding.h"
#include "scan/scanner.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::scan {

// Kinds that are personal data by themselves (a plain date is not; free text
// is judged by what it holds).
inline bool IsPersonalKind(detect::Kind kind) {
  return kind != detect::Kind::kDate && kind != detect::Kind::kFreeText;
}

// The evidence of a classifier's verdict as a finding carries it.
Evidence ToEvidence(const detect::KindEvidence& k);

// The rows a scan expects to read from a table; -1 when its count is unknown.
int64_t ExpectedRows(const source::Table& table, const ScanOptions& options);

// Reads the table once, feeding every value of column c to classifiers[c],
// batch by batch in table order (heavy columns through lanes merged at the
// end). Worker threads take (stream, batch) pairs from a ColumnScheduler,
// which never gives one classifier to two workers at once; the reading
// thread only reads. Adds rows, bytes and threads used to `stats`, and calls
// options.progress with `progress` (the table's place in the scan) updated.
Status ClassifyTable(source::Source& src, const source::Table& table, const ScanOptions& options,
                     std::vector<detect::ColumnClassifier>* classifiers, TableReport* report, ScanStats* stats,
                     ScanProgress progress);

}  // namespace dpo::scan
