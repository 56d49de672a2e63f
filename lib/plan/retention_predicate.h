// Turns a policy retention rule into the source dialect's predicate for
// "rows past their retention period and not under a legal hold", so the
// count (and later the deletion) runs inside the database as set-based SQL.
//
// Semantics, identical on SQL sources and CSV:
//  - a row whose date column is NULL, or an empty string in a text column, is
//    never expired (we cannot tell); typed date columns get no '' test, which
//    PostgreSQL would reject;
//  - `when` conditions must all hold (a NULL cell fails a comparison);
//  - a row is held when all `when` tests of any legal hold are true; each test
//    is guarded with IS NOT NULL, so a NULL never turns "not held" into unknown.
#pragma once

#include "policy/policy.h"
#include "source/predicate.h"
#include "source/source.h"
#include "util/duration.h"

namespace dpo::plan {

// Rows of rule.dataset past rule.keep after rule.after_column as of `as_of`,
// matching rule.when and not under any legal hold.
// `table` is the dataset as the source describes it (column types).
source::Predicate ExpiredRowsPredicate(const policy::RetentionRule& rule, const util::Date& as_of,
                                       const source::Table& table);
// Rows past the period and matching `when` that are kept only by a legal hold.
source::Predicate HeldRowsPredicate(const policy::RetentionRule& rule, const util::Date& as_of,
                                    const source::Table& table);
// One policy condition as a predicate, evaluated as of `as_of`.
source::Predicate ConditionPredicate(const policy::Condition& condition, const util::Date& as_of,
                                     const source::Table& table);
// The first day that is still within the period: rows dated before it are past it.
util::Date RetentionCutoff(const policy::RetentionRule& rule, const util::Date& as_of);

}  // namespace dpo::plan
