// The SQLite sink: a new database written as DEST.partial-XXXXXX beside DEST
// and renamed onto it in Finish().
//
// Speed: the file is nobody's until the rename, so the load runs without a
// journal and without syncs (journal_mode=OFF, synchronous=OFF, an exclusive
// lock) in one transaction, through one prepared INSERT per table with every
// cell bound in place (no copies). A crash mid-load leaves only the .partial
// name; durability is bought once, by the fsync before the rename.
#include <sqlite3.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anonymise/sink_internal.h"
#include "source/sqlite/sqlite_source.h"
#include "util/fault.h"

namespace dpo::anonymise::internal {
namespace {

const char* SqliteType(source::TypeClass type) {
  switch (type) {
    case source::TypeClass::kText: return "TEXT";
    case source::TypeClass::kInteger: return "INTEGER";
    case source::TypeClass::kReal: return "REAL";
    // BOOLEAN, DATE and TIMESTAMP have NUMERIC affinity: booleans are stored
    // as the integers 1/0 and ISO dates stay text (they are not numbers), as
    // with INTEGER and TEXT; the names keep the types for readers (dpo's
    // own among them) that classify columns by their declared type.
    case source::TypeClass::kBoolean: return "BOOLEAN";
    case source::TypeClass::kDate: return "DATE";
    case source::TypeClass::kTimestamp: return "TIMESTAMP";
    case source::TypeClass::kBlob: return "BLOB";
    case source::TypeClass::kUnknown: return "";  // no declared type: every value keeps its own storage class
  }
  return "";
}

bool SideFileExists(const std::string& path, const char* suffix) {
  struct stat st;
  return ::lstat((path + suffix).c_str(), &st) == 0;
}

// A -wal or -journal file beside DEST belongs to the database now there: it
// would be replayed onto the new file at its first open and corrupt it.
Status CheckSideFiles(const std::string& path) {
  for (const char* suffix : {"-wal", "-journal"})
    if (SideFileExists(path, suffix))
      return Status::Error(path + suffix + " exists: a program may have " + path +
                           " open, or it was not closed cleanly; close it (or remove " + path + " and its " + suffix +
                           " file) and retry", StatusCode::kBusy);
  return Status::Ok();
}

Status CheckDestination(const std::string& path, bool overwrite) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!overwrite)
      return Status::Error(path + " already exists; pass --force to replace it, or choose another destination");
    if (!S_ISREG(st.st_mode))
      return Status::Error(path + " exists and is not a regular file; a SQLite export replaces only a file");
  } else if (errno != ENOENT) {
    return Errno("cannot check", path);
  } else {
    struct stat lst;
    if (::lstat(path.c_str(), &lst) == 0)
      return Status::Error(path + " is a symbolic link to nothing; remove it or choose another destination");
  }
  return CheckSideFiles(path);
}

class SqliteSink final : public SinkBase {
 public:
  SinkKind kind() const override { return SinkKind::kSqlite; }
  SqliteSink(std::string path, bool overwrite) : SinkBase(path), path_(std::move(path)), overwrite_(overwrite) {}
  ~SqliteSink() override { Abandon(); }

  Status Open() {
    std::string tmpl = path_ + ".partial-XXXXXX";
    // mkstemp creates the file 0600 whatever the umask: personal data is
    // never readable by others, not even while being written.
    fd_ = ::mkstemp(tmpl.data());
    if (fd_ < 0) return Errno("cannot create a file next to", path_);
    partial_ = tmpl;
    int rc = sqlite3_open_v2(partial_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "opening the new database");
    sqlite3_extended_result_codes(db_, 1);
    DPO_RETURN_IF_ERROR(Exec(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; "
        "PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -131072; BEGIN",
        "preparing the new database"));
    return Status::Ok();
  }

 private:
  struct Insert {
    sqlite3_stmt* stmt = nullptr;
    std::vector<source::TypeClass> types;
  };

