// Checks what a loaded policy means against the GDPR/UAVG: every reference
// resolves, every purpose has the legal ground its data needs (Art. 6, 9, 10,
// UAVG art. 46), every transfer has a safeguard (Art. 44-49), every category a
// dataset holds has a retention rule (Art. 5(1)(e)), nothing is left TODO.
// Each finding says file:line:column, what is wrong and what to write;
// docs/policy-format.md lists the codes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/policy.h"

namespace dpo::policy {

struct ValidateOptions {
  // Detector kind names a category may list (cmd/ passes the names of
  // lib/detect; policy does not depend on detect). Empty: not checked.
  std::vector<std::string> known_detectors;
  // Reads an anonymise operator name (cmd/ passes anonymise's parser; policy
  // does not depend on it): "" when valid, else what is wrong. Unset: not checked.
  std::function<std::string(const std::string& name)> check_anonymise_operator;
};

// Diagnostics in file order. Errors make `policy check` fail; warnings only
// with --strict.
std::vector<Diagnostic> ValidatePolicy(const Policy& policy, const ValidateOptions& options);

// A recipient that may receive (recipients.<id>.categories) a special
// category (Art. 9) or criminal data (Art. 10) that no purpose sharing data
// with it grounds: no purpose lists both the recipient and the category with
// an art9_condition (art10_basis for criminal data).
struct UngroundedDisclosure {
  std::string recipient;
  std::string category;
  bool criminal = false;              // Art. 10 rather than Art. 9
  std::vector<std::string> purposes;  // the purposes that list the recipient
  Location location;                  // where the recipient lists the category
};
std::vector<UngroundedDisclosure> UngroundedDisclosures(const Policy& policy);

// True for the ISO 3166 alpha-2 codes of the EU and EEA (no Art. 44 transfer).
bool IsEuEea(const std::string& country);

}  // namespace dpo::policy
