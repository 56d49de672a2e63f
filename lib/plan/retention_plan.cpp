#include "plan/retention_plan.h"
#include "util/duration.h"

#include <array>
#include <chrono>
#include <ctime>

#include "anonymise/operators.h"
#include "plan/cascade.h"
#include "plan/index_advice.h"
#include "plan/retention_predicate.h"
#include "relations/policy_relations.h"
#include "source/sql_dialect.h"
#include "source/write_guard.h"
#include "util/keyed_hash.h"

namespace dpo::plan {
namespace {

using source::Predicate;
using source::WriteOp;
using Op = Predicate::Op;

const char* ActionName(policy::RetentionAction a) {
  switch (a) {
    case policy::RetentionAction::kDelete: return "delete";
    case policy::RetentionAction::kAnonymise: return "anonymise";
    case policy::RetentionAction::kRestrict: return "restrict";
  }
  return "?";
}

}  // namespace

std::vector<std::string> KeyColumnsOf(const source::Table& table, const policy::Dataset* dataset,
                                      const source::WriteOp& op) {
  auto assigned = [&](const std::string& c) {
    for (const auto& [column, value] : op.assignments)
      if (column == c) return true;
    for (const source::WriteOp::ComputedAssignment& a : op.computed)
      if (a.column == c) return true;
    return false;
  };
  auto usable = [&](const std::vector<std::string>& columns) {
    if (columns.empty()) return false;
    for (const std::string& c : columns)
      if (assigned(c)) return false;
    return true;
  };
  if (usable(table.primary_key)) return table.primary_key;
  if (table.FindColumn("id") != nullptr && !assigned("id")) return {"id"};
  if (dataset != nullptr && usable(dataset->IdentifierColumns())) return dataset->IdentifierColumns();
  std::vector<std::string> rest;
  for (const source::Column& c : table.columns)
    if (!assigned(c.name)) rest.push_back(c.name);
  return rest;
}

namespace {

// Keys may be shown as examples only when none of their columns holds
// personal data according to the policy (a candidate id: yes; an e-mail used
// as a key: no).
bool KeysArePrintable(const std::vector<std::string>& key_columns, const policy::Dataset* dataset) {
  if (dataset == nullptr) return false;
  for (const std::string& k : key_columns) {
    const policy::ColumnMapping* m = dataset->FindColumn(k);
    if (m != nullptr && !m->category.empty()) return false;
  }
  return key_columns.size() <= 3;
}

std::string InlineLiterals(const source::SqlText& text, source::SqlDialect dialect) {
  std::string sql = text.sql;
  // From the highest number down, so that ?1 never eats the start of ?12.
  for (size_t i = text.params.size(); i-- > 0;) {
    std::string marker = (dialect == source::SqlDialect::kPostgres ? "$" : "?") + std::to_string(i + 1);
    std::string literal = "NULL";
    if (text.params[i]) {
      literal = "'";
      for (char c : *text.params[i]) literal += c == '\'' ? std::string("''") : std::string(1, c);
      literal += "'";
    }
    for (size_t pos = 0; (pos = sql.find(marker, pos)) != std::string::npos;) {
      size_t end = pos + marker.size();
      if (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) {
        pos = end;
        continue;
      }
      sql.replace(pos, marker.size(), literal);
      pos += literal.size();
    }
  }
  return sql;
}


class Planner {
 public:
  Planner(const policy::Policy& policy, source::Source& source, const PlanOptions& options, SchemaGraph graph)
      : policy_(policy), source_(source), options_(options), graph_(std::move(graph)) {
    dialect_ = source.kind() == source::SourceKind::kPostgres ? source::SqlDialect::kPostgres
                                                              : source::SqlDialect::kSqlite;
  }

