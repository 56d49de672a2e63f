// Renders what `dpo policy check` found in a policy.
#pragma once

#include <string>
#include <vector>

#include "policy/diagnostic.h"

namespace dpo::report {

// One diagnostic per entry, compiler style:
//   FILE:LINE:COL: error: MESSAGE
//       hint: WHAT TO WRITE
std::string RenderDiagnosticsText(const std::vector<policy::Diagnostic>& diagnostics);

// JSON, schema "dpo.policy-check/1":
// {"schema": "dpo.policy-check/1", "policy": "p.yaml", "ok": false, "strict": false,
//  "errors": 1, "warnings": 0,
//  "diagnostics": [{"severity": "error", "code": "unknown-key", "file": "p.yaml", "line": 3,
//                   "column": 5, "message": "...", "hint": "..."}]}
// `ok` follows the exit code: no errors, and no warnings under --strict.
std::string RenderDiagnosticsJson(const std::string& policy_file, const std::vector<policy::Diagnostic>& diagnostics,
                                  bool strict);

}  // namespace dpo::report
