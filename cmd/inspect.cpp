// dpo inspect SOURCE: what is in a source (tables, columns, types, keys,
// relations, row counts), read-only.
#include <iostream>

#include "commands.h"
#include "report/inspect_report.h"
#include "source/source.h"

namespace dpo::cmd {

namespace {

struct InspectArgs {
  std::string source;
  std::string format = "text";
  std::vector<std::string> tables;
  std::string delimiter;
  bool no_header = false;
  bool skip_bad_rows = false;
};

Result<char> ParseDelimiter(const std::string& text) {
  if (text.empty()) return static_cast<char>(0);
  if (text == "\\t" || text == "tab" || text == "\t") return '\t';
  if (text.size() == 1) return text[0];
  return Status::Error("--delimiter '" + text + "': give one character, e.g. ';' or tab");
}

int RunInspect(const InspectArgs& args) {
  source::OpenOptions options;
  options.read_only = true;
  Result<char> delimiter = ParseDelimiter(args.delimiter);
  if (!delimiter.ok()) return ReportError(delimiter.status());
  options.csv.delimiter = *delimiter;
  options.csv.header = !args.no_header;
  options.csv.skip_bad_rows = args.skip_bad_rows;

  auto opened = source::OpenSource(args.source, options);
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
    report.tables.push_back(std::move(*table));
  }
  std::cout << (args.format == "json" ? report::RenderInspectJson(report) : report::RenderInspectText(report));
  std::cout.flush();
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
  sub->add_option("--table", args->tables, "Only these tables (repeatable); default: all");
  sub->add_option("--delimiter", args->delimiter, "CSV: field delimiter (default: sniffed; 'tab' for tabs)");
  sub->add_flag("--no-header", args->no_header, "CSV: the first line is data; columns are named col1, col2, ...");
  sub->add_flag("--skip-bad-rows", args->skip_bad_rows, "CSV: skip and count ragged rows instead of failing");
  sub->footer(
      "Row counts prefixed with '~' are estimates (PostgreSQL statistics for large tables).\n"
      "Examples:\n  dpo inspect crm.db\n  dpo inspect exports/ --format json\n"
      "  dpo inspect postgresql://dpo@db.internal:5432/crm --table public.customers");
  sub->callback([args, exit_code]() { *exit_code = RunInspect(*args); });
}

}  // namespace dpo::cmd
