// OpenSink and what the sinks share (sink_internal.h).
#include "anonymise/sink.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "anonymise/sink_internal.h"
#include "source/conninfo.h"
#include "source/sql_dialect.h"
#include "util/fault.h"

namespace dpo::anonymise {
namespace internal {
namespace {

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

// --- SinkBase ---------------------------------------------------------------

const TableEntry* SinkBase::FindTable(const std::string& source_name) const {
  auto it = by_source_name_.find(source_name);
  return it == by_source_name_.end() ? nullptr : &tables_[it->second];
}

Status SinkBase::Refusal(const char* call) const {
  switch (state_) {
    case State::kFinished:
      return Status::Error(display_ + ": " + call + " after Finish() (a bug in the caller)", StatusCode::kInternal);
    case State::kFailed:
      return Status::Error(display_ + ": the export failed earlier and what it wrote was removed; run it again",
                           StatusCode::kInternal);
    case State::kAbandoned:
      return Status::Error(display_ + ": " + call + " after Abandon() (a bug in the caller)", StatusCode::kInternal);
    default:
      return Status::Error(display_ + ": " + call + " refused (a bug in the caller)", StatusCode::kInternal);
  }
}

Status SinkBase::Fail(Status error) {
  state_ = State::kFailed;
  DoAbandon();
  return error;
}

Status SinkBase::CreateTable(const SinkTable& table) {
  if (state_ == State::kWriting)
    return Fail(Status::Error(display_ + ": table " + table.name +
                              " declared after the first row; all tables are declared first (a bug in the caller)",
                              StatusCode::kInternal));
  if (state_ != State::kDeclaring) return Refusal("CreateTable");

  auto bad = [this, &table](const std::string& why) {
    return Fail(Status::Error(display_ + ": table " + table.name + ": " + why, StatusCode::kInvalidArgument));
  };
  if (table.name.empty()) return bad("a table needs a name");
  if (HasNul(table.name)) return bad("the name holds a NUL character, which no sink can store");
  if (table.columns.empty()) return bad("a table needs at least one column");
  std::set<std::string> columns;
  for (const SinkColumn& c : table.columns) {
    if (c.name.empty()) return bad("a column has no name");
    if (HasNul(c.name)) return bad("a column name holds a NUL character, which no sink can store");
    if (!columns.insert(c.name).second) return bad("column " + c.name + " is declared twice");
  }
  auto check_list = [&](const std::vector<std::string>& list, const std::string& what) -> std::string {
    if (list.empty()) return what + " names no columns";
    std::set<std::string> seen;
    for (const std::string& name : list) {
      if (columns.count(name) == 0) return what + " names column " + name + ", which the table does not have";
      if (!seen.insert(name).second) return what + " names column " + name + " twice";
    }
    return "";
  };
  if (!table.primary_key.empty()) {
    std::string why = check_list(table.primary_key, "the primary key");
    if (!why.empty()) return bad(why);
  }
  for (const auto& unique : table.unique) {
    std::string why = check_list(unique, "a UNIQUE constraint");
    if (!why.empty()) return bad(why);
  }
  for (const source::ForeignKey& fk : table.foreign_keys) {
    std::string why = check_list(fk.columns, "a foreign key");
    if (!why.empty()) return bad(why);
    if (fk.referenced_table.empty()) return bad("a foreign key names no referenced table");
    if (HasNul(fk.referenced_table)) return bad("a foreign key's referenced table holds a NUL character");
    if (!fk.referenced_columns.empty() && fk.referenced_columns.size() != fk.columns.size())
      return bad("foreign key (" + JoinNames(fk.columns) + ") names " + std::to_string(fk.referenced_columns.size()) +
                 " referenced columns for " + std::to_string(fk.columns.size()) + " columns");
    for (const std::string& rc : fk.referenced_columns)
      if (rc.empty() || HasNul(rc)) return bad("a foreign key names an empty or unstorable referenced column");
  }
  if (by_source_name_.count(table.name) != 0) return bad("declared twice (a bug in the caller)");

  TableEntry entry{table, OutputName(table.name)};
  auto clash = by_out_name_.find(entry.out_name);
  if (clash != by_out_name_.end())
    return bad("it would be written as " + entry.out_name + ", like table " + tables_[clash->second].table.name +
               "; export only one of them, or rename one");
  Status names = CheckNames(entry);
  if (!names.ok()) return Fail(names);
  Status created = DoCreateTable(entry);
  if (!created.ok()) return Fail(created);
  by_source_name_[table.name] = tables_.size();
  by_out_name_[entry.out_name] = tables_.size();
  tables_.push_back(std::move(entry));
  return Status::Ok();
}

Status SinkBase::WriteRows(const std::string& table, const source::RowBatch& rows) {
  if (state_ == State::kDeclaring) state_ = State::kWriting;
  if (state_ != State::kWriting) return Refusal("WriteRows");
  const TableEntry* entry = FindTable(table);
  if (entry == nullptr)
    return Fail(Status::Error(display_ + ": rows for table " + table + ", which was not declared (a bug in the caller)",
                              StatusCode::kInternal));
  if (rows.num_rows() == 0) return Status::Ok();
  if (rows.num_columns() != entry->table.columns.size())
    return Fail(Status::Error(display_ + ": table " + table + ": rows of " + std::to_string(rows.num_columns()) +
                              " cells for " + std::to_string(entry->table.columns.size()) +
                              " columns (a bug in the caller)", StatusCode::kInternal));
  Status written = DoWriteRows(*entry, rows);
  if (!written.ok()) return Fail(written);
  return Status::Ok();
}

Result<int64_t> SinkBase::CopyFromSqlite(const std::string& source_path, const std::string& table,
                                         const std::vector<CopyColumn>& columns,
                                         const std::function<bool()>& cancelled) {
  if (state_ == State::kDeclaring) state_ = State::kWriting;
  if (state_ != State::kWriting) return Refusal("CopyFromSqlite");
  const TableEntry* entry = FindTable(table);
  if (entry == nullptr || columns.size() != entry->table.columns.size())
    return Fail(Status::Error(display_ + ": copy of table " + table + " does not match its declaration (a bug in the caller)",
                              StatusCode::kInternal));
  Result<int64_t> copied = DoCopyFromSqlite(source_path, *entry, columns, cancelled);
  if (!copied.ok()) return Fail(copied.status());
  return copied;
}

Status SinkBase::Finish() {
  if (state_ != State::kDeclaring && state_ != State::kWriting) return Refusal("Finish");
  Status finished = DoFinish();
  if (!finished.ok()) return Fail(finished);
  state_ = State::kFinished;
  return Status::Ok();
}

void SinkBase::Abandon() {
  // A finished export is the user's output now; only unfinished work goes.
  if (state_ != State::kDeclaring && state_ != State::kWriting) return;
  state_ = State::kAbandoned;
  DoAbandon();
}

std::vector<std::string> SinkBase::ReferencedColumns(const source::ForeignKey& fk) const {
  if (!fk.referenced_columns.empty()) return fk.referenced_columns;
  const TableEntry* parent = FindTable(fk.referenced_table);
  return parent ? parent->table.primary_key : std::vector<std::string>{};
}

std::string SinkBase::RelationText(const TableEntry& table, const source::ForeignKey& fk) const {
  return table.table.name + ": foreign key (" + JoinNames(fk.columns) + ") -> " + fk.referenced_table + " (" +
         JoinNames(ReferencedColumns(fk)) + ")";
}

Status SinkBase::CheckReferences() const {
  for (const TableEntry& entry : tables_) {
    for (const source::ForeignKey& fk : entry.table.foreign_keys) {
      const TableEntry* parent = FindTable(fk.referenced_table);
      if (parent == nullptr)
        return Status::Error(display_ + ": table " + entry.table.name + ": foreign key (" + JoinNames(fk.columns) +
                             ") refers to table " + fk.referenced_table +
                             ", which is not part of the export; export it too, or leave the relation out",
                             StatusCode::kInvalidArgument);
      std::vector<std::string> referenced = ReferencedColumns(fk);
      if (referenced.empty())
        return Status::Error(display_ + ": table " + RelationText(entry, fk) + ": " + fk.referenced_table +
                             " has no primary key to refer to", StatusCode::kInvalidArgument);
      if (referenced.size() != fk.columns.size())
        return Status::Error(display_ + ": table " + RelationText(entry, fk) +
                             ": the column counts differ", StatusCode::kInvalidArgument);
      for (const std::string& rc : referenced) {
        bool found = false;
        for (const SinkColumn& c : parent->table.columns) found = found || c.name == rc;
        if (!found)
          return Status::Error(display_ + ": table " + RelationText(entry, fk) + ": " + fk.referenced_table +
                               " has no column " + rc, StatusCode::kInvalidArgument);
      }
      std::set<std::string> wanted(referenced.begin(), referenced.end());
      bool keyed = std::set<std::string>(parent->table.primary_key.begin(), parent->table.primary_key.end()) == wanted;
      for (const auto& unique : parent->table.unique)
        keyed = keyed || std::set<std::string>(unique.begin(), unique.end()) == wanted;
      if (!keyed)
        return Status::Error(display_ + ": table " + RelationText(entry, fk) +
                             ": the referenced columns are neither the primary key nor UNIQUE in " +
                             fk.referenced_table + ", so the database cannot enforce the relation",
                             StatusCode::kInvalidArgument);
    }
  }
  return Status::Ok();
}

// --- Text -------------------------------------------------------------------

std::string QuoteIdent(std::string_view name) {
  // Both databases quote identifiers alike.
  return source::QuoteIdentifier(name, source::SqlDialect::kSqlite);
}

const char* OnDeleteClause(source::ForeignKey::OnDelete action) {
  switch (action) {
    case source::ForeignKey::OnDelete::kNoAction: return "";
    case source::ForeignKey::OnDelete::kRestrict: return " ON DELETE RESTRICT";
    case source::ForeignKey::OnDelete::kCascade: return " ON DELETE CASCADE";
    case source::ForeignKey::OnDelete::kSetNull: return " ON DELETE SET NULL";
    case source::ForeignKey::OnDelete::kSetDefault: return " ON DELETE SET DEFAULT";
  }
  return "";
}

std::string ColumnList(const std::vector<std::string>& names) {
  std::string out = "(";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += QuoteIdent(names[i]);
  }
  return out + ")";
}

bool SafeDeclaredType(std::string_view type) {
  static const char* const kClauseWords[] = {"not",     "null",       "primary",    "key",       "unique",
                                             "check",   "default",    "collate",    "references", "constraint",
                                             "generated", "as",       "on",         "conflict",  "autoincrement",
                                             "asc",     "desc",       "stored",     "virtual",   "identity"};
  if (type.empty() || type.size() > 100) return false;
  size_t i = 0;
  bool parens_seen = false;
  bool need_word = true;  // a type starts with a word, and a space is followed by one
  while (i < type.size()) {
    char c = type[i];
    if (IsWordChar(c)) {
      size_t start = i;
      while (i < type.size() && IsWordChar(type[i])) ++i;
      std::string_view word = type.substr(start, i - start);
      for (const char* w : kClauseWords)
        if (EqualsIgnoreCase(word, w)) return false;
      need_word = false;
      continue;
    }
    if (need_word) return false;
    if (c == ' ') {
      ++i;
      if (i < type.size() && type[i] == '(') continue;  // "numeric (10,2)"
      need_word = true;
      continue;
    }
    if (c == '(') {
      if (parens_seen) return false;
      parens_seen = true;
      ++i;
      bool need_number = true;
      while (i < type.size() && type[i] != ')') {
        if (type[i] == ' ') {
          ++i;
        } else if (IsDigit(type[i])) {
          while (i < type.size() && IsDigit(type[i])) ++i;
          need_number = false;
        } else if (type[i] == ',' && !need_number) {
          need_number = true;
          ++i;
        } else {
          return false;
        }
      }
      if (i == type.size() || need_number) return false;
      ++i;  // ')'
      continue;
    }
    return false;
  }
  return !need_word;
}

std::optional<bool> ParseBoolean(std::string_view text) {
  if (text.size() > 5) return std::nullopt;
  for (const char* t : {"true", "t", "1", "yes", "y", "on"})
    if (EqualsIgnoreCase(text, t)) return true;
  for (const char* f : {"false", "f", "0", "no", "n", "off"})
    if (EqualsIgnoreCase(text, f)) return false;
  return std::nullopt;
}

bool IsPlainNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

std::optional<std::string> DecodeHexBlob(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || (text[1] != 'x' && text[1] != 'X') || text.size() % 2 != 0)
    return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// --- Files ------------------------------------------------------------------

Status Errno(const std::string& what, const std::string& path) {
  return Status::Error(what + " " + path + ": " + std::strerror(errno), StatusCode::kIoError);
}

std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Status SyncPath(const std::string& path) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kFsync, path));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Errno("cannot open for fsync", path);
  int rc;
  do rc = ::fsync(fd);
  while (rc != 0 && errno == EINTR);
  // EINVAL: a file system that cannot sync this kind of file; nothing to wait for.
  if (rc != 0 && errno != EINVAL) {
    Status s = Errno("cannot make durable (fsync)", path);
    ::close(fd);
    return s;
  }
  ::close(fd);
  return Status::Ok();
}

