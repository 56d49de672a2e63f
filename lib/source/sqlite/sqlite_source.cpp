#include "source/sqlite/sqlite_source.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <strings.h>

#include "source/sql_dialect.h"
#include "source/write_guard.h"
#include "util/fault.h"
#include "util/message.h"

namespace dpo::source {

namespace {

constexpr SqlDialect kDialect = SqlDialect::kSqlite;

// The connection, shared by the source and its readers.
struct Db {
  sqlite3* handle = nullptr;
  std::string path;
  int busy_timeout_ms = kSqliteBusyTimeoutMs;
  // Opened with immutable=1 (see SqliteReadOnlyUri): SQLite takes no lock,
  // so the file as it was when opened is checked again after each table.
  bool immutable = false;
  struct stat opened {};
  ~Db() {
    if (handle != nullptr) sqlite3_close_v2(handle);
  }
};

// One line naming the file, what went wrong and what to do. SQLite's own
// messages name tables, columns and constraints but no values; those names
// are data, so they (and the table names in `doing`) are escaped.
Status SqliteError(const Db& db, int rc, const std::string& doing_raw) {
  const std::string& p = db.path;
  const std::string doing = util::EscapeForMessage(doing_raw, std::string_view::npos);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
      return Status::Error(p + ": file is not a SQLite database; check the path (for a CSV export use csv:" + p + ")");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Error(p + ": database is locked by another connection (waited " +
                           std::to_string(db.busy_timeout_ms / 1000.0).substr(0, 3) +
                           " s while " + doing + "); retry when the other program has finished, or work on a copy",
                           StatusCode::kBusy);
    case SQLITE_CORRUPT:
      return Status::Error(p + ": database file is corrupt (" + doing +
                           "); restore it from a backup or try 'sqlite3 " + p + " .recover'", StatusCode::kIoError);
    case SQLITE_READONLY:
      return Status::Error(p + ": cannot write: the database or its directory is read-only (" + doing +
                           "); check the file permissions", StatusCode::kIoError);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::Error(p + ": cannot open the database (" + doing + "): " +
                           util::EscapeForMessage(db.handle ? sqlite3_errmsg(db.handle) : sqlite3_errstr(rc),
                                                  std::string_view::npos) +
                           "; check that the file is readable", StatusCode::kIoError);
    default: break;
  }
  std::string message =
      util::EscapeForMessage(db.handle ? sqlite3_errmsg(db.handle) : sqlite3_errstr(rc), std::string_view::npos);
  if (message.rfind("no such table", 0) == 0)
    return Status::Error(p + ": " + message + " while " + doing +
                         " (was it dropped while dpo ran?); run 'dpo inspect " + p + "' to list the tables",
                         StatusCode::kNotFound);
  switch (rc & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return Status::Error(p + ": " + doing + " failed: " + message + "; check the disk", StatusCode::kIoError);
    case SQLITE_CONSTRAINT:
      return Status::Error(p + ": " + doing + " failed: " + message, StatusCode::kConflict);
    case SQLITE_INTERRUPT:
      return Status::Error(p + ": " + doing + " was interrupted", StatusCode::kIoError);
    default:
      break;
  }
  return Status::Error(p + ": " + doing + " failed: " + message, StatusCode::kIoError);
}

// The renderer numbers parameters ?1, ?2, ... in the order they appear.
// SQLite looks each numbered parameter up in a list while it compiles the
// statement (sqlite3VListNumToName): quadratic in their number, 25 s for a
// million keys bound 10,000 per IN list. A plain ? takes the next number, so
// when the numbers run 1, 2, 3, ... in the text, "?" binds the same values
// the same way, in linear time. Anything else (a number used twice, out of
// order) is left as it is. Quoted identifiers and string literals are
// skipped.
std::string AnonymousParameters(const std::string& sql) {
  std::string out;
  out.reserve(sql.size());
  long expected = 1;
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '"' || c == '\'') {
      size_t end = i + 1;
      while (end < sql.size()) {
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      end = std::min(end + 1, sql.size());
      out.append(sql, i, end - i);
      i = end;
      continue;
    }
    if (c == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      size_t end = i + 1;
      long n = 0;
      while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9' && n < 1000000) n = n * 10 + (sql[end++] - '0');
      if (n != expected) return sql;
      ++expected;
      out.push_back('?');
      i = end;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Status Prepare(const Db& db, const std::string& text, const std::string& doing) {
    const std::string sql = AnonymousParameters(text);
    int rc = sqlite3_prepare_v2(db.handle, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db, rc, doing);
    return Status::Ok();
  }
  Status Bind(const Db& db, const std::vector<std::optional<std::string>>& params, const std::string& doing) {
    for (size_t i = 0; i < params.size(); ++i) {
      int rc = params[i] ? sqlite3_bind_text(stmt_, static_cast<int>(i + 1), params[i]->data(),
                                             static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                         : sqlite3_bind_null(stmt_, static_cast<int>(i + 1));
      if (rc != SQLITE_OK) return SqliteError(db, rc, doing);
    }
    return Status::Ok();
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

Status Exec(const Db& db, const char* sql, const std::string& doing) {
  int rc = sqlite3_exec(db.handle, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db, sqlite3_extended_errcode(db.handle), doing);
  return Status::Ok();
}

// Runs a query that returns one integer.
Result<int64_t> QueryInt(const Db& db, const SqlText& text, const std::string& doing) {
  Statement stmt;
  DPO_RETURN_IF_ERROR(stmt.Prepare(db, text.sql, doing));
  DPO_RETURN_IF_ERROR(stmt.Bind(db, text.params, doing));
  int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return SqliteError(db, rc, doing);
  return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
}

std::string ColumnString(sqlite3_stmt* stmt, int i) {
  const unsigned char* text = sqlite3_column_text(stmt, i);
  return text ? std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt, i)) : std::string();
}

// SQLite's affinity rules (https://sqlite.org/datatype3.html 3.1), after the
// date, time and boolean names that SQLite stores as NUMERIC but people mean
// as dates and flags.
TypeClass TypeFromDeclared(const std::string& declared) {
  std::string t;
  for (char c : declared) t.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (t.rfind("TIMESTAMP", 0) == 0 || t.rfind("DATETIME", 0) == 0) return TypeClass::kTimestamp;
  if (t.rfind("DATE", 0) == 0) return TypeClass::kDate;
  if (t.rfind("BOOL", 0) == 0) return TypeClass::kBoolean;
  if (t.find("INT") != std::string::npos) return TypeClass::kInteger;
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos ||
      t.find("TEXT") != std::string::npos)
    return TypeClass::kText;
  if (t.find("BLOB") != std::string::npos) return TypeClass::kBlob;
  if (t.empty()) return TypeClass::kUnknown;  // no declared type: values keep their own type
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos ||
      t.find("DOUB") != std::string::npos)
    return TypeClass::kReal;
  return TypeClass::kReal;  // NUMERIC affinity (NUMERIC, DECIMAL(10,2), ...)
}

ForeignKey::OnDelete OnDeleteFromSql(const std::string& action) {
  if (strcasecmp(action.c_str(), "CASCADE") == 0) return ForeignKey::OnDelete::kCascade;
  if (strcasecmp(action.c_str(), "SET NULL") == 0) return ForeignKey::OnDelete::kSetNull;
  if (strcasecmp(action.c_str(), "SET DEFAULT") == 0) return ForeignKey::OnDelete::kSetDefault;
  if (strcasecmp(action.c_str(), "RESTRICT") == 0) return ForeignKey::OnDelete::kRestrict;
  return ForeignKey::OnDelete::kNoAction;
}

// dpo_sample_key(seed, v...): a 64-bit mix of the seed and the values, so
// that ORDER BY it is a deterministic pseudo-random order.
uint64_t Mix(uint64_t h) {
  h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27; h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

void SampleKey(sqlite3_context* context, int argc, sqlite3_value** argv) {
  uint64_t h = Mix(static_cast<uint64_t>(sqlite3_value_int64(argv[0])) + 0x9e3779b97f4a7c15ULL);
  for (int i = 1; i < argc; ++i) {
    const unsigned char* text = sqlite3_value_text(argv[i]);
    int n = sqlite3_value_bytes(argv[i]);
    for (int j = 0; j < n; ++j) h = (h ^ text[j]) * 0x100000001b3ULL;
    h = Mix(h + static_cast<uint64_t>(i));
  }
  sqlite3_result_int64(context, static_cast<sqlite3_int64>(h));
}

void AppendHex(const unsigned char* data, int n, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->assign("\\x");
  for (int i = 0; i < n; ++i) {
    out->push_back(kHex[data[i] >> 4]);
    out->push_back(kHex[data[i] & 15]);
  }
}

using ComputedFn = std::function<std::optional<std::string>(const std::optional<std::string>&)>;

// dpo_computed_N(value): a computed assignment's function (WriteOp::computed),
// registered on the connection for the one UPDATE that uses it. Values go in
// and out in the text form readers show (BLOBs as \x hex); SQLite's column
// affinity stores an integer's text as an integer again.
void CallComputed(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* fn = static_cast<const ComputedFn*>(sqlite3_user_data(context));
  std::optional<std::string> in;
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL:
      break;
    case SQLITE_BLOB: {
      std::string hex;
      AppendHex(static_cast<const unsigned char*>(sqlite3_value_blob(argv[0])), sqlite3_value_bytes(argv[0]), &hex);
      in = std::move(hex);
      break;
    }
    default: {
      const unsigned char* text = sqlite3_value_text(argv[0]);
      in = std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_value_bytes(argv[0])));
    }
  }
  try {
    std::optional<std::string> out = (*fn)(in);
    if (!out) sqlite3_result_null(context);
    else sqlite3_result_text(context, out->data(), static_cast<int>(out->size()), SQLITE_TRANSIENT);
  } catch (...) {
    sqlite3_result_error(context, "a computed value could not be made", -1);  // never the value
  }
}

