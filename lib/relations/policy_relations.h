// Relations a policy declares where the schema has none (CSV exports, legacy
// databases without FOREIGN KEYs). Their own room because several rooms need
// the same answer: inspect shows them, plan expands deletes along them
// (plan/cascade.h) and the source refuses deletes that would orphan them
// (Source::DeclareRelations); the DSAR relation walk will follow them.
//
// A relation from a policy is a source::ForeignKey with origin "policy" and
// the relation's on_delete (cascade, set_null, or restrict: the default, so
// that nothing is deleted by cascade unless the policy says so).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "policy/policy.h"
#include "source/source.h"

namespace dpo::relations {

// Every relation declared in `policy`, as (child table, foreign key) pairs in
// the policy's order (datasets, then their relations): the input of
// Source::DeclareRelations and plan::LoadSchemaGraph.
std::vector<std::pair<std::string, source::ForeignKey>> PolicyRelations(const policy::Policy& policy);

// Appends the relations of `table`'s dataset in `policy` to
// table->foreign_keys (as PolicyRelations makes them), unless the schema
// already declares the same relation. Tables without a dataset are left alone.
void MergePolicyRelations(const policy::Policy& policy, source::Table* table);

}  // namespace dpo::relations
