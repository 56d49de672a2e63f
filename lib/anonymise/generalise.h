// Generalisation and masking for the anonymised export (`dpo anonymise`,
// operators generalise:* and mask): pure functions, no key, that make a
// value coarser so that it identifies fewer people (a birth year instead of
// a birth date, a postcode area instead of a postcode).
//
// Contract, for every function:
//  - std::nullopt means "write NULL". A value that cannot be read as what
//    the function expects gets NULL, never itself: an unreadable value in a
//    date column could be anything, a name or a note included.
//  - Invalid parameters (a band width of 0, 40 prefix bits for IPv4) give
//    NULL too; the operator parser rejects them before a run starts.
//  - Surrounding ASCII whitespace is ignored (Mask aside: it masks the value
//    as given); nothing else is guessed.
//  - Never throws (beyond std::bad_alloc), whatever the bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dpo::anonymise {

// A date or timestamp to the first day of its band of `years` years
// (bands start at multiples of `years`: year 0, 5, 10...):
//   ("1987-06-12", 1)  -> "1987-01-01"
//   ("1987-06-12", 5)  -> "1985-01-01"
//   ("1987-06-12", 10) -> "1980-01-01"
//   ("1987-06-12 08:30:00", 1) -> "1987-01-01 00:00:00"
// Reads ISO "YYYY-MM-DD", optionally followed by ' ' or 'T', "HH:MM[:SS[.f]]"
// and a zone ("Z", "+02", "+02:00", "-0500"). A timestamp keeps its
// separator and zone and gets midnight ("1987-01-01T00:00:00Z"); fractions
// are dropped. NULL: not a real calendar date (years 1-9999), years < 1, a
// band that starts in year 0.
std::optional<std::string> GeneraliseDate(std::string_view value, int years);

// The age on `as_of` ("YYYY-MM-DD") of someone born on `value` (a date or
// timestamp as GeneraliseDate reads it), as a band of `width` years:
// "30-39" (width 10), "30-34" (width 5), "30" (width 1); 90 and over is
// "90+" (ages that high are rare enough to identify), and a band that would
// reach past 89 ends at 89. Born on 29 February: a year older on 1 March in
// other years. NULL: either date unreadable, born after `as_of`, width < 1.
std::optional<std::string> AgeBand(std::string_view value, std::string_view as_of, int width);

// A postcode to its first `digits` characters:
//  - Dutch "1234 AB", "1234AB" (either case): the first `digits` digits,
//    ("1234 AB", 4) -> "1234", ("1234 AB", 2) -> "12"; never the letters
//    (digits > 4 gives the four digits).
//  - another postcode shape (3-10 letters and digits with at least one
//    digit, separated by at most single spaces or dashes: "SW1A 1AA",
//    "10115", "75008", "K1A-0B1"): its first `digits` letters and digits,
//    ("SW1A 1AA", 3) -> "SW1", as written; only when it has more than
//    `digits` of them (else the result would be the whole postcode).
// NULL: anything else, digits < 1.
std::optional<std::string> GeneralisePostcode(std::string_view value, int digits);

// An IPv4 address to its network of `prefix_bits` (0-32) bits:
// ("192.168.17.42", 24) -> "192.168.17.0". Dotted quad only (inet_pton).
std::optional<std::string> GeneraliseIpv4(std::string_view value, int prefix_bits);
// An IPv6 address to its network of `prefix_bits` (0-128) bits, written in
// the canonical RFC 5952 form (lower case, longest zero run compressed):
// ("2001:db8:1234:5678::1", 48) -> "2001:db8:1234::". No zone ("%eth0") or
// brackets.
std::optional<std::string> GeneraliseIpv6(std::string_view value, int prefix_bits);

// A number rounded down to the start of its band of `width` (> 0, finite):
// ("2345.67", 1000) -> "2000.0", ("2345", 1000) -> "2000", ("-1", 1000) ->
// "-1000". The text says what kind of number it is: integer text when the
// value is an integer ("-12", "+7") and the width a whole number; otherwise
// decimal text with as many decimals as the width has, at least one
// ("2345.5", 1000) -> "2000.0", ("0.37", 0.1) -> "0.3". Reads decimal
// numbers with an optional sign, fraction and exponent; NULL for anything
// else (hex, "inf", "nan", "1,5", "") and for results that do not fit a
// double.
std::optional<std::string> Band(std::string_view value, double width);

// Every character but the last `keep_last` replaced by `mask`, counting
// UTF-8 code points (an 'é' is one character, a combining accent another),
// so the length in characters stays: ("0612345678", 4) -> "******5678".
// When keep_last >= the number of characters, everything is masked: a short
// value shown whole would leak all of it. keep_last < 0 counts as 0. The
// value as given (whitespace included): "" -> "". NULL: invalid UTF-8 (the
// kept tail could be a fragment of anything), `mask` not printable ASCII.
std::optional<std::string> Mask(std::string_view value, int keep_last, char mask = '*');

}  // namespace dpo::anonymise