// The functions of one update's computed assignments, registered while it
// runs and removed after (they point into the WriteOp).
class ComputedFunctions {
 public:
  explicit ComputedFunctions(sqlite3* db) : db_(db) {}
  ComputedFunctions(const ComputedFunctions&) = delete;
  ComputedFunctions& operator=(const ComputedFunctions&) = delete;
  ~ComputedFunctions() {
    for (const std::string& name : names_)
      sqlite3_create_function_v2(db_, name.c_str(), 1, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr, nullptr);
  }

  // Registers `fn` as dpo_computed_N; returns the name, or the SQLite error code.
  int Add(const ComputedFn& fn, std::string* name) {
    *name = "dpo_computed_" + std::to_string(names_.size());
    int rc = sqlite3_create_function_v2(db_, name->c_str(), 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        const_cast<ComputedFn*>(&fn), CallComputed, nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) names_.push_back(*name);
    return rc;
  }

 private:
  sqlite3* db_;
  std::vector<std::string> names_;
};

// True if the file opened immutable is no longer the one that was opened
// (replaced, grown, shrunk or rewritten), or a writer has started a WAL.
bool ChangedSinceOpened(const Db& db) {
  struct stat now {};
  if (::stat(db.path.c_str(), &now) != 0) return true;
  if (now.st_ino != db.opened.st_ino || now.st_dev != db.opened.st_dev || now.st_size != db.opened.st_size ||
      now.st_mtim.tv_sec != db.opened.st_mtim.tv_sec || now.st_mtim.tv_nsec != db.opened.st_mtim.tv_nsec)
    return true;
  struct stat wal {};
  return ::stat((db.path + "-wal").c_str(), &wal) == 0 && wal.st_size > 0;
}

