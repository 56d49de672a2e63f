// dpo retention plan | apply | sweep: the retention sweep, planned, reviewed
// and applied in one transaction (lib/plan), with the erasure ledger and the
// audit log.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "dpo/version.h"
#include "plan/plan_json.h"
#include "plan/retention_apply.h"
#include "plan/retention_plan.h"
#include "relations/policy_relations.h"
#include "report/retention_report.h"
#include "plan_apply.h"
#include "sweep_lock.h"
#include "util/duration.h"
#include "util/keyed_hash.h"

namespace dpo::cmd {
namespace {

struct PlanArgs {
  std::string policy;
  std::string source;
  std::string as_of;
  std::string out;
  std::string format = "text";
  bool force = false;
  bool sql = true;
  SourceFlags source_flags;
};

Result<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot read the " + std::string(what) + ": " + std::strerror(errno),
                                StatusCode::kNotFound);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<util::Date> AsOf(const std::string& text) {
  if (text.empty()) return util::Today();
  Result<util::Date> d = util::ParseIsoDate(text);
  if (!d.ok()) return d.status().WithContext("--as-of");
  return d;
}

Result<plan::RetentionPlan> MakePlan(const std::string& policy_path, const policy::Policy& policy,
                                     source::Source& src, const std::string& as_of_text) {
  Result<util::Date> as_of = AsOf(as_of_text);
  if (!as_of.ok()) return as_of.status();
  Result<std::string> bytes = ReadFile(policy_path, "policy");
  if (!bytes.ok()) return bytes.status();
  plan::PlanOptions options;
  options.as_of = *as_of;
  options.policy_sha256 = util::Sha256Hex(*bytes);
  options.tool_version = DPO_VERSION;
  return plan::MakeRetentionPlan(policy, src, options);
}

int RunPlan(const PlanArgs& args) {
  if (args.format != "text" && args.format != "json" && args.format != "markdown")
    return ReportError(Status::Error("--format: use text, json or markdown"));
  Result<util::OutputTarget> output = CheckOutput(args.out, args.force, InputsOf(args.source, args.policy), "--out");
  if (!output.ok()) return ReportError(output.status());
  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return ReportError(policy.status());
  auto src = OpenSourceWithFlags(args.source, args.source_flags, true);
  if (!src.ok()) return ReportError(src.status());
  Result<plan::RetentionPlan> made = MakePlan(args.policy, *policy, **src, args.as_of);
  if (!made.ok()) return ReportError(made.status());
  std::string json = plan::PlanToJson(*made);
  if (output->kind != util::OutputKind::kStdout) {
    // The plan holds no personal data (keys only where they are not), but it
    // describes the database: owner-only like every other output.
    Status written = WriteOutput(*output, json);
    if (!written.ok()) return ReportError(written);
  }
  if (args.format == "json") {
    if (output->kind == util::OutputKind::kStdout) std::cout << json;
  } else if (args.format == "markdown") {
    std::cout << report::RenderPlanMarkdown(*made);
  } else {
    std::cout << report::RenderPlanText(*made, args.sql);
  }
  if (output->kind == util::OutputKind::kRegularFile)
    std::cerr << "dpo: wrote the plan to " << args.out << "; apply it with 'dpo retention apply " << args.out << " "
              << args.source << (plan::NeedsKey(*made) ? " --key-file FILE' (it writes keyed pseudonyms)" : "'")
              << "\n";
  return kExitOk;
}

// The key, when a ledger, the plan (keyed pseudonyms) or the user asks for one.
Result<std::optional<util::SecretKey>> KeyIfNeeded(const ApplyArgs& args, const plan::RetentionPlan& plan) {
  bool pseudonyms = plan::NeedsKey(plan);
  // An empty DPO_KEY is no key (a cron environment that sets it blank).
  const char* env_key = std::getenv("DPO_KEY");
  bool wanted = pseudonyms || !args.ledger.empty() || !args.key_file.empty() || (env_key != nullptr && *env_key != 0);
  if (!wanted) return std::optional<util::SecretKey>();
  Result<util::SecretKey> key = util::SecretKey::Load(args.key_file);
  if (!key.ok())
    return pseudonyms ? key.status().WithContext("the plan writes keyed pseudonyms (anonymise of NOT NULL or "
                                                 "UNIQUE columns)")
                      : key.status();
  return std::optional<util::SecretKey>(std::move(*key));
}

int ApplyLoaded(const plan::RetentionPlan& plan, const policy::Policy& policy, const std::string& policy_sha256,
                source::Source& src, const ApplyArgs& args, const char* command) {
  Result<std::optional<util::SecretKey>> key = KeyIfNeeded(args, plan);
  if (!key.ok()) return ReportError(key.status());
  plan::ApplyOptions options;
  options.dry_run = args.dry_run;
  options.max_rows = args.max_rows;
  options.max_percent = args.max_percent;
  options.policy_sha256 = policy_sha256;
  options.declared = relations::PolicyRelations(policy);
  options.key = key->has_value() ? &**key : nullptr;
  options.ledger_path = args.ledger;
  options.audit_log = args.audit_log;
  options.command = command;
  Result<plan::ApplyReport> applied = plan::ApplyRetentionPlan(plan, src, options);
  if (!applied.ok()) return ReportError(applied.status());
  bool blocked = false;
  for (const plan::RulePlan& r : plan.rules) blocked |= !r.blocked.empty();
  if (!args.quiet || args.verbose || args.dry_run) std::cout << report::RenderApplyText(*applied);
  if (blocked) {
    for (const plan::RulePlan& r : plan.rules)
      if (!r.blocked.empty()) ReportWarning("rule " + r.rule + " was not applied: " + r.blocked);
    return kExitFindings;
  }
  return kExitOk;
}

}  // namespace

