// Turning "delete these rows" into the explicit, child-first operations that
// keep every foreign key whole, so that each deleted row is counted (and can
// be recorded in the erasure ledger) and nothing is removed by an ON DELETE
// CASCADE that nobody saw.
//
// For every reference to the table (schema foreign keys and relations the
// policy declares), by what the reference says happens on delete:
//  - CASCADE: the child rows are deleted first, their own children before
//    them, as deep as it goes (relations a policy declares for a CSV export
//    say CASCADE: the rows belong to the parent's subject);
//  - SET NULL: the child rows' referencing columns are set to NULL;
//  - SET DEFAULT, RESTRICT, NO ACTION: refused when such child rows exist,
//    with both tables named: the schema says these rows must not go.
// A child row under a keep rule (a legal hold) is never deleted by cascade:
// the expansion is refused, naming the parent, the child and the rule. A
// cycle of references (other than a table referencing itself with no rows
// left pointing at the deleted ones) is refused too.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "source/predicate.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::plan {

// Rows of `table` that must be kept whatever else is deleted, and why
// ("legal hold tax_records", "retention rule payslips_7y").
struct KeepRule {
  std::string table;
  source::Predicate rows;
  std::string reason;
};

// One operation of an expanded delete, in the order it must run.
struct CascadeStep {
  source::WriteOp op;
  int64_t rows = 0;        // rows it affects, counted inside the transaction before anything ran
  int depth = 0;           // 0 for the requested delete, 1 for its children, ...
  std::string via;         // "placements.candidate_id -> candidates" (empty for depth 0)
};

// What the expansion knows about the source: every table with its foreign
// keys (Source::Describe), plus the relations declared outside the schema
// (the same list given to Source::DeclareRelations).
struct SchemaGraph {
  std::vector<source::Table> tables;
  std::vector<std::pair<std::string, source::ForeignKey>> declared;

  // The table named `name`, or nullptr.
  const source::Table* Find(const std::string& name) const {
    for (const source::Table& t : tables)
      if (t.name == name) return &t;
    return nullptr;
  }

  // References from `table` to other tables: its foreign keys, then the
  // relations declared for it that the schema does not already state, each once.
  std::vector<source::ForeignKey> ReferencesFrom(const source::Table& table) const {
    std::vector<source::ForeignKey> out = table.foreign_keys;
    for (const auto& [child, key] : declared) {
      if (child != table.name) continue;
      bool have = false;
      for (const source::ForeignKey& k : out)
        if (k.columns == key.columns && k.referenced_table == key.referenced_table) have = true;
      if (!have) out.push_back(key);
    }
    return out;
  }
};

// Describes every table of `source` (no row counts needed) into a graph.
Result<SchemaGraph> LoadSchemaGraph(source::Source& source,
                                    std::vector<std::pair<std::string, source::ForeignKey>> declared);

// Counts the rows of a table matching a predicate: Source::Count (planning,
// read-only) or Transaction::Count (applying: sees earlier writes).
using RowCounter = std::function<Result<int64_t>(const std::string& table, const source::Predicate& where)>;

// Expands `del` (a kDelete) into steps, children first, the requested delete
// last, counting with `count`. Nothing is written.
Result<std::vector<CascadeStep>> ExpandDelete(const RowCounter& count, const SchemaGraph& schema,
                                              const source::WriteOp& del, const std::vector<KeepRule>& keep);
// The same, counting inside `tx`.
Result<std::vector<CascadeStep>> ExpandDelete(source::Transaction& tx, const SchemaGraph& schema,
                                              const source::WriteOp& del, const std::vector<KeepRule>& keep);

}  // namespace dpo::plan
