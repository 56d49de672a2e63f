// Writes a DraftPolicy (draft_policy.h) as YAML: the decisions are made;
// this file only lays them out, with the comments that tell a person what
// to fill in.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include <yaml-cpp/yaml.h>

#include "detect/kind.h"
#include "detect/vocabulary.h"
#include "scan/draft_policy.h"

namespace dpo::scan {

namespace {

// Names that can stand as plain YAML scalars: letters, digits, '_', '-' and
// '.', not starting with a digit, and not a word YAML or the policy format
// reads as something else (true, null, none, TODO, ...).
bool IsPlainKey(const std::string& s) {
  static const std::set<std::string> kReserved = {"true", "false", "yes", "no", "on", "off", "null", "y", "n",
                                                  "none", "todo"};
  if (s.empty() || s.size() > 200) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.')) return false;
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return kReserved.count(lower) == 0;
}

// A name from the source as a YAML scalar: plain when safe, else written
// double-quoted by yaml-cpp's emitter (quotes, backslashes and control
// characters escaped as YAML defines them).
std::string Yaml(const std::string& s) {
  if (IsPlainKey(s)) return s;
  YAML::Emitter out;
  out << YAML::DoubleQuoted << s;
  return out.c_str();
}

// A name from the source inside a comment: one line. No control byte (C0,
// DEL, and the C1 controls U+0080..U+009F that some terminals obey) may end
// the comment or reach a terminal.
std::string CommentSafe(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      out += '?';
      ++i;
      continue;
    }
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  return out;
}

std::string List(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + Yaml(items[i]);
  return out + "]";
}

const char* kBases = "consent | contract | legal_obligation | vital_interests | public_task | legitimate_interests";
const char* kArt9Conditions =
    "explicit_consent | employment_law | vital_interests | not_for_profit | made_public | legal_claims | "
    "substantial_public_interest | occupational_medicine | public_health | archiving_research";

void WritePurpose(const DraftPurpose& p, std::string& y) {
  y += "  " + Yaml(p.id) + ":\n";
  y += "    description: " + p.description + "\n";
  if (p.legal_basis == "TODO")
    y += "    legal_basis: TODO                  # " + std::string(kBases) + "\n";
  else if (p.legal_basis == "legal_obligation" && !p.law.empty())
    y += "    legal_basis: legal_obligation      # UAVG art. 46: a BSN only where a law requires it\n";
  else
    y += "    legal_basis: " + p.legal_basis + "\n";
  if (!p.law.empty()) y += "    law: " + p.law + "\n";
  if (!p.art9_condition.empty())
    y += "    art9_condition: " + p.art9_condition + "               # " + std::string(kArt9Conditions) + "\n";
  if (!p.art10_basis.empty()) y += "    art10_basis: " + p.art10_basis + "\n";
  y += "    data_subjects: " + List(p.data_subjects) + "\n";
  y += "    categories: " + List(p.categories) + "\n";
}

// Why a column is drafted as it is, as a comment after it ("" for none).
std::string ColumnComment(const DraftColumn& c) {
  if (!c.category.empty()) return "";
  if (c.is_key) return "     # a key";
  if (c.table_of_things) return "     # not about a person: the rows are things";
  if (c.is_date) return "     # a date: not personal by itself (retention may count from it)";
  return "";
}

void WriteDataset(const DraftDataset& d, std::string& y) {
  y += "  " + Yaml(d.table) + ":\n";
  if (!d.personal)
    y += d.data_subject.empty()
             ? "    # no column name suggests personal data: review the columns\n"
             : "    # no column holds personal data by its name, but every row is about a " +
                   CommentSafe(d.data_subject) + ": DSAR and erasure follow " + CommentSafe(d.subject_key) + "\n";
  if (!d.data_subject.empty())
    y += "    data_subject: " + Yaml(d.data_subject) +
         (d.subject_comment.empty() ? "" : "   # " + CommentSafe(d.subject_comment)) + "\n";
  if (!d.subject_key.empty()) y += "    subject_key: " + Yaml(d.subject_key) + "\n";
  if (d.personal) y += "    purposes: " + List(d.purposes) + "\n";
  const bool any_mapped =
      std::any_of(d.columns.begin(), d.columns.end(), [](const DraftColumn& c) { return c.category != "?"; });
  y += any_mapped ? "    columns:\n" : "    columns:   # none recognised: map them below\n";
  for (const DraftColumn& c : d.columns) {
    if (c.category == "?") {
      // Every column is listed: one the names and values did not place is
      // a TODO, never claimed to be "none"; the reason says what was tried.
      const std::string tried = c.values_read < 0 ? "not recognised by name (no values read: --schema-only)"
                                : c.values_read == 0
                                    ? "not recognised by name; the values read were all empty"
                                    : "not recognised by name, nor in the " + std::to_string(c.values_read) +
                                          " values read";
      y += "      # " + CommentSafe(c.name) + ": ?   # TODO " + tried + ": a category id, or none\n";
      continue;
    }
    const std::string category = c.category.empty() ? "none" : c.category;
    if (c.identifier)
      y += "      " + Yaml(c.name) + ": { category: " + category + ", identifier: true }\n";
    else
      y += "      " + Yaml(c.name) + ": " + category + ColumnComment(c) + "\n";
  }
  if (!d.relation_guesses.empty()) {
    y += "    # relations:   # guessed from column names (CSV has no foreign keys); uncomment the right ones\n";
    for (const DraftRelationGuess& g : d.relation_guesses)
      y += "    #   - { columns: [" + CommentSafe(g.column) + "], references: " + CommentSafe(g.referenced_table) +
           "." + CommentSafe(g.referenced_column) + " }\n";
  }
}

}  // namespace

