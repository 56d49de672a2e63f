#include "dsar/subject_finder.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "detect/column_names.h"
#include "dsar/identity.h"
#include "dsar/key_predicate.h"
#include "dsar/redact.h"
#include "plan/cascade.h"
#include "plan/index_advice.h"
#include "relations/policy_relations.h"
#include "source/write_guard.h"

namespace dpo::dsar {

const char* RowRoleName(RowRole role) {
  switch (role) {
    case RowRole::kSubject: return "subject";
    case RowRole::kBelongs: return "belongs";
    case RowRole::kContext: return "context";
  }
  return "subject";
}

int64_t SubjectData::TotalRows(RowRole role) const {
  int64_t n = 0;
  for (const DatasetRows& d : datasets)
    if (d.role == role) n += static_cast<int64_t>(d.rows.size());
  return n;
}

const DatasetRows* SubjectData::Find(const std::string& table, RowRole role) const {
  for (const DatasetRows& d : datasets)
    if (d.table == table && d.role == role) return &d;
  return nullptr;
}

namespace {

using source::Predicate;
using Row = std::vector<Cell>;

// IN lists stay short enough for any database's statement limits.
constexpr size_t kLookupChunk = 500;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsNumericType(source::TypeClass type) {
  return type == source::TypeClass::kInteger || type == source::TypeClass::kReal;
}

// A literal a numeric column can be compared with (Predicate refuses others).
bool LooksNumeric(const std::string& v) {
  if (v.empty()) return false;
  size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
  if (i == v.size()) return false;
  bool dot = false;
  for (; i < v.size(); ++i) {
    if (v[i] == '.' && !dot) { dot = true; continue; }
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  }
  return true;
}

// Values usable as literals for `column`, dropping what its type cannot hold.
std::vector<std::string> UsableLiterals(const source::Column& column, const std::vector<std::string>& values) {
  if (column.type == source::TypeClass::kBoolean || column.type == source::TypeClass::kBlob) return {};
  if (!IsNumericType(column.type)) return values;
  std::vector<std::string> out;
  for (const std::string& v : values)
    if (LooksNumeric(v)) out.push_back(v);
  return out;
}

Predicate In(const std::string& column, std::vector<std::string> values) {
  Predicate p;
  p.op = Predicate::Op::kIn;
  p.column = column;
  p.values = std::move(values);
  return p;
}

struct ReadRows {
  std::vector<std::string> names;
  std::vector<source::TypeClass> types;
  std::vector<Row> rows;
};

// Reads the rows matching `where`, keeping those `keep` accepts (all when
// unset): a scan of a large table holds only the rows it keeps.
Result<ReadRows> ReadWhere(source::Source& src, const std::string& table, std::optional<Predicate> where,
                           const std::function<bool(const std::vector<std::string>& names, const Row&)>& keep = {}) {
  source::ReadRequest request;
  request.where = std::move(where);
  Result<std::unique_ptr<source::RowReader>> reader = src.Read(table, request);
  if (!reader.ok()) return reader.status();
  ReadRows out;
  out.names = (*reader)->column_names();
  out.types = (*reader)->column_types();
  source::RowBatch batch;
  while (true) {
    Result<bool> more = (*reader)->Next(&batch);
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      Row row;
      row.reserve(batch.num_columns());
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        if (batch.IsNull(r, c)) row.emplace_back(std::nullopt);
        else row.emplace_back(std::string(batch.Cell(r, c)));
      }
      if (!keep || keep(out.names, row)) out.rows.push_back(std::move(row));
    }
  }
  return out;
}

// A column a selector names in one table, with the kind its values are
// normalised as.
struct TargetColumn {
  std::string column;
  IdentityKind kind = IdentityKind::kText;
};

class Finder {
 public:
  Finder(const policy::Policy& policy, source::Source& source, const FindOptions& options)
      : policy_(policy), source_(source), options_(options) {}

