// The rules a scan checks, one registry: code, default severity, title, the
// GDPR article and what to do. The checks take a finding's severity from
// here (SetRule), the renderers take titles and help (SARIF rules, the HTML
// legend), and the docs list the same codes (a test compares them).
#pragma once

#include <string_view>
#include <vector>

#include "scan/finding.h"

namespace dpo::scan {

// A finding code explained for people.
struct RuleInfo {
  const char* code;         // kCode* (finding.h)
  const char* title;        // short: "Undeclared personal data"
  const char* description;  // why it matters and what to do, two or three sentences
  const char* law;          // "GDPR Art. 9" (empty if none)
  const char* help_uri;     // an article of the GDPR
  Severity default_severity;
};

// Every code the scan engine emits, in a fixed order.
const std::vector<RuleInfo>& AllRules();
// The rule for `code`, or nullptr for a code this build does not know.
const RuleInfo* FindRule(std::string_view code);

// Gives `finding` the rule's code and its default severity.
void SetRule(Finding* finding, const char* code);

}  // namespace dpo::scan
