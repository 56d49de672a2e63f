// The retention/erasure plan reader (plan/plan_json.h), as `dpo retention
// apply` and `dpo erase apply` read a plan file: what it accepts must write
// back to JSON that reads back to the same plan.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "plan/plan_json.h"

using namespace dpo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Result<plan::RetentionPlan> parsed = plan::PlanFromJson(text, "fuzz-plan.json");
  if (!parsed.ok()) return 0;
  std::string json = plan::PlanToJson(*parsed);
  Result<plan::RetentionPlan> again = plan::PlanFromJson(json, "round-trip.json");
  if (!again.ok()) abort();  // a plan dpo accepts must survive being written
  if (plan::PlanToJson(*again) != json) abort();
  return 0;
}