class SqliteReader : public RowReader {
 public:
  SqliteReader(std::shared_ptr<Db> db, std::unique_ptr<Statement> stmt, std::vector<std::string> names,
               std::vector<TypeClass> types, size_t batch_rows, std::string table)
      : db_(std::move(db)), stmt_(std::move(stmt)), names_(std::move(names)), types_(std::move(types)),
        batch_rows_(batch_rows == 0 ? 4096 : batch_rows), table_(std::move(table)) {}

  const std::vector<std::string>& column_names() const override { return names_; }
  std::vector<TypeClass> column_types() const override { return types_; }

  Result<bool> Next(RowBatch* batch) override {
    batch->Reset(names_.size());
    if (done_) return false;
    sqlite3_stmt* s = stmt_->get();
    const int n = static_cast<int>(names_.size());
    while (batch->num_rows() < batch_rows_) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) {
        done_ = true;
        stmt_.reset();
        if (db_->immutable && ChangedSinceOpened(*db_)) {
          batch->Reset(names_.size());
          return Status::Error(db_->path + ": another program wrote to the database while dpo read table " + table_ +
                                   " (it was idle when opened, so it was read without locks); run again when that "
                                   "program has finished, or work on a copy",
                               StatusCode::kBusy);
        }
        break;
      }
      if (rc != SQLITE_ROW) {
        done_ = true;
        batch->Reset(names_.size());
        return SqliteError(*db_, rc, "reading table " + table_ + " after row " + std::to_string(stats_.rows_read));
      }
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(s, i)) {
          case SQLITE_NULL:
            batch->AddNull();
            break;
          case SQLITE_BLOB: {
            const void* blob = sqlite3_column_blob(s, i);
            AppendHex(static_cast<const unsigned char*>(blob), sqlite3_column_bytes(s, i), &hex_);
            batch->AddCell(hex_);
            stats_.bytes_read += static_cast<int64_t>(hex_.size());
            break;
          }
          default: {
            const unsigned char* text = sqlite3_column_text(s, i);
            int bytes = sqlite3_column_bytes(s, i);
            batch->AddCell(std::string_view(reinterpret_cast<const char*>(text), bytes));
            stats_.bytes_read += bytes;
          }
        }
      }
      batch->EndRow(++stats_.rows_read);
    }
    return !batch->empty();
  }

  ReadStats stats() const override { return stats_; }

 private:
  std::shared_ptr<Db> db_;
  std::unique_ptr<Statement> stmt_;
  std::vector<std::string> names_;
  std::vector<TypeClass> types_;
  size_t batch_rows_;
  std::string table_;
  bool done_ = false;
  std::string hex_;
  ReadStats stats_;
};

class SqliteSource : public Source {
 public:
  SqliteSource(std::shared_ptr<Db> db, bool read_only) : db_(std::move(db)), read_only_(read_only) {}

  SourceKind kind() const override { return SourceKind::kSqlite; }
  std::string DisplayName() const override { return db_->path; }
  sqlite3* handle() const { return db_->handle; }

