// The policy as a GDPR Art. 30 record of processing activities ("register van
// verwerkingsactiviteiten"): controller and DPO, then per purpose its legal
// basis, data subjects, categories, recipients, transfers and retention.
// Renderers only format the policy they are given; refuse a policy with
// errors before calling them (`dpo policy show` does).
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"

namespace dpo::report {

// One processing activity (a purpose) of the register in words, as every
// renderer prints it: categories with their sensitivity ("health (special
// category: health, Art. 9)"), recipients with their type and country,
// transfers with their safeguard, retention from the datasets' rules.
struct RegisterActivity {
  std::string purpose;  // the purpose id
  std::string description;
  bool automated_decisions = false;
  std::string legal_basis;  // "Legal obligation (Art. 6(1)(c)): Wet ..."
  std::vector<std::string> data_subjects;
  std::vector<std::string> categories;
  std::vector<std::string> recipients;
  std::vector<std::string> transfers;  // empty: none outside the EU/EEA
  std::string retention;               // RetentionSummary
};
std::vector<RegisterActivity> RegisterActivities(const policy::Policy& policy);

// Markdown: a header with controller, DPO and supervisory authority, one
// table row per purpose, and the security measures when the policy has them.
std::string RenderRegisterMarkdown(const policy::Policy& policy);

// HTML: one self-contained page (no scripts, nothing fetched; a
// Content-Security-Policy that forbids both) a DPO can send or print: the
// controller, then one card per processing activity. Every value is escaped.
std::string RenderRegisterHtml(const policy::Policy& policy);

// JSON, schema "dpo.register/1" (docs/policy-format.md, "The Art. 30 record").
std::string RenderRegisterJson(const policy::Policy& policy);

// The retention of one purpose in words, derived from the rules of the
// datasets that hold its data: "2 years after last_active_at (delete)".
// Several periods are joined with "; "; "not set" when no rule covers it.
std::string RetentionSummary(const policy::Policy& policy, const policy::Purpose& purpose);

}  // namespace dpo::report
