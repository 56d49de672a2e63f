#include "plan/retention_apply.h"

#include <algorithm>
#include <map>

#include "anonymise/operators.h"
#include "plan/audit_log.h"
#include "plan/ledger.h"

namespace dpo::plan {
namespace {

// Checked on what the transaction actually did, before it commits: planned
// counts of overlapping rules (a row restricted, then deleted) would add up
// to more than the table holds.
Status CheckLimits(const RetentionPlan& plan, const ApplyReport& report, const ApplyOptions& options) {
  if (options.max_rows >= 0 && report.total > options.max_rows)
    return Status::Error("the plan changes " + std::to_string(report.total) + " rows, more than --max-rows " +
                         std::to_string(options.max_rows) +
                         "; nothing was changed; review the plan, then raise the limit if it is right");
  std::map<std::string, std::pair<int64_t, int64_t>> per_table;  // deleted, updated
  for (const AppliedStep& s : report.steps) {
    auto& [deleted, updated] = per_table[s.table];
    (s.action == "delete" ? deleted : updated) += s.rows;
  }
  for (const auto& [table, counts] : per_table) {
    auto it = plan.table_rows.find(table);
    if (it == plan.table_rows.end() || it->second <= 0) continue;
    int64_t rows = std::max(counts.first, counts.second);
    double percent = 100.0 * static_cast<double>(rows) / static_cast<double>(it->second);
    if (percent > options.max_percent + 1e-9) {
      char share[32];
      std::snprintf(share, sizeof share, "%.1f%%", percent);
      return Status::Error("the plan " + std::string(counts.first >= counts.second ? "deletes " : "changes ") +
                           std::to_string(rows) + " of " + std::to_string(it->second) + " rows of " + table + " (" +
                           share + "), more than --max-percent " + std::to_string(static_cast<int>(options.max_percent)) +
                           "; nothing was changed; check the clock (--as-of) and the rules, then raise the limit if "
                           "it is right");
    }
  }
  return Status::Ok();
}

}  // namespace

bool NeedsKey(const RetentionPlan& plan) {
  for (const PlanStep& s : plan.steps)
    if (anonymise::NeedsKey(s.op)) return true;
  return false;
}

Result<ApplyReport> ApplyRetentionPlan(const RetentionPlan& plan, source::Source& source, const ApplyOptions& options) {
  if (!options.policy_sha256.empty() && !plan.policy_sha256.empty() && options.policy_sha256 != plan.policy_sha256)
    return Status::Error("the plan is stale: the policy " + plan.policy_file + " changed since the plan was made (sha256 " +
                             plan.policy_sha256.substr(0, 12) + " -> " + options.policy_sha256.substr(0, 12) +
                             "); make a new plan",
                         StatusCode::kConflict);
  if (!options.ledger_path.empty() && options.key == nullptr)
    return Status::Error("a ledger needs a key: pass --key-file FILE or set DPO_KEY");
  // Computed assignments (keyed pseudonyms) get their functions now: a plan
  // that pseudonymises without a key, or names an unknown operator, is
  // refused before anything changes.
  std::vector<source::WriteOp> ops;
  ops.reserve(plan.steps.size());
  for (const PlanStep& s : plan.steps) {
    ops.push_back(s.op);
    Status bound = anonymise::BindOperators(&ops.back(), options.key);
    if (!bound.ok())
      return bound.WithContext("rule " + s.rule + " (" + s.action + " " + s.table + "), nothing was changed");
  }
  source.DeclareRelations(options.declared);

  Result<std::unique_ptr<source::Transaction>> tx = source.Begin({.dry_run = options.dry_run});
  if (!tx.ok()) return tx.status();

  // Stale data: count and digest every step again, before any write (one
  // pass over each step's rows gives both).
  std::vector<std::string> changed;
  for (const PlanStep& s : plan.steps) {
    int64_t rows = 0;
    Result<std::string> digest = KeysDigest(source, s.table, s.key_columns, s.op.where, nullptr, 0, &rows);
    if (!digest.ok()) return digest.status();
    const int64_t* n = &rows;
    if (*n != s.rows)
      changed.push_back(s.rule + " (" + s.action + " " + s.table + "): planned " + std::to_string(s.rows) +
                        " rows, now " + std::to_string(*n));
    else if (*digest != s.keys_sha256)
      changed.push_back(s.rule + " (" + s.action + " " + s.table + "): " + std::to_string(*n) +
                        " rows as planned, but not the same rows");
  }
  if (!changed.empty()) {
    std::string what = changed[0];
    if (changed.size() > 1) what += " (and " + std::to_string(changed.size() - 1) + " more step(s))";
    return Status::Error("the plan is stale: the data changed since it was made: " + what +
                             "; nothing was changed; make a new plan and review it",
                         StatusCode::kConflict);
  }

  std::optional<Ledger> ledger;
  if (!options.ledger_path.empty()) {
    Result<Ledger> opened = Ledger::Open(options.ledger_path, true);
    if (!opened.ok()) return opened.status();
    ledger.emplace(std::move(*opened));
    DPO_RETURN_IF_ERROR(ledger->Begin());
  }

  ApplyReport report;
  report.dry_run = options.dry_run;
  std::vector<std::string> digests;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const PlanStep& s = plan.steps[i];
    std::optional<KeySetHmac> keyed;
    if (options.key != nullptr) keyed.emplace(*options.key, s.table);
    // Unlinking a reference is not an erasure of that row: it is counted and
    // audited, not put in the ledger.
    bool record = ledger && s.action != "unlink";
    source::ReturnRows returning{s.key_columns, [&](const std::vector<std::optional<std::string>>& key) -> Status {
                                   if (keyed) keyed->Add(key);
                                   if (record) {
                                     DPO_RETURN_IF_ERROR(ledger->Record(*options.key, s.table, key, s.rule,
                                                                        s.action == "delete" ? "delete" : s.action));
                                     ++report.ledger_entries;
                                   }
                                   return Status::Ok();
                                 }};
    Result<int64_t> n = (*tx)->Execute(ops[i], &returning);
    if (!n.ok()) {
      if (ledger) ledger->Rollback();
      (*tx)->Rollback();
      return n.status().WithContext("rule " + s.rule + ", " + s.action + " " + s.table + " (nothing was changed)");
    }
    report.steps.push_back({s.rule, s.table, s.action, s.depth, s.rows, *n});
    report.total += *n;
    digests.push_back(keyed ? keyed->Hex() : "");
  }

