// dpo policy check|show|init: validate a policy, render it as the Art. 30
// record of processing activities, or draft one from a source's schema.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.h"
#include "common.h"
#include "flag_checks.h"
#include "detect/kind.h"
#include "policy/loader.h"
#include "policy/validate.h"
#include "report/policy_diagnostics.h"
#include "report/register_report.h"
#include "scan/draft_policy.h"
#include "scan/scanner.h"
#include "source/source.h"
#include "util/atomic_file.h"

namespace dpo::cmd {

namespace {

struct CheckArgs {
  std::string policy;
  bool strict = false;
  std::string format = "text";
};

struct ShowArgs {
  std::string policy;
  std::string format = "markdown";
};

struct InitArgs {
  std::string source;
  std::string out;
  bool force = false;
  int64_t sample = 1000;
  bool schema_only = false;
  SourceFlags source_flags;
};

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Loader and validation diagnostics together, in file order.
Result<policy::LoadedPolicy> LoadAndValidate(const std::string& path) {
  Result<policy::LoadedPolicy> loaded = policy::LoadPolicyFile(path);
  if (!loaded.ok()) return loaded.status();
  policy::ValidateOptions options = ValidateOptionsForCli();
  for (policy::Diagnostic& d : policy::ValidatePolicy(loaded->policy, options))
    loaded->diagnostics.push_back(std::move(d));
  policy::SortDiagnostics(&loaded->diagnostics);
  return loaded;
}

int RunCheck(const CheckArgs& args) {
  Result<policy::LoadedPolicy> loaded = LoadAndValidate(args.policy);
  if (!loaded.ok()) return ReportError(loaded.status());
  const auto& diagnostics = loaded->diagnostics;
  const policy::Policy& p = loaded->policy;
  size_t errors = policy::CountErrors(diagnostics);
  size_t warnings = policy::CountWarnings(diagnostics);
  bool failed = errors > 0 || (args.strict && warnings > 0);
  if (args.format == "json") {
    std::cout << report::RenderDiagnosticsJson(args.policy, diagnostics, args.strict);
    std::cout.flush();
    return failed ? kExitInput : kExitOk;
  }
  std::cerr << report::RenderDiagnosticsText(diagnostics);
  std::string counts = "(" + Plural(p.datasets.size(), "dataset") + ", " + Plural(p.categories.size(), "category") +
                       ", " + Plural(p.retention.size(), "rule") + ")";
  // "category" -> "categorys" would be wrong; fix the plural by hand.
  if (size_t at = counts.find("categorys"); at != std::string::npos) counts.replace(at, 9, "categories");
  if (!failed) {
    std::cout << args.policy << ": ok " << counts;
    if (warnings > 0) std::cout << ", " << Plural(warnings, "warning");
    std::cout << "\n";
    return kExitOk;
  }
  std::cerr << args.policy << ": " << Plural(errors, "error") << ", " << Plural(warnings, "warning");
  if (errors == 0) std::cerr << " (--strict: warnings fail the check)";
  std::cerr << "\n";
  return kExitInput;
}

int RunShow(const ShowArgs& args) {
  Result<policy::LoadedPolicy> loaded = LoadAndValidate(args.policy);
  if (!loaded.ok()) return ReportError(loaded.status());
  const auto& diagnostics = loaded->diagnostics;
  std::cerr << report::RenderDiagnosticsText(diagnostics);
  size_t errors = policy::CountErrors(diagnostics);
  if (errors > 0) {
    return ReportError(Status::Error(args.policy + " has " + Plural(errors, "error") +
                                     "; the record of processing activities is only shown for a valid policy (run "
                                     "'dpo policy check " + args.policy + "')"));
  }
  std::cout << (args.format == "json" ? report::RenderRegisterJson(loaded->policy)
                                      : report::RenderRegisterMarkdown(loaded->policy));
  std::cout.flush();
  return kExitOk;
}

int RunInit(const InitArgs& args) {
  // Refuse before any work, so that a typo in --out never costs a scan.
  Result<util::OutputTarget> output = CheckOutput(args.out, args.force, InputsOf(args.source, ""), "--out");
  if (!output.ok()) return ReportError(output.status());
  auto opened = OpenSourceWithFlags(args.source, args.source_flags, true);
  if (!opened.ok()) return ReportError(opened.status());
  SkippedRowsWarning skipped_rows(**opened);  // on stderr, however the command ends
  scan::DraftOptions draft_options;
  // Columns whose names say nothing are judged by a sample of their values.
  std::optional<scan::ScanResult> discovery;
  if (!args.schema_only) {
    scan::ScanOptions scan_options;
    scan_options.sample_rows = args.sample;
    Result<scan::ScanResult> scanned = scan::RunScan(**opened, scan_options);
    if (!scanned.ok()) return ReportError(scanned.status());
    discovery = std::move(*scanned);
    draft_options.discovery = &*discovery;
  }
  Result<std::string> draft = scan::DraftPolicyYaml(**opened, draft_options);
  if (!draft.ok()) return ReportError(draft.status());
  // A policy holds no personal data: readable by the team (0644).
  Status written = WriteOutput(*output, *draft, 0644);
  if (!written.ok()) return ReportError(written);
  if (output->kind != util::OutputKind::kRegularFile) return kExitOk;
  std::cerr << "wrote draft policy " << args.out << "; fill in every TODO, then run 'dpo policy check " << args.out
            << "'\n";
  return kExitOk;
}

}  // namespace

void RegisterPolicy(CLI::App& app, int* exit_code) {
  CLI::App* policy = app.add_subcommand("policy", "Check a policy, show it as the Art. 30 register, or draft one");
  policy->require_subcommand(1);

  auto check_args = std::make_shared<CheckArgs>();
  CLI::App* check = policy->add_subcommand(
      "check", "Validate a policy: file:line:column, what is wrong and what to write (exit 2 on errors)");
  check->add_option("policy", check_args->policy, "Policy YAML file")->required();
  check->add_flag("--strict", check_args->strict, "Warnings fail the check too (for CI)");
  check->add_option("--format", check_args->format, "Output: text (diagnostics on stderr) or json (on stdout)")
      ->check(CLI::IsMember({"text", "json"}));
  check->footer(
      "Examples:\n  dpo policy check policies/staffing-agency.yaml\n"
      "  dpo policy check --strict --format json policy.yaml > diagnostics.json\n"
      "Exit codes: 0 the policy is valid (warnings allowed without --strict); 2 errors (or warnings with --strict),\n"
      "an unreadable file or not YAML; 3 internal error.");
  check->callback([check_args, exit_code]() { *exit_code = RunCheck(*check_args); });

  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = policy->add_subcommand(
      "show", "Print the policy as a GDPR Art. 30 record of processing activities (valid policies only)");
  show->add_option("policy", show_args->policy, "Policy YAML file")->required();
  show->add_option("--format", show_args->format, "Output: markdown or json")
      ->check(CLI::IsMember({"markdown", "json"}));
  show->footer(
      "Examples:\n  dpo policy show policies/staffing-agency.yaml > register.md\n"
      "  dpo policy show --format json policies/staffing-agency.yaml\n"
      "Exit codes: 0 written; 2 the policy has errors or cannot be read; 3 internal error.");
  show->callback([show_args, exit_code]() { *exit_code = RunShow(*show_args); });

  auto init_args = std::make_shared<InitArgs>();
  CLI::App* init = policy->add_subcommand(
      "init", "Draft a policy from a source's tables and column names (every decision left as TODO)");
  init->add_option("source", init_args->source, "SQLite file, CSV file or directory, or postgresql:// URI")
      ->required();
  init->add_option("--out", init_args->out, "Write the draft to this file (default: standard output)");
  init->add_flag("--force", init_args->force, "Overwrite --out if it exists");
  init->add_option("--sample", init_args->sample,
                   "Rows per table read to judge columns whose names say nothing (default 1000)")
      ->check(SampleRows());
  init->add_flag("--schema-only", init_args->schema_only, "Use column names only; read no rows");
  AddSourceFlags(init, &init_args->source_flags);
  init->footer(
      "Examples:\n  dpo policy init samples/staffing.db --out policy.yaml\n"
      "  dpo policy init csv:exports/ --schema-only > policy.yaml\n"
      "Exit codes: 0 written; 2 the source cannot be opened or read, --out exists without --force; 3 internal error.");
  init->callback([init_args, exit_code]() { *exit_code = RunInit(*init_args); });
}

}  // namespace dpo::cmd
