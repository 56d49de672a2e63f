// The PostgreSQL sink: a new schema, built in one transaction that commits in
// Finish().
//
//  - The schema is the destination's `schema` parameter (postgresql://...?
//    schema=NAME, or schema=NAME among key=value words; taken out before libpq
//    sees the string, since libpq does not know it), else SinkOptions::schema.
//    public, information_schema and pg_* are refused: --force drops the schema
//    it replaces, and those are never dpo's to drop.
//  - Every table goes into that schema under the part of its source name
//    after the first dot ("hr.staff" and "staff" both become
//    "<schema>"."staff"; two that meet are refused at CreateTable).
//  - Tables are created with their primary keys and UNIQUE constraints; rows
//    go through COPY FROM STDIN in text format, one COPY per run of batches
//    of the same table; foreign keys are added after the last row, so the
//    server validates each relation once, over all rows.
//  - Connections and messages work as in the PostgreSQL source: the spec is
//    parsed once, libpq gets keyword arrays, and any message that holds a
//    password is withheld whole. Server messages are reduced to their primary
//    line, cut before any quoted value for data errors.
#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

#include "anonymise/sink_internal.h"
#include "source/conninfo.h"
#include "util/fault.h"

namespace dpo::anonymise::internal {
namespace {

using source::ConnParam;

constexpr size_t kMaxIdentifier = 63;  // NAMEDATALEN - 1: longer names are cut by the server
constexpr size_t kCopyChunk = size_t{1} << 20;
constexpr const char* kWithheld = "the server's message was withheld because it contained the password";

std::string FirstLine(std::string text) {
  size_t nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

bool Contains(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* PostgresType(source::TypeClass type) {
  switch (type) {
    case source::TypeClass::kText: return "text";
    case source::TypeClass::kInteger: return "bigint";
    case source::TypeClass::kReal: return "double precision";
    case source::TypeClass::kBoolean: return "boolean";
    case source::TypeClass::kDate: return "date";
    case source::TypeClass::kTimestamp: return "timestamp";
    case source::TypeClass::kBlob: return "bytea";
    case source::TypeClass::kUnknown: return "text";
  }
  return "text";
}

// One field of COPY's text format: backslash, tab, newline and carriage
// return are escaped; everything else goes as it is.
void AppendCopyField(std::string_view value, std::string* out) {
  size_t plain = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char* escape = nullptr;
    switch (value[i]) {
      case '\\': escape = "\\\\"; break;
      case '\t': escape = "\\t"; break;
      case '\n': escape = "\\n"; break;
      case '\r': escape = "\\r"; break;
      default: continue;
    }
    out->append(value.data() + plain, i - plain);
    out->append(escape);
    plain = i + 1;
  }
  out->append(value.data() + plain, value.size() - plain);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits the `schema` parameter off a connection string (libpq would refuse
// it as an unknown keyword). Returns the string without it and the schema,
// or "" when there is none.
Result<std::pair<std::string, std::string>> TakeSchemaParameter(const std::string& spec, bool uri) {
  if (uri) {
    // The last "?schema=" or "&schema=": the query is at the end, and a
    // password holding that text is not a case worth a parser.
    size_t at = std::string::npos;
    for (size_t p = spec.find("schema="); p != std::string::npos; p = spec.find("schema=", p + 1))
      if (p > 0 && (spec[p - 1] == '?' || spec[p - 1] == '&')) at = p;
    if (at == std::string::npos) return std::make_pair(spec, std::string());
    size_t begin = at + 7;
    size_t end = spec.find_first_of("&#", begin);
    if (end == std::string::npos) end = spec.size();
    std::string raw = spec.substr(begin, end - begin), schema;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%') {
        int hi = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
        int lo = i + 2 < raw.size() ? HexValue(raw[i + 2]) : -1;
        if (hi < 0 || lo < 0)
          return Status::Error(source::RedactSourceSpec(spec) + ": the schema parameter has a broken %-escape");
        schema.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        schema.push_back(raw[i]);  // libpq decodes %XX only, and so does this
      }
    }
    std::string rest;
    if (spec[at - 1] == '&') {
      rest = spec.substr(0, at - 1) + spec.substr(end);
    } else if (end < spec.size() && spec[end] == '&') {
      rest = spec.substr(0, at) + spec.substr(end + 1);  // keep '?', drop the '&' after
    } else {
      rest = spec.substr(0, at - 1) + spec.substr(end);  // it was the only parameter: drop '?'
    }
    return std::make_pair(rest, schema);
  }
  Result<std::vector<ConnParam>> params = source::ParseKeyValueConnInfo(spec);
  if (!params.ok()) return params.status().WithContext(source::RedactSourceSpec(spec));
  bool found = false;
  std::string schema, rest;
  for (const ConnParam& p : *params) {
    if (p.keyword == "schema") {
      found = true;
      schema = p.value;
      continue;
    }
    if (!rest.empty()) rest += ' ';
    rest += p.keyword + "='";
    for (char c : p.value) {
      if (c == '\'' || c == '\\') rest += '\\';
      rest += c;
    }
    rest += '\'';
  }
  if (!found) return std::make_pair(spec, std::string());
  return std::make_pair(rest, schema);
}

Status CheckSchemaName(const std::string& schema) {
  if (schema.empty()) return Status::Error("the export needs a schema name (the destination's schema parameter)");
  if (schema.find('\0') != std::string::npos) return Status::Error("the schema name holds a NUL character");
  if (schema.size() > kMaxIdentifier)
    return Status::Error("schema " + schema + ": the name is longer than PostgreSQL's 63 bytes");
  std::string lower = ToLower(schema);
  if (schema == "public" || schema == "information_schema" || lower.rfind("pg_", 0) == 0)
    return Status::Error("schema " + schema +
                         " is not one dpo exports into (--force would drop it); choose a new schema name");
  return Status::Ok();
}

struct PgResult {
  PGresult* r = nullptr;
  explicit PgResult(PGresult* result) : r(result) {}
  PgResult(PgResult&& o) noexcept : r(o.r) { o.r = nullptr; }
  PgResult(const PgResult&) = delete;
  ~PgResult() {
    if (r != nullptr) PQclear(r);
  }
};

// The comment every exported schema carries: --force replaces only those.
constexpr const char* kMarker = "written by dpo anonymise";

class PostgresSink final : public SinkBase {
 public:
  SinkKind kind() const override { return SinkKind::kPostgres; }
  PostgresSink(PGconn* pg, std::string conn_display, std::vector<std::string> secrets, std::string schema,
               bool overwrite)
      : SinkBase(conn_display + " (schema " + schema + ")"),
        pg_(pg),
        secrets_(std::move(secrets)),
        schema_(std::move(schema)),
        overwrite_(overwrite) {}
  ~PostgresSink() override {
    Abandon();
    if (pg_ != nullptr) PQfinish(pg_);
  }

  std::string TargetSchema() const override { return schema_; }

  Status Start() {
    DPO_RETURN_IF_ERROR(Exec("BEGIN", "starting the transaction"));
    const char* values[] = {schema_.c_str()};
    PgResult exists(PQexecParams(pg_,
                                 "SELECT coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace "
                                 "WHERE nspname = $1",
                                 1, nullptr, values, nullptr, nullptr, 0));
    if (PQresultStatus(exists.r) != PGRES_TUPLES_OK) return QueryError(exists.r, "looking for the schema");
    if (PQntuples(exists.r) > 0) {
      if (!overwrite_)
        return Status::Error(display_ + ": schema " + schema_ +
                             " already exists; pass --force to replace it, or choose another schema");
      // Only an earlier export (marked by its comment) is replaced, never a
      // schema of the database's own.
      if (std::string(PQgetvalue(exists.r, 0, 0)).rfind(kMarker, 0) != 0)
        return Status::Error(display_ + ": schema " + schema_ +
                             " exists and is not one dpo anonymise wrote (its comment does not say so): --force "
                             "replaces only an earlier export; choose another schema");
      // Dropped inside the transaction: the old schema is there until the
      // new one commits, and stays if anything fails.
      DPO_RETURN_IF_ERROR(Exec("DROP SCHEMA " + QuoteIdent(schema_) + " CASCADE", "dropping the old schema"));
    }
    DPO_RETURN_IF_ERROR(Exec("CREATE SCHEMA " + QuoteIdent(schema_), "creating the schema"));
    return Exec("COMMENT ON SCHEMA " + QuoteIdent(schema_) + " IS '" + std::string(kMarker) +
                    "; dpo anonymise --force may replace this schema'",
                "marking the schema");
  }

 private:
  // A one-line error for a failed statement: the primary message only (DETAIL
  // lines carry row values), cut before the value for data exceptions.
  Status QueryError(const PGresult* result, const std::string& doing) const {
    if (PQstatus(pg_) != CONNECTION_OK)
      return Status::Error(display_ + ": lost the connection while " + doing + "; nothing was written",
                           StatusCode::kIoError);
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = primary ? primary : FirstLine(PQerrorMessage(pg_));
    std::string st = state ? state : "";
    if (st.rfind("22", 0) == 0) {
      size_t colon = message.find(':');
      if (colon != std::string::npos) message.resize(colon);
    }
    StatusCode code = StatusCode::kIoError;
    std::string hint;
    if (st.rfind("23", 0) == 0 || st == "40001" || st == "40P01") code = StatusCode::kConflict;
    else if (st.rfind("22", 0) == 0) code = StatusCode::kInvalidArgument;
    else if (st == "42501") {
      code = StatusCode::kInvalidArgument;
      hint = "; grant the connecting role CREATE on the database, or use another role";
    } else if (st == "55P03") code = StatusCode::kBusy;
    else if (st.rfind("42", 0) == 0) code = StatusCode::kInvalidArgument;  // a type name the server does not know, ...
    if (source::ContainsSecret(message, secrets_)) message = kWithheld;
    return Status::Error(display_ + ": " + doing + " failed: " + message + hint, code);
  }

  Status Exec(const std::string& sql, const std::string& doing) {
    PgResult r(PQexec(pg_, sql.c_str()));
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return QueryError(r.r, doing);
    return Status::Ok();
  }

  std::string Qualified(const std::string& out_name) const { return QuoteIdent(schema_) + "." + QuoteIdent(out_name); }

  std::string OutputName(const std::string& source_name) const override {
    size_t dot = source_name.find('.');
    return dot == std::string::npos ? source_name : source_name.substr(dot + 1);
  }

  Status CheckNames(const TableEntry& entry) override {
    auto too_long = [&](const std::string& what) {
      return Status::Error(display_ + ": table " + entry.table.name + ": " + what +
                           " is longer than PostgreSQL's 63 bytes; the server would cut it",
                           StatusCode::kInvalidArgument);
    };
    if (entry.out_name.empty())
      return Status::Error(display_ + ": table " + entry.table.name + ": no table name after the schema",
                           StatusCode::kInvalidArgument);
    if (entry.out_name.size() > kMaxIdentifier) return too_long("the name");
    for (const SinkColumn& c : entry.table.columns)
      if (c.name.size() > kMaxIdentifier) return too_long("column name " + c.name);
    return Status::Ok();
  }

  Status DoCreateTable(const TableEntry& entry) override {
    const SinkTable& t = entry.table;
    std::string sql = "CREATE TABLE " + Qualified(entry.out_name) + " (";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const SinkColumn& c = t.columns[i];
      if (i) sql += ", ";
      sql += QuoteIdent(c.name);
      sql += " ";
      sql += !c.declared_type.empty() && SafeDeclaredType(c.declared_type) ? c.declared_type : PostgresType(c.type);
      if (!c.nullable) sql += " NOT NULL";
    }
    if (!t.primary_key.empty()) sql += ", PRIMARY KEY " + ColumnList(t.primary_key);
    for (const auto& unique : t.unique) sql += ", UNIQUE " + ColumnList(unique);
    sql += ")";
    return Exec(sql, "creating table " + t.name);
  }

  Status StartCopy(const TableEntry& entry) {
    std::vector<std::string> names;
    for (const SinkColumn& c : entry.table.columns) names.push_back(c.name);
    std::string sql = "COPY " + Qualified(entry.out_name) + " " + ColumnList(names) + " FROM STDIN";
    PgResult r(PQexec(pg_, sql.c_str()));
    if (PQresultStatus(r.r) != PGRES_COPY_IN) return QueryError(r.r, "writing table " + entry.table.name);
    copying_ = &entry;
    boolean_.clear();
    for (const SinkColumn& c : entry.table.columns) boolean_.push_back(c.type == source::TypeClass::kBoolean);
    return Status::Ok();
  }

  Status SendCopyData() {
    if (copy_buffer_.empty()) return Status::Ok();
    int sent = PQputCopyData(pg_, copy_buffer_.data(), static_cast<int>(copy_buffer_.size()));
    copy_buffer_.clear();
    if (sent != 1) return QueryError(nullptr, "writing table " + copying_->table.name);
    return Status::Ok();
  }

  // Ends the running COPY; the server's verdict on its rows comes here.
  Status EndCopy() {
    if (copying_ == nullptr) return Status::Ok();
    const std::string doing = "writing table " + copying_->table.name;
    Status status = SendCopyData();
    if (PQputCopyEnd(pg_, status.ok() ? nullptr : "dpo could not send the rows") != 1 && status.ok())
      status = QueryError(nullptr, doing);
    while (PGresult* raw = PQgetResult(pg_)) {
      PgResult r(raw);
      if (PQresultStatus(raw) != PGRES_COMMAND_OK && status.ok()) status = QueryError(raw, doing);
    }
    copying_ = nullptr;
    return status;
  }

  Status DoWriteRows(const TableEntry& entry, const source::RowBatch& rows) override {
    if (copying_ != &entry) {
      DPO_RETURN_IF_ERROR(EndCopy());
      DPO_RETURN_IF_ERROR(StartCopy(entry));
    }
    const size_t columns = rows.num_columns();
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      for (size_t c = 0; c < columns; ++c) {
        if (c) copy_buffer_.push_back('\t');
        if (rows.IsNull(r, c)) {
          copy_buffer_.append("\\N");
          continue;
        }
        std::string_view cell = rows.Cell(r, c);
        if (boolean_[c]) {
          if (std::optional<bool> b = ParseBoolean(cell)) cell = *b ? "t" : "f";
        }
        AppendCopyField(cell, &copy_buffer_);
      }
      copy_buffer_.push_back('\n');
      if (copy_buffer_.size() >= kCopyChunk) DPO_RETURN_IF_ERROR(SendCopyData());
    }
    return Status::Ok();
  }

