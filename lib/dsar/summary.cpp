#include "dsar/summary.h"

#include <algorithm>
#include <map>
#include <set>

namespace dpo::dsar {
namespace {

bool IsSubjectsOwn(RowRole role) { return role == RowRole::kSubject || role == RowRole::kBelongs; }

bool IsSpecial(const policy::Category* category) {
  return category != nullptr && (category->sensitivity == policy::Sensitivity::kSpecial ||
                                 category->sensitivity == policy::Sensitivity::kCriminal);
}

template <typename T>
void AddUnique(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// Months and years are one calendar unit: received 2026-01-31 + 1 month + 2
// months must be 2026-04-30 (three months from receipt, as Art. 12(3) counts),
// not 2026-02-28 + 2 months = 2026-04-28, which would cut the controller's
// period short by the days the first clamp lost.
util::Date AddPeriods(const util::Date& start, const util::Duration& first, const util::Duration& second) {
  auto months = [](const util::Duration& d) {
    return d.unit == util::Duration::Unit::kYears ? 12 * d.amount : d.amount;
  };
  auto calendar = [](const util::Duration& d) {
    return d.unit == util::Duration::Unit::kMonths || d.unit == util::Duration::Unit::kYears;
  };
  if (calendar(first) && calendar(second))
    return util::Add(start, util::Duration::Months(months(first) + months(second)));
  return util::Add(util::Add(start, first), second);
}

}  // namespace

Summary BuildSummary(const policy::Policy& policy, const SubjectData& data, const util::Date& received,
                     const std::string& generated_at) {
  Summary s;
  s.controller = policy.controller.name;
  s.controller_contact = policy.controller.contact;
  s.controller_address = policy.controller.address;
  s.dpo_name = policy.controller.dpo_name;
  s.dpo_contact = policy.controller.dpo_contact;
  s.request_contact = policy.dsar.contact.empty() ? policy.controller.contact : policy.dsar.contact;
  s.supervisory_authority = policy.controller.supervisory_authority;
  s.received = received.ToIso();
  s.due = util::Add(received, policy.dsar.response_period).ToIso();
  s.due_extended = AddPeriods(received, policy.dsar.response_period, policy.dsar.extension).ToIso();
  s.response_period = policy.dsar.response_period.ToString();
  s.extension = policy.dsar.extension.ToString();
  s.generated_at = generated_at;
  for (const source::SkippedRows& skipped : data.skipped) s.unread_rows += skipped.count;

  // Per category id: the datasets holding the subject's values and how many.
  // Context rows (a vacancy, a client company) are not the subject's data and
  // count for nothing here; their withheld columns are reported below.
  std::map<std::string, SummaryCategory> held;
  std::map<std::string, std::set<std::string>> held_in;  // dataset table -> category ids with values there
  std::vector<const policy::Dataset*> own_datasets;      // policy datasets with rows of the subject, walk order
  for (const DatasetRows& rows : data.datasets) {
    s.redacted_spans += rows.redacted_spans;
    s.withheld_columns += static_cast<int64_t>(rows.withheld.size());
    if (!IsSubjectsOwn(rows.role) || rows.rows.empty()) continue;
    s.records += static_cast<int64_t>(rows.rows.size());
    const policy::Dataset* dataset = policy.FindDataset(rows.table);
    // A table the policy does not describe has no categories, purposes or
    // retention to tell; its rows are still in data.json and counted above.
    if (dataset == nullptr) continue;
    AddUnique(own_datasets, dataset);
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      const policy::ColumnMapping* mapping = dataset->FindColumn(rows.columns[c]);
      if (mapping == nullptr || mapping->category.empty() || mapping->category == "none") continue;
      int64_t values = 0;
      for (const std::vector<Cell>& row : rows.rows)
        if (c < row.size() && row[c].has_value()) ++values;
      if (values == 0) continue;  // an empty column tells nothing about the subject
      SummaryCategory& category = held[mapping->category];
      category.values += values;
      AddUnique(category.datasets, rows.table);
      held_in[rows.table].insert(mapping->category);
    }
  }
  s.no_data = s.records == 0;

  // Categories in policy order (the order the controller chose to explain
  // them in); a category the policy names in a column but never defines is
  // listed after them with its id only, rather than hidden.
  for (const policy::Category& category : policy.categories) {
    auto it = held.find(category.id);
    if (it == held.end()) continue;
    it->second.id = category.id;
    it->second.description = category.description;
    it->second.special = IsSpecial(&category);
    s.categories.push_back(std::move(it->second));
    held.erase(it);
  }
  for (auto& [id, category] : held) {
    category.id = id;
    s.categories.push_back(std::move(category));
  }
  for (const policy::Dataset* dataset : own_datasets) {
    AddUnique(s.sources, dataset->description.empty() ? dataset->table : dataset->description);
    for (const policy::RetentionRule* rule : policy.RulesForDataset(dataset->table)) {
      SummaryRetention r;
      r.dataset = rule->dataset;
      r.keep = rule->todo ? "" : rule->keep.ToString();
      r.after = rule->AfterText();
      r.action = policy::RetentionActionName(rule->action);
      r.basis = rule->basis;
      r.description = rule->description;
      for (const policy::LegalHold& hold : rule->legal_holds)
        AddUnique(r.holds, hold.reason.empty() ? hold.name : hold.reason);
      s.retention.push_back(std::move(r));
    }
  }