  Status limits = CheckLimits(plan, report, options);
  if (!limits.ok()) {
    if (ledger) ledger->Rollback();
    (*tx)->Rollback();
    return limits;
  }

  // Written ahead: the intent before anything is committed, so that a kill
  // between the commit and the step entries still leaves a trace in the log.
  AuditEntry common;
  common.command = options.command;
  common.policy_sha256 = plan.policy_sha256;
  common.source = source.DisplayName();
  common.dry_run = options.dry_run;
  ApplyAudit audit(options.audit_log, std::move(common));
  auto roll_back = [&](Status why, const std::string& what_failed) -> Status {
    if (ledger) ledger->Rollback();
    (*tx)->Rollback();
    Status abandoned = audit.Abandon(what_failed);
    if (!abandoned.ok())
      return why.WithContext("and the audit log could not record that the apply was abandoned (" +
                             abandoned.message() + ")");
    return why;
  };
  // A plan with no steps changes nothing and has no step entry to close an
  // intent with: it writes none (as before).
  Status intended = report.steps.empty() ? Status::Ok() : audit.Intent(report.total, report.steps.size());
  if (!intended.ok()) {
    if (ledger) ledger->Rollback();
    (*tx)->Rollback();
    return intended.WithContext("the audit log could not be written, so nothing was changed");
  }
  // The last moment a stop request can undo everything.
  if (options.cancel != nullptr && options.cancel->load())
    return roll_back(Status::Error("interrupted before the commit; nothing was changed", StatusCode::kBusy),
                     "not committed: interrupted (SIGINT or SIGTERM) before the commit");
  if (ledger) {
    if (options.dry_run) {
      ledger->Rollback();
      report.ledger_entries = 0;
    } else {
      Status committed = ledger->Commit();
      if (!committed.ok())
        return roll_back(committed.WithContext("the erasure ledger " + options.ledger_path + " (nothing was changed)"),
                         "not committed: the erasure ledger's commit failed");
    }
  }
  Status committed = (*tx)->Commit();
  if (!committed.ok()) {
    // Not `abandoned`: a connection lost during COMMIT may have committed
    // after all, so the intent stays open and `dpo audit verify` lists it.
    // (The ledger's tombstones are committed either way: harmless, see
    // ledger.h.)
    (*tx)->Rollback();
    return committed.WithContext(audit.enabled() && !options.dry_run
                                     ? "the data's commit failed; whether it took effect is not certain (a lost "
                                       "connection), so the audit log's intent for apply " + audit.id() +
                                           " stays open: check the source (plan again) and 'dpo audit verify'"
                                     : "the data's commit failed");
  }

  for (size_t i = 0; i < report.steps.size(); ++i) {
    const AppliedStep& a = report.steps[i];
    AuditEntry e;
    e.rule = a.rule;
    e.table = a.table;
    e.action = a.action;
    e.rows = a.rows;
    e.keys_hmac = digests[i];
    Status appended = audit.Step(std::move(e));
    if (!appended.ok())
      return appended.WithContext(options.dry_run ? "the dry run finished but the audit log could not be written"
                                                  : "the changes were committed but the audit log could not be "
                                                    "written; record this run by hand (the log's intent entry for "
                                                    "apply " + audit.id() + " shows it began)");
  }
  report.audit_entries = audit.appended();
  return report;
}

}  // namespace dpo::plan
