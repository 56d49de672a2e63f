// dpo retention plan | apply | sweep: the retention sweep, planned, reviewed
// and applied in one transaction (lib/plan), with the erasure ledger and the
// audit log; dpo retention notices: who to tell before their rows expire.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <csignal>
#include <iostream>
#include <sstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "common.h"
#include "interrupt_guard.h"
#include "flag_checks.h"
#include "dpo/version.h"
#include "plan/notices.h"
#include "plan/plan_json.h"
#include "plan/retention_apply.h"
#include "plan/retention_plan.h"
#include "relations/policy_relations.h"
#include "report/notices_report.h"
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
  bool quiet = false;
  bool verbose = false;
  SourceFlags source_flags;
};

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
  Result<std::string> bytes = ReadInput(policy_path, "policy");
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
  Result<util::OutputTarget> output = CheckOutput(args.out, args.force, InputsOf(args.source, args.policy));
  if (!output.ok()) return ReportError(output.status());
  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return ReportError(policy.status());
  auto src = OpenSourceWithFlags(args.source, args.source_flags, true);
  if (!src.ok()) return ReportError(src.status());
  SkippedRowsWarning skipped_rows(**src);  // on stderr, however the command ends
  Result<plan::RetentionPlan> made = MakePlan(args.policy, *policy, **src, args.as_of);
  if (!made.ok()) return ReportError(made.status());
  std::string json = plan::PlanToJson(*made);
  if (output->kind != util::OutputKind::kStdout) {
    // The plan holds no personal data (keys only where they are not), but it
    // describes the database: owner-only like every other output.
    Status written = WriteOutput(*output, json);
    if (!written.ok()) return ReportError(written);
  }
  // -q: the plan goes only where -o says; no summary, no 'wrote' line.
  if (args.quiet) {
    if (output->kind == util::OutputKind::kStdout && !args.out.empty()) std::cout << json;  // -o -
    return kExitOk;
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
  // SIGINT/SIGTERM during an apply: before the commit it rolls back; after
  // it, the apply finishes writing the audit log first (a kill between the
  // two left committed changes the audit log did not record).
  InterruptGuard interrupt;
  options.cancel = InterruptGuard::flag();
  Result<plan::ApplyReport> applied = plan::ApplyRetentionPlan(plan, src, options);
  interrupt.Restore();
  const int stopped = InterruptGuard::signal_number() == SIGTERM ? kExitTerminated : kExitInterrupted;
  if (!applied.ok()) {
    if (InterruptGuard::interrupted()) {
      std::cerr << "dpo: interrupted; nothing was changed\n";
      return stopped;
    }
    return ReportError(applied.status());
  }
  if (InterruptGuard::interrupted()) {
    std::cerr << "dpo: interrupted after the commit; every change is in the audit log and the ledger\n";
    return stopped;
  }
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
  if (args.plan == "-" && args.policy == "-")
    return ReportError(Status::Error("the plan and --policy are both '-': standard input holds one of them; write "
                                     "the other to a file"));
  Result<std::string> text = ReadInput(args.plan, "plan");
  if (!text.ok()) return ReportError(text.status());
  Result<plan::RetentionPlan> loaded = plan::PlanFromJson(*text, InputName(args.plan));
  if (!loaded.ok()) return ReportError(loaded.status());
  if (loaded->kind != kind)
    return ReportError(Status::Error(InputName(args.plan) + " is " + (loaded->kind == "erasure" ? "an erasure" : "a retention") +
                                     " plan; apply it with 'dpo " + (loaded->kind == "erasure" ? "erase" : "retention") +
                                     " apply'"));
  std::string policy_path = args.policy.empty() ? loaded->policy_file : args.policy;
  Result<policy::Policy> policy = LoadPolicyForUse(policy_path);
  if (!policy.ok()) return ReportError(policy.status().WithContext("the policy of the plan (pass --policy)"));
  Result<std::string> bytes = ReadInput(policy_path, "policy");
  if (!bytes.ok()) return ReportError(bytes.status());
  // The lock of `retention sweep`: two applies (or an apply and a sweep or a
  // replay) never change the same source at once.
  SweepLock lock;
  auto src = lock.OpenLocked(args.source, args.source_flags);
  if (!src.ok()) return ReportError(src.status());
  SkippedRowsWarning skipped_rows(**src);  // on stderr, however the command ends
  if ((*src)->DisplayName() != loaded->source)
    ReportWarning("the plan was made for " + loaded->source + " and is applied to " + (*src)->DisplayName() +
                  "; its counts and key digests are checked before anything changes");
  return ApplyLoaded(*loaded, *policy, util::Sha256Hex(*bytes), **src, args, command);
}

