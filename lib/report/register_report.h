// The policy as a GDPR Art. 30 record of processing activities ("register van
// verwerkingsactiviteiten"): controller and DPO, then per purpose its legal
// basis, data subjects, categories, recipients, transfers and retention.
// Renderers only format the policy they are given; refuse a policy with
// errors before calling them (`dpo policy show` does).
#pragma once

#include <string>

#include "policy/policy.h"

namespace dpo::report {

// Markdown: a header with controller, DPO and supervisory authority, one
// table row per purpose, and the security measures when the policy has them.
std::string RenderRegisterMarkdown(const policy::Policy& policy);

// JSON, schema "dpo.register/1" (docs/policy-format.md, "The Art. 30 record").
std::string RenderRegisterJson(const policy::Policy& policy);

// The retention of one purpose in words, derived from the rules of the
// datasets that hold its data: "2 years after last_active_at (delete)".
// Several periods are joined with "; "; "not set" when no rule covers it.
std::string RetentionSummary(const policy::Policy& policy, const policy::Purpose& purpose);

}  // namespace dpo::report
