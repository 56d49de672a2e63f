#include "report/retention_report.h"

#include <sstream>

#include "report/skipped_rows.h"
#include "util/message.h"

namespace dpo::report {
namespace {

std::string Rows(int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

// Rows the plan could not see (--skip-bad-rows), for the reviewer.
std::string SkippedText(const plan::RetentionPlan& plan) {
  std::string out;
  for (const source::SkippedRows& s : plan.skipped)
    out += "\nnot read: " + util::EscapeForMessage(s.table, 256) + ": " +
           SkippedRowsSentence(s.count, s.first_lines) +
           "; the plan does not cover them (apply leaves them as they are): repair them and plan again\n";
  return out;
}

std::string HoldsText(const plan::RulePlan& r) {
  std::string out;
  for (const plan::HoldCount& h : r.holds)
    if (h.rows > 0)
      out += (out.empty() ? "" : ", ") + Rows(h.rows) +
             (h.parent.empty() ? " kept by legal hold " + h.name : " kept with their " + h.parent + " row under a legal hold");
  if (r.kept_for_children > 0)
    out += (out.empty() ? "" : ", ") + Rows(r.kept_for_children) + " kept because rows that point at them must stay";
  if (r.undated > 0)
    out += (out.empty() ? "" : ", ") + Rows(r.undated) + " without a date to count from (never expire by this rule)";
  return out;
}

}  // namespace

// An erasure plan: per table what goes and what is kept, and why (the
// exceptions the admin tells the data subject about).
static std::string RenderErasureText(const plan::RetentionPlan& plan, bool show_sql) {
  std::ostringstream out;
  std::string keys;
  for (const std::string& k : plan.subject_keys) keys += (keys.empty() ? "" : ", ") + k;
  out << "erasure plan for " << util::EscapeForMessage(plan.source, 512) << " (subject by "
      << util::EscapeForMessage(keys, 512) << ") as of " << plan.as_of << " (policy "
      << util::EscapeForMessage(plan.policy_file, 512) << ", sha256 " << plan.policy_sha256.substr(0, 12) << ")\n\n";
  int64_t kept = 0;
  for (const plan::RulePlan& r : plan.rules) {
    out << "  " << r.table << ": erase " << Rows(r.to_act) << "\n";
    for (const plan::HoldCount& h : r.holds) {
      out << "      keep " << Rows(h.rows) << ": " << util::EscapeForMessage(h.name, 1024) << "\n";
      kept += h.rows;
    }
    if (!r.note.empty()) out << "      note: " << util::EscapeForMessage(r.note, 1024) << "\n";
  }
  if (plan.rules.empty()) out << "  no rows of this subject were found: nothing to erase\n";
  out << "\nsteps, in the order they run (one transaction):\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const plan::PlanStep& s = plan.steps[i];
    out << "  " << (i + 1) << ". " << s.action << " " << Rows(s.rows) << " of " << s.table;
    if (!s.via.empty()) out << "  (" << s.via << ")";
    out << "\n";
    if (show_sql) out << "       " << util::EscapeForMessage(s.sql, 1 << 20) << ";\n";
  }
  if (!plan.index_advice.empty()) {
    out << "\nindexes: these lookups have no index; on a large table each is a full scan:\n";
    for (const plan::IndexAdvice& a : plan.index_advice)
      out << "  " << util::EscapeForMessage(a.sql, 4096) << ";  -- " << util::EscapeForMessage(a.reason, 512) << "\n";
  }
  out << SkippedText(plan);
  out << "\n" << Rows(plan.TotalRows()) << " in " << plan.steps.size() << " step(s); " << Rows(kept)
      << " kept (see 'keep' above: tell the data subject what was kept and why). Nothing has changed yet: review, "
         "then 'dpo erase apply PLAN.json SOURCE'.\n";
  return out.str();
}

std::string RenderPlanText(const plan::RetentionPlan& plan, bool show_sql) {
  if (plan.kind == "erasure") return RenderErasureText(plan, show_sql);
  std::ostringstream out;
  out << "retention plan for " << util::EscapeForMessage(plan.source, 512) << " as of " << plan.as_of
      << " (policy " << util::EscapeForMessage(plan.policy_file, 512) << ", sha256 " << plan.policy_sha256.substr(0, 12)
      << ")\n\n";
  int blocked = 0;
  for (const plan::RulePlan& r : plan.rules) {
    out << (r.blocked.empty() ? "  " : "! ") << r.rule << ": " << r.action << " " << r.table << " older than "
        << r.keep << " after " << r.after_column << " (before " << r.cutoff << "): ";
    if (!r.blocked.empty()) {
      ++blocked;
      out << "BLOCKED: " << util::EscapeForMessage(r.blocked, 1024) << "\n";
      continue;
    }
    out << Rows(r.to_act);
    std::string holds = HoldsText(r);
    if (!holds.empty()) out << "; " << holds;
    out << "\n";
  }
  out << "\nsteps, in the order they run (one transaction):\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const plan::PlanStep& s = plan.steps[i];
    out << "  " << (i + 1) << ". " << std::string(static_cast<size_t>(s.depth) * 2, ' ') << s.action << " "
        << Rows(s.rows) << " of " << s.table;
    if (!s.via.empty()) out << "  (with their " << s.via << ")";
    out << "  [" << s.rule << "]";
    if (!s.example_keys.empty()) {
      out << "  e.g. " << s.key_columns[0] << (s.key_columns.size() > 1 ? "..." : "") << " ";
      for (size_t k = 0; k < s.example_keys.size(); ++k)
        out << (k ? ", " : "") << util::EscapeForMessage(s.example_keys[k], 64);
    }
    out << "\n";
    if (show_sql) out << "       " << util::EscapeForMessage(s.sql, 1 << 20) << ";\n";
  }
  if (!plan.index_advice.empty()) {
    out << "\nindexes: these lookups have no index; on a large table each is a full scan:\n";
    for (const plan::IndexAdvice& a : plan.index_advice)
      out << "  " << util::EscapeForMessage(a.sql, 4096) << ";  -- " << util::EscapeForMessage(a.reason, 512) << "\n";
  }
  out << SkippedText(plan);
  out << "\n" << Rows(plan.TotalRows()) << " in " << plan.steps.size() << " step(s)";
  if (blocked > 0) out << "; " << blocked << " rule(s) blocked (see '!' above)";
  out << ". Nothing has changed yet: review, then 'dpo retention apply PLAN.json SOURCE'.\n";
  return out.str();
}