  Status DoFinish() override {
    DPO_RETURN_IF_ERROR(EndCopy());
    DPO_RETURN_IF_ERROR(CheckReferences());
    for (const TableEntry& entry : tables()) {
      for (const source::ForeignKey& fk : entry.table.foreign_keys) {
        const TableEntry* parent = FindTable(fk.referenced_table);
        std::string sql = "ALTER TABLE " + Qualified(entry.out_name) + " ADD FOREIGN KEY " + ColumnList(fk.columns) +
                          " REFERENCES " + Qualified(parent->out_name) + " " + ColumnList(ReferencedColumns(fk)) +
                          OnDeleteClause(fk.on_delete);
        PgResult r(PQexec(pg_, sql.c_str()));
        if (PQresultStatus(r.r) == PGRES_COMMAND_OK) continue;
        const char* state = PQresultErrorField(r.r, PG_DIAG_SQLSTATE);
        if (state != nullptr && std::strcmp(state, "23503") == 0)
          return Status::Error(display_ + ": table " + RelationText(entry, fk) + " does not resolve: rows refer to " +
                               "rows that are not in " + fk.referenced_table + "; nothing was written (every row is copied, so the source has such rows itself: find them in the source, or declare the column null or drop in anonymise.columns)",
                               StatusCode::kConflict);
        return QueryError(r.r, "adding " + RelationText(entry, fk));
      }
    }
    DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kCommit, display_));
    PgResult r(PQexec(pg_, "COMMIT"));
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return QueryError(r.r, "committing");
    // COMMIT of a transaction that failed says ROLLBACK and succeeds.
    if (std::strcmp(PQcmdStatus(r.r), "COMMIT") != 0)
      return Status::Error(display_ + ": the server rolled the export back; nothing was written", StatusCode::kIoError);
    committed_ = true;
    return Status::Ok();
  }

  void DoAbandon() override {
    if (pg_ == nullptr || committed_) return;
    if (copying_ != nullptr) {
      PQputCopyEnd(pg_, "the export was abandoned");
      while (PGresult* raw = PQgetResult(pg_)) PQclear(raw);
      copying_ = nullptr;
    }
    // Rolling back drops the schema and everything in it (and restores an
    // old schema that --force dropped). Closing the connection would do the
    // same, later; this makes it visible at once.
    if (PQstatus(pg_) == CONNECTION_OK && PQtransactionStatus(pg_) != PQTRANS_IDLE) PQclear(PQexec(pg_, "ROLLBACK"));
    PQfinish(pg_);
    pg_ = nullptr;
    copy_buffer_.clear();
    copy_buffer_.shrink_to_fit();
  }

  PGconn* pg_;
  const std::vector<std::string> secrets_;
  const std::string schema_;
  const bool overwrite_;
  const TableEntry* copying_ = nullptr;
  std::vector<bool> boolean_;
  std::string copy_buffer_;
  bool committed_ = false;
};

