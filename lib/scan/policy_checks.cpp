#include "scan/policy_checks.h"

#include <algorithm>
#include <functional>

#include "detect/kind.h"
#include "plan/retention_predicate.h"
#include "policy/validate.h"
#include "relations/policy_relations.h"
#include "scan/consent_check.h"
#include "scan/rules.h"
#include "scan/table_classifier.h"

namespace dpo::scan {

std::string PolicyLocation(const policy::Location& l) { return l.line > 0 ? l.ToString() : std::string(); }

namespace {

using detect::Kind;

struct Checker {
  const ScanOptions& options;
  const policy::Policy* policy;
  ScanResult* result;

  void Add(Finding f) { result->findings.push_back(std::move(f)); }

  // Purposes of the dataset satisfying `ok`, or none.
  bool AnyPurpose(const policy::Dataset* ds, const std::function<bool(const policy::Purpose&)>& ok) const {
    if (ds == nullptr || policy == nullptr) return false;
    for (const std::string& id : ds->purposes)
      if (const policy::Purpose* p = policy->FindPurpose(id); p != nullptr && ok(*p)) return true;
    return false;
  }

  void CheckSensitive(const TableReport& table, const ColumnReport& column, const policy::Dataset* ds,
                      const detect::ColumnVerdict& verdict) {
    for (const detect::KindEvidence& k : verdict.kinds) {
      if (k.confidence < options.min_confidence && k.values_containing == 0) continue;
      Finding f;
      f.table = table.name;
      f.column = column.name;
      f.file = table.file;
      f.line = table.file.empty() ? 0 : 1;
      f.category = CategoryForKind(std::string(detect::KindName(k.kind)), policy);
      f.evidence = {ToEvidence(k)};
      f.policy_rule = "datasets." + table.name;
      f.policy_location = ds ? PolicyLocation(ds->location) : "";
      f.count = k.values_containing + k.values_matched;
      std::string where = table.name + "." + column.name;
      if (k.kind == Kind::kBsn && (k.confidence >= options.min_confidence)) {
        if (AnyPurpose(ds, [](const policy::Purpose& p) {
              return p.legal_basis == policy::LegalBasis::kLegalObligation && !p.law.empty();
            }))
          continue;
        SetRule(&f, kCodeNationalIdWithoutLaw);
        f.message = where + " holds BSNs, but no purpose of its dataset is a legal obligation naming the law";
        f.hint = "BSNs may only be processed where a law requires it (UAVG art. 46): give the dataset a purpose with legal_basis: legal_obligation and law: ..., or remove the column";
      } else if (detect::IsSpecialCategoryTerm(k.kind) && k.values_containing + k.values_matched > 0) {
        if (AnyPurpose(ds, [](const policy::Purpose& p) { return p.art9_condition.has_value(); })) continue;
        SetRule(&f, kCodeNoArt9Condition);
        f.message = where + " holds special-category data (" + f.category +
                    ", Art. 9 GDPR) but no purpose of its dataset names an Art. 9(2) condition";
        f.hint = "add art9_condition (e.g. explicit_consent, employment_law) to the purpose, or stop recording it";
      } else if (detect::IsCriminalTerm(k.kind) && k.values_containing + k.values_matched > 0) {
        if (AnyPurpose(ds, [](const policy::Purpose& p) { return !p.art10_basis.empty(); })) continue;
        SetRule(&f, kCodeNoArt10Basis);
        f.message = where + " holds criminal-offence data (Art. 10 GDPR) but no purpose of its dataset names an art10_basis";
        f.hint = "add art10_basis (e.g. \"UAVG art. 33; VOG\") to the purpose, or stop recording it";
      } else {
        continue;
      }
      Add(std::move(f));
    }
  }

