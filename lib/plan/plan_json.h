// The plan file: a retention plan as JSON (schema in docs/retention-plan.md),
// written by `dpo retention plan --out`, read back by `dpo retention apply`.
// Predicates are stored as trees, never as SQL text, so applying a plan runs
// exactly the operations that were reviewed, rendered for the source at hand.
#pragma once

#include <string>

#include "plan/retention_plan.h"
#include "util/status.h"

namespace dpo::plan {

std::string PlanToJson(const RetentionPlan& plan);
// Errors name `file` and the JSON path of what is wrong.
Result<RetentionPlan> PlanFromJson(const std::string& text, const std::string& file);

}  // namespace dpo::plan
