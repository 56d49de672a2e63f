#include "scan/draft_policy.h"

#include <algorithm>
#include <optional>
#include <cstdio>
#include <map>
#include <set>

#include "detect/column_names.h"
#include "detect/kind.h"
#include "detect/table_context.h"
#include "detect/vocabulary.h"
#include "util/duration.h"

namespace dpo::scan {

namespace {

using detect::Kind;

// The categories a draft may use are dpo's one vocabulary (detect/vocabulary.h).
using CategorySpec = detect::BuiltinCategory;

const std::vector<CategorySpec>& Specs() { return detect::BuiltinCategories(); }

const CategorySpec* SpecFor(const std::string& id) { return detect::FindBuiltinCategory(id); }

const char* CategoryForKind(Kind kind) {
  const CategorySpec* s = detect::BuiltinCategoryOf(kind);
  return s == nullptr ? nullptr : s->id.data();  // ids are string literals: NUL-terminated
}

// Names lib/detect has no kind for, but that a staffing agency's schema
// commonly holds: joined lower-case tokens -> category.
const std::map<std::string, std::string>& ExtraNames() {
  static const std::map<std::string, std::string> kNames = {
      {"customernumber", "identifiers"},   {"customerno", "identifiers"},     {"klantnummer", "identifiers"},
      {"klantnr", "identifiers"},          {"candidatenumber", "identifiers"}, {"kandidaatnummer", "identifiers"},
      {"employeenumber", "identifiers"},   {"employeeno", "identifiers"},     {"personeelsnummer", "identifiers"},
      {"personeelsnr", "identifiers"},     {"relatienummer", "identifiers"},  {"membernumber", "identifiers"},
      {"cv", "career"},                    {"resume", "career"},              {"curriculumvitae", "career"},
      {"motivation", "career"},            {"motivatie", "career"},           {"motivationletter", "career"},
      {"education", "career"},             {"opleiding", "career"},           {"workhistory", "career"},
      {"werkervaring", "career"},          {"experience", "career"},          {"skills", "career"},
      {"vaardigheden", "career"},          {"certificates", "career"},        {"assessment", "career"},
      {"rating", "career"},                {"review", "career"},              {"beoordeling", "career"},
      {"linkedin", "contact"},             {"vog", "criminal"},               {"sicknote", "health"},
      {"sickleave", "health"},             {"ziekmelding", "health"},         {"verzuim", "health"},
      {"medical", "health"},               {"diagnosis", "health"},
  };
  return kNames;
}

// What the draft says about one column.
struct ColumnPlan {
  std::string name;
  std::string category;  // "" = none (a key or a date), "?" = not recognised
  bool identifier = false;
  bool is_date = false;
  bool is_key = false;
  bool key_by_name = false;  // only the name ("id", "*_id") said key: the values may say more
  std::optional<Kind> name_kind;  // the kind the column name said, when the name decided
  bool table_of_things = false;   // a person-only kind dropped: the rows are not about people
};

struct TablePlan {
  source::Table table;
  std::vector<ColumnPlan> columns;
  bool personal = false;
  bool subject_table = false;  // rows are people: has an e-mail, BSN or person number
  std::string data_subject;
  std::string subject_key;
  std::string subject_comment;
  std::vector<std::string> categories;  // in spec order
};

std::string Joined(const std::string& name) {
  std::string out;
  for (const std::string& t : detect::ColumnNameTokens(name)) out += t;
  return out;
}

ColumnPlan Classify(const source::Table& table, const source::Column& column) {
  ColumnPlan plan;
  plan.name = column.name;
  std::vector<std::string> tokens = detect::ColumnNameTokens(column.name);
  plan.is_date = column.type == source::TypeClass::kDate || column.type == source::TypeClass::kTimestamp;

  bool foreign = false;
  for (const source::ForeignKey& fk : table.foreign_keys)
    if (std::find(fk.columns.begin(), fk.columns.end(), column.name) != fk.columns.end()) foreign = true;

  auto extra = ExtraNames().find(Joined(column.name));
  if (extra != ExtraNames().end()) {
    plan.category = extra->second;
    plan.identifier = extra->second == "identifiers";
    return plan;
  }
  if (column.primary_key_position > 0 || foreign) {
    plan.is_key = true;
    return plan;
  }
  for (const detect::NameEvidence& e : detect::KindsFromColumnName(column.name)) {
    if (e.weight < 0.6) continue;
    if (e.kind == Kind::kDate) {
      plan.is_date = true;
      return plan;
    }
    if (const char* category = CategoryForKind(e.kind)) {
      plan.category = category;
      plan.identifier = e.kind == Kind::kEmail || e.kind == Kind::kBsn || e.kind == Kind::kSsnUs;
      plan.name_kind = e.kind;
      return plan;
    }
  }
  if (!tokens.empty() && (tokens.back() == "id" || tokens.back() == "uuid" || tokens.back() == "guid")) {
    plan.is_key = true;
    plan.key_by_name = true;
    return plan;
  }
  if (plan.is_date) return plan;
  plan.category = "?";
  return plan;
}

// A column the names could not place, judged by its values: the strongest
// evidence of a kind that maps to a category.
// A column only its name called a key ("id" in a CSV export) that holds
// validated identifiers (social security numbers) is that identifier.
constexpr double kKeyOverruledConfidence = 0.8;

void ApplyDiscovery(const ColumnReport* discovered, ColumnPlan* plan) {
  if (discovered == nullptr) return;
  if (plan->category != "?" && !plan->key_by_name) return;
  for (const Evidence& e : discovered->evidence) {
    std::optional<Kind> kind = detect::KindFromName(e.kind);
    if (!kind || e.confidence < 0.5 || *kind == Kind::kDate) continue;
    if (plan->key_by_name && (e.confidence < kKeyOverruledConfidence || e.name_match)) continue;
    if (const char* category = CategoryForKind(*kind)) {
      plan->category = category;
      plan->identifier = *kind == Kind::kEmail || *kind == Kind::kBsn || *kind == Kind::kSsnUs;
      return;
    }
  }
}

const TableReport* FindDiscoveredTable(const ScanResult* discovery, const std::string& table) {
  if (discovery == nullptr) return nullptr;
  for (const TableReport& t : discovery->tables)
    if (t.name == table) return &t;
  return nullptr;
}

// A table of things (a job's salary band, a region's name): what only the
// column name made personal is not (detect/table_context.h).
void ApplyTableOfThings(const TableReport* discovered, const ColumnReport* column, ColumnPlan* plan) {
  if (discovered == nullptr || discovered->holds_people || !plan->name_kind) return;
  // A description of a product category is not notes about a person, unless
  // the discovery found personal data inside it.
  bool empty_free_text = *plan->name_kind == Kind::kFreeText &&
                         (column == nullptr || column->discovered_category.empty());
  if (!detect::IsAboutPersonOnly(*plan->name_kind) && !empty_free_text) return;
  plan->category.clear();
  plan->identifier = false;
  plan->table_of_things = true;
}

const ColumnReport* FindDiscovered(const ScanResult* discovery, const std::string& table, const std::string& column) {
  if (discovery == nullptr) return nullptr;
  for (const TableReport& t : discovery->tables) {
    if (t.name != table) continue;
    for (const ColumnReport& c : t.columns)
      if (c.name == column) return &c;
  }
  return nullptr;
}

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

// A name from the source as a YAML scalar: plain when safe, else double-quoted.
std::string Yaml(const std::string& s) {
  if (IsPlainKey(s)) return s;
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A name from the source inside a comment: one line, no control characters.
// One comment line: no control byte (C0, DEL, and the C1 controls U+0080..U+009F
// that some terminals obey) may end the comment or reach a terminal.
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

std::string Singular(const std::string& table) {
  std::string base = table;
  size_t dot = base.rfind('.');
  if (dot != std::string::npos) base = base.substr(dot + 1);
  std::string id;
  for (unsigned char c : base) id += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
  if (id.size() > 4 && id.compare(id.size() - 3, 3, "ies") == 0) return id.substr(0, id.size() - 3) + "y";
  if (id.size() > 3 && id.back() == 's' && id[id.size() - 2] != 's') id.pop_back();
  if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) id = "subject_" + id;
  return id;
}

// Whether any reading of the name, however weak, says birth ("geboren").
bool NameSaysBirth(const std::string& name) {
  for (const detect::NameEvidence& e : detect::KindsFromColumnName(name))
    if (e.kind == Kind::kBirthDate) return true;
  return false;
}

std::string BestDateColumn(const TablePlan& t) {
  static const std::vector<std::vector<std::string>> kPreferences = {
      {"lastactive", "lastactivity", "laatstactief", "lastlogin", "lastseen", "lastcontact"},
      {"ended", "endedat", "enddate", "einddatum", "uitdienst", "terminated", "closedat"},
      {"updatedat", "updated", "modifiedat", "gewijzigd"},
      {"createdat", "created", "aangemaakt", "registered", "registeredat"},
  };
  // A date that is itself personal data (a birth date, typed DATE and named
  // so) says nothing about how long the relationship lasts: never count a
  // retention period from it.
  auto activity_date = [](const ColumnPlan& c) {
    return c.is_date && (c.category.empty() || c.category == "?") && c.name_kind != Kind::kBirthDate;
  };
  for (const auto& names : kPreferences)
    for (const ColumnPlan& c : t.columns)
      if (activity_date(c)) {
        std::string j = Joined(c.name);
        for (const std::string& n : names)
          if (j.find(n) != std::string::npos) return c.name;
      }
  for (const ColumnPlan& c : t.columns)
    if (activity_date(c) && !NameSaysBirth(c.name)) return c.name;
  return "";
}

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

std::string List(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + Yaml(items[i]);
  return out + "]";
}

}  // namespace

Result<std::string> DraftPolicyYaml(source::Source& source, const DraftOptions& options) {
  Result<std::vector<std::string>> names = source.ListTables();
  if (!names.ok()) return names.status();
  std::vector<TablePlan> tables;
  for (const std::string& name : names.value()) {
    Result<source::Table> table = source.Describe(name);
    if (!table.ok()) return table.status();
    TablePlan t;
    t.table = std::move(table.value());
    for (const source::Column& c : t.table.columns) {
      ColumnPlan plan = Classify(t.table, c);
      ApplyTableOfThings(FindDiscoveredTable(options.discovery, name), FindDiscovered(options.discovery, name, c.name),
                         &plan);
      ApplyDiscovery(FindDiscovered(options.discovery, name, c.name), &plan);
      if (!plan.category.empty() && plan.category != "?") {
        t.personal = true;
        if (plan.identifier) t.subject_table = true;
      }
      t.columns.push_back(std::move(plan));
    }
    for (const CategorySpec& s : Specs())
      for (const ColumnPlan& c : t.columns)
        if (c.category == s.id) AddUnique(&t.categories, std::string(s.id));
    tables.push_back(std::move(t));
  }

  // Who the rows are about. Tables with an identifier are tables of people.
  bool any_subject_table = std::any_of(tables.begin(), tables.end(), [](const TablePlan& t) { return t.subject_table; });
  if (!any_subject_table)
    for (TablePlan& t : tables)
      if (std::any_of(t.columns.begin(), t.columns.end(), [](const ColumnPlan& c) { return c.category == "contact"; }))
        t.subject_table = true;
  std::map<std::string, std::string> subject_of_table;  // subject tables only
  std::vector<std::string> subjects;
  for (TablePlan& t : tables) {
    if (!t.subject_table) continue;
    t.data_subject = Singular(t.table.name);
    AddUnique(&subjects, t.data_subject);
    subject_of_table[t.table.name] = t.data_subject;
    if (t.table.primary_key.size() == 1) {
      t.subject_key = t.table.primary_key[0];
      for (ColumnPlan& c : t.columns)
        if (c.name == t.subject_key) c.identifier = true;
    } else {
      for (const ColumnPlan& c : t.columns)
        if (c.identifier && t.subject_key.empty()) t.subject_key = c.name;
    }
  }
  for (TablePlan& t : tables) {
    if (t.subject_table || !t.personal) continue;
    // The reference that says "these rows belong to that person": one the
    // rows cannot outlive (ON DELETE CASCADE, or a NOT NULL column that is
    // not SET NULL) before one they can (a note's nullable employee_id
    // naming the recruiter, ON DELETE SET NULL). dsar and erase follow only
    // the subject_key's reference, so a wrong guess here hides rows.
    int best = -1;
    for (const source::ForeignKey& fk : t.table.foreign_keys) {
      auto it = subject_of_table.find(fk.referenced_table);
      if (it == subject_of_table.end() || fk.columns.size() != 1) continue;
      const source::Column* column = t.table.FindColumn(fk.columns[0]);
      bool outlives = fk.on_delete == source::ForeignKey::OnDelete::kSetNull ||
                      fk.on_delete == source::ForeignKey::OnDelete::kSetDefault;
      int rank = fk.on_delete == source::ForeignKey::OnDelete::kCascade ? 3
                 : outlives                                                ? 0
                 : (column != nullptr && !column->nullable)                ? 2
                                                                           : 1;
      if (rank > best) {
        best = rank;
        t.data_subject = it->second;
        t.subject_key = fk.columns[0];
      }
    }
    if (t.data_subject.empty()) {
      // CSV exports have no foreign keys: candidate_id -> candidates.
      for (const ColumnPlan& c : t.columns) {
        for (const auto& [table, subject] : subject_of_table) {
          if (Joined(c.name) == Joined(subject) + "id") {
            t.data_subject = subject;
            t.subject_key = c.name;
          }
        }
        if (!t.data_subject.empty()) break;
      }
    }
    if (t.data_subject.empty()) {
      if (subjects.empty()) AddUnique(&subjects, "person");
      t.data_subject = subjects.size() == 1 ? subjects[0] : "TODO";
      t.subject_comment = subjects.size() == 1 ? "TODO check: guessed, no key links these rows to their person"
                                               : "one of " + List(subjects);
    }
  }

  // Which categories appear at all, and the purposes the draft proposes.
  std::vector<std::string> used;
  for (const CategorySpec& s : Specs())
    for (const TablePlan& t : tables)
      if (std::find(t.categories.begin(), t.categories.end(), s.id) != t.categories.end()) AddUnique(&used, std::string(s.id));
  struct PurposePlan {
    std::string id;
    std::vector<std::string> lines;  // the keys, pre-written
    std::vector<std::string> categories;
  };
  std::vector<PurposePlan> purposes;
  PurposePlan main{"administration", {}, {}}, payroll{"payroll_tax", {}, {}}, special{"special_categories", {}, {}},
      screening{"screening", {}, {}};
  for (const std::string& id : used) {
    const std::string sensitivity(SpecFor(id)->sensitivity);
    if (sensitivity == "ordinary") main.categories.push_back(id);
    if (sensitivity == "national_id") payroll.categories.push_back(id);
    if (sensitivity == "special") special.categories.push_back(id);
    if (sensitivity == "criminal") screening.categories.push_back(id);
  }
  const std::string bases = "consent | contract | legal_obligation | vital_interests | public_task | legitimate_interests";
  main.lines = {"description: TODO why you process this data (e.g. matching candidates to vacancies)",
                "legal_basis: TODO                  # " + bases};
  payroll.lines = {"description: Payroll and tax administration",
                   "legal_basis: legal_obligation      # UAVG art. 46: a BSN only where a law requires it",
                   "law: TODO name the law that requires the BSN (e.g. Wet op de loonbelasting 1964, art. 28)"};
  special.lines = {"description: TODO why you need these special categories (Art. 9)",
                   "legal_basis: TODO                  # " + bases,
                   "art9_condition: TODO               # explicit_consent | employment_law | vital_interests | "
                   "not_for_profit | made_public | legal_claims | substantial_public_interest | "
                   "occupational_medicine | public_health | archiving_research"};
  screening.lines = {"description: TODO why you process criminal data (Art. 10), e.g. VOG for placements",
                     "legal_basis: TODO                  # " + bases,
                     "art10_basis: TODO the law that allows it (e.g. UAVG art. 33; VOG)"};
  for (PurposePlan* p : {&main, &payroll, &special, &screening})
    if (!p->categories.empty()) purposes.push_back(*p);

  // --- write ---
  std::string date = options.date.empty() ? util::Today().ToIso() : options.date;
  std::string source_name = options.source_name.empty() ? source.DisplayName() : options.source_name;
  std::string y;
  y += "# Draft dpo policy written by `dpo policy init` from " + CommentSafe(source_name) + " on " + date + ".\n";
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
  if (subjects.empty()) y += "  {}\n";
  for (const std::string& s : subjects)
    y += "  " + Yaml(s) + ": { description: TODO who they are (e.g. candidates and applicants) }\n";
  y += "\n";

  y += "categories:";
  y += used.empty() ? " {}\n" : "\n";
  for (const std::string& id : used) {
    const CategorySpec* s = SpecFor(id);
    y += "  " + id + ":\n";
    y += "    description: " + std::string(s->description) + "\n";
    y += "    sensitivity: " + std::string(s->sensitivity) + "\n";
    if (!s->special_category.empty()) y += "    special_category: " + std::string(s->special_category) + "\n";
    std::vector<std::string> detectors;
    for (Kind k : s->kinds) detectors.emplace_back(detect::KindName(k));
    y += "    detectors: " + List(detectors) + "\n";
  }
  y += "\n";
  y += "# recipients:       # who receives the data: processors need an agreement (Art. 28)\n";
  y += "#   payroll_service: { description: ..., type: processor, country: NL, agreement: ... }\n\n";

  y += "purposes:";
  y += purposes.empty() ? " {}\n" : "\n";
  for (const PurposePlan& p : purposes) {
    y += "  " + p.id + ":\n";
    for (const std::string& line : p.lines) y += "    " + line + "\n";
    std::vector<std::string> ps;
    for (const TablePlan& t : tables)
      for (const std::string& c : t.categories)
        if (std::find(p.categories.begin(), p.categories.end(), c) != p.categories.end() && !t.data_subject.empty() &&
            t.data_subject != "TODO")
          AddUnique(&ps, t.data_subject);
    if (ps.empty()) ps = subjects;
    y += "    data_subjects: " + List(ps) + "\n";
    y += "    categories: " + List(p.categories) + "\n";
  }
  y += "\n";

  y += "datasets:";
  y += tables.empty() ? " {}\n" : "\n";
  for (const TablePlan& t : tables) {
    y += "  " + Yaml(t.table.name) + ":\n";
    if (!t.personal) y += "    # no column name suggests personal data: review the columns\n";
    if (!t.data_subject.empty())
      y += "    data_subject: " + Yaml(t.data_subject) +
           (t.subject_comment.empty() ? "" : "   # " + CommentSafe(t.subject_comment)) + "\n";
    if (!t.subject_key.empty()) y += "    subject_key: " + Yaml(t.subject_key) + "\n";
    if (t.personal) {
      std::vector<std::string> ps;
      for (const PurposePlan& p : purposes)
        for (const std::string& c : t.categories)
          if (std::find(p.categories.begin(), p.categories.end(), c) != p.categories.end()) AddUnique(&ps, p.id);
      y += "    purposes: " + List(ps) + "\n";
    }
    bool any_mapped = std::any_of(t.columns.begin(), t.columns.end(), [](const ColumnPlan& c) { return c.category != "?"; });
    y += any_mapped ? "    columns:\n" : "    columns:   # none recognised: map them below\n";
    for (const ColumnPlan& c : t.columns) {
      std::string key = Yaml(c.name);
      if (c.category == "?") {
        y += "      # " + CommentSafe(c.name) + ": ?   # TODO not recognised by name: a category id, or none\n";
        continue;
      }
      std::string category = c.category.empty() ? "none" : c.category;
      if (c.identifier)
        y += "      " + key + ": { category: " + category + ", identifier: true }\n";
      else
        y += "      " + key + ": " + category +
             (c.is_key && c.category.empty()            ? "     # a key"
              : c.table_of_things && c.category.empty() ? "     # not about a person: the rows are things"
                                                        : "") +
             "\n";
    }
    // CSV files declare no relations: suggest them from *_id column names.
    if (t.table.foreign_keys.empty() && source.kind() == source::SourceKind::kCsv) {
      std::vector<std::string> guesses;
      for (const ColumnPlan& c : t.columns) {
        std::vector<std::string> tokens = detect::ColumnNameTokens(c.name);
        if (tokens.size() < 2 || tokens.back() != "id") continue;
        for (const TablePlan& other : tables) {
          if (&other == &t) continue;
          std::string stem = Joined(c.name);
          stem = stem.substr(0, stem.size() - 2);
          if (Joined(other.table.name) == stem || Singular(other.table.name) == stem) {
            std::string ref = other.table.primary_key.size() == 1 ? other.table.primary_key[0] : "id";
            guesses.push_back("{ columns: [" + CommentSafe(c.name) + "], references: " + CommentSafe(other.table.name) +
                              "." + CommentSafe(ref) + " }");
          }
        }
      }
      if (!guesses.empty()) {
        y += "    # relations:   # guessed from column names (CSV has no foreign keys); uncomment the right ones\n";
        for (const std::string& g : guesses) y += "    #   - " + g + "\n";
      }
    }
  }
  y += "\n";

  y += "retention:";
  bool any_rule = std::any_of(tables.begin(), tables.end(), [](const TablePlan& t) { return t.personal; });
  y += any_rule ? "\n" : " {}\n";
  for (const TablePlan& t : tables) {
    if (!t.personal) continue;
    std::string after = BestDateColumn(t);
    y += "  " + Yaml(t.table.name) + ":\n";
    y += "    dataset: " + Yaml(t.table.name) + "\n";
    y += "    keep: TODO                         # e.g. 2y after " +
         CommentSafe(after.empty() ? "last_active_at" : after) + " (d, w, m, y)\n";
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
