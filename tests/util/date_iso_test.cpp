// Date::ToIso for early years (dpo issue 12): "--as-of 0001-01-01" once
// printed "before -001-01-01". The CLI now refuses days before 1900, but the
// library still formats every year with four digits and an ISO 8601 sign.
#include <doctest/doctest.h>

#include "util/duration.h"

using dpo::util::Date;
using dpo::util::Duration;

TEST_CASE("Date::ToIso: four-digit years, signed before year 1") {
  CHECK(Date{999, 3, 4}.ToIso() == "0999-03-04");
  CHECK(Date{1, 1, 1}.ToIso() == "0001-01-01");
  CHECK(Date{0, 1, 1}.ToIso() == "0000-01-01");
  CHECK(dpo::util::Subtract(Date{1, 1, 1}, Duration::Years(2)).ToIso() == "-0001-01-01");
  CHECK(Date{9999, 12, 31}.ToIso() == "9999-12-31");
}
