// PostgreSQL servers as a Source, on libpq.
//
//  - The spec is a postgresql:// or postgres:// URI (scheme in any letter
//    case) or a libpq key=value string (conninfo.h). It is parsed once; libpq
//    connects from the parsed keywords. The password may be in the spec, in
//    PGPASSWORD, ~/.pgpass or a service file (libpq's rules); it never
//    appears in DisplayName() or in any message: messages are built from the
//    parsed user, host, port and database, and a libpq or server message that
//    still holds the password is withheld whole.
//  - Read-only sources run SET SESSION CHARACTERISTICS AS TRANSACTION READ
//    ONLY right after connecting, and read inside BEGIN READ ONLY, so plain
//    SQL on the connection cannot write. (A role that must never write should
//    still be a read-only role on the server: READ ONLY is a session setting.)
//  - Tables are those of every schema except pg_catalog, information_schema
//    and pg_toast/pg_temp; a table is named "schema.table" unless its schema
//    is public. Identifiers are resolved through the catalog and quoted.
//  - Row counts: exact (count(*)) when the table's heap is under 64 MiB,
//    where a count is cheap; otherwise pg_class.reltuples marked as an
//    estimate, or unknown (-1) if the table was never analysed.
//  - Reads stream through a server-side cursor (FETCH batch_rows) inside one
//    read-only transaction shared by all open readers of the source, so
//    memory is constant. Values are text as PostgreSQL prints them (bytea as
//    "\x..."). Row numbers are 1-based positions in the stream.
//  - kRandom: TABLESAMPLE BERNOULLI (p) REPEATABLE (seed) with p chosen from
//    the row count so that about `limit` rows come back, then LIMIT `limit`.
//    The same seed on the same data gives the same rows.
//  - Apply runs all ops in one transaction; any error rolls everything back.
//    It is refused while a reader of the same source is open.
#pragma once

#include <memory>
#include <string>

#include "source/source.h"

typedef struct pg_conn PGconn;

namespace dpo::source {

Result<std::unique_ptr<Source>> OpenPostgresSource(const std::string& spec, const OpenOptions& options);

// The connection of a source returned by OpenPostgresSource, for tests that
// check the read-only guarantee at the connection level. nullptr for other sources.
PGconn* PostgresHandleForTesting(Source* source);

}  // namespace dpo::source