void SyncDirBestEffort(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

Status RenameNoReplace(const std::string& from, const std::string& to) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kRename, to));
  auto exists = [&to]() {
    return Status::Error(to + " already exists (created while the export ran?); pass --force to replace it, or "
                         "choose another destination", StatusCode::kInvalidArgument);
  };
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return Status::Ok();
  if (errno == EEXIST) return exists();
  if (errno != EINVAL && errno != ENOSYS) return Errno("cannot rename into", to);
  // No RENAME_NOREPLACE on this file system: check, then rename (a narrow race
  // with another process creating `to`, which dpo cannot close here).
  struct stat st;
  if (::lstat(to.c_str(), &st) == 0) return exists();
  if (::rename(from.c_str(), to.c_str()) != 0) return Errno("cannot rename into", to);
  return Status::Ok();
}

}  // namespace internal

Result<std::unique_ptr<Sink>> OpenSink(SinkKind kind, const std::string& destination, const SinkOptions& options) {
  if (destination.empty()) return Status::Error("the export needs a destination");
  const source::SpecForm form = source::ClassifySourceSpec(destination);
  switch (kind) {
    case SinkKind::kPostgres:
      if (form == source::SpecForm::kOtherUri)
        return Status::Error(std::string("'") + source::UriScheme(destination) +
                             "://' is not a PostgreSQL connection string; give postgresql://... or "
                             "host=... dbname=...");
      return internal::OpenPostgresSink(destination, options);
    case SinkKind::kSqlite:
    case SinkKind::kCsv:
      // A URI here is a mistake, never a file name to create.
      if (form == source::SpecForm::kOtherUri || form == source::SpecForm::kPostgresUri)
        return Status::Error(source::RedactSourceSpec(destination) + ": a " +
                             (kind == SinkKind::kSqlite ? "SQLite export is written to a file path"
                                                        : "CSV export is written to a directory path") +
                             ", not to a URI");
      return kind == SinkKind::kSqlite ? internal::OpenSqliteSink(destination, options)
                                       : internal::OpenCsvSink(destination, options);
  }
  return Status::Error("unknown sink kind", StatusCode::kInternal);
}

}  // namespace dpo::anonymise