  Result<std::vector<std::string>> ListTables() override {
    Statement stmt;
    const std::string doing = "listing tables";
    DPO_RETURN_IF_ERROR(stmt.Prepare(*db_,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", doing));
    std::vector<std::string> names;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      std::string name = ColumnString(stmt.get(), 0);
      if (!unusable_.count(name)) names.push_back(std::move(name));
    }
    if (rc != SQLITE_DONE) return SqliteError(*db_, rc, doing);
    std::sort(names.begin(), names.end());
    return names;
  }

  std::vector<std::string> Notices() const override { return notices_; }

  // Looks over the schema once, on opening. A virtual table whose module
  // this SQLite lacks ("no such module": an extension's table, or fts5 from
  // a build that has it) cannot even be described; it is left out of
  // ListTables with a notice, so that one such table does not make the whole
  // database unreadable. Views are never read as tables (their rows are
  // those of the tables they select from, which are read, and a policy maps
  // tables); the notice names them so that nothing is skipped unsaid.
  Status Survey() {
    Statement stmt;
    const std::string doing = "reading the schema";
    DPO_RETURN_IF_ERROR(stmt.Prepare(*db_,
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", doing));
    std::vector<std::string> views;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      const std::string type = ColumnString(stmt.get(), 0);
      std::string name = ColumnString(stmt.get(), 1);
      const std::string sql = ColumnString(stmt.get(), 2);
      if (type == "view") {
        views.push_back(std::move(name));
        continue;
      }
      if (strncasecmp(sql.c_str(), "CREATE VIRTUAL TABLE", 20) != 0) continue;
      const std::string probe_sql = "SELECT * FROM " + QuoteIdentifier(name, kDialect) + " LIMIT 0";
      sqlite3_stmt* probe = nullptr;
      if (sqlite3_prepare_v2(db_->handle, probe_sql.c_str(), -1, &probe, nullptr) != SQLITE_OK) {
        std::string why = util::EscapeForMessage(sqlite3_errmsg(db_->handle), 200);
        notices_.push_back(db_->path + ": skipped table " + util::NameForMessage(name) +
                           ": it is a virtual table this SQLite cannot open (" + why +
                           "); it is neither read nor changed. To include it, run dpo with an SQLite that has "
                           "the module, or drop the table from a copy of the database");
        unusable_.emplace(std::move(name), std::move(why));
      }
      sqlite3_finalize(probe);
    }
    if (rc != SQLITE_DONE) return SqliteError(*db_, rc, doing);
    if (!views.empty()) {
      std::string list;
      for (size_t i = 0; i < views.size() && i < 10; ++i) list += (i ? ", " : "") + util::NameForMessage(views[i]);
      if (views.size() > 10) list += " and " + std::to_string(views.size() - 10) + " more";
      notices_.push_back(db_->path + ": " + std::to_string(views.size()) + (views.size() == 1 ? " view" : " views") +
                         " not read as a table (" + list +
                         "): a view's rows are those of the tables it selects from, which are read");
    }
    return Status::Ok();
  }

  Result<Table> Describe(const std::string& name) override {
    Result<Table> table = DescribeShape(name);
    if (!table.ok()) return table;
    SqlText count{"SELECT count(*) FROM " + QuoteIdentifier(name, kDialect), {}};
    Result<int64_t> rows = QueryInt(*db_, count, "counting rows of " + name);
    if (!rows.ok()) return rows.status();
    table->row_count = RowCount{*rows, true};
    return table;
  }

  Result<std::unique_ptr<RowReader>> Read(const std::string& table_name, const ReadRequest& request) override {
    Result<Table> table = DescribeShape(table_name);
    if (!table.ok()) return table.status();
    std::vector<std::string> names;
    Result<std::string> list = RenderSelectList(request.columns, *table, kDialect, &names);
    if (!list.ok()) return list.status();
    std::map<std::string, std::unique_ptr<Table>> cache;
    Result<SqlTarget> resolved = Target(table_name, &cache);
    if (!resolved.ok()) return resolved.status();
    const SqlTarget& target = *resolved;
    SqlText text;
    text.sql = "SELECT " + *list + " FROM " + target.sql_name;
    if (request.where) {
      text.sql += " WHERE ";
      DPO_RETURN_IF_ERROR(RenderPredicate(*request.where, target, kDialect, &text));
    }
    if (request.mode == SampleMode::kRandom) {
      // The seed is bound as an integer; sqlite3_value_int64 reads it back.
      text.sql += " ORDER BY dpo_sample_key(" + std::to_string(static_cast<int64_t>(request.seed));
      if (table->primary_key.empty()) {
        text.sql += ", _rowid_";
      } else {
        for (const std::string& k : table->primary_key) text.sql += ", " + QuoteIdentifier(k, kDialect);
      }
      text.sql += ")";
    }
    if (request.mode != SampleMode::kFull)
      text.sql += " LIMIT " + std::to_string(std::max<int64_t>(request.limit, 0));
    const std::string doing = "reading table " + table_name;
    auto stmt = std::make_unique<Statement>();
    DPO_RETURN_IF_ERROR(stmt->Prepare(*db_, text.sql, doing));
    DPO_RETURN_IF_ERROR(stmt->Bind(*db_, text.params, doing));
    std::vector<TypeClass> types;
    for (const std::string& n : names) types.push_back(table->FindColumn(n)->type);
    return std::unique_ptr<RowReader>(
        new SqliteReader(db_, std::move(stmt), std::move(names), std::move(types), request.batch_rows, table_name));
  }

  Result<int64_t> Count(const std::string& table_name, const std::optional<Predicate>& where) override {
    std::map<std::string, std::unique_ptr<Table>> cache;
    Result<SqlTarget> target = Target(table_name, &cache);
    if (!target.ok()) return target.status();
    Result<SqlText> text = RenderCount(*target, where, kDialect);
    if (!text.ok()) return text.status();
    return QueryInt(*db_, *text, "counting rows of " + table_name);
  }

  Result<std::unique_ptr<Transaction>> Begin(const WriteOptions& options) override;

  void DeclareRelations(std::vector<std::pair<std::string, ForeignKey>> relations) override {
    declared_ = std::move(relations);
  }

  const std::shared_ptr<Db>& db() const { return db_; }
  const std::vector<std::pair<std::string, ForeignKey>>& declared() const { return declared_; }

  // A target whose semi-joins resolve to other tables of this database;
  // `cache` owns the tables the target points at.
  Result<SqlTarget> Target(const std::string& name, std::map<std::string, std::unique_ptr<Table>>* cache) {
    auto it = cache->find(name);
    if (it == cache->end()) {
      Result<Table> table = DescribeShape(name);
      if (!table.ok()) return table.status();
      it = cache->emplace(name, std::make_unique<Table>(std::move(*table))).first;
    }
    SqlTarget target{QuoteIdentifier(name, kDialect), it->second.get(), nullptr};
    target.resolve = [this, cache](const std::string& other) { return Target(other, cache); };
    return target;
  }

  // Columns, keys and relations, without the row count.
  Result<Table> DescribeShape(const std::string& name) override {
    Statement exists;
    std::string doing = "describing table " + name;
    DPO_RETURN_IF_ERROR(exists.Prepare(*db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", doing));
    DPO_RETURN_IF_ERROR(exists.Bind(*db_, {name}, doing));
    int rc = sqlite3_step(exists.get());
    if (rc == SQLITE_DONE)
      return Status::Error(db_->path + ": no table named " + util::NameForMessage(name) + "; run 'dpo inspect " + db_->path +
                           "' to list the tables", StatusCode::kNotFound);
    if (rc != SQLITE_ROW) return SqliteError(*db_, rc, doing);
    if (auto u = unusable_.find(name); u != unusable_.end())
      return Status::Error(db_->path + ": table " + util::NameForMessage(name) + " is a virtual table this SQLite cannot open (" +
                           u->second + "); run dpo with an SQLite that has the module, or leave the table out");

    Table table;
    table.name = name;
    Statement info;
    DPO_RETURN_IF_ERROR(info.Prepare(*db_,
        "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid", doing));
    DPO_RETURN_IF_ERROR(info.Bind(*db_, {name}, doing));
    std::vector<std::pair<int, std::string>> pk;
    while ((rc = sqlite3_step(info.get())) == SQLITE_ROW) {
      Column c;
      c.name = ColumnString(info.get(), 0);
      c.declared_type = ColumnString(info.get(), 1);
      c.type = TypeFromDeclared(c.declared_type);
      c.nullable = sqlite3_column_int(info.get(), 2) == 0;
      c.primary_key_position = sqlite3_column_int(info.get(), 3);
      if (c.primary_key_position > 0) pk.emplace_back(c.primary_key_position, c.name);
      table.columns.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) return SqliteError(*db_, rc, doing);
    std::sort(pk.begin(), pk.end());
    for (auto& [pos, column] : pk) table.primary_key.push_back(column);
    // An INTEGER PRIMARY KEY is the rowid: it can never hold NULL, whatever
    // pragma table_info says (other SQLite key columns can, for history's sake).
    if (pk.size() == 1) {
      for (Column& c : table.columns)
        if (c.primary_key_position == 1 && strcasecmp(c.declared_type.c_str(), "INTEGER") == 0) c.nullable = false;
    }
    // Columns of UNIQUE constraints and unique indexes (expressions have no
    // column name and are left out; so is the primary key's own index).
    Statement unique;
    DPO_RETURN_IF_ERROR(unique.Prepare(*db_,
        "SELECT DISTINCT ii.name FROM pragma_index_list(?1) il JOIN pragma_index_info(il.name) ii "
        "WHERE il.\"unique\" = 1 AND il.origin <> 'pk' AND ii.name IS NOT NULL",
        doing));
    DPO_RETURN_IF_ERROR(unique.Bind(*db_, {name}, doing));
    while ((rc = sqlite3_step(unique.get())) == SQLITE_ROW) {
      std::string column = ColumnString(unique.get(), 0);
      for (Column& c : table.columns)
        if (c.name == column) c.unique = true;
    }
    if (rc != SQLITE_DONE) return SqliteError(*db_, rc, doing);

    // Every index's leading columns, in order (an expression part has no
    // name: the usable prefix stops there; partial indexes are left out).
    // An INTEGER PRIMARY KEY is the rowid and has no index of its own.
    if (!table.primary_key.empty()) table.indexes.push_back(table.primary_key);
    Statement indexes;
    DPO_RETURN_IF_ERROR(indexes.Prepare(*db_,
        "SELECT il.name, ii.name FROM pragma_index_list(?1) il JOIN pragma_index_info(il.name) ii "
        "WHERE il.partial = 0 ORDER BY il.seq, ii.seqno",
        doing));
    DPO_RETURN_IF_ERROR(indexes.Bind(*db_, {name}, doing));
    std::string current;
    bool stopped = false;
    while ((rc = sqlite3_step(indexes.get())) == SQLITE_ROW) {
      std::string index = ColumnString(indexes.get(), 0);
      if (index != current || table.indexes.empty()) {
        current = index;
        stopped = false;
        table.indexes.emplace_back();
      }
      if (sqlite3_column_type(indexes.get(), 1) == SQLITE_NULL) stopped = true;
      if (!stopped) table.indexes.back().push_back(ColumnString(indexes.get(), 1));
    }
    if (rc != SQLITE_DONE) return SqliteError(*db_, rc, doing);

    Statement fks;
    DPO_RETURN_IF_ERROR(fks.Prepare(*db_,
        "SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        doing));
    DPO_RETURN_IF_ERROR(fks.Bind(*db_, {name}, doing));
    int last_id = -1;
    bool unresolved = false;  // "REFERENCES t" without columns means t's primary key
    while ((rc = sqlite3_step(fks.get())) == SQLITE_ROW) {
      int id = sqlite3_column_int(fks.get(), 0);
      if (id != last_id) {
        table.foreign_keys.emplace_back();
        table.foreign_keys.back().referenced_table = ColumnString(fks.get(), 1);
        table.foreign_keys.back().on_delete = OnDeleteFromSql(ColumnString(fks.get(), 4));
        last_id = id;
      }
      ForeignKey& fk = table.foreign_keys.back();
      fk.columns.push_back(ColumnString(fks.get(), 2));
      if (sqlite3_column_type(fks.get(), 3) == SQLITE_NULL) {
        unresolved = true;
      } else {
        fk.referenced_columns.push_back(ColumnString(fks.get(), 3));
      }
    }
    if (rc != SQLITE_DONE) return SqliteError(*db_, rc, doing);
    if (unresolved) {
      for (ForeignKey& fk : table.foreign_keys) {
        if (!fk.referenced_columns.empty() || fk.referenced_table == name) {
          if (fk.referenced_columns.empty()) fk.referenced_columns = table.primary_key;
          continue;
        }
        Result<Table> parent = DescribeShape(fk.referenced_table);
        if (parent.ok()) fk.referenced_columns = parent->primary_key;
      }
    }
    return table;
  }

  std::shared_ptr<Db> db_;
  bool read_only_;
  std::map<std::string, std::string> unusable_;  // virtual tables that cannot be opened, and why
  std::vector<std::string> notices_;
  std::vector<std::pair<std::string, ForeignKey>> declared_;
};

// BEGIN IMMEDIATE takes the write lock at once, so what the transaction
// counts and selects is what it changes: no other writer can step in.
class SqliteTransaction : public Transaction {
 public:
  SqliteTransaction(SqliteSource* source, const WriteOptions& options) : source_(source), options_(options) {}
  ~SqliteTransaction() override {
    if (!finished_) sqlite3_exec(db().handle, "ROLLBACK", nullptr, nullptr, nullptr);
    RestoreForeignKeys();
  }

  Result<int64_t> Count(const std::string& table, const std::optional<Predicate>& where) override {
    Result<SqlTarget> target = source_->Target(table, &described_.tables());
    if (!target.ok()) return target.status();
    Result<SqlText> text = RenderCount(*target, where, kDialect);
    if (!text.ok()) return text.status();
    return QueryInt(db(), *text, "counting rows of " + table);
  }

  Result<std::unique_ptr<RowReader>> Read(const std::string& table, const ReadRequest& request) override {
    return source_->Read(table, request);  // the same connection: it sees this transaction's writes
  }

  Result<int64_t> Execute(const WriteOp& op, const ReturnRows* returning) override {
    if (finished_) return Status::Error("the transaction has ended", StatusCode::kInternal);
    Result<int64_t> n = ExecuteOne(op, returning);
    if (!n.ok()) failed_ = true;
    return n;
  }

  Status Commit() override {
    if (finished_) return Status::Error("the transaction has ended", StatusCode::kInternal);
    if (failed_) {
      Rollback();
      return Status::Error(db().path + ": not committed because an operation failed; nothing was changed");
    }
    if (options_.dry_run) return Rollback();
    Status fault = util::InjectedFault(util::FaultPoint::kCommit, db().path);
    Status commit = fault.ok() ? Exec(db(), "COMMIT", "committing") : fault;
    if (!commit.ok()) {
      Rollback();
      return commit.WithContext("nothing was changed");
    }
    finished_ = true;
    RestoreForeignKeys();
    return Status::Ok();
  }

  Status Rollback() override {
    if (finished_) return Status::Ok();
    finished_ = true;
    int rc = sqlite3_exec(db().handle, "ROLLBACK", nullptr, nullptr, nullptr);
    RestoreForeignKeys();
    if (rc != SQLITE_OK) return SqliteError(db(), rc, "rolling back");
    return Status::Ok();
  }

  // SQLite checks a foreign key by scanning the child table once per deleted
  // parent row when the child column has no index: 15,000 candidates against
  // 100,000 unindexed child rows took minutes. dpo checks references itself,
  // set-based, before every delete (write_guard.h) and refuses updates that
  // could break one, so SQLite's own enforcement is switched off for the
  // transaction (the pragma only takes effect outside a transaction) and
  // switched back on when it ends.
  //
  // The page cache grows to 16 MiB for writing (SQLite's default is 2 MiB):
  // a transaction that changes more pages than the cache holds spills them
  // into the file, syncing the journal each time; a million-row delete took
  // 1.6x as long with the default.
  Status Start() {
    DPO_RETURN_IF_ERROR(Exec(db(), "PRAGMA cache_size = -16384", "starting a transaction"));
    DPO_RETURN_IF_ERROR(Exec(db(), "PRAGMA foreign_keys = OFF", "starting a transaction"));
    Status begun = Exec(db(), "BEGIN IMMEDIATE", "starting a transaction");
    if (!begun.ok()) RestoreForeignKeys();
    return begun;
  }

 private:
  const Db& db() const { return *source_->db(); }
  void RestoreForeignKeys() { sqlite3_exec(db().handle, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr); }

  Status CheckUpdateKeepsReferences(const WriteOp& op, const Table& table) {
    Result<std::vector<Reference>> refs = References(op.table);
    if (!refs.ok()) return refs.status();
    return source::CheckUpdateKeepsReferences(op, table, *refs);
  }

  Result<int64_t> ExecuteOne(const WriteOp& op, const ReturnRows* returning) {
    Result<SqlTarget> target = source_->Target(op.table, &described_.tables());
    if (!target.ok()) return target.status();
    std::string doing = std::string(op.kind == WriteOp::Kind::kDelete ? "deleting from " : "updating ") + op.table;
    if (op.kind == WriteOp::Kind::kDelete) {
      Result<std::vector<Reference>> refs = References(op.table);
      if (!refs.ok()) return refs.status();
      DPO_RETURN_IF_ERROR(CheckNoOrphans(op.table, op.where, *refs,
                                         [this](const std::string& t, const Predicate& p) { return Count(t, p); }));
    }
    if (op.kind == WriteOp::Kind::kUpdate) {
      DPO_RETURN_IF_ERROR(CheckComputedAssignments(op));
      DPO_RETURN_IF_ERROR(CheckUpdateKeepsReferences(op, *target->table));
    }
    int64_t returned = -1;
    if (returning != nullptr) {
      for (const std::string& r : returning->columns) {
        bool written = false;
        for (const auto& [column, value] : op.assignments) written |= r == column;
        for (const WriteOp::ComputedAssignment& c : op.computed) written |= r == c.column;
        if (written)
          return Status::Error("update of " + op.table + "." + r + " cannot also return it; return the key columns",
                               StatusCode::kInternal);
      }
      // SQLite's RETURNING collects every row in memory before the first one
      // is returned; a select in the same (write-locked) transaction streams
      // the same rows.
      Result<int64_t> n = StreamRows(op, *target, *returning);
      if (!n.ok()) return n.status();
      returned = *n;
    }
    // Computed values: one application-defined function per computed
    // column, called by the one UPDATE on each row it changes.
    ComputedFunctions functions(db().handle);
    std::vector<std::string> function_names;
    if (op.kind == WriteOp::Kind::kUpdate) {
      for (const WriteOp::ComputedAssignment& c : op.computed) {
        std::string name;
        int rc = functions.Add(c.fn, &name);
        if (rc != SQLITE_OK) return SqliteError(db(), rc, "registering the function of " + op.table + "." + c.column);
        function_names.push_back(std::move(name));
      }
    }
    Result<SqlText> text = RenderWriteOp(op, *target, kDialect, {}, function_names);
    if (!text.ok()) return text.status();
    Statement stmt;
    DPO_RETURN_IF_ERROR(stmt.Prepare(db(), text->sql, doing));
    DPO_RETURN_IF_ERROR(stmt.Bind(db(), text->params, doing));
    DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kWrite, db().path));
    int rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_DONE) return SqliteError(db(), sqlite3_extended_errcode(db().handle), doing);
    int64_t changed = static_cast<int64_t>(sqlite3_changes64(db().handle));
    if (returned >= 0 && returned != changed)
      return Status::Error(db().path + ": " + doing + " changed " + std::to_string(changed) + " rows but selected " +
                           std::to_string(returned), StatusCode::kInternal);
    return changed;
  }

  Result<int64_t> StreamRows(const WriteOp& op, const SqlTarget& target, const ReturnRows& returning) {
    std::vector<std::string> names;
    Result<std::string> list = RenderSelectList(returning.columns, *target.table, kDialect, &names);
    if (!list.ok()) return list.status();
    SqlText text;
    text.sql = "SELECT " + *list + " FROM " + target.sql_name + " WHERE ";
    DPO_RETURN_IF_ERROR(RenderPredicate(op.where, target, kDialect, &text));
    const std::string doing = "selecting the rows to change in " + op.table;
    Statement stmt;
    DPO_RETURN_IF_ERROR(stmt.Prepare(db(), text.sql, doing));
    DPO_RETURN_IF_ERROR(stmt.Bind(db(), text.params, doing));
    std::vector<std::optional<std::string>> values(names.size());
    int64_t rows = 0;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      for (size_t i = 0; i < names.size(); ++i) {
        int type = sqlite3_column_type(stmt.get(), static_cast<int>(i));
        if (type == SQLITE_NULL) {
          values[i].reset();
        } else if (type == SQLITE_BLOB) {
          std::string hex;
          AppendHex(static_cast<const unsigned char*>(sqlite3_column_blob(stmt.get(), static_cast<int>(i))),
                    sqlite3_column_bytes(stmt.get(), static_cast<int>(i)), &hex);
          values[i] = std::move(hex);
        } else {
          values[i] = ColumnString(stmt.get(), static_cast<int>(i));
        }
      }
      DPO_RETURN_IF_ERROR(returning.row(values));
      ++rows;
    }
    if (rc != SQLITE_DONE) return SqliteError(db(), rc, doing);
    return rows;
  }

  Result<std::vector<Reference>> References(const std::string& table) {
    return described_.References(
        table, *source_,
        [this](const std::string& name) { return source_->Target(name, &described_.tables()).status(); },
        source_->declared());
  }

  SqliteSource* source_;
  WriteOptions options_;
  DescribedTables described_;
  bool finished_ = false;
  bool failed_ = false;
};

Result<std::unique_ptr<Transaction>> SqliteSource::Begin(const WriteOptions& options) {
  if (read_only_) return ReadOnlyRefusal(db_->path, options);
  auto tx = std::make_unique<SqliteTransaction>(this, options);
  DPO_RETURN_IF_ERROR(tx->Start());
  return std::unique_ptr<Transaction>(std::move(tx));
}

}  // namespace

Result<std::string> SqliteReadOnlyUri(const std::string& path) {
  // An absolute path gets an empty authority, so "//srv/x.db" stays a path.
  std::string uri = !path.empty() && path[0] == '/' ? "file://" : "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      uri += buf;
    } else {
      uri += c;
    }
  }
  uri += "?mode=ro";
  // Bytes 18 and 19 of the header are 2 in WAL mode. Reading a WAL database
  // needs its -wal and -shm files: SQLite creates them beside the file when
  // they are missing (and cannot in a read-only directory, "unable to open").
  unsigned char header[20] = {};
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    size_t n = std::fread(header, 1, sizeof header, f);
    std::fclose(f);
    if (n < sizeof header) return uri;
  }
  if (header[18] != 2 && header[19] != 2) return uri;
  struct stat wal, shm;
  const bool has_wal = ::stat((path + "-wal").c_str(), &wal) == 0;
  const bool has_shm = ::stat((path + "-shm").c_str(), &shm) == 0;
  // Both there: a program has it open (or left it so); read through them,
  // which sees its committed changes and creates nothing.
  if (has_wal && has_shm) return uri;
  // Committed changes in a -wal with no -shm to index them: only a writer
  // may rebuild the index, and reading past them would give old data.
  if (has_wal && wal.st_size > 0)
    return Status::Error(path + ": has changes in " + path +
                             "-wal that are not yet in the database and no -shm index to read them through; "
                             "open it once with sqlite3 where you may write (or work on a copy of both files)",
                         StatusCode::kIoError);
  // No live WAL: no program has it open and every change is in the file.
  // immutable=1 reads it as it is, without locks, -wal or -shm (as CPython's
  // and Firefox's read-only openers do). The cost: a writer that opens it
  // while dpo reads is not seen, and SQLite would not notice it writing:
  // each table read checks that the file is still the one opened.
  return uri + "&immutable=1";
}

