#include "scan/policy_relations.h"

#include <algorithm>

namespace dpo::scan {

void MergePolicyRelations(const policy::Policy& policy, source::Table* table) {
  const policy::Dataset* dataset = policy.FindDataset(table->name);
  if (dataset == nullptr) return;
  for (const policy::Relation& relation : dataset->relations) {
    bool known = std::any_of(table->foreign_keys.begin(), table->foreign_keys.end(), [&](const source::ForeignKey& fk) {
      return fk.columns == relation.columns && fk.referenced_table == relation.referenced_table &&
             fk.referenced_columns == relation.referenced_columns;
    });
    if (known) continue;
    source::ForeignKey fk;
    fk.columns = relation.columns;
    fk.referenced_table = relation.referenced_table;
    fk.referenced_columns = relation.referenced_columns;
    fk.origin = "policy";
    table->foreign_keys.push_back(std::move(fk));
  }
}

}  // namespace dpo::scan
