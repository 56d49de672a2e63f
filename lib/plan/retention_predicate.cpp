#include "plan/retention_predicate.h"

namespace dpo::plan {
namespace {

using source::Predicate;
using Op = Predicate::Op;

// Dates kept as text (SQLite, CSV) may be ''; typed columns cannot be.
bool HoldsText(const source::Table& table, const std::string& column) {
  const source::Column* c = table.FindColumn(column);
  return c == nullptr || c->type == source::TypeClass::kText || c->type == source::TypeClass::kUnknown;
}

// `column` is set and, for text columns, not empty.
std::vector<Predicate> Present(const source::Table& table, const std::string& column) {
  std::vector<Predicate> tests = {Predicate::Null(column, false)};
  if (HoldsText(table, column)) tests.push_back(Predicate::Compare(Op::kNe, column, ""));
  return tests;
}

Predicate Guarded(const policy::Condition& condition, const util::Date& as_of, const source::Table& table) {
  Predicate test = ConditionPredicate(condition, as_of, table);
  if (condition.op == policy::Condition::Op::kIsNull || condition.op == policy::Condition::Op::kIsNotNull)
    return test;
  return Predicate::All({Predicate::Null(condition.column, false), std::move(test)});
}

Predicate PastPeriodAndApplicable(const policy::RetentionRule& rule, const util::Date& as_of,
                                  const source::Table& table) {
  std::vector<Predicate> all = Present(table, rule.after_column);
  all.push_back(Predicate::Compare(Op::kLt, rule.after_column, RetentionCutoff(rule, as_of).ToIso()));
  for (const policy::Condition& c : rule.when) all.push_back(ConditionPredicate(c, as_of, table));
  return Predicate::All(std::move(all));
}

Predicate AnyHold(const policy::RetentionRule& rule, const util::Date& as_of, const source::Table& table) {
  std::vector<Predicate> holds;
  for (const policy::LegalHold& hold : rule.legal_holds) {
    std::vector<Predicate> tests;
    for (const policy::Condition& c : hold.when) tests.push_back(Guarded(c, as_of, table));
    holds.push_back(Predicate::All(std::move(tests)));
  }
  return Predicate::Any(std::move(holds));
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
      std::vector<Predicate> all = Present(table, c.column);
      all.push_back(Predicate::Compare(Op::kLt, c.column, cutoff.ToIso()));
      return Predicate::All(std::move(all));
    }
    case CondOp::kWithin: {
      util::Date cutoff = util::Subtract(as_of, c.duration.value_or(util::Duration::Days(0)));
      return Predicate::Compare(Op::kGe, c.column, cutoff.ToIso());
    }
  }
  return Predicate::All({});
}

Predicate ExpiredRowsPredicate(const policy::RetentionRule& rule, const util::Date& as_of,
                               const source::Table& table) {
  Predicate past = PastPeriodAndApplicable(rule, as_of, table);
  if (rule.legal_holds.empty()) return past;
  return Predicate::All({std::move(past), Predicate::Negate(AnyHold(rule, as_of, table))});
}

Predicate HeldRowsPredicate(const policy::RetentionRule& rule, const util::Date& as_of, const source::Table& table) {
  if (rule.legal_holds.empty()) return Predicate::Any({});  // an empty OR: no rows
  return Predicate::All({PastPeriodAndApplicable(rule, as_of, table), AnyHold(rule, as_of, table)});
}

}  // namespace dpo::plan