std::string ConnectedDisplayName(PGconn* pg) {
  auto text = [](const char* value) { return std::string(value != nullptr ? value : ""); };
  return source::PostgresDisplayName(
      {{"user", text(PQuser(pg))}, {"host", text(PQhost(pg))}, {"port", text(PQport(pg))}, {"dbname", text(PQdb(pg))}});
}

}  // namespace

Result<std::unique_ptr<Sink>> OpenPostgresSink(const std::string& spec, const SinkOptions& options) {
  std::string scheme = ToLower(source::UriScheme(spec));
  const bool uri = scheme == "postgresql" || scheme == "postgres";
  Result<std::pair<std::string, std::string>> split = TakeSchemaParameter(spec, uri);
  if (!split.ok()) return split.status();
  const std::string& conn_spec = split->first;
  std::string schema = split->second.empty() ? options.schema : split->second;
  DPO_RETURN_IF_ERROR(CheckSchemaName(schema).WithContext(source::RedactSourceSpec(spec)));

  Result<std::vector<ConnParam>> params = source::ParsePostgresConnInfo(conn_spec);
  if (!params.ok()) return params.status();
  std::vector<std::string> secrets = source::RawSecretsOf(spec);
  for (const ConnParam& p : *params)
    if (p.secret) secrets.push_back(p.value);
  if (const char* env = std::getenv("PGPASSWORD")) secrets.push_back(env);

  // Defaults first, so that anything the spec says wins; the client encoding
  // last, since cells arrive as UTF-8 whatever the spec says.
  std::vector<const char*> keywords = {"connect_timeout", "application_name"};
  std::vector<const char*> values = {"10", "dpo"};
  for (const ConnParam& p : *params) {
    keywords.push_back(p.keyword.c_str());
    values.push_back(p.value.c_str());
  }
  keywords.push_back("client_encoding");
  values.push_back("UTF8");
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* pg = PQconnectdbParams(keywords.data(), values.data(), 0);
  std::string display = source::PostgresDisplayName(*params);
  if (pg == nullptr) return Status::Error("could not connect to " + display + ": out of memory", StatusCode::kIoError);
  if (const char* used = PQpass(pg)) secrets.push_back(used);
  if (PQstatus(pg) != CONNECTION_OK) {
    std::string raw = PQerrorMessage(pg);
    std::string user = PQuser(pg) ? PQuser(pg) : "";
    std::string db = PQdb(pg) ? PQdb(pg) : "";
    PQfinish(pg);
    std::string where = "could not connect to " + display + ": ";
    if (Contains(raw, "Connection refused"))
      return Status::Error(where + "connection refused; is the server running and listening on that host and port?",
                           StatusCode::kIoError);
    if (Contains(raw, "password authentication failed"))
      return Status::Error(where + "password authentication failed for user " + user +
                           "; check the password (in the connection string, PGPASSWORD or ~/.pgpass)");
    if (Contains(raw, "no password supplied"))
      return Status::Error(where + "the server asks for a password and none was given; set PGPASSWORD or add the "
                           "connection to ~/.pgpass (chmod 600)");
    if (Contains(raw, "does not exist") && Contains(raw, "database"))
      return Status::Error(where + "database \"" + db + "\" does not exist; create it first (the export creates a " +
                           "schema, not a database)");
    if (Contains(raw, "timeout expired"))
      return Status::Error(where + "timed out; check the host, the port and any firewall in between",
                           StatusCode::kIoError);
    std::string line = FirstLine(raw);
    size_t failed = line.find("failed: ");
    if (failed != std::string::npos) line = line.substr(failed + 8);
    line = source::RemoveQuotedInput(line, spec, secrets);
    if (source::ContainsSecret(line, secrets))
      line = "libpq's message withheld because it contained the password; check the host, port, database and user";
    return Status::Error(where + line, StatusCode::kIoError);
  }
  // Server notices (the tables DROP SCHEMA CASCADE removes) are not dpo's output.
  PQsetNoticeProcessor(pg, [](void*, const char*) {}, nullptr);
  auto sink = std::make_unique<PostgresSink>(pg, ConnectedDisplayName(pg), std::move(secrets), schema,
                                             options.overwrite);
  Status started = sink->Start();
  if (!started.ok()) {
    sink->Abandon();
    return started;
  }
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace dpo::anonymise::internal
