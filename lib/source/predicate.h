// The small dialect in which plans and checks express "which rows": a
// predicate tree over columns and literal values. Database sources render it
// to SQL with every identifier quoted and every literal bound or escaped; the
// CSV source evaluates it row by row. Nothing outside lib/source/ writes SQL.
#pragma once

#include <string>
#include <vector>

namespace dpo::source {

struct Predicate {
  enum class Op {
    kAnd, kOr, kNot,                     // children
    kEq, kNe, kLt, kLe, kGt, kGe,        // column OP values[0]
    kIn,                                 // column IN values
    kIsNull, kIsNotNull,                 // column
  };
  Op op = Op::kAnd;
  std::string column;
  // Literals as text. Comparison is numeric when both sides parse as numbers,
  // otherwise textual; ISO-8601 dates and timestamps therefore compare in
  // time order ("2024-01-31" < "2024-02-01 08:00:00").
  std::vector<std::string> values;
  std::vector<Predicate> children;

  static Predicate Compare(Op op, std::string column, std::string value) {
    Predicate p; p.op = op; p.column = std::move(column); p.values = {std::move(value)}; return p;
  }
  static Predicate Null(std::string column, bool is_null = true) {
    Predicate p; p.op = is_null ? Op::kIsNull : Op::kIsNotNull; p.column = std::move(column); return p;
  }
  static Predicate All(std::vector<Predicate> children) {
    Predicate p; p.op = Op::kAnd; p.children = std::move(children); return p;
  }
  static Predicate Any(std::vector<Predicate> children) {
    Predicate p; p.op = Op::kOr; p.children = std::move(children); return p;
  }
  static Predicate Negate(Predicate child) {
    Predicate p; p.op = Op::kNot; p.children = {std::move(child)}; return p;
  }
};

}  // namespace dpo::source
