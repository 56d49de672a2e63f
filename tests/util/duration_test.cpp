#include <doctest/doctest.h>

#include "util/duration.h"

using dpo::util::Date;
using dpo::util::Duration;

TEST_CASE("durations parse in short, long and Dutch forms") {
  CHECK(dpo::util::ParseDuration("2y").value() == Duration::Years(2));
  CHECK(dpo::util::ParseDuration("18 months").value() == Duration::Months(18));
  CHECK(dpo::util::ParseDuration("4w").value() == Duration::Weeks(4));
  CHECK(dpo::util::ParseDuration(" 14 dagen ").value() == Duration::Days(14));
  CHECK(dpo::util::ParseDuration("7 jaar").value() == Duration::Years(7));
  CHECK(dpo::util::ParseDuration("1 year").value().ToHuman() == "1 year");
  CHECK(dpo::util::ParseDuration("2y").value().ToString() == "2y");
  for (const char* bad : {"", "y", "2", "2 fortnights", "two years", "2y after x", "-2y", "99999999y"}) {
    auto r = dpo::util::ParseDuration(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().message().find("e.g. 2y") != std::string::npos);
  }
}

TEST_CASE("calendar arithmetic clamps month ends and handles leap years") {
  Date d = dpo::util::ParseIsoDate("2026-03-31").value();
  CHECK(dpo::util::Subtract(d, Duration::Months(1)).ToIso() == "2026-02-28");
  CHECK(dpo::util::Subtract(Date{2028, 2, 29}, Duration::Years(1)).ToIso() == "2027-02-28");
  CHECK(dpo::util::Subtract(Date{2026, 11, 21}, Duration::Years(2)).ToIso() == "2024-11-21");
  CHECK(dpo::util::Add(Date{2026, 12, 28}, Duration::Weeks(1)).ToIso() == "2027-01-04");
  CHECK(dpo::util::CivilFromDays(dpo::util::DaysFromCivil(Date{2000, 2, 29})) == Date{2000, 2, 29});
  CHECK(dpo::util::DaysFromCivil(Date{1970, 1, 1}) == 0);
}

TEST_CASE("ISO dates: timestamps accepted, impossible dates rejected") {
  CHECK(dpo::util::ParseIsoDate("2024-02-29 13:00:00").value() == Date{2024, 2, 29});
  CHECK(dpo::util::ParseIsoDate("2024-05-01T08:00:00Z").value() == Date{2024, 5, 1});
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-1-01", "01-02-2024", "2024-01-01x", ""})
    CHECK_FALSE(dpo::util::ParseIsoDate(bad).ok());
}
