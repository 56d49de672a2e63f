// Masking for sample values in reports and `dpo detect` output: enough to
// recognise the shape, never the whole value.
#pragma once

#include <string>
#include <string_view>

#include "detect/kind.h"

namespace dpo::detect {

// e-mail -> "j***@e***.nl"; number-like kinds (phone, BSN, IBAN, card, KvK,
// VAT, document numbers) keep separators and the last 2 characters and star
// the rest ("*******82"); names -> first letter per word ("J*** d* V***");
// dates -> "****-**-**" shape; anything else -> first character + "***".
// Guarantee: for a non-empty value the result never equals the value and
// never contains it, nor any run of more than 2 of its digits.
std::string MaskValue(std::string_view value, Kind kind);

}  // namespace dpo::detect
