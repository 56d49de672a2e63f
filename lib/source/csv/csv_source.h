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
//  - kFirst and kRandom with limit <= 0 return no rows; kRandom keeps `limit`
//    rows in memory (reservoir sampling) and returns them in file order.
//  - Apply rewrites each file it changes into a temporary file next to it,
//    fsyncs it and renames it over the original (then fsyncs the directory),
//    only once every op on every file has succeeded. Rows it does not change
//    are copied byte for byte; changed rows keep the file's delimiter, line
//    ends, byte order mark and encoding, quoting only fields that need it.
//    Ragged rows skipped under skip_bad_rows are kept as they are. A file no
//    op changes is left alone. The new file keeps the original's permissions.
#pragma once

#include <memory>
#include <string>

#include "source/source.h"

namespace dpo::source {

// `path` is a .csv file or a directory of them. Errors name the path.
Result<std::unique_ptr<Source>> OpenCsvSource(const std::string& path, const OpenOptions& options);

}  // namespace dpo::source
