// Free text in an anonymised export: a notes column is not replaced whole
// (a pseudonym of a note is useless to anyone) but span by span. The
// detectors find identifiers, person names and special-category and criminal
// terms (detect/identifier_spans.h); only those spans are replaced, each by a
// placeholder that names its kind:
//
//   "Gesprek met Jan de Vries, 06-12345678; is zwanger en lid van de FNV"
//   -> "Gesprek met [name], [phone]; is [health] en lid van de [union]"
//
// Why the kind and not one "[redacted]": an analyst of the export still sees
// that a note mentioned a health matter or a phone number (which is what
// questions about the data usually need: how many notes discuss sickness,
// how often candidates leave numbers in notes) but not which illness, whose
// name or what number; and the text keeps its sentence structure, so it stays
// readable. A placeholder holds nothing of the value: no length, no initial,
// no hash, so equal values in two notes cannot be linked.
//
// Limits, inherited from the detectors: a name the name lists do not know
// ("Fatma Dumitru") stays, as does an identifier that fails its validator (a
// 9-digit number failing the 11-check, a document number with no "paspoort"
// before it). The anonymised export is pseudonymised data, not anonymous.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "detect/kind.h"

namespace dpo::anonymise {

struct FreeTextCounts {
  int64_t spans = 0;                       // replaced, all kinds
  std::map<std::string, int64_t> by_kind;  // detect::KindName of the span's kind -> replaced
};

// The placeholder for a span of `kind`:
//   email "[email]", phone "[phone]", iban "[iban]", bsn "[bsn]",
//   person_name "[name]", street_address "[address]", postcode "[postcode]",
//   passport_nl and id_card_nl "[id_number]", payment_card "[card]",
//   social_profile "[url]", ipv4 and ipv6 "[ip]"; the terms "[health]",
//   "[belief]" (religion), "[origin]" (ethnicity), "[political]", "[union]",
//   "[sexuality]", "[physical]" (biometric, genetic), "[criminal]": words no
//   detector takes for a term, so that `dpo scan` of an export does not
//   report a special category for a placeholder. A stable vocabulary
//   (exports are read by other programs): never rename one. "" for a kind
//   no span has.
std::string_view Placeholder(detect::Kind kind);

// True when the bytes [offset, offset + length) of `text` lie inside one
// placeholder: a placeholder may hold a word a detector knows ("[bsn]" is
// the context word of a BSN), and a
// check of an export must not count the placeholder as what it replaced.
bool InPlaceholder(std::string_view text, size_t offset, size_t length);

// Replaces in *text every span detect::FindIdentifierSpans(*text, true)
// finds with Placeholder(kind). Returns the number of spans replaced; adds
// them to *counts when not null. Nothing outside the spans changes.
//
//  - Idempotent: a placeholder is never a span (a term found inside one is
//    skipped; a span that reaches into one, "[name]@example.nl", takes the
//    whole placeholder with it), and the text is scanned again after a
//    replacement until nothing is found, because replacing can change what
//    the detectors see (a shorter text brings "bsn" within reach of a later
//    number; "[bsn]" is itself such a context word). So running it on its
//    own output changes nothing.
//  - Any bytes in, no exception (other than std::bad_alloc), offsets valid;
//    valid UTF-8 in, valid UTF-8 out.
//  - No allocation per call beyond the new text (and the detectors' own).
int64_t RedactFreeText(std::string* text, FreeTextCounts* counts);

}  // namespace dpo::anonymise
