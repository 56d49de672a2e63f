// Scan baselines: the findings a CI gate already knows about. A baseline is a
// set of finding fingerprints (scan/fingerprint.h); `dpo scan --baseline FILE`
// marks the findings in it "baselined" (still reported, not failing), so that
// only new findings fail the run.
//
// FILE is any of:
//   the baseline `dpo scan --write-baseline` writes (format below, docs/scan-json.md)
//     {"dpo_baseline": 1, "fingerprints": [{"fingerprint": ..., "code": ..., "location": ...}]}
//   a `dpo scan --format json` report (findings[].fingerprint; older reports
//     without it: computed from code, table, column and policy_rule)
//   a `dpo scan --format sarif` report (results[].partialFingerprints["dpoFinding/v2"])
// Findings accepted in the policy are left out of a baseline (and skipped when
// read from a report): otherwise a baseline would outlive the acceptance's expiry.
// The format belongs to scan: scan writes it and reads it back.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "scan/finding.h"
#include "util/status.h"

namespace dpo::scan {

struct Baseline {
  std::string file;                    // where it was read from, for messages
  std::set<std::string> fingerprints;
};

// Errors (exit 2) name the file and, for a wrong shape, the element:
// "b.json: findings[3]: ...; give a file that 'dpo scan --write-baseline' ... wrote".
Result<Baseline> ParseBaseline(std::string_view text, const std::string& file);
Result<Baseline> ReadBaselineFile(const std::string& path);

// Marks the findings of `result` whose fingerprint is in `baseline`, and
// records that a baseline was used (SARIF then says baselineState new or
// unchanged for every result).
void ApplyBaseline(const Baseline& baseline, ScanResult* result);

// The baseline of `result`: the fingerprints of its findings that are not
// accepted in the policy, sorted, each once, with the code and the
// table.column for people reading a diff. No values, no samples, no counts.
std::string BaselineJson(const ScanResult& result);

}  // namespace dpo::scan
