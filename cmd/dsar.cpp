// dpo dsar export | verify: the access package of one data subject (Art. 15,
// 20), and checking one later against its manifest.
// dpo erase plan | apply: the erasure of one data subject (Art. 17) as a
// reviewed plan, applied with retention's executor.
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "flag_checks.h"
#include "interrupt_guard.h"
#include "dpo/version.h"
#include "dsar/erasure_plan.h"
#include "dsar/identity.h"
#include "dsar/package.h"
#include "dsar/subject_finder.h"
#include "dsar/summary.h"
#include "plan/plan_json.h"
#include "plan_apply.h"
#include "report/dsar_report.h"
#include "report/retention_report.h"
#include "util/duration.h"
#include "util/keyed_hash.h"
#include "util/message.h"

namespace dpo::cmd {
namespace {

struct SubjectArgs {
  std::string policy;
  std::string source;
  std::vector<std::string> subject;
  bool all_matches = false;
  bool exhaustive = false;
  SourceFlags source_flags;
};

struct ExportArgs : SubjectArgs {
  std::string out;
  bool zip = false;
  bool quiet = false;
  bool verbose = false;
  std::string received;
  std::string lang = "en";
};

struct ErasePlanArgs : SubjectArgs {
  std::string out;
  bool force = false;
  std::string format = "text";
  std::string as_of;
  bool sql = false;
  bool quiet = false;
  bool verbose = false;
};

Result<std::string> PolicySha256(const std::string& path) {
  Result<std::string> bytes = ReadInput(path, "policy");  // "-": the same bytes the loader read
  if (!bytes.ok()) return bytes.status();
  return util::Sha256Hex(*bytes);
}

Result<util::Date> DateFlag(const std::string& text, const char* flag) {
  if (text.empty()) return util::Today();
  Result<util::Date> d = util::ParseIsoDate(text);
  if (!d.ok()) return d.status().WithContext(flag);
  return d;
}

// Loads the policy, opens the source read-only and finds the subject.
struct Found {
  policy::Policy policy;
  std::unique_ptr<source::Source> source;
  dsar::SubjectData data;
};

Result<Found> FindFromArgs(const SubjectArgs& args) {
  std::vector<dsar::SubjectSelector> selectors;
  for (const std::string& s : args.subject) {
    Result<dsar::SubjectSelector> sel = dsar::ParseSubjectSelector(s);
    if (!sel.ok()) return sel.status().WithContext("--subject");
    selectors.push_back(std::move(*sel));
  }
  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return policy.status();
  auto src = OpenSourceWithFlags(args.source, args.source_flags, true);
  if (!src.ok()) return src.status();
  dsar::FindOptions options;
  options.all_matches = args.all_matches;
  options.exhaustive = args.exhaustive;
  Result<dsar::SubjectData> data = dsar::FindSubject(*policy, **src, selectors, options);
  if (!data.ok()) return data.status();
  for (const std::string& w : data->warnings) ReportWarning(w);
  WarnSkippedRows(**src);
  return Found{std::move(*policy), std::move(*src), std::move(*data)};
}

void PrintAdvice(const std::vector<dsar::LookupAdvice>& advice) {
  if (advice.empty()) return;
  std::cerr << "dpo: these lookups have no index; on a large table each is a full scan:\n";
  for (const dsar::LookupAdvice& a : advice)
    std::cerr << "  " << util::EscapeForMessage(a.sql, 4096) << ";  -- " << util::EscapeForMessage(a.reason, 512) << "\n";
}

int RunExport(const ExportArgs& args) {
  Result<report::Language> lang = report::ParseLanguage(args.lang);
  if (!lang.ok()) return ReportError(lang.status().WithContext("--lang"));
  Result<util::Date> received = DateFlag(args.received, "--received");
  if (!received.ok()) return ReportError(received.status());
  if (args.out.empty()) return ReportError(Status::Error("-o: give the directory to write the package to"));
  std::string out_path = args.out;
  while (out_path.size() > 1 && out_path.back() == '/') out_path.pop_back();
  Result<util::OutputTarget> out = CheckOutput(out_path, false, InputsOf(args.source, args.policy));
  // An existing -o that is not an input: export has no --force, a
  // package is never written into or over another.
  if ((!out.ok() && out.status().message().find("--force") != std::string::npos) ||
      (out.ok() && std::filesystem::exists(std::filesystem::symlink_status(out_path))))
    return ReportError(Status::Error("-o " + args.out + " already exists; a package is never written into or over "
                                     "another: choose a new name, or remove it first"));
  if (!out.ok()) return ReportError(out.status());
  if (out->kind != util::OutputKind::kRegularFile)
    return ReportError(Status::Error("-o " + args.out + ": give a new directory name (or with --zip a file name)"));
  Result<std::string> sha = PolicySha256(args.policy);
  if (!sha.ok()) return ReportError(sha.status());
  Result<Found> found = FindFromArgs(args);
  if (!found.ok()) return ReportError(found.status());
  dsar::SubjectData& data = found->data;
  dsar::RedactOtherPeople(found->policy, &data);

  std::string now = util::NowUtc();
  dsar::Summary summary = dsar::BuildSummary(found->policy, data, *received, now);
  std::vector<dsar::PackageFile> files;
  files.push_back({"data.json", report::RenderSubjectDataJson(data)});
  files.push_back({"summary.html", report::RenderSummaryHtml(summary, *lang)});
  files.push_back({"summary.md", report::RenderSummaryMarkdown(summary, *lang)});
  dsar::PackageInfo info;
  info.tool_version = DPO_VERSION;
  info.created_at = now;
  info.policy_sha256 = *sha;
  info.source_kind = data.source_kind;
  info.language = args.lang;
  info.received = received->ToIso();
  info.due = summary.due;
  int64_t redacted = 0;
  for (const dsar::DatasetRows& d : data.datasets) {
    std::string prefix = d.role == dsar::RowRole::kContext ? "context-" : d.role == dsar::RowRole::kBelongs &&
                                                                                  data.Find(d.table, dsar::RowRole::kSubject)
                                                                              ? "linked-"
                                                                              : "";
    files.push_back({dsar::TableFileName(d.table, prefix), report::RenderDatasetCsv(d)});
    info.records[(d.role == dsar::RowRole::kContext ? "context:" : "") + d.table] += static_cast<int64_t>(d.rows.size());
    redacted += d.redacted_spans;
  }
  int64_t unread = 0;
  for (const source::SkippedRows& s : data.skipped) {
    info.unread_rows[s.table] += s.count;
    unread += s.count;
  }
  // SIGINT or SIGTERM while the package is written would leave its hidden
  // partial directory, personal data and all: the signal waits until the
  // write has finished or failed (milliseconds), then the command stops.
  InterruptGuard interrupt;
  Status written = dsar::WritePackage(args.out, files, info, args.zip);
  interrupt.Restore();
  if (!written.ok()) return ReportError(written);
  if (InterruptGuard::interrupted()) {
    std::cerr << "dpo: interrupted; the package " << args.out
              << " was already complete and stays (check it with 'dpo dsar verify')\n";
    return kExitInterrupted;
  }

  if (args.quiet) return kExitOk;
  int64_t own = data.TotalRows(dsar::RowRole::kSubject) + data.TotalRows(dsar::RowRole::kBelongs);
  int datasets = 0;
  for (const dsar::DatasetRows& d : data.datasets) datasets += d.role != dsar::RowRole::kContext;
  std::cout << "wrote " << args.out << (args.zip ? " (zip)" : "") << ": ";
  if (own == 0) std::cout << "no personal data of this subject was found; the package says so";
  else
    std::cout << own << " record(s) in " << datasets << " dataset(s), " << data.TotalRows(dsar::RowRole::kContext)
              << " context row(s), " << redacted << " span(s) of other people's data redacted";
  if (unread > 0)
    std::cout << "\nthe package may be incomplete: " << unread
              << " row(s) could not be read (--skip-bad-rows) and may hold this subject's data; the summary, "
                 "data.json and manifest.json say so. Repair the rows (see the warning above) and export again";
  std::cout << "\nanswer due " << summary.due << " (received " << received->ToIso() << "; extended at most to "
            << summary.due_extended << ")\ncheck it later with 'dpo dsar verify " << args.out << "'\n";
  if (args.verbose)
    for (const dsar::PackageFile& f : files) std::cout << "  " << f.name << " (" << f.content.size() << " bytes)\n";
  PrintAdvice(data.advice);
  return kExitOk;
}

struct VerifyArgs {
  std::string path;
  bool quiet = false;
  bool verbose = false;
};

int RunVerify(const VerifyArgs& args) {
  const std::string& path = args.path;
  Result<dsar::VerifyReport> report = dsar::VerifyPackage(path);
  if (!report.ok()) return ReportError(report.status());
  if (report->ok()) {
    if (args.quiet) return kExitOk;
    std::cout << "ok: " << report->files << " file(s) match the manifest of " << path << " (written "
              << report->created_at << ")\n";
    return kExitOk;
  }
  for (const std::string& p : report->problems) std::cout << "changed: " << util::EscapeForMessage(p, 1024) << "\n";
  std::cout << report->problems.size() << " problem(s): the package is not as dpo wrote it\n";
  return kExitFindings;
}

int RunErasePlan(const ErasePlanArgs& args) {
  if (args.format != "text" && args.format != "json" && args.format != "markdown")
    return ReportError(Status::Error("--format: use text, json or markdown"));
  Result<util::Date> as_of = DateFlag(args.as_of, "--as-of");
  if (!as_of.ok()) return ReportError(as_of.status());
  Result<util::OutputTarget> output = CheckOutput(args.out, args.force, InputsOf(args.source, args.policy));
  if (!output.ok()) return ReportError(output.status());
  Result<std::string> sha = PolicySha256(args.policy);
  if (!sha.ok()) return ReportError(sha.status());
  Result<Found> found = FindFromArgs(args);
  if (!found.ok()) return ReportError(found.status());
  dsar::ErasureOptions options;
  options.as_of = *as_of;
  options.policy_sha256 = *sha;
  options.tool_version = DPO_VERSION;
  Result<plan::RetentionPlan> made = dsar::MakeErasurePlan(found->policy, *found->source, found->data, options);
  if (!made.ok()) return ReportError(made.status());
  for (const plan::RulePlan& r : made->rules)
    if (r.note.find("TODO") != std::string::npos) ReportWarning(r.table + ": " + r.note);
  std::string json = plan::PlanToJson(*made);
  if (output->kind != util::OutputKind::kStdout) {
    // The plan names the subject's rows by key (a whole-row match by value):
    // owner-only.
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
    std::cerr << "dpo: wrote the erasure plan to " << args.out << "; apply it with 'dpo erase apply " << args.out << " "
              << args.source << (plan::NeedsKey(*made) ? " --key-file FILE'" : "'") << "\n";
  return kExitOk;
}

void AddSubjectFlags(CLI::App* sub, SubjectArgs* args) {
  sub->add_option("-p,--policy", args->policy,
                  "The policy (a 'dpo policy init' draft works too; '-': standard input)")
      ->required();
  sub->add_option("source", args->source, "SQLite file, CSV directory or postgresql:// URI")->required();
  sub->add_option("--subject", args->subject,
                  "KEY=VALUE: an identifier column (email, bsn, phone, iban, personnel_number), TABLE.COLUMN, or a "
                  "category id; repeat to narrow")
      ->required();
  sub->add_flag("--all-matches", args->all_matches,
                "Several matching rows in one table are all this person (else an ambiguous identity is refused)");
  sub->add_flag("--exhaustive", args->exhaustive,
                "Compare every value normalised even where an index serves (finds spellings the index lookup misses)");
  AddSourceFlags(sub, &args->source_flags);
}

}  // namespace

void RegisterDsar(CLI::App& app, int* exit_code) {
  CLI::App* dsar = app.add_subcommand("dsar", "Access requests (Art. 15, 20): export a data subject's package, verify one");
  dsar->require_subcommand(1);

  auto export_args = std::make_shared<ExportArgs>();
  CLI::App* exp = dsar->add_subcommand(
      "export", "Find a data subject and write their access package (data.json, CSV, summary, manifest)");
  AddSubjectFlags(exp, export_args.get());
  exp->add_option("-o,--output,--out", export_args->out,
                  "New directory (or with --zip, file) to write; never overwritten (--out is the old spelling)")
      ->required();
  exp->add_flag("--zip", export_args->zip, "Write one zip file instead of a directory");
  exp->add_option("--received", export_args->received,
                  "YYYY-MM-DD the request came in, or identity was verified (default: today); sets the due date");
  exp->add_option("--lang", export_args->lang, "Language of the summary: en (default) or nl");
  AddVerbosityFlags(exp, &export_args->quiet, &export_args->verbose,
                    "Print nothing on success (no summary, no index advice; warnings still go to stderr)",
                    "Also list the files of the package and their sizes");
  exp->footer(
      "Examples:\n  dpo dsar export -p policies/staffing-agency.yaml samples/staffing.db --subject email=jan@example.nl -o package/\n"
      "  dpo dsar export -p policy.yaml crm.db --subject bsn=111222333 -o package.zip --zip --lang nl\n"
      "Exit codes: 0 written (also when the subject has no data); 2 usage error, an existing -o, an ambiguous\n"
      "identity, a policy or source error, -q with -v (nothing written); 3 internal error; 130 interrupted.");
  exp->callback([export_args, exit_code]() { *exit_code = RunExport(*export_args); });

  auto verify_args = std::make_shared<VerifyArgs>();
  CLI::App* verify = dsar->add_subcommand("verify", "Check a package against its manifest (exit 1 when changed)");
  verify->add_option("package", verify_args->path, "The package directory or zip file")->required();
  AddVerbosityFlags(verify, &verify_args->quiet, &verify_args->verbose,
                    "Print nothing when the package is intact (what changed is still listed)",
                    "Accepted for scripts: the ok line already counts the files");
  verify->footer(
      "Examples:\n  dpo dsar verify package/\n  dpo dsar verify package.zip\n"
      "Exit codes: 0 every file matches; 1 a file changed, is missing or was added; 2 not a package, -q with -v;\n"
      "3 internal error.");
  verify->callback([verify_args, exit_code]() { *exit_code = RunVerify(*verify_args); });
}

void RegisterErase(CLI::App& app, int* exit_code) {
  CLI::App* erase = app.add_subcommand(
      "erase", "Erasure requests (Art. 17): plan the erasure of one data subject, review it, apply it");
  erase->require_subcommand(1);

  auto plan_args = std::make_shared<ErasePlanArgs>();
  CLI::App* plan = erase->add_subcommand(
      "plan", "Find a data subject and plan deleting their rows, child rows first, keeping what the law keeps");
  AddSubjectFlags(plan, plan_args.get());
  plan->add_option("-o,--output,--out", plan_args->out,
                   "Write the plan as JSON to FILE (mode 0600), for 'erase apply' (--out is the old spelling)");
  plan->add_flag("--force", plan_args->force, "Overwrite -o if it exists");
  plan->add_option("-f,--format", plan_args->format, "Summary on stdout: text (default), markdown, json");
  plan->add_option("--as-of", plan_args->as_of, "Evaluate retention periods and holds as of YYYY-MM-DD (default: today)")
      ->check(AsOfDay());
  plan->add_flag("--sql", plan_args->sql, "Show the SQL of each step (it names the subject's keys)");
  AddVerbosityFlags(plan, &plan_args->quiet, &plan_args->verbose,
                    "Print nothing on success: the plan goes only to -o (no summary, no 'wrote' line; TODO warnings "
                    "still go to stderr)",
                    "Accepted for scripts: the summary already shows every step (--sql adds the SQL)");
  plan->footer(
      "Examples:\n  dpo erase plan -p policies/staffing-agency.yaml samples/staffing.db --subject email=jan@example.nl\n"
      "  dpo erase plan -p policy.yaml crm.db --subject email=jan@example.nl -o erase.json\n"
      "Exit codes: 0 planned (written with -o); 2 usage error, an ambiguous identity, a policy or source error,\n"
      "-q with -v; 3 internal error.");
  plan->callback([plan_args, exit_code]() { *exit_code = RunErasePlan(*plan_args); });

  auto apply_args = std::make_shared<ApplyArgs>();
  CLI::App* apply = erase->add_subcommand(
      "apply", "Apply a reviewed erasure plan in one transaction; refuses a stale plan (data or policy changed)");
  apply->add_option("plan", apply_args->plan, "The plan file 'erase plan -o' wrote ('-': standard input)")
      ->required();
  apply->add_option("source", apply_args->source, "The source the plan was made for")->required();
  apply->add_option("-p,--policy", apply_args->policy, "The policy (default: the file the plan names)");
  AddVerbosityFlags(apply, &apply_args->quiet, &apply_args->verbose, "Print nothing on success",
                    "Print the counts of what was changed (as without -q)");
  AddApplyFlags(apply, apply_args.get());
  apply->footer(
      "Examples:\n  dpo erase apply erase.json crm.db --dry-run\n"
      "  dpo erase apply erase.json crm.db --ledger ledger.db --audit-log audit.jsonl --key-file dpo.key\n"
      "Exit codes: 0 applied (or a dry run); 2 usage, policy or source error, a stale plan, a plan of the wrong\n"
      "kind, a limit exceeded, no key, the source locked, -q with -v (nothing was changed); 3 internal error;\n"
      "130/143 stopped by SIGINT/SIGTERM (before the commit: nothing changed; after it: ledger and audit log complete).");
  apply->callback([apply_args, exit_code]() { *exit_code = RunApply(*apply_args, "erase apply", "erasure"); });
}

}  // namespace dpo::cmd
