#include "source/predicate_eval.h"

#include <charconv>
#include <cmath>

namespace dpo::source {
namespace {

struct Number {
  bool is_integer = false;
  long long integer = 0;
  double real = 0;
};

// Accepts [+-]digits[.digits][(e|E)[+-]digits] (at least one digit in the
// mantissa) and nothing else: no spaces, no "inf" or "nan", no hex.
std::optional<Number> ParseNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  bool integral = true;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    integral = false;
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    integral = false;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  // from_chars takes no leading '+'.
  std::string_view body = s[0] == '+' ? s.substr(1) : s;
  Number n;
  if (integral) {
    auto r = std::from_chars(body.data(), body.data() + body.size(), n.integer);
    if (r.ec == std::errc() && r.ptr == body.data() + body.size()) {
      n.is_integer = true;
      n.real = static_cast<double>(n.integer);
      return n;
    }
  }
  auto r = std::from_chars(body.data(), body.data() + body.size(), n.real);
  if (r.ptr != body.data() + body.size() && r.ec != std::errc::result_out_of_range) return std::nullopt;
  if (r.ec == std::errc::result_out_of_range) n.real = body[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  return n;
}

// <0, 0, >0 like strcmp.
template <typename L>
int Compare(std::string_view cell, const L& literal) {
  if (literal.is_number) {
    if (std::optional<Number> n = ParseNumber(cell)) {
      if (n->is_integer && literal.is_integer)
        return n->integer < literal.integer ? -1 : n->integer > literal.integer ? 1 : 0;
      return n->real < literal.real ? -1 : n->real > literal.real ? 1 : 0;
    }
  }
  int c = cell.compare(literal.text);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

class LookupCells : public RowCells {
 public:
  LookupCells(const std::vector<std::string>& names,
              const std::function<std::optional<std::string_view>(const std::string&)>& lookup)
      : names_(names), lookup_(lookup) {}
  std::optional<std::string_view> Cell(size_t column) const override {
    return lookup_(names_[column]);
  }

 private:
  const std::vector<std::string>& names_;
  const std::function<std::optional<std::string_view>(const std::string&)>& lookup_;
};

class BatchCells : public RowCells {
 public:
  BatchCells(const RowBatch& batch, size_t row) : batch_(batch), row_(row) {}
  std::optional<std::string_view> Cell(size_t column) const override {
    if (batch_.IsNull(row_, column)) return std::nullopt;
    return batch_.Cell(row_, column);
  }

 private:
  const RowBatch& batch_;
  size_t row_;
};

void CollectColumns(const Predicate& p, std::vector<std::string>* out) {
  switch (p.op) {
    case Predicate::Op::kAnd:
    case Predicate::Op::kOr:
    case Predicate::Op::kNot:
      for (const Predicate& c : p.children) CollectColumns(c, out);
      return;
    default:
      for (const std::string& s : *out)
        if (s == p.column) return;
      out->push_back(p.column);
  }
}

}  // namespace

Status BoundPredicate::BindNode(const Predicate& p, const std::vector<std::string>& columns,
                                const std::string& table, Node* node) {
  node->op = p.op;
  switch (p.op) {
    case Predicate::Op::kAnd:
    case Predicate::Op::kOr:
    case Predicate::Op::kNot:
      if (p.op == Predicate::Op::kNot && p.children.size() != 1)
        return Status::Error("NOT needs exactly one condition (in a condition on table " + table + ")");
      node->children.resize(p.children.size());
      for (size_t i = 0; i < p.children.size(); ++i)
        DPO_RETURN_IF_ERROR(BindNode(p.children[i], columns, table, &node->children[i]));
      return Status::Ok();
    default:
      break;
  }
  size_t index = columns.size();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == p.column) {
      index = i;
      break;
    }
  }
  if (index == columns.size()) return Status::Error("unknown column " + table + "." + p.column);
  node->column = index;
  bool needs_value = p.op != Predicate::Op::kIsNull && p.op != Predicate::Op::kIsNotNull &&
                     p.op != Predicate::Op::kIn;
  if (needs_value && p.values.size() != 1) {
    return Status::Error("condition on " + table + "." + p.column + " needs exactly one value");
  }
  for (const std::string& v : p.values) {
    Literal lit;
    lit.text = v;
    if (std::optional<Number> n = ParseNumber(v)) {
      lit.is_number = true;
      lit.is_integer = n->is_integer;
      lit.integer = n->integer;
      lit.real = n->real;
    }
    node->values.push_back(std::move(lit));
  }
  return Status::Ok();
}

