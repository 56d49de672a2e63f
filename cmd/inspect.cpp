// dpo inspect SOURCE: what is in a source (tables, columns, types, keys,
// relations, row counts), read-only.
#include <iostream>

#include "commands.h"
#include "common.h"
#include "relations/policy_relations.h"
#include "report/inspect_report.h"
#include "source/source.h"

namespace dpo::cmd {

namespace {

struct InspectArgs {
  std::string source;
  std::string format = "text";
  std::vector<std::string> tables;
  std::string policy;
  std::string out;
  bool force = false;
  Verbosity verbosity;
  SourceFlags source_flags;
};

int RunInspect(const InspectArgs& args) {
  Result<util::OutputTarget> output = CheckOutput(args.out, args.force, InputsOf(args.source, args.policy));
  if (!output.ok()) return ReportError(output.status());
  std::optional<policy::Policy> policy;
  if (!args.policy.empty()) {
    Result<policy::Policy> loaded = LoadPolicyForUse(args.policy);
    if (!loaded.ok()) return ReportError(loaded.status());
    policy = std::move(*loaded);
  }
  auto opened = OpenSourceWithFlags(args.source, args.source_flags, true);
  if (!opened.ok()) return ReportError(opened.status());
  source::Source& src = **opened;

  std::vector<std::string> names = args.tables;
  if (names.empty()) {
    auto listed = src.ListTables();
    if (!listed.ok()) return ReportError(listed.status());
    names = std::move(*listed);
  }
  report::InspectReport report;
  report.source_kind = source::SourceKindName(src.kind());
  report.source_name = src.DisplayName();
  for (const std::string& name : names) {
    auto table = src.Describe(name);
    if (!table.ok()) return ReportError(table.status());
    if (policy) relations::MergePolicyRelations(*policy, &*table);
    report.tables.push_back(std::move(*table));
  }
  report.skipped = src.Skipped();
  if (!args.verbosity.quiet) WarnSkippedRows(src);  // -q: the report says it
  // -q without -o: no report (as scan -q); the exit status says the source opened.
  if (args.verbosity.quiet && args.out.empty()) return kExitOk;
  Status written = WriteOutput(*output, args.format == "json" ? report::RenderInspectJson(report)
                                                               : report::RenderInspectText(report));
  if (!written.ok()) return ReportError(written);
  if (output->kind == util::OutputKind::kRegularFile && !args.verbosity.quiet)
    std::cerr << "dpo: wrote " << args.format << " to " << args.out << " (" << report.tables.size()
              << (report.tables.size() == 1 ? " table" : " tables") << ")\n";
  return kExitOk;
}

}  // namespace

void RegisterInspect(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* sub = app.add_subcommand(
      "inspect", "Show the tables of a source: columns, types, keys, relations and row counts (read-only)");
  sub->add_option("source", args->source,
                  "SQLite file, CSV file or directory (csv:PATH), or postgresql://user@host:port/db "
                  "(password from PGPASSWORD or ~/.pgpass)")
      ->required();
  sub->add_option("--format", args->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  sub->add_option("-t,--table", args->tables, "Only these tables (repeatable); default: all");
  sub->add_option("-p,--policy", args->policy,
                  "Also show the relations this policy declares (origin 'policy'; for CSV exports)");
  sub->add_option("-o,--output", args->out, "Write the report to FILE (mode 0600) instead of stdout");
  sub->add_flag("--force", args->force, "Overwrite -o if it exists");
  AddVerbosityFlags(sub, &args->verbosity,
                    "Print nothing on success; without -o no report either (the exit status says the source opened)",
                    "Accepted for scripts: the report already shows everything inspect knows");
  AddSourceFlags(sub, &args->source_flags);
  sub->footer(
      "Row counts prefixed with '~' are estimates (PostgreSQL statistics for large tables).\n"
      "Examples:\n  dpo inspect crm.db\n  dpo inspect exports/ --format json\n"
      "  dpo inspect postgresql://dpo@db.internal:5432/crm -t public.customers\n"
      "  dpo inspect crm.db --format json -o schema.json --force\n"
      "Exit codes: 0 ok; 2 the source cannot be opened or read (missing, not a database, locked, login refused),\n"
      "-o exists without --force, -q with -v; 3 internal error.");
  sub->callback([args, exit_code]() { *exit_code = RunInspect(*args); });
}

}  // namespace dpo::cmd
