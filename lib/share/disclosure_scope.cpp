#include "share/disclosure_scope.h"

#include <algorithm>

#include "policy/validate.h"

namespace dpo::share {
namespace {

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

bool Has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

Status Refuse(const policy::Location& at, const std::string& what) {
  return Status::Error(at.ToString() + ": " + what, StatusCode::kInvalidArgument);
}

}  // namespace

Result<DisclosureScope> ResolveScope(const policy::Policy& policy, const std::string& recipient_id,
                                     const std::string& purpose_id) {
  const policy::Recipient* recipient = policy.FindRecipient(recipient_id);
  if (recipient == nullptr) {
    std::vector<std::string> ids;
    for (const policy::Recipient& r : policy.recipients) ids.push_back(r.id);
    return Status::Error("--recipient " + recipient_id + ": " + policy.file + " has no such recipient; its recipients: " +
                             Joined(ids),
                         StatusCode::kInvalidArgument);
  }
  const policy::Location& rat = policy.LocationOf("recipients." + recipient->id, recipient->location);
  if (recipient->categories.empty())
    return Refuse(rat, "recipient " + recipient->id +
                           " declares no categories, so nothing may be exported to it; add categories: [...] to "
                           "recipients." + recipient->id + " listing what it may receive (and columns: [TABLE.COLUMN, "
                           "...] to narrow it further)");

  std::vector<const policy::Purpose*> listing;
  for (const policy::Purpose& p : policy.purposes)
    if (Has(p.recipients, recipient->id)) listing.push_back(&p);
  std::vector<std::string> listing_ids;
  for (const policy::Purpose* p : listing) listing_ids.push_back(p->id);

  const policy::Purpose* purpose = nullptr;
  if (!purpose_id.empty()) {
    purpose = policy.FindPurpose(purpose_id);
    if (purpose == nullptr)
      return Status::Error("--purpose " + purpose_id + ": " + policy.file + " has no such purpose; purposes listing "
                               "recipient " + recipient->id + ": " + Joined(listing_ids),
                           StatusCode::kInvalidArgument);
    if (!Has(purpose->recipients, recipient->id))
      return Refuse(policy.LocationOf("purposes." + purpose->id, purpose->location),
                    "purpose " + purpose->id + " does not list recipient " + recipient->id +
                        " under recipients:, so its data may not go there; purposes that do: " + Joined(listing_ids) +
                        " (or add the recipient to purposes." + purpose->id + ".recipients if this disclosure is part "
                        "of that purpose)");
  } else if (listing.empty()) {
    return Refuse(rat, "no purpose lists recipient " + recipient->id +
                           " under recipients:; add it to the purpose this disclosure serves");
  } else if (listing.size() > 1) {
    return Status::Error("recipient " + recipient->id + " is listed by " + std::to_string(listing.size()) +
                             " purposes (" + Joined(listing_ids) +
                             "); a disclosure is for one purpose: pass --purpose with one of them",
                         StatusCode::kInvalidArgument);
  } else {
    purpose = listing[0];
  }
  const policy::Location& pat = policy.LocationOf("purposes." + purpose->id, purpose->location);

  DisclosureScope scope;
  scope.recipient = recipient->id;
  scope.recipient_description = recipient->description;
  scope.recipient_type = recipient->type;
  scope.country = recipient->country;
  scope.purpose = purpose->id;
  scope.purpose_description = purpose->description;
  scope.legal_basis = policy::LegalBasisName(purpose->legal_basis);
  scope.columns = recipient->columns;
  for (const std::string& c : recipient->categories)
    if (Has(purpose->categories, c) && !Has(scope.categories, c)) scope.categories.push_back(c);
  if (scope.categories.empty())
    return Refuse(pat, "recipient " + recipient->id + " may receive " + Joined(recipient->categories) +
                           " and purpose " + purpose->id + " covers " + Joined(purpose->categories) +
                           ": no category is in both, so nothing may go; choose another --purpose, or add the "
                           "category to both if the disclosure needs it");

  for (const std::string& c : scope.categories) {
    const policy::Category* category = policy.FindCategory(c);
    if (category == nullptr) continue;  // validation reports it; nothing maps to it
    if (category->sensitivity == policy::Sensitivity::kSpecial && !purpose->art9_condition)
      return Refuse(pat, "category " + c + " is special (Art. 9) and purpose " + purpose->id +
                             " has no art9_condition; add the Art. 9(2) condition that allows this disclosure, or "
                             "remove " + c + " from recipients." + recipient->id + ".categories");
    if (category->sensitivity == policy::Sensitivity::kCriminal && purpose->art10_basis.empty())
      return Refuse(pat, "category " + c + " is criminal data (Art. 10) and purpose " + purpose->id +
                             " has no art10_basis; add the law that allows it, or remove " + c + " from recipients." +
                             recipient->id + ".categories");
  }

  if (recipient->country.empty() || !policy::IsEuEea(recipient->country)) {
    const std::string country = recipient->country.empty() ? "an unknown country" : recipient->country;
    for (const policy::Transfer& t : purpose->transfers)
      if (t.recipient == recipient->id && !t.safeguard.empty()) scope.transfer = t;
    if (!scope.transfer)
      return Refuse(pat, "recipient " + recipient->id + " is in " + country +
                             ", outside the EU/EEA, and purpose " + purpose->id +
                             " declares no transfer to it with a safeguard (Art. 44-49); add to purposes." +
                             purpose->id + ".transfers: - { country: " +
                             (recipient->country.empty() ? std::string("XX") : recipient->country) +
                             ", recipient: " + recipient->id +
                             ", safeguard: adequacy | scc | bcr | derogation }, or do not export to it");
  }
  return scope;
}

}  // namespace dpo::share
