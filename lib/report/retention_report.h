// Human summaries of a retention plan and of applying one (`dpo retention`).
// The plan file itself is JSON (plan/plan_json.h); these only print.
#pragma once

#include <string>

#include "plan/retention_apply.h"
#include "plan/retention_plan.h"

namespace dpo::report {

// What the plan will do, rule by rule, then every step with its SQL: for
// the admin who reviews it and the DBA who reads the statements.
std::string RenderPlanText(const plan::RetentionPlan& plan, bool show_sql);
std::string RenderPlanMarkdown(const plan::RetentionPlan& plan);
// One line per step with planned and actual rows, and the total.
std::string RenderApplyText(const plan::ApplyReport& report);

}  // namespace dpo::report
