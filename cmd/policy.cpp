// dpo policy check|show|init: validate a policy, render it as the Art. 30
// record of processing activities, or draft one from a source's schema.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

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
  Verbosity verbosity;
};

struct ShowArgs {
  std::string policy;
  std::string format = "markdown";
  std::string out;
  bool force = false;
  Verbosity verbosity;
};

struct InitArgs {
  std::string source;
  std::string out;
  std::string format = "yaml";
  bool force = false;
  int64_t sample = 1000;
  bool schema_only = false;
  SourceFlags source_flags;
  Verbosity verbosity;
};

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Loader and validation diagnostics together, in file order.
Result<policy::LoadedPolicy> LoadAndValidate(const std::string& path) {
  Result<policy::LoadedPolicy> loaded = LoadPolicyInput(path);
  if (!loaded.ok()) return loaded.status();
  policy::ValidateOptions options = ValidateOptionsForCli();
  for (policy::Diagnostic& d : policy::ValidatePolicy(loaded->policy, options))
    loaded->diagnostics.push_back(std::move(d));
  policy::SortDiagnostics(&loaded->diagnostics);
  return loaded;
}

// -v of policy check: what each section of the policy holds.
std::string SectionCounts(const policy::Policy& p) {
  size_t columns = 0;
  for (const policy::Dataset& d : p.datasets) columns += d.columns.size();
  std::string out;
  auto line = [&out](const char* section, size_t n) { out += "  " + std::string(section) + ": " + std::to_string(n) + "\n"; };
  line("data_subjects", p.data_subjects.size());
  line("categories", p.categories.size());
  line("recipients", p.recipients.size());
  line("purposes", p.purposes.size());
  line("datasets", p.datasets.size());
  line("columns (in datasets)", columns);
  line("retention rules", p.retention.size());
  line("accepted findings", p.accepted.size());
  line("TODOs", p.todos.size());
  return out;
}

int RunCheck(const CheckArgs& args) {
  Result<policy::LoadedPolicy> loaded = LoadAndValidate(args.policy);
  if (!loaded.ok()) return ReportError(loaded.status());
  const auto& diagnostics = loaded->diagnostics;
  const policy::Policy& p = loaded->policy;
  const std::string name = InputName(args.policy);
  size_t errors = policy::CountErrors(diagnostics);
  size_t warnings = policy::CountWarnings(diagnostics);
  bool failed = errors > 0 || (args.strict && warnings > 0);
  const bool quiet = args.verbosity.quiet;
  if (args.format == "json") {
    // -q: the exit status is the answer (as grep -q); no document.
    if (!quiet) {
      std::cout << report::RenderDiagnosticsJson(name, diagnostics, args.strict);
      std::cout.flush();
    }
    return failed ? kExitInput : kExitOk;
  }
  // -q on success: nothing, not even warnings (they do not fail the check).
  if (!(quiet && !failed)) std::cerr << report::RenderDiagnosticsText(diagnostics);
  std::string counts = "(" + Plural(p.datasets.size(), "dataset") + ", " + Plural(p.categories.size(), "category") +
                       ", " + Plural(p.retention.size(), "rule") + ")";
  // "category" -> "categorys" would be wrong; fix the plural by hand.
  if (size_t at = counts.find("categorys"); at != std::string::npos) counts.replace(at, 9, "categories");
  if (!failed) {
    if (quiet) return kExitOk;
    std::cout << name << ": ok " << counts;
    if (warnings > 0) std::cout << ", " << Plural(warnings, "warning");
    std::cout << "\n";
    if (args.verbosity.verbose) std::cout << SectionCounts(p);
    return kExitOk;
  }
  std::cerr << name << ": " << Plural(errors, "error") << ", " << Plural(warnings, "warning");
  if (errors == 0) std::cerr << " (--strict: warnings fail the check)";
  std::cerr << "\n";
  if (args.verbosity.verbose) std::cerr << SectionCounts(p);
  return kExitInput;
}

