// SQL text for the database sources: quoting identifiers and rendering the
// predicate dialect and WriteOps to statements whose literal values travel as
// bound parameters, never inside the SQL text. This is the only place in dpo
// that builds SQL from names and values.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "source/predicate.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::source {

enum class SqlDialect { kSqlite, kPostgres };

// Wraps `name` in double quotes, doubling any double quote inside, so that any
// string (spaces, quotes, semicolons, reserved words, mixed case) is one
// identifier. NUL bytes cannot occur in identifiers of either database; they
// are dropped so the result is always a single well-formed token.
// With split_schema (PostgreSQL only, and only when the caller knows the name
// is "schema.table"), the name is split at its first '.' and both parts are
// quoted: "crm"."users". Callers that know the schema from the catalog should
// quote the parts themselves instead.
std::string QuoteIdentifier(std::string_view name, SqlDialect dialect, bool split_schema = false);

// A statement or fragment with its parameters: `sql` uses ?N (SQLite) or $N
// (PostgreSQL) placeholders numbered from 1 in order of `params`.
struct SqlText {
  std::string sql;
  std::vector<std::optional<std::string>> params;  // nullopt binds NULL
};

// How a rendered statement names its table and checks column names. `sql_name`
// is the already quoted table reference ("users" or "crm"."users"); `table`
// supplies the known columns and their types (unknown columns are an error
// naming table.column).
struct SqlTarget {
  std::string sql_name;
  const Table* table = nullptr;
  // Resolves the table of a semi-join (Predicate::kInSelect) to its target;
  // without it a semi-join is an error.
  std::function<Result<SqlTarget>(const std::string& table)> resolve;
};

// Renders `where` as a boolean SQL expression. Parameters are appended to
// out->params and numbered after those already there. An empty AND is TRUE,
// an empty OR and an empty IN are FALSE. Comparisons follow the rule in
// predicate.h by the column's type: literals are checked and canonicalised
// (compare_rule.h), text compares bytewise (PostgreSQL: COLLATE "C"; SQLite
// columns without a text affinity are cast to TEXT), numbers numerically.
Status RenderPredicate(const Predicate& where, const SqlTarget& target, SqlDialect dialect,
                       SqlText* out);

// "SELECT count(*) FROM t [WHERE ...]".
Result<SqlText> RenderCount(const SqlTarget& target, const std::optional<Predicate>& where,
                            SqlDialect dialect);

// "DELETE FROM t WHERE ..." or "UPDATE t SET a = ?1, b = NULL WHERE ...".
// An update without assignments is an error naming the table. With
// `returning` columns, "... RETURNING a, b" (SQLite >= 3.35, PostgreSQL).
// A computed assignment is rendered as a call of an SQL function on the
// column's current value, "c" = f("c"): `computed_functions` names the
// function of each (in order; the SQLite source registers them); when it is
// empty, ComputedFunctionName(op) is shown, for people to read.
Result<SqlText> RenderWriteOp(const WriteOp& op, const SqlTarget& target, SqlDialect dialect,
                              const std::vector<std::string>& returning = {},
                              const std::vector<std::string>& computed_functions = {});

// The name under which a computed assignment's operator is shown in SQL:
// "dpo_" + `op` with every character other than a letter, digit or '_' as
// '_' ("pseudonym:email" -> "dpo_pseudonym_email").
std::string ComputedFunctionName(std::string_view op);

// The select list for `columns` (all columns of the table when empty), quoted
// and comma separated; unknown columns are an error naming table.column.
Result<std::string> RenderSelectList(const std::vector<std::string>& columns, const Table& table,
                                     SqlDialect dialect, std::vector<std::string>* names);

}  // namespace dpo::source