  void CheckColumn(const TableReport& table, ColumnReport* column, const policy::Dataset* ds,
                   const detect::ColumnVerdict& verdict) {
    std::vector<const detect::KindEvidence*> detected;
    int64_t containing = 0;
    for (const detect::KindEvidence& k : verdict.kinds) {
      if (!IsPersonalKind(k.kind)) continue;
      if (k.confidence >= options.min_confidence) detected.push_back(&k);
      containing += k.values_containing;
    }
    Finding base;
    base.table = table.name;
    base.column = column->name;
    base.file = table.file;
    base.line = table.file.empty() ? 0 : 1;
    base.category = column->discovered_category;
    for (const detect::KindEvidence* k : detected) base.evidence.push_back(ToEvidence(*k));
    const std::string where = table.name + "." + column->name;

    if (policy == nullptr) {
      if (detected.empty()) return;
      Finding f = base;
      SetRule(&f, kCodePersonalData);
      f.message = where + " holds personal data: " + column->discovered_category;
      f.count = verdict.values_seen;
      Add(std::move(f));
      return;
    }

    const policy::ColumnMapping* mapping = ds ? ds->FindColumn(column->name) : nullptr;
    if (mapping != nullptr) column->declared_category = mapping->category.empty() ? "none" : mapping->category;
    CheckSensitive(table, *column, ds, verdict);

    if (mapping == nullptr) {
      if (detected.empty()) return;
      Finding f = base;
      SetRule(&f, kCodeUndeclared);
      f.message = where + " holds personal data (" + column->discovered_category + ") that the policy does not declare";
      f.hint = ds ? "map the column under datasets." + table.name + ".columns (a category, or none if it is not personal data), or drop it"
                  : "declare the table under datasets: with its data subject, purposes and columns, or drop it";
      f.policy_rule = ds ? "datasets." + table.name + ".columns" : "datasets";
      f.policy_location = ds ? PolicyLocation(ds->location) : "";
      f.count = verdict.values_seen;
      Add(std::move(f));
      return;
    }
    CheckDeclaredColumn(table, *column, ds, mapping, verdict, detected, containing, base);
  }

