#include "report/register_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "report/escape.h"

namespace dpo::report {

namespace {

using policy::Policy;
using policy::Purpose;

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const char* BasisArticle(policy::LegalBasis b) {
  switch (b) {
    case policy::LegalBasis::kConsent: return "Art. 6(1)(a)";
    case policy::LegalBasis::kContract: return "Art. 6(1)(b)";
    case policy::LegalBasis::kLegalObligation: return "Art. 6(1)(c)";
    case policy::LegalBasis::kVitalInterests: return "Art. 6(1)(d)";
    case policy::LegalBasis::kPublicTask: return "Art. 6(1)(e)";
    case policy::LegalBasis::kLegitimateInterests: return "Art. 6(1)(f)";
  }
  return "Art. 6(1)";
}

const char* BasisWords(policy::LegalBasis b) {
  switch (b) {
    case policy::LegalBasis::kConsent: return "Consent";
    case policy::LegalBasis::kContract: return "Contract";
    case policy::LegalBasis::kLegalObligation: return "Legal obligation";
    case policy::LegalBasis::kVitalInterests: return "Vital interests";
    case policy::LegalBasis::kPublicTask: return "Public task";
    case policy::LegalBasis::kLegitimateInterests: return "Legitimate interests";
  }
  return "";
}

const char* Art9Article(policy::Art9Condition c) {
  static const char* kLetters = "abcdefghij";
  static thread_local std::string buffer;
  buffer = std::string("Art. 9(2)(") + kLetters[static_cast<int>(c)] + ")";
  return buffer.c_str();
}

// Datasets whose rules give a purpose's retention: those that name the
// purpose and hold one of its categories; failing that, any that hold one.
std::vector<const policy::Dataset*> DatasetsOf(const Policy& p, const Purpose& purpose) {
  auto holds = [&](const policy::Dataset& d) {
    return std::any_of(d.columns.begin(), d.columns.end(), [&](const policy::ColumnMapping& m) {
      return !m.category.empty() && Contains(purpose.categories, m.category);
    });
  };
  std::vector<const policy::Dataset*> out;
  for (const policy::Dataset& d : p.datasets)
    if (Contains(d.purposes, purpose.id) && holds(d)) out.push_back(&d);
  if (out.empty())
    for (const policy::Dataset& d : p.datasets)
      if (holds(d)) out.push_back(&d);
  return out;
}

std::string RuleText(const policy::RetentionRule& r) {
  std::string period = r.todo ? "TODO" : r.keep.ToHuman() + " after " + r.AfterText();
  return period + " (" + policy::RetentionActionName(r.action) + ")";
}

std::string CategoryLabel(const policy::Category& c) {
  switch (c.sensitivity) {
    case policy::Sensitivity::kSpecial:
      return c.id + " (special category" + (c.special_category.empty() ? "" : ": " + c.special_category) +
             ", Art. 9)";
    case policy::Sensitivity::kCriminal: return c.id + " (criminal data, Art. 10)";
    case policy::Sensitivity::kNationalId: return c.id + " (national id / BSN, UAVG art. 46)";
    case policy::Sensitivity::kOrdinary: break;
  }
  return c.id;
}

std::string LegalBasisText(const Purpose& p) {
  std::string out = std::string(BasisWords(p.legal_basis)) + " (" + BasisArticle(p.legal_basis) + ")";
  if (!p.law.empty()) out += ": " + p.law;
  if (!p.interest.empty()) out += ": " + p.interest;
  if (p.art9_condition)
    out += "; special categories: " + std::string(policy::Art9ConditionName(*p.art9_condition)) + " (" +
           Art9Article(*p.art9_condition) + ")";
  if (!p.art10_basis.empty()) out += "; criminal data (Art. 10): " + p.art10_basis;
  return out;
}

std::string JoinCells(const std::vector<std::string>& items) {
  if (items.empty()) return "-";
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "; " : "") + MarkdownEscape(items[i]);
  return out;
}

}  // namespace

