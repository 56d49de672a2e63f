// The one interface through which every subcommand reads (and retention,
// erasure and anonymise write) personal data: SQLite files, CSV exports and
// PostgreSQL servers look the same from above.
//
// Contract for all implementations:
//  - A source opened read-only never changes the data (SQLite mode=ro,
//    PostgreSQL read-only transactions, CSV files opened for reading only).
//  - Errors are values; their messages name the source by DisplayName(),
//    which never contains a password, and never contain personal data.
//  - Rows stream in batches in constant memory, whatever the table size.
//  - Identifiers (table and column names) are data: they are quoted wherever
//    they reach SQL, so a hostile column name cannot become SQL.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "source/predicate.h"
#include "source/row_batch.h"
#include "util/status.h"

namespace dpo::source {

enum class SourceKind { kSqlite, kCsv, kPostgres };
const char* SourceKindName(SourceKind kind);  // "sqlite", "csv", "postgresql"

// Normalised type of a column, whatever the database called it.
enum class TypeClass { kText, kInteger, kReal, kBoolean, kDate, kTimestamp, kBlob, kUnknown };
const char* TypeClassName(TypeClass type);  // "text", "integer", ...

struct Column {
  std::string name;
  std::string declared_type;    // as declared ("varchar(80)"); CSV: empty
  TypeClass type = TypeClass::kUnknown;
  bool type_inferred = false;   // true when `type` was guessed from values (CSV)
  // Whether the schema lets the column hold NULL. A CSV file declares
  // nothing, so every CSV column stays nullable here (writers must be ready
  // for an empty value in any row); what the rows read showed is below.
  bool nullable = true;
  // CSV only (a guess from values, like `type`): whether any row read had an
  // empty (unquoted, zero-length) value in this column. Unset for databases,
  // whose schema says. `inspect` shows it as the column's nullability.
  std::optional<bool> empty_values_seen{};
  int primary_key_position = 0;  // 1-based position within the primary key; 0 = not a key column
  // In a UNIQUE constraint or unique index other than the primary key (alone
  // or with other columns, partial indexes too): its values must stay
  // distinct, so anonymising it in place cannot write NULL or one fixed
  // value. CSV: never (a file has no constraints).
  bool unique = false;
};

struct ForeignKey {
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  // "schema" when the database declares it; callers that merge relations
  // declared in a policy (CSV exports) mark those "policy".
  std::string origin = "schema";
  // What the database does to the referencing rows when a referenced row is
  // deleted. Relations from a policy say kCascade: the rows belong to the
  // parent's subject.
  enum class OnDelete { kNoAction, kRestrict, kCascade, kSetNull, kSetDefault };
  OnDelete on_delete = OnDelete::kNoAction;
};

struct RowCount {
  int64_t rows = -1;   // -1 = unknown
  bool exact = false;  // false for estimates (PostgreSQL reltuples, CSV size guesses)
};

struct Table {
  std::string name;      // the name a policy uses (PostgreSQL: "schema.table" unless schema is public; CSV: file stem)
  std::string location;  // CSV: the file path; otherwise empty
  std::vector<Column> columns;
  std::vector<std::string> primary_key;
  std::vector<ForeignKey> foreign_keys;
  // The columns of each index (primary key and UNIQUE constraints included),
  // in index order: a lookup by a column is fast when it leads one. CSV: none.
  std::vector<std::vector<std::string>> indexes;
  RowCount row_count;

  const Column* FindColumn(const std::string& column_name) const;
};

enum class SampleMode {
  kFull,    // every row
  kFirst,   // the first `limit` rows in storage order
  kRandom,  // about `limit` rows chosen at random (PostgreSQL: TABLESAMPLE, server-side)
};

struct ReadRequest {
  std::vector<std::string> columns;  // empty = all columns, in table order
  SampleMode mode = SampleMode::kFull;
  int64_t limit = 0;      // for kFirst and kRandom
  uint64_t seed = 0;      // for kRandom: the same seed gives the same rows
  size_t batch_rows = 4096;
  std::optional<Predicate> where;
};

struct ReadStats {
  int64_t rows_read = 0;
  int64_t bytes_read = 0;
  int64_t rows_skipped = 0;  // CSV ragged rows skipped under skip_bad_rows
};

class RowReader {
 public:
  virtual ~RowReader() = default;
  // Names of the columns of every batch, in order.
  virtual const std::vector<std::string>& column_names() const = 0;
  // Their normalised types, in the same order (inferred for CSV), so that a
  // writer can put typed columns back; cells are in the canonical text form
  // of their type (docs/source-types.md).
  virtual std::vector<TypeClass> column_types() const {
    return std::vector<TypeClass>(column_names().size(), TypeClass::kUnknown);
  }
  // Replaces *batch with the next rows. Returns true if rows were read, false
  // at the end of the data (batch left empty), or an error (e.g. a ragged CSV
  // row, with file:line).
  virtual Result<bool> Next(RowBatch* batch) = 0;
  virtual ReadStats stats() const = 0;
};

// One write, executed as set-based SQL inside the database (or as a rewrite of
// a CSV file). Values are literals as text in the canonical form of the
// column's type (see docs/source-types.md); std::nullopt writes NULL.
struct WriteOp {
  enum class Kind { kDelete, kUpdate };
  Kind kind = Kind::kDelete;
  std::string table;
  Predicate where;
  std::vector<std::pair<std::string, std::optional<std::string>>> assignments;  // kUpdate only

