// The check every backend runs before a delete: no row of another table may
// be left pointing at a deleted row, and none may be removed or changed
// behind dpo's back by ON DELETE CASCADE / SET NULL. dpo expands deletes into
// explicit child-first operations (plan/cascade.h), so by the time a parent
// is deleted its children are gone; if they are not, the delete is refused
// with both tables named, and nothing is changed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "source/predicate.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::source {

// A foreign key (or declared relation) of `child` that references a table.
struct Reference {
  std::string child;
  ForeignKey key;
};

// Every reference to `table` among `tables` (schema foreign keys) and
// `declared` (relations from a policy), self-references included.
std::vector<Reference> ReferencesTo(const std::string& table, const std::vector<Table>& tables,
                                    const std::vector<std::pair<std::string, ForeignKey>>& declared);
std::vector<Reference> ReferencesTo(const std::string& table, const std::vector<const Table*>& tables,
                                    const std::vector<std::pair<std::string, ForeignKey>>& declared);

// The tables of a database as one transaction sees them, each described
// once: the write guards need every table's foreign keys to know what
// points at a table. Addresses are stable (SQL targets point at them).
class DescribedTables {
 public:
  // Describes `name` into tables() (the source's own describe-and-cache).
  using Describe = std::function<Status(const std::string& name)>;

  std::map<std::string, std::unique_ptr<Table>>& tables() { return tables_; }

  // References to `table`; the first call describes every table of `source`.
  Result<std::vector<Reference>> References(const std::string& table, Source& source, const Describe& describe,
                                            const std::vector<std::pair<std::string, ForeignKey>>& declared);

 private:
  std::map<std::string, std::unique_ptr<Table>> tables_;
  bool all_described_ = false;
};

// The refusal of Begin() on a source opened read-only, naming it.
Status ReadOnlyRefusal(const std::string& source_name, const WriteOptions& options);

// Rows of `ref.child` that point at rows of `parent` matching `where`. For a
// self-reference, rows that are themselves selected by `where` are left out.
Predicate ChildRows(const Reference& ref, const std::string& parent, const Predicate& where);

// Counts, with `count`, the rows of each reference's child table that point
// at rows of `table` matching `where`; an error naming both tables and the
// number of rows if there are any.
Status CheckNoOrphans(const std::string& table, const Predicate& where, const std::vector<Reference>& references,
                      const std::function<Result<int64_t>(const std::string& table, const Predicate& where)>& count);

// With the database's own enforcement off (SQLite) or not trusted to count
// (all), an update must not touch a column a reference depends on: a key
// that `references` point at, or a foreign key of `table` set to anything
// but NULL (a computed assignment counts as "anything"). dpo never needs
// either (it deletes, anonymises and restricts).
Status CheckUpdateKeepsReferences(const WriteOp& op, const Table& table, const std::vector<Reference>& references);

// An update's computed assignments can run: each has its function bound,
// and no column is written twice (assigned and computed, or computed twice).
Status CheckComputedAssignments(const WriteOp& op);

}  // namespace dpo::source
