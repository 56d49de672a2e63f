#include "plan/ledger.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <unordered_map>

namespace dpo::plan {
namespace {

constexpr const char* kFormat = "dpo-erasure-ledger";
constexpr const char* kVersion = "1";

// Hashes are stored as 32-byte BLOBs (half the size of hex in the table and
// its indexes); the API speaks hex.
constexpr const char* kSchema = R"sql(
CREATE TABLE ledger_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE ledger_tables (id INTEGER PRIMARY KEY, table_hmac BLOB NOT NULL UNIQUE);
CREATE TABLE tombstones (
  key_hmac BLOB NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('delete', 'anonymise', 'restrict')),
  table_id INTEGER NOT NULL REFERENCES ledger_tables(id),
  rule TEXT NOT NULL,
  date TEXT NOT NULL,
  key_id TEXT NOT NULL,
  PRIMARY KEY (key_hmac, action)
) WITHOUT ROWID;
CREATE INDEX tombstones_by_table ON tombstones(table_id);
)sql";

std::string LengthPrefixed(std::string_view s) { return std::to_string(s.size()) + ":" + std::string(s); }

std::string Blob(const util::Digest& d) { return std::string(reinterpret_cast<const char*>(d.data()), d.size()); }

std::string HexOfBlob(const void* data, int size) {
  return util::ToHex(static_cast<const uint8_t*>(data), static_cast<size_t>(size));
}

// Hex (64 digits) to the 32-byte blob; "" when it is not one.
std::string BlobOfHex(const std::string& hex) {
  if (hex.size() != 64) return "";
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return "";
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

util::Digest TableDigest(const util::SecretKey& key, std::string_view table) {
  return util::HmacSha256(key, "dpo-ledger-table\x1f" + std::string(table));
}

util::Digest KeyDigest(const util::SecretKey& key, std::string_view table, const RowKey& row_key) {
  return util::HmacSha256(key, "dpo-ledger-key\x1f" + LengthPrefixed(table) + CanonicalKey(row_key));
}

std::string NowUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(stmt_); }
  sqlite3_stmt** out() { return &stmt_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

std::string CanonicalKey(const RowKey& key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0) out.push_back('\x1f');
    if (key[i].has_value())
      out += *key[i];
    else
      out.push_back('\0');
  }
  return out;
}

std::string TableHmac(const util::SecretKey& key, std::string_view table) {
  util::Digest d = TableDigest(key, table);
  return util::ToHex(d.data(), d.size());
}

std::string KeyHmac(const util::SecretKey& key, std::string_view table, const RowKey& row_key) {
  util::Digest d = KeyDigest(key, table, row_key);
  return util::ToHex(d.data(), d.size());
}

KeySetHmac::KeySetHmac(const util::SecretKey& key, std::string table) : key_(&key), table_(std::move(table)) {}

void KeySetHmac::Add(const RowKey& row_key) {
  util::Digest d = KeyDigest(*key_, table_, row_key);
  unsigned carry = 0;
  for (size_t i = d.size(); i-- > 0;) {  // big-endian addition mod 2^256
    unsigned s = static_cast<unsigned>(sum_[i]) + d[i] + carry;
    sum_[i] = static_cast<uint8_t>(s & 0xff);
    carry = s >> 8;
  }
  ++count_;
}

std::string KeySetHmac::Hex() const {
  return util::HmacSha256Hex(*key_, "dpo-keyset\x1f" + LengthPrefixed(table_) + std::to_string(count_) + "\x1f" +
                                        util::ToHex(sum_.data(), sum_.size()));
}

struct Ledger::Impl {
  std::string path;
  sqlite3* db = nullptr;
  bool in_tx = false;
  std::string tx_date;
  Stmt insert_tombstone, insert_table, select_table, contains, match, for_table;
  std::unordered_map<std::string, int64_t> table_ids;  // table_hmac blob -> id, this transaction

  ~Impl() {
    if (db == nullptr) return;
    if (in_tx) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    // close_v2: the statements (members, finalised after this body) close it for good.
    sqlite3_close_v2(db);
  }

