#include "source/predicate_eval.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace dpo::source {
namespace {

struct Number {
  bool is_integer = false;
  long long integer = 0;
  double real = 0;
};

// Accepts [+-]digits[.digits][(e|E)[+-]digits] (at least one digit in the
// mantissa) and nothing else: no spaces, no "inf" or "nan", no hex. The same
// grammar CanonicalLiteral accepts for literals.
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
  // Out of range: strtod says +-HUGE_VAL (too large) or about 0 (too small).
  if (r.ec == std::errc::result_out_of_range) n.real = std::strtod(std::string(body).c_str(), nullptr);
  return n;
}

// The length of the UTF-8 character starting at text[i] (1 for a stray
// continuation or invalid byte, so that every byte is consumed once).
size_t CharLength(std::string_view text, size_t i) {
  unsigned char lead = static_cast<unsigned char>(text[i]);
  size_t n = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  size_t end = i + 1;
  while (end < text.size() && end < i + n && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  return end - i;
}

// LIKE as the predicate dialect defines it (predicate.h): '_' one character,
// '%' any run, a backslash escapes; iterative with one backtrack point per
// '%', so no pattern takes more than O(text x pattern) steps.
bool LikeMatches(std::string_view text, std::string_view pattern) {
  size_t t = 0, p = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size() && pattern[p] == '_') {
      t += CharLength(text, t);
      ++p;
      continue;
    }
    if (p < pattern.size()) {
      size_t lit = p;
      if (pattern[p] == '\\' && p + 1 < pattern.size()) lit = p + 1;
      if (pattern[lit] == text[t]) {
        p = lit + 1;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    star_t += CharLength(text, star_t);
    t = star_t;
    p = star_p;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

// An IN list longer than this is looked up in a hash set of canonical keys.
constexpr size_t kInSetFrom = 16;

int Sign(long long a, long long b) { return a < b ? -1 : a > b ? 1 : 0; }
int Sign(double a, double b) { return a < b ? -1 : a > b ? 1 : 0; }

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

Result<size_t> ColumnIndex(const std::vector<Column>& columns, const std::string& table, const std::string& name) {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return i;
  return Status::Error("unknown column " + table + "." + name);
}

// Length-prefixed, so that no choice of values makes two tuples collide.
void AppendKeyPart(std::string_view part, std::string* out) {
  out->append(std::to_string(part.size()));
  out->push_back(':');
  out->append(part);
}

}  // namespace

std::optional<std::string> CanonicalKey(std::string_view value, CompareAs rule) {
  switch (rule) {
    case CompareAs::kText:
      return std::string(value);
    case CompareAs::kBoolean: {
      std::optional<bool> b = ParseBoolean(value);
      if (!b) return std::nullopt;
      return std::string(*b ? "true" : "false");
    }
    case CompareAs::kNumber: {
      std::optional<Number> n = ParseNumber(value);
      if (!n) return std::nullopt;
      if (n->is_integer) return std::to_string(n->integer);
      // An integral real within the range of long long is that integer.
      if (std::isfinite(n->real) && std::trunc(n->real) == n->real && std::fabs(n->real) < 9.2e18)
        return std::to_string(static_cast<long long>(n->real));
      if (n->real == 0) return std::string("0");
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", n->real);
      return std::string(buf);
    }
  }
  return std::nullopt;
}

Status BoundPredicate::BindNode(const Predicate& p, const std::vector<Column>& columns, const std::string& table,
                                TableRows* tables, Node* node) {
  using Op = Predicate::Op;
  node->op = p.op;
  switch (p.op) {
    case Op::kAnd:
    case Op::kOr:
    case Op::kNot:
      if (p.op == Op::kNot && p.children.size() != 1)
        return Status::Error("NOT needs exactly one condition (in a condition on table " + table + ")");
      node->children.resize(p.children.size());
      for (size_t i = 0; i < p.children.size(); ++i)
        DPO_RETURN_IF_ERROR(BindNode(p.children[i], columns, table, tables, &node->children[i]));
      return Status::Ok();
    case Op::kInSelect:
      return BindSemiJoin(p, columns, table, tables, node);
    default:
      break;
  }
  Result<size_t> index = ColumnIndex(columns, table, p.column);
  if (!index.ok()) return index.status();
  node->column = *index;
  const Column& column = columns[*index];
  node->compare_as = CompareAsFor(column.type);
  node->fold_case = p.fold_case && p.op == Op::kIn && node->compare_as == CompareAs::kText;
  const std::string where = table + "." + p.column;
  if (p.op == Op::kIsNull || p.op == Op::kIsNotNull) return Status::Ok();
  if (p.op == Op::kLike) {
    // A pattern on the text form: neither checked nor canonicalised by type.
    if (p.values.size() != 1) return Status::Error("condition on " + where + " needs exactly one pattern");
    Literal pattern;
    pattern.text = p.values[0];
    node->values.push_back(std::move(pattern));
    return Status::Ok();
  }
  if (p.op != Op::kIn && p.values.size() != 1)
    return Status::Error("condition on " + where + " needs exactly one value");
  if (node->compare_as == CompareAs::kBoolean && p.op != Op::kEq && p.op != Op::kNe && p.op != Op::kIn)
    return Status::Error("condition on " + where + ": a boolean column can only be compared with = or <>");
  for (const std::string& v : p.values) {
    Result<std::string> canonical = CanonicalLiteral(v, column.type, table, p.column);
    if (!canonical.ok()) return canonical.status();
    Literal lit;
    lit.text = std::move(*canonical);
    if (node->compare_as == CompareAs::kBoolean) {
      lit.boolean = lit.text == "true";
    } else if (node->compare_as == CompareAs::kNumber) {
      std::optional<Number> n = ParseNumber(lit.text);
      if (!n) return Status::Error("condition on " + where + ": the value is not a number", StatusCode::kInternal);
      lit.is_integer = n->is_integer;
      lit.integer = n->integer;
      lit.real = n->real;
    }
    node->values.push_back(std::move(lit));
  }
  if (p.op == Op::kIn && node->values.size() > kInSetFrom) {
    auto set = std::make_shared<std::unordered_set<std::string>>();
    set->reserve(node->values.size());
    for (const Literal& lit : node->values)
      if (std::optional<std::string> key = CanonicalKey(lit.text, node->compare_as)) set->insert(std::move(*key));
    node->in_set = std::move(set);
  }
  return Status::Ok();
}

Status BoundPredicate::BindSemiJoin(const Predicate& p, const std::vector<Column>& columns, const std::string& table,
                                    TableRows* tables, Node* node) {
  if (p.children.size() != 1 || p.key_columns.empty() || p.key_columns.size() != p.sub_columns.size())
    return Status::Error("invalid semi-join on table " + table +
                         ": give as many key columns as sub-table columns, and one condition");
  auto keys = std::make_shared<KeySet>();
  for (const std::string& k : p.key_columns) {
    Result<size_t> index = ColumnIndex(columns, table, k);
    if (!index.ok()) return index.status();
    node->key_columns.push_back(*index);
    keys->compare_as.push_back(CompareAsFor(columns[*index].type));
  }
  if (tables == nullptr)
    return Status::Error("semi-join on table " + table + " cannot be evaluated here", StatusCode::kInternal);
  Result<std::vector<Column>> sub_columns = tables->Columns(p.sub_table);
  if (!sub_columns.ok()) return sub_columns.status();
  std::vector<size_t> sub_index;
  for (const std::string& c : p.sub_columns) {
    Result<size_t> index = ColumnIndex(*sub_columns, p.sub_table, c);
    if (!index.ok()) return index.status();
    sub_index.push_back(*index);
  }
  Result<BoundPredicate> sub_where = Bind(p.children[0], *sub_columns, p.sub_table, tables);
  if (!sub_where.ok()) return sub_where.status();
  std::string key;
  std::vector<std::optional<std::string>> null_row;
  DPO_RETURN_IF_ERROR(tables->Scan(p.sub_table, [&](const RowCells& row) -> Status {
    if (!sub_where->Matches(row)) return Status::Ok();
    key.clear();
    bool has_null = false, readable = true;
    null_row.assign(sub_index.size(), std::nullopt);
    for (size_t i = 0; i < sub_index.size(); ++i) {
      std::optional<std::string_view> cell = row.Cell(sub_index[i]);
      if (!cell) {
        has_null = true;
        continue;
      }
      std::optional<std::string> canonical = CanonicalKey(*cell, keys->compare_as[i]);
      if (!canonical) {
        readable = false;  // can equal no key the outer column's rule reads
        break;
      }
      AppendKeyPart(*canonical, &key);
      null_row[i] = std::move(canonical);
    }
    if (!readable) return Status::Ok();
    if (has_null) keys->null_rows.push_back(null_row);
    else keys->keys.insert(key);
    return Status::Ok();
  }));
  node->key_set = std::move(keys);
  return Status::Ok();
}

Result<BoundPredicate> BoundPredicate::Bind(const Predicate& predicate, const std::vector<Column>& columns,
                                            const std::string& table, TableRows* tables) {
  BoundPredicate bound;
  DPO_RETURN_IF_ERROR(BindNode(predicate, columns, table, tables, &bound.root_));
  return bound;
}

BoundPredicate::Truth BoundPredicate::EvalSemiJoin(const Node& node, const RowCells& row) {
  const KeySet& set = *node.key_set;
  const bool empty = set.keys.empty() && set.null_rows.empty();
  std::string key;
  std::vector<std::string> parts(node.key_columns.size());
  for (size_t i = 0; i < node.key_columns.size(); ++i) {
    std::optional<std::string_view> cell = row.Cell(node.key_columns[i]);
    // NULL IN (empty set) is false; against anything else unknown. (For a
    // key of several columns with a NULL this is not always SQL's answer,
    // which may be false; both select nothing.)
    if (!cell) return empty ? Truth::kFalse : Truth::kUnknown;
    std::optional<std::string> canonical = CanonicalKey(*cell, set.compare_as[i]);
    if (!canonical) return Truth::kUnknown;  // the column's type cannot read the cell
    AppendKeyPart(*canonical, &key);
    parts[i] = std::move(*canonical);
  }
  if (set.keys.count(key) > 0) return Truth::kTrue;
  for (const auto& null_row : set.null_rows) {
    bool could_equal = true;
    for (size_t i = 0; i < parts.size() && could_equal; ++i)
      if (null_row[i] && *null_row[i] != parts[i]) could_equal = false;
    if (could_equal) return Truth::kUnknown;
  }
  return Truth::kFalse;
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
    case Op::kInSelect:
      return EvalSemiJoin(node, row);
    default:
      break;
  }
  std::optional<std::string_view> cell = row.Cell(node.column);
  if (node.op == Op::kIsNull) return cell ? Truth::kFalse : Truth::kTrue;
  if (node.op == Op::kIsNotNull) return cell ? Truth::kTrue : Truth::kFalse;
  if (!cell) return Truth::kUnknown;
  if (node.op == Op::kLike) return LikeMatches(*cell, node.values[0].text) ? Truth::kTrue : Truth::kFalse;
  if (node.fold_case) {
    std::string_view v = *cell;
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    std::string folded(v);
    for (char& c : folded)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    for (const Literal& lit : node.values)
      if (lit.text == folded) return Truth::kTrue;
    return Truth::kFalse;
  }

  // <0, 0, >0 against each literal, by the column's rule; nullopt when the
  // rule cannot read the cell.
  std::optional<Number> number;
  std::optional<bool> boolean;
  if (node.compare_as == CompareAs::kNumber) {
    number = ParseNumber(*cell);
    if (!number) return Truth::kUnknown;
  } else if (node.compare_as == CompareAs::kBoolean) {
    boolean = ParseBoolean(*cell);
    if (!boolean) return Truth::kUnknown;
  }
  auto compare = [&](const Literal& lit) -> int {
    switch (node.compare_as) {
      case CompareAs::kNumber:
        if (number->is_integer && lit.is_integer) return Sign(number->integer, lit.integer);
        return Sign(number->real, lit.real);
      case CompareAs::kBoolean:
        return *boolean == lit.boolean ? 0 : 1;
      case CompareAs::kText:
        break;
    }
    int c = cell->compare(lit.text);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  };
  auto truth = [](bool b) { return b ? Truth::kTrue : Truth::kFalse; };
  switch (node.op) {
    case Op::kEq: return truth(compare(node.values[0]) == 0);
    case Op::kNe: return truth(compare(node.values[0]) != 0);
    case Op::kLt: return truth(compare(node.values[0]) < 0);
    case Op::kLe: return truth(compare(node.values[0]) <= 0);
    case Op::kGt: return truth(compare(node.values[0]) > 0);
    case Op::kGe: return truth(compare(node.values[0]) >= 0);
    case Op::kIn: {
      if (node.in_set) {
        // Equal canonical keys are what `compare` calls equal (as in a
        // semi-join; integers beyond 2^53 written as reals aside).
        std::optional<std::string> key = CanonicalKey(*cell, node.compare_as);
        if (!key) return Truth::kUnknown;
        return truth(node.in_set->count(*key) != 0);
      }
      for (const Literal& v : node.values)
        if (compare(v) == 0) return Truth::kTrue;
      return Truth::kFalse;
    }
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

}  // namespace dpo::source
