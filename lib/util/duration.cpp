#include "util/duration.h"

#include <cctype>
#include <cstdlib>
#include <ctime>

namespace dpo::util {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

Date AddMonths(const Date& d, int months) {
  int total = d.year * 12 + (d.month - 1) + months;
  Date r;
  r.year = total / 12;
  r.month = total % 12 + 1;
  r.day = d.day;
  int dim = DaysInMonth(r.year, r.month);
  if (r.day > dim) r.day = dim;
  return r;
}

}  // namespace

std::string Duration::ToString() const {
  const char* u = unit == Unit::kDays ? "d" : unit == Unit::kWeeks ? "w" : unit == Unit::kMonths ? "m" : "y";
  return std::to_string(amount) + u;
}

std::string Duration::ToHuman() const {
  const char* u = unit == Unit::kDays ? "day" : unit == Unit::kWeeks ? "week" : unit == Unit::kMonths ? "month" : "year";
  return std::to_string(amount) + " " + u + (amount == 1 ? "" : "s");
}

Result<Duration> ParseDuration(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  size_t digits_begin = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  auto bad = [&]() {
    return Status::Error("'" + std::string(text) +
                         "' is not a duration; write a number and a unit, e.g. 2y, 18m, 4w, 14d or \"7 years\"");
  };
  if (i == digits_begin || i - digits_begin > 6) return bad();
  int amount = std::atoi(std::string(text.substr(digits_begin, i - digits_begin)).c_str());
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  size_t unit_begin = i;
  while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
  std::string unit;
  for (char c : text.substr(unit_begin, i - unit_begin)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i != text.size()) return bad();
  Duration d;
  d.amount = amount;
  if (unit == "d" || unit == "day" || unit == "days" || unit == "dag" || unit == "dagen") {
    d.unit = Duration::Unit::kDays;
  } else if (unit == "w" || unit == "week" || unit == "weeks" || unit == "weken") {
    d.unit = Duration::Unit::kWeeks;
  } else if (unit == "m" || unit == "mo" || unit == "month" || unit == "months" || unit == "maand" || unit == "maanden") {
    d.unit = Duration::Unit::kMonths;
  } else if (unit == "y" || unit == "year" || unit == "years" || unit == "j" || unit == "jaar" || unit == "jaren") {
    d.unit = Duration::Unit::kYears;
  } else {
    return bad();
  }
  return d;
}

std::string Date::ToIso() const {
  // Four digits always; a year before 1 (only reached by subtracting long
  // periods from early days) as ISO 8601's signed "-0001", not printf's "-001".
  char buf[32];
  if (year < 0) std::snprintf(buf, sizeof buf, "-%04d-%02d-%02d", -year, month, day);
  else std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

bool Date::operator<(const Date& o) const {
  if (year != o.year) return year < o.year;
  if (month != o.month) return month < o.month;
  return day < o.day;
}

Result<Date> ParseIsoDate(std::string_view text) {
  auto bad = [&]() {
    return Status::Error("'" + std::string(text) + "' is not a date; write YYYY-MM-DD, e.g. 2026-01-31");
  };
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return bad();
  if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return bad();
  Date d;
  d.year = std::atoi(std::string(text.substr(0, 4)).c_str());
  d.month = std::atoi(std::string(text.substr(5, 2)).c_str());
  d.day = std::atoi(std::string(text.substr(8, 2)).c_str());
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > DaysInMonth(d.year, d.month)) return bad();
  return d;
}

Date Today() {
  if (const char* fixed = std::getenv("DPO_TODAY")) {
    Result<Date> d = ParseIsoDate(fixed);
    if (d.ok()) return *d;
  }
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

// Howard Hinnant's days_from_civil / civil_from_days.
long DaysFromCivil(const Date& date) {
  int y = date.year - (date.month <= 2);
  long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned mp = static_cast<unsigned>(date.month + (date.month > 2 ? -3 : 9));
  unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(date.day) - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

Date CivilFromDays(long z) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = static_cast<long>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

Date Add(const Date& date, const Duration& duration) {
  switch (duration.unit) {
    case Duration::Unit::kDays: return CivilFromDays(DaysFromCivil(date) + duration.amount);
    case Duration::Unit::kWeeks: return CivilFromDays(DaysFromCivil(date) + 7L * duration.amount);
    case Duration::Unit::kMonths: return AddMonths(date, duration.amount);
    case Duration::Unit::kYears: return AddMonths(date, 12 * duration.amount);
  }
  return date;
}

Date Subtract(const Date& date, const Duration& duration) {
  Duration negative = duration;
  negative.amount = -duration.amount;
  return Add(date, negative);
}

std::string NowUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace dpo::util