  Status PlanRule(const policy::RetentionRule& rule, RetentionPlan* plan) {
    RulePlan r;
    r.rule = rule.id;
    r.table = rule.dataset;
    r.action = ActionName(rule.action);
    r.keep = rule.keep.ToString();
    r.after_column = rule.AfterText();
    r.cutoff = RetentionCutoff(rule, options_.as_of).ToIso();
    r.basis = rule.basis;
    auto blocked = [&](const Status& why) {
      r.blocked = why.message();
      plan->rules.push_back(std::move(r));
      return Status::Ok();
    };
    Result<RuleRows> rows = RetentionRows(policy_, rule, graph_, options_.as_of);
    if (!rows.ok()) return Fatal(rows.status()) ? rows.status() : blocked(rows.status());
    const source::Table* table = graph_.Find(rule.dataset);
    Predicate expired = rows->expired;
    for (const HoldRows& hold : rows->held) {
      Result<int64_t> n = source_.Count(rule.dataset, hold.rows);
      if (!n.ok()) return n.status();
      r.holds.push_back({hold.name, *n, hold.parent});
    }
    Result<int64_t> undated = source_.Count(rule.dataset, rows->undated);
    if (!undated.ok()) return undated.status();
    r.undated = *undated;

    std::vector<PlanStep> steps;
    Status built = rule.action == policy::RetentionAction::kDelete ? PlanDelete(rule, *table, expired, &r, &steps)
                                                                     : PlanUpdate(rule, *table, expired, &r, &steps);
    if (!built.ok()) return Fatal(built) ? built : blocked(built);
    for (PlanStep& s : steps) {
      DPO_RETURN_IF_ERROR(Describe(&s));
      if (!plan->table_rows.count(s.table)) {
        Result<int64_t> rows = source_.Count(s.table, std::nullopt);
        if (!rows.ok()) return rows.status();
        plan->table_rows[s.table] = *rows;
      }
      if (s.depth == 0) r.to_act += s.rows;
      plan->steps.push_back(std::move(s));
    }
    plan->rules.push_back(std::move(r));
    return Status::Ok();
  }

  const SchemaGraph& graph() const { return graph_; }

 private:
  // Errors of the source itself end the plan; the others block one rule.
  static bool Fatal(const Status& s) {
    return s.code() == StatusCode::kInternal || s.code() == StatusCode::kIoError || s.code() == StatusCode::kBusy;
  }

  Status PlanDelete(const policy::RetentionRule& rule, const source::Table& table, Predicate expired, RulePlan* r,
                    std::vector<PlanStep>* steps) {
    // Leave out the rows whose children must stay: the delete waits for them.
    Predicate rows = expired;
    std::vector<KeepRule> keep;
    for (const source::Table& t : graph_.tables) {
      Result<std::optional<Predicate>> kept = LegalHoldRows(policy_, t.name, graph_, options_.as_of);
      if (!kept.ok()) return kept.status();
      if (*kept) keep.push_back({t.name, **kept, "a legal hold on " + t.name + " (or on a row it belongs to)"});
    }
    std::vector<Predicate> parts = {expired};
    for (const source::Reference& ref : source::ReferencesTo(table.name, graph_.tables, graph_.declared)) {
      if (ref.child == table.name) continue;
      const source::Table* child = graph_.Find(ref.child);
      if (child == nullptr) continue;
      Result<std::optional<Predicate>> kept = LegalHoldRows(policy_, child->name, graph_, options_.as_of);
      if (!kept.ok()) return kept.status();
      if (!*kept) continue;
      std::vector<Predicate> sub = {**kept};
      for (const std::string& c : ref.key.columns) sub.push_back(Predicate::Null(c, false));
      parts.push_back(Predicate::Negate(
          Predicate::InSelect(ref.key.referenced_columns, ref.child, ref.key.columns, Predicate::All(std::move(sub)))));
    }
    if (parts.size() > 1) {
      rows = Predicate::All(std::move(parts));
      Result<int64_t> all = source_.Count(table.name, expired);
      if (!all.ok()) return all.status();
      Result<int64_t> acting = source_.Count(table.name, rows);
      if (!acting.ok()) return acting.status();
      r->kept_for_children = *all - *acting;
    }
    WriteOp del;
    del.kind = WriteOp::Kind::kDelete;
    del.table = table.name;
    del.where = rows;
    RowCounter count = [this](const std::string& t, const Predicate& p) { return source_.Count(t, p); };
    Result<std::vector<CascadeStep>> expanded = ExpandDelete(count, graph_, del, keep);
    if (!expanded.ok()) return expanded.status();
    for (CascadeStep& c : *expanded) {
      PlanStep s;
      s.rule = rule.id;
      s.table = c.op.table;
      s.action = c.op.kind == WriteOp::Kind::kDelete ? "delete" : "unlink";
      s.depth = c.depth;
      s.via = c.via;
      s.rows = c.rows;
      s.op = std::move(c.op);
      if (s.rows > 0 || s.depth == 0) steps->push_back(std::move(s));
    }
    return Status::Ok();
  }