  Result<SubjectData> Run(const std::vector<SubjectSelector>& selectors) {
    if (selectors.empty()) return Status::Error("give the subject with --subject KEY=VALUE (e.g. --subject email=...)");
    Result<plan::SchemaGraph> graph = plan::LoadSchemaGraph(source_, relations::PolicyRelations(policy_));
    if (!graph.ok()) return graph.status();
    graph_ = std::move(*graph);
    data_.source = source_.DisplayName();
    data_.source_kind = source::SourceKindName(source_.kind());
    for (const SubjectSelector& s : selectors) data_.selector_keys.push_back(s.key);

    // Which columns each selector names, per table.
    std::map<std::string, std::vector<std::vector<TargetColumn>>> starts;  // table -> per selector
    std::vector<std::map<std::string, std::vector<TargetColumn>>> per_selector;
    for (const SubjectSelector& s : selectors) {
      Result<std::map<std::string, std::vector<TargetColumn>>> cols = Resolve(s.key);
      if (!cols.ok()) return cols.status();
      per_selector.push_back(std::move(*cols));
    }
    for (const source::Table& t : graph_.tables) {
      if (!CanStart(t)) continue;
      std::vector<std::vector<TargetColumn>> targets;
      for (const auto& m : per_selector) {
        auto it = m.find(t.name);
        if (it == m.end()) break;
        targets.push_back(it->second);
      }
      if (targets.size() == selectors.size()) starts[t.name] = std::move(targets);
    }
    if (starts.empty()) {
      std::string keys;
      for (const SubjectSelector& s : selectors) keys += (keys.empty() ? "" : ", ") + s.key;
      return Status::Error("no table has a column for every --subject key given (" + keys +
                           "); give fewer keys, or TABLE.COLUMN=VALUE for one table");
    }

    // Identity match.
    for (auto& [table, targets] : starts) {
      Status s = MatchIdentity(table, targets, selectors);
      if (!s.ok()) return s;
    }
    // The walk, breadth first.
    while (!queue_.empty()) {
      auto [table, rows] = std::move(queue_.front());
      queue_.erase(queue_.begin());
      Status s = FollowReferencesTo(table, rows);
      if (!s.ok()) return s;
    }
    Status s = AddContext();
    if (!s.ok()) return s;

    // Subject rows first, then belongs, then context (stable: walk order within).
    std::stable_sort(data_.datasets.begin(), data_.datasets.end(),
                     [](const DatasetRows& a, const DatasetRows& b) { return a.role < b.role; });
    data_.skipped = source_.Skipped();
    return std::move(data_);
  }

