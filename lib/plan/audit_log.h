// The audit log of retention: an append-only file of JSON lines, one entry
// per action taken (or dry-run), each chained to the one before it by a
// SHA-256 hash, so that an entry edited, removed, inserted or moved in place
// is found by VerifyAuditLog (`dpo audit verify LOG`).
//
// What an entry holds: who (user, host), when (UTC), which tool version,
// command, policy (its SHA-256), source (its display name: never a password),
// rule, table, action, row count, and the affected keys only as one keyed
// hash (keys_hmac). Never a key value or any other personal-data value: the
// log is evidence for the supervisory authority and outlives the data.
//
// Format of one line (fixed field order; `dry_run` and `note` only when set):
//   {"seq":1,"time":"2026-11-03T02:00:00Z","user":"dpo","host":"db1",
//    "tool_version":"0.1.0","command":"retention sweep","policy_sha256":"…",
//    "source":"samples/staffing.db","rule":"candidates_2y","table":"candidates",
//    "action":"delete","rows":12,"keys_hmac":"…","dry_run":true,"note":"…",
//    "prev":"…","hash":"…"}
// written compactly (no spaces) on one line ending in "\n".
//
// The chain, exactly:
//  - `hash` is the lower-case hex SHA-256 of the line's own bytes with its
//    final `,"hash":"<64 hex>"}` replaced by `}`: the compact JSON of the
//    entry without its hash field, as it was written. The hash is always the
//    last field, so the check needs no re-serialisation.
//  - `prev` is the lower-case hex SHA-256 of the previous entry's whole line
//    (with its hash field, without the newline). The first entry's `prev` is
//    kAuditGenesis, the SHA-256 of the empty string.
//  - `seq` counts from 1 with no gaps.
//
// What the chain does not do: it holds no secret, so someone who can write
// the file can rebuild every hash after a change, and dropping the last
// entries leaves a valid (shorter) log. To anchor a log, keep its last
// entry's `hash` (and count) somewhere the writer of the log cannot change.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace dpo::plan {

// The `prev` of the first entry: SHA-256 of "".
inline constexpr const char* kAuditGenesis = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct AuditEntry {
  // Set by AppendAudit (whatever the caller put there): seq, time, prev, hash.
  int64_t seq = 0;
  std::string time;  // UTC, "YYYY-MM-DDTHH:MM:SSZ"
  // Filled in by AppendAudit when empty: the effective user's login name
  // (else "uid N"), the host name, DPO_VERSION.
  std::string user;
  std::string host;
  std::string tool_version;
  // The caller's.
  std::string command;        // "retention apply", "retention sweep", "ledger replay"
  std::string policy_sha256;  // util::Sha256Hex of the policy file's bytes
  std::string source;         // Source::DisplayName(): never a connection string with a password
  std::string rule;           // the policy's rule name
  std::string table;
  std::string action;         // "delete", "anonymise", "restrict", or what the command did
  int64_t rows = 0;
  std::string keys_hmac;      // a keyed hash over the affected keys (never the keys themselves)
  bool dry_run = false;       // written only when true
  std::string note;           // written only when not empty; must hold no personal data
  std::string prev;
  std::string hash;
};

// Appends `entry` to the log at `path`, creating it (mode 0600) if missing.
// Opens with O_APPEND, takes an exclusive flock (concurrent appenders, also
// from other processes, queue up), reads the last line to chain seq and
// prev, writes the new line with one write() and fsyncs before returning.
// A short write is cut off again (ftruncate to the old size), so the log
// never keeps half a line from this call.
// Errors (nothing appended): the file cannot be opened, locked, read,
// written or synced (kIoError); it is not a regular file, or its last line
// is not a complete, self-consistent entry (kInvalidArgument: appending to
// a damaged log would hide the damage; the message says to run
// `dpo audit verify`).
Status AppendAudit(const std::string& path, AuditEntry entry);

// An apply's audit trail, written ahead: before its changes are committed, an
// `intent` entry (rows and steps it is about to change, no keys) with a note
// "apply <id>: ..."; after the commit, one entry per step whose note begins
// "apply <id>"; when it is not committed after all, an `abandoned` entry with
// the same id. So a process killed (SIGKILL, power loss) between the commit
// and its step entries still leaves a trace in the log: an intent with no
// outcome, which VerifyAuditLog lists as unfinished. The id is random (16
// hex digits) and says nothing about the data. Dry runs write no intent.
//
// Not thread-safe; one per apply. Appends go through AppendAudit.
class ApplyAudit {
 public:
  // `common`: command, policy_sha256, source and dry_run, copied into every
  // entry. An empty `path` makes every call a no-op (no audit log asked for).
  ApplyAudit(std::string path, AuditEntry common);

  // Appends the intent entry (not for dry runs).
  Status Intent(int64_t rows, size_t steps);
  // Appends one step's outcome entry: `e`'s rule, table, action, rows and
  // keys_hmac; the rest is filled in from `common` and the id.
  Status Step(AuditEntry e);
  // After Intent, when the changes were not committed: appends `abandoned`
  // with `why` (which must hold no personal data: say what failed, not the
  // error text of the database; "not committed: ..." when that is certain). Best effort: a failure is returned but the
  // caller's own error is what matters.
  Status Abandon(const std::string& why);

  const std::string& id() const { return id_; }
  bool enabled() const { return !path_.empty(); }
  int64_t appended() const { return appended_; }

 private:
  std::string path_;
  AuditEntry common_;
  std::string id_;
  bool intent_written_ = false;
  int64_t appended_ = 0;
};

inline constexpr const char* kIntentAction = "intent";
inline constexpr const char* kAbandonedAction = "abandoned";

// An intent entry with no outcome after it (see ApplyAudit).
struct UnfinishedApply {
  int64_t line = 0;  // 1-based line of the intent entry
  int64_t seq = 0;
  std::string time;
  std::string command;
  std::string source;
  int64_t rows = 0;  // the rows the apply was about to change
};

// What VerifyAuditLog found.
struct VerifyReport {
  bool ok = true;
  int64_t entries = 0;    // lines read that were valid and in chain before the first bad one
  int64_t bad_line = 0;   // 1-based number of the first bad line; 0 when ok
  std::string problem;    // what is wrong with it (no value from the line is quoted)
  std::string last_hash;  // `hash` of the last good entry (kAuditGenesis when none)
  // Intents (within the good entries) that no outcome or abandoned entry
  // follows: the apply was stopped between its intent and its outcome, so
  // whether its changes were committed is not in the log. Not a broken
  // chain; a reason to look at the source and the ledger.
  std::vector<UnfinishedApply> unfinished;
};

// Reads the log at `path` line by line (memory flat in its size) and checks
// every line: a complete JSON entry with the fields above, its own hash,
// seq one more than the line before, prev the hash of the line before. The
// first line that fails is reported; a line that is well-formed but not in
// the chain because the line before it was inserted is reported as the
// inserted one. An empty file is a valid log of 0 entries.
// Errors (not a verdict): the file does not exist (kNotFound) or cannot be
// read (kIoError).
Result<VerifyReport> VerifyAuditLog(const std::string& path);

}  // namespace dpo::plan