  Status Error(const std::string& what, int rc) const {
    StatusCode code = rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? StatusCode::kBusy
                      : rc == SQLITE_NOTADB                      ? StatusCode::kInvalidArgument
                                                                 : StatusCode::kIoError;
    std::string msg = path + ": erasure ledger: " + what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if (code == StatusCode::kBusy) msg += "; another dpo is writing the ledger, retry later";
    if (code == StatusCode::kInvalidArgument) msg += "; give the path of a dpo erasure ledger";
    return Status::Error(msg, code);
  }

  Status Exec(const char* sql, const char* what) {
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : Error(what, rc);
  }

  Status Prepare(Stmt& stmt, const char* sql) {
    if (stmt.get() != nullptr) {
      sqlite3_reset(stmt.get());
      sqlite3_clear_bindings(stmt.get());
      return Status::Ok();
    }
    int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt.out(), nullptr);
    return rc == SQLITE_OK ? Status::Ok() : Error("preparing a statement", rc);
  }

  // Reads one tombstone from a row of (table_hmac, key_hmac, rule, action, date, key_id).
  static Tombstone Read(sqlite3_stmt* s) {
    Tombstone t;
    t.table_hmac = HexOfBlob(sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0));
    t.key_hmac = HexOfBlob(sqlite3_column_blob(s, 1), sqlite3_column_bytes(s, 1));
    t.rule = reinterpret_cast<const char*>(sqlite3_column_text(s, 2));
    t.action = reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
    t.date = reinterpret_cast<const char*>(sqlite3_column_text(s, 4));
    t.key_id = reinterpret_cast<const char*>(sqlite3_column_text(s, 5));
    return t;
  }

  // Checks the file is a ledger of a version this dpo reads; creates the
  // schema in an empty database when `create`.
  Status CheckOrCreateSchema(bool create) {
    Stmt count;
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, count.out(), nullptr);
    if (rc != SQLITE_OK) return Error("reading the schema", rc);
    rc = sqlite3_step(count.get());
    if (rc != SQLITE_ROW) return Error("reading the schema", rc);
    bool empty = sqlite3_column_int64(count.get(), 0) == 0;
    if (empty) {
      if (!create)
        return Status::Error(path + ": an empty database, not a dpo erasure ledger; give the path of the ledger");
      DPO_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "creating the ledger"));
      Status made = Exec(kSchema, "creating the ledger");
      if (made.ok()) {
        std::string meta = std::string("INSERT INTO ledger_meta VALUES ('format', '") + kFormat +
                           "'), ('version', '" + kVersion + "'), ('created', '" + NowUtc() + "')";
        made = Exec(meta.c_str(), "creating the ledger");
      }
      if (made.ok()) made = Exec("COMMIT", "creating the ledger");
      if (!made.ok()) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return made;
    }
    Stmt meta;
    rc = sqlite3_prepare_v2(db, "SELECT name, value FROM ledger_meta WHERE name IN ('format', 'version')", -1,
                            meta.out(), nullptr);
    if (rc != SQLITE_OK)
      return Status::Error(path + ": an SQLite database, but not a dpo erasure ledger; give the path of the ledger");
    std::string format, version;
    while ((rc = sqlite3_step(meta.get())) == SQLITE_ROW) {
      std::string name = reinterpret_cast<const char*>(sqlite3_column_text(meta.get(), 0));
      const unsigned char* v = sqlite3_column_text(meta.get(), 1);
      (name == "format" ? format : version) = v ? reinterpret_cast<const char*>(v) : "";
    }
    if (rc != SQLITE_DONE) return Error("reading the ledger's format", rc);
    if (format != kFormat)
      return Status::Error(path + ": an SQLite database, but not a dpo erasure ledger; give the path of the ledger");
    if (version != kVersion)
      return Status::Error(path + ": erasure ledger format version " + version + ", this dpo reads version " +
                           kVersion + "; use a dpo that matches the ledger");
    return Status::Ok();
  }

  Result<int64_t> TableId(const std::string& table_blob) {
    auto it = table_ids.find(table_blob);
    if (it != table_ids.end()) return it->second;
    DPO_RETURN_IF_ERROR(Prepare(insert_table, "INSERT OR IGNORE INTO ledger_tables (table_hmac) VALUES (?1)"));
    sqlite3_bind_blob(insert_table.get(), 1, table_blob.data(), static_cast<int>(table_blob.size()), SQLITE_STATIC);
    int rc = sqlite3_step(insert_table.get());
    sqlite3_reset(insert_table.get());
    if (rc != SQLITE_DONE) return Error("recording a table", rc);
    DPO_RETURN_IF_ERROR(Prepare(select_table, "SELECT id FROM ledger_tables WHERE table_hmac = ?1"));
    sqlite3_bind_blob(select_table.get(), 1, table_blob.data(), static_cast<int>(table_blob.size()), SQLITE_STATIC);
    rc = sqlite3_step(select_table.get());
    if (rc != SQLITE_ROW) {
      sqlite3_reset(select_table.get());
      return Error("recording a table", rc);
    }
    int64_t id = sqlite3_column_int64(select_table.get(), 0);
    sqlite3_reset(select_table.get());
    table_ids.emplace(table_blob, id);
    return id;
  }
};

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::Ledger(Ledger&&) noexcept = default;
Ledger& Ledger::operator=(Ledger&&) noexcept = default;
Ledger::~Ledger() = default;

