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
#include "dpo/version.h"
#include "report/scan_report.h"
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
  SourceFlags source_flags;
};

// A one-line progress display on stderr, redrawn at most ten times a second.
class ProgressLine {
 public:
  void Update(const scan::ScanProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double mb = static_cast<double>(p.bytes_done) / 1048576.0;
    if (p.rows_total > 0)
      std::fprintf(stderr, "\r\033[Kscanning %s: %lld/%lld rows (%.0f%%, %.1f MB)", p.table.c_str(),
                   static_cast<long long>(p.rows_done), static_cast<long long>(p.rows_total),
                   100.0 * static_cast<double>(p.rows_done) / static_cast<double>(p.rows_total), mb);
    else
      std::fprintf(stderr, "\r\033[Kscanning %s: %lld rows (%.1f MB)", p.table.c_str(),
                   static_cast<long long>(p.rows_done), mb);
    shown_ = true;
  }
  ~ProgressLine() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

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
  unsigned hw = std::thread::hardware_concurrency();
  options.threads = flags.threads > 0 ? flags.threads : std::min(static_cast<int>(hw == 0 ? 2 : hw), scan::kMaxScanThreads);
  ProgressLine progress;
  if (!flags.quiet && StderrIsTerminal())
    options.progress = [&progress](const scan::ScanProgress& p) { progress.Update(p); };

  Result<scan::ScanResult> result = scan::RunScan(**src, options);
  options.progress = nullptr;
  if (!result.ok()) return ReportError(result.status());
  for (source::SkippedRows& s : (*src)->Skipped()) {
    for (scan::TableReport& t : result->tables) {
      if (t.name != s.table) continue;
      t.rows_skipped = s.count;
      t.skipped_lines = std::move(s.first_lines);
    }
  }
  WarnSkippedRows(**src);

  report::RenderOptions render;
  render.color = format == report::ScanFormat::kText && flags.output.empty() && UseColorOnStdout();
  render.tool_version = DPO_VERSION;
  std::ostringstream out;
  report::RenderScan(*result, format, render, out);
  Status written = WriteOutput(*output, out.str());
  if (!written.ok()) return ReportError(written);
  if (!flags.output.empty() && !flags.quiet)
    std::cerr << "dpo: wrote " << report::ScanFormatName(format) << " report to " << flags.output << " ("
              << result->findings.size() << " findings)\n";
  if (!never_fail && result->CountAtLeast(fail_on) > 0) return kExitFindings;
  return kExitOk;
}

}  // namespace

void RegisterScan(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* sub = app.add_subcommand(
      "scan", "Find personal data in a source; with --policy, check it against the policy (a CI gate)");
  sub->add_option("source", flags->source, "SQLite file, CSV file or directory, or postgresql:// URI")->required();
  sub->add_option("-p,--policy", flags->policy, "Policy to check against (without it: discovery only)");
  sub->add_option("-f,--format", flags->format, "Output: text (default), json, sarif, markdown, html");
  sub->add_option("--fail-on", flags->fail_on, "Exit 1 when findings at or above this exist: error (default), warning, never")
      ->check(CLI::IsMember({"error", "warning", "never"}));
  sub->add_option("-o,--output", flags->output, "Write the report to FILE (mode 0600) instead of stdout");
  sub->add_flag("--force", flags->force, "Overwrite --output if it exists");
  auto* sample = sub->add_option("--sample", flags->sample, "Rows sampled at random per table (default 10000)")
                     ->check(SampleRows());
  auto* full = sub->add_flag("--full", flags->full, "Scan every row of every table");
  sample->excludes(full);
  sub->add_option("--as-of", flags->as_of, "Evaluate retention as of YYYY-MM-DD (default: today)")->check(AsOfDay());
  sub->add_option("-t,--table", flags->tables, "Scan only this table (repeatable)");
  sub->add_option("--threads", flags->threads, "Detector threads, 1 to 256 (default: the number of cores)")
      ->check(ThreadCount(scan::kMaxScanThreads));
  sub->add_flag("-q,--quiet", flags->quiet, "No progress bar or notes on stderr");
  AddSourceFlags(sub, &flags->source_flags);
  sub->callback([flags, exit_code]() { *exit_code = RunScanCommand(*flags); });
}

}  // namespace dpo::cmd
