#include "source/postgres/postgres_source.h"

#include <libpq-fe.h>

#include <algorithm>
#include <map>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "source/conninfo.h"
#include "source/sql_dialect.h"
#include "source/write_guard.h"
#include "util/fault.h"

namespace dpo::source {

namespace {

constexpr SqlDialect kDialect = SqlDialect::kPostgres;
constexpr int64_t kExactCountMaxBytes = 64LL << 20;

// Tables dpo sees: ordinary and partitioned tables outside the system schemas.
constexpr const char* kUserTables =
    "c.relkind IN ('r', 'p') AND NOT c.relispartition "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
constexpr const char* kPolicyName =
    "CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END";

// Text from libpq or the server that holds a password is withheld whole,
// never masked inside: a mask still shows where the password was, and a
// short password ("b") would garble unrelated words ("for***idden").
constexpr const char* kWithheldServerMessage = "the server's message was withheld because it contained the password";
constexpr const char* kWithheldLibpqMessage =
    "libpq's message withheld because it contained the password; check the host, port, database and user";

std::string FirstLine(std::string text) {
  size_t nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

bool Contains(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

struct Conn {
  PGconn* pg = nullptr;
  std::string display;
  std::vector<std::string> secrets;  // passwords (as written and as used) that must never be echoed
  int open_readers = 0;
  int next_cursor = 0;
  bool in_write_transaction = false;  // readers then run inside it and must not BEGIN/COMMIT
  ~Conn() {
    if (pg != nullptr) PQfinish(pg);
  }
};

struct PgResult {
  PGresult* r = nullptr;
  explicit PgResult(PGresult* result) : r(result) {}
  PgResult(PgResult&& o) noexcept : r(o.r) { o.r = nullptr; }
  PgResult(const PgResult&) = delete;
  ~PgResult() {
    if (r != nullptr) PQclear(r);
  }
  int rows() const { return PQntuples(r); }
  std::string Get(int row, int col) const { return std::string(PQgetvalue(r, row, col), PQgetlength(r, row, col)); }
  bool IsNull(int row, int col) const { return PQgetisnull(r, row, col) != 0; }
};

// A one-line error for a failed statement. Only the primary message is used:
// DETAIL lines carry row values ("Key (email)=(...) already exists"), and
// data exceptions ("invalid input syntax for type integer: "...") are cut
// before the offending value.
Status QueryError(const Conn& conn, const PGresult* result, const std::string& doing) {
  if (PQstatus(conn.pg) != CONNECTION_OK)
    return Status::Error("lost the connection to " + conn.display + " while " + doing +
                         "; check that the server is up and retry", StatusCode::kIoError);
  std::string message;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  message = primary ? primary : FirstLine(PQerrorMessage(conn.pg));
  if (state != nullptr && std::strncmp(state, "22", 2) == 0) {
    size_t colon = message.find(':');
    if (colon != std::string::npos) message.resize(colon);
  }
  std::string hint;
  if (state != nullptr && std::strcmp(state, "25006") == 0) hint = "; the source was opened read-only";
  if (state != nullptr && std::strcmp(state, "42P01") == 0)
    hint = " (was the table dropped while dpo ran?); run 'dpo inspect' to list the tables";
  if (state != nullptr && std::strcmp(state, "42501") == 0) hint = "; grant the connecting role the privilege or use another role";
  StatusCode code = StatusCode::kIoError;
  if (state != nullptr) {
    std::string st(state);
    if (st == "40001" || st == "40P01" || st.rfind("23", 0) == 0) {
      code = StatusCode::kConflict;
      if (st == "40001" || st == "40P01") hint = "; another session changed the same rows; nothing was changed, run again";
    } else if (st == "55P03") {
      code = StatusCode::kBusy;
    } else if (st == "42P01") {
      code = StatusCode::kNotFound;
    } else if (st.rfind("42", 0) == 0 && st != "42501") {
      code = StatusCode::kInternal;  // a syntax or name error in SQL dpo wrote
    }
  }
  if (ContainsSecret(message, conn.secrets)) message = kWithheldServerMessage;
  return Status::Error(conn.display + ": " + doing + " failed: " + message + hint, code);
}

Result<PgResult> Query(Conn& conn, const std::string& sql, const std::vector<std::optional<std::string>>& params,
                       const std::string& doing) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResult result(PQexecParams(conn.pg, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0));
  ExecStatusType status = result.r ? PQresultStatus(result.r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return QueryError(conn, result.r, doing);
  return result;
}

Status Exec(Conn& conn, const std::string& sql, const std::string& doing) {
  Result<PgResult> r = Query(conn, sql, {}, doing);
  return r.ok() ? Status::Ok() : r.status();
}

TypeClass TypeFromCatalog(const std::string& name, const std::string& category) {
  if (name == "int2" || name == "int4" || name == "int8" || name == "oid") return TypeClass::kInteger;
  if (name == "float4" || name == "float8" || name == "numeric" || name == "money") return TypeClass::kReal;
  if (name == "bool") return TypeClass::kBoolean;
  if (name == "date") return TypeClass::kDate;
  if (name == "timestamp" || name == "timestamptz") return TypeClass::kTimestamp;
  if (name == "bytea") return TypeClass::kBlob;
  if (category == "S" || category == "E" || name == "uuid" || name == "json" || name == "jsonb" ||
      name == "xml" || name == "inet" || name == "cidr" || name == "macaddr")
    return TypeClass::kText;
  return TypeClass::kUnknown;
}

struct TableRef {
  std::string oid;
  std::string sql_name;  // "schema"."table"
};

class PostgresReader : public RowReader {
 public:
  PostgresReader(std::shared_ptr<Conn> conn, std::string cursor, std::vector<std::string> names,
                 std::vector<TypeClass> types, size_t batch_rows, std::string table)
      : conn_(std::move(conn)), cursor_(std::move(cursor)), names_(std::move(names)), types_(std::move(types)),
        batch_rows_(batch_rows == 0 ? 4096 : batch_rows), table_(std::move(table)) {}
  ~PostgresReader() override { Finish(); }

  const std::vector<std::string>& column_names() const override { return names_; }
  std::vector<TypeClass> column_types() const override { return types_; }

  Result<bool> Next(RowBatch* batch) override {
    batch->Reset(names_.size());
    if (done_) return false;
    Result<PgResult> r = Query(*conn_, "FETCH FORWARD " + std::to_string(batch_rows_) + " FROM " + cursor_, {},
                               "reading table " + table_ + " after row " + std::to_string(stats_.rows_read));
    if (!r.ok()) {
      Finish();
      return r.status();
    }
    const int rows = r->rows();
    const int columns = static_cast<int>(names_.size());
    for (int row = 0; row < rows; ++row) {
      for (int col = 0; col < columns; ++col) {
        if (r->IsNull(row, col)) {
          batch->AddNull();
        } else {
          int length = PQgetlength(r->r, row, col);
          batch->AddCell(std::string_view(PQgetvalue(r->r, row, col), length));
          stats_.bytes_read += length;
        }
      }
      batch->EndRow(++stats_.rows_read);
    }
    if (static_cast<size_t>(rows) < batch_rows_) Finish();
    return rows > 0;
  }

  ReadStats stats() const override { return stats_; }

 private:
  // Closes the cursor; the last reader ends the shared read transaction.
  void Finish() {
    if (done_) return;
    done_ = true;
    if (PQstatus(conn_->pg) != CONNECTION_OK) return;
    PQclear(PQexec(conn_->pg, ("CLOSE " + cursor_).c_str()));
    if (--conn_->open_readers == 0 && !conn_->in_write_transaction) PQclear(PQexec(conn_->pg, "COMMIT"));
  }

  std::shared_ptr<Conn> conn_;
  std::string cursor_;
  std::vector<std::string> names_;
  std::vector<TypeClass> types_;
  size_t batch_rows_;
  std::string table_;
  bool done_ = false;
  ReadStats stats_;
};

class PostgresSource : public Source {
 public:
  PostgresSource(std::shared_ptr<Conn> conn, bool read_only) : conn_(std::move(conn)), read_only_(read_only) {}

  SourceKind kind() const override { return SourceKind::kPostgres; }
  std::string DisplayName() const override { return conn_->display; }
  PGconn* handle() const { return conn_->pg; }

  Result<std::vector<std::string>> ListTables() override {
    Result<PgResult> r = Query(*conn_,
        std::string("SELECT ") + kPolicyName + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " +
            kUserTables, {}, "listing tables");
    if (!r.ok()) return r.status();
    std::vector<std::string> names;
    for (int i = 0; i < r->rows(); ++i) names.push_back(r->Get(i, 0));
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<Table> Describe(const std::string& name) override {
    Result<TableRef> ref = Resolve(name);
    if (!ref.ok()) return ref.status();
    Result<Table> table = DescribeShapeOf(name, *ref);
    if (!table.ok()) return table;
    Result<RowCount> count = CountRows(name, *ref);
    if (!count.ok()) return count.status();
    table->row_count = *count;
    return table;
  }

  Result<std::unique_ptr<RowReader>> Read(const std::string& table_name, const ReadRequest& request) override {
    Result<TableRef> ref = Resolve(table_name);
    if (!ref.ok()) return ref.status();
    Result<Table> table = DescribeShapeOf(table_name, *ref);
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
    if (request.mode == SampleMode::kRandom) {
      Result<RowCount> count = CountRows(table_name, *ref);
      if (!count.ok()) return count.status();
      int64_t rows = count->rows;
      if (rows < 0) {
        Result<PgResult> exact = Query(*conn_, "SELECT count(*) FROM " + ref->sql_name, {}, "counting rows of " + table_name);
        if (!exact.ok()) return exact.status();
        rows = std::atoll(exact->Get(0, 0).c_str());
      }
      // Oversample a little so that a sample rarely falls short of `limit`.
      double percent = rows <= 0 ? 100.0
                                 : std::min(100.0, 100.0 * (static_cast<double>(request.limit) * 1.2 + 10.0) /
                                                       static_cast<double>(rows));
      char clause[96];
      std::snprintf(clause, sizeof clause, " TABLESAMPLE BERNOULLI (%.6f) REPEATABLE (%llu)", percent,
                    static_cast<unsigned long long>(request.seed % (1ULL << 52)));
      text.sql += clause;
    }
    if (request.where) {
      text.sql += " WHERE ";
      DPO_RETURN_IF_ERROR(RenderPredicate(*request.where, target, kDialect, &text));
    }
    if (request.mode != SampleMode::kFull)
      text.sql += " LIMIT " + std::to_string(std::max<int64_t>(request.limit, 0));

    std::string cursor = "dpo_cursor_" + std::to_string(++conn_->next_cursor);
    const std::string doing = "reading table " + table_name;
    if (conn_->open_readers == 0 && !conn_->in_write_transaction) {
      DPO_RETURN_IF_ERROR(Exec(*conn_, "BEGIN READ ONLY", doing));
      // Synchronised scans may start a scan mid-table; kFirst and kRandom
      // must see the same rows every time.
      DPO_RETURN_IF_ERROR(Exec(*conn_, "SET LOCAL synchronize_seqscans = off", doing));
    }
    Result<PgResult> declared = Query(*conn_, "DECLARE " + cursor + " NO SCROLL CURSOR FOR " + text.sql, text.params, doing);
    if (!declared.ok()) {
      if (conn_->open_readers == 0 && !conn_->in_write_transaction) PQclear(PQexec(conn_->pg, "ROLLBACK"));
      return declared.status();
    }
    ++conn_->open_readers;
    std::vector<TypeClass> types;
    for (const std::string& n : names) types.push_back(table->FindColumn(n)->type);
    return std::unique_ptr<RowReader>(
        new PostgresReader(conn_, cursor, std::move(names), std::move(types), request.batch_rows, table_name));
  }

  Result<int64_t> Count(const std::string& table_name, const std::optional<Predicate>& where) override {
    std::map<std::string, std::unique_ptr<Table>> cache;
    Result<SqlTarget> target = Target(table_name, &cache);
    if (!target.ok()) return target.status();
    Result<SqlText> text = RenderCount(*target, where, kDialect);
    if (!text.ok()) return text.status();
    Result<PgResult> r = Query(*conn_, text->sql, text->params, "counting rows of " + table_name);
    if (!r.ok()) return r.status();
    return static_cast<int64_t>(std::atoll(r->Get(0, 0).c_str()));
  }

  Result<std::unique_ptr<Transaction>> Begin(const WriteOptions& options) override;

  void DeclareRelations(std::vector<std::pair<std::string, ForeignKey>> relations) override {
    declared_ = std::move(relations);
  }
  const std::vector<std::pair<std::string, ForeignKey>>& declared() const { return declared_; }
  Conn& conn() { return *conn_; }

  // A target whose semi-joins resolve to other tables of this database;
  // `cache` owns the tables the target points at.
  Result<SqlTarget> Target(const std::string& name, std::map<std::string, std::unique_ptr<Table>>* cache) {
    auto it = cache->find(name);
    if (it == cache->end()) {
      Result<TableRef> ref = Resolve(name);
      if (!ref.ok()) return ref.status();
      Result<Table> table = DescribeShapeOf(name, *ref);
      if (!table.ok()) return table.status();
      table->location = ref->sql_name;  // not shown to users: the quoted name the server resolved
      it = cache->emplace(name, std::make_unique<Table>(std::move(*table))).first;
    }
    SqlTarget target{it->second->location, it->second.get(), nullptr};
    target.resolve = [this, cache](const std::string& other) { return Target(other, cache); };
    return target;
  }

 private:
  Result<TableRef> Resolve(const std::string& name) {
    Result<PgResult> r = Query(*conn_,
        std::string("SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
            kUserTables + " AND " + kPolicyName + " = $1",
        {name}, "looking up table " + name);
    if (!r.ok()) return r.status();
    if (r->rows() == 0)
      return Status::Error(conn_->display + ": no table named '" + name +
                           "' (tables outside schema public are named schema.table); run 'dpo inspect' to list the tables",
                           StatusCode::kNotFound);
    if (r->rows() > 1)
      return Status::Error(conn_->display + ": the name '" + name +
                           "' matches a table in schema public and a schema-qualified table; rename one of them");
    // quote_ident and QuoteIdentifier agree; the catalog's quoting is used so
    // that the name is exactly the one the server resolved.
    return TableRef{r->Get(0, 0), r->Get(0, 1)};
  }

  Result<Table> DescribeShapeOf(const std::string& name, const TableRef& ref) {
    const std::string doing = "describing table " + name;
    Table table;
    table.name = name;
    Result<PgResult> cols = Query(*conn_,
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), COALESCE(bt.typname, t.typname), "
        "COALESCE(bt.typcategory, t.typcategory), a.attnotnull "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype "
        "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        {ref.oid}, doing);
    if (!cols.ok()) return cols.status();
    for (int i = 0; i < cols->rows(); ++i) {
      Column c;
      c.name = cols->Get(i, 0);
      c.declared_type = cols->Get(i, 1);
      c.type = TypeFromCatalog(cols->Get(i, 2), cols->Get(i, 3));
      c.nullable = cols->Get(i, 4) != "t";
      table.columns.push_back(std::move(c));
    }
    // Columns of unique indexes (UNIQUE constraints have one) other than the
    // primary key's; expression parts have no column (attnum 0).
    Result<PgResult> unique = Query(*conn_,
        "SELECT DISTINCT a.attname FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = $1::oid AND i.indisunique AND NOT i.indisprimary",
        {ref.oid}, doing);
    if (!unique.ok()) return unique.status();
    for (int i = 0; i < unique->rows(); ++i)
      for (Column& c : table.columns)
        if (c.name == unique->Get(i, 0)) c.unique = true;
    // Every index's leading columns, in order (an expression part, attnum 0,
    // ends the usable prefix; partial indexes are left out).
    Result<PgResult> indexes = Query(*conn_,
        "SELECT i.indexrelid, a.attname FROM pg_index i "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
        "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = $1::oid AND i.indpred IS NULL ORDER BY i.indexrelid, k.ord",
        {ref.oid}, doing);
    if (!indexes.ok()) return indexes.status();
    std::string current;
    bool stopped = false;
    for (int i = 0; i < indexes->rows(); ++i) {
      if (indexes->Get(i, 0) != current || table.indexes.empty()) {
        current = indexes->Get(i, 0);
        stopped = false;
        table.indexes.emplace_back();
      }
      if (indexes->IsNull(i, 1)) stopped = true;
      if (!stopped) table.indexes.back().push_back(indexes->Get(i, 1));
    }
    Result<PgResult> pk = Query(*conn_,
        "SELECT a.attname FROM pg_constraint con "
        "CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum "
        "WHERE con.conrelid = $1::oid AND con.contype = 'p' ORDER BY k.ord",
        {ref.oid}, doing);
    if (!pk.ok()) return pk.status();
    for (int i = 0; i < pk->rows(); ++i) {
      table.primary_key.push_back(pk->Get(i, 0));
      for (Column& c : table.columns)
        if (c.name == table.primary_key.back()) c.primary_key_position = i + 1;
    }
    Result<PgResult> fk = Query(*conn_,
        std::string("SELECT con.oid, a.attname, ra.attname, ") + kPolicyName + ", con.confdeltype" +
            " FROM pg_constraint con "
            "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(col, rcol, ord) "
            "JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col "
            "JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.rcol "
            "JOIN pg_class c ON c.oid = con.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE con.conrelid = $1::oid AND con.contype = 'f' ORDER BY con.conname, con.oid, k.ord",
        {ref.oid}, doing);
    if (!fk.ok()) return fk.status();
    std::string last;
    for (int i = 0; i < fk->rows(); ++i) {
      if (fk->Get(i, 0) != last) {
        last = fk->Get(i, 0);
        table.foreign_keys.emplace_back();
        table.foreign_keys.back().referenced_table = fk->Get(i, 3);
        const std::string action = fk->Get(i, 4);
        table.foreign_keys.back().on_delete = action == "c"   ? ForeignKey::OnDelete::kCascade
                                              : action == "n" ? ForeignKey::OnDelete::kSetNull
                                              : action == "d" ? ForeignKey::OnDelete::kSetDefault
                                              : action == "r" ? ForeignKey::OnDelete::kRestrict
                                                              : ForeignKey::OnDelete::kNoAction;
      }
      table.foreign_keys.back().columns.push_back(fk->Get(i, 1));
      table.foreign_keys.back().referenced_columns.push_back(fk->Get(i, 2));
    }
    return table;
  }

  Result<RowCount> CountRows(const std::string& name, const TableRef& ref) {
    Result<PgResult> stats = Query(*conn_,
        "SELECT c.reltuples::bigint, pg_relation_size(c.oid) + COALESCE((SELECT sum(pg_relation_size(i.inhrelid)) "
        "FROM pg_inherits i WHERE i.inhparent = c.oid), 0) FROM pg_class c WHERE c.oid = $1::oid",
        {ref.oid}, "estimating the size of " + name);
    if (!stats.ok()) return stats.status();
    int64_t estimate = std::atoll(stats->Get(0, 0).c_str());
    int64_t bytes = std::atoll(stats->Get(0, 1).c_str());
    if (bytes > kExactCountMaxBytes) return RowCount{estimate < 0 ? -1 : estimate, false};
    Result<PgResult> exact = Query(*conn_, "SELECT count(*) FROM " + ref.sql_name, {}, "counting rows of " + name);
    if (!exact.ok()) return exact.status();
    return RowCount{std::atoll(exact->Get(0, 0).c_str()), true};
  }

  std::shared_ptr<Conn> conn_;
  bool read_only_;
  std::vector<std::pair<std::string, ForeignKey>> declared_;
};

// REPEATABLE READ: what the transaction counts and selects is what it
// changes; a concurrent change to the same rows makes the write fail (and
// everything roll back) instead of acting on rows nobody counted.
class PostgresTransaction : public Transaction {
 public:
  PostgresTransaction(PostgresSource* source, const WriteOptions& options) : source_(source), options_(options) {}
  ~PostgresTransaction() override { Rollback(); }

  Status Start() {
    DPO_RETURN_IF_ERROR(Exec(conn(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE", "starting a transaction"));
    conn().in_write_transaction = true;
    return Status::Ok();
  }

  Result<int64_t> Count(const std::string& table, const std::optional<Predicate>& where) override {
    Result<SqlTarget> target = source_->Target(table, &described_.tables());
    if (!target.ok()) return target.status();
    Result<SqlText> text = RenderCount(*target, where, kDialect);
    if (!text.ok()) return text.status();
    Result<PgResult> r = Query(conn(), text->sql, text->params, "counting rows of " + table);
    if (!r.ok()) return Fail(r.status());
    return static_cast<int64_t>(std::atoll(r->Get(0, 0).c_str()));
  }

  Result<std::unique_ptr<RowReader>> Read(const std::string& table, const ReadRequest& request) override {
    return source_->Read(table, request);  // inside this transaction (Conn::in_write_transaction)
  }

  Result<int64_t> Execute(const WriteOp& op, const ReturnRows* returning) override {
    if (finished_) return Status::Error("the transaction has ended", StatusCode::kInternal);
    if (conn().open_readers > 0)
      return Status::Error(conn().display + ": cannot write while rows are being read in the same transaction; "
                           "finish reading first (a bug in the caller)", StatusCode::kInternal);
    Result<int64_t> n = ExecuteOne(op, returning);
    if (!n.ok()) return Fail(n.status());
    return n;
  }

  Status Commit() override {
    if (finished_) return Status::Error("the transaction has ended", StatusCode::kInternal);
    if (failed_) {
      Rollback();
      return Status::Error(conn().display + ": not committed because an operation failed; nothing was changed");
    }
    if (options_.dry_run) return Rollback();
    Status fault = util::InjectedFault(util::FaultPoint::kCommit, conn().display);
    Status commit = fault.ok() ? Exec(conn(), "COMMIT", "committing") : fault;
    if (!commit.ok()) {
      Rollback();
      return commit.WithContext("nothing was changed");
    }
    finished_ = true;
    conn().in_write_transaction = false;
    return Status::Ok();
  }

  Status Rollback() override {
    if (finished_) return Status::Ok();
    finished_ = true;
    conn().in_write_transaction = false;
    if (PQstatus(conn().pg) != CONNECTION_OK) return Status::Ok();  // the server rolls back a lost session
    return Exec(conn(), "ROLLBACK", "rolling back");
  }

 private:
  Conn& conn() { return source_->conn(); }

  Status Fail(Status s) {
    failed_ = true;
    return s;
  }

  Result<int64_t> ExecuteOne(const WriteOp& op, const ReturnRows* returning) {
    Result<SqlTarget> target = source_->Target(op.table, &described_.tables());
    if (!target.ok()) return target.status();
    std::string doing = std::string(op.kind == WriteOp::Kind::kDelete ? "deleting from " : "updating ") + op.table;
    Result<std::vector<Reference>> refs = References(op.table);
    if (!refs.ok()) return refs.status();
    if (op.kind == WriteOp::Kind::kDelete) {
      DPO_RETURN_IF_ERROR(CheckNoOrphans(op.table, op.where, *refs,
                                         [this](const std::string& t, const Predicate& p) { return Count(t, p); }));
    } else {
      DPO_RETURN_IF_ERROR(CheckUpdateKeepsReferences(op, *target->table, *refs));
    }
    std::vector<std::string> columns;
    if (returning != nullptr) {
      for (const std::string& r : returning->columns) {
        bool written = false;
        for (const auto& [column, value] : op.assignments) written |= r == column;
        for (const WriteOp::ComputedAssignment& c : op.computed) written |= r == c.column;
        if (written)
          return Status::Error("update of " + op.table + "." + r + " cannot also return it; return the key columns",
                               StatusCode::kInternal);
      }
      columns = returning->columns;
    }
    const bool computed = op.kind == WriteOp::Kind::kUpdate && !op.computed.empty();
    if (computed) DPO_RETURN_IF_ERROR(CheckComputedAssignments(op));
    Result<SqlText> text =
        computed ? PrepareComputed(op, *target, columns, doing) : RenderWriteOp(op, *target, kDialect, columns);
    if (!text.ok()) return text.status();
    DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kWrite, conn().display));
    if (returning == nullptr) {
      Result<PgResult> r = Query(conn(), text->sql, text->params, doing);
      if (!r.ok()) return r.status();
      return static_cast<int64_t>(std::atoll(PQcmdTuples(r->r)));
    }
    return StreamReturning(*text, *returning, doing);
  }

  // Computed assignments: the server has no HMAC (without pgcrypto), so the
  // values are made here. Inside the transaction: the rows `op` selects are
  // read through a cursor as (ctid, current values), their new values are
  // computed batch by batch and copied into a temporary table shaped like
  // the columns (CREATE TEMP TABLE ... AS ... WITH NO DATA: the same types),
  // and the returned statement is one UPDATE ... FROM that table, joined on
  // (tableoid, ctid) (a partitioned table repeats ctids across partitions)
  // and still restricted by `op.where`. REPEATABLE READ keeps the ctids
  // valid: a row another session changed since fails the update instead.
  Result<SqlText> PrepareComputed(const WriteOp& op, const SqlTarget& target, const std::vector<std::string>& returning,
                                  const std::string& doing) {
    const Table& table = *target.table;
    // Names in the temporary table that no column of the table has, so that
    // the unqualified names of `op.where` stay the table's.
    std::string prefix = "dpo_";
    for (bool clash = true; clash;) {
      clash = false;
      for (const Column& c : table.columns) clash |= c.name.rfind(prefix, 0) == 0;
      if (clash) prefix = "_" + prefix;
    }
    const std::string rel_column = QuoteIdentifier(prefix + "rel", kDialect);
    const std::string row_column = QuoteIdentifier(prefix + "row", kDialect);
    auto value_column = [&](size_t i) { return QuoteIdentifier(prefix + "value_" + std::to_string(i), kDialect); };
    const std::string temp = QuoteIdentifier("dpo_computed_" + std::to_string(++conn().next_cursor), kDialect);
    const std::string cursor = "dpo_cursor_" + std::to_string(++conn().next_cursor);

    std::string shape = "tableoid AS " + rel_column + ", ctid AS " + row_column;
    std::string select = "tableoid, ctid";
    for (size_t i = 0; i < op.computed.size(); ++i) {
      if (table.FindColumn(op.computed[i].column) == nullptr)
        return Status::Error("unknown column " + table.name + "." + op.computed[i].column +
                             "; run 'dpo inspect' to list the columns");
      const std::string quoted = QuoteIdentifier(op.computed[i].column, kDialect);
      shape += ", " + quoted + " AS " + value_column(i);
      select += ", " + quoted;
    }
    DPO_RETURN_IF_ERROR(Exec(conn(), "CREATE TEMP TABLE " + temp + " ON COMMIT DROP AS SELECT " + shape + " FROM " +
                                         target.sql_name + " WITH NO DATA",
                             doing));
    SqlText rows;
    rows.sql = "DECLARE " + cursor + " NO SCROLL CURSOR FOR SELECT " + select + " FROM " + target.sql_name + " WHERE ";
    DPO_RETURN_IF_ERROR(RenderPredicate(op.where, target, kDialect, &rows));
    Result<PgResult> declared = Query(conn(), rows.sql, rows.params, doing);
    if (!declared.ok()) return declared.status();
    std::string copy;
    for (;;) {
      Result<PgResult> batch = Query(conn(), "FETCH 2000 FROM " + cursor, {}, doing);
      if (!batch.ok()) return batch.status();
      if (batch->rows() == 0) break;
      copy.clear();
      for (int r = 0; r < batch->rows(); ++r) {
        AppendCopyField(batch->Get(r, 0), &copy);
        copy += '\t';
        AppendCopyField(batch->Get(r, 1), &copy);
        for (size_t i = 0; i < op.computed.size(); ++i) {
          const int c = static_cast<int>(i + 2);
          std::optional<std::string> value;
          if (!batch->IsNull(r, c)) value = batch->Get(r, c);
          std::optional<std::string> computed = op.computed[i].fn(value);
          copy += '\t';
          if (computed) AppendCopyField(*computed, &copy);
          else copy += "\\N";
        }
        copy += '\n';
      }
      DPO_RETURN_IF_ERROR(CopyIn("COPY " + temp + " FROM STDIN", copy, doing));
    }
    DPO_RETURN_IF_ERROR(Exec(conn(), "CLOSE " + cursor, doing));

    SqlText text;
    text.sql = "UPDATE " + target.sql_name + " SET ";
    bool first = true;
    for (const auto& [name, value] : op.assignments) {
      if (table.FindColumn(name) == nullptr)
        return Status::Error("unknown column " + table.name + "." + name + "; run 'dpo inspect' to list the columns");
      text.sql += std::string(first ? "" : ", ") + QuoteIdentifier(name, kDialect) + " = ";
      first = false;
      if (!value) {
        text.sql += "NULL";
      } else {
        text.params.push_back(value);
        text.sql += "$" + std::to_string(text.params.size());
      }
    }
    for (size_t i = 0; i < op.computed.size(); ++i) {
      text.sql += std::string(first ? "" : ", ") + QuoteIdentifier(op.computed[i].column, kDialect) + " = " + temp +
                  "." + value_column(i);
      first = false;
    }
    text.sql += " FROM " + temp + " WHERE " + target.sql_name + ".tableoid = " + temp + "." + rel_column + " AND " +
                target.sql_name + ".ctid = " + temp + "." + row_column + " AND ";
    DPO_RETURN_IF_ERROR(RenderPredicate(op.where, target, kDialect, &text));
    if (!returning.empty()) {
      std::vector<std::string> names;
      Result<std::string> list = RenderSelectList(returning, table, kDialect, &names);
      if (!list.ok()) return list.status();
      text.sql += " RETURNING " + *list;
    }
    return text;
  }

  // One field of COPY's text format.
  static void AppendCopyField(const std::string& value, std::string* out) {
    for (char c : value) {
      switch (c) {
        case '\\': *out += "\\\\"; break;
        case '\n': *out += "\\n"; break;
        case '\r': *out += "\\r"; break;
        case '\t': *out += "\\t"; break;
        default: *out += c;
      }
    }
  }

  Status CopyIn(const std::string& sql, const std::string& data, const std::string& doing) {
    PgResult start(PQexec(conn().pg, sql.c_str()));
    if (PQresultStatus(start.r) != PGRES_COPY_IN) return QueryError(conn(), start.r, doing);
    bool sent = PQputCopyData(conn().pg, data.data(), static_cast<int>(data.size())) == 1;
    if (PQputCopyEnd(conn().pg, sent ? nullptr : "dpo could not send the values") != 1)
      return QueryError(conn(), nullptr, doing);
    Status status;
    while (PGresult* raw = PQgetResult(conn().pg)) {
      PgResult r(raw);
      if (PQresultStatus(raw) != PGRES_COMMAND_OK && status.ok()) status = QueryError(conn(), raw, doing);
    }
    if (status.ok() && !sent) status = QueryError(conn(), nullptr, doing);
    return status;
  }

  // RETURNING in single-row mode: one row at a time, never the whole set.
  Result<int64_t> StreamReturning(const SqlText& text, const ReturnRows& returning, const std::string& doing) {
    std::vector<const char*> values;
    for (const auto& p : text.params) values.push_back(p ? p->c_str() : nullptr);
    if (PQsendQueryParams(conn().pg, text.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, 0) != 1 ||
        PQsetSingleRowMode(conn().pg) != 1)
      return QueryError(conn(), nullptr, doing);
    int64_t rows = 0;
    Status failure;
    std::vector<std::optional<std::string>> row(returning.columns.size());
    while (PGresult* raw = PQgetResult(conn().pg)) {
      PgResult r(raw);
      ExecStatusType st = PQresultStatus(raw);
      if (st == PGRES_SINGLE_TUPLE && failure.ok()) {
        for (size_t c = 0; c < row.size(); ++c) {
          if (r.IsNull(0, static_cast<int>(c))) row[c].reset();
          else row[c] = r.Get(0, static_cast<int>(c));
        }
        failure = returning.row(row);
        ++rows;
      } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && failure.ok()) {
        failure = QueryError(conn(), raw, doing);
      }
    }
    if (!failure.ok()) return failure;
    return rows;
  }

  Result<std::vector<Reference>> References(const std::string& table) {
    return described_.References(
        table, *source_,
        [this](const std::string& name) { return source_->Target(name, &described_.tables()).status(); },
        source_->declared());
  }

  PostgresSource* source_;
  WriteOptions options_;
  DescribedTables described_;
  bool finished_ = false;
  bool failed_ = false;
};

Result<std::unique_ptr<Transaction>> PostgresSource::Begin(const WriteOptions& options) {
  if (read_only_) return ReadOnlyRefusal(conn_->display, options);
  if (conn_->open_readers > 0 || conn_->in_write_transaction)
    return Status::Error(conn_->display + ": cannot start a transaction while another is open or rows are being "
                         "read (a bug in the caller)", StatusCode::kInternal);
  auto tx = std::make_unique<PostgresTransaction>(this, options);
  Status started = tx->Start();
  if (!started.ok()) return started;
  return std::unique_ptr<Transaction>(std::move(tx));
}

// The name of a connected source: the user, host, port and database libpq
// actually used (defaults and the host that answered included).
std::string ConnectedDisplayName(PGconn* pg) {
  auto text = [](const char* value) { return std::string(value != nullptr ? value : ""); };
  return PostgresDisplayName({{"user", text(PQuser(pg))},
                              {"host", text(PQhost(pg))},
                              {"port", text(PQport(pg))},
                              {"dbname", text(PQdb(pg))}});
}

}  // namespace

Result<std::unique_ptr<Source>> OpenPostgresSource(const std::string& spec, const OpenOptions& options) {
  // Parsed once, here; libpq then gets keyword/value arrays and never
  // re-parses the spec (expand_dbname = 0), so what dpo shows is what libpq uses.
  Result<std::vector<ConnParam>> params = ParsePostgresConnInfo(spec);
  if (!params.ok()) return params.status();
  auto conn = std::make_shared<Conn>();
  conn->secrets = RawSecretsOf(spec);
  for (const ConnParam& p : *params)
    if (p.secret) conn->secrets.push_back(p.value);
  if (const char* env = std::getenv("PGPASSWORD")) conn->secrets.push_back(env);

  // Defaults first, so that anything the spec says wins.
  std::vector<const char*> keywords = {"connect_timeout", "application_name"};
  std::vector<const char*> values = {"10", "dpo"};
  for (const ConnParam& p : *params) {
    keywords.push_back(p.keyword.c_str());
    values.push_back(p.value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  conn->pg = PQconnectdbParams(keywords.data(), values.data(), 0);
  conn->display = PostgresDisplayName(*params);
  if (conn->pg == nullptr) return Status::Error("could not connect to " + conn->display + ": out of memory");
  // The password libpq used, also when it came from ~/.pgpass or a service file.
  if (const char* used = PQpass(conn->pg)) conn->secrets.push_back(used);
  if (PQstatus(conn->pg) != CONNECTION_OK) {
    std::string raw = PQerrorMessage(conn->pg);
    std::string where = "could not connect to " + conn->display + ": ";
    if (Contains(raw, "Connection refused"))
      return Status::Error(where + "connection refused; is the server running and listening on that host and port?",
                           StatusCode::kIoError);
    if (Contains(raw, "password authentication failed"))
      return Status::Error(where + "password authentication failed for user " + PQuser(conn->pg) +
                           "; check the password (in the connection string, PGPASSWORD or ~/.pgpass)");
    if (Contains(raw, "no password supplied"))
      return Status::Error(where + "the server asks for a password and none was given; set PGPASSWORD or add the "
                           "connection to ~/.pgpass (chmod 600)");
    if (Contains(raw, "does not exist") && Contains(raw, "database"))
      return Status::Error(where + "database \"" + std::string(PQdb(conn->pg)) +
                           "\" does not exist; check the database name ('psql -l' lists them)");
    if (Contains(raw, "timeout expired"))
      return Status::Error(where + "timed out; check the host, the port and any firewall in between",
                           StatusCode::kIoError);
    if (Contains(raw, "could not translate host name"))
      return Status::Error(where + "unknown host; check the host name");
    // libpq prefixes "connection to server at ... failed:"; keep what follows,
    // without anything it quoted from the spec.
    std::string line = FirstLine(raw);
    size_t failed = line.find("failed: ");
    if (failed != std::string::npos) line = line.substr(failed + 8);
    line = RemoveQuotedInput(line, spec, conn->secrets);
    if (ContainsSecret(line, conn->secrets)) line = kWithheldLibpqMessage;
    return Status::Error(where + line);
  }
  conn->display = ConnectedDisplayName(conn->pg);
  // Server notices are not dpo's output; libpq would print them to stderr.
  PQsetNoticeProcessor(conn->pg, [](void*, const char*) {}, nullptr);
  if (options.read_only)
    DPO_RETURN_IF_ERROR(Exec(*conn, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "opening read-only"));
  return std::unique_ptr<Source>(new PostgresSource(std::move(conn), options.read_only));
}

PGconn* PostgresHandleForTesting(Source* source) {
  auto* s = dynamic_cast<PostgresSource*>(source);
  return s ? s->handle() : nullptr;
}

}  // namespace dpo::source
