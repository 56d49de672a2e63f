#include "dsar/erasure_plan.h"
#include "util/duration.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "dsar/key_predicate.h"
#include "plan/cascade.h"
#include "plan/index_advice.h"
#include "plan/retention_predicate.h"
#include "relations/policy_relations.h"
#include "source/write_guard.h"

namespace dpo::dsar {
namespace {

using source::Predicate;
using source::WriteOp;
using Row = std::vector<Cell>;

constexpr size_t kKeyChunk = 500;       // keys per IN list
constexpr size_t kWholeRowChunk = 100;  // rows per OR of whole-row matches

bool OutlivesParent(const source::ForeignKey& key) {
  return key.on_delete == source::ForeignKey::OnDelete::kSetNull ||
         key.on_delete == source::ForeignKey::OnDelete::kSetDefault;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

// The subject's rows of one table and what becomes of each.
struct TableRows {
  const source::Table* table = nullptr;
  std::vector<std::string> names;
  std::vector<Row> rows;
  std::vector<std::string> kept;           // per row: why it is kept; "" = erased
  std::vector<const policy::RetentionRule*> anonymise;  // per row: on_erasure anonymise rule, if kept by one

  bool ByKey() const { return !table->primary_key.empty(); }
  // The columns that identify a row in predicates: the primary key, or all.
  std::vector<std::string> IdentityColumns() const { return ByKey() ? table->primary_key : names; }
  std::string Identity(const Row& row) const {
    std::string key;
    for (const std::string& c : IdentityColumns()) {
      int i = IndexOf(names, c);
      key += (i < 0 || !row[i]) ? std::string("\x01") : "v" + *row[i];
      key += '\x1f';
    }
    return key;
  }
};

// Rows equal to one of `rows` (by primary key, or every column).
std::vector<Predicate> WholeRowSelectors(const TableRows& t, const std::vector<size_t>& which);

std::vector<Predicate> Selectors(const TableRows& t, const std::vector<size_t>& which_in) {
  std::vector<Predicate> out;
  if (which_in.empty()) return out;
  if (t.ByKey()) {
    // A NULL in a key column (SQLite allows it outside INTEGER PRIMARY KEY)
    // matches nothing by key: such rows are matched on every column.
    std::vector<size_t> which, null_key;
    for (size_t i : which_in) {
      bool has_null = false;
      for (const std::string& c : t.table->primary_key) {
        int at = IndexOf(t.names, c);
        has_null |= at < 0 || !t.rows[i][at];
      }
      (has_null ? null_key : which).push_back(i);
    }
    out = WholeRowSelectors(t, null_key);
    const std::vector<std::string>& pk = t.table->primary_key;
    for (size_t at = 0; at < which.size(); at += kKeyChunk) {
      std::vector<Predicate> any;
      std::vector<std::string> single;
      for (size_t j = at; j < std::min(which.size(), at + kKeyChunk); ++j) {
        const Row& row = t.rows[which[j]];
        if (pk.size() == 1) {
          single.push_back(row[IndexOf(t.names, pk[0])].value_or(""));
        } else {
          std::vector<Predicate> all;
          for (const std::string& c : pk)
            all.push_back(Predicate::Compare(Predicate::Op::kEq, c, row[IndexOf(t.names, c)].value_or("")));
          any.push_back(Predicate::All(std::move(all)));
        }
      }
      if (pk.size() == 1) {
        Predicate in;
        in.op = Predicate::Op::kIn;
        in.column = pk[0];
        in.values = std::move(single);
        out.push_back(std::move(in));
      } else {
        out.push_back(Predicate::Any(std::move(any)));
      }
    }
    return out;
  }
  return WholeRowSelectors(t, which_in);
}

std::vector<Predicate> WholeRowSelectors(const TableRows& t, const std::vector<size_t>& which) {
  std::vector<Predicate> out;
  for (size_t at = 0; at < which.size(); at += kWholeRowChunk) {
    std::vector<Predicate> any;
    for (size_t j = at; j < std::min(which.size(), at + kWholeRowChunk); ++j) {
      const Row& row = t.rows[which[j]];
      std::vector<Predicate> all;
      for (size_t c = 0; c < t.names.size(); ++c)
        all.push_back(row[c] ? Predicate::Compare(Predicate::Op::kEq, t.names[c], *row[c]) : Predicate::Null(t.names[c]));
      any.push_back(Predicate::All(std::move(all)));
    }
    out.push_back(Predicate::Any(std::move(any)));
  }
  return out;
}

Predicate AnyOf(std::vector<Predicate> v) { return v.size() == 1 ? std::move(v[0]) : Predicate::Any(std::move(v)); }

class Planner {
 public:
  Planner(const policy::Policy& policy, source::Source& source, const ErasureOptions& options)
      : policy_(policy), source_(source), options_(options) {}

  Result<plan::RetentionPlan> Run(const SubjectData& data) {
    Result<plan::SchemaGraph> graph = plan::LoadSchemaGraph(source_, relations::PolicyRelations(policy_));
    if (!graph.ok()) return graph.status();
    graph_ = std::move(*graph);
    plan_.kind = "erasure";
    plan_.subject_keys = data.selector_keys;
    plan_.tool_version = options_.tool_version;
    plan_.created_at = util::NowUtc();
    plan_.as_of = options_.as_of.ToIso();
    plan_.policy_file = policy_.file;
    plan_.policy_sha256 = options_.policy_sha256;
    plan_.source = source_.DisplayName();
    plan_.source_kind = source::SourceKindName(source_.kind());
    for (const LookupAdvice& a : data.advice) plan_.index_advice.push_back({a.table, a.columns, a.reason, a.sql});

    // The subject's rows per table (subject and belongs are one set here).
    for (const DatasetRows& d : data.datasets) {
      if (d.role == RowRole::kContext) continue;
      const source::Table* t = graph_.Find(d.table);
      if (t == nullptr) return Status::Error("table " + d.table + " disappeared since the lookup", StatusCode::kConflict);
      TableRows& tr = tables_[d.table];
      if (tr.table == nullptr) {
        tr.table = t;
        tr.names = d.columns;
        order_.push_back(d.table);
      }
      if (tr.names != d.columns)
        return Status::Error("rows of " + d.table + " were read with different columns", StatusCode::kInternal);
      for (const Row& r : d.rows) {
        tr.rows.push_back(r);
        tr.kept.emplace_back();
        tr.anonymise.push_back(nullptr);
      }
    }
    for (const std::string& name : order_) {
      Status s = MarkKeptByPolicy(tables_[name]);
      if (!s.ok()) return s;
    }
    // Kept rows keep what they point at; rows of other people keep what
    // they point at where the schema would not let it go. Until nothing changes.
    for (bool changed = true; changed;) {
      changed = false;
      for (const std::string& name : order_) changed |= KeepParentsOfKept(name);
      for (const std::string& name : order_) {
        Result<bool> c = KeepRowsOthersNeed(name);
        if (!c.ok()) return c.status();
        changed |= *c;
      }
    }
    Status s = MakeSteps();
    if (!s.ok()) return s;
    // What each table loses, as the steps count it (identical rows of a
    // table without a key are one record of the lookup and several rows).
    // Fewer than the rows meant means a match on values that does not find
    // its rows again (a REAL printed with fewer digits, a BLOB): refused,
    // never an erasure that silently leaves the person's rows.
    for (plan::RulePlan& r : plan_.rules) {
      int64_t meant = static_cast<int64_t>(Erased(tables_[r.table]).size());
      r.to_act = 0;
      for (const plan::PlanStep& step : plan_.steps)
        if (step.table == r.table && step.action == "delete") r.to_act += step.rows;
      if (r.to_act < meant)
        return Status::Error("table " + r.table + ": " + std::to_string(meant - r.to_act) + " of the subject's " +
                             std::to_string(meant) + " rows cannot be selected again by their values (a table without "
                             "a primary key, with REAL or BLOB columns); add a primary key to " + r.table +
                             ", then plan again");
    }
    for (plan::PlanStep& step : plan_.steps) {
      Status d = plan::DescribePlanStep(policy_, source_, graph_, 0, &step);
      if (!d.ok()) return d;
    }
    plan_.skipped = source_.Skipped();
    return std::move(plan_);
  }

 private:
  // Keys of the rows of `t` (among the subject's) that match `where`.
  Result<std::set<std::string>> Matching(const TableRows& t, const Predicate& where) {
    std::set<std::string> keys;
    std::vector<size_t> all(t.rows.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    std::vector<std::string> columns = t.IdentityColumns();
    for (Predicate& sel : Selectors(t, all)) {
      source::ReadRequest request;
      request.columns = columns;
      request.where = Predicate::All({std::move(sel), where});
      Result<std::unique_ptr<source::RowReader>> reader = source_.Read(t.table->name, request);
      if (!reader.ok()) return reader.status();
      source::RowBatch batch;
      while (true) {
        Result<bool> more = (*reader)->Next(&batch);
        if (!more.ok()) return more.status();
        if (!*more) break;
        for (size_t r = 0; r < batch.num_rows(); ++r) {
          std::string key;
          for (size_t c = 0; c < batch.num_columns(); ++c) {
            key += batch.IsNull(r, c) ? std::string("\x01") : "v" + std::string(batch.Cell(r, c));
            key += '\x1f';
          }
          keys.insert(std::move(key));
        }
      }
    }
    return keys;
  }

  // The values of `columns` in `row`; empty when one is NULL (a NULL
  // reference points nowhere).
  static std::vector<std::string> Values(const std::vector<std::string>& names, const Row& row,
                                         const std::vector<std::string>& columns) {
    std::vector<std::string> v;
    for (const std::string& c : columns) {
      int at = IndexOf(names, c);
      if (at < 0 || !row[at]) return {};
      v.push_back(*row[at]);
    }
    return v;
  }

  // Among the rows of `table` whose `columns` equal one of `tuples`, the
  // `columns` values of those under a legal hold: their own, or one reaching
  // them from a row they belong to (references other than SET NULL, as far up
  // as they go; `path` stops cycles). The same rule as plan::LegalHoldRows,
  // evaluated by key.
  Result<std::set<std::vector<std::string>>> HeldAmong(const std::string& table, const std::vector<std::string>& columns,
                                                       const std::vector<std::vector<std::string>>& tuples,
                                                       std::set<std::string> path) {
    std::set<std::vector<std::string>> held;
    const source::Table* t = graph_.Find(table);
    if (t == nullptr || tuples.empty()) return held;
    path.insert(table);
    Result<std::optional<Predicate>> own = plan::OwnLegalHoldRows(policy_, *t, options_.as_of);
    if (!own.ok()) return own.status();
    std::vector<source::ForeignKey> up;
    for (const source::ForeignKey& fk : graph_.ReferencesFrom(*t))
      if (!OutlivesParent(fk) && !path.count(fk.referenced_table) && graph_.Find(fk.referenced_table) != nullptr)
        up.push_back(fk);
    if (!*own && up.empty()) return held;
    std::vector<std::string> wanted = columns;
    for (const source::ForeignKey& fk : up)
      for (const std::string& c : fk.columns)
        if (std::find(wanted.begin(), wanted.end(), c) == wanted.end()) wanted.push_back(c);
    // The rows, with whether each holds itself.
    std::vector<std::pair<Row, bool>> rows;
    for (size_t at = 0; at < tuples.size(); at += kKeyChunk) {
      std::vector<std::vector<std::string>> chunk(tuples.begin() + at,
                                                  tuples.begin() + std::min(tuples.size(), at + kKeyChunk));
      Predicate by_key = KeyIn(columns, chunk);
      for (int pass = 0; pass < (*own ? 2 : 1); ++pass) {
        source::ReadRequest request;
        request.columns = wanted;
        request.where = pass == 0 ? by_key : Predicate::All({by_key, **own});
        Result<std::unique_ptr<source::RowReader>> reader = source_.Read(table, request);
        if (!reader.ok()) return reader.status();
        source::RowBatch batch;
        while (true) {
          Result<bool> more = (*reader)->Next(&batch);
          if (!more.ok()) return more.status();
          if (!*more) break;
          for (size_t r = 0; r < batch.num_rows(); ++r) {
            Row row;
            for (size_t c = 0; c < batch.num_columns(); ++c)
              row.push_back(batch.IsNull(r, c) ? Cell() : Cell(std::string(batch.Cell(r, c))));
            if (pass == 0) rows.emplace_back(std::move(row), false);
            else held.insert(Values(wanted, row, columns));
          }
        }
      }
    }
    for (const source::ForeignKey& fk : up) {
      std::vector<std::vector<std::string>> parents;
      std::set<std::vector<std::string>> seen;
      for (const auto& [row, _] : rows) {
        std::vector<std::string> v = Values(wanted, row, fk.columns);
        if (!v.empty() && seen.insert(v).second) parents.push_back(std::move(v));
      }
      Result<std::set<std::vector<std::string>>> parent_held = HeldAmong(fk.referenced_table, fk.referenced_columns, parents, path);
      if (!parent_held.ok()) return parent_held.status();
      for (const auto& [row, _] : rows) {
        std::vector<std::string> v = Values(wanted, row, fk.columns);
        if (!v.empty() && parent_held->count(v)) held.insert(Values(wanted, row, columns));
      }
    }
    return held;
  }

  void Advise(const std::string& table, const std::vector<std::string>& columns, const std::string& reason) {
    std::optional<plan::IndexAdvice> a = plan::AdviseIndex(graph_, source_.kind(), table, columns, reason);
    if (!a) return;
    for (const plan::IndexAdvice& have : plan_.index_advice)
      if (have.table == a->table && have.columns.front() == a->columns.front()) return;
    plan_.index_advice.push_back(std::move(*a));
  }

  void MarkKept(TableRows& t, const std::set<std::string>& keys, const std::string& reason,
                const policy::RetentionRule* anonymise = nullptr) {
    for (size_t i = 0; i < t.rows.size(); ++i) {
      if (!t.kept[i].empty() || !keys.count(t.Identity(t.rows[i]))) continue;
      t.kept[i] = reason;
      t.anonymise[i] = anonymise;
    }
  }

  Status MarkKeptByPolicy(TableRows& t) {
    const std::string& table = t.table->name;
    for (const policy::RetentionRule* rule : policy_.RulesForDataset(table)) {
      for (const policy::LegalHold& hold : rule->legal_holds) {
        if (hold.when.empty()) continue;
        std::vector<Predicate> when;
        for (const policy::Condition& c : hold.when) when.push_back(plan::ConditionPredicate(c, options_.as_of, *t.table));
        Result<std::set<std::string>> keys = Matching(t, Predicate::All(std::move(when)));
        if (!keys.ok()) return keys.status();
        MarkKept(t, *keys, "legal hold " + hold.name + (hold.reason.empty() ? "" : ": " + hold.reason));
      }
    }
    // Holds that reach these rows from a row they belong to: looked up by
    // key, parent by parent (a semi-join over the whole parent table would
    // read it all for one subject).
    for (const source::ForeignKey& fk : graph_.ReferencesFrom(*t.table)) {
      if (OutlivesParent(fk) || graph_.Find(fk.referenced_table) == nullptr) continue;
      std::vector<std::vector<std::string>> tuples;
      std::set<std::vector<std::string>> seen;
      for (const Row& row : t.rows) {
        std::vector<std::string> v = Values(t.names, row, fk.columns);
        if (!v.empty() && seen.insert(v).second) tuples.push_back(std::move(v));
      }
      Result<std::set<std::vector<std::string>>> held =
          HeldAmong(fk.referenced_table, fk.referenced_columns, tuples, {table});
      if (!held.ok()) return held.status();
      if (held->empty()) continue;
      for (size_t i = 0; i < t.rows.size(); ++i) {
        if (!t.kept[i].empty()) continue;
        std::vector<std::string> v = Values(t.names, t.rows[i], fk.columns);
        if (!v.empty() && held->count(v)) t.kept[i] = "belongs to a row of " + fk.referenced_table + " under a legal hold";
      }
    }
    for (const policy::RetentionRule* rule : policy_.RulesForDataset(table)) {
      if (rule->todo || rule->on_erasure == policy::ErasureHandling::kErase) continue;
      Result<plan::RuleRows> rows = plan::RetentionRows(policy_, *rule, graph_, options_.as_of);
      if (!rows.ok())
        return rows.status().WithContext("retention rule " + rule->id + " (on_erasure) cannot be evaluated");
      Result<std::set<std::string>> keys = Matching(t, rows->within);
      if (!keys.ok()) return keys.status();
      std::string reason = "retention " + rule->id + ": kept " + rule->keep.ToString() + " after " + rule->AfterText() +
                           (rule->basis.empty() ? "" : " (" + rule->basis + ")");
      MarkKept(t, *keys, reason, rule->on_erasure == policy::ErasureHandling::kAnonymise ? rule : nullptr);
    }
    return Status::Ok();
  }

  std::vector<source::Reference> ReferencesTo(const std::string& table) const {
    std::vector<source::Reference> out;
    for (const source::Reference& r : source::ReferencesTo(table, graph_.tables, graph_.declared)) {
      bool have = false;
      for (const source::Reference& o : out)
        if (o.child == r.child && o.key.columns == r.key.columns) have = true;
      if (!have) out.push_back(r);
    }
    return out;
  }

  // Marks rows of parents that kept rows of `child` point at. True if any changed.
  bool KeepParentsOfKept(const std::string& child_name) {
    TableRows& child = tables_[child_name];
    bool changed = false;
    for (const source::ForeignKey& fk : graph_.ReferencesFrom(*child.table)) {
      if (OutlivesParent(fk) || !tables_.count(fk.referenced_table)) continue;
      TableRows& parent = tables_[fk.referenced_table];
      std::set<std::vector<std::string>> wanted;
      for (size_t i = 0; i < child.rows.size(); ++i) {
        if (child.kept[i].empty()) continue;
        std::vector<std::string> v;
        for (const std::string& c : fk.columns) {
          int at = IndexOf(child.names, c);
          if (at < 0 || !child.rows[i][at]) { v.clear(); break; }
          v.push_back(*child.rows[i][at]);
        }
        if (!v.empty()) wanted.insert(std::move(v));
      }
      for (size_t i = 0; i < parent.rows.size(); ++i) {
        if (!parent.kept[i].empty()) continue;
        std::vector<std::string> v;
        for (const std::string& c : fk.referenced_columns) {
          int at = IndexOf(parent.names, c);
          v.push_back(at < 0 || !parent.rows[i][at] ? std::string("\x01") : *parent.rows[i][at]);
        }
        if (wanted.count(v)) {
          parent.kept[i] = "rows of " + child_name + " that are kept point at it";
          changed = true;
        }
      }
    }
    return changed;
  }

  // Indexes of the rows of `t` that are erased (not kept).
  static std::vector<size_t> Erased(const TableRows& t) {
    std::vector<size_t> out;
    for (size_t i = 0; i < t.rows.size(); ++i)
      if (t.kept[i].empty()) out.push_back(i);
    return out;
  }

  // Values of `columns` of the erased rows of `t`, distinct, non-NULL.
  static std::vector<std::vector<std::string>> ErasedValues(const TableRows& t, const std::vector<std::string>& columns) {
    std::set<std::vector<std::string>> seen;
    std::vector<std::vector<std::string>> out;
    for (size_t i : Erased(t)) {
      std::vector<std::string> v;
      for (const std::string& c : columns) {
        int at = IndexOf(t.names, c);
        if (at < 0 || !t.rows[i][at]) { v.clear(); break; }
        v.push_back(*t.rows[i][at]);
      }
      if (!v.empty() && seen.insert(v).second) out.push_back(std::move(v));
    }
    return out;
  }

  // Rows of `ref.child` that point at erased rows of `parent` and are not
  // erased themselves, as predicates (chunked).
  std::vector<Predicate> OthersPointingAt(const TableRows& parent, const source::Reference& ref) {
    Advise(ref.child, ref.key.columns, "dpo erase looks up the " + ref.child + " rows that point at erased " +
                                           parent.table->name + " rows");
    std::vector<std::vector<std::string>> values = ErasedValues(parent, ref.key.referenced_columns);
    std::vector<Predicate> out;
    std::optional<Predicate> not_erased;
    auto it = tables_.find(ref.child);
    if (it != tables_.end()) {
      std::vector<Predicate> erased = Selectors(it->second, Erased(it->second));
      if (!erased.empty()) not_erased = Predicate::Negate(AnyOf(std::move(erased)));
    }
    for (size_t at = 0; at < values.size(); at += kKeyChunk) {
      std::vector<std::vector<std::string>> chunk(values.begin() + at,
                                                  values.begin() + std::min(values.size(), at + kKeyChunk));
      Predicate points;
      if (ref.key.columns.size() == 1) {
        points.op = Predicate::Op::kIn;
        points.column = ref.key.columns[0];
        for (auto& v : chunk) points.values.push_back(v[0]);
      } else {
        std::vector<Predicate> any;
        for (auto& v : chunk) {
          std::vector<Predicate> all;
          for (size_t c = 0; c < v.size(); ++c)
            all.push_back(Predicate::Compare(Predicate::Op::kEq, ref.key.columns[c], v[c]));
          any.push_back(Predicate::All(std::move(all)));
        }
        points = Predicate::Any(std::move(any));
      }
      out.push_back(not_erased ? Predicate::All({std::move(points), *not_erased}) : std::move(points));
    }
    return out;
  }

  // Parent rows that rows of other people point at, where the reference
  // would not let them go (or would take those rows along): kept.
  Result<bool> KeepRowsOthersNeed(const std::string& parent_name) {
    TableRows& parent = tables_[parent_name];
    bool changed = false;
    for (const source::Reference& ref : ReferencesTo(parent_name)) {
      if (OutlivesParent(ref.key)) continue;  // unlinked instead (MakeSteps)
      std::set<std::vector<std::string>> pointed;
      for (Predicate& where : OthersPointingAt(parent, ref)) {
        source::ReadRequest request;
        request.columns = ref.key.columns;
        request.where = std::move(where);
        Result<std::unique_ptr<source::RowReader>> reader = source_.Read(ref.child, request);
        if (!reader.ok()) return reader.status();
        source::RowBatch batch;
        while (true) {
          Result<bool> more = (*reader)->Next(&batch);
          if (!more.ok()) return more.status();
          if (!*more) break;
          for (size_t r = 0; r < batch.num_rows(); ++r) {
            std::vector<std::string> v;
            for (size_t c = 0; c < batch.num_columns(); ++c) v.emplace_back(batch.Cell(r, c));
            pointed.insert(std::move(v));
          }
        }
      }
      if (pointed.empty()) continue;
      for (size_t i = 0; i < parent.rows.size(); ++i) {
        if (!parent.kept[i].empty()) continue;
        std::vector<std::string> v;
        for (const std::string& c : ref.key.referenced_columns) {
          int at = IndexOf(parent.names, c);
          v.push_back(at < 0 || !parent.rows[i][at] ? std::string("\x01") : *parent.rows[i][at]);
        }
        if (pointed.count(v)) {
          parent.kept[i] = "rows of " + ref.child + " that are not this subject's point at it (" + ref.child + "." +
                           Join(ref.key.columns) + ")";
          changed = true;
        }
      }
    }
    return changed;
  }

  Status MakeSteps() {
    // Children before parents among the tables that lose rows.
    std::vector<std::string> losing;
    for (const std::string& name : order_)
      if (!Erased(tables_[name]).empty()) losing.push_back(name);
    std::map<std::string, std::set<std::string>> must_wait;  // parent -> children still to go
    for (const std::string& parent : losing)
      for (const source::Reference& ref : ReferencesTo(parent))
        if (ref.child != parent && std::find(losing.begin(), losing.end(), ref.child) != losing.end())
          must_wait[parent].insert(ref.child);
    std::vector<std::string> ordered;
    std::set<std::string> done;
    while (ordered.size() < losing.size()) {
      bool progress = false;
      for (const std::string& t : losing) {
        if (done.count(t)) continue;
        bool ready = true;
        for (const std::string& c : must_wait[t]) ready &= done.count(c) > 0;
        if (!ready) continue;
        ordered.push_back(t);
        done.insert(t);
        progress = true;
      }
      if (!progress) {
        std::string cycle;
        for (const std::string& t : losing)
          if (!done.count(t)) cycle += (cycle.empty() ? "" : ", ") + t;
        return Status::Error("the tables " + cycle + " reference each other, so no child-first order of deletes "
                             "exists; erase these rows by hand in one transaction with deferred constraints");
      }
    }

    // Per table: what happens, for the summary and the exceptions.
    for (const std::string& name : order_) {
      TableRows& t = tables_[name];
      plan::RulePlan r;
      r.rule = "erasure";
      r.table = name;
      r.action = "delete";
      r.basis = "AVG art. 17";
      r.to_act = static_cast<int64_t>(Erased(t).size());
      std::map<std::string, int64_t> reasons;
      for (size_t i = 0; i < t.rows.size(); ++i)
        if (!t.kept[i].empty()) ++reasons[t.anonymise[i] ? t.kept[i] + " (anonymised)" : t.kept[i]];
      for (const auto& [reason, n] : reasons) r.holds.push_back({reason, n, ""});
      if (!t.ByKey())
        r.note = "no primary key: rows are matched on every column (identical rows are one record and all go); "
                 "add a primary key to " + name + " to erase by key";
      // A draft's rules are TODO: nothing is kept for a legal obligation
      // that the policy has not stated yet. Said per table, by name.
      for (const policy::RetentionRule* rule : policy_.RulesForDataset(name))
        if (rule->todo && r.to_act > 0)
          r.note += std::string(r.note.empty() ? "" : "; ") + "retention rule " + rule->id +
                    " is TODO: rows a legal obligation keeps (payroll, tax) are not known and would be erased; "
                    "finish the rule (keep, on_erasure: keep) before applying";
      plan_.rules.push_back(std::move(r));
    }

    // Unlink first: other people's rows that point at erased rows through
    // ON DELETE SET NULL lose the reference, as the schema says.
    for (const std::string& parent : ordered) {
      for (const source::Reference& ref : ReferencesTo(parent)) {
        if (!OutlivesParent(ref.key)) continue;
        if (ref.key.on_delete == source::ForeignKey::OnDelete::kSetDefault) continue;
        for (Predicate& where : OthersPointingAt(tables_[parent], ref)) {
          Result<int64_t> n = source_.Count(ref.child, where);
          if (!n.ok()) return n.status();
          if (*n == 0) continue;
          plan::PlanStep s;
          s.rule = "erasure";
          s.table = ref.child;
          s.action = "unlink";
          s.depth = 1;
          s.via = ref.child + "." + Join(ref.key.columns) + " -> " + parent;
          s.op.kind = WriteOp::Kind::kUpdate;
          s.op.table = ref.child;
          for (const std::string& c : ref.key.columns) s.op.assignments.emplace_back(c, std::nullopt);
          s.op.where = std::move(where);
          s.rows = *n;
          plan_.steps.push_back(std::move(s));
        }
      }
    }
    for (const std::string& name : ordered) {
      TableRows& t = tables_[name];
      // A legal hold put on a row after the plan was made changes the
      // step's count, so apply refuses the plan as stale.
      Result<std::optional<Predicate>> own_holds = plan::OwnLegalHoldRows(policy_, *t.table, options_.as_of);
      if (!own_holds.ok()) return own_holds.status();
      // A row that changed owner after the plan was made (its subject_key now
      // names someone else) no longer matches, so apply refuses the plan.
      std::optional<Predicate> same_owner;
      if (const policy::Dataset* ds = policy_.FindDataset(name);
          ds != nullptr && !ds->subject_key.empty() && t.table->FindColumn(ds->subject_key) != nullptr &&
          std::find(t.table->primary_key.begin(), t.table->primary_key.end(), ds->subject_key) ==
              t.table->primary_key.end()) {
        std::vector<std::vector<std::string>> owners;
        std::set<std::vector<std::string>> seen;
        bool null_owner = false;
        for (size_t i : Erased(t)) {
          std::vector<std::string> v = Values(t.names, t.rows[i], {ds->subject_key});
          if (v.empty()) null_owner = true;
          else if (seen.insert(v).second) owners.push_back(std::move(v));
        }
        if (!null_owner && !owners.empty() && owners.size() <= kKeyChunk)
          same_owner = KeyIn({ds->subject_key}, owners);
      }
      for (Predicate& where : Selectors(t, Erased(t))) {
        if (same_owner) where = Predicate::All({std::move(where), *same_owner});
        plan::PlanStep s;
        s.rule = "erasure";
        s.table = name;
        s.action = "delete";
        s.op.kind = WriteOp::Kind::kDelete;
        s.op.table = name;
        s.op.where = *own_holds ? Predicate::All({std::move(where), Predicate::Negate(**own_holds)}) : std::move(where);
        Result<int64_t> n = source_.Count(name, s.op.where);
        if (!n.ok()) return n.status();
        s.rows = *n;
        plan_.steps.push_back(std::move(s));
      }
    }
    // Kept rows a rule says to anonymise on erasure.
    for (const std::string& name : order_) {
      TableRows& t = tables_[name];
      std::map<const policy::RetentionRule*, std::vector<size_t>> by_rule;
      for (size_t i = 0; i < t.rows.size(); ++i)
        if (t.anonymise[i]) by_rule[t.anonymise[i]].push_back(i);
      for (auto& [rule, rows] : by_rule) {
        plan::UpdateContext context;
        context.source_kind = source_.kind();
        context.policy = &policy_;
        context.references = source::ReferencesTo(name, graph_.tables, graph_.declared);
        Result<WriteOp> op = plan::RuleUpdateOp(*rule, *t.table, context);
        if (!op.ok()) return op.status().WithContext("on_erasure: anonymise of rule " + rule->id);
        for (Predicate& where : Selectors(t, rows)) {
          plan::PlanStep s;
          s.rule = "erasure";
          s.table = name;
          s.action = "anonymise";
          s.op = *op;
          s.op.where = Predicate::All({std::move(where), op->where});
          Result<int64_t> n = source_.Count(name, s.op.where);
          if (!n.ok()) return n.status();
          s.rows = *n;
          if (s.rows > 0) plan_.steps.push_back(std::move(s));
        }
      }
    }
    return Status::Ok();
  }

  const policy::Policy& policy_;
  source::Source& source_;
  const ErasureOptions& options_;
  plan::SchemaGraph graph_;
  plan::RetentionPlan plan_;
  std::map<std::string, TableRows> tables_;
  std::vector<std::string> order_;  // tables in the order the lookup found them
};

}  // namespace

Result<plan::RetentionPlan> MakeErasurePlan(const policy::Policy& policy, source::Source& source,
                                            const SubjectData& data, const ErasureOptions& options) {
  Planner planner(policy, source, options);
  return planner.Run(data);
}

}  // namespace dpo::dsar
