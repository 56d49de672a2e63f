// What the three sinks of sink.h share: the bookkeeping every Sink does the
// same way (tables declared before rows, one failure ends the export and
// removes what was written), the checks on declared tables, the text forms of
// cells, and the file-system steps that make a file or directory appear
// whole. Private to lib/anonymise.
//
// Contract of SinkBase: derived sinks implement the Do* steps; SinkBase calls
// them in a valid order only (every CreateTable before the first WriteRows,
// nothing after Finish or a failure), and on the first error of any step it
// calls DoAbandon() at once, so that a failed export holds no resources and
// leaves nothing behind even if the caller forgets to Abandon(). Derived
// destructors must call Abandon() themselves (a base destructor cannot reach
// the derived DoAbandon()).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "anonymise/sink.h"

namespace dpo::anonymise::internal {

// A declared table and the name it gets in the output.
struct TableEntry {
  SinkTable table;
  std::string out_name;
};

class SinkBase : public Sink {
 public:
  Status CreateTable(const SinkTable& table) final;
  Status WriteRows(const std::string& table, const source::RowBatch& rows) final;
  Result<int64_t> CopyFromSqlite(const std::string& source_path, const std::string& table,
                                 const std::vector<CopyColumn>& columns, const std::function<bool()>& cancelled) final;
  Status Finish() final;
  void Abandon() final;
  std::string DisplayName() const final { return display_; }

 protected:
  explicit SinkBase(std::string display) : display_(std::move(display)) {}

  // The name a source table gets in the output. Two source tables with the
  // same output name are refused at CreateTable.
  virtual std::string OutputName(const std::string& source_name) const { return source_name; }
  // Checks that need the sink's own limits (file names, identifier lengths).
  virtual Status CheckNames(const TableEntry&) { return Status::Ok(); }
  virtual Status DoCreateTable(const TableEntry& table) = 0;
  virtual Status DoWriteRows(const TableEntry& table, const source::RowBatch& rows) = 0;
  // Only sinks whose CanCopyFromSqlite() is true are asked.
  virtual Result<int64_t> DoCopyFromSqlite(const std::string&, const TableEntry&, const std::vector<CopyColumn>&,
                                           const std::function<bool()>&) {
    return Status::Error(display_ + ": cannot copy inside the database (a bug in the caller)", StatusCode::kInternal);
  }
  virtual Status DoFinish() = 0;
  // Removes everything written; called at most once.
  virtual void DoAbandon() = 0;

  const std::vector<TableEntry>& tables() const { return tables_; }
  const TableEntry* FindTable(const std::string& source_name) const;
  // Every foreign key names a declared table and columns of it, as many as it
  // has columns of its own, that are that table's primary key or one of its
  // UNIQUE constraints (what SQLite and PostgreSQL require of a referenced
  // key). An empty referenced column list means the primary key.
  Status CheckReferences() const;
  // The referenced columns of `fk` (its own, or the referenced table's
  // primary key when it names none).
  std::vector<std::string> ReferencedColumns(const source::ForeignKey& fk) const;
  // "orders: foreign key (customer_id) -> customers (id)", for messages.
  std::string RelationText(const TableEntry& table, const source::ForeignKey& fk) const;

  const std::string display_;

 private:
  enum class State { kDeclaring, kWriting, kFinished, kFailed, kAbandoned };
  Status Fail(Status error);
  Status Refusal(const char* call) const;

  State state_ = State::kDeclaring;
  std::vector<TableEntry> tables_;
  std::map<std::string, size_t> by_source_name_;
  std::map<std::string, size_t> by_out_name_;
};

// Identifiers are data: "name" with every " doubled (SQLite and PostgreSQL;
// source::QuoteIdentifier, which also drops NUL bytes).
std::string QuoteIdent(std::string_view name);
// "(a, b)" with each name quoted.
std::string ColumnList(const std::vector<std::string>& names);
// " ON DELETE CASCADE" and the like; "" for NO ACTION.
const char* OnDeleteClause(source::ForeignKey::OnDelete action);

// A declared type from the source that may go into CREATE TABLE as it is:
// words of [A-Za-z0-9_] with single spaces, optionally followed by one
// parenthesised list of numbers and commas ("character varying(80)",
// "numeric(10, 2)", "timestamp(3) with time zone"), and no word that would
// start a constraint (NOT, NULL, PRIMARY, ...). Anything else is ignored in
// favour of the mapped type: a type name cannot close the column list or add
// a clause.
bool SafeDeclaredType(std::string_view type);

// The boolean literals of docs/source-types.md (true/false, t/f, 1/0,
// yes/no, y/n, on/off, any letter case); nullopt for anything else.
std::optional<bool> ParseBoolean(std::string_view text);

// A number a spreadsheet reads as a number: optional sign, digits with an
// optional fraction, optional exponent ("-12.5", "+3", "1e-3").
bool IsPlainNumber(std::string_view text);

// "\x" followed by an even number of hex digits, decoded; nullopt otherwise.
std::optional<std::string> DecodeHexBlob(std::string_view text);

// --- Files ---------------------------------------------------------------

// An I/O error: "WHAT PATH: strerror(errno)".
Status Errno(const std::string& what, const std::string& path);
// The directory `path` is in ("." for a bare name), and its last component.
std::string ParentDir(const std::string& path);
std::string BaseName(const std::string& path);
// `path` without trailing slashes ("/" stays "/").
std::string StripTrailingSlashes(std::string path);
// fsync of a file or directory by name (fault point kFsync).
Status SyncPath(const std::string& path);
// fsync of the directory a rename has just changed. Best effort: the output
// is complete and in place by then, and removing it because the directory
// could not be synced would destroy a good export (and, with --force, the
// one it replaced is gone already).
void SyncDirBestEffort(const std::string& dir);
// Renames `from` to `to`, failing if `to` exists (renameat2 RENAME_NOREPLACE,
// with a checked rename() where the file system lacks it). Fault point kRename.
Status RenameNoReplace(const std::string& from, const std::string& to);

// --- The sinks -----------------------------------------------------------

Result<std::unique_ptr<Sink>> OpenSqliteSink(const std::string& path, const SinkOptions& options);
Result<std::unique_ptr<Sink>> OpenCsvSink(const std::string& path, const SinkOptions& options);
Result<std::unique_ptr<Sink>> OpenPostgresSink(const std::string& spec, const SinkOptions& options);

}  // namespace dpo::anonymise::internal
