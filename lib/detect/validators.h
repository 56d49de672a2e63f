// Validators: pure functions that say whether one candidate value is a valid
// instance of a kind. They take the value as written (common separators such
// as spaces, dots and dashes allowed where people write them) and never
// allocate on the hot path. They answer "is this exactly a valid X", not
// "does this contain an X": that is the text scanner's job.
#pragma once

#include <cstdint>
#include <string_view>

namespace dpo::detect {

// Dutch BSN: 8 or 9 digits (8 gets a leading 0), optional '.', ' ' or '-'
// separators; weights 9..2 and -1 sum to a multiple of 11; all zeros rejected.
bool IsValidBsn(std::string_view value);

// US social security number as written, AAA-GG-SSSS (dashes or spaces; 9
// bare digits are any number): never-assigned areas (000, 666, 900-999),
// group 00 and serial 0000 rejected.
bool IsValidSsnUs(std::string_view value);

// IBAN: two-letter country with the SWIFT registry length and BBAN
// structure (which positions are digits, which letters), mod-97 == 1. The
// separators people write (space, '-', '.'; see IsIbanSeparator) may stand
// anywhere after the country code; letters in either case.
bool IsValidIban(std::string_view value);
// The IBAN length for a country code ("NL" -> 18), 0 if unknown.
int IbanLengthForCountry(std::string_view country_code);
// The registry's BBAN structure for a country code ("NL" -> "4a10n": four
// letters, ten digits; c = letter or digit), nullptr if unknown.
const char* IbanBbanFormat(std::string_view country_code);
// Separators written inside IBANs: spaces between groups ("NL91 ABNA ..."),
// also after the country code, dashes, and the dots of Norwegian account
// numbers ("NO93 8601.11.17947").
inline bool IsIbanSeparator(char c) { return c == ' ' || c == '-' || c == '.'; }

// Luhn checksum over the digits of `value` (separators ' ' and '-' skipped).
bool PassesLuhn(std::string_view value);
// Payment card: 13-19 digits, known issuer prefix (IIN) and length, Luhn.
bool IsValidPaymentCard(std::string_view value);

// Dutch VAT id: NL + 9 digits + B + 2 digits; the 9 digits pass the 11-check
// (pre-2020) or the whole id passes the 2020+ mod-97 rule.
bool IsValidVatNl(std::string_view value);

// KvK number: exactly 8 digits (no checksum since 2016: format only).
bool IsValidKvkFormat(std::string_view value);

// Dutch passport / identity card document number: 9 characters, 2 letters,
// 6 letters or digits, 1 digit; the letter O is never used. Case-insensitive.
bool IsValidNlDocumentNumber(std::string_view value);

// Dutch postcode: 4 digits 1000-9999, optional single space, 2 letters
// (not SA, SD, SS).
bool IsValidPostcodeNl(std::string_view value);

// E-mail address: local@domain.tld with RFC-5321-ish character sets.
bool IsValidEmail(std::string_view value);

// Phone numbers: Dutch national (06-12345678, 020-1234567, 0612345678),
// +31 / 0031 forms, North American (555) 123-4567, and international E.164
// (+CC ..., 00CC ...) with a known country code and 8-15 digits.
bool IsValidPhone(std::string_view value);

// IPv4 dotted quad (octets <= 255) and IPv6 (full, :: compressed, IPv4 tail).
bool IsValidIpv4(std::string_view value);
bool IsValidIpv6(std::string_view value);

// Dates: ISO yyyy-mm-dd (optionally with a time), dd-mm-yyyy, dd/mm/yyyy,
// dd.mm.yyyy, "d month yyyy" and "month d, yyyy" in Dutch and English. Only
// real calendar dates (years 1800-2199) pass. On success *year is set if
// non-null.
bool IsValidDate(std::string_view value, int* year = nullptr);
bool IsCalendarDate(int year, int month, int day);

// LinkedIn, Facebook, X/Twitter, Instagram, GitHub, TikTok, XING... profile URL.
bool IsSocialProfileUrl(std::string_view value);

// Street address: "Kerkstraat 12a", "Prins Hendrikkade 12-3", "12 Baker Street",
// "221B Baker St", "10 rue de Rivoli", "Calle Mayor 5", optionally followed by
// ", 1234 AB City".
bool IsStreetAddress(std::string_view value);

}  // namespace dpo::detect
