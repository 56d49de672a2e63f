#include "scan/consent_check.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>

namespace dpo::scan {
namespace {

using source::Predicate;
using source::TypeClass;

// A reference followed from a row of `from_table` to the row of `to_table` it names.
struct Hop {
  std::string from_table, from_column, to_table, to_column;
};

// Only text columns can hold "" (a date column compares literals as dates).
bool TextLike(const source::Column* c) {
  return c != nullptr && (c->type == TypeClass::kText || c->type == TypeClass::kUnknown);
}

// The column has a value: not NULL, and not empty where it is text (a CSV
// export writes an empty cell for "no value").
Predicate HasValue(const source::Table& table, const std::string& column) {
  Predicate p = Predicate::Null(column, false);
  if (!TextLike(table.FindColumn(column))) return p;
  return Predicate::All({p, Predicate::Compare(Predicate::Op::kNe, column, "")});
}

Predicate NoValue(const source::Table& table, const std::string& column) {
  Predicate p = Predicate::Null(column, true);
  if (!TextLike(table.FindColumn(column))) return p;
  return Predicate::Any({p, Predicate::Compare(Predicate::Op::kEq, column, "")});
}

// outer.to_column IN (SELECT from_column FROM from_table WHERE from_column
// IS NOT NULL AND where): the guard keeps NULLs out of the list, so that
// NOT (... IN ...) is true, not unknown, for a key that is not in it.
Predicate SemiJoin(const std::string& key, const std::string& sub_table, const std::string& sub_column,
                   Predicate where) {
  return Predicate::InSelect({key}, sub_table, {sub_column},
                             Predicate::All({Predicate::Null(sub_column, false), std::move(where)}));
}

// Rows of the last hop's to_table linked to rows of the first hop's
// from_table that match `where`.
Predicate AlongPath(const std::vector<Hop>& path, Predicate where) {
  for (const Hop& hop : path) where = SemiJoin(hop.to_column, hop.from_table, hop.from_column, std::move(where));
  return where;
}

// Rows of path[0].from_table whose reference chain reaches a row of the last table.
Predicate Linked(const std::vector<Hop>& path) {
  Predicate p = Predicate::Null(path.back().to_column, false);
  for (size_t i = path.size(); i-- > 0;)
    p = SemiJoin(path[i].from_column, path[i].to_table, path[i].to_column, std::move(p));
  return p;
}

std::string PathText(const std::vector<Hop>& path) {
  std::string out;
  for (const Hop& h : path)
    out += (out.empty() ? "" : ", ") + h.from_table + "." + h.from_column + " -> " + h.to_table + "." + h.to_column;
  return out;
}

// Single-column references out of `table`, schema and policy ones.
std::vector<source::ForeignKey> SingleColumnReferences(const plan::SchemaGraph& schema, const source::Table& table) {
  std::vector<source::ForeignKey> out;
  for (source::ForeignKey& k : schema.ReferencesFrom(table))
    if (k.columns.size() == 1 && k.referenced_columns.size() == 1) out.push_back(std::move(k));
  return out;
}

// The shortest chain of references from `table`.`key` to a row of `target`:
// the first hop uses `key` (the subject's reference), later hops any
// reference of the row reached. Empty when `table` is `target`; nullopt when
// there is none within four hops.
std::optional<std::vector<Hop>> FindPath(const plan::SchemaGraph& schema, const std::string& table,
                                         const std::string& key, const std::string& target) {
  if (table == target) return std::vector<Hop>{};
  const source::Table* start = schema.Find(table);
  if (start == nullptr) return std::nullopt;
  std::deque<std::vector<Hop>> queue;
  std::set<std::string> seen = {table};
  for (const source::ForeignKey& k : SingleColumnReferences(schema, *start))
    if (k.columns[0] == key) queue.push_back({{table, key, k.referenced_table, k.referenced_columns[0]}});
  while (!queue.empty()) {
    std::vector<Hop> path = std::move(queue.front());
    queue.pop_front();
    const std::string& at = path.back().to_table;
    if (at == target) return path;
    if (!seen.insert(at).second || path.size() >= 4) continue;
    const source::Table* t = schema.Find(at);
    if (t == nullptr) continue;
    for (const source::ForeignKey& k : SingleColumnReferences(schema, *t)) {
      std::vector<Hop> next = path;
      next.push_back({at, k.columns[0], k.referenced_table, k.referenced_columns[0]});
      queue.push_back(std::move(next));
    }
  }
  return std::nullopt;
}

// Categories a dataset holds for purposes that do not rest on consent.
std::set<std::string> CategoriesOnOtherGrounds(const policy::Policy& policy, const policy::Dataset& dataset) {
  std::set<std::string> out;
  for (const std::string& pid : dataset.purposes) {
    const policy::Purpose* p = policy.FindPurpose(pid);
    if (p == nullptr || p->RestsOnConsent()) continue;
    out.insert(p->categories.begin(), p->categories.end());
  }
  return out;
}

class Checker {
 public:
  Checker(source::Source& source, const policy::Policy& policy, const plan::SchemaGraph& schema,
          const ConsentCheckOptions& options)
      : source_(source), policy_(policy), schema_(schema), options_(options) {}

