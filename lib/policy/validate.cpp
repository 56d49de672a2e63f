#include "policy/validate.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "policy/loader.h"

namespace dpo::policy {

bool IsEuEea(const std::string& country) {
  static const std::set<std::string> kEuEea = {
      "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "EL", "HU", "IE",
      "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
      "IS", "LI", "NO"};  // EEA members outside the EU
  return kEuEea.count(country) > 0;
}

std::vector<UngroundedDisclosure> UngroundedDisclosures(const Policy& policy) {
  std::vector<UngroundedDisclosure> out;
  for (const Recipient& r : policy.recipients) {
    for (size_t i = 0; i < r.categories.size(); ++i) {
      const Category* c = policy.FindCategory(r.categories[i]);
      if (c == nullptr || (c->sensitivity != Sensitivity::kSpecial && c->sensitivity != Sensitivity::kCriminal))
        continue;
      bool criminal = c->sensitivity == Sensitivity::kCriminal;
      UngroundedDisclosure d;
      bool grounded = false;
      for (const Purpose& pu : policy.purposes) {
        if (std::find(pu.recipients.begin(), pu.recipients.end(), r.id) == pu.recipients.end()) continue;
        d.purposes.push_back(pu.id);
        if (std::find(pu.categories.begin(), pu.categories.end(), c->id) == pu.categories.end()) continue;
        if (criminal ? !pu.art10_basis.empty() : pu.art9_condition.has_value()) grounded = true;
      }
      if (grounded) continue;
      d.recipient = r.id;
      d.category = c->id;
      d.criminal = criminal;
      d.location = policy.LocationOf("recipients." + r.id + ".categories[" + std::to_string(i) + "]", r.location);
      out.push_back(std::move(d));
    }
  }
  return out;
}

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

bool IsTodoText(const std::string& s) {
  return s.rfind("TODO", 0) == 0 && (s.size() == 4 || (!std::isalnum(static_cast<unsigned char>(s[4])) && s[4] != '_'));
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class Validator {
 public:
  Validator(const Policy& policy, const ValidateOptions& options) : p_(policy), options_(options) {}

  std::vector<Diagnostic> Run() {
    Todos();
    Categories();
    Recipients();
    Purposes();
    Datasets();
    Retention();
    UnusedCategories();
    Anonymise();
    Accepted();
    SortDiagnostics(&out_);
    return std::move(out_);
  }

 private:
  void Add(Diagnostic::Severity severity, const Location& loc, const std::string& code, std::string message,
           std::string hint) {
    Diagnostic d;
    d.severity = severity;
    d.location = loc;
    d.code = code;
    d.message = std::move(message);
    d.hint = std::move(hint);
    out_.push_back(std::move(d));
  }
  void Error(const Location& loc, const std::string& code, std::string message, std::string hint) {
    Add(Diagnostic::Severity::kError, loc, code, std::move(message), std::move(hint));
  }
  void Warn(const Location& loc, const std::string& code, std::string message, std::string hint) {
    Add(Diagnostic::Severity::kWarning, loc, code, std::move(message), std::move(hint));
  }
  const Location& At(const std::string& path, const Location& fallback) const { return p_.LocationOf(path, fallback); }

  std::vector<std::string> Ids(int which) const {
    std::vector<std::string> out;
    if (which == 0) for (const auto& x : p_.data_subjects) out.push_back(x.id);
    if (which == 1) for (const auto& x : p_.categories) out.push_back(x.id);
    if (which == 2) for (const auto& x : p_.recipients) out.push_back(x.id);
    if (which == 3) for (const auto& x : p_.purposes) out.push_back(x.id);
    if (which == 4) for (const auto& x : p_.datasets) out.push_back(x.table);
    return out;
  }

  // "did you mean 'x'? declared: a, b" or how to declare it.
  std::string RefHint(const std::string& id, int which, const std::string& section, const std::string& declare) {
    std::vector<std::string> ids = Ids(which);
    std::string close = ClosestMatch(id, ids);
    std::string declared = ids.empty() ? "none declared yet" : "declared: " + Join(ids);
    if (!close.empty()) return "did you mean '" + close + "'? (" + declared + ")";
    return "declare it under " + section + ": (" + declare + "), or use a declared id (" + declared + ")";
  }

  void CheckSubject(const std::string& id, const Location& loc, const std::string& where) {
    if (id.empty() || IsTodoText(id) || p_.FindDataSubject(id)) return;
    Error(loc, "unknown-data-subject", where + " names data subject '" + id + "', which is not declared",
          RefHint(id, 0, "data_subjects", id + ": { description: ... }"));
  }
  void CheckCategory(const std::string& id, const Location& loc, const std::string& where) {
    if (id.empty() || IsTodoText(id) || p_.FindCategory(id)) return;
    Error(loc, "unknown-category", where + " names category '" + id + "', which is not declared",
          RefHint(id, 1, "categories", id + ": { description: ..., sensitivity: ordinary }"));
  }
  void CheckRecipient(const std::string& id, const Location& loc, const std::string& where) {
    if (id.empty() || IsTodoText(id) || p_.FindRecipient(id)) return;
    Error(loc, "unknown-recipient", where + " names recipient '" + id + "', which is not declared",
          RefHint(id, 2, "recipients", id + ": { description: ..., type: processor }"));
  }
  void CheckPurpose(const std::string& id, const Location& loc, const std::string& where) {
    if (id.empty() || IsTodoText(id) || p_.FindPurpose(id)) return;
    Error(loc, "unknown-purpose", where + " names purpose '" + id + "', which is not declared",
          RefHint(id, 3, "purposes", id + ": { legal_basis: ..., categories: [...] }"));
  }

  // A column a rule or the dataset itself refers to. The real table may have
  // columns the policy does not map, so this is a warning.
  void CheckColumn(const Dataset& d, const std::string& column, const Location& loc, const std::string& where) {
    if (column.empty() || d.FindColumn(column)) return;
    std::vector<std::string> declared;
    for (const ColumnMapping& c : d.columns) declared.push_back(c.column);
    std::string close = ClosestMatch(column, declared);
    Warn(loc, "undeclared-column",
         where + " uses column '" + column + "', which dataset '" + d.table + "' does not declare",
         close.empty() ? "add `" + column + ": none` (or its category) under datasets." + d.table +
                             ".columns, so the policy shows every column it relies on"
                       : "did you mean '" + close + "'?");
  }

  void Anonymise() {
    const AnonymiseSettings& a = p_.anonymise;
    auto check_op = [&](const std::string& path, const std::string& name, const std::string& where) {
      if (!options_.check_anonymise_operator || IsTodoText(name)) return;
      std::string problem = options_.check_anonymise_operator(name);
      if (!problem.empty())
        Error(p_.LocationOf(path, a.location), "invalid-operator", where + ": " + problem,
              "operators: docs/policy-format.md, section anonymise");
    };
    auto check_column_name = [&](const std::string& path, const std::string& name, const std::string& where) {
      size_t dot = name.rfind('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
        Error(p_.LocationOf(path, a.location), "invalid-value",
              where + " names '" + name + "', which is not TABLE.COLUMN", "write the table, a dot and the column: candidates.email");
        return;
      }
      if (const Dataset* d = p_.FindDataset(name.substr(0, dot)))
        CheckColumn(*d, name.substr(dot + 1), p_.LocationOf(path, a.location), where);
    };
    for (const auto& [category, op] : a.category_operators) {
      std::string path = "anonymise.categories." + category;
      CheckCategory(category, p_.LocationOf(path, a.location), "anonymise.categories");
      check_op(path, op, "the operator of category '" + category + "'");
    }
    for (const auto& [column, op] : a.column_operators) {
      std::string path = "anonymise.columns." + column;
      check_column_name(path, column, "anonymise.columns");
      check_op(path, op, "the operator of column '" + column + "'");
    }
    for (size_t i = 0; i < a.quasi_identifiers.size(); ++i)
      check_column_name("anonymise.quasi_identifiers[" + std::to_string(i) + "]", a.quasi_identifiers[i],
                        "anonymise.quasi_identifiers");
  }

  void Todos() {
    for (const Todo& t : p_.todos) {
      auto ends = [&](const std::string& suffix) {
        return t.key.size() >= suffix.size() && t.key.compare(t.key.size() - suffix.size(), suffix.size(), suffix) == 0;
      };
      std::string hint = "replace TODO with the real value (docs/policy-format.md says what this key takes)";
      if (ends(".keep"))
        hint = "write keep: PERIOD after DATE_COLUMN, e.g. keep: 2y after last_active_at, and the reason under basis:";
      else if (ends(".legal_basis"))
        hint = "write one of consent, contract, legal_obligation (with law:), vital_interests, public_task, "
               "legitimate_interests (with interest:)";
      else if (ends(".art9_condition"))
        hint = "write one of explicit_consent, employment_law, vital_interests, not_for_profit, made_public, "
               "legal_claims, substantial_public_interest, occupational_medicine, public_health, archiving_research";
      Error(t.location, "todo", t.what + " is TODO", hint);
    }
  }

  void Categories() {
    for (const Category& c : p_.categories) {
      for (size_t i = 0; i < c.detectors.size(); ++i) {
        const std::string& name = c.detectors[i];
        if (options_.known_detectors.empty() || Contains(options_.known_detectors, name)) continue;
        std::string close = ClosestMatch(name, options_.known_detectors);
        Error(At("categories." + c.id + ".detectors[" + std::to_string(i) + "]", c.location), "unknown-detector",
              "category '" + c.id + "' lists detector '" + name + "', which dpo does not have",
              (close.empty() ? std::string() : "did you mean '" + close + "'? ") +
                  "detectors: " + Join(options_.known_detectors));
      }
      if (c.sensitivity == Sensitivity::kSpecial && c.special_category.empty() &&
          !p_.IsTodo("categories." + c.id + ".sensitivity")) {
        Warn(c.location, "special-category-missing",
             "category '" + c.id + "' is special (Art. 9) but does not say which special category",
             "add special_category: one of health, religion, ethnicity, political, union, sexuality, genetic, biometric");
      }
    }
  }

  void Recipients() {
    for (const Recipient& r : p_.recipients)
      for (size_t i = 0; i < r.categories.size(); ++i)
        CheckCategory(r.categories[i], At("recipients." + r.id + ".categories[" + std::to_string(i) + "]", r.location),
                      "recipient '" + r.id + "'");
    for (const Recipient& r : p_.recipients) {
      for (size_t i = 0; i < r.columns.size(); ++i) {
        const std::string& name = r.columns[i];
        const Location& loc = At("recipients." + r.id + ".columns[" + std::to_string(i) + "]", r.location);
        size_t dot = name.rfind('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
          Error(loc, "invalid-value", "recipient '" + r.id + "' lists column '" + name + "', which is not TABLE.COLUMN",
                "write the table, a dot and the column: candidates.city");
          continue;
        }
        const Dataset* d = p_.FindDataset(name.substr(0, dot));
        if (d == nullptr) {
          Error(loc, "unknown-dataset",
                "recipient '" + r.id + "' lists column '" + name + "' of a table that is not a declared dataset",
                "declare datasets." + name.substr(0, dot) + ", or fix the table name");
          continue;
        }
        const ColumnMapping* m = d->FindColumn(name.substr(dot + 1));
        if (m == nullptr) {
          CheckColumn(*d, name.substr(dot + 1), loc, "recipient '" + r.id + "'");
          continue;
        }
        if (m->category.empty() || !Contains(r.categories, m->category))
          Error(loc, "recipient-column-outside-categories",
                "recipient '" + r.id + "' lists column '" + name + "', which holds " +
                    (m->category.empty() ? std::string("no personal data") : "category '" + m->category + "'") +
                    ", not one of the recipient's categories (" + Join(r.categories) + ")",
                m->category.empty() ? "remove it: only personal data of the recipient's categories is exported"
                                    : "add '" + m->category + "' to the recipient's categories, or remove the column");
      }
    }
    for (const UngroundedDisclosure& d : UngroundedDisclosures(p_)) {
      std::string article = d.criminal ? "Art. 10" : "Art. 9";
      Warn(d.location, "special-category-to-recipient",
           "recipient '" + d.recipient + "' may receive " + (d.criminal ? "criminal data" : "special category") + " '" +
               d.category + "', but no purpose that shares data with it (" +
               (d.purposes.empty() ? std::string("none") : Join(d.purposes)) + ") lists '" + d.category +
               "' with " + (d.criminal ? "an art10_basis" : "an art9_condition") + " (" + article + ")",
           "remove '" + d.category + "' from the recipient's categories, or list it in the purpose it is shared for "
           "together with " + (d.criminal ? "art10_basis: the law that allows it" : "art9_condition: the Art. 9(2) ground"));
    }
    for (const Recipient& r : p_.recipients) {
      if (r.type == "processor" && r.agreement.empty()) {
        Warn(r.location, "agreement-missing",
             "recipient '" + r.id + "' is a processor without a processing agreement (Art. 28(3))",
             "add agreement: the reference of the signed processing agreement (verwerkersovereenkomst)");
      }
    }
  }

  void Purposes() {
    for (const Purpose& pu : p_.purposes) {
      const std::string path = "purposes." + pu.id;
      const std::string what = "purpose '" + pu.id + "'";
      for (size_t i = 0; i < pu.data_subjects.size(); ++i)
        CheckSubject(pu.data_subjects[i], At(path + ".data_subjects[" + std::to_string(i) + "]", pu.location), what);
      for (size_t i = 0; i < pu.categories.size(); ++i)
        CheckCategory(pu.categories[i], At(path + ".categories[" + std::to_string(i) + "]", pu.location), what);
      for (size_t i = 0; i < pu.recipients.size(); ++i)
        CheckRecipient(pu.recipients[i], At(path + ".recipients[" + std::to_string(i) + "]", pu.location), what);

      bool basis_todo = p_.IsTodo(path + ".legal_basis");
      const Location& basis_loc = At(path + ".legal_basis", pu.location);
      if (!basis_todo && pu.legal_basis == LegalBasis::kLegalObligation && pu.law.empty()) {
        Error(basis_loc, "law-missing", what + " rests on a legal obligation but does not name the law",
              "add law: the act and article that oblige you, e.g. law: Wet op de loonbelasting 1964, art. 28");
      }
      if (!basis_todo && pu.legal_basis == LegalBasis::kLegitimateInterests && pu.interest.empty()) {
        Warn(basis_loc, "interest-missing", what + " rests on legitimate interests but does not name the interest",
             "add interest: the interest you pursue (Art. 6(1)(f); weigh it against the data subject's rights)");
      }

      // The categories a purpose lists. A dataset column whose category none of
      // the dataset's purposes lists is reported as category-not-in-purpose.
      for (const std::string& cid : pu.categories) {
        const Category* c = p_.FindCategory(cid);
        if (c == nullptr) continue;
        if (c->sensitivity == Sensitivity::kSpecial && !pu.art9_condition && !p_.IsTodo(path + ".art9_condition")) {
          Error(pu.location, "art9-condition-missing",
                what + " processes special category '" + cid + "' (Art. 9) without an Art. 9(2) condition",
                "add art9_condition: one of explicit_consent, employment_law, vital_interests, not_for_profit, "
                "made_public, legal_claims, substantial_public_interest, occupational_medicine, public_health, "
                "archiving_research");
        }
        if (c->sensitivity == Sensitivity::kCriminal && pu.art10_basis.empty()) {
          Error(pu.location, "art10-basis-missing",
                what + " processes criminal data '" + cid + "' (Art. 10) without naming the legal basis for it",
                "add art10_basis: the law that allows it, e.g. art10_basis: UAVG art. 33; VOG (certificate of conduct)");
        }
        if (c->sensitivity == Sensitivity::kNationalId && !basis_todo &&
            pu.legal_basis != LegalBasis::kLegalObligation) {
          Error(basis_loc, "national-id-without-law",
                what + " processes national id '" + cid + "' (BSN) on legal basis " +
                    LegalBasisName(pu.legal_basis) + "; UAVG art. 46 allows it only where a law requires it",
                "use legal_basis: legal_obligation with law: the act that requires the BSN (e.g. Wet op de "
                "loonbelasting 1964, art. 28), or remove '" + cid + "' from this purpose");
        }
      }

      Consent(pu, path, what, basis_todo);

      for (size_t i = 0; i < pu.transfers.size(); ++i) {
        const Transfer& t = pu.transfers[i];
        std::string tpath = path + ".transfers[" + std::to_string(i) + "]";
        CheckRecipient(t.recipient, At(tpath + ".recipient", t.location), "a transfer of " + what);
        if (!t.country.empty() && !IsEuEea(t.country) && t.safeguard.empty()) {
          Error(t.location, "transfer-without-safeguard",
                "the transfer of " + what + " to " + t.country + " (outside the EU/EEA) has no safeguard",
                "add safeguard: adequacy (Art. 45), scc (standard contractual clauses, Art. 46), bcr (Art. 47) or "
                "derogation (Art. 49)");
        }
      }
      for (size_t i = 0; i < pu.recipients.size(); ++i) {
        const Recipient* r = p_.FindRecipient(pu.recipients[i]);
        if (r == nullptr || r->country.empty() || IsEuEea(r->country)) continue;
        bool declared = std::any_of(pu.transfers.begin(), pu.transfers.end(),
                                    [&](const Transfer& t) { return t.recipient == r->id; });
        if (!declared) {
          Warn(At(path + ".recipients[" + std::to_string(i) + "]", pu.location), "undeclared-transfer",
               what + " shares data with recipient '" + r->id + "' in " + r->country +
                   " (outside the EU/EEA) but declares no transfer",
               "add under transfers: - { country: " + r->country + ", recipient: " + r->id + ", safeguard: scc }");
        }
      }
    }
  }

  // Art. 7(1): consent must be provable, so a purpose resting on consent says
  // where the consents are recorded.
  void Consent(const Purpose& pu, const std::string& path, const std::string& what, bool basis_todo) {
    if (!pu.consent) {
      if (!basis_todo && pu.legal_basis == LegalBasis::kConsent)
        Warn(At(path + ".legal_basis", pu.location), "consent-records-missing",
             what + " rests on consent but does not say where the consents are recorded (Art. 7(1): you must be "
                    "able to prove them); dpo scan cannot check them",
             "add consent: { dataset: consents, purpose_column: purpose, given_at: given_at, withdrawn_at: "
             "withdrawn_at } (docs/policy-format.md, section purposes)");
      return;
    }
    const ConsentRecords& c = *pu.consent;
    const std::string cpath = path + ".consent";
    if (!pu.RestsOnConsent() && !basis_todo)
      Warn(c.location, "consent-without-consent-basis",
           what + " names consent records but rests on " + LegalBasisName(pu.legal_basis) +
               "; dpo checks consent records only for purposes resting on consent",
           "remove consent:, or change legal_basis to consent (or art9_condition to explicit_consent)");
    if (c.dataset.empty()) return;
    const Dataset* d = p_.FindDataset(c.dataset);
    if (d == nullptr) {
      std::string close = ClosestMatch(c.dataset, Ids(4));
      Error(At(cpath + ".dataset", c.location), "unknown-dataset",
            "the consent records of " + what + " are in dataset '" + c.dataset + "', which is not declared",
            close.empty() ? "declare datasets." + c.dataset + " with its columns, or fix the name"
                          : "did you mean '" + close + "'?");
      return;
    }
    const std::string key = c.subject_key.empty() ? d->subject_key : c.subject_key;
    if (key.empty())
      Error(c.location, "consent-subject-key-missing",
            "the consent records of " + what + " do not say which column names the subject, and dataset '" +
                d->table + "' has no subject_key",
            "add subject_key: the column of " + d->table + " that holds the subject's key (e.g. candidate_id)");
    const std::string where = "the consent records of " + what;
    CheckColumn(*d, c.subject_key, At(cpath + ".subject_key", c.location), where);
    CheckColumn(*d, c.purpose_column, At(cpath + ".purpose_column", c.location), where);
    CheckColumn(*d, c.given_at, At(cpath + ".given_at", c.location), where);
    CheckColumn(*d, c.withdrawn_at, At(cpath + ".withdrawn_at", c.location), where);
  }

  void Datasets() {
    for (const Dataset& d : p_.datasets) {
      const std::string path = "datasets." + d.table;
      const std::string what = "dataset '" + d.table + "'";
      bool personal = std::any_of(d.columns.begin(), d.columns.end(),
                                  [](const ColumnMapping& m) { return !m.category.empty(); });
      if (!d.data_subject.empty())
        CheckSubject(d.data_subject, At(path + ".data_subject", d.location), what);
      else if (personal && !p_.IsTodo(path + ".data_subject"))
        Error(d.location, "dataset-without-subject", what + " holds personal data but names no data_subject",
              "add data_subject: the id of the people whose data the rows hold");
      for (size_t i = 0; i < d.purposes.size(); ++i)
        CheckPurpose(d.purposes[i], At(path + ".purposes[" + std::to_string(i) + "]", d.location), what);
      if (personal && d.purposes.empty())
        Error(d.location, "dataset-without-purpose",
              what + " holds personal data but names no purpose (Art. 5(1)(b) purpose limitation)",
              "add purposes: [the ids of the purposes this data serves]");
      CheckColumn(d, d.subject_key, At(path + ".subject_key", d.location), what + " (subject_key)");

      for (size_t i = 0; i < d.relations.size(); ++i) {
        const Relation& r = d.relations[i];
        std::string rpath = path + ".relations[" + std::to_string(i) + "]";
        for (size_t j = 0; j < r.columns.size(); ++j)
          CheckColumn(d, r.columns[j], At(rpath + ".columns[" + std::to_string(j) + "]", r.location),
                      "a relation of " + what);
        if (r.referenced_table.empty()) continue;
        const Dataset* target = p_.FindDataset(r.referenced_table);
        if (target == nullptr) {
          Warn(At(rpath + ".references", r.location), "undeclared-table",
               "a relation of " + what + " references table '" + r.referenced_table +
                   "', which is not declared under datasets",
               "declare datasets." + r.referenced_table + " with its columns (or fix the table name)");
          continue;
        }
        for (const std::string& col : r.referenced_columns)
          CheckColumn(*target, col, At(rpath + ".references", r.location), "a relation of " + what);
      }

      std::set<std::string> reported;
      for (const ColumnMapping& m : d.columns) {
        std::string cpath = path + ".columns." + m.column;
        const Location& loc = At(cpath, m.location);
        CheckCategory(m.category, loc, "column '" + m.column + "' of " + what);
        if (m.category.empty() || !p_.FindCategory(m.category) || d.purposes.empty()) continue;
        bool listed = std::any_of(d.purposes.begin(), d.purposes.end(), [&](const std::string& pid) {
          const Purpose* pu = p_.FindPurpose(pid);
          return pu != nullptr && Contains(pu->categories, m.category);
        });
        if (!listed && reported.insert(m.category).second) {
          Warn(loc, "category-not-in-purpose",
               "column '" + m.column + "' of " + what + " holds category '" + m.category +
                   "', which none of its purposes (" + Join(d.purposes) + ") lists",
               "add '" + m.category + "' to the categories of the purpose it serves, or map the column otherwise");
        }
      }
    }
  }

  void Retention() {
    for (const RetentionRule& r : p_.retention) {
      const std::string path = "retention." + r.id;
      const std::string what = "retention rule '" + r.id + "'";
      if (r.dataset.empty()) continue;  // the loader reported it
      const Dataset* d = p_.FindDataset(r.dataset);
      if (d == nullptr) {
        std::string close = ClosestMatch(r.dataset, Ids(4));
        Error(At(path + ".dataset", r.location), "unknown-dataset",
              what + " applies to dataset '" + r.dataset + "', which is not declared",
              close.empty() ? "declare datasets." + r.dataset + " with its columns, or fix the name"
                            : "did you mean '" + close + "'?");
        continue;
      }
      if (r.after_table.empty()) {
        CheckColumn(*d, r.after_column, At(path + ".keep", r.location), what + " (keep ... after)");
      } else if (const Dataset* other = p_.FindDataset(r.after_table)) {
        CheckColumn(*other, r.after_column, At(path + ".keep", r.location), what + " (keep ... after)");
      } else {
        // The schema (or a relation the policy declares) links the tables;
        // the other table need not hold personal data, so this is no error.
        std::string close = ClosestMatch(r.after_table, Ids(4));
        Warn(At(path + ".keep", r.location), "undeclared-dataset",
             what + " counts from " + r.after_table + "." + r.after_column + ", and '" + r.after_table +
                 "' is not a declared dataset",
             close.empty() ? "declare datasets." + r.after_table + " (with the date column), so the policy shows "
                                 "every table it relies on"
                           : "did you mean '" + close + "'?");
      }
      if (!r.after_fallback.empty())
        CheckColumn(*d, r.after_fallback, At(path + ".keep", r.location), what + " (keep ... or)");
      for (size_t i = 0; i < r.columns.size(); ++i)
        CheckColumn(*d, r.columns[i], At(path + ".columns[" + std::to_string(i) + "]", r.location), what);
      for (const auto& [column, value] : r.set) CheckColumn(*d, column, At(path + ".set." + column, r.location), what);
      for (size_t i = 0; i < r.when.size(); ++i)
        CheckColumn(*d, r.when[i].column, At(path + ".when[" + std::to_string(i) + "].column", r.when[i].location),
                    "a condition of " + what);
      for (size_t i = 0; i < r.notify_columns.size(); ++i)
        CheckColumn(*d, r.notify_columns[i], At(path + ".notify_columns[" + std::to_string(i) + "]", r.location),
                    what + " (notify_columns)");
      for (size_t h = 0; h < r.legal_holds.size(); ++h) {
        const LegalHold& hold = r.legal_holds[h];
        for (size_t i = 0; i < hold.when.size(); ++i)
          CheckColumn(*d, hold.when[i].column,
                      At(path + ".legal_holds[" + std::to_string(h) + "].when[" + std::to_string(i) + "].column",
                         hold.when[i].location),
                      "legal hold '" + hold.name + "' of " + what);
      }
    }

    // Art. 5(1)(e): every category a dataset holds ends somewhere.
    for (const Dataset& d : p_.datasets) {
      std::vector<const RetentionRule*> rules = p_.RulesForDataset(d.table);
      bool whole = std::any_of(rules.begin(), rules.end(), [](const RetentionRule* r) {
        return r->action == RetentionAction::kDelete || r->action == RetentionAction::kRestrict;
      });
      if (whole) continue;
      std::set<std::string> covered, reported;
      for (const RetentionRule* r : rules) {
        for (const std::string& col : r->columns) {
          const ColumnMapping* m = d.FindColumn(col);
          if (m != nullptr && !m->category.empty()) covered.insert(m->category);
        }
      }
      for (const ColumnMapping& m : d.columns) {
        if (m.category.empty() || covered.count(m.category) || !reported.insert(m.category).second) continue;
        Error(At("datasets." + d.table + ".columns." + m.column, m.location), "retention-missing",
              "category '" + m.category + "' in dataset '" + d.table + "' (column '" + m.column +
                  "') has no retention rule (Art. 5(1)(e))",
              "add under retention: a rule with dataset: " + d.table +
                  ", keep: PERIOD after DATE_COLUMN and action: delete (or anonymise with columns: [" + m.column +
                  "])");
      }
    }
  }

  void UnusedCategories() {
    for (const Category& c : p_.categories) {
      bool used = std::any_of(p_.purposes.begin(), p_.purposes.end(),
                              [&](const Purpose& pu) { return Contains(pu.categories, c.id); }) ||
                  std::any_of(p_.datasets.begin(), p_.datasets.end(), [&](const Dataset& d) {
                    return std::any_of(d.columns.begin(), d.columns.end(),
                                       [&](const ColumnMapping& m) { return m.category == c.id; });
                  });
      if (!used) {
        Warn(c.location, "unused-category", "category '" + c.id + "' is declared but no purpose or dataset uses it",
             "map a column to it, list it in a purpose, or remove it");
      }
    }
  }

  // accepted[]: the same finding accepted twice is two reasons and two
  // expiry dates for one thing; the first that has not expired wins, which a
  // reader of the policy cannot see.
  void Accepted() {
    std::set<std::string> seen;
    for (const Acceptance& a : p_.accepted) {
      std::string key = !a.fingerprint.empty() ? a.fingerprint : a.code + "\n" + a.table + "\n" + a.column;
      if (seen.insert(key).second) continue;
      Warn(a.location, "duplicate-acceptance", "this finding is accepted twice in 'accepted'",
           "keep one entry per finding, with the reason and the date that apply");
    }
  }

  const Policy& p_;
  const ValidateOptions& options_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> ValidatePolicy(const Policy& policy, const ValidateOptions& options) {
  return Validator(policy, options).Run();
}

}  // namespace dpo::policy