std::string RetentionSummary(const Policy& p, const Purpose& purpose) {
  std::vector<const policy::Dataset*> datasets = DatasetsOf(p, purpose);
  std::vector<std::string> parts;
  for (const policy::Dataset* d : datasets) {
    for (const policy::RetentionRule* r : p.RulesForDataset(d->table)) {
      std::string text = RuleText(*r);
      if (datasets.size() > 1) text += " [" + d->table + "]";
      if (!Contains(parts, text)) parts.push_back(text);
    }
  }
  if (parts.empty()) return "not set";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

std::vector<RegisterActivity> RegisterActivities(const Policy& p) {
  std::vector<RegisterActivity> out;
  for (const Purpose& pu : p.purposes) {
    RegisterActivity a;
    a.purpose = pu.id;
    a.description = pu.description;
    a.automated_decisions = pu.automated_decisions;
    a.legal_basis = LegalBasisText(pu);
    for (const std::string& id : pu.data_subjects) {
      const policy::DataSubject* s = p.FindDataSubject(id);
      a.data_subjects.push_back(s != nullptr && !s->description.empty() ? s->description + " (" + id + ")" : id);
    }
    for (const std::string& id : pu.categories) {
      const policy::Category* cat = p.FindCategory(id);
      a.categories.push_back(cat != nullptr ? CategoryLabel(*cat) : id);
    }
    for (const std::string& id : pu.recipients) {
      const policy::Recipient* r = p.FindRecipient(id);
      std::string text = id;
      if (r != nullptr) {
        text = (r->description.empty() ? id : r->description + " (" + id + ")") + ", " + r->type;
        if (!r->country.empty() && r->country != "NL") text += ", " + r->country;
      }
      a.recipients.push_back(text);
    }
    for (const policy::Transfer& t : pu.transfers)
      a.transfers.push_back(t.country + " to " + t.recipient + " (" +
                            (t.safeguard.empty() ? "no safeguard" : t.safeguard) + ")");
    a.retention = RetentionSummary(p, pu);
    out.push_back(std::move(a));
  }
  return out;
}

std::string RenderRegisterMarkdown(const Policy& p) {
  const policy::Controller& c = p.controller;
  std::string out = "# Record of processing activities (GDPR Art. 30)\n\n";
  out += "- Controller: " + MarkdownEscape(c.name);
  if (!c.address.empty()) out += ", " + MarkdownEscape(c.address);
  out += "\n";
  if (!c.contact.empty()) out += "- Privacy contact: " + MarkdownEscape(c.contact) + "\n";
  if (!c.dpo_name.empty() || !c.dpo_contact.empty()) {
    out += "- Data protection officer: " + MarkdownEscape(c.dpo_name);
    if (!c.dpo_contact.empty()) out += (c.dpo_name.empty() ? "" : ", ") + MarkdownEscape(c.dpo_contact);
    out += "\n";
  }
  if (!c.supervisory_authority.empty())
    out += "- Supervisory authority: " + MarkdownEscape(c.supervisory_authority) + "\n";
  out += "- Source: policy " + MarkdownEscape(p.file) + "\n\n";

  out += "| Purpose | Legal basis | Data subjects | Categories of personal data | Recipients | "
         "Transfers outside the EU/EEA | Retention |\n";
  out += "|---|---|---|---|---|---|---|\n";
  for (const RegisterActivity& a : RegisterActivities(p)) {
    std::string purpose = "**" + MarkdownEscape(a.purpose) + "**";
    if (!a.description.empty()) purpose += ": " + MarkdownEscape(a.description);
    if (a.automated_decisions) purpose += " (automated decision-making, Art. 22)";
    out += "| " + purpose + " | " + MarkdownEscape(a.legal_basis) + " | " + JoinCells(a.data_subjects) + " | " +
           JoinCells(a.categories) + " | " + JoinCells(a.recipients) + " | " +
           (a.transfers.empty() ? std::string("none") : JoinCells(a.transfers)) + " | " +
           MarkdownEscape(a.retention) + " |\n";
  }
  if (!c.security_measures.empty())
    out += "\nSecurity measures (Art. 30(1)(g)): " + MarkdownEscape(c.security_measures) + "\n";
  return out;
}

std::string RenderRegisterJson(const Policy& p) {
  using json = nlohmann::ordered_json;
  const policy::Controller& c = p.controller;
  json doc;
  doc["schema"] = "dpo.register/1";
  doc["policy"] = p.file;
  doc["controller"] = {{"name", c.name},
                       {"contact", c.contact},
                       {"address", c.address},
                       {"dpo", {{"name", c.dpo_name}, {"contact", c.dpo_contact}}},
                       {"supervisory_authority", c.supervisory_authority},
                       {"security_measures", c.security_measures.empty() ? json(nullptr) : json(c.security_measures)}};
  doc["activities"] = json::array();
  for (const Purpose& pu : p.purposes) {
    json a;
    a["purpose"] = pu.id;
    a["description"] = pu.description;
    a["legal_basis"] = policy::LegalBasisName(pu.legal_basis);
    a["legal_basis_article"] = BasisArticle(pu.legal_basis);
    a["law"] = pu.law.empty() ? json(nullptr) : json(pu.law);
    a["interest"] = pu.interest.empty() ? json(nullptr) : json(pu.interest);
    a["art9_condition"] = pu.art9_condition ? json(policy::Art9ConditionName(*pu.art9_condition)) : json(nullptr);
    a["art10_basis"] = pu.art10_basis.empty() ? json(nullptr) : json(pu.art10_basis);
    a["automated_decisions"] = pu.automated_decisions;
    a["data_subjects"] = json::array();
    for (const std::string& id : pu.data_subjects) {
      const policy::DataSubject* s = p.FindDataSubject(id);
      a["data_subjects"].push_back({{"id", id}, {"description", s ? s->description : ""}});
    }
    a["categories"] = json::array();
    for (const std::string& id : pu.categories) {
      const policy::Category* cat = p.FindCategory(id);
      json j = {{"id", id},
                {"description", cat ? cat->description : ""},
                {"sensitivity", cat ? policy::SensitivityName(cat->sensitivity) : "ordinary"}};
      j["special_category"] = cat && !cat->special_category.empty() ? json(cat->special_category) : json(nullptr);
      a["categories"].push_back(std::move(j));
    }
    a["recipients"] = json::array();
    for (const std::string& id : pu.recipients) {
      const policy::Recipient* r = p.FindRecipient(id);
      a["recipients"].push_back({{"id", id},
                                 {"description", r ? r->description : ""},
                                 {"type", r ? r->type : ""},
                                 {"country", r ? r->country : ""}});
    }
    a["transfers"] = json::array();
    for (const policy::Transfer& t : pu.transfers)
      a["transfers"].push_back({{"country", t.country}, {"recipient", t.recipient}, {"safeguard", t.safeguard}});
    a["retention"] = json::array();
    for (const policy::Dataset* d : DatasetsOf(p, pu)) {
      for (const policy::RetentionRule* r : p.RulesForDataset(d->table)) {
        json j;
        j["rule"] = r->id;
        j["dataset"] = d->table;
        j["keep"] = r->todo ? json("TODO") : json(r->keep.ToString());
        j["after"] = r->AfterText();
        j["action"] = policy::RetentionActionName(r->action);
        j["basis"] = r->basis;
        j["text"] = RuleText(*r);
        a["retention"].push_back(std::move(j));
      }
    }
    a["retention_summary"] = RetentionSummary(p, pu);
    doc["activities"].push_back(std::move(a));
  }
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace dpo::report
