// The policy loader and validator (policy/loader.h, policy/validate.h) on
// YAML text, as `dpo policy check` runs them: every diagnostic must say
// where (a line and column inside the file) and what.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "anonymise/export_operator.h"
#include "detect/kind.h"
#include "policy/loader.h"
#include "policy/validate.h"

using namespace dpo;

namespace {

void CheckDiagnostics(const std::vector<policy::Diagnostic>& diagnostics) {
  for (const policy::Diagnostic& d : diagnostics) {
    if (d.message.empty() || d.code.empty()) abort();  // every finding says what
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const policy::ValidateOptions options = [] {
    policy::ValidateOptions o;
    for (detect::Kind k : detect::AllKinds()) o.known_detectors.emplace_back(detect::KindName(k));
    o.check_anonymise_operator = [](const std::string& name) {
      Result<anonymise::ExportOperator> op = anonymise::ParseExportOperator(name);
      return op.ok() ? std::string() : op.status().message();
    };
    return o;
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  Result<policy::LoadedPolicy> loaded = policy::LoadPolicyString(text, "fuzz.yaml");
  if (!loaded.ok()) {
    if (loaded.status().message().empty()) abort();
    return 0;
  }
  CheckDiagnostics(loaded->diagnostics);
  std::vector<policy::Diagnostic> found = policy::ValidatePolicy(loaded->policy, options);
  CheckDiagnostics(found);
  (void)policy::UngroundedDisclosures(loaded->policy);
  for (policy::Diagnostic& d : loaded->diagnostics) found.push_back(std::move(d));
  policy::SortDiagnostics(&found);
  (void)policy::CountErrors(found);
  return 0;
}
