#include "relations/policy_relations.h"

#include <algorithm>

namespace dpo::relations {
namespace {

source::ForeignKey FromPolicy(const policy::Relation& relation) {
  source::ForeignKey fk;
  fk.columns = relation.columns;
  fk.referenced_table = relation.referenced_table;
  fk.referenced_columns = relation.referenced_columns;
  fk.origin = "policy";
  switch (relation.on_delete) {
    case policy::Relation::OnDelete::kCascade: fk.on_delete = source::ForeignKey::OnDelete::kCascade; break;
    case policy::Relation::OnDelete::kSetNull: fk.on_delete = source::ForeignKey::OnDelete::kSetNull; break;
    case policy::Relation::OnDelete::kRestrict: fk.on_delete = source::ForeignKey::OnDelete::kRestrict; break;
  }
  return fk;
}

}  // namespace

std::vector<std::pair<std::string, source::ForeignKey>> PolicyRelations(const policy::Policy& policy) {
  std::vector<std::pair<std::string, source::ForeignKey>> out;
  for (const policy::Dataset& dataset : policy.datasets)
    for (const policy::Relation& relation : dataset.relations) out.emplace_back(dataset.table, FromPolicy(relation));
  return out;
}

void MergePolicyRelations(const policy::Policy& policy, source::Table* table) {
  const policy::Dataset* dataset = policy.FindDataset(table->name);
  if (dataset == nullptr) return;
  for (const policy::Relation& relation : dataset->relations) {
    bool known = std::any_of(table->foreign_keys.begin(), table->foreign_keys.end(), [&](const source::ForeignKey& fk) {
      return fk.columns == relation.columns && fk.referenced_table == relation.referenced_table &&
             fk.referenced_columns == relation.referenced_columns;
    });
    if (known) continue;
    table->foreign_keys.push_back(FromPolicy(relation));
  }
}

}  // namespace dpo::relations
