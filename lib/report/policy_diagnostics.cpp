#include "report/policy_diagnostics.h"

#include <nlohmann/json.hpp>

#include "util/message.h"

namespace dpo::report {

// Messages quote names and values from the policy and the source. The loader
// escapes its own; this is the safety net for every other producer: control
// characters, line breaks, bidi overrides and invalid UTF-8 are shown
// escaped, so one diagnostic stays two lines and never drives the terminal.
std::string RenderDiagnosticsText(const std::vector<policy::Diagnostic>& diagnostics) {
  std::string out;
  for (const policy::Diagnostic& d : diagnostics) {
    out += util::EscapeForMessage(d.location.ToString(), std::string_view::npos) + ": " +
           policy::SeverityName(d.severity) + ": " + util::EscapeForMessage(d.message, std::string_view::npos) + "\n";
    if (!d.hint.empty()) out += "    hint: " + util::EscapeForMessage(d.hint, std::string_view::npos) + "\n";
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