std::string RenderPlanMarkdown(const plan::RetentionPlan& plan) {
  std::ostringstream out;
  if (plan.kind == "erasure") {
    out << "# Erasure plan\n\nSource `" << util::EscapeForMessage(plan.source, 512) << "`, as of " << plan.as_of
        << ", policy `" << util::EscapeForMessage(plan.policy_file, 512) << "` (sha256 `"
        << plan.policy_sha256.substr(0, 12) << "`).\n\n| table | erased | kept, and why |\n|---|---|---|\n";
    for (const plan::RulePlan& r : plan.rules) {
      std::string kept;
      for (const plan::HoldCount& h : r.holds)
        kept += (kept.empty() ? "" : "; ") + Rows(h.rows) + ": " + util::EscapeForMessage(h.name, 1024);
      out << "| " << r.table << " | " << r.to_act << " | " << kept << " |\n";
    }
    out << "\n## Steps\n\n";
    for (size_t i = 0; i < plan.steps.size(); ++i)
      out << (i + 1) << ". " << plan.steps[i].action << " " << Rows(plan.steps[i].rows) << " of `" << plan.steps[i].table
          << "`\n";
    return out.str();
  }
  out << "# Retention plan\n\nSource `" << util::EscapeForMessage(plan.source, 512) << "`, as of " << plan.as_of
      << ", policy `" << util::EscapeForMessage(plan.policy_file, 512) << "` (sha256 `" << plan.policy_sha256.substr(0, 12)
      << "`).\n\n| rule | action | table | period | rows | kept |\n|---|---|---|---|---|---|\n";
  for (const plan::RulePlan& r : plan.rules)
    out << "| " << r.rule << " | " << r.action << " | " << r.table << " | " << r.keep << " after " << r.after_column
        << " | " << (r.blocked.empty() ? std::to_string(r.to_act) : "blocked: " + util::EscapeForMessage(r.blocked, 512))
        << " | " << HoldsText(r) << " |\n";
  if (!plan.index_advice.empty()) {
    out << "\n## Indexes\n\nThese lookups have no index; on a large table each is a full scan.\n\n```sql\n";
    for (const plan::IndexAdvice& a : plan.index_advice)
      out << util::EscapeForMessage(a.sql, 4096) << ";  -- " << util::EscapeForMessage(a.reason, 512) << "\n";
    out << "```\n";
  }
  out << "\n## Steps\n\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const plan::PlanStep& s = plan.steps[i];
    out << (i + 1) << ". " << s.action << " " << Rows(s.rows) << " of `" << s.table << "`"
        << (s.via.empty() ? "" : " (via " + s.via + ")") << "\n\n   ```sql\n   "
        << util::EscapeForMessage(s.sql, 1 << 20) << ";\n   ```\n";
  }
  return out.str();
}

std::string RenderApplyText(const plan::ApplyReport& report) {
  std::ostringstream out;
  for (const plan::AppliedStep& s : report.steps)
    out << "  " << std::string(static_cast<size_t>(s.depth) * 2, ' ') << s.action << " " << Rows(s.rows) << " of "
        << s.table << "  [" << s.rule << "]" << (s.rows != s.planned ? "  (planned " + std::to_string(s.planned) + ")" : "")
        << "\n";
  out << (report.dry_run ? "dry run: would change " : "changed ") << Rows(report.total) << " in "
      << report.steps.size() << " step(s)" << (report.dry_run ? "; rolled back, nothing was changed" : "");
  if (report.ledger_entries > 0) out << "; " << report.ledger_entries << " ledger entries";
  if (report.audit_entries > 0) out << "; " << report.audit_entries << " audit entries";
  out << "\n";
  return out.str();
}

}  // namespace dpo::report