const std::string& Ledger::path() const { return impl_->path; }
bool Ledger::in_transaction() const { return impl_->in_tx; }

Result<Ledger> Ledger::Open(const std::string& path, bool create) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return Status::Error(path + ": cannot open the erasure ledger: " + std::strerror(errno), StatusCode::kIoError);
    if (!create)
      return Status::Error(path + ": no such erasure ledger; check the path (it is created by 'dpo retention apply')",
                           StatusCode::kNotFound);
    // Created here with 0600 so that SQLite (and its journal, which copies
    // the database's mode) never makes it readable by others.
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
      return Status::Error(path + ": cannot create the erasure ledger: " + std::strerror(errno) +
                               "; check the directory exists and is writable",
                           StatusCode::kIoError);
    if (fd >= 0) close(fd);
  } else if (S_ISDIR(st.st_mode)) {
    return Status::Error(path + ": is a directory; give the path of the erasure ledger file");
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int rc = sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return impl->Error("cannot open", rc);
  sqlite3_extended_result_codes(impl->db, 0);
  sqlite3_busy_timeout(impl->db, 10000);
  DPO_RETURN_IF_ERROR(impl->Exec("PRAGMA synchronous = FULL", "opening"));
  DPO_RETURN_IF_ERROR(impl->CheckOrCreateSchema(create));
  return Ledger(std::move(impl));
}

Status Ledger::Begin() {
  if (impl_->in_tx) return Status::Error("erasure ledger: Begin while a transaction is open", StatusCode::kInternal);
  DPO_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE", "starting a transaction"));
  impl_->in_tx = true;
  impl_->tx_date = NowUtc();
  impl_->table_ids.clear();
  return Status::Ok();
}

