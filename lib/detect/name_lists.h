// Bundled person-name and place lists (Dutch and international), used by the
// column classifier to recognise name and city columns by content. Lookups
// are case-insensitive on ASCII; the lists hold the common spellings only.
#pragma once

#include <string_view>

namespace dpo::detect {

bool IsKnownFirstName(std::string_view word);
bool IsKnownSurname(std::string_view word);
// Dutch name particles: van, de, van der, ter, ten, den, het, 't, op, in 't, ...
// (one word at a time: "van", "der").
bool IsTussenvoegsel(std::string_view word);
bool IsKnownCity(std::string_view value);
// Value sets that are personal data only together with a column name.
bool IsGenderValue(std::string_view value);
bool IsMaritalStatusValue(std::string_view value);
bool IsNationalityValue(std::string_view value);

}  // namespace dpo::detect
