// Where an anonymised export goes: a new SQLite database, a directory of CSV
// files, or a new schema in a PostgreSQL database. The export pipeline
// (anonymise/export.h) creates the tables, streams the anonymised rows into
// them and finishes; a sink turns that into output that is either complete or
// absent.
//
// Contract for all implementations:
//  - Nothing appears under the destination's name before Finish() succeeds:
//    SQLite writes "DEST.partial-XXXXXX" beside DEST and renames it; CSV
//    writes a hidden sibling directory and renames it; PostgreSQL does all
//    its work in one transaction (schema, tables, rows, constraints) and
//    commits in Finish(). A run that fails, is interrupted or is destroyed
//    before Finish() leaves nothing that looks complete (Abandon() and the
//    destructor remove what was written; a killed process leaves only a
//    ".partial" name).
//  - Files and directories are created owner-only (0600 / 0700): they hold
//    pseudonymised data, which is still personal data.
//  - An existing destination is refused unless `overwrite`; it is replaced
//    only at the moment Finish() succeeds. Even with `overwrite`, SQLite
//    refuses a DEST that is not a regular file or has a -wal or -journal file
//    beside it (it would be replayed onto the new file), CSV a DEST that is
//    not a directory of *.csv files only (not an earlier export: --force must
//    never remove a directory named by mistake), PostgreSQL the schemas
//    public, information_schema and pg_* (--force drops the schema it
//    replaces).
//  - Tables keep their column types, primary keys, UNIQUE constraints and
//    foreign keys. Finish() checks that every foreign key resolves (SQLite:
//    PRAGMA foreign_key_check; PostgreSQL: the constraints are added after the
//    rows and validated by the server) and fails, naming the table and the
//    relation, when one does not. Before that, Finish() refuses (SQLite,
//    PostgreSQL) a foreign key whose table is not part of the export or whose
//    referenced columns are neither its primary key nor UNIQUE. CSV keeps no
//    constraints and checks none.
//  - CSV: a cell that a spreadsheet would run as a formula (first character
//    '=', '+', '-', '@', tab or carriage return) is written with a leading
//    apostrophe (OWASP "CSV injection"), except a cell that is a plain number
//    ("-12.5"), which no spreadsheet evaluates as a formula. Column names in
//    the header row are cells too. Booleans are written true/false (so that
//    a reader infers the type again). NULL is an empty unquoted field, the
//    empty string is "" (a one-column NULL row is written "", since an
//    empty line is no row to a reader).
//  - Messages name the destination (never a password) and tables, never a
//    value.
//  - The first error of any call ends the export: what was written is
//    removed at once, and every later call fails. Abandon() after a
//    successful Finish() does nothing: the output is the user's then.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "source/row_batch.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::anonymise {

enum class SinkKind { kSqlite, kCsv, kPostgres };

// One column of an output table.
struct SinkColumn {
  std::string name;
  source::TypeClass type = source::TypeClass::kText;
  // The type to declare, when the source's own declaration can be kept (same
  // kind of database and the operator keeps the type); empty: the sink
  // declares `type` in its own dialect (SQLite TEXT/INTEGER/REAL/BLOB, and
  // BOOLEAN/DATE/TIMESTAMP, whose NUMERIC affinity still stores booleans as
  // the integers 1/0 and ISO dates as text, while readers that go by the
  // declared type, dpo's among them, see the type again; no declared type
  // for kUnknown; PostgreSQL text, bigint, double precision, boolean, date,
  // timestamp, bytea, text for kUnknown). A declared type is used only if it
  // is a plain type name (words, one parenthesised list of numbers: see
  // SafeDeclaredType in sink_internal.h); anything else falls back to the
  // mapped type, so it can never add a clause to CREATE TABLE.
  std::string declared_type;
  bool nullable = true;
};

struct SinkTable {
  // As the source names it. SQLite and CSV keep it whole (a file name gets
  // '/' as %2F and a leading '.' as %2E); PostgreSQL puts every table into
  // the export's schema under the part after the first dot ("hr.x" and "x"
  // both become "<schema>"."x"; two tables that meet there are refused).
  // Foreign keys name referenced tables the same way.
  std::string name;
  std::vector<SinkColumn> columns;
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> unique;  // UNIQUE constraints (column lists)
  std::vector<source::ForeignKey> foreign_keys;  // referenced tables are tables of the same export
};

// One output column of a copy made inside the output database
// (Sink::CopyFromSqlite).
struct CopyColumn {
  std::string source_column;
  source::TypeClass type = source::TypeClass::kText;  // the output column's type
  // Empty: the value is copied as it is, inside SQLite. Otherwise the value's
  // text form (SQLite's own: integers in decimal, reals as %.15g) goes
  // through it; std::nullopt writes NULL.
  std::function<std::optional<std::string>(const std::optional<std::string>&)> transform;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Declares a table. All tables are declared before the first row.
  virtual Status CreateTable(const SinkTable& table) = 0;
  // Appends rows (cells in the canonical text form of each column's type,
  // in the order of the declared columns; NULL cells stay NULL). Booleans
  // may be any literal of docs/source-types.md. SQLite binds integer, real,
  // boolean and blob cells as numbers and blobs; a cell not in its type's
  // form (a CSV source's type is inferred from its first rows) is stored
  // as text rather than lost; PostgreSQL's server refuses it.
  virtual Status WriteRows(const std::string& table, const source::RowBatch& rows) = 0;
  // A fast path for SQLite to SQLite: copies every row of `table` from the
  // SQLite file `source_path` (attached read-only) in one INSERT ... SELECT
  // inside the output database, so that a value leaves SQLite only when a
  // transform needs it. The same rows in the same order as reading `table`
  // and WriteRows. `cancelled` is polled every few thousand steps; true stops
  // the copy with an error. Returns the rows copied. Only when
  // CanCopyFromSqlite(); others refuse.
  virtual bool CanCopyFromSqlite() const { return false; }
  virtual Result<int64_t> CopyFromSqlite(const std::string& source_path, const std::string& table,
                                         const std::vector<CopyColumn>& columns,
                                         const std::function<bool()>& cancelled) = 0;
  // Adds constraints, checks foreign keys, makes everything durable and
  // puts the output under its name. After a failure nothing is left.
  virtual Status Finish() = 0;
  // Removes everything written so far. Safe to call more than once.
  virtual void Abandon() = 0;
  // How to name the destination to a person (no password): the path, or
  // "postgresql://user@host:port/db (schema NAME)".
  virtual std::string DisplayName() const = 0;
  virtual SinkKind kind() const = 0;
  // PostgreSQL: the schema the output goes into; "" for files.
  virtual std::string TargetSchema() const { return ""; }
};

struct SinkOptions {
  bool overwrite = false;  // --force
  // PostgreSQL: the schema to create: the destination's `schema` parameter
  // (postgresql://...?schema=NAME, or schema=NAME among key=value words; it
  // is taken out before libpq sees the string), else this. An existing
  // schema is refused unless overwrite, and then dropped (CASCADE) inside
  // the export's transaction.
  std::string schema = "anonymised";
};

// DEST is a file path (SQLite), a directory path (CSV) or a PostgreSQL
// connection string (postgresql://..., or libpq key=value).
Result<std::unique_ptr<Sink>> OpenSink(SinkKind kind, const std::string& destination, const SinkOptions& options);

}  // namespace dpo::anonymise