int RunApply(const ApplyArgs& args, const char* command, const char* kind) {
  Result<std::string> text = ReadFile(args.plan, "plan");
  if (!text.ok()) return ReportError(text.status());
  Result<plan::RetentionPlan> loaded = plan::PlanFromJson(*text, args.plan);
  if (!loaded.ok()) return ReportError(loaded.status());
  if (loaded->kind != kind)
    return ReportError(Status::Error(args.plan + " is " + (loaded->kind == "erasure" ? "an erasure" : "a retention") +
                                     " plan; apply it with 'dpo " + (loaded->kind == "erasure" ? "erase" : "retention") +
                                     " apply'"));
  std::string policy_path = args.policy.empty() ? loaded->policy_file : args.policy;
  Result<policy::Policy> policy = LoadPolicyForUse(policy_path);
  if (!policy.ok()) return ReportError(policy.status().WithContext("the policy of the plan (pass --policy)"));
  Result<std::string> bytes = ReadFile(policy_path, "policy");
  if (!bytes.ok()) return ReportError(bytes.status());
  auto src = OpenSourceWithFlags(args.source, args.source_flags, false);
  if (!src.ok()) return ReportError(src.status());
  if ((*src)->DisplayName() != loaded->source)
    ReportWarning("the plan was made for " + loaded->source + " and is applied to " + (*src)->DisplayName() +
                  "; its counts and key digests are checked before anything changes");
  return ApplyLoaded(*loaded, *policy, util::Sha256Hex(*bytes), **src, args, command);
}

namespace {

int RunSweep(const ApplyArgs& args) {
  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return ReportError(policy.status());
  Result<std::string> bytes = ReadFile(args.policy, "policy");
  if (!bytes.ok()) return ReportError(bytes.status());
  auto src = OpenSourceWithFlags(args.source, args.source_flags, false);
  if (!src.ok()) return ReportError(src.status());
  SweepLock lock;
  Status locked = lock.Acquire(args.source, (*src)->DisplayName());
  if (!locked.ok()) return ReportError(locked);
  Result<plan::RetentionPlan> made = MakePlan(args.policy, *policy, **src, args.as_of);
  if (!made.ok()) return ReportError(made.status());
  ApplyArgs quiet = args;
  quiet.quiet = !args.verbose;
  return ApplyLoaded(*made, *policy, util::Sha256Hex(*bytes), **src, quiet, "retention sweep");
}

}  // namespace

