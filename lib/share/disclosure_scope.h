// Whom a disclosure goes to, for which one purpose, and which categories of
// personal data may go (Art. 5(1)(b),(c): purpose limitation and data
// minimisation; Art. 30(1)(d): recipients; Art. 44: transfers).
//
// A disclosure serves exactly one purpose that lists the recipient: the
// purpose names the legal basis the audit log records, and limits the
// categories. What may go is what both allow: the recipient's `categories`
// (a recipient without them may receive nothing) and the purpose's. A
// recipient outside the EU/EEA receives nothing unless that purpose declares
// a transfer to it with a safeguard.
//
// Decided from the policy alone, before the source is opened: a refusal
// costs nothing and has written nothing. Messages point at the policy's
// file:line:column and say what to add.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "util/status.h"

namespace dpo::share {

struct DisclosureScope {
  std::string recipient;              // recipients.<id>
  std::string recipient_description;
  std::string recipient_type;         // processor, client, ...
  std::string country;                // ISO 3166 alpha-2
  std::string purpose;                // purposes.<id>
  std::string purpose_description;
  std::string legal_basis;            // policy::LegalBasisName
  // The categories that may go: the recipient's that the purpose lists too,
  // in the recipient's order.
  std::vector<std::string> categories;
  // recipients.<id>.columns (TABLE.COLUMN): when not empty, only these.
  std::vector<std::string> columns;
  // The transfer outside the EU/EEA the purpose declares to the recipient
  // (std::nullopt inside the EU/EEA).
  std::optional<policy::Transfer> transfer;
};

// Resolves recipient `recipient` and purpose `purpose` ("" = the one purpose
// that lists the recipient). Errors (kInvalidArgument, nothing written):
//  - an unknown recipient or purpose (with the ids that would do);
//  - a recipient that declares no categories (add `categories:`);
//  - --purpose naming a purpose that does not list the recipient, or none
//    given while several do (naming them: a disclosure is for one purpose),
//    or no purpose listing it at all;
//  - no category both the recipient and the purpose allow;
//  - a special category (Art. 9) or criminal data (Art. 10) among them
//    while the purpose has no art9_condition / art10_basis;
//  - a recipient outside the EU/EEA (or with no country) without a transfer
//    to it under the purpose that names a safeguard (naming the country and
//    the transfer to add).
Result<DisclosureScope> ResolveScope(const policy::Policy& policy, const std::string& recipient,
                                     const std::string& purpose);

}  // namespace dpo::share
