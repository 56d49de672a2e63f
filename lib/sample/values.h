// Value makers: each appends one realistic value to `out`. Values are valid
// wherever real ones carry a checksum (BSN 11-check, IBAN mod-97 with real
// Dutch bank codes, VAT numbers whose digits pass the 11-check) so that the
// detectors' validators accept them, and well-formed elsewhere (postcodes of
// the city's real range, phone numbers with the city's area code).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sample/lists.h"
#include "sample/rng.h"

namespace dpo::sample {

void AppendBsn(Rng& rng, std::string& out);            // "123456782" (9 digits)
void AppendIban(Rng& rng, std::string& out);           // "NL91ABNA0417164300" (no spaces)
void AppendPostcode(Rng& rng, const City& city, std::string& out);  // "1011 AB"
void AppendMobile(Rng& rng, std::string& out);         // "06-12345678", "+31 6 12345678", "0612345678"
void AppendLandline(Rng& rng, const City& city, std::string& out);  // "020-1234567", "+31 20 1234567"
void AppendKvk(Rng& rng, std::string& out);            // "12345678"
void AppendVatNl(Rng& rng, std::string& out);          // "NL123456780B01"
void AppendDocumentNumber(Rng& rng, std::string& out); // "NW1K23P45": Dutch passport / identity card
void AppendIpv4(Rng& rng, std::string& out);           // public unicast only
void AppendIpv6(Rng& rng, std::string& out);           // global unicast, sometimes "::"-compressed
void AppendHex(Rng& rng, int digits, std::string& out);

// Civil dates as days since 1970-01-01.
void AppendDate(long days, std::string& out);                        // "2026-11-01"
void AppendTimestamp(long days, int second_of_day, std::string& out);  // "2026-11-01 09:30:12"

// Lowercase ASCII for e-mail local parts and URL slugs: folds the accented
// letters of our name lists (é -> e, ş -> s, ł -> l, ...) and drops
// spaces, apostrophes and hyphens (or replaces them by `separator` if non-zero).
void AppendAsciiSlug(std::string_view name, char separator, std::string& out);

// Checks used by the generator's own tests and by the test suite.
bool BsnElevenCheck(std::string_view digits);
bool IbanMod97(std::string_view iban);

}  // namespace dpo::sample
