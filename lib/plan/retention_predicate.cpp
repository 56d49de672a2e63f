#include "plan/retention_predicate.h"

#include <set>

#include "source/write_guard.h"

namespace dpo::plan {
namespace {

using source::Predicate;
using Op = Predicate::Op;

// `column` holds a date we can read: set, and at or after year 1 in the
// one comparison rule. That leaves out '' (SQLite stores it even in a column
// declared DATE; CSV cells are text) and, on SQLite, numbers in a date
// column (an epoch: numbers order before all text): a date we cannot read
// never makes a row expire. Number columns are taken as they are.
Predicate Dated(const source::Table& table, const std::string& column) {
  const source::Column* c = table.FindColumn(column);
  if (c != nullptr && (c->type == source::TypeClass::kInteger || c->type == source::TypeClass::kReal))
    return Predicate::Null(column, false);
  return Predicate::All({Predicate::Null(column, false), Predicate::Compare(Op::kGe, column, "0001-01-01")});
}

Predicate DatedBefore(const source::Table& table, const std::string& column, const std::string& cutoff) {
  return Predicate::All({Dated(table, column), Predicate::Compare(Op::kLt, column, cutoff)});
}

// (key_columns) IN (SELECT sub_columns FROM sub_table WHERE where), true or
// false, never unknown: NULL keys and NULL sub-table values never match, so
// the predicate can be negated safely on every backend.
Predicate BelongsTo(const std::vector<std::string>& key_columns, const std::string& sub_table,
                    const std::vector<std::string>& sub_columns, Predicate where) {
  std::vector<Predicate> outer;
  for (const std::string& k : key_columns) outer.push_back(Predicate::Null(k, false));
  std::vector<Predicate> inner = {std::move(where)};
  for (const std::string& c : sub_columns) inner.push_back(Predicate::Null(c, false));
  outer.push_back(Predicate::InSelect(key_columns, sub_table, sub_columns, Predicate::All(std::move(inner))));
  return Predicate::All(std::move(outer));
}

Predicate Guarded(const policy::Condition& condition, const util::Date& as_of, const source::Table& table) {
  Predicate test = ConditionPredicate(condition, as_of, table);
  if (condition.op == policy::Condition::Op::kIsNull || condition.op == policy::Condition::Op::kIsNotNull)
    return test;
  return Predicate::All({Predicate::Null(condition.column, false), std::move(test)});
}

// Rows a legal hold keeps: all its tests true (each guarded, never unknown).
Predicate HoldPredicate(const policy::LegalHold& hold, const util::Date& as_of, const source::Table& table) {
  std::vector<Predicate> tests;
  for (const policy::Condition& c : hold.when) tests.push_back(Guarded(c, as_of, table));
  return Predicate::All(std::move(tests));
}

Status MissingColumn(const source::Table& table, const std::string& column, const std::string& what) {
  return Status::Error(what + " uses " + table.name + "." + column + ", which does not exist; fix the column name in " +
                       "the policy, or run 'dpo inspect' to list the columns");
}

Status CheckColumns(const source::Table& table, const std::vector<policy::Condition>& conditions,
                    const std::string& what) {
  for (const policy::Condition& c : conditions)
    if (table.FindColumn(c.column) == nullptr) return MissingColumn(table, c.column, what);
  return Status::Ok();
}

// The one reference from `child` to `parent` (schema foreign keys and
// relations the policy declares; a relation declared twice counts once).
Result<source::Reference> OneReference(const SchemaGraph& schema, const std::string& child,
                                       const std::string& parent, const std::string& what) {
  std::vector<source::Reference> found;
  for (const source::Reference& ref : source::ReferencesTo(parent, schema.tables, schema.declared)) {
    if (ref.child != child) continue;
    bool seen = false;
    for (const source::Reference& f : found)
      seen |= f.key.columns == ref.key.columns && f.key.referenced_columns == ref.key.referenced_columns;
    if (!seen) found.push_back(ref);
  }
  if (found.size() == 1) return found.front();
  if (found.empty())
    return Status::Error(what + " counts through a reference from " + child + " to " + parent +
                         ", and there is none (no foreign key, no relation in the policy); declare one under "
                         "datasets." + child + ".relations");
  std::string list;
  for (const source::Reference& f : found) {
    if (!list.empty()) list += ", ";
    for (size_t i = 0; i < f.key.columns.size(); ++i) list += (i ? "+" : "") + child + "." + f.key.columns[i];
  }
  return Status::Error(what + " counts through a reference from " + child + " to " + parent + ", and there are " +
                       std::to_string(found.size()) + " (" + list +
                       "); dpo cannot tell which one is meant; count from a date column of " + child +
                       " itself, or keep one relation");
}

// Every reference leaving `table` through which it belongs to its parent
// (parents other than itself). A reference whose rows are set to NULL when
// the parent goes (ON DELETE SET NULL / SET DEFAULT) says the rows outlive
// the parent: they do not belong to it, and its holds do not reach them.
std::vector<source::Reference> BelongingReferencesFrom(const SchemaGraph& schema, const std::string& table,
                                              std::vector<std::string>* parents) {
  std::vector<source::Reference> out;
  for (const source::Table& parent : schema.tables) {
    if (parent.name == table) continue;
    for (const source::Reference& ref : source::ReferencesTo(parent.name, schema.tables, schema.declared))
      if (ref.child == table && ref.key.on_delete != source::ForeignKey::OnDelete::kSetNull &&
          ref.key.on_delete != source::ForeignKey::OnDelete::kSetDefault) {
        out.push_back(ref);
        parents->push_back(parent.name);
      }
  }
  return out;
}

// Rows of `table` held by the legal holds of its own rules.
Result<std::optional<Predicate>> OwnHolds(const policy::Policy& policy, const source::Table& table,
                                          const util::Date& as_of) {
  std::vector<Predicate> holds;
  for (const policy::RetentionRule& rule : policy.retention) {
    // A hold counts even in a rule whose period is still TODO (a draft):
    // the hold itself is complete, and it keeps rows whatever the period.
    if (rule.dataset != table.name) continue;
    for (const policy::LegalHold& hold : rule.legal_holds) {
      DPO_RETURN_IF_ERROR(
          CheckColumns(table, hold.when, "legal hold " + hold.name + " of retention rule " + rule.id));
      if (hold.when.empty()) continue;
      holds.push_back(HoldPredicate(hold, as_of, table));
    }
  }
  if (holds.empty()) return std::optional<Predicate>();
  return std::optional<Predicate>(Predicate::Any(std::move(holds)));
}

// Rows of `table` that belong to a held row of another table, through each
// reference (one entry per parent table whose holds reach them).
Status InheritedHolds(const policy::Policy& policy, const SchemaGraph& schema, const std::string& table,
                      const util::Date& as_of, std::set<std::string>* visiting,
                      std::vector<std::pair<std::string, Predicate>>* out) {
  if (!visiting->insert(table).second) return Status::Ok();  // a cycle: its holds are counted where it started
  std::vector<std::string> parents;
  std::vector<source::Reference> refs = BelongingReferencesFrom(schema, table, &parents);
  for (size_t i = 0; i < refs.size(); ++i) {
    const source::Table* parent = schema.Find(parents[i]);
    if (parent == nullptr) continue;
    Result<std::optional<Predicate>> own = OwnHolds(policy, *parent, as_of);
    if (!own.ok()) return own.status();
    std::vector<std::pair<std::string, Predicate>> above;
    DPO_RETURN_IF_ERROR(InheritedHolds(policy, schema, parent->name, as_of, visiting, &above));
    std::vector<Predicate> any;
    if (*own) any.push_back(**own);
    for (auto& [name, p] : above) any.push_back(std::move(p));
    if (any.empty()) continue;
    out->emplace_back(parent->name, BelongsTo(refs[i].key.columns, parent->name, refs[i].key.referenced_columns,
                                              Predicate::Any(std::move(any))));
  }
  visiting->erase(table);
  return Status::Ok();
}

struct Period {
  Predicate past;     // dated before the cutoff
  Predicate undated;  // no date to count from
};

Result<Period> PeriodOf(const policy::RetentionRule& rule, const source::Table& table, const SchemaGraph& schema,
                        const std::string& cutoff) {
  const std::string what = "retention rule " + rule.id;
  if (rule.after_table.empty()) {
    if (table.FindColumn(rule.after_column) == nullptr) return MissingColumn(table, rule.after_column, what);
    return Period{DatedBefore(table, rule.after_column, cutoff), Predicate::Negate(Dated(table, rule.after_column))};
  }
  const source::Table* other = schema.Find(rule.after_table);
  if (other == nullptr)
    return Status::Error(what + " counts from " + rule.after_table + "." + rule.after_column + ", and table " +
                         rule.after_table + " does not exist; fix the table name in the policy");
  if (other->FindColumn(rule.after_column) == nullptr) return MissingColumn(*other, rule.after_column, what);
  if (!rule.after_latest) {
    Result<source::Reference> ref = OneReference(schema, table.name, other->name, what);
    if (!ref.ok()) return ref.status();
    const std::vector<std::string>& fk = ref->key.columns;
    const std::vector<std::string>& pk = ref->key.referenced_columns;
    return Period{BelongsTo(fk, other->name, pk, DatedBefore(*other, rule.after_column, cutoff)),
                  Predicate::Negate(BelongsTo(fk, other->name, pk, Dated(*other, rule.after_column)))};
  }
  Result<source::Reference> ref = OneReference(schema, other->name, table.name, what);
  if (!ref.ok()) return ref.status();
  const std::vector<std::string>& pk = ref->key.referenced_columns;
  const std::vector<std::string>& fk = ref->key.columns;
  // Latest date before the cutoff: no pointing row dated on or after it
  // (an empty text date compares below every date and is no date).
  Predicate recent = BelongsTo(pk, other->name, fk, Predicate::Compare(Op::kGe, rule.after_column, cutoff));
  Predicate has_dated = BelongsTo(pk, other->name, fk, Dated(*other, rule.after_column));
  std::vector<Predicate> dated_any = {has_dated};
  std::vector<Predicate> undated = {Predicate::Negate(has_dated)};
  if (!rule.after_fallback.empty()) {
    if (table.FindColumn(rule.after_fallback) == nullptr) return MissingColumn(table, rule.after_fallback, what);
    dated_any.push_back(DatedBefore(table, rule.after_fallback, cutoff));
    undated.push_back(Predicate::Negate(Dated(table, rule.after_fallback)));
  }
  return Period{Predicate::All({Predicate::Negate(recent), Predicate::Any(std::move(dated_any))}),
                Predicate::All(std::move(undated))};
}

}  // namespace

util::Date RetentionCutoff(const policy::RetentionRule& rule, const util::Date& as_of) {
  return util::Subtract(as_of, rule.keep);
}

Predicate ConditionPredicate(const policy::Condition& c, const util::Date& as_of, const source::Table& table) {
  using CondOp = policy::Condition::Op;
  const std::string first = c.values.empty() ? std::string() : c.values.front();
  switch (c.op) {
    case CondOp::kEquals: return Predicate::Compare(Op::kEq, c.column, first);
    case CondOp::kNotEquals: return Predicate::Compare(Op::kNe, c.column, first);
    case CondOp::kIn: {
      Predicate p;
      p.op = Op::kIn;
      p.column = c.column;
      p.values = c.values;
      return p;
    }
    case CondOp::kIsNull: return Predicate::Null(c.column, true);
    case CondOp::kIsNotNull: return Predicate::Null(c.column, false);
    case CondOp::kBefore: return Predicate::Compare(Op::kLt, c.column, first);
    case CondOp::kAfter: return Predicate::Compare(Op::kGt, c.column, first);
    case CondOp::kOlderThan: {
      util::Date cutoff = util::Subtract(as_of, c.duration.value_or(util::Duration::Days(0)));
      return DatedBefore(table, c.column, cutoff.ToIso());
    }
    case CondOp::kWithin: {
      util::Date cutoff = util::Subtract(as_of, c.duration.value_or(util::Duration::Days(0)));
      return Predicate::Compare(Op::kGe, c.column, cutoff.ToIso());
    }
  }
  return Predicate::All({});
}

Result<std::optional<Predicate>> LegalHoldRows(const policy::Policy& policy, const std::string& table_name,
                                               const SchemaGraph& schema, const util::Date& as_of) {
  const source::Table* table = schema.Find(table_name);
  if (table == nullptr) return std::optional<Predicate>();
  Result<std::optional<Predicate>> own = OwnHolds(policy, *table, as_of);
  if (!own.ok()) return own.status();
  std::set<std::string> visiting;
  std::vector<std::pair<std::string, Predicate>> inherited;
  DPO_RETURN_IF_ERROR(InheritedHolds(policy, schema, table_name, as_of, &visiting, &inherited));
  std::vector<Predicate> any;
  if (*own) any.push_back(std::move(**own));
  for (auto& [name, p] : inherited) any.push_back(std::move(p));
  if (any.empty()) return std::optional<Predicate>();
  return std::optional<Predicate>(Predicate::Any(std::move(any)));
}

Result<std::optional<Predicate>> OwnLegalHoldRows(const policy::Policy& policy, const source::Table& table,
                                                  const util::Date& as_of) {
  return OwnHolds(policy, table, as_of);
}

Result<RuleRows> RetentionRows(const policy::Policy& policy, const policy::RetentionRule& rule,
                               const SchemaGraph& schema, const util::Date& as_of) {
  const std::string what = "retention rule " + rule.id;
  const source::Table* table = schema.Find(rule.dataset);
  if (table == nullptr)
    return Status::Error("table " + rule.dataset + " of " + what + " does not exist; fix the dataset name in the "
                         "policy, or run 'dpo inspect' to list the tables");
  DPO_RETURN_IF_ERROR(CheckColumns(*table, rule.when, "a condition of " + what));
  Result<Period> period = PeriodOf(rule, *table, schema, RetentionCutoff(rule, as_of).ToIso());
  if (!period.ok()) return period.status();

  std::vector<Predicate> applies;
  for (const policy::Condition& c : rule.when) applies.push_back(ConditionPredicate(c, as_of, *table));
  std::vector<Predicate> past = applies;
  past.push_back(period->past);
  Predicate past_and_applicable = Predicate::All(std::move(past));

  RuleRows rows;
  std::vector<Predicate> holds;
  for (const policy::LegalHold& hold : rule.legal_holds) {
    DPO_RETURN_IF_ERROR(CheckColumns(*table, hold.when, "legal hold " + hold.name + " of " + what));
    Predicate held = HoldPredicate(hold, as_of, *table);
    rows.held.push_back({hold.name, "", Predicate::All({past_and_applicable, held})});
    holds.push_back(std::move(held));
  }
  // A hold is on the row, not on one rule: the holds of the table's other
  // rules keep its rows too (counted under their own names, each row once).
  for (const policy::RetentionRule& other : policy.retention) {
    if (other.todo || other.dataset != rule.dataset || &other == &rule) continue;
    for (const policy::LegalHold& hold : other.legal_holds) {
      DPO_RETURN_IF_ERROR(CheckColumns(*table, hold.when, "legal hold " + hold.name + " of retention rule " + other.id));
      if (hold.when.empty()) continue;
      Predicate held = HoldPredicate(hold, as_of, *table);
      std::vector<Predicate> only_this = {past_and_applicable, held};
      if (!holds.empty()) only_this.push_back(Predicate::Negate(Predicate::Any(holds)));
      rows.held.push_back({hold.name, "", Predicate::All(std::move(only_this))});
      holds.push_back(std::move(held));
    }
  }
  // A hold on a row this row belongs to keeps it too.
  std::set<std::string> visiting;
  std::vector<std::pair<std::string, Predicate>> inherited;
  DPO_RETURN_IF_ERROR(InheritedHolds(policy, schema, table->name, as_of, &visiting, &inherited));
  std::vector<Predicate> any_hold = holds;
  for (auto& [parent, p] : inherited) {
    // Counted apart from the holds before it, so each row shows up once (a
    // timesheet reaches a held employee through its placement and directly).
    std::vector<Predicate> only_this = {past_and_applicable, p};
    if (!any_hold.empty()) only_this.push_back(Predicate::Negate(Predicate::Any(any_hold)));
    rows.held.push_back({parent, parent, Predicate::All(std::move(only_this))});
    any_hold.push_back(std::move(p));
  }
  rows.expired = any_hold.empty()
                     ? past_and_applicable
                     : Predicate::All({past_and_applicable, Predicate::Negate(Predicate::Any(std::move(any_hold)))});
  std::vector<Predicate> within = applies;
  within.push_back(Predicate::Negate(period->past));
  rows.within = Predicate::All(std::move(within));
  applies.push_back(period->undated);
  rows.undated = Predicate::All(std::move(applies));
  return rows;
}

}  // namespace dpo::plan
