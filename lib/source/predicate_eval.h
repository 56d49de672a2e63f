// Evaluating a Predicate row by row, for sources that cannot push it into SQL
// (CSV). The semantics match what the SQL sources render (sql_dialect.h), so
// that a plan selects the same rows whatever it runs against:
//  - one comparison rule by the column's type (compare_rule.h): integer and
//    real columns compare numerically, boolean columns by ParseBoolean (= and
//    <> and IN only), every other column bytewise as text, so ISO-8601 dates
//    and timestamps compare in time order. Literals are checked and
//    canonicalised by CanonicalLiteral when the predicate is bound: a literal
//    the column's type cannot hold is an error naming table.column.
//  - a CELL that its column's type cannot read (text in a column inferred as
//    integer, "maybe" in a boolean column) makes the comparison unknown, like
//    NULL: the row is not matched, and NOT does not turn it into a match.
//    (Types of CSV columns are inferred from the first rows, so such cells can
//    exist further down.)
//  - NULL compares as unknown: every comparison with it, IN included, is not
//    true; NOT, AND and OR follow SQL's three-valued logic, and a row matches
//    only when the whole predicate is true. IS NULL / IS NOT NULL test it.
//  - an empty AND is true, an empty OR is false.
//  - LIKE matches the cell's text as it is (no type rule): '_' is one UTF-8
//    character, '%' any run, a backslash escapes; bytewise, case-sensitive.
//  - a semi-join (kInSelect) is evaluated with a set of key tuples, built when
//    the predicate is bound by streaming the sub-table through TableRows and
//    evaluating the sub-predicate (recursively: nested semi-joins work). Key
//    values compare by the rule of the outer key columns: canonical numbers
//    for numeric columns ("007" = "7" = "7.0"), true/false for booleans,
//    bytes otherwise. As in SQL, a row whose key holds a NULL is not matched
//    (unknown, or false when the sub-select is empty), and a key not in the
//    set is unknown rather than false when the sub-select returned a NULL.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "source/compare_rule.h"
#include "source/predicate.h"
#include "source/row_batch.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::source {

// Access to the cells of one row by column index (the index into the column
// list the predicate was bound to); std::nullopt for NULL.
class RowCells {
 public:
  virtual ~RowCells() = default;
  virtual std::optional<std::string_view> Cell(size_t column) const = 0;
};

// The other tables a semi-join reads, as the caller sees them (a CSV
// transaction: its own current versions).
class TableRows {
 public:
  virtual ~TableRows() = default;
  // The columns of `table`, with their types. An unknown table is an error.
  virtual Result<std::vector<Column>> Columns(const std::string& table) = 0;
  // Calls `visit` for every row of `table`, in order; an error from `visit`
  // stops the scan and is returned.
  virtual Status Scan(const std::string& table, const std::function<Status(const RowCells& row)>& visit) = 0;
};

// A predicate with its columns resolved to indexes, its literals checked and
// parsed once and its semi-joins' key sets built, for evaluating it on many
// rows.
class BoundPredicate {
 public:
  // `columns` are the row's columns in order, with their types; `table`
  // names the table in errors ("unknown column table.column"). `tables`
  // resolves semi-joins; without it a semi-join is an error.
  static Result<BoundPredicate> Bind(const Predicate& predicate, const std::vector<Column>& columns,
                                     const std::string& table, TableRows* tables = nullptr);

  bool Matches(const RowCells& row) const;
  bool Matches(const RowBatch& batch, size_t row) const;

 private:
  enum class Truth { kFalse, kTrue, kUnknown };
  struct Literal {
    std::string text;      // canonical
    bool boolean = false;  // boolean columns
    bool is_integer = false;
    long long integer = 0;
    double real = 0;
  };
  struct KeySet {
    std::vector<CompareAs> compare_as;  // of each outer key column
    std::unordered_set<std::string> keys;
    // Sub-select rows with a NULL in some key column: a key not in `keys` is
    // unknown rather than false when one of these could equal it.
    std::vector<std::vector<std::optional<std::string>>> null_rows;
  };
  struct Node {
    Predicate::Op op = Predicate::Op::kAnd;
    CompareAs compare_as = CompareAs::kText;  // of the column
    bool fold_case = false;                   // kIn on text: Predicate::fold_case
    size_t column = 0;
    std::vector<size_t> key_columns;  // kInSelect
    std::vector<Literal> values;
    std::vector<Node> children;
    std::shared_ptr<const KeySet> key_set;  // kInSelect
    // kIn with many values (a ledger replay's keys): their CanonicalKey, so
    // that a row costs one lookup, not one comparison per value.
    std::shared_ptr<const std::unordered_set<std::string>> in_set;
  };

  static Status BindNode(const Predicate& predicate, const std::vector<Column>& columns, const std::string& table,
                         TableRows* tables, Node* node);
  static Status BindSemiJoin(const Predicate& predicate, const std::vector<Column>& columns,
                             const std::string& table, TableRows* tables, Node* node);
  static Truth Eval(const Node& node, const RowCells& row);
  static Truth EvalSemiJoin(const Node& node, const RowCells& row);

  Node root_;
};

// The text of a key value under a column's rule, so that equal values have
// equal texts: numbers canonical ("007", "7.0" and "7e0" give "7"), booleans
// "true"/"false", text unchanged; std::nullopt when the rule cannot read the
// value (not a number, not a boolean).
std::optional<std::string> CanonicalKey(std::string_view value, CompareAs rule);

}  // namespace dpo::source