std::string DraftPolicyToYaml(const DraftPolicy& draft) {
  std::string y;
  y += "# Draft dpo policy written by `dpo policy init` from " + CommentSafe(draft.source_name) + " on " +
       CommentSafe(draft.date) + ".\n";
  y += "# It was made from table and column names only. Review every line: fill in each TODO\n";
  y += "# (`dpo policy check` reports each one as an error until it is done), map the columns\n";
  y += "# listed as comments, and check every category the names suggested.\n";
  y += "# Reference: docs/policy-format.md.\n";
  y += "version: 1\n\n";
  y += "controller:\n";
  y += "  name: TODO the legal name of your organisation\n";
  y += "  contact: TODO the e-mail address for privacy questions\n";
  y += "  # address: Street 1, 1234 AB City\n";
  y += "  # dpo: { name: ..., contact: ... }     # your data protection officer, if you have one (Art. 37)\n";
  y += "  supervisory_authority: Autoriteit Persoonsgegevens\n\n";

  y += "data_subjects:\n";
  if (draft.data_subjects.empty()) y += "  {}\n";
  for (const std::string& s : draft.data_subjects)
    y += "  " + Yaml(s) + ": { description: TODO who they are (e.g. candidates and applicants) }\n";
  y += "\n";

  y += "categories:";
  y += draft.categories.empty() ? " {}\n" : "\n";
  for (const std::string& id : draft.categories) {
    const detect::BuiltinCategory* c = detect::FindBuiltinCategory(id);
    if (c == nullptr) continue;  // the builder takes ids from the vocabulary only
    y += "  " + Yaml(id) + ":\n";
    y += "    description: " + std::string(c->description) + "\n";
    y += "    sensitivity: " + std::string(c->sensitivity) + "\n";
    if (!c->special_category.empty()) y += "    special_category: " + std::string(c->special_category) + "\n";
    std::vector<std::string> detectors;
    for (detect::Kind k : c->kinds) detectors.emplace_back(detect::KindName(k));
    y += "    detectors: " + List(detectors) + "\n";
  }
  y += "\n";
  y += "# recipients:       # who receives the data: processors need an agreement (Art. 28)\n";
  y += "#   payroll_service: { description: ..., type: processor, country: NL, agreement: ... }\n\n";

  y += "purposes:";
  y += draft.purposes.empty() ? " {}\n" : "\n";
  for (const DraftPurpose& p : draft.purposes) WritePurpose(p, y);
  y += "\n";

  y += "datasets:";
  y += draft.datasets.empty() ? " {}\n" : "\n";
  for (const DraftDataset& d : draft.datasets) WriteDataset(d, y);
  y += "\n";

  y += "retention:";
  const bool any_rule =
      std::any_of(draft.datasets.begin(), draft.datasets.end(), [](const DraftDataset& d) { return d.personal; });
  y += any_rule ? "\n" : " {}\n";
  for (const DraftDataset& d : draft.datasets) {
    if (!d.personal) continue;
    y += "  " + Yaml(d.table) + ":\n";
    y += "    dataset: " + Yaml(d.table) + "\n";
    y += "    keep: TODO                         # e.g. 2y after " +
         CommentSafe(d.retention_after.empty() ? "last_active_at" : d.retention_after) + " (d, w, m, y)\n";
    y += "    action: delete                     # delete | anonymise (with columns:) | restrict (with set:)\n";
    y += "    # basis: why this period, e.g. AVG art. 5(1)(e); Art. 52 AWR (7 years)\n";
  }
  y += "\n";
  y += "dsar:\n";
  y += "  response_period: 1 month\n";
  y += "  extension: 2 months\n";
  y += "  identity_check: true\n";
  y += "  # contact: privacy@example.nl\n";
  return y;
}

}  // namespace dpo::scan
