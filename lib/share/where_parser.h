// `dpo export --where COND`: the few conditions an admin types to choose the
// rows of one table for a recipient ("status=active", "city!=Utrecht",
// "registered_at>=2025-01-01", "linkedin_url is not null"), read into the
// predicate dialect every source already evaluates (source/predicate.h), so
// that SQLite and PostgreSQL filter inside the database and CSV row by row,
// by the one comparison rule.
//
// Grammar of one condition (surrounding blanks are ignored):
//   COL=VALUE  COL!=VALUE  COL<>VALUE  COL<VALUE  COL<=VALUE  COL>VALUE  COL>=VALUE
//   COL is null   COL is not null          ("is", "not", "null" in any letter case)
// COL is everything before the first of = ! < >; VALUE everything after the
// operator, taken as written (it may hold = or spaces). A VALUE in single or
// double quotes loses them ('' is the empty text; an unquoted empty VALUE is
// refused as a likely mistake).
//
// A VALUE may be personal data (email=...): no message here ever repeats it;
// messages name the condition by its position (--where #2) and the column.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "source/predicate.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::share {

// One condition as typed, read but not yet checked against a table.
struct WhereTerm {
  int position = 0;  // 1-based, among the --where flags (for messages)
  std::string column;
  source::Predicate::Op op = source::Predicate::Op::kEq;  // kEq..kGe, kIsNull, kIsNotNull
  std::string value;                                      // comparisons only
};

// Reads one condition. Errors (kInvalidArgument) say which --where, what is
// wrong and the forms that are understood.
Result<WhereTerm> ParseWhereTerm(std::string_view text, int position);

// Checks the terms against `table` and returns them ANDed (std::nullopt when
// there are none). Errors: a column the table does not have (naming
// table.column and the columns it has), a literal its column's type cannot
// compare with (a word against an integer column; < on a boolean), both
// without the literal.
Result<std::optional<source::Predicate>> BuildWhere(const std::vector<WhereTerm>& terms, const source::Table& table);

}  // namespace dpo::share
