#include "source/write_guard.h"

namespace dpo::source {

std::vector<Reference> ReferencesTo(const std::string& table, const std::vector<Table>& tables,
                                    const std::vector<std::pair<std::string, ForeignKey>>& declared) {
  std::vector<const Table*> pointers;
  for (const Table& t : tables) pointers.push_back(&t);
  return ReferencesTo(table, pointers, declared);
}

std::vector<Reference> ReferencesTo(const std::string& table, const std::vector<const Table*>& tables,
                                    const std::vector<std::pair<std::string, ForeignKey>>& declared) {
  std::vector<Reference> out;
  for (const Table* t : tables)
    for (const ForeignKey& fk : t->foreign_keys)
      if (fk.referenced_table == table && !fk.columns.empty()) out.push_back({t->name, fk});
  for (const auto& [child, fk] : declared) {
    if (fk.referenced_table != table || fk.columns.empty()) continue;
    bool duplicate = false;  // a policy may restate a schema foreign key
    for (const Reference& r : out)
      duplicate |= r.child == child && r.key.columns == fk.columns && r.key.referenced_columns == fk.referenced_columns;
    if (!duplicate) out.push_back({child, fk});
  }
  return out;
}

Result<std::vector<Reference>> DescribedTables::References(
    const std::string& table, Source& source, const Describe& describe,
    const std::vector<std::pair<std::string, ForeignKey>>& declared) {
  if (!all_described_) {
    Result<std::vector<std::string>> names = source.ListTables();
    if (!names.ok()) return names.status();
    for (const std::string& n : *names)
      if (tables_.count(n) == 0) DPO_RETURN_IF_ERROR(describe(n));
    all_described_ = true;
  }
  std::vector<const Table*> described;
  for (const auto& [name, t] : tables_) described.push_back(t.get());
  return ReferencesTo(table, described, declared);
}

Status ReadOnlyRefusal(const std::string& source_name, const WriteOptions& options) {
  return Status::Error(source_name + ": cannot write: the source was opened read-only" +
                       std::string(options.dry_run ? " (a dry run executes the writes and rolls them back, so it "
                                                     "needs write access too)"
                                                   : "") +
                       "; nothing was changed");
}

Predicate ChildRows(const Reference& ref, const std::string& parent, const Predicate& where) {
  Predicate children = Predicate::InSelect(ref.key.columns, parent, ref.key.referenced_columns, where);
  if (ref.child != parent) return children;
  return Predicate::All({std::move(children), Predicate::Negate(where)});
}

Status CheckNoOrphans(const std::string& table, const Predicate& where, const std::vector<Reference>& references,
                      const std::function<Result<int64_t>(const std::string& table, const Predicate& where)>& count) {
  for (const Reference& ref : references) {
    Result<int64_t> n = count(ref.child, ChildRows(ref, table, where));
    if (!n.ok()) return n.status();
    if (*n == 0) continue;
    std::string columns;
    for (const std::string& c : ref.key.columns) columns += (columns.empty() ? "" : ", ") + c;
    return Status::Error("deleting these rows of " + table + " would leave " + std::to_string(*n) + " row(s) of " +
                         ref.child + " pointing at them (" + ref.child + "." + columns + " references " + table +
                         "); delete or keep those rows first (dpo plans child rows before their parents), "
                         "nothing was changed");
  }
  return Status::Ok();
}

Status CheckUpdateKeepsReferences(const WriteOp& op, const Table& table, const std::vector<Reference>& references) {
  std::vector<std::pair<std::string, bool>> written;  // column, whether it gets a value other than NULL
  for (const auto& [column, value] : op.assignments) written.emplace_back(column, value.has_value());
  for (const WriteOp::ComputedAssignment& c : op.computed) written.emplace_back(c.column, true);
  for (const auto& [column, value] : written) {
    for (const Reference& r : references)
      for (const std::string& k : r.key.referenced_columns)
        if (k == column)
          return Status::Error("update of " + op.table + "." + column + " would change a key that " + r.child +
                               " references; dpo does not change referenced keys; nothing was changed");
    for (const ForeignKey& fk : table.foreign_keys)
      for (const std::string& c : fk.columns)
        if (c == column && value)
          return Status::Error("update of " + op.table + "." + column + " would re-point a reference to " +
                               fk.referenced_table + "; dpo only sets such columns to NULL; nothing was changed");
  }
  return Status::Ok();
}

Status CheckComputedAssignments(const WriteOp& op) {
  for (size_t i = 0; i < op.computed.size(); ++i) {
    const WriteOp::ComputedAssignment& c = op.computed[i];
    if (!c.fn)
      return Status::Error("update of " + op.table + "." + c.column + ": the operator " + c.op +
                               " was not bound before the update ran",
                           StatusCode::kInternal);
    bool twice = false;
    for (const auto& [column, value] : op.assignments) twice |= column == c.column;
    for (size_t j = 0; j < i; ++j) twice |= op.computed[j].column == c.column;
    if (twice)
      return Status::Error("update of " + op.table + " writes column " + c.column + " twice; nothing was changed",
                           StatusCode::kInternal);
  }
  return Status::Ok();
}

}  // namespace dpo::source
