// Word lists the sample generator draws from: Dutch and international first
// names and surnames (with tussenvoegsels), Dutch street names, cities with
// their real postcode ranges and area codes, and the small vocabularies of a
// staffing agency (job titles, company names, user agents, referrers).
#pragma once

#include <cstddef>

namespace dpo::sample {

struct Surname {
  const char* tussenvoegsel;  // "" when none ("van der", "de")
  const char* name;           // "Berg"
};

struct City {
  const char* name;
  int postcode_low;   // first four digits of the city's postcode range
  int postcode_high;
  const char* area_code;  // "020": three digits, subscriber numbers have 7
};

struct WordList {
  const char* const* items;
  size_t size;
};

extern const WordList kDutchMaleFirstNames;
extern const WordList kDutchFemaleFirstNames;
extern const WordList kIntlMaleFirstNames;
extern const WordList kIntlFemaleFirstNames;
extern const Surname kDutchSurnames[];
extern const size_t kDutchSurnameCount;
extern const WordList kIntlSurnames;
extern const WordList kStreetNames;
extern const City kCities[];
extern const size_t kCityCount;
extern const WordList kDutchNationalities;   // "Nederlandse"
extern const WordList kOtherNationalities;   // "Poolse", "Turkse", ...
extern const WordList kOtherNationalityCodes;  // "POL", "TUR", ...: same order
extern const WordList kEmailDomains;
extern const WordList kJobTitles;
extern const WordList kCompanyWords;      // "Noordzee", "Delta", ...
extern const WordList kCompanySectors;    // "Logistiek", "Bouw", ...
extern const WordList kCompanyForms;      // "B.V.", "V.O.F.", ...
extern const WordList kContactJobTitles;  // "HR-manager", ...
extern const WordList kUserAgents;
extern const WordList kReferrers;
extern const WordList kPages;
extern const WordList kSkills;            // CV fragments
extern const WordList kAvailability;

}  // namespace dpo::sample
