#include "plan/index_advice.h"

#include <cctype>
#include <optional>
#include <set>

#include "source/sql_dialect.h"
#include "source/write_guard.h"

namespace dpo::plan {
namespace {

class Advisor {
 public:
  Advisor(const SchemaGraph& schema, source::SourceKind kind) : schema_(schema), kind_(kind) {}

  void Want(const std::string& table_name, const std::vector<std::string>& columns, const std::string& reason) {
    if (columns.empty()) return;
    std::optional<IndexAdvice> advice = AdviseIndex(schema_, kind_, table_name, columns, reason);
    if (!advice) return;
    // One statement per table and leading column: the first reason wins.
    if (!seen_.insert(table_name + '\x1f' + columns.front()).second) return;
    advice_.push_back(std::move(*advice));
  }

  // The reference columns from `child` to `parent`, when exactly one links them.
  std::optional<source::ForeignKey> Reference(const std::string& child, const std::string& parent) const {
    std::optional<source::ForeignKey> found;
    for (const source::Reference& ref : source::ReferencesTo(parent, schema_.tables, schema_.declared)) {
      if (ref.child != child) continue;
      if (found && found->columns != ref.key.columns) return std::nullopt;
      found = ref.key;
    }
    return found;
  }

  std::vector<IndexAdvice> Take() { return std::move(advice_); }

 private:
  const SchemaGraph& schema_;
  source::SourceKind kind_;
  std::set<std::string> seen_;
  std::vector<IndexAdvice> advice_;
};

}  // namespace

std::optional<IndexAdvice> AdviseIndex(const SchemaGraph& schema, source::SourceKind kind,
                                       const std::string& table_name, const std::vector<std::string>& columns,
                                       const std::string& reason) {
  if (columns.empty() || kind == source::SourceKind::kCsv) return std::nullopt;
  const source::Table* table = schema.Find(table_name);
  if (table == nullptr) return std::nullopt;
  for (const std::string& c : columns)
    if (table->FindColumn(c) == nullptr) return std::nullopt;
  for (const std::vector<std::string>& index : table->indexes)
    if (!index.empty() && index.front() == columns.front()) return std::nullopt;
  source::SqlDialect dialect =
      kind == source::SourceKind::kPostgres ? source::SqlDialect::kPostgres : source::SqlDialect::kSqlite;
  std::string index_name = "dpo_" + table_name;
  for (const std::string& c : columns) index_name += "_" + c;
  for (char& ch : index_name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') ch = '_';
  if (index_name.size() > 60) index_name.resize(60);  // PostgreSQL keeps 63 bytes of a name
  std::string sql = "CREATE INDEX IF NOT EXISTS " + source::QuoteIdentifier(index_name, dialect) + " ON " +
                    source::QuoteIdentifier(table_name, dialect, dialect == source::SqlDialect::kPostgres) + " (";
  for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + source::QuoteIdentifier(columns[i], dialect);
  sql += ")";
  return IndexAdvice{table_name, columns, reason, sql};
}

std::vector<IndexAdvice> AdviseIndexes(const policy::Policy& policy, const RetentionPlan& plan,
                                       const SchemaGraph& schema, source::SourceKind kind) {
  Advisor advisor(schema, kind);
  for (const RulePlan& r : plan.rules) {
    if (!r.blocked.empty()) continue;
    const policy::RetentionRule* rule = nullptr;
    for (const policy::RetentionRule& candidate : policy.retention)
      if (candidate.id == r.rule) rule = &candidate;
    if (rule == nullptr) continue;
    const std::string why = "retention rule " + rule->id + " counts from this date";
    if (rule->after_table.empty()) {
      advisor.Want(rule->dataset, {rule->after_column}, why);
    } else if (!rule->after_latest) {
      advisor.Want(rule->after_table, {rule->after_column}, why);
      if (auto fk = advisor.Reference(rule->dataset, rule->after_table))
        advisor.Want(rule->dataset, fk->columns, "retention rule " + rule->id + " looks rows up by their reference");
    } else {
      if (auto fk = advisor.Reference(rule->after_table, rule->dataset)) {
        std::vector<std::string> columns = fk->columns;
        columns.push_back(rule->after_column);
        advisor.Want(rule->after_table, columns,
                     "retention rule " + rule->id + " looks for the latest " + rule->after_table + " row");
      }
    }
    if (!rule->after_fallback.empty()) advisor.Want(rule->dataset, {rule->after_fallback}, why);
  }
  for (const PlanStep& s : plan.steps) {
    if (s.depth == 0) continue;
    const source::Predicate& where = s.op.where;
    const source::Predicate* semi = where.op == source::Predicate::Op::kInSelect ? &where : nullptr;
    if (semi == nullptr && where.op == source::Predicate::Op::kAnd && !where.children.empty() &&
        where.children.front().op == source::Predicate::Op::kInSelect)
      semi = &where.children.front();
    if (semi != nullptr)
      advisor.Want(s.table, semi->key_columns,
                   "rows of " + s.table + " go with their " + semi->sub_table + " row (rule " + s.rule + ")");
  }
  return advisor.Take();
}

}  // namespace dpo::plan
