// The one comparison rule of the predicate dialect, shared by the SQL
// renderer and the CSV evaluator so that a plan selects the same rows
// whatever it runs against. See predicate.h for the rule in words.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "source/source.h"
#include "util/status.h"

namespace dpo::source {

enum class CompareAs { kNumber, kBoolean, kText };

// How values of a column of `type` compare.
CompareAs CompareAsFor(TypeClass type);

// Checks a literal against the column it is compared with and returns its
// canonical form: numbers unchanged, booleans "true" or "false", dates and
// timestamps unchanged (they must start with YYYY-MM-DD), text unchanged. An
// error names `table.column`, the type and what to write instead; it never
// echoes the literal, which may be personal data.
Result<std::string> CanonicalLiteral(const std::string& literal, TypeClass type, const std::string& table,
                                     const std::string& column);

// A cell of a boolean column as "true"/"false"; std::nullopt when it is not
// a boolean spelling (true/false, t/f, 1/0, yes/no, y/n, on/off; any case).
std::optional<bool> ParseBoolean(std::string_view text);

}  // namespace dpo::source
