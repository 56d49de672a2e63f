// The stable identity of a finding across runs: what a baseline stores, what
// a policy `accepted:` entry may name, and SARIF's partialFingerprints
// (dpoFinding/v2), so code-scanning tools track the same alert over time.
//
// It is "CODE:TABLE[.COLUMN][:POLICY_RULE]", e.g.
//   undeclared-personal-data:candidates.private_email_2:datasets.candidates
//   retention-expired:candidates:retention.candidate_inactive
// Never line numbers, counts or samples: a finding keeps its fingerprint when
// rows are added or the policy file is re-indented, and it holds no personal
// data (table, column and rule names only). The policy rule is part of it
// because two retention rules on one table are two findings.
#pragma once

#include <string>

#include "scan/finding.h"

namespace dpo::scan {

std::string Fingerprint(const Finding& finding);
// The same, from the parts (a JSON report without the "fingerprint" field).
std::string Fingerprint(const std::string& code, const std::string& table, const std::string& column,
                        const std::string& policy_rule);

}  // namespace dpo::scan
