// The erasure ledger: what was erased, kept so that a restored backup can be
// brought back in line ("erasure re-applied after a restore"). A small SQLite
// file (mode 0600) with one tombstone per deleted, anonymised or restricted
// row. A tombstone holds no key and no value: only keyed hashes (HMAC-SHA256
// with the SecretKey) of the table name and of the row's key, plus the rule,
// action, date and the key's id. Without the key nobody can tell whose row it
// was; with it, `ledger replay` recognises the row in a restored backup by
// hashing the backup's keys the same way.
//
// Order of commits, for the caller that erases rows (retention apply):
//   1. in the data transaction, do the writes, but do not commit yet;
//   2. ledger.Begin(); ledger.Record(...) for every affected row; ledger.Commit();
//   3. commit the data transaction.
// A crash (or a failed data commit) between 2 and 3 leaves tombstones for
// rows that still exist. That is harmless: the rows are still due (the next
// sweep plans them again), and a replay erases them again, which is what the
// policy wanted. The other order would be harmful: a crash after the data
// commit but before the ledger commit leaves erased rows without a
// tombstone, and a backup restore would bring them back unnoticed. If step 2
// fails, roll the data transaction back: nothing happened.
// (A replay should still honour the legal holds of the current policy: a
// tombstone says the row was due when it was recorded, not that it is now.)
//
// Recording the same row with the same action again (a second sweep, a
// replay) keeps the first tombstone. One SQLite transaction per
// Begin/Commit; SQLite's locks keep concurrent writers apart (a busy ledger
// is waited for up to 10 s, then kBusy).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/keyed_hash.h"
#include "util/status.h"

namespace dpo::plan {

// A row's key as read from the source: one value per key column, in the
// order of the dataset's key columns; nullopt for NULL. Values must be
// rendered the same way when recording and when replaying (the source's
// text form: 42, not 42.0).
using RowKey = std::vector<std::optional<std::string>>;

// The bytes a row key is hashed as: values joined by the unit separator
// \x1f, NULL as a single \x00.
std::string CanonicalKey(const RowKey& key);

// Lower-case hex HMAC-SHA256 of the table name ("dpo-ledger-table\x1f" +
// table: the prefix keeps table and key hashes apart).
std::string TableHmac(const util::SecretKey& key, std::string_view table);
// Lower-case hex HMAC-SHA256 of a row key within its table: the table name,
// length-prefixed, then CanonicalKey. The same key value in two tables gives
// two unrelated hashes, so a key_hmac alone names one row of one table.
std::string KeyHmac(const util::SecretKey& key, std::string_view table, const RowKey& row_key);

// KeyHmac for many rows of one table: the key and the table name are hashed
// once (util::PrefixedHmac), so a row costs two SHA-256 blocks. Replay hashes
// every row of a restored table with it. Holds key-derived state: keep it no
// longer than the work that needs it; never print it.
class KeyHasher {
 public:
  KeyHasher(const util::SecretKey& key, std::string_view table);
  // The digest of the row key whose CanonicalKey is `canonical`.
  util::Digest OfCanonical(std::string_view canonical) const { return hmac_.Of(canonical); }
  util::Digest Of(const RowKey& row_key) const { return hmac_.Of(CanonicalKey(row_key)); }

 private:
  util::PrefixedHmac hmac_;
};

// The audit log's keys_hmac for a set of rows of one table: a keyed hash of
// the table, the number of rows and the sum (mod 2^256) of their KeyHmacs,
// so it does not depend on the order the rows came in and needs no memory
// per row. Equal sets give equal digests under the same key.
class KeySetHmac {
 public:
  KeySetHmac(const util::SecretKey& key, std::string table);
  void Add(const RowKey& row_key);
  // The same for a row key given as its CanonicalKey bytes.
  void AddCanonical(std::string_view canonical);
  int64_t count() const { return count_; }
  std::string Hex() const;  // lower-case hex

 private:
  const util::SecretKey* key_;
  std::string table_;
  KeyHasher hasher_;
  util::Digest sum_{};
  int64_t count_ = 0;
};

inline constexpr const char* kLedgerActions[] = {"delete", "anonymise", "restrict"};

struct Tombstone {
  std::string table_hmac;  // hex
  std::string key_hmac;    // hex
  std::string rule;
  std::string action;      // "delete", "anonymise" or "restrict"
  std::string date;        // UTC "YYYY-MM-DDTHH:MM:SSZ": when its transaction began
  std::string key_id;      // util::SecretKey::Id() of the key that made the hashes
};

// A row of a batch given to Ledger::Match that has a tombstone.
struct KeyMatch {
  size_t index = 0;  // into the batch
  Tombstone tombstone;
};

// Every tombstone of one table made with one key, in memory, for matching
// all rows of a restored table without a ledger query per row (Ledger::Match
// costs a B-tree lookup per row; this costs a hash-bucket probe). About 48
// bytes per tombstone: load a large table's tombstones in slices
// (Ledger::LoadTable's `max`).
class TableTombstones {
 public:
  struct Entry {
    util::Digest key;    // the tombstone's key_hmac
    uint32_t rule = 0;   // index into rules()
    uint32_t date = 0;   // index into dates()
    uint8_t action = 0;  // index into kLedgerActions
  };

