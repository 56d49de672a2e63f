#include "plan/plan_json.h"

#include <nlohmann/json.hpp>

namespace dpo::plan {
namespace {

using json = nlohmann::ordered_json;
using source::Predicate;
using Op = Predicate::Op;

constexpr std::pair<Op, const char*> kOps[] = {
    {Op::kAnd, "and"}, {Op::kOr, "or"},   {Op::kNot, "not"},         {Op::kEq, "eq"},
    {Op::kNe, "ne"},   {Op::kLt, "lt"},   {Op::kLe, "le"},           {Op::kGt, "gt"},
    {Op::kGe, "ge"},   {Op::kIn, "in"},   {Op::kIsNull, "is_null"},  {Op::kIsNotNull, "is_not_null"},
    {Op::kInSelect, "in_select"}, {Op::kLike, "like"},
};

json PredicateJson(const Predicate& p) {
  json j;
  for (const auto& [op, name] : kOps)
    if (op == p.op) j["op"] = name;
  switch (p.op) {
    case Op::kAnd: case Op::kOr: case Op::kNot: {
      json children = json::array();
      for (const Predicate& c : p.children) children.push_back(PredicateJson(c));
      j["children"] = children;
      return j;
    }
    case Op::kInSelect:
      j["columns"] = p.key_columns;
      j["table"] = p.sub_table;
      j["table_columns"] = p.sub_columns;
      j["where"] = p.children.empty() ? json() : PredicateJson(p.children[0]);
      return j;
    default:
      j["column"] = p.column;
      if (p.op != Op::kIsNull && p.op != Op::kIsNotNull) j["values"] = p.values;
      return j;
  }
}

Status Bad(const std::string& file, const std::string& path, const std::string& what) {
  return Status::Error(file + ": " + path + ": " + what + "; was the plan edited? make a new one with 'dpo retention plan'");
}

Result<Predicate> PredicateFrom(const json& j, const std::string& file, const std::string& path) {
  if (!j.is_object() || !j.contains("op") || !j["op"].is_string()) return Bad(file, path, "not a condition");
  Predicate p;
  bool known = false;
  for (const auto& [op, name] : kOps)
    if (j["op"] == name) p.op = op, known = true;
  if (!known) return Bad(file, path + ".op", "unknown operator");
  try {
    switch (p.op) {
      case Op::kAnd: case Op::kOr: case Op::kNot: {
        const json& children = j.at("children");
        for (size_t i = 0; i < children.size(); ++i) {
          Result<Predicate> c = PredicateFrom(children[i], file, path + ".children[" + std::to_string(i) + "]");
          if (!c.ok()) return c.status();
          p.children.push_back(std::move(*c));
        }
        return p;
      }
      case Op::kInSelect: {
        p.key_columns = j.at("columns").get<std::vector<std::string>>();
        p.sub_table = j.at("table").get<std::string>();
        p.sub_columns = j.at("table_columns").get<std::vector<std::string>>();
        Result<Predicate> w = PredicateFrom(j.at("where"), file, path + ".where");
        if (!w.ok()) return w.status();
        p.children.push_back(std::move(*w));
        return p;
      }
      default:
        p.column = j.at("column").get<std::string>();
        if (j.contains("values")) p.values = j["values"].get<std::vector<std::string>>();
        return p;
    }
  } catch (const json::exception&) {
    return Bad(file, path, "a field is missing or has the wrong type");
  }
}

}  // namespace

std::string PlanToJson(const RetentionPlan& plan) {
  json j;
  j["format"] = "dpo-retention-plan";
  j["format_version"] = plan.format_version;
  j["kind"] = plan.kind;
  if (!plan.subject_keys.empty()) j["subject_keys"] = plan.subject_keys;
  j["tool_version"] = plan.tool_version;
  j["created_at"] = plan.created_at;
  j["as_of"] = plan.as_of;
  j["policy_file"] = plan.policy_file;
  j["policy_sha256"] = plan.policy_sha256;
  j["source"] = plan.source;
  j["source_kind"] = plan.source_kind;
  j["total_rows"] = plan.TotalRows();
  json rules = json::array();
  for (const RulePlan& r : plan.rules) {
    json rj;
    rj["rule"] = r.rule;
    rj["table"] = r.table;
    rj["action"] = r.action;
    rj["keep"] = r.keep;
    rj["after"] = r.after_column;
    rj["cutoff"] = r.cutoff;
    rj["basis"] = r.basis;
    rj["rows"] = r.to_act;
    json holds = json::array();
    for (const HoldCount& h : r.holds) {
      json hj = {{"name", h.name}, {"rows", h.rows}};
      if (!h.parent.empty()) hj["parent"] = h.parent;
      holds.push_back(hj);
    }
    rj["held"] = holds;
    rj["kept_for_children"] = r.kept_for_children;
    rj["undated"] = r.undated;
    if (!r.blocked.empty()) rj["blocked"] = r.blocked;
    if (!r.note.empty()) rj["note"] = r.note;
    rules.push_back(rj);
  }
  j["rules"] = rules;
  json advice = json::array();
  for (const IndexAdvice& a : plan.index_advice)
    advice.push_back({{"table", a.table}, {"columns", a.columns}, {"reason", a.reason}, {"sql", a.sql}});
  j["index_advice"] = advice;
  if (!plan.skipped.empty()) {
    json skipped = json::array();
    for (const source::SkippedRows& s : plan.skipped)
      skipped.push_back({{"table", s.table}, {"file", s.location}, {"rows", s.count}, {"first_lines", s.first_lines}});
    j["skipped_rows"] = skipped;
  }
  json steps = json::array();
  for (const PlanStep& s : plan.steps) {
    json sj;
    sj["rule"] = s.rule;
    sj["table"] = s.table;
    sj["action"] = s.action;
    sj["depth"] = s.depth;
    if (!s.via.empty()) sj["via"] = s.via;
    sj["rows"] = s.rows;
    sj["key_columns"] = s.key_columns;
    sj["keys_sha256"] = s.keys_sha256;
    sj["example_keys"] = s.example_keys;
    sj["sql"] = s.sql;
    sj["kind"] = s.op.kind == source::WriteOp::Kind::kDelete ? "delete" : "update";
    json set = json::array();
    for (const auto& [c, v] : s.op.assignments) set.push_back({{"column", c}, {"value", v ? json(*v) : json()}});
    if (s.op.kind == source::WriteOp::Kind::kUpdate) {
      sj["set"] = set;
      json computed = json::array();
      for (const source::WriteOp::ComputedAssignment& c : s.op.computed)
        computed.push_back({{"column", c.column}, {"operator", c.op}});
      sj["computed"] = computed;
    }
    sj["where"] = PredicateJson(s.op.where);
    steps.push_back(sj);
  }
  j["steps"] = steps;
  json tables = json::object();
  for (const auto& [t, n] : plan.table_rows) tables[t] = n;
  j["table_rows"] = tables;
  return j.dump(2) + "\n";
}

Result<RetentionPlan> PlanFromJson(const std::string& text, const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return Status::Error(file + ": not a plan: invalid JSON at byte " + std::to_string(e.byte) +
                         "; give the file 'dpo retention plan --out' wrote");
  } catch (const json::exception&) {
    // Valid syntax the parser still refuses: a number too large for a double
    // ("1e999"). Not a plan dpo wrote either.
    return Status::Error(file + ": not a plan: a number in it is out of range; give the file 'dpo retention plan --out' wrote");
  }
  // A "format" that is not a string (value() would throw) is not a plan.
  auto format = j.is_object() ? j.find("format") : j.end();
  if (!j.is_object() || format == j.end() || !format->is_string() || *format != "dpo-retention-plan")
    return Status::Error(file + ": not a dpo retention plan; give the file 'dpo retention plan --out' wrote");
  RetentionPlan plan;
  try {
    plan.format_version = j.at("format_version").get<int>();
    if (plan.format_version != 1)
      return Status::Error(file + ": plan format version " + std::to_string(plan.format_version) +
                           " is not supported by this dpo; make a new plan");
    plan.kind = j.value("kind", std::string("retention"));
    if (plan.kind != "retention" && plan.kind != "erasure")
      return Status::Error(file + ": plan kind '" + plan.kind + "' is not retention or erasure; make a new plan");
    if (j.contains("subject_keys")) plan.subject_keys = j.at("subject_keys").get<std::vector<std::string>>();
    plan.tool_version = j.at("tool_version").get<std::string>();
    plan.created_at = j.at("created_at").get<std::string>();
    plan.as_of = j.at("as_of").get<std::string>();
    plan.policy_file = j.at("policy_file").get<std::string>();
    plan.policy_sha256 = j.at("policy_sha256").get<std::string>();
    plan.source = j.at("source").get<std::string>();
    plan.source_kind = j.at("source_kind").get<std::string>();
    for (const json& rj : j.at("rules")) {
      RulePlan r;
      r.rule = rj.at("rule").get<std::string>();
      r.table = rj.at("table").get<std::string>();
      r.action = rj.at("action").get<std::string>();
      r.keep = rj.at("keep").get<std::string>();
      r.after_column = rj.at("after").get<std::string>();
      r.cutoff = rj.at("cutoff").get<std::string>();
      r.basis = rj.value("basis", "");
      r.to_act = rj.at("rows").get<int64_t>();
      for (const json& h : rj.at("held"))
        r.holds.push_back({h.at("name").get<std::string>(), h.at("rows").get<int64_t>(), h.value("parent", "")});
      r.kept_for_children = rj.value("kept_for_children", int64_t{0});
      r.undated = rj.value("undated", int64_t{0});
      r.blocked = rj.value("blocked", "");
      r.note = rj.value("note", "");
      plan.rules.push_back(std::move(r));
    }
    if (j.contains("index_advice"))
      for (const json& a : j.at("index_advice"))
        plan.index_advice.push_back({a.at("table").get<std::string>(), a.at("columns").get<std::vector<std::string>>(),
                                     a.value("reason", ""), a.at("sql").get<std::string>()});
    if (j.contains("skipped_rows"))
      for (const json& s : j.at("skipped_rows")) {
        source::SkippedRows skipped;
        skipped.table = s.at("table").get<std::string>();
        skipped.location = s.value("file", "");
        skipped.count = s.at("rows").get<int64_t>();
        if (s.contains("first_lines")) skipped.first_lines = s.at("first_lines").get<std::vector<int64_t>>();
        plan.skipped.push_back(std::move(skipped));
      }
    const json& steps = j.at("steps");
    for (size_t i = 0; i < steps.size(); ++i) {
      const json& sj = steps[i];
      const std::string path = "steps[" + std::to_string(i) + "]";
      PlanStep s;
      s.rule = sj.at("rule").get<std::string>();
      s.table = sj.at("table").get<std::string>();
      s.action = sj.at("action").get<std::string>();
      s.depth = sj.at("depth").get<int>();
      s.via = sj.value("via", "");
      s.rows = sj.at("rows").get<int64_t>();
      s.key_columns = sj.at("key_columns").get<std::vector<std::string>>();
      s.keys_sha256 = sj.at("keys_sha256").get<std::string>();
      s.example_keys = sj.at("example_keys").get<std::vector<std::string>>();
      s.sql = sj.value("sql", "");
      s.op.table = s.table;
      std::string kind = sj.at("kind").get<std::string>();
      if (kind == "delete") {
        s.op.kind = source::WriteOp::Kind::kDelete;
      } else if (kind == "update") {
        s.op.kind = source::WriteOp::Kind::kUpdate;
        for (const json& a : sj.at("set")) {
          const json& v = a.at("value");
          s.op.assignments.emplace_back(a.at("column").get<std::string>(),
                                        v.is_null() ? std::nullopt : std::optional<std::string>(v.get<std::string>()));
        }
        // Bound to their functions (and the key) by apply, never here.
        if (sj.contains("computed"))
          for (const json& c : sj.at("computed"))
            s.op.computed.push_back({c.at("column").get<std::string>(), c.at("operator").get<std::string>(), nullptr});
      } else {
        return Bad(file, path + ".kind", "must be delete or update");
      }
      Result<Predicate> where = PredicateFrom(sj.at("where"), file, path + ".where");
      if (!where.ok()) return where.status();
      s.op.where = std::move(*where);
      plan.steps.push_back(std::move(s));
    }
    for (const auto& [t, n] : j.at("table_rows").items()) plan.table_rows[t] = n.get<int64_t>();
  } catch (const json::exception&) {
    return Status::Error(file + ": the plan is incomplete or a field has the wrong type; make a new plan with "
                         "'dpo retention plan'");
  }
  return plan;
}

}  // namespace dpo::plan
