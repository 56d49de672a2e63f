// The anonymised export: every row of every table of a source, each column
// through its operator (column_plan.h), into a sink (sink.h). The source is
// opened read-only and never changed.
//
// Contract:
//  - Every row of every table is written (quasi-identifiers of rows that
//    k-anonymity suppresses are NULL, the rows stay), in the source's order,
//    with the same primary keys; references keep resolving because a
//    reference gets the operator of what it references.
//  - Deterministic: the same source, policy, key and as-of date give the
//    same output, byte for byte for SQLite and CSV.
//  - Streams: memory does not grow with the number of rows (k-anonymity
//    keeps one counter per distinct combination of quasi-identifiers).
//  - All or nothing: on any error, or when `cancel` becomes true, the sink
//    is abandoned and nothing appears under the destination's name.
//  - Counts and messages never hold a value.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "anonymise/column_plan.h"
#include "anonymise/k_anonymity.h"
#include "anonymise/sink.h"
#include "source/source.h"
#include "util/keyed_hash.h"
#include "util/status.h"

namespace dpo::anonymise {

struct ExportOptions {
  const util::SecretKey* key = nullptr;  // needed when an operator is keyed
  std::string as_of;                     // YYYY-MM-DD: age bands
  int64_t k = 0;                         // --k: reach this k on every table with quasi-identifiers
  double max_suppress = 0.01;            // share of rows k-anonymity may suppress before generalising further
  int threads = 2;                       // transform workers beside the writer (1: none)
  // The source's SQLite file, when it is one: a SQLite sink then copies each
  // table inside SQLite (Sink::CopyFromSqlite), values leaving it only for
  // their operators. Empty: rows stream through the source reader.
  std::string sqlite_source_path;
  // Called after each batch with the rows written so far of `table`.
  std::function<void(const std::string& table, int64_t rows_done, int64_t rows_total)> progress;
  const std::atomic<bool>* cancel = nullptr;  // set from a signal handler: stop, leave nothing
};

struct ColumnSummary {
  std::string column;
  std::string op;      // final operator name
  std::string reason;  // why it got it (column_plan.h)
  bool undeclared = false;
  TransformCounts counts;
};

struct TableSummary {
  std::string table;
  int64_t rows = 0;
  std::vector<ColumnSummary> columns;
};

struct ExportSummary {
  std::string destination;  // the sink's DisplayName
  std::vector<TableSummary> tables;
  std::vector<KAnonymity> k_anonymity;  // tables with quasi-identifiers
  int64_t rows = 0;
  int64_t undeclared_columns = 0;
  std::vector<std::string> warnings;
  // Rows the source could not read (CSV under --skip-bad-rows): they are not
  // in the export. Location and count only.
  std::vector<source::SkippedRows> skipped;
};

// Checks the key against the plan: a keyed operator without one is an error
// ("refusing to run without a key: pass --key-file FILE or set DPO_KEY").
Status CheckKey(const ExportPlan& plan, const util::SecretKey* key);

// Runs k-anonymity (raising operators in *plan), then writes every table.
// `sink` is finished on success, abandoned on failure.
Result<ExportSummary> RunExport(source::Source& source, ExportPlan* plan, Sink& sink, const ExportOptions& options);

}  // namespace dpo::anonymise
