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
  int64_t values_read = -1;       // non-empty values discovery looked at; -1: no discovery
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
  // Dates stored as text (SQLite TEXT, every CSV column): what the values
  // show is a date, not personal by itself, and a candidate for the
  // retention rule to count from (last_active_at, ended_at).
  if (plan->category != "?") return;
  for (const Evidence& e : discovered->evidence)
    if (e.kind == detect::KindName(Kind::kDate) && e.confidence >= 0.5) {
      plan->category.clear();
      plan->is_date = true;
      return;
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

// Where `column` stands in `table` (0-based); past the end when absent.
// References are tried in this order: tables list their owner first.
size_t ColumnPosition(const source::Table& table, const std::string& column) {
  for (size_t i = 0; i < table.columns.size(); ++i)
    if (table.columns[i].name == column) return i;
  return table.columns.size();
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

// "a, b or c": the subjects a table may be about, for a comment.
std::string JoinedList(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  return out;
}

}  // namespace

Result<DraftPolicy> BuildDraftPolicy(source::Source& source, const DraftOptions& options) {
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
      const ColumnReport* discovered = FindDiscovered(options.discovery, name, c.name);
      ApplyTableOfThings(FindDiscoveredTable(options.discovery, name), discovered, &plan);
      ApplyDiscovery(discovered, &plan);
      if (discovered != nullptr) plan.values_read = discovered->values_seen;
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
  if (!any_subject_table) {
    for (TablePlan& t : tables)
      if (std::any_of(t.columns.begin(), t.columns.end(), [](const ColumnPlan& c) { return c.category == "contact"; }))
        t.subject_table = true;
    // A table that refers to another table of contact data holds rows about
    // that table's people (orders name the customer who placed them, and a
    // shipping address): it is not a table of people itself. Only when the
    // other table refers to no such table (two that refer to each other
    // stay as they are).
    auto refers_to_people = [&tables](const TablePlan& t) {
      for (const source::ForeignKey& fk : t.table.foreign_keys)
        for (const TablePlan& u : tables)
          if (&u != &t && u.subject_table && u.table.name == fk.referenced_table) return &u;
      return static_cast<const TablePlan*>(nullptr);
    };
    std::vector<TablePlan*> linked;
    for (TablePlan& t : tables)
      if (const TablePlan* u = t.subject_table ? refers_to_people(t) : nullptr; u != nullptr && !refers_to_people(*u))
        linked.push_back(&t);
    for (TablePlan* t : linked) t->subject_table = false;
  }
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
    // Among references of equal rank, the one that comes first in the table:
    // tables list their owner first (orders: CustomerID before EmployeeID and
    // ShipVia), and SQLite reports foreign keys in reverse order.
    int best = -1;
    size_t best_position = 0;
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
      const size_t position = ColumnPosition(t.table, fk.columns[0]);
      if (rank > best || (rank == best && position < best_position)) {
        best = rank;
        best_position = position;
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
  }
  // Tables that only link to a subject (order lines -> orders -> customers),
  // personal columns or not: their rows are about the person their
  // reference leads to, so DSAR and erasure must reach them.
  for (bool changed = true; changed;) {
    changed = false;
    for (TablePlan& t : tables) {
      if (t.subject_table || !t.data_subject.empty()) continue;
      // References in the order of their columns (the owner first, as above).
      std::vector<const source::ForeignKey*> references;
      for (const source::ForeignKey& fk : t.table.foreign_keys) references.push_back(&fk);
      auto column_position = [&t](const source::ForeignKey* fk) {
        return fk->columns.empty() ? t.table.columns.size() : ColumnPosition(t.table, fk->columns[0]);
      };
      std::stable_sort(references.begin(), references.end(),
                       [&](const source::ForeignKey* a, const source::ForeignKey* b) {
                         return column_position(a) < column_position(b);
                       });
      for (const source::ForeignKey* reference : references) {
        const source::ForeignKey& fk = *reference;
        if (fk.columns.size() != 1) continue;
        auto u = std::find_if(tables.begin(), tables.end(),
                              [&](const TablePlan& x) { return x.table.name == fk.referenced_table; });
        if (u == tables.end() || &*u == &t || u->data_subject.empty() || u->data_subject == "TODO") continue;
        t.data_subject = u->data_subject;
        t.subject_key = fk.columns[0];
        t.subject_comment = "through " + fk.columns[0] + " -> " + u->table.name +
                            (u->subject_table ? "" : ", whose rows are about a " + u->data_subject);
        changed = true;
        break;
      }
    }
  }
  for (TablePlan& t : tables) {
    if (t.subject_table || !t.personal || !t.data_subject.empty()) continue;
    if (subjects.empty()) AddUnique(&subjects, "person");
    t.data_subject = subjects.size() == 1 ? subjects[0] : "TODO";
    t.subject_comment = subjects.size() == 1 ? "TODO check: guessed, no key links these rows to their person"
                                             : "one of " + JoinedList(subjects);
  }

  // Which categories appear at all, and the purposes the draft proposes.
  DraftPolicy draft;
  draft.date = options.date.empty() ? util::Today().ToIso() : options.date;
  draft.source_name = options.source_name.empty() ? source.DisplayName() : options.source_name;
  draft.data_subjects = subjects;
  for (const CategorySpec& s : Specs())
    for (const TablePlan& t : tables)
      if (std::find(t.categories.begin(), t.categories.end(), s.id) != t.categories.end())
        AddUnique(&draft.categories, std::string(s.id));
  // One purpose per kind of legal ground the categories need: ordinary data,
  // a BSN (a legal obligation naming its law), special categories (an Art.
  // 9(2) condition), criminal data (an Art. 10 basis).
  DraftPurpose main{"administration", "TODO why you process this data (e.g. matching candidates to vacancies)", "TODO",
                    "", "", "", {}, {}};
  DraftPurpose payroll{"payroll_tax", "Payroll and tax administration", "legal_obligation",
                       "TODO name the law that requires the BSN (e.g. Wet op de loonbelasting 1964, art. 28)", "", "",
                       {}, {}};
  DraftPurpose special{"special_categories", "TODO why you need these special categories (Art. 9)", "TODO", "", "TODO",
                       "", {}, {}};
  DraftPurpose screening{"screening", "TODO why you process criminal data (Art. 10), e.g. VOG for placements", "TODO",
                         "", "", "TODO the law that allows it (e.g. UAVG art. 33; VOG)", {}, {}};
  for (const std::string& id : draft.categories) {
    const std::string sensitivity(SpecFor(id)->sensitivity);
    if (sensitivity == "ordinary") main.categories.push_back(id);
    if (sensitivity == "national_id") payroll.categories.push_back(id);
    if (sensitivity == "special") special.categories.push_back(id);
    if (sensitivity == "criminal") screening.categories.push_back(id);
  }
  for (DraftPurpose* p : {&main, &payroll, &special, &screening}) {
    if (p->categories.empty()) continue;
    for (const TablePlan& t : tables)
      for (const std::string& c : t.categories)
        if (std::find(p->categories.begin(), p->categories.end(), c) != p->categories.end() &&
            !t.data_subject.empty() && t.data_subject != "TODO")
          AddUnique(&p->data_subjects, t.data_subject);
    if (p->data_subjects.empty()) p->data_subjects = subjects;
    draft.purposes.push_back(*p);
  }

  for (const TablePlan& t : tables) {
    DraftDataset d;
    d.table = t.table.name;
    d.personal = t.personal;
    d.data_subject = t.data_subject;
    d.subject_key = t.subject_key;
    d.subject_comment = t.subject_comment;
    if (t.personal) {
      for (const DraftPurpose& p : draft.purposes)
        for (const std::string& c : t.categories)
          if (std::find(p.categories.begin(), p.categories.end(), c) != p.categories.end()) AddUnique(&d.purposes, p.id);
      d.retention_after = BestDateColumn(t);
    }
    for (const ColumnPlan& c : t.columns)
      d.columns.push_back({c.name, c.category, c.identifier, c.is_key, c.is_date, c.table_of_things, c.values_read});
    // CSV files declare no relations: suggest them from *_id column names.
    if (t.table.foreign_keys.empty() && source.kind() == source::SourceKind::kCsv) {
      for (const ColumnPlan& c : t.columns) {
        std::vector<std::string> tokens = detect::ColumnNameTokens(c.name);
        if (tokens.size() < 2 || tokens.back() != "id") continue;
        for (const TablePlan& other : tables) {
          if (&other == &t) continue;
          std::string stem = Joined(c.name);
          stem = stem.substr(0, stem.size() - 2);
          if (Joined(other.table.name) == stem || Singular(other.table.name) == stem)
            d.relation_guesses.push_back(
                {c.name, other.table.name, other.table.primary_key.size() == 1 ? other.table.primary_key[0] : "id"});
        }
      }
    }
    draft.datasets.push_back(std::move(d));
  }
  return draft;
}

Result<std::string> DraftPolicyYaml(source::Source& source, const DraftOptions& options) {
  Result<DraftPolicy> draft = BuildDraftPolicy(source, options);
  if (!draft.ok()) return draft.status();
  return DraftPolicyToYaml(*draft);
}

}  // namespace dpo::scan