  void CheckDeclaredColumn(const TableReport& table, const ColumnReport& column, const policy::Dataset* ds,
                  const policy::ColumnMapping* mapping, const detect::ColumnVerdict& verdict,
                  const std::vector<const detect::KindEvidence*>& detected, int64_t containing,
                  const Finding& base) {
    (void)ds;
    const std::string where = table.name + "." + column.name;
    if (verdict.free_text) {
      if (containing == 0) return;
      Finding f = base;
      SetRule(&f, kCodeFreeText);
      f.evidence.clear();
      std::string kinds;
      for (const detect::KindEvidence& k : verdict.kinds) {
        if (k.values_containing == 0 || !IsPersonalKind(k.kind)) continue;
        f.evidence.push_back(ToEvidence(k));
        kinds += (kinds.empty() ? "" : ", ") + std::string(detect::KindName(k.kind)) + " in " +
                 std::to_string(k.values_containing);
      }
      f.category = mapping->category;
      f.count = containing;
      f.message = where + " is free text holding identifiers or special-category terms (" + kinds + " of " +
                  std::to_string(verdict.values_seen) + " values)";
      f.hint = "free text holds whatever people type: review it, keep notes factual, and cover it with a retention rule";
      f.policy_rule = "datasets." + table.name + ".columns." + column.name;
      f.policy_location = PolicyLocation(mapping->location);
      Add(std::move(f));
      return;
    }
    if (detected.empty()) return;
    const detect::KindEvidence& top = *detected.front();
    std::string top_name(detect::KindName(top.kind));
    if (mapping->category.empty()) {
      // Reviewed as not personal data: only contradict that on strong, validated evidence.
      if (top.confidence < 0.8 || top.values_validated == 0) return;
      Finding f = base;
      SetRule(&f, kCodeCategoryMismatch);
      f.message = where + " is declared not personal data (none) but its values look like " + top_name;
      f.hint = "map it to the category it holds, or check what is written into it";
      f.policy_rule = "datasets." + table.name + ".columns." + column.name;
      f.policy_location = PolicyLocation(mapping->location);
      Add(std::move(f));
      return;
    }
    const policy::Category* category = policy->FindCategory(mapping->category);
    if (category == nullptr) return;  // policy check reports the dangling reference
    if (category->detectors.empty()) return;
    for (const detect::KindEvidence* k : detected)
      if (std::find(category->detectors.begin(), category->detectors.end(), std::string(detect::KindName(k->kind))) !=
          category->detectors.end())
        return;
    Finding f = base;
    SetRule(&f, kCodeCategoryMismatch);
    f.category = mapping->category;
    f.message = where + " is declared " + mapping->category + " but its values look like " + top_name + " (" +
                CategoryForKind(top_name, policy) + ")";
    f.hint = "map the column to the category it holds, or add " + top_name + " to the detectors of category " +
             mapping->category;
    f.policy_rule = "datasets." + table.name + ".columns." + column.name;
    f.policy_location = PolicyLocation(mapping->location);
    Add(std::move(f));
  }
};

std::string Examples(const ConsentCheck& c, const std::vector<std::string>& keys, int64_t count) {
  if (keys.empty()) return "";
  std::string out = " (" + c.subject_table + "." + c.subject_column + " ";
  for (size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + keys[i];
  return out + (count > static_cast<int64_t>(keys.size()) ? ", ...)" : ")");
}

// Where the data is held, for a message: "candidates (cv_text, availability)".
std::string HeldText(const ConsentCheck& c) {
  std::string out;
  for (const ConsentHeldIn& h : c.held_in) {
    if (!h.problem.empty()) continue;
    std::string cols;
    for (const std::string& col : h.columns) cols += (cols.empty() ? "" : ", ") + col;
    out += (out.empty() ? "" : "; ") + h.dataset + " (" + cols + ")";
  }
  return out;
}

}  // namespace

void CheckColumnAgainstPolicy(const ScanOptions& options, const TableReport& table, ColumnReport* column,
                              const policy::Dataset* dataset, const detect::ColumnVerdict& verdict,
                              ScanResult* result) {
  Checker{options, options.policy, result}.CheckColumn(table, column, dataset, verdict);
}

void CheckDeclaredShape(const std::string& source_name, const policy::Policy& policy, const ScanOptions& options,
                        const std::set<std::string>& scanned, const std::set<std::string>& present,
                        const std::map<std::string, source::Table>& described, ScanResult* result) {
  for (const policy::Dataset& ds : policy.datasets) {
    if (!options.tables.empty() && !scanned.count(ds.table)) continue;
    if (!present.count(ds.table)) {
      Finding f;
      SetRule(&f, kCodeMissingTable);
      f.table = ds.table;
      f.message = "the policy declares dataset " + ds.table + ", but " + source_name + " has no such table";
      f.hint = "fix the dataset name, or remove it from the policy if the table is gone";
      f.policy_rule = "datasets." + ds.table;
      f.policy_location = PolicyLocation(ds.location);
      result->findings.push_back(std::move(f));
      continue;
    }
    const source::Table& table = described.at(ds.table);
    for (const policy::ColumnMapping& m : ds.columns) {
      if (table.FindColumn(m.column) != nullptr) continue;
      Finding f;
      SetRule(&f, kCodeMissingColumn);
      f.table = ds.table;
      f.column = m.column;
      f.file = table.location;
      f.category = m.category;
      f.message = "the policy maps " + ds.table + "." + m.column + ", but the table has no such column";
      f.hint = "fix the column name, or remove the mapping if the column is gone";
      f.policy_rule = "datasets." + ds.table + ".columns." + m.column;
      f.policy_location = PolicyLocation(m.location);
      result->findings.push_back(std::move(f));
    }
  }
}

// Every table of the source, described (those the scan described are
// reused), with the relations the policy declares: a rule may count from
// another table, and a legal hold reaches the rows that belong to a held row.
Result<plan::SchemaGraph> SchemaOf(source::Source& src, const policy::Policy& policy,
                                   const std::vector<std::string>& all_tables,
                                   const std::map<std::string, source::Table>& described) {
  plan::SchemaGraph graph;
  graph.declared = relations::PolicyRelations(policy);
  for (const std::string& name : all_tables) {
    if (auto it = described.find(name); it != described.end()) {
      graph.tables.push_back(it->second);
      continue;
    }
    Result<source::Table> table = src.Describe(name);
    if (!table.ok()) return table.status();
    graph.tables.push_back(std::move(*table));
  }
  return graph;
}

Status CheckRetention(source::Source& src, const policy::Policy& policy, const std::set<std::string>& tables,
                      const std::vector<std::string>& all_tables,
                      const std::map<std::string, source::Table>& described, const ScanOptions& options,
                      std::optional<plan::SchemaGraph>& graph, ScanResult* result) {
  for (const policy::RetentionRule& rule : policy.retention) {
    if (rule.todo || !tables.count(rule.dataset)) continue;
    const source::Table& table = described.at(rule.dataset);
    std::vector<std::string> needed;
    if (rule.after_table.empty()) needed.push_back(rule.after_column);
    if (!rule.after_fallback.empty()) needed.push_back(rule.after_fallback);
    for (const auto& c : rule.when) needed.push_back(c.column);
    for (const auto& h : rule.legal_holds)
      for (const auto& c : h.when) needed.push_back(c.column);
    std::string missing;
    for (const std::string& n : needed)
      if (table.FindColumn(n) == nullptr) missing = n;
    if (!missing.empty()) {
      Finding f;
      SetRule(&f, kCodeMissingColumn);
      f.table = rule.dataset;
      f.column = missing;
      f.file = table.location;
      f.message = "retention rule " + rule.id + " uses " + rule.dataset + "." + missing +
                  ", which does not exist; the rule cannot be checked";
      f.hint = "fix the column name in the rule, or add the column";
      f.policy_rule = "retention." + rule.id;
      f.policy_location = PolicyLocation(rule.location);
      result->findings.push_back(std::move(f));
      continue;
    }
    if (!graph) {
      Result<plan::SchemaGraph> loaded = SchemaOf(src, policy, all_tables, described);
      if (!loaded.ok()) return loaded.status();
      graph = std::move(*loaded);
    }
    Result<plan::RuleRows> rows = plan::RetentionRows(policy, rule, *graph, options.as_of);
    if (!rows.ok()) {
      Finding f;
      SetRule(&f, kCodeMissingColumn);
      f.table = rule.dataset;
      f.file = table.location;
      f.message = rows.status().message() + "; the rule cannot be checked";
      f.hint = "fix the rule's keep, conditions or legal holds, or the relation they rely on";
      f.policy_rule = "retention." + rule.id;
      f.policy_location = PolicyLocation(rule.location);
      result->findings.push_back(std::move(f));
      continue;
    }
    Result<int64_t> expired = src.Count(rule.dataset, rows->expired);
    if (!expired.ok()) return expired.status();
    int64_t held = 0;
    for (const plan::HoldRows& hold : rows->held) {
      Result<int64_t> h = src.Count(rule.dataset, hold.rows);
      if (!h.ok()) return h.status();
      held += *h;
    }
    if (*expired == 0) continue;
    Finding f;
    SetRule(&f, kCodeRetentionExpired);
    f.table = rule.dataset;
    f.file = table.location;
    f.count = *expired;
    f.message = std::to_string(*expired) + " rows of " + rule.dataset + " are past retention rule " + rule.id +
                " (" + rule.keep.ToHuman() + " after " + rule.AfterText() + ", before " +
                plan::RetentionCutoff(rule, options.as_of).ToIso() + ")" +
                (held > 0 ? "; " + std::to_string(held) + " more are kept under a legal hold" : "");
    f.hint = std::string("they must be ") +
             (rule.action == policy::RetentionAction::kDelete      ? "deleted"
              : rule.action == policy::RetentionAction::kAnonymise ? "anonymised"
                                                                   : "restricted") +
             ": review them with 'dpo retention plan --policy POLICY SOURCE', then apply the plan";
    f.policy_rule = "retention." + rule.id;
    f.policy_location = PolicyLocation(rule.location);
    result->findings.push_back(std::move(f));
  }
  return Status::Ok();
}

Status CheckConsent(source::Source& src, const policy::Policy& policy, const std::vector<std::string>& all_tables,
                    const std::map<std::string, source::Table>& described, std::optional<plan::SchemaGraph>& graph, ScanResult* result) {
  bool any = std::any_of(policy.purposes.begin(), policy.purposes.end(),
                         [](const policy::Purpose& p) { return p.consent && p.RestsOnConsent(); });
  if (!any) return Status::Ok();
  if (!graph) {
    Result<plan::SchemaGraph> loaded = SchemaOf(src, policy, all_tables, described);
    if (!loaded.ok()) return loaded.status();
    graph = std::move(*loaded);
  }
  ConsentCheckOptions check_options;
  Result<std::vector<ConsentCheck>> checks = CheckConsents(src, policy, *graph, check_options);
  if (!checks.ok()) return checks.status();
  for (const ConsentCheck& c : *checks) {
    const policy::Purpose* purpose = policy.FindPurpose(c.purpose);
    auto base = [&](const char* code) {
      Finding f;
      SetRule(&f, code);
      f.table = c.subject_table.empty() ? c.records_dataset : c.subject_table;
      f.policy_rule = "purposes." + c.purpose + ".consent";
      f.policy_location = PolicyLocation(purpose->consent->location);
      return f;
    };
    if (!c.problem.empty()) {
      Finding f = base(kCodeConsentUnchecked);
      f.message = "the consents of purpose " + c.purpose + " cannot be checked: " + c.problem;
      f.hint = "fix purposes." + c.purpose + ".consent in the policy (dataset, subject_key and the date columns)";
      result->findings.push_back(std::move(f));
      continue;
    }
    for (const ConsentHeldIn& h : c.held_in) {
      if (!h.problem.empty()) {
        Finding f = base(kCodeConsentUnchecked);
        f.table = h.dataset;
        f.message = "the data " + h.dataset + " holds for purpose " + c.purpose +
                    " cannot be checked against its consents: " + h.problem;
        f.hint = "give datasets." + h.dataset + " a subject_key, and a relation to " + c.subject_table;
        result->findings.push_back(std::move(f));
      } else if (h.unlinked_rows > 0) {
        Finding f = base(kCodeConsentUnlinked);
        f.table = h.dataset;
        f.count = h.unlinked_rows;
        f.message = std::to_string(h.unlinked_rows) + " rows of " + h.dataset + " hold data for purpose " +
                    c.purpose + " but link to no " + c.subject_table + " row (" + h.path +
                    "): their consent cannot be looked up";
        f.hint = "if they are anonymous, make sure their consent is recorded where they gave it; otherwise link them";
        result->findings.push_back(std::move(f));
      }
    }
    const std::string of_held = " of the " + std::to_string(c.held) + " subjects in " + c.subject_table +
                                " whose data is held for it (in " + HeldText(c) + ")";
    if (c.without_record > 0) {
      Finding f = base(kCodeConsentMissing);
      f.count = c.without_record;
      f.message = "purpose " + c.purpose + ": " + std::to_string(c.without_record) + of_held +
                  " have no consent record in " + c.records_dataset +
                  Examples(c, c.without_record_keys, c.without_record);
      f.hint = "record their consent (Art. 7(1): you must be able to prove it), or stop processing their data for " +
               c.purpose + " (erase or restrict it)";
      result->findings.push_back(std::move(f));
    }
    if (c.withdrawn > 0) {
      Finding f = base(kCodeConsentWithdrawn);
      f.count = c.withdrawn;
      f.message = "purpose " + c.purpose + ": " + std::to_string(c.withdrawn) + of_held +
                  " withdrew their consent (" + c.records_dataset + ") and did not give it again" +
                  Examples(c, c.withdrawn_keys, c.withdrawn);
      f.hint = "erase the data held only for " + c.purpose +
               " (dpo erase plan --policy POLICY SOURCE --subject ...), or restrict it; if they consented again, "
               "record the new consent";
      result->findings.push_back(std::move(f));
    }
  }
  return Status::Ok();
}

void CheckRecipients(const policy::Policy& policy, ScanResult* result) {
  for (const policy::UngroundedDisclosure& d : policy::UngroundedDisclosures(policy)) {
    Finding f;
    SetRule(&f, kCodeSpecialToRecipient);
    f.category = d.category;
    std::string purposes;
    for (const std::string& p : d.purposes) purposes += (purposes.empty() ? "" : ", ") + p;
    f.message = "recipient " + d.recipient + " may receive " + (d.criminal ? "criminal data" : "special category") +
                " " + d.category + ", but no purpose that shares data with it (" +
                (purposes.empty() ? std::string("none") : purposes) + ") lists " + d.category + " with " +
                (d.criminal ? "an art10_basis (Art. 10)" : "an art9_condition (Art. 9(2))");
    f.hint = "remove " + d.category + " from recipients." + d.recipient +
             ".categories, or list it in the purpose it is shared for with its Art. 9(2) condition";
    f.policy_rule = "recipients." + d.recipient + ".categories";
    f.policy_location = PolicyLocation(d.location);
    result->findings.push_back(std::move(f));
  }
}

}  // namespace dpo::scan
