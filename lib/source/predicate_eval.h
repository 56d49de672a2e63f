// Evaluating a Predicate row by row, for sources that cannot push it into SQL
// (CSV). The semantics match what the SQL sources render, so that a plan
// selects the same rows whatever it runs against:
//  - comparison is numeric when both sides parse as numbers (integers exactly,
//    otherwise as doubles), textual (bytewise) otherwise, so ISO-8601 dates
//    and timestamps compare in time order;
//  - NULL compares as unknown: every comparison with it, IN included, is not
//    true; NOT, AND and OR follow SQL's three-valued logic, and a row matches
//    only when the whole predicate is true. IS NULL / IS NOT NULL test it.
//  - an empty AND is true, an empty OR is false.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "source/predicate.h"
#include "source/row_batch.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::source {

// One-off evaluation. `lookup` returns a column's value, std::nullopt for NULL.
bool EvaluatePredicate(
    const Predicate& predicate,
    const std::function<std::optional<std::string_view>(const std::string& column)>& lookup);

// Ok if every column the predicate names is a column of `table`; otherwise
// "unknown column table.column".
Status ValidatePredicateColumns(const Predicate& predicate, const Table& table);

// Access to the cells of one row by column index (the index into the column
// list the predicate was bound to); std::nullopt for NULL.
class RowCells {
 public:
  virtual ~RowCells() = default;
  virtual std::optional<std::string_view> Cell(size_t column) const = 0;
};

// A predicate with its columns resolved to indexes and its literals parsed
// once, for evaluating it on many rows.
class BoundPredicate {
 public:
  // `columns` are the names of the row's columns in order; `table` names the
  // table in errors ("unknown column table.column").
  static Result<BoundPredicate> Bind(const Predicate& predicate,
                                     const std::vector<std::string>& columns,
                                     const std::string& table);

  bool Matches(const RowCells& row) const;
  bool Matches(const RowBatch& batch, size_t row) const;

 private:
  struct Literal {
    std::string text;
    bool is_number = false;
    bool is_integer = false;
    long long integer = 0;
    double real = 0;
  };
  struct Node {
    Predicate::Op op = Predicate::Op::kAnd;
    size_t column = 0;
    std::vector<Literal> values;
    std::vector<Node> children;
  };
  enum class Truth { kFalse, kTrue, kUnknown };

  static Status BindNode(const Predicate& predicate, const std::vector<std::string>& columns,
                         const std::string& table, Node* node);
  static Truth Eval(const Node& node, const RowCells& row);

  Node root_;
};

}  // namespace dpo::source
