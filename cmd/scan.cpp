// dpo scan [--policy POLICY] SOURCE: find personal data; check it against the policy.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.h"
#include "common.h"
#include "flag_checks.h"
#include "progress_line.h"
#include "dpo/version.h"
#include "report/scan_common.h"
#include "report/scan_report.h"
#include "scan/baseline.h"
#include "scan/scanner.h"

namespace dpo::cmd {
namespace {

struct ScanFlags {
  std::string source;
  std::string policy;
  std::string format;  // default: text
  std::string fail_on = "error";
  std::string output;
  bool force = false;
  int64_t sample = 10000;
  bool full = false;
  std::string as_of;
  std::vector<std::string> tables;
  int threads = 0;
  bool quiet = false;
  bool verbose = false;
  std::string baseline;        // --baseline FILE: findings in it do not fail the run
  std::string write_baseline;  // --write-baseline FILE
  std::string color = "auto";  // --color auto|always|never (text report on stdout)
  SourceFlags source_flags;
};

// The one line `-q` prints when the scan fails: the counts that decide the
// exit status, what was known and not counted, and where the report went.
std::string QuietSummary(const scan::ScanResult& result, const std::string& output) {
  const report::SeverityCounts c = report::CountBySeverity(result);
  std::string line = "dpo: " + report::Plural(c.errors, "error", "errors") + ", " +
                     report::Plural(c.warnings, "warning", "warnings");
  if (c.baselined > 0 || c.accepted > 0) {
    line += " (not counted:";
    if (c.baselined > 0) line += " " + std::to_string(c.baselined) + " baselined";
    if (c.baselined > 0 && c.accepted > 0) line += ",";
    if (c.accepted > 0) line += " " + std::to_string(c.accepted) + " accepted";
    line += ")";
  }
  if (output.empty()) return line + "; run without -q, or with -o FILE, for the report";
  if (output == "-") return line + "; the report is on stdout";
  return line + "; see " + output;
}

int RunScanCommand(const ScanFlags& flags) {
  report::ScanFormat format = report::ScanFormat::kText;
  if (!flags.format.empty()) {
    Result<report::ScanFormat> parsed = report::ParseScanFormat(flags.format);
    if (!parsed.ok()) return ReportError(parsed.status());
    format = *parsed;
  }
  scan::Severity fail_on = scan::Severity::kError;
  bool never_fail = flags.fail_on == "never";
  if (flags.fail_on == "warning") fail_on = scan::Severity::kWarning;
  if (flags.sample <= 0) return ReportError(Status::Error("--sample must be a positive number of rows"));

  // Refuse a bad -o before any work: never the source, the policy or a device's node.
  Result<util::OutputTarget> output = CheckOutput(flags.output, flags.force, InputsOf(flags.source, flags.policy));
  if (!output.ok()) return ReportError(output.status());
  std::optional<util::OutputTarget> baseline_out;
  if (!flags.write_baseline.empty()) {
    if (flags.write_baseline == "-" || flags.write_baseline == flags.output)
      return ReportError(Status::Error("--write-baseline " + flags.write_baseline +
                                       ": give the baseline its own file, not the report's (-o) or stdout"));
    Result<util::OutputTarget> checked =
        CheckOutput(flags.write_baseline, flags.force, InputsOf(flags.source, flags.policy), "--write-baseline");
    if (!checked.ok()) return ReportError(checked.status());
    baseline_out = *checked;
  }
  std::optional<scan::Baseline> baseline;
  if (!flags.baseline.empty()) {
    if (flags.baseline == "-" && flags.policy == "-")
      return ReportError(Status::Error("--baseline - and --policy - both read standard input: give one of them a file"));
    // "-": standard input, as every file dpo reads (named <stdin> in errors).
    Result<scan::Baseline> read = [&flags]() -> Result<scan::Baseline> {
      if (flags.baseline != "-") return scan::ReadBaselineFile(flags.baseline);
      Result<std::string> text = ReadInput(flags.baseline, "baseline");
      if (!text.ok()) return text.status();
      return scan::ParseBaseline(*text, kStdinName);
    }();
    if (!read.ok()) return ReportError(read.status().WithContext("--baseline"));
    baseline = std::move(*read);
  }

  scan::ScanOptions options;
  if (!flags.as_of.empty()) {
    Result<util::Date> as_of = util::ParseIsoDate(flags.as_of);
    if (!as_of.ok()) return ReportError(as_of.status().WithContext("--as-of"));
    options.as_of = *as_of;
  }
  std::optional<policy::Policy> policy;
  if (!flags.policy.empty()) {
    Result<policy::Policy> loaded = LoadPolicyForUse(flags.policy);
    if (!loaded.ok()) return ReportError(loaded.status());
    policy = std::move(*loaded);
    options.policy = &*policy;
  }
  Result<std::unique_ptr<source::Source>> src = OpenSourceWithFlags(flags.source, flags.source_flags, true);
  if (!src.ok()) return ReportError(src.status());

  options.full = flags.full;
  options.sample_rows = flags.sample;
  options.tables = flags.tables;
  if (baseline) options.baseline = &*baseline;
  unsigned hw = std::thread::hardware_concurrency();
  options.threads = flags.threads > 0 ? flags.threads : std::min(static_cast<int>(hw == 0 ? 2 : hw), scan::kMaxScanThreads);
  ProgressLine progress;
  if (!flags.quiet && StderrIsTerminal())
    options.progress = [&progress](const scan::ScanProgress& p) {
      ProgressLine::State st;
      st.item = p.table;
      st.item_number = p.table_number;
      st.item_count = p.table_count;
      st.done = p.rows_done;
      st.total = p.rows_total;
      st.run_done = p.scan_rows_done;
      st.run_total = p.scan_rows_total;
      progress.Update(st);
    };

  Result<scan::ScanResult> result = scan::RunScan(**src, options);
  options.progress = nullptr;
  progress.Clear();  // before any report or warning reaches the terminal
  if (!result.ok()) return ReportError(result.status());
  for (source::SkippedRows& s : (*src)->Skipped()) {
    for (scan::TableReport& t : result->tables) {
      if (t.name != s.table) continue;
      t.rows_skipped = s.count;
      t.skipped_lines = std::move(s.first_lines);
    }
  }
  if (!flags.quiet) WarnSkippedRows(**src);  // -q: the report says it

  report::RenderOptions render;
  render.color = format == report::ScanFormat::kText && flags.output.empty() && UseColorOnStdout(flags.color);
  render.tool_version = DPO_VERSION;
  // -q without -o: no report at all (as grep -q); the exit status and, on
  // failure, the one line below are the result.
  const bool report_wanted = !(flags.quiet && flags.output.empty());
  if (report_wanted) {
    std::ostringstream out;
    report::RenderScan(*result, format, render, out);
    Status written = WriteOutput(*output, out.str());
    if (!written.ok()) return ReportError(written);
    if (!flags.output.empty() && !flags.quiet)
      std::cerr << "dpo: wrote " << report::ScanFormatName(format) << " report to " << flags.output << " ("
                << result->findings.size() << " findings)\n";
  }
  if (baseline_out) {
    // Fingerprints only (no values, no samples), but still 0600 like every
    // scan output: it names the tables and columns that hold personal data.
    const std::string text = scan::BaselineJson(*result);
    Status written = WriteOutput(*baseline_out, text);
    if (!written.ok()) return ReportError(written);
    if (!flags.quiet) {
      size_t n = 0;
      for (const scan::Finding& f : result->findings) n += f.accepted ? 0 : 1;
      std::cerr << "dpo: wrote baseline to " << flags.write_baseline << " (" << n << " findings)\n";
    }
  }
  if (flags.verbose) {
    // What was read, table by table, and what was found: on stderr, beside
    // (never inside) the report.
    for (const scan::TableReport& t : result->tables)
      std::cerr << "dpo: scanned " << t.name << ": " << t.rows_scanned << " of "
                << (t.row_count >= 0 ? (t.row_count_exact ? "" : "~") + std::to_string(t.row_count) : std::string("?"))
                << " rows, " << t.columns.size() << " columns\n";
    const report::SeverityCounts c = report::CountBySeverity(*result);
    std::cerr << "dpo: " << result->findings.size() << " findings: " << c.errors << " errors, " << c.warnings
              << " warnings, " << c.notes << " notes (" << c.baselined << " baselined, " << c.accepted
              << " accepted)\n";
  }
  const bool failed = !never_fail && result->CountAtLeast(fail_on) > 0;
  if (failed && flags.quiet) std::cerr << QuietSummary(*result, flags.output) << "\n";
  return failed ? kExitFindings : kExitOk;
}

}  // namespace

void RegisterScan(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* sub = app.add_subcommand(
      "scan", "Find personal data in a source; with --policy, check it against the policy (a CI gate)");
  sub->add_option("source", flags->source, "SQLite file, CSV file or directory, or postgresql:// URI")->required();
  sub->add_option("-p,--policy", flags->policy,
                  "Policy to check against ('-': standard input; without it: discovery only)");
  sub->add_option("-f,--format", flags->format, "Output: text (default), json, sarif, markdown, html");
  sub->add_option("--fail-on", flags->fail_on, "Exit 1 when findings at or above this exist: error (default), warning, never")
      ->check(CLI::IsMember({"error", "warning", "never"}));
  sub->add_option("-o,--output", flags->output, "Write the report to FILE (mode 0600) instead of stdout");
  sub->add_flag("--force", flags->force, "Overwrite -o (and --write-baseline) if it exists");
  auto* sample = sub->add_option("--sample", flags->sample, "Rows sampled at random per table (default 10000)")
                     ->check(SampleRows());
  auto* full = sub->add_flag("--full", flags->full, "Scan every row of every table");
  sample->excludes(full);
  sub->add_option("--as-of", flags->as_of, "Evaluate retention as of YYYY-MM-DD (default: today)")->check(AsOfDay());
  sub->add_option("-t,--table", flags->tables, "Scan only this table (repeatable)");
  sub->add_option("--threads", flags->threads, "Detector threads, 1 to 256 (default: the number of cores)")
      ->check(ThreadCount(scan::kMaxScanThreads));
  sub->add_option("--baseline", flags->baseline,
                  "Findings in FILE (a --write-baseline file, or an earlier JSON or SARIF report; '-': standard "
                  "input) are reported as baselined and do not fail the run");
  sub->add_option("--write-baseline", flags->write_baseline,
                  "Write the fingerprints of this scan's findings to FILE (mode 0600; --force overwrites)");
  sub->add_option("--color", flags->color,
                  "Colours in the text report: auto (default: a terminal, not TERM=dumb, NO_COLOR unset), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  AddVerbosityFlags(sub, &flags->quiet, &flags->verbose,
                    "Print nothing on success; on failure one line on stderr with the counts (without -o: no report)",
                    "Also print, on stderr, the rows scanned per table and the findings per severity");
  AddSourceFlags(sub, &flags->source_flags);
  sub->footer(
      "Examples:\n  dpo scan samples/staffing.db -p policies/staffing-agency.yaml\n"
      "  dpo scan crm.db -p policy.yaml -f sarif -o dpo.sarif --fail-on warning\n"
      "  dpo scan csv:exports/ -t candidates --full\n"
      "  cat policy.yaml | dpo scan crm.db --policy - -q\n"
      "Exit codes: 0 no findings at or above --fail-on; 1 findings at or above it; 2 usage, policy or source\n"
      "error (nothing was scanned), -q with -v; 3 internal error.");
  sub->callback([flags, exit_code]() { *exit_code = RunScanCommand(*flags); });
}

}  // namespace dpo::cmd
