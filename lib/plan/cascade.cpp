#include "plan/cascade.h"

#include <algorithm>

#include "source/write_guard.h"

namespace dpo::plan {
namespace {

using source::ForeignKey;
using source::Predicate;
using source::Reference;
using source::WriteOp;

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

class Expander {
 public:
  Expander(const RowCounter& count, const SchemaGraph& schema, const std::vector<KeepRule>& keep)
      : count_(count), schema_(schema), keep_(keep) {}

  // Appends the steps for deleting `where` from `table` (children first) to out_.
  Status Expand(const std::string& table, const Predicate& where, int depth, const std::string& via) {
    if (std::find(path_.begin(), path_.end(), table) != path_.end())
      return Status::Error("the foreign keys from " + table + " lead back to " + table + " (" + PathText(table) +
                           "); dpo cannot order a delete along a cycle; break it with a rule for one of these tables");
    if (depth > 32) return Status::Error("foreign keys nest deeper than 32 tables below " + path_.front());
    path_.push_back(table);
    for (const Reference& ref : source::ReferencesTo(table, schema_.tables, schema_.declared)) {
      Predicate children = source::ChildRows(ref, table, where);
      const std::string child_via = ref.child + "." + Join(ref.key.columns) + " -> " + table;
      if (ref.child == table) {
        // A table that references itself: fine when no row outside the
        // deleted ones points at them.
        Result<int64_t> n = count_(table, children);
        if (!n.ok()) return n.status();
        if (*n > 0)
          return Status::Error(std::to_string(*n) + " row(s) of " + table + " point at the rows to delete through " +
                               table + "." + Join(ref.key.columns) +
                               "; dpo does not follow a table's references to itself; delete or re-point those rows first");
        continue;
      }
      Result<int64_t> n = count_(ref.child, children);
      if (!n.ok()) return n.status();
      if (*n == 0) continue;
      bool cascade = ref.key.on_delete == ForeignKey::OnDelete::kCascade;
      if (!cascade && ref.key.on_delete != ForeignKey::OnDelete::kSetNull)
        return Status::Error(std::to_string(*n) + " row(s) of " + ref.child + " reference the rows of " + table +
                             " to delete (" + child_via + ", " +
                             (ref.key.origin == "policy" ? std::string("on_delete: restrict in the policy")
                                                         : "ON DELETE " + std::string(OnDeleteName(ref.key.on_delete)) +
                                                               " in the schema") +
                             "); they must not be removed with their parent; add a rule for " + ref.child +
                             " or keep these rows of " + table);
      for (const KeepRule& k : keep_) {
        if (k.table != ref.child) continue;
        Result<int64_t> held = count_(ref.child, Predicate::All({children, k.rows}));
        if (!held.ok()) return held.status();
        if (*held > 0)
          return Status::Error("deleting rows of " + table + " would delete " + std::to_string(*held) + " row(s) of " +
                               ref.child + " kept by " + k.reason + " (" + child_via +
                               "); anonymise or restrict these rows of " + table +
                               " instead of deleting them, or end the hold");
      }
      if (ref.key.on_delete == ForeignKey::OnDelete::kSetNull) {
        WriteOp update;
        update.kind = WriteOp::Kind::kUpdate;
        update.table = ref.child;
        update.where = children;
        for (const std::string& c : ref.key.columns) update.assignments.emplace_back(c, std::nullopt);
        out_.push_back({std::move(update), *n, depth + 1, child_via});
        continue;
      }
      DPO_RETURN_IF_ERROR(Expand(ref.child, children, depth + 1, child_via));
    }
    path_.pop_back();
    Result<int64_t> n = count_(table, where);
    if (!n.ok()) return n.status();
    WriteOp del;
    del.kind = WriteOp::Kind::kDelete;
    del.table = table;
    del.where = where;
    out_.push_back({std::move(del), *n, depth, via});
    return Status::Ok();
  }

  std::vector<CascadeStep> Take() { return std::move(out_); }

 private:
  static const char* OnDeleteName(ForeignKey::OnDelete a) {
    switch (a) {
      case ForeignKey::OnDelete::kNoAction: return "NO ACTION";
      case ForeignKey::OnDelete::kRestrict: return "RESTRICT";
      case ForeignKey::OnDelete::kCascade: return "CASCADE";
      case ForeignKey::OnDelete::kSetNull: return "SET NULL";
      case ForeignKey::OnDelete::kSetDefault: return "SET DEFAULT";
    }
    return "?";
  }
  std::string PathText(const std::string& again) const {
    std::string out;
    for (const std::string& t : path_) out += t + " <- ";
    return out + again;
  }

  const RowCounter& count_;
  const SchemaGraph& schema_;
  const std::vector<KeepRule>& keep_;
  std::vector<std::string> path_;
  std::vector<CascadeStep> out_;
};

}  // namespace

Result<SchemaGraph> LoadSchemaGraph(source::Source& source,
                                    std::vector<std::pair<std::string, source::ForeignKey>> declared) {
  SchemaGraph graph;
  graph.declared = std::move(declared);
  Result<std::vector<std::string>> names = source.ListTables();
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    Result<source::Table> table = source.DescribeShape(name);
    if (!table.ok()) return table.status();
    graph.tables.push_back(std::move(*table));
  }
  return graph;
}

Result<std::vector<CascadeStep>> ExpandDelete(source::Transaction& tx, const SchemaGraph& schema,
                                              const source::WriteOp& del, const std::vector<KeepRule>& keep) {
  RowCounter count = [&tx](const std::string& table, const Predicate& where) { return tx.Count(table, where); };
  return ExpandDelete(count, schema, del, keep);
}

Result<std::vector<CascadeStep>> ExpandDelete(const RowCounter& count, const SchemaGraph& schema,
                                              const source::WriteOp& del, const std::vector<KeepRule>& keep) {
  if (del.kind != WriteOp::Kind::kDelete)
    return Status::Error("only deletes are expanded (" + del.table + ")", StatusCode::kInternal);
  Expander expander(count, schema, keep);
  DPO_RETURN_IF_ERROR(expander.Expand(del.table, del.where, 0, ""));
  return expander.Take();
}

}  // namespace dpo::plan
