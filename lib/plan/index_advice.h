// Which lookups of a retention plan no index serves, and the CREATE INDEX
// statements that would: a sweep on a 10-million-row table is a range scan
// with an index on its date column and a full scan of the table without.
//
// Looked at: the date column each rule counts from (on its own table, or on
// the table `TABLE.COLUMN` names), the `or COLUMN` fallback, the reference
// columns a rule counts through (for `latest`, with the date: one index
// answers "the newest pointing row"), and the reference columns of every
// cascaded step (DELETE FROM child WHERE fk IN (...)). A lookup is served
// when an index (the primary key counts) leads with its first column.
// Sources without indexes (CSV) get no advice.
#pragma once

#include <string>
#include <vector>

#include "plan/cascade.h"
#include "plan/retention_plan.h"
#include "policy/policy.h"
#include "source/source.h"

namespace dpo::plan {

// The advice for one plan on one schema, in plan order, each table and
// column list once. `sql` is for the source's dialect.
std::vector<IndexAdvice> AdviseIndexes(const policy::Policy& policy, const RetentionPlan& plan,
                                       const SchemaGraph& schema, source::SourceKind kind);

}  // namespace dpo::plan