namespace {

int RunSweep(const ApplyArgs& args) {
  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return ReportError(policy.status());
  Result<std::string> bytes = ReadInput(args.policy, "policy");
  if (!bytes.ok()) return ReportError(bytes.status());
  SweepLock lock;
  auto src = lock.OpenLocked(args.source, args.source_flags);
  if (!src.ok()) return ReportError(src.status());
  SkippedRowsWarning skipped_rows(**src);  // on stderr, however the command ends
  Result<plan::RetentionPlan> made = MakePlan(args.policy, *policy, **src, args.as_of);
  if (!made.ok()) return ReportError(made.status());
  ApplyArgs quiet = args;
  quiet.quiet = !args.verbose;
  return ApplyLoaded(*made, *policy, util::Sha256Hex(*bytes), **src, quiet, "retention sweep");
}

}  // namespace

namespace {

struct NoticesArgs {
  std::string policy;
  std::string source;
  std::string as_of;
  std::string within;
  std::string rule;
  std::string format = "csv";
  std::string out;
  bool force = false;
  bool quiet = false;
  bool verbose = false;
  std::string audit_log;
  std::string key_file;
  SourceFlags source_flags;
};

// The notices are rendered into an unlinked temporary file (0600) while the
// rows stream, then handed to the output as one mapped view: memory stays
// flat however long the list, and the output is written only once the list
// is complete (an error halfway leaves no file and prints nothing).
class StagedOutput {
 public:
  ~StagedOutput() {
    if (view_ != nullptr) ::munmap(view_, size_);
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open() {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    std::string path = (dir / "dpo-notices-XXXXXX").string();
    fd_ = ::mkstemp(path.data());  // owner-only
    if (fd_ < 0) return Failed("cannot create a temporary file in " + dir.string());
    out_.open(path, std::ios::binary | std::ios::trunc);
    // Nobody else can open it now, and it is gone when dpo exits, however.
    ::unlink(path.c_str());
    if (!out_) return Failed("cannot open the temporary file in " + dir.string());
    return Status::Ok();
  }
  std::ostream& stream() { return out_; }
  Result<std::string_view> View() {
    out_.flush();
    if (!out_) return Failed("cannot write the temporary file");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Failed("cannot read back the temporary file");
    if (st.st_size == 0) return std::string_view();
    size_ = static_cast<size_t>(st.st_size);
    view_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (view_ == MAP_FAILED) {
      view_ = nullptr;
      return Failed("cannot read back the temporary file");
    }
    return std::string_view(static_cast<const char*>(view_), size_);
  }

 private:
  static Status Failed(const std::string& what) {
    return Status::Error("staging the notices: " + what + ": " + std::strerror(errno) +
                             "; check that TMPDIR (default /tmp) is writable and has space",
                         StatusCode::kIoError);
  }
  int fd_ = -1;
  std::ofstream out_;
  void* view_ = nullptr;
  size_t size_ = 0;
};

int RunNotices(const NoticesArgs& args) {
  if (args.out.empty())
    return ReportError(Status::Error("the notices hold personal data (names, e-mail addresses): give -o FILE "
                                     "(written 0600), or -o - for standard output"));
  std::optional<util::Duration> within;
  if (!args.within.empty()) {
    Result<util::Duration> d = util::ParseDuration(args.within);
    if (!d.ok()) return ReportError(d.status().WithContext("--within"));
    within = *d;
  }
  Result<util::Date> as_of = AsOf(args.as_of);
  if (!as_of.ok()) return ReportError(as_of.status());
  std::vector<util::ProtectedPath> inputs = InputsOf(args.source, args.policy);
  if (!args.audit_log.empty()) inputs.push_back({args.audit_log, "the audit log"});
  if (!args.key_file.empty()) inputs.push_back({args.key_file, "the key file"});
  Result<util::OutputTarget> output = CheckOutput(args.out, args.force, inputs);
  if (!output.ok()) return ReportError(output.status());
  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return ReportError(policy.status());
  Result<std::string> bytes = ReadInput(args.policy, "policy");
  if (!bytes.ok()) return ReportError(bytes.status());
  // A key only makes the audit digests: load it when one is given (an empty
  // DPO_KEY is none), as retention apply does.
  std::optional<util::SecretKey> key;
  const char* env_key = std::getenv("DPO_KEY");
  if (!args.key_file.empty() || (env_key != nullptr && *env_key != 0)) {
    Result<util::SecretKey> loaded = util::SecretKey::Load(args.key_file);
    if (!loaded.ok()) return ReportError(loaded.status());
    key.emplace(std::move(*loaded));
  }
  auto src = OpenSourceWithFlags(args.source, args.source_flags, true);
  if (!src.ok()) return ReportError(src.status());
  SkippedRowsWarning skipped_rows(**src);  // on stderr, however the command ends

  StagedOutput staged;
  Status opened = staged.Open();
  if (!opened.ok()) return ReportError(opened);
  report::NoticesWriter writer(args.format == "json" ? report::NoticesFormat::kJson : report::NoticesFormat::kCsv,
                               staged.stream(), as_of->ToIso(), within ? within->ToString() : "");
  plan::NoticesOptions options;
  options.as_of = *as_of;
  options.within = within;
  options.rule = args.rule;
  options.key = key ? &*key : nullptr;
  Result<plan::NoticesResult> listed = plan::ListNotices(*policy, **src, options, writer);
  if (!listed.ok()) return ReportError(listed.status());
  Status finished = writer.Finish(*listed);
  if (!finished.ok()) return ReportError(finished);
  Result<std::string_view> content = staged.View();
  if (!content.ok()) return ReportError(content.status());
  Status written = util::WriteOutputTarget(*output, *content, 0600);
  if (!written.ok()) return ReportError(written);
  if (!args.audit_log.empty()) {
    Status audited = plan::AppendNoticesAudit(*listed, args.audit_log, "retention notices", util::Sha256Hex(*bytes));
    if (!audited.ok())
      return ReportError(audited.WithContext("the notices were written but the audit log could not be; record this "
                                             "run by hand"));
  }
  if (args.quiet) return kExitOk;
  // The data went to stdout: the summary must not mix with it.
  std::ostream& summary = output->kind == util::OutputKind::kStdout ? std::cerr : std::cout;
  summary << report::RenderNoticesSummary(*listed, output->kind == util::OutputKind::kStdout ? "-" : args.out);
  return kExitOk;
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
  plan->add_option("--as-of", plan_args->as_of, "Evaluate retention as of YYYY-MM-DD (default: today)")->check(AsOfDay());
  plan->add_option("-o,--output,--out", plan_args->out,
                   "Write the plan as JSON to FILE (mode 0600), for 'retention apply' (--out is the old spelling)");
  plan->add_flag("--force", plan_args->force, "Overwrite -o if it exists");
  plan->add_option("-f,--format", plan_args->format, "Summary on stdout: text (default), markdown, json");
  plan->add_flag("!--no-sql", plan_args->sql, "Leave the SQL of each step out of the text summary");
  AddVerbosityFlags(plan, &plan_args->quiet, &plan_args->verbose,
                    "Print nothing on success: the plan goes only to -o (no summary, no 'wrote' line)",
                    "Accepted for scripts: the text summary already shows every step and its SQL");
  AddSourceFlags(plan, &plan_args->source_flags);
  plan->footer(
      "Examples:\n  dpo retention plan -p policies/staffing-agency.yaml samples/staffing.db\n"
      "  dpo retention plan -p policy.yaml crm.db --as-of 2026-12-01 -o plan.json\n"
      "  dpo retention plan -p policy.yaml crm.db -q -o - | dpo retention apply - crm.db --dry-run\n"
      "Exit codes: 0 planned (written with -o); 2 usage, policy or source error, -q with -v; 3 internal error.");
  plan->callback([plan_args, exit_code]() { *exit_code = RunPlan(*plan_args); });

  auto apply_args = std::make_shared<ApplyArgs>();
  CLI::App* apply = retention->add_subcommand(
      "apply", "Apply a reviewed plan in one transaction; refuses a stale plan (data or policy changed)");
  apply->add_option("plan", apply_args->plan, "The plan file 'retention plan -o' wrote ('-': standard input)")
      ->required();
  apply->add_option("source", apply_args->source, "The source the plan was made for")->required();
  apply->add_option("-p,--policy", apply_args->policy, "The policy (default: the file the plan names)");
  AddVerbosityFlags(apply, &apply_args->quiet, &apply_args->verbose,
                    "Print nothing on success (a blocked rule is still a warning and exit 1)",
                    "Print the counts of what was changed (as without -q)");
  AddApplyFlags(apply, apply_args.get());
  apply->footer(
      "Examples:\n  dpo retention apply plan.json crm.db --dry-run --key-file dpo.key\n"
      "  dpo retention apply plan.json crm.db --ledger ledger.db --audit-log audit.jsonl --key-file dpo.key\n"
      "Exit codes: 0 applied (or a dry run); 1 applied, but a rule was blocked and left out (see stderr);\n"
      "2 usage, policy or source error, a stale plan, a limit exceeded, the source locked by a sweep, apply or\n"
      "replay, -q with -v (nothing was changed); 3 internal error; 130/143 stopped by SIGINT/SIGTERM (before the\n"
      "commit: nothing changed; after it: the apply finished its ledger and audit log first).");
  apply->callback([apply_args, exit_code]() { *exit_code = RunApply(*apply_args, "retention apply", "retention"); });

  auto sweep_args = std::make_shared<ApplyArgs>();
  CLI::App* sweep = retention->add_subcommand(
      "sweep", "Plan and apply in one, for cron: silent on success, one line and a non-zero exit on failure");
  sweep->add_option("-p,--policy", sweep_args->policy, "The policy")->required();
  sweep->add_option("source", sweep_args->source, "SQLite file, CSV directory or postgresql:// URI")->required();
  sweep->add_option("--as-of", sweep_args->as_of, "Evaluate retention as of YYYY-MM-DD (default: today)")->check(AsOfDay());
  AddVerbosityFlags(sweep, &sweep_args->quiet, &sweep_args->verbose,
                    "Print nothing on success (the default already: accepted for scripts)", "Print what was changed");
  AddApplyFlags(sweep, sweep_args.get());
  sweep->footer(
      "Examples:\n  dpo retention sweep -p policy.yaml crm.db --dry-run -v --key-file dpo.key\n"
      "  dpo retention sweep -p policy.yaml crm.db --ledger ledger.db --audit-log audit.jsonl --key-file dpo.key\n"
      "Exit codes: 0 done (silent); 1 done, but a rule was blocked and left out (see stderr); 2 usage, policy or\n"
      "source error, a limit exceeded, a sweep already running, -q with -v (nothing was changed); 3 internal error.");
  sweep->callback([sweep_args, exit_code]() { *exit_code = RunSweep(*sweep_args); });

  auto notices_args = std::make_shared<NoticesArgs>();
  CLI::App* notices = retention->add_subcommand(
      "notices", "List the subjects whose rows expire within a window (rules with notify_before), for a renewal "
                 "e-mail");
  notices->add_option("-p,--policy", notices_args->policy, "The policy")->required();
  notices->add_option("source", notices_args->source, "SQLite file, CSV directory or postgresql:// URI")->required();
  notices->add_option("--within", notices_args->within,
                      "The window, e.g. 30d (default: each rule's notify_before)");
  notices->add_option("--as-of", notices_args->as_of, "List as of YYYY-MM-DD (default: today)")->check(AsOfDay());
  notices->add_option("--rule", notices_args->rule, "Only this rule (without notify_before it needs --within)");
  notices->add_option("-f,--format", notices_args->format, "csv (default; for a mail merge) or json")
      ->check(CLI::IsMember({"csv", "json"}));
  notices->add_option("-o,--output,--out", notices_args->out,
                      "Write the notices to FILE (mode 0600; they hold personal data); - for standard output (--out "
                      "is the old spelling)");
  notices->add_flag("--force", notices_args->force, "Overwrite -o if it exists");
  notices->add_option("--audit-log", notices_args->audit_log,
                      "Append one entry per rule to this hash-chained audit log ('dpo audit verify')");
  notices->add_option("--key-file", notices_args->key_file,
                      "Secret key for the audit entries' digest of the listed keys (else DPO_KEY)");
  AddVerbosityFlags(notices, &notices_args->quiet, &notices_args->verbose,
                    "Print nothing on success (no summary; the notices still go to -o)",
                    "Accepted for scripts: the summary already counts the notices per rule");
  AddSourceFlags(notices, &notices_args->source_flags);
  notices->footer(
      "Examples:\n  dpo retention notices -p policies/staffing-agency.yaml samples/staffing.db --within 30d -o notices.csv\n"
      "  dpo retention notices -p policy.yaml crm.db --rule candidate_profile_renewal -f json -o notices.json\n"
      "Exit codes: 0 listed (also none); 2 usage, policy or source error, no -o (the notices hold personal data),\n"
      "-q with -v; 3 internal error.");
  notices->callback([notices_args, exit_code]() { *exit_code = RunNotices(*notices_args); });
}

}  // namespace dpo::cmd
