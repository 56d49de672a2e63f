#include "report/policy_diagnostics.h"

#include <nlohmann/json.hpp>

#include "report/escape.h"

namespace dpo::report {

std::string RenderDiagnosticsText(const std::vector<policy::Diagnostic>& diagnostics) {
  std::string out;
  for (const policy::Diagnostic& d : diagnostics) {
    out += TerminalSafe(d.location.ToString()) + ": " + policy::SeverityName(d.severity) + ": " +
           TerminalSafe(d.message) + "\n";
    if (!d.hint.empty()) out += "    hint: " + TerminalSafe(d.hint) + "\n";
  }
  return out;
}

std::string RenderDiagnosticsJson(const std::string& policy_file, const std::vector<policy::Diagnostic>& diagnostics,
                                  bool strict) {
  size_t errors = policy::CountErrors(diagnostics);
  size_t warnings = policy::CountWarnings(diagnostics);
  nlohmann::ordered_json doc;
  doc["schema"] = "dpo.policy-check/1";
  doc["policy"] = policy_file;
  doc["ok"] = errors == 0 && (!strict || warnings == 0);
  doc["strict"] = strict;
  doc["errors"] = errors;
  doc["warnings"] = warnings;
  doc["diagnostics"] = nlohmann::ordered_json::array();
  for (const policy::Diagnostic& d : diagnostics) {
    nlohmann::ordered_json j;
    j["severity"] = policy::SeverityName(d.severity);
    j["code"] = d.code;
    j["file"] = d.location.file;
    j["line"] = d.location.line;
    j["column"] = d.location.column;
    j["message"] = d.message;
    j["hint"] = d.hint;
    doc["diagnostics"].push_back(std::move(j));
  }
  // Replace invalid UTF-8 (a policy file is user input) instead of throwing.
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace dpo::report
