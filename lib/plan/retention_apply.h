// Applying a reviewed retention plan: one transaction, all of it or none.
//
// Before anything is written, inside the transaction, every step is counted
// again and the digest of its keys recomputed: a plan whose data changed
// since (or whose policy file changed: a different SHA-256) is refused as
// stale (StatusCode::kConflict) with what changed. Limits refuse a plan that
// would change more than max_rows rows, or more than max_percent of any
// table: a wrong clock or a bad rule must not wipe a database.
//
// Each affected row's key is streamed into the erasure ledger (a keyed hash,
// never the key) and into the audit entry's keyed digest. Order of commits:
// ledger first, then the data; a crash in between leaves tombstones for rows
// that still exist, which a ledger replay erases again (harmless). The audit
// log is written ahead (ApplyAudit): an intent entry before the ledger's
// commit, then one entry per step after the data's commit, or an
// `abandoned` entry when the apply rolls back after its intent. A kill
// between the commit and the step entries leaves the intent unfinished,
// which `dpo audit verify` lists.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "plan/retention_plan.h"
#include "source/source.h"
#include "util/keyed_hash.h"
#include "util/status.h"

namespace dpo::plan {

struct ApplyOptions {
  bool dry_run = false;
  int64_t max_rows = -1;       // refuse a plan changing more rows in all; -1: no limit
  double max_percent = 50;     // refuse changing more than this share of any table (0-100)
  std::string policy_sha256;   // the policy file as it is now; empty: not checked
  std::vector<std::pair<std::string, source::ForeignKey>> declared;  // relations the policy declares
  const util::SecretKey* key = nullptr;  // needed for a ledger, keyed digests in the audit log and pseudonyms
  std::string ledger_path;     // empty: no ledger
  std::string audit_log;       // empty: no audit log
  std::string command = "retention apply";
  // Set (by a SIGINT/SIGTERM handler) to stop: checked up to the last moment
  // before the commit, when the apply rolls back and changes nothing; from the
  // commit on it is ignored until the audit log has every entry, so that a
  // stop never leaves committed changes the audit log does not record.
  const std::atomic<bool>* cancel = nullptr;
};

struct AppliedStep {
  std::string rule;
  std::string table;
  std::string action;
  int depth = 0;
  int64_t planned = 0;
  int64_t rows = 0;
};

struct ApplyReport {
  bool dry_run = false;
  std::vector<AppliedStep> steps;
  int64_t total = 0;
  int64_t ledger_entries = 0;
  int64_t audit_entries = 0;
};

// True when applying `plan` needs the secret key for its own sake: a step
// writes keyed pseudonyms (anonymise in place of a NOT NULL or UNIQUE
// column). Without ApplyOptions::key such a plan is refused before anything
// changes.
bool NeedsKey(const RetentionPlan& plan);

Result<ApplyReport> ApplyRetentionPlan(const RetentionPlan& plan, source::Source& source, const ApplyOptions& options);

}  // namespace dpo::plan
