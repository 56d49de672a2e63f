// Turns a policy retention rule into the source dialect's predicates for
// "rows past their retention period and not under a legal hold", so the
// count (and later the deletion) runs inside the database as set-based SQL
// (CSV: streamed, semi-joins through a key set).
//
// Where the period counts from (policy::RetentionRule::after_*):
//  - a date column of the row itself;
//  - TABLE.COLUMN: the date of the row this row's reference (foreign key, or
//    a relation the policy declares) points to; a row whose reference is NULL,
//    or whose parent has no date, never expires by this rule;
//  - latest TABLE.COLUMN [or COLUMN]: the latest date among the rows of TABLE
//    that point to this row; a row with none counts from its own COLUMN, and
//    without one never expires by this rule.
// Exactly one reference must link the two tables; none, or several, is an
// error that names them (the rule cannot be evaluated).
//
// Semantics, identical on SQL sources and CSV:
//  - a date that is NULL, or an empty string in a text column, is no date
//    (we cannot tell): such rows are "undated", never expired;
//  - `when` conditions must all hold (a NULL cell fails a comparison);
//  - a row is held when all `when` tests of any legal hold of any retention
//    rule on its table are true, or when a row it belongs to (through its
//    references, as far up as they go) is held: the tax record is the order
//    with its lines. A reference ON DELETE SET NULL (SET DEFAULT) does not
//    make a row belong to its parent: such rows outlive it. Every test is
//    guarded with IS NOT NULL, so a NULL never turns "not held" into unknown.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/cascade.h"
#include "policy/policy.h"
#include "source/predicate.h"
#include "source/source.h"
#include "util/duration.h"
#include "util/status.h"

namespace dpo::plan {

struct HoldRows {
  std::string name;        // the hold's name; for an inherited hold, the parent table
  std::string parent;      // empty: a hold of the rule; else the table whose holds reach these rows
  source::Predicate rows;  // rows past the period and matching `when` that this hold keeps
};

// What one rule comes to on one schema, as predicates on rule.dataset.
struct RuleRows {
  source::Predicate expired;   // past the period, matching `when`, not held: the rows to act on
  std::vector<HoldRows> held;  // one per own legal hold, then one per parent table whose hold reaches them
  source::Predicate undated;   // matching `when`, with no date to count from: never expire by this rule
  source::Predicate within;    // matching `when` and not past the period (dated within it, or undated), held or not
};

// Resolves `rule` against `schema` (tables, references) as of `as_of`.
// Errors (kInvalidArgument) name what is missing: the table, a column, the
// reference between the rule's table and the table its period counts from,
// or a legal hold that cannot be evaluated on a table whose holds reach it.
Result<RuleRows> RetentionRows(const policy::Policy& policy, const policy::RetentionRule& rule,
                               const SchemaGraph& schema, const util::Date& as_of);

// Rows of `table` under a legal hold, their own or one that reaches them
// from a row they belong to; nullopt when no hold can reach the table.
Result<std::optional<source::Predicate>> LegalHoldRows(const policy::Policy& policy, const std::string& table,
                                                       const SchemaGraph& schema, const util::Date& as_of);

// Rows of `table` under a legal hold of their own (a hold of any rule on the
// table whose `when` tests all hold), without the holds that reach them from
// rows they belong to; nullopt when the table has no holds. Only tests on
// the row itself: cheap to combine with a lookup by key.
Result<std::optional<source::Predicate>> OwnLegalHoldRows(const policy::Policy& policy, const source::Table& table,
                                                          const util::Date& as_of);

// One policy condition as a predicate, evaluated as of `as_of`.
source::Predicate ConditionPredicate(const policy::Condition& condition, const util::Date& as_of,
                                     const source::Table& table);
// The first day that is still within the period: rows dated before it are past it.
util::Date RetentionCutoff(const policy::RetentionRule& rule, const util::Date& as_of);

}  // namespace dpo::plan
