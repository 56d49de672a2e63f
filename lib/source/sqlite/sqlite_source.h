// SQLite files as a Source, on the sqlite3 C API (its result codes tell a
// locked file from a corrupt one, which the messages need, and the read loop
// avoids per-cell allocations).
//
//  - Read-only sources are opened with SQLITE_OPEN_READONLY and additionally
//    run with PRAGMA query_only, so no statement on the connection can write;
//    they create no file beside the source (SqliteReadOnlyUri).
//  - Writable sources enable PRAGMA foreign_keys; Apply runs in one
//    BEGIN IMMEDIATE ... COMMIT transaction and rolls back on any error.
//  - Values are read as text (integers and reals as SQLite prints them);
//    NULL is a null cell; BLOBs become "\x" followed by lowercase hex, the
//    same text PostgreSQL gives for bytea, so detectors see the same thing.
//  - Row numbers in batches are 1-based positions in the stream.
//  - kRandom orders by a keyed hash of the primary key (rowid when there is
//    none) and the seed, then takes `limit` rows: the same seed on the same
//    data gives the same rows, and SQLite keeps only `limit` rows in memory.
//  - Readers keep the connection alive; they may outlive the Source.
#pragma once

#include <memory>
#include <string>

#include "source/source.h"

struct sqlite3;

namespace dpo::source {

inline constexpr int kSqliteBusyTimeoutMs = 5000;

// Opens the SQLite file at `path` (no "sqlite:" prefix). A missing file, a
// file that is not a database, a locked or a corrupt database are errors that
// name the file and say what to do.
Result<std::unique_ptr<Source>> OpenSqliteSource(const std::string& path, const OpenOptions& options,
                                                 int busy_timeout_ms = kSqliteBusyTimeoutMs);

// The URI read-only commands open `path` with: mode=ro, and for a WAL-mode
// database that no program has open (no -wal with changes, no -shm)
// immutable=1, so that reading creates no -wal or -shm file beside the source
// and works in a read-only directory. An error when the -wal holds changes but
// its -shm index is gone (reading would need to create it).
Result<std::string> SqliteReadOnlyUri(const std::string& path);

// The connection of a source returned by OpenSqliteSource, for tests that
// check the read-only guarantee at the connection level. nullptr for other sources.
sqlite3* SqliteHandleForTesting(Source* source);

}  // namespace dpo::source
