#include "source/compare_rule.h"

#include <cctype>
#include <cstdlib>
#include <strings.h>

namespace dpo::source {
namespace {

// [+-]digits[.digits][(e|E)[+-]digits]: what both SQL databases and the CSV
// evaluator read as a number. No spaces, hex, inf or nan.
bool IsNumber(std::string_view s) {
  size_t i = 0, digits = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

bool StartsWithIsoDate(std::string_view s) {
  if (s.size() < 10) return false;
  for (size_t i = 0; i < 10; ++i) {
    bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return s.size() == 10 || s[10] == ' ' || s[10] == 'T';
}

}  // namespace

CompareAs CompareAsFor(TypeClass type) {
  switch (type) {
    case TypeClass::kInteger:
    case TypeClass::kReal:
      return CompareAs::kNumber;
    case TypeClass::kBoolean:
      return CompareAs::kBoolean;
    default:
      return CompareAs::kText;
  }
}

std::optional<bool> ParseBoolean(std::string_view text) {
  static const char* const kTrue[] = {"true", "t", "1", "yes", "y", "on"};
  static const char* const kFalse[] = {"false", "f", "0", "no", "n", "off"};
  if (text.size() > 5) return std::nullopt;
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* t : kTrue)
    if (lower == t) return true;
  for (const char* f : kFalse)
    if (lower == f) return false;
  return std::nullopt;
}

Result<std::string> CanonicalLiteral(const std::string& literal, TypeClass type, const std::string& table,
                                     const std::string& column) {
  const std::string where = table + "." + column;
  switch (CompareAsFor(type)) {
    case CompareAs::kNumber:
      if (!IsNumber(literal))
        return Status::Error("condition on " + where + ": the column is " + TypeClassName(type) +
                             " and the value compared with it is not a number; write a number such as 42 or 3.5");
      return literal;
    case CompareAs::kBoolean: {
      std::optional<bool> b = ParseBoolean(literal);
      if (!b)
        return Status::Error("condition on " + where +
                             ": the column is boolean; compare it with true or false");
      return std::string(*b ? "true" : "false");
    }
    case CompareAs::kText:
      break;
  }
  if ((type == TypeClass::kDate || type == TypeClass::kTimestamp) && !StartsWithIsoDate(literal))
    return Status::Error("condition on " + where + ": the column is a " + TypeClassName(type) +
                         " and the value compared with it is not an ISO date; write YYYY-MM-DD or "
                         "YYYY-MM-DD HH:MM:SS");
  return literal;
}

}  // namespace dpo::source