  Status PlanUpdate(const policy::RetentionRule& rule, const source::Table& table, Predicate expired, RulePlan*,
                    std::vector<PlanStep>* steps) {
    UpdateContext context;
    context.source_kind = source_.kind();
    context.policy = &policy_;
    context.references = source::ReferencesTo(table.name, graph_.tables, graph_.declared);
    Result<WriteOp> op = RuleUpdateOp(rule, table, context);
    if (!op.ok()) return op.status();
    op->where = Predicate::All({std::move(expired), op->where});
    Result<int64_t> n = source_.Count(table.name, op->where);
    if (!n.ok()) return n.status();
    PlanStep s;
    s.rule = rule.id;
    s.table = table.name;
    s.action = ActionName(rule.action);
    s.rows = *n;
    s.op = std::move(*op);
    steps->push_back(std::move(s));
    return Status::Ok();
  }

  Status Describe(PlanStep* s) { return DescribePlanStep(policy_, source_, graph_, options_.example_keys, s); }

  const policy::Policy& policy_;
  source::Source& source_;
  const PlanOptions& options_;
  SchemaGraph graph_;
  source::SqlDialect dialect_;
};

}  // namespace

source::SqlTarget SqlTargetFor(const SchemaGraph& graph, const std::string& name, source::SqlDialect dialect) {
  const source::Table* t = graph.Find(name);
  source::SqlTarget target{source::QuoteIdentifier(name, dialect, dialect == source::SqlDialect::kPostgres), t, nullptr};
  target.resolve = [&graph, dialect](const std::string& other) -> Result<source::SqlTarget> {
    if (graph.Find(other) == nullptr) return Status::Error("no table " + other);
    return SqlTargetFor(graph, other, dialect);
  };
  return target;
}

Status DescribePlanStep(const policy::Policy& policy, source::Source& source, const SchemaGraph& graph,
                        size_t example_keys, PlanStep* s) {
  const source::Table* table = graph.Find(s->table);
  if (table == nullptr) return Status::Error("no table " + s->table, StatusCode::kInternal);
  const policy::Dataset* dataset = policy.FindDataset(s->table);
  s->key_columns = KeyColumnsOf(*table, dataset, s->op);
  std::vector<std::string> examples;
  size_t max = KeysArePrintable(s->key_columns, dataset) ? example_keys : 0;
  Result<std::string> digest = KeysDigest(source, s->table, s->key_columns, s->op.where, &examples, max);
  if (!digest.ok()) return digest.status();
  s->keys_sha256 = *digest;
  s->example_keys = std::move(examples);
  source::SqlDialect dialect =
      source.kind() == source::SourceKind::kPostgres ? source::SqlDialect::kPostgres : source::SqlDialect::kSqlite;
  Result<source::SqlText> text = source::RenderWriteOp(s->op, SqlTargetFor(graph, s->table, dialect), dialect);
  if (!text.ok()) return text.status();
  s->sql = InlineLiterals(*text, dialect);
  return Status::Ok();
}


Result<source::WriteOp> RuleUpdateOp(const policy::RetentionRule& rule, const source::Table& table,
                                     const UpdateContext& context) {
  WriteOp op;
  op.kind = WriteOp::Kind::kUpdate;
  op.table = table.name;
  if (rule.action == policy::RetentionAction::kAnonymise) {
    // Each column gets the operator that keeps the table's constraints
    // (anonymise::DefaultOperator); a row is still to do while any of its
    // columns is (anonymise::PendingRows).
    const policy::Dataset* dataset = context.policy ? context.policy->FindDataset(table.name) : nullptr;
    std::vector<Predicate> pending;
    for (const std::string& c : rule.columns) {
      const source::Column* column = table.FindColumn(c);
      if (column == nullptr) return Status::Error("column " + table.name + "." + c + " does not exist");
      anonymise::ColumnContext facts;
      facts.source_kind = context.source_kind;
      facts.table = &table;
      facts.column = column;
      const policy::ColumnMapping* mapping = dataset ? dataset->FindColumn(c) : nullptr;
      if (mapping != nullptr && !mapping->category.empty())
        facts.category = context.policy->FindCategory(mapping->category);
      for (const source::Reference& ref : context.references)
        for (size_t i = 0; i < ref.key.referenced_columns.size() && i < ref.key.columns.size(); ++i)
          if (ref.key.referenced_columns[i] == c) facts.referenced_by.push_back(ref.child + "." + ref.key.columns[i]);
      Result<anonymise::Operator> chosen = anonymise::DefaultOperator(facts);
      if (!chosen.ok()) return chosen.status();
      anonymise::AddToUpdate(c, *chosen, &op);
      pending.push_back(anonymise::PendingRows(c, *chosen));
    }
    op.where = Predicate::Any(std::move(pending));
    return op;
  } else if (rule.action == policy::RetentionAction::kRestrict) {
    for (const auto& [c, value] : rule.set) {
      if (table.FindColumn(c) == nullptr) return Status::Error("column " + table.name + "." + c + " does not exist");
      op.assignments.emplace_back(c, value);
    }
  } else {
    return Status::Error("rule " + rule.id + " deletes rows; it has no update", StatusCode::kInternal);
  }
  // Rows already restricted are not changed again: a second sweep finds
  // nothing to do.
  std::vector<Predicate> pending;
  for (const auto& [c, value] : op.assignments)
    pending.push_back(value ? Predicate::Any({Predicate::Null(c), Predicate::Compare(Op::kNe, c, *value)})
                            : Predicate::Null(c, false));
  op.where = Predicate::Any(std::move(pending));
  return op;
}

int64_t RetentionPlan::TotalRows() const {
  int64_t total = 0;
  for (const PlanStep& s : steps) total += s.rows;
  return total;
}

Result<std::string> KeysDigest(source::Source& source, const std::string& table,
                               const std::vector<std::string>& key_columns, const source::Predicate& where,
                               std::vector<std::string>* examples, size_t max_examples, int64_t* row_count) {
  source::ReadRequest request;
  request.columns = key_columns;
  request.where = where;
  Result<std::unique_ptr<source::RowReader>> reader = source.Read(table, request);
  if (!reader.ok()) return reader.status();
  std::array<uint8_t, 32> acc{};
  int64_t rows = 0;
  source::RowBatch batch;
  std::string key;
  for (;;) {
    Result<bool> more = (*reader)->Next(&batch);
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      key.clear();
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        if (c > 0) key += '\x1f';
        if (batch.IsNull(r, c)) key += '\0';
        else key += batch.Cell(r, c);
      }
      util::Digest d = util::Sha256(key);
      for (size_t i = 0; i < acc.size(); ++i) acc[i] ^= d[i];
      if (examples != nullptr && examples->size() < max_examples) {
        std::string shown = key;
        for (char& ch : shown)
          if (ch == '\x1f') ch = '/';
        examples->push_back(shown);
      }
      ++rows;
    }
  }
  if (row_count != nullptr) *row_count = rows;
  return util::Sha256Hex(util::ToHex(acc.data(), acc.size()) + ":" + std::to_string(rows));
}

Result<RetentionPlan> MakeRetentionPlan(const policy::Policy& policy, source::Source& source,
                                        const PlanOptions& options) {
  std::vector<std::pair<std::string, source::ForeignKey>> declared = relations::PolicyRelations(policy);
  source.DeclareRelations(declared);
  Result<SchemaGraph> graph = LoadSchemaGraph(source, declared);
  if (!graph.ok()) return graph.status();
  RetentionPlan plan;
  plan.tool_version = options.tool_version;
  plan.created_at = util::NowUtc();
  plan.as_of = options.as_of.ToIso();
  plan.policy_file = policy.file;
  plan.policy_sha256 = options.policy_sha256;
  plan.source = source.DisplayName();
  plan.source_kind = source::SourceKindName(source.kind());
  Planner planner(policy, source, options, std::move(*graph));
  for (const policy::RetentionRule& rule : policy.retention) {
    if (rule.todo) continue;
    DPO_RETURN_IF_ERROR(planner.PlanRule(rule, &plan));
  }
  plan.index_advice = AdviseIndexes(policy, plan, planner.graph(), source.kind());
  plan.skipped = source.Skipped();
  return plan;
}

}  // namespace dpo::plan
