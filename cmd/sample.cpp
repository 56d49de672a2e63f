// dpo sample generate: the fake staffing-agency database (lib/sample).
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "common.h"
#include "progress_line.h"
#include "flag_checks.h"
#include "interrupt_guard.h"
#include "sample/generator.h"
#include "util/duration.h"
#include "util/output_path.h"

namespace dpo::cmd {
namespace {

struct SampleArgs {
  std::string out;
  std::string format = "sqlite";
  std::string csv_dir;
  std::string truth;
  std::string as_of = "2026-11-01";
  uint64_t rows = 1000;
  uint64_t seed = 1;
  bool force = false;
  bool quiet = false;
  bool verbose = false;
};

int RunGenerate(const SampleArgs& args) {
  if (args.out.empty() && args.csv_dir.empty()) {
    return ReportError(
        Status::Error("sample generate: give -o FILE.db (with --format csv: -o DIR) and/or --csv DIR"));
  }
  const bool csv_out = args.format == "csv";
  if (csv_out && args.out.empty())
    return ReportError(Status::Error("sample generate: --format csv writes a directory of CSV files: give -o DIR"));
  if (csv_out && !args.csv_dir.empty())
    return ReportError(Status::Error("sample generate: --format csv -o " + args.out + " and --csv " + args.csv_dir +
                                     " both name the CSV directory: give one of them"));
  Result<util::Date> as_of = util::ParseIsoDate(args.as_of);
  if (!as_of.ok()) return ReportError(as_of.status().WithContext("sample generate: --as-of"));

  sample::GenerateOptions options;
  options.sqlite_path = csv_out ? "" : args.out;
  options.csv_dir = csv_out ? args.out : args.csv_dir;
  options.rows = args.rows;
  options.seed = args.seed;
  options.as_of = *as_of;
  options.overwrite = args.force;
  // Refuse before generating anything, not after. These outputs are renamed
  // into place, so they must be regular files: never a device or a FIFO.
  // (A CSV directory is checked by the generator: it is a directory.)
  for (auto [path, flag] : {std::pair<const std::string*, const char*>{&options.sqlite_path, "-o"},
                            std::pair<const std::string*, const char*>{&args.truth, "--truth"}}) {
    if (path->empty()) continue;
    util::OutputRules rules;
    rules.overwrite = args.force;
    rules.allow_device = false;
    rules.flag = flag;
    Result<util::OutputTarget> target = util::CheckOutputPath(*path, {}, rules);
    if (!target.ok()) return ReportError(target.status().WithContext("sample generate"));
  }
  // SIGINT/SIGTERM stop the generator, which removes its .partial files
  // (up to ~90 MB each at --rows 400000) instead of dying beside them.
  InterruptGuard interrupt;
  options.cancel = InterruptGuard::flag();
  auto interrupted = [] {
    std::cerr << "dpo: interrupted: sample generate wrote nothing and removed its partial files\n";
    return InterruptGuard::signal_number() == SIGTERM ? kExitTerminated : kExitInterrupted;
  };
  ProgressLine progress;
  if (!args.quiet && StderrIsTerminal())
    options.progress = [&progress](uint64_t done, uint64_t total) {
      ProgressLine::State st;
      st.verb = "generating";
      st.item = "the sample";
      st.done = static_cast<int64_t>(done);
      st.total = static_cast<int64_t>(total);
      st.run_done = st.done;
      st.run_total = st.total;
      st.unit = "candidates";
      progress.Update(st);
    };
  Result<sample::GenerateReport> report = sample::GenerateSample(options);
  progress.Clear();
  if (!report.ok() && InterruptGuard::interrupted()) return interrupted();
  if (!report.ok()) return ReportError(report.status());
  if (!args.truth.empty()) {
    Status s = sample::WriteGroundTruth(report->truth, args.truth, args.force);
    if (!s.ok()) return ReportError(s);
  }
  interrupt.Restore();
  const sample::GroundTruth& t = report->truth;
  double seconds = report->seconds;
  char line[256];
  std::snprintf(line, sizeof(line), "dpo: sample: %zu tables, %llu rows (%llu candidates) in %.2f s (%.0f rows/s)",
                t.tables.size(), static_cast<unsigned long long>(t.total_rows),
                static_cast<unsigned long long>(t.rows_option), seconds,
                seconds > 0 ? static_cast<double>(t.total_rows) / seconds : 0.0);
  if (args.quiet) return kExitOk;
  std::cerr << line << "\n";
  if (args.verbose) {
    for (const sample::TableTruth& table : t.tables)
      std::cerr << "  " << table.name << ": " << table.rows << (table.rows == 1 ? " row" : " rows") << "\n";
    if (!options.sqlite_path.empty()) std::cerr << "  wrote " << options.sqlite_path << " (SQLite)\n";
    if (!options.csv_dir.empty()) std::cerr << "  wrote " << options.csv_dir << " (one CSV file per table)\n";
    if (!args.truth.empty()) std::cerr << "  wrote " << args.truth << " (ground truth)\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterSample(CLI::App& app, int* exit_code) {
  CLI::App* sample = app.add_subcommand("sample", "Generate the sample staffing-agency database (fake personal data)");
  sample->require_subcommand(1);
  auto args = std::make_shared<SampleArgs>();
  CLI::App* gen = sample->add_subcommand(
      "generate",
      "Write a deterministic fake staffing-agency database (SQLite and/or CSV) and its ground truth.\n"
      "The same options always give the same data. Output files are created owner-only (0600).");
  gen->add_option("-o,--output,--out", args->out,
                  "SQLite file to create; with --format csv the directory for the CSV files (--out is the old "
                  "spelling)");
  gen->add_option("--format", args->format, "What -o is: sqlite (default: a database file) or csv (a directory)")
      ->check(CLI::IsMember({"sqlite", "csv"}));
  gen->add_option("--csv", args->csv_dir,
                  "Directory for one CSV file per table (created if missing); also with -o FILE.db for both");
  gen->add_option("--rows", args->rows, "Number of candidates; the other tables scale with it")
      ->capture_default_str()
      ->check(CLI::Range(static_cast<uint64_t>(1), static_cast<uint64_t>(100'000'000)));
  gen->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  gen->add_option("--as-of", args->as_of, "The date the data is generated relative to (YYYY-MM-DD)")
      ->capture_default_str()
      ->check(AsOfDay());
  gen->add_option("--truth", args->truth, "Write the ground truth (columns, kinds, categories, retention counts) as JSON");
  gen->add_flag("--force", args->force, "Replace existing output files (-o, --csv, --truth)");
  AddVerbosityFlags(gen, &args->quiet, &args->verbose, "Print nothing on success (no summary line)",
                    "Also print the rows written per table and the files written");
  gen->footer(
      "Examples:\n  dpo sample generate -o demo.db --truth truth.json\n"
      "  dpo sample generate --format csv -o demo-csv/ --rows 1000 --seed 7\n"
      "  dpo sample generate -o demo.db -v\n"
      "Exit codes: 0 written; 2 a bad option or an output that cannot be written (or exists without --force),\n"
      "-q with -v; 3 internal error; 130 interrupted (SIGINT), 143 stopped (SIGTERM): nothing written.");
  gen->callback([args, exit_code]() { *exit_code = RunGenerate(*args); });
}

}  // namespace dpo::cmd
