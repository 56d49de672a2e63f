// Loads a policy from YAML (format: docs/policy-format.md).
//
// The Result is an error only when the file cannot be read or is not YAML at
// all (the message then says file:line:column and what the parser expected).
// Everything else the loader finds -- unknown keys, wrong types, bad values,
// durations that do not parse, duplicate ids -- becomes a Diagnostic with
// file:line:column and a hint, and the rest of the policy is still loaded, so
// one run shows every problem. Semantic checks (references, legal grounds,
// retention coverage) are policy/validate.h.
#pragma once

#include <string>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/policy.h"
#include "util/status.h"

namespace dpo::policy {

struct LoadedPolicy {
  Policy policy;
  std::vector<Diagnostic> diagnostics;  // loader findings only, in file order
};

Result<LoadedPolicy> LoadPolicyFile(const std::string& path);
// `display_name` is used as the file name in locations and messages.
Result<LoadedPolicy> LoadPolicyString(const std::string& text, const std::string& display_name);

// Levenshtein distance; exposed for "did you mean" suggestions elsewhere.
size_t EditDistance(const std::string& a, const std::string& b);
// The candidate closest to `word` if it is close enough to be a likely typo, else "".
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace dpo::policy
