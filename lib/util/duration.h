// Calendar durations ("2y", "4w", "18m", "14d", "7 years") and civil dates,
// as retention periods and DSAR deadlines use them. Months and years are
// calendar units: 2026-03-31 minus 1 month is 2026-02-28.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace dpo::util {

struct Duration {
  enum class Unit { kDays, kWeeks, kMonths, kYears };
  int amount = 0;
  Unit unit = Unit::kDays;

  static Duration Days(int n) { return {n, Unit::kDays}; }
  static Duration Weeks(int n) { return {n, Unit::kWeeks}; }
  static Duration Months(int n) { return {n, Unit::kMonths}; }
  static Duration Years(int n) { return {n, Unit::kYears}; }

  // Canonical short form: "2y", "4w", "18m", "14d".
  std::string ToString() const;
  // Human form: "2 years", "1 month", "4 weeks".
  std::string ToHuman() const;
  bool operator==(const Duration& o) const { return amount == o.amount && unit == o.unit; }
};

// Parses "2y", "2 y", "2 years", "1 year", "18m", "18 months", "4w", "4 weeks",
// "14d", "14 days" (also Dutch: jaar, jaren, maand, maanden, week, weken, dag,
// dagen). The error says what was expected.
Result<Duration> ParseDuration(std::string_view text);

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  std::string ToIso() const;  // "2026-11-21"
  bool operator==(const Date& o) const { return year == o.year && month == o.month && day == o.day; }
  bool operator<(const Date& o) const;
};

// Parses "YYYY-MM-DD" (a longer ISO timestamp is accepted; its date part is used).
Result<Date> ParseIsoDate(std::string_view text);
// Today in UTC, or DPO_TODAY=YYYY-MM-DD from the environment when set (tests, reproducible runs).
Date Today();
// The current time in UTC as ISO 8601, "2026-11-30T18:59:08Z" (plans, ledgers,
// audit entries, packages): the real clock, never DPO_TODAY.
std::string NowUtc();
Date Subtract(const Date& date, const Duration& duration);
Date Add(const Date& date, const Duration& duration);
// Days since 1970-01-01 and back.
long DaysFromCivil(const Date& date);
Date CivilFromDays(long days);

}  // namespace dpo::util