  Result<ConsentCheck> Check(const policy::Purpose& purpose) {
    const policy::ConsentRecords& records = *purpose.consent;
    ConsentCheck out;
    out.purpose = purpose.id;
    out.records_dataset = records.dataset;
    const source::Table* r = schema_.Find(records.dataset);
    const policy::Dataset* rd = policy_.FindDataset(records.dataset);
    if (r == nullptr) {
      out.problem = "the consent records table " + records.dataset + " is not in " + source_.DisplayName();
      return out;
    }
    std::string key = records.subject_key.empty() && rd != nullptr ? rd->subject_key : records.subject_key;
    for (const std::string& c : {key, records.purpose_column, records.given_at, records.withdrawn_at}) {
      if (c.empty() || r->FindColumn(c) != nullptr) continue;
      out.problem = "the consent records table " + records.dataset + " has no column " + c;
      return out;
    }
    if (key.empty()) {
      out.problem = "the consent records do not say which column of " + records.dataset + " names the subject";
      return out;
    }

    // Where subjects are counted: the table the records' key references, or
    // the records table itself when the key is its own (a consent column on
    // the subject's row).
    std::vector<Hop> records_path;
    out.subject_table = records.dataset;
    out.subject_column = key;
    for (const source::ForeignKey& k : SingleColumnReferences(schema_, *r)) {
      if (k.columns[0] != key) continue;
      records_path.push_back({records.dataset, key, k.referenced_table, k.referenced_columns[0]});
      out.subject_table = k.referenced_table;
      out.subject_column = k.referenced_columns[0];
      break;
    }
    const source::Table* subjects = schema_.Find(out.subject_table);
    if (subjects == nullptr || subjects->FindColumn(out.subject_column) == nullptr) {
      out.problem = "the consent records reference " + out.subject_table + "." + out.subject_column +
                    ", which is not in " + source_.DisplayName();
      return out;
    }
    out.keys_shown = KeysShown(*subjects, out.subject_column);

    // The records, as predicates on the subject table.
    std::vector<Predicate> record_tests;
    if (!records.purpose_column.empty()) {
      record_tests.push_back(Predicate::Null(records.purpose_column, false));
      record_tests.push_back(Predicate::Compare(Predicate::Op::kEq, records.purpose_column, records.purpose_value));
    }
    record_tests.push_back(HasValue(*r, records.given_at));
    Predicate record = Predicate::All(record_tests);
    Predicate has_record = AlongPath(records_path, record);
    std::optional<Predicate> standing_record;
    std::optional<Predicate> withdrawn_record;
    if (!records.withdrawn_at.empty()) {
      standing_record = AlongPath(records_path, Predicate::All({record, NoValue(*r, records.withdrawn_at)}));
      withdrawn_record = AlongPath(records_path, Predicate::All({record, HasValue(*r, records.withdrawn_at)}));
    }

    // Where data is held for the purpose, linked to the subject table.
    std::vector<Predicate> held_by;
    for (const policy::Dataset& d : policy_.datasets) {
      if (std::find(d.purposes.begin(), d.purposes.end(), purpose.id) == d.purposes.end()) continue;
      const source::Table* t = schema_.Find(d.table);
      if (t == nullptr) continue;  // the scan reports declared tables that are missing
      std::set<std::string> elsewhere = CategoriesOnOtherGrounds(policy_, d);
      ConsentHeldIn in;
      in.dataset = d.table;
      std::vector<Predicate> values;
      for (const policy::ColumnMapping& m : d.columns) {
        if (m.category.empty() || elsewhere.count(m.category) ||
            std::find(purpose.categories.begin(), purpose.categories.end(), m.category) == purpose.categories.end() ||
            t->FindColumn(m.column) == nullptr)
          continue;
        in.columns.push_back(m.column);
        values.push_back(HasValue(*t, m.column));
      }
      if (values.empty()) continue;  // everything it holds for the purpose it also holds on another ground
      Predicate holds = Predicate::Any(values);
      if (d.subject_key.empty() || t->FindColumn(d.subject_key) == nullptr) {
        in.problem = "dataset " + d.table + " has no subject_key column to link its rows to a subject";
        out.held_in.push_back(std::move(in));
        continue;
      }
      std::optional<std::vector<Hop>> path = FindPath(schema_, d.table, d.subject_key, out.subject_table);
      if (!path) {
        in.problem = "no reference leads from " + d.table + "." + d.subject_key + " to " + out.subject_table +
                     " (declare the relation under datasets." + d.table + ".relations)";
        out.held_in.push_back(std::move(in));
        continue;
      }
      in.path = PathText(*path);
      if (!path->empty()) {
        Result<int64_t> unlinked = source_.Count(
            d.table, Predicate::All({holds, Predicate::Any({Predicate::Null(d.subject_key), Predicate::Negate(Linked(*path))})}));
        if (!unlinked.ok()) return unlinked.status();
        in.unlinked_rows = *unlinked;
      }
      held_by.push_back(AlongPath(*path, holds));
      out.held_in.push_back(std::move(in));
    }
    if (held_by.empty()) return out;

    Predicate held = Predicate::All({Predicate::Null(out.subject_column, false), Predicate::Any(held_by)});
    Result<int64_t> n = source_.Count(out.subject_table, held);
    if (!n.ok()) return n.status();
    out.held = *n;
    Predicate without = Predicate::All({held, Predicate::Negate(has_record)});
    DPO_RETURN_IF_ERROR(CountAndExamples(out, without, &out.without_record, &out.without_record_keys));
    if (standing_record) {
      Predicate withdrawn = Predicate::All({held, Predicate::Negate(*standing_record), *withdrawn_record});
      DPO_RETURN_IF_ERROR(CountAndExamples(out, withdrawn, &out.withdrawn, &out.withdrawn_keys));
    }
    return out;
  }

