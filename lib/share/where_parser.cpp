#include "share/where_parser.h"

#include <cctype>

#include "source/compare_rule.h"
#include "util/message.h"

namespace dpo::share {
namespace {

using Op = source::Predicate::Op;

constexpr const char* kForms =
    "write COL=VALUE, COL!=VALUE, COL<VALUE, COL<=VALUE, COL>VALUE, COL>=VALUE, 'COL is null' or 'COL is not null'";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string At(int position) { return "--where #" + std::to_string(position); }

// The words after the column, for the null tests: "is null", "is  not null".
std::optional<Op> NullTest(std::string_view words) {
  std::vector<std::string> w;
  std::string cur;
  for (char c : words) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) w.push_back(Lower(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) w.push_back(Lower(cur));
  if (w.size() == 2 && w[0] == "is" && w[1] == "null") return Op::kIsNull;
  if (w.size() == 3 && w[0] == "is" && w[1] == "not" && w[2] == "null") return Op::kIsNotNull;
  return std::nullopt;
}

// "COL is [not] null": the column is what comes before the last two or
// three words. Column names with blanks are not supported in this form.
Result<WhereTerm> ParseNullTest(std::string_view text, int position) {
  size_t is = std::string_view::npos;
  for (size_t i = 0; i + 2 <= text.size(); ++i) {
    if (i > 0 && std::isspace(static_cast<unsigned char>(text[i - 1])) && Lower(text.substr(i, 2)) == "is" &&
        (i + 2 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 2])))) {
      is = i;
      break;
    }
  }
  if (is == std::string_view::npos)
    return Status::Error(At(position) + ": no comparison found; " + kForms, StatusCode::kInvalidArgument);
  std::optional<Op> op = NullTest(text.substr(is));
  if (!op)
    return Status::Error(At(position) + ": after the column, 'is' must be followed by 'null' or 'not null'; " + kForms,
                         StatusCode::kInvalidArgument);
  WhereTerm term;
  term.position = position;
  term.column = std::string(Trim(text.substr(0, is)));
  term.op = *op;
  if (term.column.empty())
    return Status::Error(At(position) + ": no column before 'is'; " + kForms, StatusCode::kInvalidArgument);
  return term;
}

}  // namespace

Result<WhereTerm> ParseWhereTerm(std::string_view raw, int position) {
  std::string_view text = Trim(raw);
  if (text.empty()) return Status::Error(At(position) + " is empty; " + kForms, StatusCode::kInvalidArgument);
  const size_t at = text.find_first_of("=!<>");
  if (at == std::string_view::npos) return ParseNullTest(text, position);

  WhereTerm term;
  term.position = position;
  term.column = std::string(Trim(text.substr(0, at)));
  size_t value_at = at + 1;
  const char c = text[at];
  const char next = at + 1 < text.size() ? text[at + 1] : '\0';
  if (c == '=') {
    term.op = Op::kEq;
  } else if (c == '!') {
    if (next != '=')
      return Status::Error(At(position) + ": '!' must be followed by '='; " + kForms, StatusCode::kInvalidArgument);
    term.op = Op::kNe;
    value_at = at + 2;
  } else if (c == '<') {
    term.op = next == '=' ? Op::kLe : next == '>' ? Op::kNe : Op::kLt;
    if (next == '=' || next == '>') value_at = at + 2;
  } else {  // '>'
    term.op = next == '=' ? Op::kGe : Op::kGt;
    if (next == '=') value_at = at + 2;
  }
  if (term.column.empty())
    return Status::Error(At(position) + ": no column before the operator; " + kForms, StatusCode::kInvalidArgument);
  std::string_view value = Trim(text.substr(value_at));
  if (value.empty())
    return Status::Error(At(position) + " (column " + util::NameForMessage(term.column) +
                             "): no value after the operator; to compare with the empty text write COL='', to test "
                             "for NULL write 'COL is null'",
                         StatusCode::kInvalidArgument);
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  term.value = std::string(value);
  return term;
}

Result<std::optional<source::Predicate>> BuildWhere(const std::vector<WhereTerm>& terms, const source::Table& table) {
  if (terms.empty()) return std::optional<source::Predicate>();
  std::vector<source::Predicate> parts;
  for (const WhereTerm& term : terms) {
    const source::Column* column = table.FindColumn(term.column);
    if (column == nullptr) {
      std::string names;
      for (const source::Column& c : table.columns) names += (names.empty() ? "" : ", ") + util::NameForMessage(c.name);
      return Status::Error(At(term.position) + ": " + util::NameForMessage(table.name + "." + term.column) +
                               " does not exist; " + util::NameForMessage(table.name) + " has the columns " + names,
                           StatusCode::kInvalidArgument);
    }
    if (term.op == Op::kIsNull || term.op == Op::kIsNotNull) {
      parts.push_back(source::Predicate::Null(column->name, term.op == Op::kIsNull));
      continue;
    }
    if (source::CompareAsFor(column->type) == source::CompareAs::kBoolean && term.op != Op::kEq &&
        term.op != Op::kNe)
      return Status::Error(At(term.position) + ": " + util::NameForMessage(table.name + "." + column->name) +
                               " is boolean; compare it with = or != and true or false",
                           StatusCode::kInvalidArgument);
    Result<std::string> literal = source::CanonicalLiteral(term.value, column->type, table.name, column->name);
    if (!literal.ok()) return literal.status().WithContext(At(term.position));
    parts.push_back(source::Predicate::Compare(term.op, column->name, std::move(*literal)));
  }
  if (parts.size() == 1) return std::optional<source::Predicate>(std::move(parts[0]));
  return std::optional<source::Predicate>(source::Predicate::All(std::move(parts)));
}

}  // namespace dpo::share