void AddApplyFlags(CLI::App* sub, ApplyArgs* args) {
  sub->add_flag("--dry-run", args->dry_run, "Execute inside a transaction, report the counts, roll back");
  sub->add_option("--max-rows", args->max_rows, "Refuse when the plan changes more rows than this");
  sub->add_option("--max-percent", args->max_percent,
                  "Refuse when the plan changes more than this percentage of any table (default 50)")
      ->check(CLI::Range(0.0, 100.0));
  sub->add_option("--ledger", args->ledger, "Erasure ledger (SQLite file, created 0600): a keyed hash per erased row");
  sub->add_option("--audit-log", args->audit_log, "Append-only JSON-lines audit log (hash-chained; 'dpo audit verify')");
  sub->add_option("--key-file", args->key_file,
                  "Secret key for the ledger, the audit digests and pseudonyms (else DPO_KEY)");
  AddSourceFlags(sub, &args->source_flags);
}

void RegisterRetention(CLI::App& app, int* exit_code) {
  CLI::App* retention = app.add_subcommand(
      "retention", "Plan, review and apply retention sweeps (delete, anonymise, restrict what has expired)");
  retention->require_subcommand(1);

  auto plan_args = std::make_shared<PlanArgs>();
  CLI::App* plan = retention->add_subcommand(
      "plan", "Evaluate every retention rule in the source (read-only) and write what a sweep would do");
  plan->add_option("-p,--policy", plan_args->policy, "The policy")->required();
  plan->add_option("source", plan_args->source, "SQLite file, CSV directory or postgresql:// URI")->required();
  plan->add_option("--as-of", plan_args->as_of, "Evaluate retention as of YYYY-MM-DD (default: today)");
  plan->add_option("-o,--out", plan_args->out, "Write the plan as JSON to FILE (mode 0600), for 'retention apply'");
  plan->add_flag("--force", plan_args->force, "Overwrite --out if it exists");
  plan->add_option("-f,--format", plan_args->format, "Summary on stdout: text (default), markdown, json");
  plan->add_flag("!--no-sql", plan_args->sql, "Leave the SQL of each step out of the text summary");
  AddSourceFlags(plan, &plan_args->source_flags);
  plan->callback([plan_args, exit_code]() { *exit_code = RunPlan(*plan_args); });

  auto apply_args = std::make_shared<ApplyArgs>();
  CLI::App* apply = retention->add_subcommand(
      "apply", "Apply a reviewed plan in one transaction; refuses a stale plan (data or policy changed)");
  apply->add_option("plan", apply_args->plan, "The plan file 'retention plan --out' wrote")->required();
  apply->add_option("source", apply_args->source, "The source the plan was made for")->required();
  apply->add_option("-p,--policy", apply_args->policy, "The policy (default: the file the plan names)");
  apply->add_flag("-q,--quiet", apply_args->quiet, "Print nothing on success");
  AddApplyFlags(apply, apply_args.get());
  apply->callback([apply_args, exit_code]() { *exit_code = RunApply(*apply_args, "retention apply", "retention"); });

  auto sweep_args = std::make_shared<ApplyArgs>();
  CLI::App* sweep = retention->add_subcommand(
      "sweep", "Plan and apply in one, for cron: silent on success, one line and a non-zero exit on failure");
  sweep->add_option("-p,--policy", sweep_args->policy, "The policy")->required();
  sweep->add_option("source", sweep_args->source, "SQLite file, CSV directory or postgresql:// URI")->required();
  sweep->add_option("--as-of", sweep_args->as_of, "Evaluate retention as of YYYY-MM-DD (default: today)");
  sweep->add_flag("-v,--verbose", sweep_args->verbose, "Print what was changed");
  AddApplyFlags(sweep, sweep_args.get());
  sweep->callback([sweep_args, exit_code]() { *exit_code = RunSweep(*sweep_args); });
}

}  // namespace dpo::cmd
