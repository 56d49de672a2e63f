// dpo anonymise: an anonymised (pseudonymised) copy of a source that others
// may use: test environments, analysts, a coaching network. The source is
// opened read-only; the output is a new SQLite file, CSV directory or
// PostgreSQL schema, complete or absent.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <unistd.h>

#include "anonymise/column_plan.h"
#include "anonymise/export.h"
#include "anonymise/sink.h"
#include "flag_checks.h"
#include "commands.h"
#include "common.h"
#include "interrupt_guard.h"
#include "report/anonymise_report.h"
#include "report/escape.h"
#include "source/conninfo.h"
#include "util/duration.h"
#include "util/keyed_hash.h"

namespace dpo::cmd {
namespace {

struct AnonymiseArgs {
  std::string policy;
  std::string source;
  std::string out;
  std::string to;
  std::string schema = "anonymised";
  std::string key_file;
  std::string as_of;
  int64_t k = -1;  // -1: the policy's anonymise.k
  double max_suppress = 1.0;
  bool keep_undeclared = false;
  bool force = false;
  bool dry_run = false;
  bool quiet = false;
  bool verbose = false;
  std::string format = "text";
  int threads = 2;
  bool no_fast_copy = false;
  SourceFlags source_flags;
};

bool LooksLikePostgres(const std::string& dest) {
  std::string lower;
  for (char c : dest) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.rfind("postgresql://", 0) == 0 || lower.rfind("postgres://", 0) == 0 ||
         lower.find("dbname=") != std::string::npos || lower.rfind("host=", 0) == 0;
}

Result<anonymise::SinkKind> SinkKindFor(const AnonymiseArgs& args) {
  if (args.to == "sqlite") return anonymise::SinkKind::kSqlite;
  if (args.to == "csv") return anonymise::SinkKind::kCsv;
  if (args.to == "postgresql" || args.to == "postgres") return anonymise::SinkKind::kPostgres;
  if (!args.to.empty())
    return Status::Error("--to " + args.to + ": write sqlite, csv or postgresql", StatusCode::kInvalidArgument);
  if (LooksLikePostgres(args.out)) return anonymise::SinkKind::kPostgres;
  std::string lower;
  for (char c : args.out) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.size() > 4 && lower.compare(lower.size() - 4, 4, ".csv") == 0)
    return Status::Error("-o " + args.out + ": CSV output is a directory with one file per table; write -o " +
                             args.out.substr(0, args.out.size() - 4) + "-csv/ (or --to csv to use this name for the "
                             "directory, --to sqlite for a database file)",
                         StatusCode::kInvalidArgument);
  std::error_code ec;
  if ((!args.out.empty() && args.out.back() == '/') || std::filesystem::is_directory(args.out, ec))
    return anonymise::SinkKind::kCsv;
  return anonymise::SinkKind::kSqlite;
}

// The output must not be (or be inside) the source or the policy, and a
// SQLite output must be a regular file: the sink renames over it.
Status CheckDestination(const AnonymiseArgs& args, anonymise::SinkKind kind) {
  if (kind == anonymise::SinkKind::kPostgres) return Status::Ok();
  std::vector<util::ProtectedPath> inputs = InputsOf(args.source, args.policy);
  if (!args.key_file.empty()) inputs.push_back({args.key_file, "the key file"});
  if (kind == anonymise::SinkKind::kSqlite) {
    util::OutputRules rules;
    rules.overwrite = args.force;
    rules.allow_device = false;
    rules.flag = "-o";
    Result<util::OutputTarget> t = util::CheckOutputPath(args.out, inputs, rules);
    if (!t.ok()) return t.status();
    if (t->kind != util::OutputKind::kRegularFile)
      return Status::Error("-o " + args.out + ": the SQLite output must be a file path", StatusCode::kInvalidArgument);
    return Status::Ok();
  }
  // A CSV directory: never the source's directory, nor inside it, nor a parent of it.
  namespace fs = std::filesystem;
  for (const util::ProtectedPath& p : inputs) {
    if (util::PathsNest(args.out, p.path))
      return Status::Error("-o " + args.out + " is, contains or is inside " + p.role + " (" + p.path +
                               "): write the anonymised CSV files to a new directory elsewhere",
                           StatusCode::kInvalidArgument);
  }
  std::error_code ec;
  fs::path out = fs::absolute(args.out, ec);
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    return Status::Error("-o " + args.out + " exists and is not a directory: CSV output is a directory of files",
                         StatusCode::kInvalidArgument);
  return Status::Ok();
}

Result<std::optional<util::SecretKey>> LoadKey(const AnonymiseArgs& args) {
  const char* env_key = std::getenv("DPO_KEY");
  bool given = !args.key_file.empty() || (env_key != nullptr && *env_key != 0);
  if (!given) return std::optional<util::SecretKey>();
  Result<util::SecretKey> key = util::SecretKey::Load(args.key_file);
  if (!key.ok()) return key.status();
  return std::optional<util::SecretKey>(std::move(*key));
}

int Run(const AnonymiseArgs& args) {
  Result<anonymise::SinkKind> kind = SinkKindFor(args);
  if (!kind.ok()) return ReportError(kind.status());
  if (args.format != "text" && args.format != "json")
    return ReportError(Status::Error("--format " + args.format + ": write text or json", StatusCode::kInvalidArgument));
  if (args.threads < 1 || args.threads > 64)
    return ReportError(Status::Error("--threads must be from 1 to 64", StatusCode::kInvalidArgument));
  if (args.max_suppress < 0 || args.max_suppress > 100)
    return ReportError(Status::Error("--max-suppress is a percentage from 0 to 100", StatusCode::kInvalidArgument));
  std::string as_of = args.as_of;
  if (as_of.empty()) {
    as_of = util::Today().ToIso();
  } else if (Result<util::Date> d = util::ParseIsoDate(as_of); !d.ok()) {
    return ReportError(d.status().WithContext("--as-of"));
  }
  if (!args.dry_run)
    if (Status s = CheckDestination(args, *kind); !s.ok()) return ReportError(s);

  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return ReportError(policy.status());
  Result<std::unique_ptr<source::Source>> source = OpenSourceWithFlags(args.source, args.source_flags, true);
  if (!source.ok()) return ReportError(source.status());
  SkippedRowsWarning skipped_rows(**source);  // on stderr, however the command ends

  anonymise::PlanOptions plan_options;
  plan_options.keep_undeclared = args.keep_undeclared;
  Result<anonymise::ExportPlan> plan = anonymise::PlanExport(**source, *policy, plan_options);
  if (!plan.ok()) return ReportError(plan.status());
  if (args.dry_run) {
    std::cout << (args.format == "json" ? report::RenderExportPlanJson(*plan) : report::RenderExportPlanText(*plan));
    return kExitOk;
  }
  Result<std::optional<util::SecretKey>> key = LoadKey(args);
  if (!key.ok()) return ReportError(key.status());
  const util::SecretKey* key_ptr = key->has_value() ? &**key : nullptr;
  if (Status s = anonymise::CheckKey(*plan, key_ptr); !s.ok()) return ReportError(s);

  anonymise::SinkOptions sink_options;
  sink_options.overwrite = args.force;
  sink_options.schema = args.schema;
  // Handlers first: a signal between creating the .partial file and the run
  // would otherwise kill the process and leave it behind.
  InterruptGuard interrupt;
  Result<std::unique_ptr<anonymise::Sink>> sink = anonymise::OpenSink(*kind, args.out, sink_options);
  if (!sink.ok()) {
    interrupt.Restore();
    return ReportError(sink.status());
  }

  anonymise::ExportOptions options;
  options.key = key_ptr;
  options.as_of = as_of;
  options.k = args.k >= 0 ? args.k : policy->anonymise.k;
  options.max_suppress = args.max_suppress / 100.0;
  options.threads = args.threads;
  options.cancel = InterruptGuard::flag();
  if ((*source)->kind() == source::SourceKind::kSqlite && !args.no_fast_copy)
    options.sqlite_source_path = InputsOf(args.source, "").at(0).path;
  const bool progress = !args.quiet && StderrIsTerminal();
  if (progress)
    options.progress = [](const std::string& table, int64_t done, int64_t) {
      if (done == 0)
        std::cerr << "\r\033[Kanonymise: " << report::TerminalSafe(table) << " ..." << std::flush;
      else if (done % (64 * 2048) < 2048)
        std::cerr << "\r\033[Kanonymise: " << report::TerminalSafe(table) << ": " << done << " rows" << std::flush;
    };
  Result<anonymise::ExportSummary> summary = anonymise::RunExport(**source, &*plan, **sink, options);
  interrupt.Restore();
  if (progress) std::cerr << "\r\033[K" << std::flush;
  // A signal during the last steps (the foreign-key check, fsync, rename)
  // comes too late to stop a run that then completes: the output is there.
  if (!summary.ok() && InterruptGuard::interrupted()) {
    std::cerr << "dpo: interrupted: nothing was written to " << (*sink)->DisplayName() << "\n";
    return kExitInterrupted;
  }
  if (!summary.ok()) return ReportError(summary.status().WithContext("nothing was written"));
  if (args.quiet) return kExitOk;
  if (args.verbose && args.format != "json") std::cout << report::RenderExportPlanText(*plan);
  std::cout << (args.format == "json" ? report::RenderExportSummaryJson(*summary)
                                      : report::RenderExportSummaryText(*summary));
  return kExitOk;
}

}  // namespace