  Status Error(int rc, const std::string& doing) const {
    const char* msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    int primary = rc & 0xff;
    StatusCode code = StatusCode::kIoError;
    if (primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH) code = StatusCode::kConflict;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) code = StatusCode::kBusy;
    if (primary == SQLITE_ERROR) code = StatusCode::kInvalidArgument;
    // SQLite's messages name tables and columns ("UNIQUE constraint failed:
    // t.email"), never values.
    return Status::Error(display_ + ": " + doing + " failed: " + msg, code);
  }

  Status Exec(const std::string& sql, const std::string& doing) {
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : Error(rc, doing);
  }

  Status DoCreateTable(const TableEntry& entry) override {
    const SinkTable& t = entry.table;
    std::string sql = "CREATE TABLE " + QuoteIdent(entry.out_name) + " (";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const SinkColumn& c = t.columns[i];
      if (i) sql += ", ";
      sql += QuoteIdent(c.name);
      std::string type = !c.declared_type.empty() && SafeDeclaredType(c.declared_type) ? c.declared_type
                                                                                       : SqliteType(c.type);
      if (!type.empty()) sql += " " + type;
      if (!c.nullable) sql += " NOT NULL";
    }
    if (!t.primary_key.empty()) sql += ", PRIMARY KEY " + ColumnList(t.primary_key);
    for (const auto& unique : t.unique) sql += ", UNIQUE " + ColumnList(unique);
    // Output names equal source names here, so references need no mapping.
    for (const source::ForeignKey& fk : t.foreign_keys) {
      sql += ", FOREIGN KEY " + ColumnList(fk.columns) + " REFERENCES " + QuoteIdent(fk.referenced_table);
      if (!fk.referenced_columns.empty()) sql += " " + ColumnList(fk.referenced_columns);
      sql += OnDeleteClause(fk.on_delete);
    }
    sql += ")";
    const std::string doing = "creating table " + t.name;
    DPO_RETURN_IF_ERROR(Exec(sql, doing));

    std::string insert = "INSERT INTO " + QuoteIdent(entry.out_name) + " VALUES (";
    for (size_t i = 0; i < t.columns.size(); ++i) insert += i ? ", ?" : "?";
    insert += ")";
    Insert ins;
    int rc = sqlite3_prepare_v3(db_, insert.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &ins.stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, doing);
    for (const SinkColumn& c : t.columns) ins.types.push_back(c.type);
    inserts_[t.name] = std::move(ins);
    return Status::Ok();
  }

  // Binds one cell so that its storage class is that of the column's type.
  // A cell that is not in the type's text form (a CSV source whose type was
  // inferred from its first rows) is kept as text, as SQLite itself would
  // keep it: the export never loses a value.
  static int Bind(sqlite3_stmt* stmt, int index, source::TypeClass type, std::string_view cell) {
    switch (type) {
      case source::TypeClass::kInteger: {
        int64_t v;
        auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
        if (ec == std::errc() && end == cell.data() + cell.size()) return sqlite3_bind_int64(stmt, index, v);
        break;
      }
      case source::TypeClass::kReal: {
        double v;
        auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
        // NaN is stored by SQLite as NULL: keep it as text instead.
        if (ec == std::errc() && end == cell.data() + cell.size() && !std::isnan(v))
          return sqlite3_bind_double(stmt, index, v);
        break;
      }
      case source::TypeClass::kBoolean: {
        std::optional<bool> b = ParseBoolean(cell);
        if (b) return sqlite3_bind_int(stmt, index, *b ? 1 : 0);
        break;
      }
      case source::TypeClass::kBlob: {
        std::optional<std::string> bytes = DecodeHexBlob(cell);
        if (bytes) return sqlite3_bind_blob64(stmt, index, bytes->data(), bytes->size(), SQLITE_TRANSIENT);
        break;
      }
      default:
        break;
    }
    // The batch outlives the step: no copy.
    return sqlite3_bind_text64(stmt, index, cell.data(), cell.size(), SQLITE_STATIC, SQLITE_UTF8);
  }

  Status DoWriteRows(const TableEntry& entry, const source::RowBatch& rows) override {
    Insert& ins = inserts_[entry.table.name];
    sqlite3_stmt* stmt = ins.stmt;
    const size_t columns = rows.num_columns();
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      for (size_t c = 0; c < columns; ++c) {
        int index = static_cast<int>(c) + 1;
        int rc = rows.IsNull(r, c) ? sqlite3_bind_null(stmt, index) : Bind(stmt, index, ins.types[c], rows.Cell(r, c));
        if (rc != SQLITE_OK) return Error(rc, "writing table " + entry.table.name);
      }
      int rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE)
        return Error(rc, "writing row " + std::to_string(rows.RowNumber(r)) + " of table " + entry.table.name);
    }
    return Status::Ok();
  }

  bool CanCopyFromSqlite() const override { return true; }

  // What the SQL function dpo_op(i, value) needs: the columns' transforms.
  struct CopyState {
    const std::vector<CopyColumn>* columns = nullptr;
    const std::function<bool()>* cancelled = nullptr;
  };

  static void OpFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
    auto* state = static_cast<CopyState*>(sqlite3_user_data(ctx));
    int i = sqlite3_value_int(argv[0]);
    const CopyColumn& col = (*state->columns)[static_cast<size_t>(i)];
    std::optional<std::string> in;
    if (sqlite3_value_type(argv[1]) != SQLITE_NULL) {
      const unsigned char* text = sqlite3_value_text(argv[1]);
      in = std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_value_bytes(argv[1])));
    }
    std::optional<std::string> out = col.transform(in);
    if (!out) return sqlite3_result_null(ctx);
    const std::string& v = *out;
    switch (col.type) {
      case source::TypeClass::kInteger: {
        int64_t n;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec == std::errc() && end == v.data() + v.size()) return sqlite3_result_int64(ctx, n);
        break;
      }
      case source::TypeClass::kReal: {
        double d;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
        if (ec == std::errc() && end == v.data() + v.size() && !std::isnan(d)) return sqlite3_result_double(ctx, d);
        break;
      }
      case source::TypeClass::kBoolean:
        if (std::optional<bool> b = ParseBoolean(v)) return sqlite3_result_int(ctx, *b ? 1 : 0);
        break;
      default:
        break;
    }
    sqlite3_result_text64(ctx, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }

  static int Progress(void* arg) {
    auto* state = static_cast<CopyState*>(arg);
    return *state->cancelled && (*state->cancelled)() ? 1 : 0;
  }


  Result<int64_t> DoCopyFromSqlite(const std::string& source_path, const TableEntry& entry,
                                   const std::vector<CopyColumn>& columns,
                                   const std::function<bool()>& cancelled) override {
    const std::string doing = "copying table " + entry.table.name;
    // Read-only, and for a WAL source without creating -wal/-shm beside it.
    Result<std::string> uri = source::SqliteReadOnlyUri(source_path);
    if (!uri.ok()) return uri.status();
    // ATTACH is not allowed inside a transaction. The file is a .partial
    // nobody reads and the journal is off: the transaction only batches writes.
    DPO_RETURN_IF_ERROR(Exec("COMMIT", doing));
    sqlite3_stmt* attach = nullptr;
    int rc = sqlite3_prepare_v2(db_, "ATTACH DATABASE ?1 AS dpo_source", -1, &attach, nullptr);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(attach, 1, uri->c_str(), -1, SQLITE_TRANSIENT);
      rc = sqlite3_step(attach);
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(attach);
    if (rc != SQLITE_OK) return Error(rc, doing + " (opening the source read-only)");
    CopyState state{&columns, &cancelled};
    rc = sqlite3_create_function_v2(db_, "dpo_op", 2, SQLITE_UTF8, &state, &OpFunction, nullptr, nullptr, nullptr);
    std::string sql = "INSERT INTO main." + QuoteIdent(entry.out_name) + " SELECT ";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) sql += ", ";
      const std::string col = QuoteIdent(columns[i].source_column);
      sql += columns[i].transform ? "dpo_op(" + std::to_string(i) + ", " + col + ")" : col;
    }
    sql += " FROM dpo_source." + QuoteIdent(entry.table.name);
    int64_t copied = 0;
    Status result = Status::Ok();
    if (rc != SQLITE_OK) {
      result = Error(rc, doing);
    } else {
      sqlite3_progress_handler(db_, 4096, &Progress, &state);
      result = Exec("BEGIN", doing);
      if (result.ok()) result = Exec(sql, doing);
      sqlite3_progress_handler(db_, 0, nullptr, nullptr);
      if (result.ok()) {
        copied = sqlite3_changes64(db_);
        result = Exec("COMMIT", doing);
      } else {
        Exec("ROLLBACK", doing);
        if (cancelled && cancelled()) result = Status::Error("interrupted");
      }
    }
    sqlite3_create_function_v2(db_, "dpo_op", 2, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr, nullptr);
    Status detached = Exec("DETACH DATABASE dpo_source", doing);
    Status begun = Exec("BEGIN", doing);
    if (!result.ok()) return result;
    if (!detached.ok()) return detached;
    if (!begun.ok()) return begun;
    return copied;
  }

  // The first foreign key that does not resolve, as a message; Ok if all do.
  Status CheckForeignKeys() {
    sqlite3_stmt* check = nullptr;
    int rc = sqlite3_prepare_v2(db_, "PRAGMA foreign_key_check", -1, &check, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "checking the foreign keys");
    std::string table;
    int fkid = -1;
    int64_t count = 0;
    while ((rc = sqlite3_step(check)) == SQLITE_ROW) {
      std::string t = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
      int id = sqlite3_column_int(check, 3);
      if (count == 0) {
        table = t;
        fkid = id;
      }
      if (t == table && id == fkid) ++count;
    }
    sqlite3_finalize(check);
    if (rc != SQLITE_DONE) return Error(rc, "checking the foreign keys");
    if (count == 0) return Status::Ok();

    // Which relation fkid is: PRAGMA foreign_key_list numbers them its own way.
    std::string referenced;
    std::vector<std::string> from;
    sqlite3_stmt* list = nullptr;
    const char* sql = "SELECT \"table\", \"from\" FROM pragma_foreign_key_list(?1) WHERE id = ?2 ORDER BY seq";
    if (sqlite3_prepare_v2(db_, sql, -1, &list, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(list, 1, table.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int(list, 2, fkid);
      while (sqlite3_step(list) == SQLITE_ROW) {
        referenced = reinterpret_cast<const char*>(sqlite3_column_text(list, 0));
        from.push_back(reinterpret_cast<const char*>(sqlite3_column_text(list, 1)));
      }
      sqlite3_finalize(list);
    }
    std::string relation = table;
    if (const TableEntry* entry = FindTable(table)) {
      for (const source::ForeignKey& fk : entry->table.foreign_keys)
        if (fk.columns == from && fk.referenced_table == referenced) relation = RelationText(*entry, fk);
    }
    return Status::Error(display_ + ": table " + relation + " does not resolve: " + std::to_string(count) +
                         (count == 1 ? " row refers" : " rows refer") + " to a row that is not in " + referenced +
                         "; nothing was written (every row is copied, so the source has such rows itself: SQLite does not check foreign keys unless told to; find them with PRAGMA foreign_key_check on the source, or declare the column null or drop in anonymise.columns)", StatusCode::kConflict);
  }

  Status DoFinish() override {
    DPO_RETURN_IF_ERROR(CheckReferences());
    DPO_RETURN_IF_ERROR(CheckForeignKeys());
    DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kCommit, partial_));
    DPO_RETURN_IF_ERROR(Exec("COMMIT", "committing"));
    FinalizeAll();
    int rc = sqlite3_close(db_);
    db_ = nullptr;
    if (rc != SQLITE_OK)
      return Status::Error(display_ + ": closing the new database failed: " + sqlite3_errstr(rc), StatusCode::kIoError);
    DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kFsync, partial_));
    if (::fsync(fd_) != 0) return Errno("cannot make durable (fsync)", partial_);
    ::close(fd_);
    fd_ = -1;
    DPO_RETURN_IF_ERROR(CheckSideFiles(path_));
    if (overwrite_) {
      struct stat st;
      if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return Status::Error(path_ + " is no longer a regular file; nothing was written");
      DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kRename, path_));
      // rename() replaces the old file in one step: readers see the old
      // database or the new one, never neither.
      if (::rename(partial_.c_str(), path_.c_str()) != 0) return Errno("cannot rename into", path_);
    } else {
      DPO_RETURN_IF_ERROR(RenameNoReplace(partial_, path_));
    }
    partial_.clear();
    SyncDirBestEffort(ParentDir(path_));
    return Status::Ok();
  }

  void FinalizeAll() {
    for (auto& [name, ins] : inserts_) sqlite3_finalize(ins.stmt);
    inserts_.clear();
  }

  void DoAbandon() override {
    FinalizeAll();
    if (db_ != nullptr) sqlite3_close(db_);
    db_ = nullptr;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!partial_.empty()) {
      ::unlink(partial_.c_str());
      ::unlink((partial_ + "-journal").c_str());
    }
    partial_.clear();
  }

  const std::string path_;
  const bool overwrite_;
  std::string partial_;
  int fd_ = -1;
  sqlite3* db_ = nullptr;
  std::map<std::string, Insert> inserts_;
};

}  // namespace

Result<std::unique_ptr<Sink>> OpenSqliteSink(const std::string& path, const SinkOptions& options) {
  DPO_RETURN_IF_ERROR(CheckDestination(path, options.overwrite));
  auto sink = std::make_unique<SqliteSink>(path, options.overwrite);
  Status opened = sink->Open();
  if (!opened.ok()) {
    sink->Abandon();
    return opened;
  }
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace dpo::anonymise::internal
