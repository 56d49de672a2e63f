#include "plan/ledger.h"
#include "util/duration.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
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

// What a row key's HMAC starts with: the rest is CanonicalKey.
std::string KeyPrefix(std::string_view table) { return "dpo-ledger-key\x1f" + LengthPrefixed(table); }

util::Digest KeyDigest(const util::SecretKey& key, std::string_view table, const RowKey& row_key) {
  return util::HmacSha256(key, KeyPrefix(table) + CanonicalKey(row_key));
}

// A TEXT column as a string; "" for NULL. The schema says NOT NULL, but a
// ledger is a file a user names: a damaged or hand-edited one may hold NULLs
// anywhere, and std::string(nullptr) would abort the process.
std::string ColumnText(sqlite3_stmt* s, int column) {
  const unsigned char* t = sqlite3_column_text(s, column);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s, column)))
           : std::string();
}

int ActionIndex(std::string_view action) {
  for (size_t i = 0; i < std::size(kLedgerActions); ++i)
    if (action == kLedgerActions[i]) return static_cast<int>(i);
  return -1;
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

KeyHasher::KeyHasher(const util::SecretKey& key, std::string_view table) : hmac_(key, KeyPrefix(table)) {}

KeySetHmac::KeySetHmac(const util::SecretKey& key, std::string table)
    : key_(&key), table_(std::move(table)), hasher_(key, table_) {}

void KeySetHmac::Add(const RowKey& row_key) { AddCanonical(CanonicalKey(row_key)); }

void KeySetHmac::AddCanonical(std::string_view canonical) {
  util::Digest d = hasher_.OfCanonical(canonical);
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
  // What Record needs per table, hashed once per transaction (the key must
  // outlive the transaction: it is recognised by its address).
  struct Recording {
    const util::SecretKey* key;
    int64_t table_id;
    KeyHasher hasher;
    std::string key_id;
  };
  std::unordered_map<std::string, Recording> recording;  // by table name

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
    t.rule = ColumnText(s, 2);
    t.action = ColumnText(s, 3);
    t.date = ColumnText(s, 4);
    t.key_id = ColumnText(s, 5);
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
                           "'), ('version', '" + kVersion + "'), ('created', '" + util::NowUtc() + "')";
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
      std::string name = ColumnText(meta.get(), 0);
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

namespace {

// A new ledger is made complete or not at all: its schema is written to
// "PATH.new-PID-XXXXXX" beside it (0600), which is then linked into place.
// Creating it in place left, after a kill or a full disk between the
// open() and the schema, an empty file that every later replay and stats
// refused as "not a dpo erasure ledger". What a killed creator left (its
// pid gone) is removed by the next one.
void RemoveStaleNewLedgers(const std::string& path) {
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  std::string prefix = (path.find('/') == std::string::npos ? path : path.substr(path.rfind('/') + 1)) + ".new-";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    size_t end = prefix.size();
    while (end < name.size() && name[end] >= '0' && name[end] <= '9') ++end;
    if (end == prefix.size() || end - prefix.size() > 9 || end >= name.size() || name[end] != '-') continue;
    pid_t pid = static_cast<pid_t>(std::stol(name.substr(prefix.size(), end - prefix.size())));
    if (pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH) continue;
    unlink((dir + "/" + name).c_str());
  }
  closedir(d);
}

}  // namespace

Result<Ledger> Ledger::Open(const std::string& path, bool create) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return Status::Error(path + ": cannot open the erasure ledger: " + std::strerror(errno), StatusCode::kIoError);
    if (!create)
      return Status::Error(path + ": no such erasure ledger; check the path (it is created by 'dpo retention apply')",
                           StatusCode::kNotFound);
    RemoveStaleNewLedgers(path);
    // mkstemp makes it 0600, so that SQLite (and its journal, which copies
    // the database's mode) never makes it readable by others.
    std::string tmp = path + ".new-" + std::to_string(getpid()) + "-XXXXXX";
    int fd = mkstemp(tmp.data());
    if (fd < 0)
      return Status::Error(path + ": cannot create the erasure ledger: " + std::strerror(errno) +
                               "; check the directory exists and is writable",
                           StatusCode::kIoError);
    close(fd);
    Status made;
    {
      Impl fresh;
      fresh.path = path;
      int rc = sqlite3_open_v2(tmp.c_str(), &fresh.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
      made = rc == SQLITE_OK ? fresh.Exec("PRAGMA synchronous = FULL", "creating the ledger")
                             : fresh.Error("cannot create", rc);
      if (made.ok()) made = fresh.CheckOrCreateSchema(true);
    }  // closed: all of it is in the file
    // link() never replaces: a ledger another run made meanwhile is used as it is.
    if (made.ok() && link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST)
      made = Status::Error(path + ": cannot create the erasure ledger: " + std::strerror(errno), StatusCode::kIoError);
    unlink(tmp.c_str());
    unlink((tmp + "-journal").c_str());
    if (!made.ok()) return made;
    std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
    int dfd = open(dir.empty() ? "/" : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
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
  impl_->tx_date = util::NowUtc();
  impl_->table_ids.clear();
  impl_->recording.clear();
  return Status::Ok();
}

Status Ledger::Record(const util::SecretKey& key, const std::string& table, const RowKey& row_key,
                      const std::string& rule, const std::string& action) {
  if (!impl_->in_tx) return Status::Error("erasure ledger: Record without Begin", StatusCode::kInternal);
  if (std::none_of(std::begin(kLedgerActions), std::end(kLedgerActions), [&](const char* a) { return action == a; }))
    return Status::Error("erasure ledger: action '" + action + "' is not delete, anonymise or restrict",
                         StatusCode::kInternal);
  auto cached = impl_->recording.find(table);
  if (cached == impl_->recording.end() || cached->second.key != &key) {
    Result<int64_t> table_id = impl_->TableId(Blob(TableDigest(key, table)));
    if (!table_id.ok()) return table_id.status();
    impl_->recording.erase(table);
    cached = impl_->recording.emplace(table, Impl::Recording{&key, *table_id, KeyHasher(key, table), key.Id()}).first;
  }
  const Impl::Recording& r = cached->second;
  std::string key_blob = Blob(r.hasher.Of(row_key));
  const std::string& key_id = r.key_id;
  const int64_t* table_id = &r.table_id;

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
  impl_->recording.clear();
  return Status::Ok();
}

void Ledger::Rollback() {
  if (!impl_->in_tx) return;
  sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
  impl_->in_tx = false;
  impl_->table_ids.clear();
  impl_->recording.clear();
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
  KeyHasher hasher(key, table);
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string blob = Blob(hasher.Of(keys[i]));
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

void TableTombstones::Index() {
  // Digests are uniform: a table of 2^bits buckets on their first bits puts
  // about one entry in each, so Find is one probe and a short scan.
  bits_ = 0;
  while (bits_ < 24 && (size_t{1} << bits_) < entries_.size()) ++bits_;
  auto prefix = [this](const util::Digest& d) {
    uint32_t v = (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
    return bits_ == 0 ? 0u : v >> (32 - bits_);
  };
  buckets_.assign((size_t{1} << bits_) + 1, 0);
  size_t e = 0;
  for (size_t b = 0; b < (size_t{1} << bits_); ++b) {
    buckets_[b] = static_cast<uint32_t>(e);
    while (e < entries_.size() && prefix(entries_[e].key) == b) ++e;
  }
  buckets_.back() = static_cast<uint32_t>(entries_.size());
}

namespace {

// A digest as four big-endian words: compared in the order memcmp gives,
// without a call per comparison (Find runs once per row of a restored table).
struct Words {
  uint64_t w[4];
  explicit Words(const util::Digest& d) {
    for (int i = 0; i < 4; ++i) {
      uint64_t v;
      std::memcpy(&v, d.data() + 8 * i, 8);
      w[i] = __builtin_bswap64(v);
    }
  }
  int Compare(const Words& o) const {
    for (int i = 0; i < 4; ++i)
      if (w[i] != o.w[i]) return w[i] < o.w[i] ? -1 : 1;
    return 0;
  }
};

}  // namespace

uint32_t TableTombstones::Bucket(const util::Digest& key) const {
  uint32_t v = (uint32_t{key[0]} << 24) | (uint32_t{key[1]} << 16) | (uint32_t{key[2]} << 8) | key[3];
  return bits_ == 0 ? 0u : v >> (32 - bits_);
}

void TableTombstones::FindMany(const util::Digest* keys, size_t n,
                               std::pair<const Entry*, const Entry*>* out) const {
  if (entries_.empty()) {
    for (size_t i = 0; i < n; ++i) out[i] = {nullptr, nullptr};
    return;
  }
  // A row's lookup is two cache misses (its bucket, then its entry); asked
  // for together, they overlap instead of queueing.
  for (size_t i = 0; i < n; ++i) __builtin_prefetch(&buckets_[Bucket(keys[i])]);
  for (size_t i = 0; i < n; ++i) __builtin_prefetch(entries_.data() + buckets_[Bucket(keys[i])]);
  for (size_t i = 0; i < n; ++i) out[i] = Find(keys[i]);
}

std::pair<const TableTombstones::Entry*, const TableTombstones::Entry*> TableTombstones::Find(
    const util::Digest& key) const {
  if (entries_.empty()) return {nullptr, nullptr};
  uint32_t b = Bucket(key);
  const Entry* first = entries_.data() + buckets_[b];
  const Entry* last = entries_.data() + buckets_[b + 1];
  const Words wanted(key);
  while (first != last && Words(first->key).Compare(wanted) < 0) ++first;
  const Entry* end = first;
  while (end != last && Words(end->key).Compare(wanted) == 0) ++end;
  return {first, end};
}

Result<int64_t> Ledger::CountInTable(const util::SecretKey& key, const std::string& table) {
  std::string blob = Blob(TableDigest(key, table));
  Stmt s;
  int rc = sqlite3_prepare_v2(impl_->db,
                              "SELECT count(*) FROM tombstones WHERE table_id = "
                              "(SELECT id FROM ledger_tables WHERE table_hmac = ?1)",
                              -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return impl_->Error("counting tombstones", rc);
  sqlite3_bind_blob(s.get(), 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return impl_->Error("counting tombstones", rc);
  return sqlite3_column_int64(s.get(), 0);
}

Result<TableTombstones> Ledger::LoadTable(const util::SecretKey& key, const std::string& table, size_t max,
                                          const util::Digest* after, bool whole_ledger) {
  TableTombstones out;
  std::string table_blob = Blob(TableDigest(key, table));
  Stmt id;
  int rc = sqlite3_prepare_v2(impl_->db, "SELECT id FROM ledger_tables WHERE table_hmac = ?1", -1, id.out(), nullptr);
  if (rc != SQLITE_OK) return impl_->Error("reading tombstones", rc);
  sqlite3_bind_blob(id.get(), 1, table_blob.data(), static_cast<int>(table_blob.size()), SQLITE_STATIC);
  rc = sqlite3_step(id.get());
  if (rc == SQLITE_DONE) return out;
  if (rc != SQLITE_ROW) return impl_->Error("reading tombstones", rc);
  int64_t table_id = sqlite3_column_int64(id.get(), 0);

  // Rules and dates repeat (a date per sweep): each is kept once, looked up
  // by its text without making a string per row.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
  };
  using Index = std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>>;
  Index rule_index, date_index;
  auto intern = [](Index& index, std::vector<std::string>& list, sqlite3_stmt* s, int column) {
    const char* text = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
    size_t size = static_cast<size_t>(sqlite3_column_bytes(s, column));
    std::string_view v = text ? std::string_view(text, size) : std::string_view();
    auto it = index.find(v);
    if (it != index.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(list.size());
    list.emplace_back(v);
    index.emplace(std::string(v), id);
    return id;
  };
  // The index tombstones_by_table holds (table_id, key_hmac, action): it
  // gives this table's rows in key order, without a sort.
  auto read = [&](const char* sql, const std::string* from, const std::string* action, int64_t limit,
                  size_t* rows) -> Status {
    Stmt s;
    int rc = sqlite3_prepare_v2(impl_->db, sql, -1, s.out(), nullptr);
    if (rc != SQLITE_OK) return impl_->Error("reading tombstones", rc);
    sqlite3_bind_int64(s.get(), 1, table_id);
    sqlite3_bind_blob(s.get(), 2, from ? from->data() : "", from ? static_cast<int>(from->size()) : 0,
                      SQLITE_STATIC);
    if (action != nullptr)
      sqlite3_bind_text(s.get(), 3, action->data(), static_cast<int>(action->size()), SQLITE_STATIC);
    else
      sqlite3_bind_int64(s.get(), 3, limit);
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      TableTombstones::Entry e;
      if (sqlite3_column_bytes(s.get(), 0) != static_cast<int>(e.key.size()))
        return Status::Error(impl_->path + ": erasure ledger: a tombstone's hash has the wrong size; the file is damaged",
                             StatusCode::kInvalidArgument);
      std::memcpy(e.key.data(), sqlite3_column_blob(s.get(), 0), e.key.size());
      int a = ActionIndex(ColumnText(s.get(), 1));
      if (a < 0)
        return Status::Error(impl_->path + ": erasure ledger: a tombstone has an unknown action; the file is damaged",
                             StatusCode::kInvalidArgument);
      e.action = static_cast<uint8_t>(a);
      e.rule = intern(rule_index, out.rules_, s.get(), 2);
      e.date = intern(date_index, out.dates_, s.get(), 3);
      out.entries_.push_back(e);
      ++*rows;
    }
    return rc == SQLITE_DONE ? Status::Ok() : impl_->Error("reading tombstones", rc);
  };
  // Two ways to this table's rows in key order: the index (then a lookup
  // per row for its rule and date), or the tombstones themselves in key
  // order, skipping other tables' (one sequential pass).
  const bool pass = whole_ledger;
  if (max != 0) out.entries_.reserve(std::min<size_t>(max, 1 << 20));
  std::string from = after ? std::string(reinterpret_cast<const char*>(after->data()), after->size()) : "";
  size_t rows = 0;
  DPO_RETURN_IF_ERROR(read(pass ? "SELECT key_hmac, action, rule, date FROM tombstones WHERE +table_id = ?1 "
                                  "AND key_hmac > ?2 ORDER BY key_hmac, action LIMIT ?3"
                                : "SELECT key_hmac, action, rule, date FROM tombstones WHERE table_id = ?1 "
                                  "AND key_hmac > ?2 ORDER BY key_hmac, action LIMIT ?3",
                           &from, nullptr, max == 0 ? -1 : static_cast<int64_t>(max), &rows));
  if (max != 0 && rows == max) {
    // Complete the last row's actions, so no row is split between slices;
    // then see whether anything follows.
    const TableTombstones::Entry last = out.entries_.back();
    std::string last_key(reinterpret_cast<const char*>(last.key.data()), last.key.size());
    std::string last_action = kLedgerActions[last.action];
    size_t extra = 0;
    DPO_RETURN_IF_ERROR(read("SELECT key_hmac, action, rule, date FROM tombstones WHERE table_id = ?1 "
                             "AND key_hmac = ?2 AND action > ?3 ORDER BY action",
                             &last_key, &last_action, 0, &extra));
    Stmt more;
    rc = sqlite3_prepare_v2(impl_->db, "SELECT 1 FROM tombstones WHERE table_id = ?1 AND key_hmac > ?2 LIMIT 1", -1,
                            more.out(), nullptr);
    if (rc != SQLITE_OK) return impl_->Error("reading tombstones", rc);
    sqlite3_bind_int64(more.get(), 1, table_id);
    sqlite3_bind_blob(more.get(), 2, last_key.data(), static_cast<int>(last_key.size()), SQLITE_STATIC);
    rc = sqlite3_step(more.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return impl_->Error("reading tombstones", rc);
    out.more_ = rc == SQLITE_ROW;
  }
  // The actions of one key come in the order of their names, not of
  // kLedgerActions: sort each key's (short) run.
  auto& entries = out.entries_;
  for (size_t i = 0; i < entries.size();) {
    size_t j = i + 1;
    while (j < entries.size() && entries[j].key == entries[i].key) ++j;
    if (j - i > 1)
      std::sort(entries.begin() + static_cast<std::ptrdiff_t>(i), entries.begin() + static_cast<std::ptrdiff_t>(j),
                [](const TableTombstones::Entry& a, const TableTombstones::Entry& b) { return a.action < b.action; });
    i = j;
  }
  out.Index();
  return out;
}

Result<bool> Ledger::HasKeyId(const std::string& key_id) {
  Stmt s;
  int rc = sqlite3_prepare_v2(impl_->db, "SELECT 1 FROM tombstones WHERE key_id = ?1 LIMIT 1", -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return impl_->Error("looking up a key id", rc);
  sqlite3_bind_text(s.get(), 1, key_id.data(), static_cast<int>(key_id.size()), SQLITE_STATIC);
  rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return impl_->Error("looking up a key id", rc);
}

Result<std::vector<std::pair<std::string, int64_t>>> Ledger::CountByKeyId() {
  Stmt s;
  int rc = sqlite3_prepare_v2(impl_->db,
                              "SELECT key_id, count(*) FROM tombstones GROUP BY key_id ORDER BY count(*) DESC, key_id",
                              -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return impl_->Error("counting tombstones", rc);
  std::vector<std::pair<std::string, int64_t>> out;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
    out.emplace_back(ColumnText(s.get(), 0), sqlite3_column_int64(s.get(), 1));
  if (rc != SQLITE_DONE) return impl_->Error("counting tombstones", rc);
  return out;
}

Result<std::vector<LedgerStat>> Ledger::Stats() {
  Stmt s;
  int rc = sqlite3_prepare_v2(impl_->db,
                              "SELECT action, rule, substr(date, 1, 10) AS day, key_id, count(*) FROM tombstones "
                              "GROUP BY action, rule, day, key_id ORDER BY action, rule, day, key_id",
                              -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return impl_->Error("counting tombstones", rc);
  std::vector<LedgerStat> out;
  auto text = [&](int i) {
    const unsigned char* t = sqlite3_column_text(s.get(), i);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
    out.push_back({text(0), text(1), text(2), text(3), sqlite3_column_int64(s.get(), 4)});
  if (rc != SQLITE_DONE) return impl_->Error("counting tombstones", rc);
  return out;
}

Result<int64_t> Ledger::CountTables() {
  Stmt s;
  int rc = sqlite3_prepare_v2(impl_->db, "SELECT count(DISTINCT table_id) FROM tombstones", -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return impl_->Error("counting tables", rc);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return impl_->Error("counting tables", rc);
  return sqlite3_column_int64(s.get(), 0);
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