int RunShow(const ShowArgs& args) {
  // Refuse a bad -o before reading anything: never the policy itself.
  Result<util::OutputTarget> output = CheckOutput(args.out, args.force, InputsOf("", args.policy));
  if (!output.ok()) return ReportError(output.status());
  Result<policy::LoadedPolicy> loaded = LoadAndValidate(args.policy);
  if (!loaded.ok()) return ReportError(loaded.status());
  const auto& diagnostics = loaded->diagnostics;
  size_t errors = policy::CountErrors(diagnostics);
  if (errors > 0 || !args.verbosity.quiet) std::cerr << report::RenderDiagnosticsText(diagnostics);
  if (errors > 0) {
    return ReportError(Status::Error(InputName(args.policy) + " has " + Plural(errors, "error") +
                                     "; the record of processing activities is only shown for a valid policy (run "
                                     "'dpo policy check " + args.policy + "')"));
  }
  // -q without -o: the exit status says whether the register can be made.
  if (args.verbosity.quiet && args.out.empty()) return kExitOk;
  const std::string text = args.format == "json"   ? report::RenderRegisterJson(loaded->policy)
                           : args.format == "html" ? report::RenderRegisterHtml(loaded->policy)
                                                   : report::RenderRegisterMarkdown(loaded->policy);
  // A register holds no personal data: readable by the team, as policy init's draft.
  Status written = WriteOutput(*output, text, 0644);
  if (!written.ok()) return ReportError(written);
  if (output->kind == util::OutputKind::kRegularFile && !args.verbosity.quiet) {
    std::cerr << "dpo: wrote the register (" << args.format << ") to " << args.out;
    if (args.verbosity.verbose)
      std::cerr << ": " << Plural(loaded->policy.purposes.size(), "processing activity") << ", "
                << Plural(loaded->policy.datasets.size(), "dataset");
    std::cerr << "\n";
  }
  return kExitOk;
}

// The draft as JSON: YAML's structure, scalars typed as YAML resolves them
// (plain true/false, whole numbers and null; quoted or anything else a
// string). Object keys keep the draft's order.
nlohmann::ordered_json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Sequence: {
      nlohmann::ordered_json array = nlohmann::ordered_json::array();
      for (const YAML::Node& item : node) array.push_back(YamlToJson(item));
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::ordered_json object = nlohmann::ordered_json::object();
      for (const auto& entry : node) object[entry.first.Scalar()] = YamlToJson(entry.second);
      return object;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: a string whatever it looks like
  if (text == "true") return true;
  if (text == "false") return false;
  if (text == "~" || text == "null") return nullptr;
  bool digits = !text.empty() && text.size() <= 15 && (text == "0" || text[0] != '0');
  for (size_t i = 0; i < text.size(); ++i)
    digits = digits && (std::isdigit(static_cast<unsigned char>(text[i])) || (i == 0 && text[i] == '-' && text.size() > 1));
  if (digits && text != "-0" && text.rfind("-0", 0) != 0) return std::strtoll(text.c_str(), nullptr, 10);
  return text;
}

Result<std::string> DraftAsJson(const std::string& yaml) {
  try {
    return YamlToJson(YAML::Load(yaml)).dump(2) + "\n";
  } catch (const YAML::Exception& e) {
    return Status::Error(std::string("the draft does not convert to JSON: ") + e.what(), StatusCode::kInternal);
  }
}