 private:
  // `key` for a message, unless it looks like a value typed the wrong way
  // round (an e-mail, a number, a name): that is personal data.
  static std::string Shown(const std::string& key) {
    bool plain = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0]));
    for (char c : key) plain &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
    return plain ? key : std::string("(a KEY that looks like a value; write KEY=VALUE, e.g. email=...)");
  }

  // The columns `key` names, by table.
  Result<std::map<std::string, std::vector<TargetColumn>>> Resolve(const std::string& key) {
    std::map<std::string, std::vector<TargetColumn>> out;
    size_t dot = key.rfind('.');
    if (dot != std::string::npos) {
      std::string table = key.substr(0, dot), column = key.substr(dot + 1);
      const source::Table* t = graph_.Find(table);
      if (t == nullptr) return Status::Error("--subject " + Shown(key) + ": no such table in " + data_.source +
                                             "; run 'dpo inspect' to list the tables", StatusCode::kNotFound);
      if (t->FindColumn(column) == nullptr)
        return Status::Error("--subject " + Shown(key) + ": the table has no such column; run 'dpo inspect' to list its "
                             "columns", StatusCode::kNotFound);
      out[table].push_back({column, KindOf(table, column)});
      return out;
    }
    std::string lower = Lower(key);
    std::optional<IdentityKind> wanted;
    for (IdentityKind k : {IdentityKind::kEmail, IdentityKind::kPhone, IdentityKind::kBsn, IdentityKind::kIban})
      if (lower == IdentityKindName(k)) wanted = k;
    for (const source::Table& t : graph_.tables) {
      const policy::Dataset* ds = policy_.FindDataset(t.name);
      for (const source::Column& c : t.columns) {
        IdentityKind kind = KindOf(t.name, c.name);
        bool named = Lower(c.name) == lower;
        bool of_kind = wanted && kind == *wanted;
        bool of_category = false;
        if (ds != nullptr) {
          const policy::ColumnMapping* m = ds->FindColumn(c.name);
          of_category = m != nullptr && m->identifier && m->category == key;
        }
        if (named || of_kind || of_category) out[t.name].push_back({c.name, kind});
      }
    }
    if (out.empty()) {
      std::set<std::string> known;
      for (const policy::Dataset& ds : policy_.datasets)
        for (const std::string& c : ds.IdentifierColumns()) known.insert(c);
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      return Status::Error("--subject " + Shown(key) + " names no column of " + data_.source +
                           (list.empty() ? std::string() : "; the policy's identifier columns are " + list) +
                           "; or use TABLE.COLUMN=VALUE", StatusCode::kNotFound);
    }
    return out;
  }

  // Whether a match in `t` identifies the person its row is about. A dataset
  // whose subject_key is a reference (a note's candidate_id) holds rows about
  // the person it points at: an address in it (the note's author) names
  // someone else, and its rows are reached through the walk instead.
  bool CanStart(const source::Table& t) const {
    const policy::Dataset* ds = policy_.FindDataset(t.name);
    if (ds == nullptr || ds->subject_key.empty()) return true;
    if (std::find(t.primary_key.begin(), t.primary_key.end(), ds->subject_key) != t.primary_key.end()) return true;
    for (const source::ForeignKey& fk : t.foreign_keys)
      if (std::find(fk.columns.begin(), fk.columns.end(), ds->subject_key) != fk.columns.end()) return false;
    for (const policy::Relation& r : ds->relations)
      if (std::find(r.columns.begin(), r.columns.end(), ds->subject_key) != r.columns.end()) return false;
    return true;  // its own id column (CSV: no primary key declared)
  }

  IdentityKind KindOf(const std::string& table, const std::string& column) const {
    std::vector<std::string> detectors;
    if (const policy::Dataset* ds = policy_.FindDataset(table))
      if (const policy::ColumnMapping* m = ds->FindColumn(column))
        if (const policy::Category* cat = policy_.FindCategory(m->category)) detectors = cat->detectors;
    return IdentityKindFor(column, detectors);
  }

  bool LeadsIndex(const source::Table& t, const std::string& column) const {
    for (const auto& index : t.indexes)
      if (!index.empty() && index.front() == column) return true;
    return false;
  }

  void Advise(const std::string& table, const std::vector<std::string>& columns, const std::string& reason) {
    std::optional<plan::IndexAdvice> a = plan::AdviseIndex(graph_, source_.kind(), table, columns, reason);
    if (!a) return;
    for (const LookupAdvice& have : data_.advice)
      if (have.table == a->table && have.columns == a->columns) return;
    data_.advice.push_back({a->table, a->columns, a->reason, a->sql});
  }

  std::string RowKey(const source::Table& t, const std::vector<std::string>& names, const Row& row) const {
    std::string key;
    auto add = [&key](const Cell& c) {
      key += c ? "v" + *c : std::string("n");
      key += '\x1f';
    };
    if (!t.primary_key.empty()) {
      for (const std::string& k : t.primary_key) {
        int i = IndexOf(names, k);
        add(i < 0 ? Cell() : row[i]);
      }
    } else {
      for (const Cell& c : row) add(c);
    }
    return key;
  }

  // The DatasetRows of (table, role), created on first use.
  DatasetRows& Rows(const source::Table& t, RowRole role, const std::string& via, const ReadRows& read) {
    for (DatasetRows& d : data_.datasets)
      if (d.table == t.name && d.role == role) return d;
    DatasetRows d;
    d.table = t.name;
    d.role = role;
    d.via = via;
    d.columns = read.names;
    d.types = read.types;
    d.key_columns = t.primary_key;
    if (const policy::Dataset* ds = policy_.FindDataset(t.name)) d.data_subject = ds->data_subject;
    else
      data_.warnings.push_back("table " + t.name + " holds rows of the subject but the policy has no dataset for it; "
                               "add it to the policy's datasets");
    data_.datasets.push_back(std::move(d));
    return data_.datasets.back();
  }

  // Adds the rows not seen before; returns them (for the walk).
  Result<std::vector<Row>> Keep(const source::Table& t, RowRole role, const std::string& via, const ReadRows& read) {
    std::vector<Row> fresh;
    std::set<std::string>& seen = seen_[t.name];
    for (const Row& row : read.rows)
      if (seen.insert(RowKey(t, read.names, row)).second) fresh.push_back(row);
    if (fresh.empty()) return fresh;
    total_ += static_cast<int64_t>(fresh.size());
    if (options_.max_rows >= 0 && total_ > options_.max_rows)
      return Status::Error("the subject's rows exceed " + std::to_string(options_.max_rows) + " (reached at table " +
                           t.name + ", via " + via + "); check that the policy's datasets declare subject_key, so "
                           "that the walk follows only references that mean 'belongs to'");
    DatasetRows& d = Rows(t, role, via, read);
    for (const Row& row : fresh) d.rows.push_back(row);
    return fresh;
  }

  Status MatchIdentity(const std::string& table, const std::vector<std::vector<TargetColumn>>& targets,
                       const std::vector<SubjectSelector>& selectors) {
    const source::Table& t = *graph_.Find(table);
    // The canonical value per (selector, column kind); a kind that gives
    // nothing (a phone value without digits) cannot match that column.
    auto canonical = [&](size_t sel, IdentityKind kind) { return NormaliseIdentity(kind, selectors[sel].value); };

    bool indexed = !options_.exhaustive && source_.kind() != source::SourceKind::kCsv;
    std::vector<std::string> used_columns;
    for (const auto& cols : targets)
      for (const TargetColumn& c : cols) {
        used_columns.push_back(c.column);
        if (!LeadsIndex(t, c.column)) {
          indexed = false;
          Advise(table, {c.column}, "the identity match of dpo dsar/erase looks up " + table + "." + c.column);
        }
      }

    // Verify (index) or decide (scan) with normalised values.
    auto matches = [&](const std::vector<std::string>& names, const Row& row) {
      for (size_t s = 0; s < targets.size(); ++s) {
        bool any = false;
        for (const TargetColumn& c : targets[s]) {
          int i = IndexOf(names, c.column);
          if (i < 0 || !row[i]) continue;
          std::string want = canonical(s, c.kind);
          if (!want.empty() && NormaliseIdentity(c.kind, *row[i]) == want) any = true;
        }
        if (!any) return false;
      }
      return true;
    };
    // The lookup inside the database: each e-mail column either by its
    // spellings (an index on the column serves it) or case-folded (lower(trim
    // (col)) = the canonical address: complete, but a scan inside the
    // database unless an index on that expression exists); other kinds by
    // their spellings.
    bool sql = source_.kind() != source::SourceKind::kCsv && !options_.exhaustive;
    bool all_email = true;
    for (const auto& cols : targets)
      for (const TargetColumn& c : cols) all_email &= c.kind == IdentityKind::kEmail;
    auto lookup = [&](bool fold_emails) -> std::optional<Predicate> {
      std::vector<Predicate> all;
      for (size_t s = 0; s < targets.size(); ++s) {
        std::vector<Predicate> any;
        for (const TargetColumn& c : targets[s]) {
          const source::Column* column = t.FindColumn(c.column);
          if (fold_emails && c.kind == IdentityKind::kEmail && column->type != source::TypeClass::kInteger &&
              column->type != source::TypeClass::kReal) {
            std::string canonical = NormaliseIdentity(c.kind, selectors[s].value);
            if (canonical.empty()) continue;
            Predicate folded = In(c.column, {canonical});
            folded.fold_case = true;
            any.push_back(std::move(folded));
            continue;
          }
          std::vector<std::string> literals = UsableLiterals(*column, SpellingVariants(c.kind, selectors[s].value));
          if (!literals.empty()) any.push_back(In(c.column, std::move(literals)));
        }
        if (any.empty()) return std::nullopt;  // no column can hold this value: no match
        all.push_back(any.size() == 1 ? std::move(any[0]) : Predicate::Any(std::move(any)));
      }
      return all.size() == 1 ? std::move(all[0]) : Predicate::All(std::move(all));
    };
    ReadRows read;
    std::string method;
    if (sql && (indexed || all_email)) {
      method = indexed ? "index" : "folded";
      std::optional<Predicate> where = lookup(/*fold_emails=*/!indexed);
      if (where) {
        Result<ReadRows> r = ReadWhere(source_, table, std::move(*where), matches);
        if (!r.ok()) return r.status();
        read = std::move(*r);
      }
      bool has_email = false;
      for (const auto& cols : targets)
        for (const TargetColumn& c : cols) has_email |= c.kind == IdentityKind::kEmail;
      // An address stored in another case ("Jan.Jansen@Example.com") is no
      // spelling the index knows: look again, case-folded, before saying
      // there is nothing.
      if (indexed && read.rows.empty() && has_email) {
        method = "index, then folded";
        std::optional<Predicate> folded = lookup(/*fold_emails=*/true);
        if (folded) {
          Result<ReadRows> r = ReadWhere(source_, table, std::move(*folded), matches);
          if (!r.ok()) return r.status();
          read = std::move(*r);
        }
      }
    } else {
      method = "scan";
      Result<ReadRows> r = ReadWhere(source_, table, std::nullopt, matches);
      if (!r.ok()) return r.status();
      read = std::move(*r);
    }
    // Identical rows (a table without a key) are one record, not two people.
    std::set<std::string> distinct;
    for (const Row& row : read.rows) distinct.insert(RowKey(t, read.names, row));
    if (distinct.size() > 1 && !options_.all_matches) {
      std::string keys;
      for (const SubjectSelector& s : selectors) keys += (keys.empty() ? "" : ", ") + s.key;
      return Status::Error("ambiguous identity: " + std::to_string(distinct.size()) + " rows of " + table +
                           " match the --subject values (" + keys + "); add another --subject to narrow it (e.g. " +
                           (t.primary_key.size() == 1 ? table + "." + t.primary_key[0] + "=N" : std::string("bsn=...")) +
                           "), or pass --all-matches if they are all this person", StatusCode::kConflict);
    }
    Status s = RecordMatch(table, used_columns, method, static_cast<int64_t>(read.rows.size()));
    if (!s.ok()) return s;
    if (read.rows.empty()) return Status::Ok();
    std::string via;
    for (const SubjectSelector& sel : selectors) via += (via.empty() ? "" : ", ") + sel.key;
    Result<std::vector<Row>> fresh = Keep(t, RowRole::kSubject, via, read);
    if (!fresh.ok()) return fresh.status();
    queue_.push_back({table, ReadRows{read.names, read.types, std::move(*fresh)}});
    return Status::Ok();
  }

  Status RecordMatch(const std::string& table, std::vector<std::string> columns, const std::string& method, int64_t rows) {
    data_.matches.push_back({table, std::move(columns), method, rows});
    return Status::Ok();
  }

  // Whether rows of `child` that point at a row through `key` are that row's
  // subject's (see the header).
  bool Belongs(const std::string& child, const source::ForeignKey& key) const {
    const policy::Dataset* ds = policy_.FindDataset(child);
    if (ds != nullptr && !ds->subject_key.empty())
      return std::find(key.columns.begin(), key.columns.end(), ds->subject_key) != key.columns.end();
    return key.on_delete != source::ForeignKey::OnDelete::kSetNull &&
           key.on_delete != source::ForeignKey::OnDelete::kSetDefault;
  }

  // Distinct non-NULL tuples of `columns` among `rows`.
  static std::vector<std::vector<std::string>> Tuples(const ReadRows& read, const std::vector<std::string>& columns) {
    std::vector<int> idx;
    for (const std::string& c : columns) idx.push_back(IndexOf(read.names, c));
    std::set<std::vector<std::string>> seen;
    std::vector<std::vector<std::string>> out;
    for (const Row& row : read.rows) {
      std::vector<std::string> t;
      bool null = false;
      for (int i : idx) {
        if (i < 0 || !row[i]) { null = true; break; }
        t.push_back(*row[i]);
      }
      if (!null && seen.insert(t).second) out.push_back(std::move(t));
    }
    return out;
  }

  // Reads rows of `table` whose `columns` equal one of `tuples`, in chunks.
  Result<ReadRows> Lookup(const std::string& table, const std::vector<std::string>& columns,
                          std::vector<std::vector<std::string>> tuples) {
    const source::Table* t = graph_.Find(table);
    // Drop tuples a numeric column cannot hold (a text key pointing at an integer key).
    for (size_t i = 0; i < columns.size(); ++i) {
      const source::Column* c = t->FindColumn(columns[i]);
      if (c == nullptr) return Status::Error("table " + table + " has no column " + columns[i] + " (a reference names it)");
      if (IsNumericType(c->type))
        tuples.erase(std::remove_if(tuples.begin(), tuples.end(), [i](const auto& tu) { return !LooksNumeric(tu[i]); }),
                     tuples.end());
    }
    ReadRows all;
    for (size_t at = 0; at < tuples.size(); at += kLookupChunk) {
      std::vector<std::vector<std::string>> chunk(tuples.begin() + at,
                                                  tuples.begin() + std::min(tuples.size(), at + kLookupChunk));
      Result<ReadRows> r = ReadWhere(source_, table, KeyIn(columns, chunk));
      if (!r.ok()) return r.status();
      if (all.names.empty()) { all.names = r->names; all.types = r->types; }
      for (Row& row : r->rows) all.rows.push_back(std::move(row));
    }
    return all;
  }

  Status FollowReferencesTo(const std::string& parent, const ReadRows& rows) {
    std::set<std::string> done;
    for (const source::Reference& ref : source::ReferencesTo(parent, graph_.tables, graph_.declared)) {
      std::string via = ref.child + "." + Join(ref.key.columns) + " -> " + parent;
      if (!done.insert(via).second) continue;  // the schema and the policy both declare it
      // A row pointing at a row of its own table (a manager, a referrer) is
      // another person's record, never theirs.
      if (ref.child == parent) continue;
      if (!Belongs(ref.child, ref.key)) continue;
      const source::Table* child = graph_.Find(ref.child);
      if (child == nullptr) continue;
      std::vector<std::vector<std::string>> tuples = Tuples(rows, ref.key.referenced_columns);
      if (tuples.empty()) continue;
      Advise(ref.child, ref.key.columns, "the DSAR walk looks up " + ref.child + " rows by their reference to " + parent);
      Result<ReadRows> found = Lookup(ref.child, ref.key.columns, std::move(tuples));
      if (!found.ok()) return found.status();
      if (found->rows.empty()) continue;
      Result<std::vector<Row>> fresh = Keep(*child, RowRole::kBelongs, via, *found);
      if (!fresh.ok()) return fresh.status();
      if (!fresh->empty()) queue_.push_back({ref.child, ReadRows{found->names, found->types, std::move(*fresh)}});
    }
    return Status::Ok();
  }

  static std::string Join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  }

  Status AddContext() {
    size_t subject_sets = data_.datasets.size();
    // Index-based: AddContext appends to data_.datasets.
    for (size_t d = 0; d < subject_sets; ++d) {
      const std::string table_name = data_.datasets[d].table;
      const source::Table* table = graph_.Find(table_name);
      for (const source::ForeignKey& fk : graph_.ReferencesFrom(*table)) {
        const source::Table* parent = graph_.Find(fk.referenced_table);
        if (parent == nullptr) continue;
        ReadRows rows{data_.datasets[d].columns, data_.datasets[d].types, data_.datasets[d].rows};
        std::vector<std::vector<std::string>> tuples = Tuples(rows, fk.columns);
        if (tuples.empty()) continue;
        Result<ReadRows> found = Lookup(parent->name, fk.referenced_columns, std::move(tuples));
        if (!found.ok()) return found.status();
        // Rows that are the subject's own are already in the package in full.
        std::set<std::string>& subject_seen = seen_[parent->name];
        std::set<std::string>& context_seen = context_seen_[parent->name];
        ReadRows shown;
        std::vector<int> keep_idx;
        std::vector<DatasetRows::Withheld> withheld;
        const policy::Dataset* ds = policy_.FindDataset(parent->name);
        // A row of another person's dataset (the recruiter, a client's
        // contact) is not shown at all: even its "none" columns (a hold
        // flag, an id) say something about them.
        if (ds == nullptr || !ds->data_subject.empty()) continue;
        for (size_t i = 0; i < found->names.size(); ++i) {
          const policy::ColumnMapping* m = ds ? ds->FindColumn(found->names[i]) : nullptr;
          if (m != nullptr && m->category.empty()) {
            keep_idx.push_back(static_cast<int>(i));
            shown.names.push_back(found->names[i]);
            shown.types.push_back(found->types[i]);
          } else {
            withheld.push_back({found->names[i], ds == nullptr ? "the policy has no dataset for " + parent->name
                                                 : m == nullptr ? "not declared in the policy"
                                                                : "personal data (" + m->category + ") of whoever the row is about"});
          }
        }
        if (keep_idx.empty()) continue;
        for (const Row& row : found->rows) {
          std::string key = RowKey(*parent, found->names, row);
          if (subject_seen.count(key) || !context_seen.insert(key).second) continue;
          Row r;
          for (int i : keep_idx) r.push_back(row[i]);
          shown.rows.push_back(std::move(r));
        }
        if (shown.rows.empty()) continue;
        std::string via = table_name + "." + Join(fk.columns) + " -> " + parent->name;
        DatasetRows* target = nullptr;
        for (DatasetRows& x : data_.datasets)
          if (x.table == parent->name && x.role == RowRole::kContext) target = &x;
        if (target == nullptr) {
          DatasetRows c;
          c.table = parent->name;
          c.role = RowRole::kContext;
          c.via = via;
          c.columns = shown.names;
          c.types = shown.types;
          for (const std::string& k : parent->primary_key)
            if (IndexOf(shown.names, k) >= 0) c.key_columns.push_back(k);
          c.withheld = std::move(withheld);
          if (ds != nullptr) c.data_subject = ds->data_subject;
          data_.datasets.push_back(std::move(c));
          target = &data_.datasets.back();
        }
        for (Row& r : shown.rows) target->rows.push_back(std::move(r));
      }
    }
    return Status::Ok();
  }

  const policy::Policy& policy_;
  source::Source& source_;
  FindOptions options_;
  plan::SchemaGraph graph_;
  SubjectData data_;
  std::vector<std::pair<std::string, ReadRows>> queue_;
  std::map<std::string, std::set<std::string>> seen_;          // subject and belongs rows per table
  std::map<std::string, std::set<std::string>> context_seen_;  // context rows per table
  int64_t total_ = 0;
};

