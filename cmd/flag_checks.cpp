#include "flag_checks.h"

#include <cerrno>
#include <cstdlib>
#include <string>

#include "util/duration.h"

namespace dpo::cmd {
namespace {

// `text` as a whole decimal number from `low` to `high`, or why not. strtoll
// with ERANGE: a number past int64 is refused, never clamped.
std::string CheckWholeNumber(const std::string& text, int64_t low, int64_t high, const char* unit) {
  const std::string range = "from " + std::to_string(low) + " to " + std::to_string(high);
  errno = 0;
  char* end = nullptr;
  long long n = text.empty() ? 0 : std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end == nullptr || *end != '\0' || errno == ERANGE || n < low || n > high)
    return "'" + text + "' is not a number of " + unit + " " + range + "; give one " + range;
  return "";
}

}  // namespace

CLI::Validator AsOfDay() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string what = "a day from " + std::string(kEarliestAsOf) + " to " + kLatestAsOf;
        if (text.empty())
          return "an empty day is not today; write YYYY-MM-DD (" + what + "), or leave the flag out for today";
        Result<util::Date> d = util::ParseIsoDate(text);
        if (!d.ok()) return "'" + text + "' is not a date; write YYYY-MM-DD, " + what;
        if (*d < *util::ParseIsoDate(kEarliestAsOf)) return "'" + text + "' is too early; give " + what;
        return "";
      },
      "YYYY-MM-DD");
}

CLI::Validator SampleRows() {
  return CLI::Validator(
      [](std::string& text) { return CheckWholeNumber(text, 1, kMaxSampleRows, "rows"); },
      "ROWS");
}

CLI::Validator ThreadCount(int max) {
  return CLI::Validator([max](std::string& text) { return CheckWholeNumber(text, 1, max, "threads"); }, "N");
}

}  // namespace dpo::cmd
