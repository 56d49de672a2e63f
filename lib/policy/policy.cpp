#include <algorithm>

#include "policy/diagnostic.h"
#include "policy/policy.h"

namespace dpo::policy {

std::string Location::ToString() const {
  std::string out = file.empty() ? "<policy>" : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

const ColumnMapping* Dataset::FindColumn(const std::string& column) const {
  for (const ColumnMapping& c : columns)
    if (c.column == column) return &c;
  return nullptr;
}

std::vector<std::string> Dataset::IdentifierColumns() const {
  std::vector<std::string> out;
  for (const ColumnMapping& c : columns)
    if (c.identifier) out.push_back(c.column);
  return out;
}

namespace {
template <typename T, typename Key>
const T* FindBy(const std::vector<T>& items, const std::string& wanted, Key key) {
  for (const T& item : items)
    if (item.*key == wanted) return &item;
  return nullptr;
}
}  // namespace

bool Policy::IsTodo(const std::string& key) const {
  for (const Todo& t : todos)
    if (t.key == key) return true;
  return false;
}

const Location& Policy::LocationOf(const std::string& path, const Location& fallback) const {
  auto it = value_locations.find(path);
  return it == value_locations.end() ? fallback : it->second;
}

const DataSubject* Policy::FindDataSubject(const std::string& id) const {
  return FindBy(data_subjects, id, &DataSubject::id);
}
const Category* Policy::FindCategory(const std::string& id) const {
  return FindBy(categories, id, &Category::id);
}
const Recipient* Policy::FindRecipient(const std::string& id) const {
  return FindBy(recipients, id, &Recipient::id);
}
bool Purpose::RestsOnConsent() const {
  return legal_basis == LegalBasis::kConsent || art9_condition == Art9Condition::kExplicitConsent;
}

const Purpose* Policy::FindPurpose(const std::string& id) const {
  return FindBy(purposes, id, &Purpose::id);
}
const Dataset* Policy::FindDataset(const std::string& table) const {
  return FindBy(datasets, table, &Dataset::table);
}

std::vector<const RetentionRule*> Policy::RulesForDataset(const std::string& table) const {
  std::vector<const RetentionRule*> out;
  for (const RetentionRule& r : retention)
    if (r.dataset == table) out.push_back(&r);
  return out;
}

const char* SensitivityName(Sensitivity s) {
  switch (s) {
    case Sensitivity::kOrdinary: return "ordinary";
    case Sensitivity::kSpecial: return "special";
    case Sensitivity::kCriminal: return "criminal";
    case Sensitivity::kNationalId: return "national_id";
  }
  return "ordinary";
}

const char* LegalBasisName(LegalBasis b) {
  switch (b) {
    case LegalBasis::kConsent: return "consent";
    case LegalBasis::kContract: return "contract";
    case LegalBasis::kLegalObligation: return "legal_obligation";
    case LegalBasis::kVitalInterests: return "vital_interests";
    case LegalBasis::kPublicTask: return "public_task";
    case LegalBasis::kLegitimateInterests: return "legitimate_interests";
  }
  return "consent";
}

const char* Art9ConditionName(Art9Condition c) {
  switch (c) {
    case Art9Condition::kExplicitConsent: return "explicit_consent";
    case Art9Condition::kEmploymentLaw: return "employment_law";
    case Art9Condition::kVitalInterests: return "vital_interests";
    case Art9Condition::kNotForProfit: return "not_for_profit";
    case Art9Condition::kMadePublic: return "made_public";
    case Art9Condition::kLegalClaims: return "legal_claims";
    case Art9Condition::kSubstantialPublicInterest: return "substantial_public_interest";
    case Art9Condition::kOccupationalMedicine: return "occupational_medicine";
    case Art9Condition::kPublicHealth: return "public_health";
    case Art9Condition::kArchivingResearch: return "archiving_research";
  }
  return "explicit_consent";
}

std::string RetentionRule::AfterText() const {
  std::string text = after_latest ? "latest " : "";
  text += after_table.empty() ? after_column : after_table + "." + after_column;
  if (!after_fallback.empty()) text += " or " + after_fallback;
  return text;
}

const char* RetentionActionName(RetentionAction a) {
  switch (a) {
    case RetentionAction::kDelete: return "delete";
    case RetentionAction::kAnonymise: return "anonymise";
    case RetentionAction::kRestrict: return "restrict";
  }
  return "delete";
}

const char* SeverityName(Diagnostic::Severity severity) {
  return severity == Diagnostic::Severity::kError ? "error" : "warning";
}

size_t CountErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::count_if(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::kError; });
}

size_t CountWarnings(const std::vector<Diagnostic>& diagnostics) {
  return diagnostics.size() - CountErrors(diagnostics);
}

void SortDiagnostics(std::vector<Diagnostic>* diagnostics) {
  std::stable_sort(diagnostics->begin(), diagnostics->end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.location.file != b.location.file) return a.location.file < b.location.file;
    if (a.location.line != b.location.line) return a.location.line < b.location.line;
    return a.location.column < b.location.column;
  });
}

}  // namespace dpo::policy