void RegisterAnonymise(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<AnonymiseArgs>();
  CLI::App* cmd = app.add_subcommand(
      "anonymise", "Write an anonymised copy of a source (SQLite file, CSV directory or PostgreSQL schema)");
  cmd->alias("anonymize");
  cmd->add_option("source", args->source, "SQLite file, CSV file or directory, or PostgreSQL URI")->required();
  cmd->add_option("-p,--policy", args->policy,
                  "The policy (its anonymise: section and categories; '-': standard input)")
      ->required();
  cmd->add_option("-o,--output,--out", args->out,
                  "Where to write: a new .db file, a directory, or a PostgreSQL URI (--out is the old spelling)")
      ->required();
  cmd->add_option("--to", args->to, "Output kind: sqlite, csv or postgresql (default: by -o)");
  cmd->add_option("--schema", args->schema, "PostgreSQL output: the schema to create (default: anonymised)");
  cmd->add_option("--key-file", args->key_file, "Secret key for pseudonyms and fake values (else DPO_KEY)");
  cmd->add_option("--as-of", args->as_of, "YYYY-MM-DD for age bands (default: today)")->check(AsOfDay());
  cmd->add_option("--k", args->k, "Generalise quasi-identifiers, then suppress, until every combination has k rows");
  cmd->add_option("--max-suppress", args->max_suppress,
                  "Percent of rows --k may suppress before it generalises further (default 1)");
  cmd->add_flag("--keep-undeclared", args->keep_undeclared,
                "Copy columns the policy does not mention as they are, even when they look personal");
  cmd->add_flag("--force", args->force, "Replace an existing -o (only once the new one is complete)");
  cmd->add_flag("-n,--dry-run", args->dry_run, "Show the operator of every column; write nothing");
  cmd->add_option("-f,--format", args->format, "Summary: text (default) or json");
  AddVerbosityFlags(cmd, &args->quiet, &args->verbose, "Print nothing on success (no progress, no summary)",
                    "Also print the operator of every column before the summary (as --dry-run shows them)");
  cmd->add_option("--threads", args->threads, "Threads, 1 to 64 (default 2: one transforms, one writes)")
      ->check(ThreadCount(64));
  cmd->add_flag("--no-fast-copy", args->no_fast_copy,
                "SQLite to SQLite: stream rows through dpo instead of copying inside SQLite (for comparison)")
      ->group("");
  AddSourceFlags(cmd, &args->source_flags);
  cmd->footer(
      "Examples:\n  dpo anonymise samples/staffing.db -p policies/staffing-agency.yaml -o anon.db --key-file dpo.key\n"
      "  dpo anonymise samples/staffing.db -p policies/staffing-agency.yaml -o anon.db --dry-run\n"
      "  dpo anonymise crm.db -p policy.yaml -o anon-csv/ --to csv --k 5 --key-file dpo.key\n"
      "Exit codes: 0 written (or a dry run); 2 bad input (a flag, the policy, an operator that cannot apply, no key,\n"
      "an existing output without --force, -q with -v; nothing written); 3 internal error; 130 interrupted (nothing\n"
      "written).");
  cmd->callback([args, exit_code]() { *exit_code = Run(*args); });
}

}  // namespace dpo::cmd