  // kUpdate only: a column whose new value is computed from its current value,
  // row by row, inside the transaction (a keyed pseudonym). `op` names the
  // operator (written into plans); `fn` is bound by the caller before Execute.
  // `fn` gets and returns values in the canonical text form of the column's
  // type (std::nullopt: NULL); it must be deterministic (the same value gives
  // the same result) and must not throw. Executing an op whose `fn` is unset
  // is an error naming the column; so is a column both assigned and computed.
  // SQL shown to people renders it as "col" = dpo_<op>("col"), with every
  // character of `op` other than a letter, digit or '_' as '_'.
  struct ComputedAssignment {
    std::string column;
    std::string op;
    std::function<std::optional<std::string>(const std::optional<std::string>&)> fn;
  };
  std::vector<ComputedAssignment> computed;  // kUpdate only
};

struct WriteResult {
  std::vector<int64_t> rows_affected;  // one entry per WriteOp, in order
};

// How a transaction ends (LevelDB's WriteOptions as the model).
struct WriteOptions {
  // Execute every write inside the transaction, then roll back instead of
  // committing: the counts (and returned keys) are the real ones, on every
  // backend, and nothing changes. Needs a source opened for writing, like a
  // real run, because the writes are really executed.
  bool dry_run = false;
};

// Receives the values of `columns` (usually the primary key) of each row a
// write affects, as they were before the write, one row at a time, while the
// write runs inside the transaction. Returning an error aborts the write
// (and the caller then rolls back).
struct ReturnRows {
  std::vector<std::string> columns;
  std::function<Status(const std::vector<std::optional<std::string>>& values)> row;
};

// A unit of work on a source: reads and counts see the transaction's own
// writes; nothing is visible to others, or durable, before Commit().
//
// Contract for all implementations:
//  - Execute() never changes rows the op does not name. A delete whose rows
//    are referenced by rows of another table (a foreign key, or a relation the
//    caller declared with DeclareRelations) is refused with a message naming
//    both tables, whatever the schema says ON DELETE should do: dpo expands
//    deletes into explicit child-first operations (plan/cascade.h) so that
//    every row it removes is counted and can be recorded.
//  - Comparisons follow one rule, by column type, on every backend (see
//    predicate.h).
//  - Commit() makes every write durable, all or nothing; with
//    WriteOptions::dry_run it rolls back instead. After Commit() or Rollback()
//    the transaction is finished. Destroying an unfinished transaction rolls
//    it back.
//  - Failures are values; after a failed Execute() the only useful call is
//    Rollback() (Commit() refuses).
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Rows matching `where` now, inside the transaction.
  virtual Result<int64_t> Count(const std::string& table, const std::optional<Predicate>& where) = 0;
  // Streams rows as the transaction sees them. The reader must be finished
  // (read to the end or destroyed) before the next Execute() or Commit().
  virtual Result<std::unique_ptr<RowReader>> Read(const std::string& table, const ReadRequest& request) = 0;
  // Executes one write and returns the number of rows it affected. With
  // `returning`, each affected row's values are passed to it first (streamed,
  // not collected).
  virtual Result<int64_t> Execute(const WriteOp& op, const ReturnRows* returning = nullptr) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
};

