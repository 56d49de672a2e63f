// Durations and dates as policies and --as-of flags spell them
// (util/duration.h): parse, and round-trip what parses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  dpo::Result<dpo::util::Duration> d = dpo::util::ParseDuration(text);
  dpo::Result<dpo::util::Date> date = dpo::util::ParseIsoDate(text);
  if (d.ok()) {
    dpo::Result<dpo::util::Duration> again = dpo::util::ParseDuration(d->ToString());
    if (!again.ok() || !(*again == *d)) abort();  // the canonical form must read back
    (void)d->ToHuman();
  }
  if (date.ok()) {
    std::string iso = date->ToIso();
    dpo::Result<dpo::util::Date> again = dpo::util::ParseIsoDate(iso);
    if (!again.ok() || !(*again == *date)) abort();
    long days = dpo::util::DaysFromCivil(*date);
    if (!(dpo::util::CivilFromDays(days) == *date)) abort();
    if (d.ok()) {
      (void)dpo::util::Subtract(*date, *d);
      (void)dpo::util::Add(*date, *d);
    }
  }
  return 0;
}