Result<BoundPredicate> BoundPredicate::Bind(const Predicate& predicate,
                                            const std::vector<std::string>& columns,
                                            const std::string& table) {
  BoundPredicate bound;
  DPO_RETURN_IF_ERROR(BindNode(predicate, columns, table, &bound.root_));
  return bound;
}

BoundPredicate::Truth BoundPredicate::Eval(const Node& node, const RowCells& row) {
  using Op = Predicate::Op;
  switch (node.op) {
    case Op::kAnd: {
      Truth t = Truth::kTrue;
      for (const Node& c : node.children) {
        Truth r = Eval(c, row);
        if (r == Truth::kFalse) return Truth::kFalse;
        if (r == Truth::kUnknown) t = Truth::kUnknown;
      }
      return t;
    }
    case Op::kOr: {
      Truth t = Truth::kFalse;
      for (const Node& c : node.children) {
        Truth r = Eval(c, row);
        if (r == Truth::kTrue) return Truth::kTrue;
        if (r == Truth::kUnknown) t = Truth::kUnknown;
      }
      return t;
    }
    case Op::kNot: {
      Truth r = Eval(node.children[0], row);
      return r == Truth::kUnknown ? r : r == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
    }
    default:
      break;
  }
  std::optional<std::string_view> cell = row.Cell(node.column);
  if (node.op == Op::kIsNull) return cell ? Truth::kFalse : Truth::kTrue;
  if (node.op == Op::kIsNotNull) return cell ? Truth::kTrue : Truth::kFalse;
  if (!cell) return Truth::kUnknown;
  auto truth = [](bool b) { return b ? Truth::kTrue : Truth::kFalse; };
  switch (node.op) {
    case Op::kEq: return truth(Compare(*cell, node.values[0]) == 0);
    case Op::kNe: return truth(Compare(*cell, node.values[0]) != 0);
    case Op::kLt: return truth(Compare(*cell, node.values[0]) < 0);
    case Op::kLe: return truth(Compare(*cell, node.values[0]) <= 0);
    case Op::kGt: return truth(Compare(*cell, node.values[0]) > 0);
    case Op::kGe: return truth(Compare(*cell, node.values[0]) >= 0);
    case Op::kIn:
      for (const Literal& v : node.values)
        if (Compare(*cell, v) == 0) return Truth::kTrue;
      return Truth::kFalse;
    default:
      return Truth::kUnknown;
  }
}

bool BoundPredicate::Matches(const RowCells& row) const {
  return Eval(root_, row) == Truth::kTrue;
}

bool BoundPredicate::Matches(const RowBatch& batch, size_t row) const {
  return Matches(BatchCells(batch, row));
}

bool EvaluatePredicate(
    const Predicate& predicate,
    const std::function<std::optional<std::string_view>(const std::string& column)>& lookup) {
  std::vector<std::string> names;
  CollectColumns(predicate, &names);
  Result<BoundPredicate> bound = BoundPredicate::Bind(predicate, names, "row");
  if (!bound.ok()) return false;  // malformed (e.g. a comparison without a value) selects nothing
  return bound->Matches(LookupCells(names, lookup));
}

Status ValidatePredicateColumns(const Predicate& predicate, const Table& table) {
  std::vector<std::string> names;
  for (const Column& c : table.columns) names.push_back(c.name);
  Result<BoundPredicate> bound = BoundPredicate::Bind(predicate, names, table.name);
  return bound.ok() ? Status::Ok() : bound.status();
}

}  // namespace dpo::source