 private:
  // Example keys are printed only when the policy says the key is not
  // personal data on its own (an internal number), never an e-mail address.
  bool KeysShown(const source::Table& table, const std::string& column) const {
    const policy::Dataset* d = policy_.FindDataset(table.name);
    const policy::ColumnMapping* m = d != nullptr ? d->FindColumn(column) : nullptr;
    if (m != nullptr) return m->category.empty();
    const source::Column* c = table.FindColumn(column);
    return c != nullptr && c->type == TypeClass::kInteger;
  }

  Status CountAndExamples(const ConsentCheck& check, const Predicate& where, int64_t* count,
                          std::vector<std::string>* keys) {
    Result<int64_t> n = source_.Count(check.subject_table, where);
    if (!n.ok()) return n.status();
    *count = *n;
    if (*n == 0 || !check.keys_shown || options_.max_examples == 0) return Status::Ok();
    source::ReadRequest request;
    request.columns = {check.subject_column};
    request.mode = source::SampleMode::kFirst;
    request.limit = static_cast<int64_t>(options_.max_examples);
    request.where = where;
    Result<std::unique_ptr<source::RowReader>> reader = source_.Read(check.subject_table, request);
    if (!reader.ok()) return reader.status();
    source::RowBatch batch;
    while (keys->size() < options_.max_examples) {
      Result<bool> more = (*reader)->Next(&batch);
      if (!more.ok()) return more.status();
      for (size_t i = 0; i < batch.num_rows() && keys->size() < options_.max_examples; ++i)
        keys->push_back(std::string(batch.Cell(i, 0)));
      if (!*more) break;
    }
    return Status::Ok();
  }

  source::Source& source_;
  const policy::Policy& policy_;
  const plan::SchemaGraph& schema_;
  const ConsentCheckOptions& options_;
};

}  // namespace

Result<std::vector<ConsentCheck>> CheckConsents(source::Source& source, const policy::Policy& policy,
                                               const plan::SchemaGraph& schema,
                                               const ConsentCheckOptions& options) {
  std::vector<ConsentCheck> out;
  Checker checker(source, policy, schema, options);
  for (const policy::Purpose& p : policy.purposes) {
    if (!p.consent || !p.RestsOnConsent() || p.consent->dataset.empty() || p.consent->given_at.empty()) continue;
    Result<ConsentCheck> c = checker.Check(p);
    if (!c.ok()) return c.status();
    out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace dpo::scan