Result<std::unique_ptr<Source>> OpenSqliteSource(const std::string& path, const OpenOptions& options,
                                                 int busy_timeout_ms) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::Error("no such file: " + path + "; check the path of the SQLite file", StatusCode::kNotFound);
  if (S_ISDIR(st.st_mode))
    return Status::Error(path + " is a directory, not a SQLite file; for a directory of CSV files use csv:" + path);
  // A FIFO would block SQLite's open() until a writer comes: refused by stat.
  if (!S_ISREG(st.st_mode))
    return Status::Error(path + ": is not a regular file (a FIFO, socket or device); "
                         "save the database to a regular file first and pass that");
  // SQLite reads a file shorter than its smallest page (512 bytes) as an
  // empty database, so a truncated file would scan as "nothing found".
  if (st.st_size > 0 && st.st_size < 512)
    return Status::Error(path + ": file is not a SQLite database (" + std::to_string(st.st_size) +
                         " bytes, less than one page: truncated?); check the path, or restore it from a backup");
  auto db = std::make_shared<Db>();
  db->path = path;
  db->busy_timeout_ms = busy_timeout_ms;
  int rc;
  if (options.read_only) {
    // Read-only commands create nothing beside the source (see SqliteReadOnlyUri).
    Result<std::string> uri = SqliteReadOnlyUri(path);
    if (!uri.ok()) return uri.status();
    rc = sqlite3_open_v2(uri->c_str(), &db->handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
                         nullptr);
    db->immutable = uri->find("&immutable=1") != std::string::npos;
    db->opened = st;
  } else {
    rc = sqlite3_open_v2(path.c_str(), &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  }
  if (rc != SQLITE_OK) return SqliteError(*db, rc, "opening");
  sqlite3_extended_result_codes(db->handle, 1);
  sqlite3_busy_timeout(db->handle, busy_timeout_ms);
  // Opening is lazy in SQLite: read the schema now so that "not a database",
  // "locked" and "corrupt" are reported here, once, naming the file.
  DPO_RETURN_IF_ERROR(Exec(*db, "SELECT count(*) FROM sqlite_master", "reading the schema"));
  if (options.read_only) {
    DPO_RETURN_IF_ERROR(Exec(*db, "PRAGMA query_only = 1", "opening read-only"));
  } else {
    DPO_RETURN_IF_ERROR(Exec(*db, "PRAGMA foreign_keys = ON", "enabling foreign keys"));
  }
  rc = sqlite3_create_function_v2(db->handle, "dpo_sample_key", -1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                  SampleKey, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(*db, rc, "registering the sampling function");
  auto source = std::make_unique<SqliteSource>(std::move(db), options.read_only);
  DPO_RETURN_IF_ERROR(source->Survey());
  return std::unique_ptr<Source>(std::move(source));
}

sqlite3* SqliteHandleForTesting(Source* source) {
  auto* s = dynamic_cast<SqliteSource*>(source);
  return s ? s->handle() : nullptr;
}

}  // namespace dpo::source
