// Identity values as people write them: the same e-mail, phone number, BSN
// or IBAN spelled in different ways must match. Pure functions on text; no
// source, no policy. Every function accepts any bytes (fuzzed).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsar/subject_data.h"
#include "util/status.h"

namespace dpo::dsar {

enum class IdentityKind {
  kEmail,  // case-insensitive, surrounding spaces ignored
  kPhone,  // 06-12345678 = +31 6 12345678 = 0031612345678 = (06) 1234 5678
  kBsn,    // 8 or 9 digits: 12345678 = 012345678; dots and spaces ignored
  kIban,   // spaces ignored, case-insensitive
  kText,   // anything else: surrounding spaces ignored, exact otherwise
};
const char* IdentityKindName(IdentityKind kind);  // "email", "phone", "bsn", "iban", "text"

// Parses one --subject argument "KEY=VALUE" (the first '=' splits; KEY is
// trimmed and must be non-empty, VALUE is trimmed and must be non-empty).
// Refused too: an argument over 1024 bytes, a control character (line break,
// NUL) in KEY or VALUE. Errors say what to write instead, and never contain
// the value; they show KEY only when it looks like a column or category name
// (so "jan@example.com=" written the wrong way round is not echoed either).
Result<SubjectSelector> ParseSubjectSelector(std::string_view argument);

// The kind of identity a column holds, from its name and its category's
// detector names (policy categories list them: [email], [phone], [bsn],
// [iban]); kText when neither says. One identity kind among the detectors
// decides; several (a "contact" category with [email, phone]) are decided
// by the column name, and are kText when it does not choose between them.
IdentityKind IdentityKindFor(std::string_view column_name, const std::vector<std::string>& detector_names);

// The canonical form two spellings of one identity share:
//   email  " Jan.Jansen@Example.COM " -> "jan.jansen@example.com"
//   phone  "06-12345678", "+31 6 12345678", "0031612345678" -> "+31612345678";
//          "+31 (0)6 ..." drops the (0); other international numbers -> "+"
//          and digits; a number without a country code that is not
//          Dutch-shaped (0 + 9 digits) -> its digits, except a mobile number
//          a spreadsheet damaged: "612345678", "31612345678" -> "+31612345678"
//   bsn    "12.34.56.782", "012345678" -> "012345678" (9 digits, leading zeros:
//          compared as a number, so shorter values are padded to 9); only
//          digits, '.', '-' and spaces: anything else gives ""
//   iban   "nl91 abna 0417 1643 00" -> "NL91ABNA0417164300"
//   text   trimmed
// Returns "" for a value that has nothing of its kind (a phone with no digit).
std::string NormaliseIdentity(IdentityKind kind, std::string_view value);

// The spellings under which `value` is likely stored, for a lookup by an
// index (column IN (...)): the value as given, trimmed, its canonical form and
// the usual ways of writing it (phone: 0612345678, 06-12345678, 06 12345678,
// +31612345678, +31 6 12345678, 0031612345678; email: as given and lower case;
// bsn: 8 and 9 digits; iban: compact and in groups of four, upper and lower
// case). Every variant normalises to the same canonical form. No duplicates,
// no empty strings; at most 32. A stored spelling outside this list is found
// only by a scan (every value normalised and compared).
std::vector<std::string> SpellingVariants(IdentityKind kind, std::string_view value);

}  // namespace dpo::dsar