  // Purposes in policy order, each once however many datasets serve it. A
  // purpose covers the categories it names that are held in a dataset it
  // serves: the VOG date in the employee record is not processed for
  // conversation notes just because that purpose also names criminal data.
  // A purpose none of whose categories the subject has values of does not
  // process their data and is left out (the VOG check of a worker who has
  // no VOG date), with its recipients and transfers; one that names no
  // categories at all (a draft) cannot be judged and is kept.
  std::map<std::string, std::set<std::string>> purpose_held;  // purpose id -> category ids
  for (const policy::Dataset* dataset : own_datasets)
    for (const std::string& id : dataset->purposes) {
      std::set<std::string>& categories = purpose_held[id];
      const auto it = held_in.find(dataset->table);
      if (it != held_in.end()) categories.insert(it->second.begin(), it->second.end());
    }
  for (const policy::Purpose& purpose : policy.purposes) {
    const auto served = purpose_held.find(purpose.id);
    if (served == purpose_held.end()) continue;
    const std::set<std::string>& held_ids = served->second;
    SummaryPurpose p;
    p.id = purpose.id;
    p.description = purpose.description;
    p.legal_basis = policy::LegalBasisName(purpose.legal_basis);
    p.law = purpose.law;
    p.interest = purpose.interest;
    p.automated_decisions = purpose.automated_decisions;
    bool covers_art9 = false, covers_art10 = false;
    for (const std::string& id : purpose.categories) {
      if (held_ids.count(id) == 0) continue;
      AddUnique(p.categories, id);
      const policy::Category* category = policy.FindCategory(id);
      if (category == nullptr) continue;
      covers_art9 = covers_art9 || category->sensitivity == policy::Sensitivity::kSpecial;
      covers_art10 = covers_art10 || category->sensitivity == policy::Sensitivity::kCriminal;
    }
    if (p.categories.empty() && !purpose.categories.empty()) continue;
    if (covers_art9 && purpose.art9_condition) p.art9_condition = policy::Art9ConditionName(*purpose.art9_condition);
    if (covers_art10) p.art10_basis = purpose.art10_basis;
    for (const std::string& id : purpose.recipients) {
      const policy::Recipient* recipient = policy.FindRecipient(id);
      AddUnique(p.recipients, recipient != nullptr && !recipient->description.empty() ? recipient->description : id);
    }
    for (const policy::Transfer& t : purpose.transfers) {
      const policy::Recipient* recipient = policy.FindRecipient(t.recipient);
      SummaryTransfer transfer{
          t.country, recipient != nullptr && !recipient->description.empty() ? recipient->description : t.recipient,
          t.safeguard};
      bool seen = false;
      for (const SummaryTransfer& other : s.transfers)
        seen = seen || (other.country == transfer.country && other.recipient == transfer.recipient &&
                        other.safeguard == transfer.safeguard);
      if (!seen) s.transfers.push_back(std::move(transfer));
    }
    s.purposes.push_back(std::move(p));
  }
  // The consents the subject gave and withdrew, from the records each
  // consent-based purpose names, as far as the subject's own rows hold them.
  for (const policy::Purpose& purpose : policy.purposes) {
    if (!purpose.consent) continue;
    const policy::ConsentRecords& c = *purpose.consent;
    for (const DatasetRows& rows : data.datasets) {
      if (!IsSubjectsOwn(rows.role) || rows.table != c.dataset) continue;
      auto index = [&](const std::string& column) -> int {
        if (column.empty()) return -1;
        auto it = std::find(rows.columns.begin(), rows.columns.end(), column);
        return it == rows.columns.end() ? -2 : static_cast<int>(it - rows.columns.begin());
      };
      int purpose_at = index(c.purpose_column), given_at = index(c.given_at), withdrawn_at = index(c.withdrawn_at);
      if (purpose_at == -2 || given_at < 0 || withdrawn_at == -2) continue;
      for (const std::vector<Cell>& row : rows.rows) {
        auto cell = [&](int i) -> std::string {
          return i >= 0 && static_cast<size_t>(i) < row.size() && row[i] ? *row[i] : std::string();
        };
        if (purpose_at >= 0 && cell(purpose_at) != c.purpose_value) continue;
        if (cell(given_at).empty()) continue;
        s.consents.push_back({purpose.id, purpose.description, cell(given_at), cell(withdrawn_at)});
      }
    }
  }
  return s;
}

}  // namespace dpo::dsar
