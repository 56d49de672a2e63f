// Relations a policy declares where the schema has none (CSV exports, legacy
// databases without FOREIGN KEYs), merged into a described table so that
// inspect, and later the DSAR relation walk, see one set of relations.
#pragma once

#include "policy/policy.h"
#include "source/source.h"

namespace dpo::scan {

// Appends the relations of `table`'s dataset in `policy` to
// table->foreign_keys with origin "policy", unless the schema already
// declares the same relation. Tables without a dataset are left alone.
void MergePolicyRelations(const policy::Policy& policy, source::Table* table);

}  // namespace dpo::scan