int RunInit(const InitArgs& args) {
  // Refuse before any work, so that a typo in -o never costs a scan.
  Result<util::OutputTarget> output = CheckOutput(args.out, args.force, InputsOf(args.source, ""));
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
  // The TODOs the draft leaves, counted as 'policy check' will count them.
  Result<policy::LoadedPolicy> reread = policy::LoadPolicyString(*draft, "draft");
  const size_t todos = reread.ok() ? reread->policy.todos.size() : 0;
  std::string text = *draft;
  if (args.format == "json") {
    Result<std::string> json = DraftAsJson(*draft);
    if (!json.ok()) return ReportError(json.status());
    text = std::move(*json);
  }
  const bool quiet = args.verbosity.quiet;
  const bool to_file = output->kind == util::OutputKind::kRegularFile;
  // -q without -o writes nothing (as every -q); the TODO line below says so.
  if (!(quiet && args.out.empty())) {
    // A policy holds no personal data: readable by the team (0644).
    Status written = WriteOutput(*output, text, 0644);
    if (!written.ok()) return ReportError(written);
  }
  const std::string check = to_file ? args.out : "FILE";
  if (quiet) {
    // The one line -q keeps: a draft is not a policy until its TODOs are filled in.
    if (todos > 0) {
      if (args.out.empty())
        ReportWarning("the draft has " + Plural(todos, "TODO") + "; -q without -o wrote it nowhere: give -o FILE");
      else
        ReportWarning((to_file ? args.out : std::string("the draft")) + " has " + Plural(todos, "TODO") +
                      "; fill in every one, then run 'dpo policy check " + check + "'");
    }
    return kExitOk;
  }
  if (args.verbosity.verbose && reread.ok()) {
    const policy::Policy& p = reread->policy;
    size_t columns = 0;
    for (const policy::Dataset& d : p.datasets) columns += d.columns.size();
    std::cerr << "dpo: draft (" << args.format << "): " << Plural(p.datasets.size(), "dataset") << ", "
              << Plural(columns, "column") << " mapped, " << Plural(p.retention.size(), "retention rule") << ", "
              << Plural(todos, "TODO") << (args.schema_only ? " (column names only)\n" : "\n");
  }
  if (!to_file) return kExitOk;
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
  check->add_option("policy", check_args->policy, "Policy YAML file ('-': standard input, named <stdin>)")->required();
  check->add_flag("--strict", check_args->strict, "Warnings fail the check too (for CI)");
  check->add_option("--format", check_args->format, "Output: text (diagnostics on stderr) or json (on stdout)")
      ->check(CLI::IsMember({"text", "json"}));
  AddVerbosityFlags(check, &check_args->verbosity,
                    "Print nothing when the policy passes (no ok line, no warnings, no JSON); errors still go to "
                    "stderr",
                    "Also list how many entries each section holds (data_subjects, categories, purposes, ...)");
  check->footer(
      "Examples:\n  dpo policy check policies/staffing-agency.yaml\n"
      "  dpo policy check --strict --format json policy.yaml > diagnostics.json\n"
      "  generate-policy | dpo policy check -q -\n"
      "Exit codes: 0 the policy is valid (warnings allowed without --strict); 2 errors (or warnings with --strict),\n"
      "an unreadable file or not YAML, -q with -v; 3 internal error.");
  check->callback([check_args, exit_code]() { *exit_code = RunCheck(*check_args); });

  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = policy->add_subcommand(
      "show", "Print the policy as a GDPR Art. 30 record of processing activities (valid policies only)");
  show->add_option("policy", show_args->policy, "Policy YAML file ('-': standard input, named <stdin>)")->required();
  show->add_option("--format", show_args->format,
                   "Output: markdown, html (one self-contained page a DPO can send or print) or json")
      ->check(CLI::IsMember({"markdown", "html", "json"}));
  show->add_option("-o,--output", show_args->out,
                   "Write the register to FILE (mode 0644: it holds no personal data) instead of stdout");
  show->add_flag("--force", show_args->force, "Overwrite -o if it exists");
  AddVerbosityFlags(show, &show_args->verbosity,
                    "Print nothing on success; without -o no register either (the exit status says whether the "
                    "policy is valid); errors still go to stderr",
                    "Also count the processing activities and datasets in the 'wrote' line");
  show->footer(
      "Examples:\n  dpo policy show policies/staffing-agency.yaml -o register.md\n"
      "  dpo policy show --format json policies/staffing-agency.yaml\n"
      "  dpo policy show --format html -o register.html policies/staffing-agency.yaml\n"
      "  dpo policy show -q --force -o register.md policy.yaml   # cron: replace it, silently\n"
      "Exit codes: 0 written; 2 the policy has errors or cannot be read, -o exists without --force, -q with -v;\n"
      "3 internal error.");
  show->callback([show_args, exit_code]() { *exit_code = RunShow(*show_args); });

  auto init_args = std::make_shared<InitArgs>();
  CLI::App* init = policy->add_subcommand(
      "init", "Draft a policy from a source's tables and column names (every decision left as TODO)");
  init->add_option("source", init_args->source, "SQLite file, CSV file or directory, or postgresql:// URI")
      ->required();
  init->add_option("-o,--output,--out", init_args->out,
                   "Write the draft to FILE (mode 0644; default: standard output; --out is the old spelling)");
  init->add_flag("--force", init_args->force, "Overwrite -o if it exists");
  init->add_option("--format", init_args->format,
                   "yaml (default: with comments that explain each TODO) or json (the same draft as one JSON "
                   "document, which policy check loads too; YAML's comments are lost)")
      ->check(CLI::IsMember({"yaml", "json"}));
  init->add_option("--sample", init_args->sample,
                   "Rows per table read to judge columns whose names say nothing (default 1000)")
      ->check(SampleRows());
  init->add_flag("--schema-only", init_args->schema_only, "Use column names only; read no rows");
  AddVerbosityFlags(init, &init_args->verbosity,
                    "Print nothing on success but one line with the draft's TODO count; without -o no draft either",
                    "Also count the datasets, mapped columns, rules and TODOs of the draft");
  AddSourceFlags(init, &init_args->source_flags);
  init->footer(
      "Examples:\n  dpo policy init samples/staffing.db -o policy.yaml\n"
      "  dpo policy init csv:exports/ --schema-only > policy.yaml\n"
      "  dpo policy init crm.db --format json -o policy.json\n"
      "Exit codes: 0 written; 2 the source cannot be opened or read, -o exists without --force, -q with -v;\n"
      "3 internal error.");
  init->callback([init_args, exit_code]() { *exit_code = RunInit(*init_args); });
}

}  // namespace dpo::cmd