struct CsvOptions {
  char delimiter = 0;          // 0 = sniff from the first lines (',', ';', '\t', '|')
  bool header = true;          // false: columns are named col1, col2, ...
  bool skip_bad_rows = false;  // ragged rows: false = error with line number, true = skip and count
  std::string encoding = "auto";  // "auto" (UTF-8, BOM stripped, Windows-1252 detected and converted), "utf-8", "windows-1252"
  // Limits that keep hostile files from taking unbounded time and memory;
  // passing one is an error naming it and its flag (--max-columns,
  // --max-record-bytes). A field is never longer than its record.
  int64_t max_columns = 10000;                   // fields per record, header included
  int64_t max_record_bytes = int64_t{64} << 20;  // one record, quoted line breaks included
};

struct OpenOptions {
  bool read_only = true;
  CsvOptions csv;
};

// Rows a source skipped while reading a table (CSV ragged rows under
// skip_bad_rows): how many, and where the first few are; never their content.
struct SkippedRows {
  static constexpr size_t kMaxLines = 5;
  std::string table;
  std::string location;              // the file
  int64_t count = 0;                 // in the part of the table read so far
  std::vector<int64_t> first_lines;  // 1-based physical lines of the first kMaxLines, ascending
};

class Source {
 public:
  virtual ~Source() = default;

  virtual SourceKind kind() const = 0;
  // How to name this source to a person: path or URI with any password removed.
  virtual std::string DisplayName() const = 0;

  // Table names, sorted.
  virtual Result<std::vector<std::string>> ListTables() = 0;
  // Columns, keys, relations and row count of one table. An unknown table is
  // an error naming the table.
  virtual Result<Table> Describe(const std::string& table) = 0;
  // Describe without the row count (row_count left unknown where counting
  // costs a scan: SQLite's count(*) reads the whole table). For callers that
  // need the shape only: the relation graph of plans and of the DSAR walk.
  virtual Result<Table> DescribeShape(const std::string& table) { return Describe(table); }
  // Streams rows. Unknown columns are an error naming table.column.
  virtual Result<std::unique_ptr<RowReader>> Read(const std::string& table,
                                                  const ReadRequest& request) = 0;
  // Exact number of rows matching `where` (all rows without it), computed in
  // the database (SELECT count(*) ... WHERE), or by streaming for CSV.
  virtual Result<int64_t> Count(const std::string& table,
                                const std::optional<Predicate>& where) = 0;
  // Starts a transaction. Error on a source opened read-only (a dry run
  // executes the writes too), and while a reader of this source is open.
  virtual Result<std::unique_ptr<Transaction>> Begin(const WriteOptions& options) = 0;

  // Relations the schema does not declare (a CSV export's, from the policy):
  // Transaction::Execute refuses deletes that would orphan their child rows,
  // as it does for foreign keys. Replaces any earlier declaration.
  virtual void DeclareRelations(std::vector<std::pair<std::string, ForeignKey>> relations) = 0;

  // Things the source did on opening that a person should know, one line
  // each (e.g. "finished an interrupted change"). Empty usually.
  virtual std::vector<std::string> Notices() const { return {}; }

  // Rows skipped so far, per table with any (reads always start at the top
  // of a table, so this is what the longest read skipped). Empty for sources
  // that skip nothing.
  virtual std::vector<SkippedRows> Skipped() const { return {}; }
};

// Runs `ops` in order in one transaction: all take effect or none does (with
// dry_run, none ever does, and the counts are those a real run would give).
Result<WriteResult> ApplyAll(Source& source, const std::vector<WriteOp>& ops, const WriteOptions& options);

// Opens a source named by one argument:
//   crm.db | sqlite:crm.db                 SQLite file
//   export.csv | exports/ | csv:exports/   a CSV file or a directory of *.csv files
//   postgresql://user@host:5432/db?...     PostgreSQL (also postgres://, any letter case); the
//                                           password may also come from PGPASSWORD or ~/.pgpass
//   host=db dbname=crm user=u ...          PostgreSQL, libpq key=value form (first word a libpq keyword)
// Any other scheme:// (mysql://...) is an error naming the scheme, never a file name.
Result<std::unique_ptr<Source>> OpenSource(const std::string& spec, const OpenOptions& options);

// True if `path` is a regular file that starts with SQLite 3's 16-byte
// header. Never blocks (a FIFO is simply not one).
bool HasSqliteHeader(const std::string& path);

// `spec` with any password removed, for messages and logs, in the shape the
// user wrote it (postgresql://u@h/d?password=***&sslmode=require). Works by
// parsing the spelling (RedactConnectionSpec in conninfo.h), never by
// searching for the password's value.
std::string RedactSourceSpec(const std::string& spec);

}  // namespace dpo::source
