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
    // column's text LIKE values[0]: in the pattern '_' is any one character,
    // '%' any run of characters (none too) and a backslash makes the next
    // character literal; every other character matches itself, bytewise and
    // case-sensitively. The column is matched in its text form
    // (docs/source-types.md) whatever its type, and the pattern is not
    // checked against the type; NULL never matches. Used to recognise values
    // dpo wrote itself (a pseudonym's "anon-" prefix, a January 1st).
    kLike,
    // Semi-join: (key_columns) IN (SELECT sub_columns FROM sub_table WHERE
    // children[0]). Rendered as SQL inside the database; evaluated by CSV
    // with a key set built from sub_table. A NULL in any key column never
    // matches.
    kInSelect,
  };
  Op op = Op::kAnd;
  std::string column;
  // Literals as text. One comparison rule, by the column's type
  // (Column::type; inferred for CSV), the same in SQL and in CSV evaluation:
  //  - integer, real: numeric; a literal that is not a number is an error;
  //  - boolean: true/false (also t/f, 1/0, yes/no), = and <> only;
  //  - everything else (text, date, timestamp, blob, unknown): bytewise text
  //    (PostgreSQL: COLLATE "C"), so ISO-8601 dates and timestamps compare in
  //    time order ("2024-01-31" < "2024-02-01 08:00:00") and '9' > '10'.
  std::vector<std::string> values;
  // kIn on a text column only: compare the column's value with surrounding
  // spaces (ASCII blanks) removed and ASCII letters lower-cased, so that
  // " Jan@Example.COM" matches "jan@example.com"; `values` must already be in
  // that form. SQL: lower(trim(column)) IN (...), evaluated inside the
  // database (an index on lower(trim(column)) serves it). Ignored on other
  // column types. Used to find a data subject by e-mail however it was typed.
  bool fold_case = false;
  std::vector<Predicate> children;
  // kInSelect only.
  std::vector<std::string> key_columns;
  std::string sub_table;
  std::vector<std::string> sub_columns;

  static Predicate Compare(Op op, std::string column, std::string value) {
    Predicate p; p.op = op; p.column = std::move(column); p.values = {std::move(value)}; return p;
  }
  static Predicate Like(std::string column, std::string pattern) {
    Predicate p; p.op = Op::kLike; p.column = std::move(column); p.values = {std::move(pattern)}; return p;
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
  static Predicate InSelect(std::vector<std::string> key_columns, std::string sub_table,
                            std::vector<std::string> sub_columns, Predicate sub_where) {
    Predicate p; p.op = Op::kInSelect; p.key_columns = std::move(key_columns); p.sub_table = std::move(sub_table);
    p.sub_columns = std::move(sub_columns); p.children = {std::move(sub_where)}; return p;
  }
  static Predicate Negate(Predicate child) {
    Predicate p; p.op = Op::kNot; p.children = {std::move(child)}; return p;
  }
};

}  // namespace dpo::source
