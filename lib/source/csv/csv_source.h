// The CSV source: a .csv file is one table, a directory is one table per
// *.csv file in it (not recursive), named by the file stem.
//
// Beyond the Source contract:
//  - Types are inferred from the first 1000 rows (type_inferred = true); CSV
//    declares no keys or relations (callers merge those from the policy).
//  - Row counts are exact for files under 64 MiB, estimated from the file size
//    and the average row length otherwise (exact = false).
//  - An empty unquoted field reads as NULL, a quoted "" as the empty string.
//  - ReadStats::rows_read counts the rows returned; rows_skipped the ragged
//    rows skipped under CsvOptions::skip_bad_rows. RowBatch row numbers count
//    every data record, skipped ones included, so they point into the file.
//    Skipped() tells, per table, the most rows any read skipped and the lines
//    of the first SkippedRows::kMaxLines of them.
//  - CsvOptions::max_columns and max_record_bytes bound every record, the
//    header included: past either, reading stops with FILE:LINE and the flag
//    that raises the limit (--max-columns, --max-record-bytes).
//  - kFirst and kRandom with limit <= 0 return no rows; kRandom keeps `limit`
//    rows in memory (reservoir sampling) and returns them in file order.
//  - Comparisons follow the one rule by column type (predicate_eval.h), with
//    the inferred types; a cell its column's type cannot read is not matched.
//    Semi-joins are evaluated with a key set built from the sub-table.
//  - Writes (Begin): each Execute rewrites the table's current version into a
//    new temporary file next to the file, `.dpo-tx-XXXXXX-<file>.tmp` (hidden,
//    not *.csv, so never taken for a table); Count and Read in the
//    transaction read those versions. Rows an op does not change are copied
//    byte for byte; changed rows keep the file's delimiter, line ends, byte
//    order mark and encoding, quoting only fields that need it. Ragged rows
//    skipped under skip_bad_rows are kept as they are. A file no op changes
//    is left alone; a new file keeps the original's permissions. CSV has no
//    foreign keys: deletes are guarded by the relations given to
//    DeclareRelations. A dry run executes on temporary files and removes them.
//  - Commit, all files or none: fsync every version; write the journal
//    (which temporary file replaces which file, with a SHA-256 line) to a
//    temporary name, fsync, rename it to `.dpo-journal` in the directory (for
//    a single file: `.<file>.dpo-journal` beside it) and fsync the directory;
//    only then rename each version over its file, fsync, remove the journal.
//  - Opening for writing finishes a change whose journal is present (and says
//    so in Notices()), and removes temporary files without a journal (a change
//    that never committed: the data is as before; also said in Notices()).
//    Opening read-only never modifies anything: with a journal present it
//    reads each journaled table from its temporary file (the committed state)
//    and says so in Notices(); other temporary files are ignored. A damaged
//    journal is an error that says what to do.
#pragma once

#include <memory>
#include <string>

#include "source/source.h"

namespace dpo::source {

// `path` is a .csv file or a directory of them. Errors name the path.
Result<std::unique_ptr<Source>> OpenCsvSource(const std::string& path, const OpenOptions& options);

}  // namespace dpo::source