Status Ledger::Record(const util::SecretKey& key, const std::string& table, const RowKey& row_key,
                      const std::string& rule, const std::string& action) {
  if (!impl_->in_tx) return Status::Error("erasure ledger: Record without Begin", StatusCode::kInternal);
  if (std::none_of(std::begin(kLedgerActions), std::end(kLedgerActions), [&](const char* a) { return action == a; }))
    return Status::Error("erasure ledger: action '" + action + "' is not delete, anonymise or restrict",
                         StatusCode::kInternal);
  Result<int64_t> table_id = impl_->TableId(Blob(TableDigest(key, table)));
  if (!table_id.ok()) return table_id.status();
  std::string key_blob = Blob(KeyDigest(key, table, row_key));
  std::string key_id = key.Id();

  Stmt& s = impl_->insert_tombstone;
  DPO_RETURN_IF_ERROR(impl_->Prepare(
      s, "INSERT OR IGNORE INTO tombstones (key_hmac, action, table_id, rule, date, key_id) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  sqlite3_bind_blob(s.get(), 1, key_blob.data(), static_cast<int>(key_blob.size()), SQLITE_STATIC);
  sqlite3_bind_text(s.get(), 2, action.data(), static_cast<int>(action.size()), SQLITE_STATIC);
  sqlite3_bind_int64(s.get(), 3, *table_id);
  sqlite3_bind_text(s.get(), 4, rule.data(), static_cast<int>(rule.size()), SQLITE_STATIC);
  sqlite3_bind_text(s.get(), 5, impl_->tx_date.data(), static_cast<int>(impl_->tx_date.size()), SQLITE_STATIC);
  sqlite3_bind_text(s.get(), 6, key_id.data(), static_cast<int>(key_id.size()), SQLITE_STATIC);
  int rc = sqlite3_step(s.get());
  sqlite3_reset(s.get());
  return rc == SQLITE_DONE ? Status::Ok() : impl_->Error("recording a tombstone", rc);
}

Status Ledger::Commit() {
  if (!impl_->in_tx) return Status::Error("erasure ledger: Commit without Begin", StatusCode::kInternal);
  Status s = impl_->Exec("COMMIT", "committing");
  if (!s.ok()) {
    Rollback();
    return s;
  }
  impl_->in_tx = false;
  return Status::Ok();
}

void Ledger::Rollback() {
  if (!impl_->in_tx) return;
  sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
  impl_->in_tx = false;
  impl_->table_ids.clear();
}

Result<bool> Ledger::Contains(const std::string& key_hmac) {
  std::string blob = BlobOfHex(key_hmac);
  if (blob.empty()) return Status::Error("erasure ledger: a key_hmac is 64 hex digits", StatusCode::kInternal);
  Stmt& s = impl_->contains;
  DPO_RETURN_IF_ERROR(impl_->Prepare(s, "SELECT 1 FROM tombstones WHERE key_hmac = ?1 LIMIT 1"));
  sqlite3_bind_blob(s.get(), 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
  int rc = sqlite3_step(s.get());
  sqlite3_reset(s.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return impl_->Error("looking up a tombstone", rc);
}

Result<std::vector<KeyMatch>> Ledger::Match(const util::SecretKey& key, const std::string& table,
                                            const std::vector<RowKey>& keys) {
  std::vector<KeyMatch> out;
  Stmt& s = impl_->match;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string blob = Blob(KeyDigest(key, table, keys[i]));
    DPO_RETURN_IF_ERROR(impl_->Prepare(
        s, "SELECT t.table_hmac, s.key_hmac, s.rule, s.action, s.date, s.key_id "
           "FROM tombstones s JOIN ledger_tables t ON t.id = s.table_id WHERE s.key_hmac = ?1 ORDER BY s.date"));
    sqlite3_bind_blob(s.get(), 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(KeyMatch{i, Impl::Read(s.get())});
    sqlite3_reset(s.get());
    if (rc != SQLITE_DONE) return impl_->Error("looking up tombstones", rc);
  }
  return out;
}

Status Ledger::ForEachInTable(const util::SecretKey& key, const std::string& table,
                              const std::function<Status(const Tombstone&)>& fn) {
  std::string blob = Blob(TableDigest(key, table));
  // Its own statement, not the cached one: `fn` may call Match or Contains.
  Stmt s;
  int rc = sqlite3_prepare_v2(impl_->db,
                              "SELECT t.table_hmac, s.key_hmac, s.rule, s.action, s.date, s.key_id "
                              "FROM tombstones s JOIN ledger_tables t ON t.id = s.table_id WHERE t.table_hmac = ?1",
                              -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return impl_->Error("reading tombstones", rc);
  sqlite3_bind_blob(s.get(), 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) DPO_RETURN_IF_ERROR(fn(Impl::Read(s.get())));
  if (rc != SQLITE_DONE) return impl_->Error("reading tombstones", rc);
  return Status::Ok();
}

Result<std::vector<Tombstone>> Ledger::ForTable(const util::SecretKey& key, const std::string& table) {
  std::vector<Tombstone> out;
  DPO_RETURN_IF_ERROR(ForEachInTable(key, table, [&](const Tombstone& t) {
    out.push_back(t);
    return Status::Ok();
  }));
  return out;
}

Result<int64_t> Ledger::Count() {
  Stmt s;
  int rc = sqlite3_prepare_v2(impl_->db, "SELECT count(*) FROM tombstones", -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return impl_->Error("counting tombstones", rc);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return impl_->Error("counting tombstones", rc);
  return sqlite3_column_int64(s.get(), 0);
}

}  // namespace dpo::plan
