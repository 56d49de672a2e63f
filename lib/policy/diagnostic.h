// A problem found in a policy: by the loader (syntax of the format: unknown
// keys, wrong types, bad values) or by validation (meaning: dangling
// references, missing legal grounds, retention gaps). Every diagnostic says
// where (file:line:column), what is wrong, and what to write instead.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"

namespace dpo::policy {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  Location location;
  std::string message;  // what is wrong; never contains personal data
  std::string hint;     // what to write instead
  std::string code;     // stable id, e.g. "unknown-key" (docs/policy-format.md lists them)
};

const char* SeverityName(Diagnostic::Severity severity);  // "error" | "warning"

size_t CountErrors(const std::vector<Diagnostic>& diagnostics);
size_t CountWarnings(const std::vector<Diagnostic>& diagnostics);

// Stable order for output: by file, line, column, then as found.
void SortDiagnostics(std::vector<Diagnostic>* diagnostics);

}  // namespace dpo::policy
