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

#include <optional>
#include <string>
#include <vector>

#include "plan/cascade.h"
#include "plan/retention_plan.h"
#include "policy/policy.h"
#include "source/source.h"

namespace dpo::plan {

// The advice for a lookup of `columns` of `table` (by the first of them),
// when no index leads with that column; nullopt when one does, when the table
// or a column is unknown, and for sources without indexes (CSV). `sql` is
// for the source's dialect. The DSAR walk asks this for every key it looks up.
std::optional<IndexAdvice> AdviseIndex(const SchemaGraph& schema, source::SourceKind kind,
                                       const std::string& table_name, const std::vector<std::string>& columns,
                                       const std::string& reason);

// The advice for one plan on one schema, in plan order, each table and
// column list once. `sql` is for the source's dialect.
std::vector<IndexAdvice> AdviseIndexes(const policy::Policy& policy, const RetentionPlan& plan,
                                       const SchemaGraph& schema, source::SourceKind kind);

}  // namespace dpo::plan