// A short cell of the subject's own record is an identifier or a name part
// of theirs; long text (a CV) is not, and its words must not make other
// people's names "own".
bool IsShortValue(const std::string& v) {
  if (v.size() > 64) return false;
  int words = 1;
  for (char c : v)
    if (c == ' ') ++words;
  return words <= 5;
}

}  // namespace

Result<SubjectData> FindSubject(const policy::Policy& policy, source::Source& source,
                                const std::vector<SubjectSelector>& selectors, const FindOptions& options) {
  Finder finder(policy, source, options);
  return finder.Run(selectors);
}

namespace {

bool IsFreeTextColumn(const policy::Policy& policy, const std::string& table, const std::string& column) {
  for (const detect::NameEvidence& e : detect::KindsFromColumnName(column))
    if (e.kind == detect::Kind::kFreeText) return true;
  if (const policy::Dataset* ds = policy.FindDataset(table))
    if (const policy::ColumnMapping* m = ds->FindColumn(column))
      if (const policy::Category* c = policy.FindCategory(m->category))
        for (const std::string& d : c->detectors)
          if (d == "free_text") return true;
  return false;
}

bool IsProse(const std::string& v) {
  int words = 0;
  bool in_word = false;
  for (char c : v) {
    bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words > 6;
}

}  // namespace

void RedactOtherPeople(const policy::Policy& policy, SubjectData* data) {
  OwnIdentity own;
  for (const DatasetRows& d : data->datasets) {
    if (d.role != RowRole::kSubject) continue;
    for (const Row& row : d.rows)
      for (const Cell& c : row)
        if (c && IsShortValue(*c)) own.Add(*c);
  }
  for (DatasetRows& d : data->datasets) {
    if (d.role == RowRole::kContext) continue;
    std::vector<bool> free_text;
    for (const std::string& c : d.columns) free_text.push_back(IsFreeTextColumn(policy, d.table, c));
    for (Row& row : d.rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (!row[i] || (i < d.types.size() && d.types[i] != source::TypeClass::kText &&
                        d.types[i] != source::TypeClass::kUnknown))
          continue;
        if (!free_text[i] && !IsProse(*row[i])) continue;
        std::string text = *row[i];
        int64_t n = RedactThirdParties(&text, own);
        if (n == 0) continue;
        // A cell that is one value as a whole (an IBAN column, a name column
        // of the subject's own rows) is the record's own field, not text
        // that mentions someone.
        std::string trimmed = text;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
        size_t start = 0;
        while (start < trimmed.size() && std::isspace(static_cast<unsigned char>(trimmed[start]))) ++start;
        if (n == 1 && trimmed.substr(start) == kRedacted && !free_text[i]) continue;
        row[i] = std::move(text);
        d.redacted_spans += n;
      }
    }
  }
}

}  // namespace dpo::dsar
