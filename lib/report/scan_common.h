// What every scan renderer needs to say the same thing the same way: the
// description of each finding code, counts, the verdict, and a one-line
// summary of evidence. Strings returned here are raw (not escaped); each
// renderer escapes them for its medium.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/scan_report.h"
#include "scan/finding.h"
#include "scan/rules.h"

namespace dpo::report {

// The rule registry lives with the checks (scan/rules.h); renderers read it.
using scan::AllRules;
using scan::FindRule;
using scan::RuleInfo;

// Findings that count (scan::Finding::Counts) by severity; baselined and
// accepted findings are counted apart, whatever their severity, so that
// every summary says what fails the run and what is known.
struct SeverityCounts {
  int64_t errors = 0;
  int64_t warnings = 0;
  int64_t notes = 0;
  int64_t baselined = 0;
  int64_t accepted = 0;
};
SeverityCounts CountBySeverity(const scan::ScanResult& result);

// Discovery mode: no policy was given; the scan only inventories personal data.
bool IsDiscovery(const scan::ScanResult& result);

// The version to print: options.tool_version, or this build's version.
std::string ToolVersion(const RenderOptions& options);

// "FAIL", "WARN", "PASS" (policy mode) or "INVENTORY" (discovery), and one
// sentence a DPO can read: "3 errors: the data does not match the policy."
struct Verdict {
  std::string word;
  std::string sentence;
};
Verdict VerdictOf(const scan::ScanResult& result);

// "table.column", or "table" for a table-level finding.
std::string FindingLocation(const scan::Finding& finding);

// "97% of 300 values, 291 validated; e.g. j***@e***.nl": what the evidence
// says, for people. Only counts and masked samples: never a raw value.
std::string EvidenceSummary(const scan::Evidence& evidence);
// 0..100, rounded, but never 100 unless every value matched, never 0 unless none did.
int PercentOf(int64_t part, int64_t whole);
// "97%"
std::string ConfidencePercent(double confidence);

// A policy location "policies/x.yaml:12:7" split into parts; line and column
// are 0 when absent. A path containing ':' is kept whole.
struct SourceLocation {
  std::string path;
  int64_t line = 0;
  int64_t column = 0;
};
SourceLocation ParseSourceLocation(std::string_view location);

// "1 error" / "2 errors"
std::string Plural(int64_t n, std::string_view singular, std::string_view plural);
// "1.3 MB" (always MB, one decimal; two below 0.1 MB so small scans do not say 0.0)
std::string FormatMegabytes(int64_t bytes);
// "2.4 s"
std::string FormatSeconds(double seconds);

// Counts of findings grouped by a key, in first-seen order, then sorted by
// count descending (stable). Empty keys are shown as `empty_label`.
struct GroupCount {
  std::string key;
  int64_t errors = 0;
  int64_t warnings = 0;
  int64_t notes = 0;
  int64_t total() const { return errors + warnings + notes; }
};
// Findings that concern a category, per category; those that concern none
// (a retention rule, a purpose's consent, a table outside the policy) are
// left out and counted by FindingsWithoutCategory.
std::vector<GroupCount> FindingsByCategory(const scan::ScanResult& result);
int64_t FindingsWithoutCategory(const scan::ScanResult& result);
std::vector<GroupCount> FindingsByTable(const scan::ScanResult& result);
// Discovery mode: how many columns hold each discovered category (notes only).
std::vector<GroupCount> ColumnsByCategory(const scan::ScanResult& result);

// Columns whose evidence names a category (discovered), across all tables.
int64_t PersonalDataColumnCount(const scan::ScanResult& result);

}  // namespace dpo::report
