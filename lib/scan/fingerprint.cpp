#include "scan/fingerprint.h"

namespace dpo::scan {

std::string Fingerprint(const std::string& code, const std::string& table, const std::string& column,
                        const std::string& policy_rule) {
  std::string out = code + ":" + table;
  if (!column.empty()) out += "." + column;
  if (!policy_rule.empty()) out += ":" + policy_rule;
  return out;
}

std::string Fingerprint(const Finding& finding) {
  return Fingerprint(finding.code, finding.table, finding.column, finding.policy_rule);
}

}  // namespace dpo::scan
