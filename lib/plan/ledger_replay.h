// Ledger replay: bringing a restored backup back in line with the erasure
// ledger. The privacy statements promise it: backups are kept 14 days, and
// after a restore every erasure made since is applied again, so that no data
// comes back that may no longer be held.
//
// A backup taken before a sweep still holds the rows the sweep erased. The
// ledger knows them only by keyed hashes of their keys (ledger.h); replay
// hashes the key of every row of the restored source the same way (the key
// columns apply recorded: KeyColumnsOf) and acts on the rows it finds, as
// their tombstones say:
//  - delete: the row is deleted child-first (cascade.h), as a sweep does:
//    CASCADE children go with it, SET NULL references are unlinked, and a
//    reference the schema says must not lose its parent blocks it (reported;
//    the rest goes ahead). A row with a delete tombstone is only deleted,
//    whatever else its tombstones say, and whatever its rule is now: an
//    erased row stays erased.
//  - anonymise / restrict: the current policy's rule of the tombstone's name
//    is applied to the row (RuleUpdateOp, limited to the rows found), in the
//    order the rules were first recorded. A rule that is no longer in the
//    policy, or that now deletes, is not guessed at: its rows are left and
//    reported (ReplayReport::skipped).
// The current policy's legal holds win (LegalHoldRows: a row's own holds and
// those of a row it belongs to): a tombstone says the row was due when it
// was recorded, not that it is now. A row found under a hold is left and
// counted as held; a row whose children are held is left too.
//
// One source transaction: every table with tombstones is read and matched
// first, then the writes run; all of it commits, or none. The ledger is
// read only: replay adds no tombstones (the ones that found the rows already
// name them; the children a cascade removes go with their parent again at
// the next replay). Idempotent: a second replay finds only rows that are
// gone or already done, and changes nothing. With dry_run, everything runs
// and is rolled back: the counts are the real ones.
//
// The audit log gets one entry per step (rule, table, action, depth): rows
// and the keyed digest of their keys (KeySetHmac), command "ledger replay";
// no key or value.
//
// Tombstones made with another key cannot be matched: a ledger whose
// tombstones were all made with other keys is refused (the wrong key would
// find nothing and say nothing); some made with another key (a rotated key)
// are counted in the report.
//
// Key reuse: a tombstone names a key, not a row. A row inserted after the
// restore that reuses an erased row's key (SQLite reuses the highest rowid)
// would be erased by replay: replay right after the restore, before the
// application writes again.
//
// Cost: one read of the key columns of each table that has tombstones
// (while its tombstones load from the ledger), one keyed hash and one
// in-memory probe per row, on two threads; then set-based statements of
// `chunk_rows` keys each. On SQLite, a run of neighbouring rows found (an
// integer primary key read in order, no row between them) is deleted or
// updated as a range. Memory: the keys of the rows found, plus one slice of
// a table's tombstones (about 48 bytes each, `max_tombstones_in_memory` at a
// time; a larger table is read once per slice), plus up to half a million
// rows read before their slice was there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plan/ledger.h"
#include "policy/policy.h"
#include "source/source.h"
#include "util/duration.h"
#include "util/keyed_hash.h"
#include "util/status.h"

namespace dpo::plan {

struct ReplayOptions {
  bool dry_run = false;
  util::Date as_of;            // legal holds are evaluated as of this day (the caller passes today)
  std::string policy_sha256;   // recorded in the audit log
  std::string audit_log;       // empty: no audit log
  std::string command = "ledger replay";
  int64_t max_rows = -1;       // refuse a replay changing more rows in all; -1: no limit
  double max_percent = 50;     // refuse changing more than this share of any table (0-100)
  size_t chunk_rows = 0;       // keys per statement; 0: 10,000 (SQLite, PostgreSQL), all at once (CSV)
  size_t max_tombstones_in_memory = 2000000;
};

// What replay did to one table of the source.
struct ReplayTable {
  std::string table;
  int64_t tombstones = 0;         // this table's tombstones in the ledger, made with this key
  int64_t found = 0;              // rows of the source that have a tombstone (a row may have two)
  int64_t not_found = 0;          // tombstones that name no row of the source (gone already)
  int64_t deleted = 0;            // rows deleted: found ones, and rows that went with a deleted parent
  int64_t anonymised = 0;
  int64_t restricted = 0;
  int64_t unlinked = 0;           // references set to NULL because the row they point at was deleted
  int64_t held = 0;               // found rows left: a legal hold of the current policy keeps them
  int64_t kept_for_children = 0;  // found rows left: rows that point at them are held
  int64_t already = 0;            // found rows already as their tombstone says (anonymised before)
  int64_t blocked = 0;            // found rows left: see ReplayReport::blocked
  int64_t skipped = 0;            // found rows left: their rule is not in the policy (ReplayReport::skipped)
};

// One operation, as apply reports its steps (the same rule, table, action,
// depth), summed over the chunks it ran in.
struct ReplayStep {
  std::string rule;    // the tombstone's rule
  std::string table;
  std::string action;  // delete | anonymise | restrict | unlink
  int depth = 0;       // 0: rows found in the ledger; 1+: rows that went with them
  std::string via;     // "applications.candidate_id -> candidates"
  int64_t rows = 0;
};

struct ReplayReport {
  bool dry_run = false;
  std::string key_id;                    // util::SecretKey::Id() of the key used
  int64_t ledger_tombstones = 0;         // in the whole ledger
  int64_t other_key_tombstones = 0;      // made with other keys: not matched
  int64_t unknown_table_tombstones = 0;  // made with this key, of tables this source does not have
  std::vector<ReplayTable> tables;       // tables with tombstones, by name
  std::vector<ReplayStep> steps;         // in the order they ran
  std::vector<std::string> blocked;      // what could not be done, and why (no values)
  std::vector<std::string> skipped;      // rules of tombstones the policy no longer has, with rows
  int64_t total = 0;                     // rows changed (deleted, anonymised, restricted, unlinked)
  int64_t audit_entries = 0;
  // Rows of the restored source that could not be read (CSV under
  // --skip-bad-rows): an erased row among them cannot be recognised, so
  // the replay is incomplete. Location and count only.
  std::vector<source::SkippedRows> unread;

  // Something found was left for a reason other than a legal hold, or rows
  // could not be read at all.
  bool incomplete() const { return !blocked.empty() || !skipped.empty() || !unread.empty(); }
};

// Replays `ledger` onto `source` (opened for writing) under `policy`, the
// policy as it is now. Errors (nothing changed): the key made none of the
// ledger's tombstones (kInvalidArgument), the limits (kInvalidArgument),
// the source or the ledger failing (their codes). After the data commit, a
// failed audit append is an error that says the data was committed.
Result<ReplayReport> ReplayLedger(const policy::Policy& policy, source::Source& source, Ledger& ledger,
                                  const util::SecretKey& key, const ReplayOptions& options);

}  // namespace dpo::plan