  // The tombstones of the row whose key digest is `key`: none, one, or more
  // (a row anonymised, then deleted), ordered by action.
  std::pair<const Entry*, const Entry*> Find(const util::Digest& key) const;
  // Find for `n` digests at once (a batch of rows), into out[0..n): the
  // same answers, faster, as the memory of all of them is fetched together.
  void FindMany(const util::Digest* keys, size_t n, std::pair<const Entry*, const Entry*>* out) const;

  const std::vector<Entry>& entries() const { return entries_; }  // ordered by (key, action)
  const std::vector<std::string>& rules() const { return rules_; }
  const std::vector<std::string>& dates() const { return dates_; }
  size_t size() const { return entries_.size(); }
  // Whether the table has tombstones after the last one loaded (a slice).
  bool more() const { return more_; }

 private:
  friend class Ledger;
  void Index();  // builds buckets_ once entries_ is complete and sorted
  uint32_t Bucket(const util::Digest& key) const;

  std::vector<Entry> entries_;
  std::vector<std::string> rules_;
  std::vector<std::string> dates_;
  std::vector<uint32_t> buckets_;  // first entry whose digest starts with each prefix of `bits_` bits
  int bits_ = 0;
  bool more_ = false;
};

// What a ledger holds, for `dpo ledger stats`: no hashes, no tables (their
// names are keyed hashes), only what a person can act on.
struct LedgerStat {
  std::string action;
  std::string rule;
  std::string day;     // YYYY-MM-DD (UTC) of the sweep that recorded them
  std::string key_id;  // util::SecretKey::Id() of the key that made the hashes
  int64_t tombstones = 0;
};

class Ledger {
 public:
  // Opens the ledger at `path`. With `create`, a missing file is created
  // (mode 0600) with an empty ledger. Errors: missing without `create`
  // (kNotFound), not an SQLite file or not a dpo ledger (kInvalidArgument),
  // cannot be opened (kIoError).
  static Result<Ledger> Open(const std::string& path, bool create);

  Ledger(Ledger&&) noexcept;
  Ledger& operator=(Ledger&&) noexcept;
  ~Ledger();  // rolls back a transaction that was not committed

  // Starts the write transaction (takes SQLite's write lock at once).
  Status Begin();
  // Adds the tombstone of one row of `table`; only between Begin and
  // Commit. `action` is one of kLedgerActions; `rule` the policy's rule name.
  Status Record(const util::SecretKey& key, const std::string& table, const RowKey& row_key,
                const std::string& rule, const std::string& action);
  // Makes the tombstones durable (synchronous=FULL).
  Status Commit();
  // Drops the tombstones recorded since Begin. Harmless when none is open.
  void Rollback();
  bool in_transaction() const;

  // Whether any tombstone has this key_hmac (hex, as KeyHmac gives it).
  // Indexed: one B-tree lookup.
  Result<bool> Contains(const std::string& key_hmac);
  // For a batch of row keys of `table` (say 1000 rows read from a restored
  // backup), the tombstones that name them, in batch order (a row both
  // anonymised and later deleted has two). One indexed lookup per row.
  Result<std::vector<KeyMatch>> Match(const util::SecretKey& key, const std::string& table,
                                      const std::vector<RowKey>& keys);
  // Every tombstone of `table` made with this key, streamed; `fn` returning
  // an error stops the walk and returns it.
  Status ForEachInTable(const util::SecretKey& key, const std::string& table,
                        const std::function<Status(const Tombstone&)>& fn);
  // The same, collected (small tables, tests).
  Result<std::vector<Tombstone>> ForTable(const util::SecretKey& key, const std::string& table);
  // Number of tombstones in the ledger.
  Result<int64_t> Count();
  // Number of tombstones of `table` made with this key (an indexed count).
  Result<int64_t> CountInTable(const util::SecretKey& key, const std::string& table);
  // The tombstones of `table` made with this key, in key_hmac order: at most
  // `max` rows (0: all), then the rest of the last row's actions; starting
  // after the digest `after` (nullptr: from the first). A slice tells
  // whether more() follow; pass the last entry's key as the next `after`.
  // `whole_ledger`: read every tombstone in key order and skip other
  // tables' (one sequential pass, 5x cheaper per row: for a table that holds
  // a good share of the ledger, say a quarter); else use the table's index
  // (a lookup per row).
  Result<TableTombstones> LoadTable(const util::SecretKey& key, const std::string& table, size_t max,
                                    const util::Digest* after, bool whole_ledger = false);
  // Whether any tombstone was made with the key of this id
  // (util::SecretKey::Id()). Stops at the first.
  Result<bool> HasKeyId(const std::string& key_id);
  // Tombstones per key id, most first: which keys made this ledger. Reads
  // every tombstone.
  Result<std::vector<std::pair<std::string, int64_t>>> CountByKeyId();
  // Tombstones per action, rule, day and key id, in that order.
  Result<std::vector<LedgerStat>> Stats();
  // Number of tables with tombstones (under any key).
  Result<int64_t> CountTables();

  const std::string& path() const;

 private:
  struct Impl;
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dpo::plan
