// Format-preserving fake values for the anonymised export (`dpo anonymise`,
// operator fake:KIND): a value becomes a realistic value of the same kind and
// shape, so that the export still loads into the same schema, passes the
// same input checks and reads like real data in a demo or a test database.
//
// Contract:
//  - Keyed and deterministic: the same key, kind and value give the same
//    fake in every table, run and backend, so joins on a faked column still
//    work. Another key gives unrelated fakes. Every choice is driven by the
//    bytes of HMAC-SHA256(key, "dpo fake " + kind name + "\0" + normalised
//    value); without the key a fake says nothing about its input.
//  - Spellings of one value give one fake. The value is normalised first:
//      email     trimmed, ASCII case-folded;
//      phone     its digits, with the +31 / 0031 / +31 (0) / 0 forms of a
//                Dutch number equal ("06-12345678" == "+31 6 1234 5678"),
//                and 00CC equal to +CC;
//      bsn       its digits, an 8-digit BSN with its leading 0
//                ("12345672" == "012.345.672");
//      iban, postcode, document_number
//                letters and digits only, ASCII upper case;
//      name, first_name, last_name, street, city
//                trimmed, inner whitespace collapsed, ASCII case-folded.
//    Equal normalised values get the same fake up to its written shape: the
//    same digits in "06-12345678" and "+31 6 1234 5678", each in its own
//    layout.
//  - Valid: every fake passes the repo's validator for its kind
//    (detect/validators.h: IsValidEmail, IsValidPhone, IsValidBsn,
//    IsValidIban, IsValidPostcodeNl, IsValidNlDocumentNumber,
//    IsStreetAddress), whatever the input was. An input whose shape cannot be
//    kept (a phone number the validator would not accept, "n/a" in a BSN
//    column) gets a fake in the kind's plain shape instead; it is never
//    passed through, since it could be anything.
//  - Shapes:
//      email     "first.last.<6 hex>@example.org", ASCII lower case
//                ("jan.devries.3fa2c1@example.org"). The names come from
//                10 000 pairs and the hex adds 24 bits: among 100 000
//                distinct addresses, two share a fake with a chance of about
//                3%; among a million, expect about 3 such pairs. Distinct in
//                practice, not guaranteed: a UNIQUE column wants a pseudonym.
//      phone     every non-digit where it was; the country code (+31, 0031,
//                +CC), the Dutch trunk 0 (and "(0)"), and the Dutch mobile
//                digit 6, geographic area code (20, 10, 111...) or
//                non-geographic prefix (85, 88) stay; the other digits are
//                new, the first of them never 0 ("06-12345678" -> "06-"
//                and 8 new digits, "+31 20 123 4567" -> "+31 20 ddd dddd").
//                A layout the validator rejects ("n/a", 12 digits) becomes
//                "06-" and 8 digits.
//      bsn       the same number of digits (8 or 9) and separators, 11-check.
//      iban      NL: "NL", check digits, a real Dutch bank code (ABNA, INGB,
//                RABO, ...) and 10 digits. Another known country: its code
//                and length, letters where the input has letters and digits
//                where it has digits. Check digits by mod 97. Upper case,
//                or lower case for an all-lower-case input; the input's
//                spaces where they were (when it is as long as the fake),
//                else groups of 4 if it had any separator. An unknown
//                country or a value that is no IBAN at all gets an NL one.
//      name, first_name, last_name
//                from embedded lists of 100 Dutch and international first
//                names and 100 surnames; a full name is "First
//                [tussenvoegsel] Last" ("Jan van den Berg"), a last name
//                comes without its tussenvoegsel (Dutch records keep that in
//                a column of its own). In the input's case style: ALL CAPS,
//                all lower case, or as listed.
//      street    "<Dutch street name> <number>[letter]"; ALL CAPS kept.
//      postcode  "1234 AB" (1000-9999, never SA, SD or SS), with or without
//                the space as the input.
//      city      a Dutch town, in the input's case style.
//      document_number  2 letters, 6 letters or digits (at least one
//                digit), 1 digit; never 'O'. Upper case, or lower case for
//                an all-lower-case input.
//  - An empty or whitespace-only value is returned as it is (there is
//    nothing in it to hide); otherwise surrounding whitespace is dropped.
//  - Never throws (beyond std::bad_alloc), whatever the bytes of the value
//    (invalid UTF-8, megabytes, control characters).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/keyed_hash.h"

namespace dpo::anonymise {

enum class FakeKind {
  kEmail,
  kPhone,
  kBsn,
  kIban,
  kFullName,
  kFirstName,
  kLastName,
  kStreetAddress,
  kPostcode,
  kCity,
  kDocumentNumber,
};

// "email", "phone", "bsn", "iban", "name", "first_name", "last_name",
// "street", "postcode", "city", "document_number": the names of fake:KIND.
const char* FakeKindName(FakeKind kind);
// The kind of one of those names (exactly, lower case); nullopt otherwise.
std::optional<FakeKind> FakeKindFromName(std::string_view name);

// Makes fakes under one key. The HMAC state of every kind is prepared once
// (an export calls Fake millions of times): each fake costs two SHA-256
// compressions. Copyable; not thread-safe (copy one per thread). The
// key-derived state is wiped on destruction; the key itself is not kept and
// may be destroyed after construction.
class Faker {
 public:
  explicit Faker(const util::SecretKey& key);

  // The fake of `value` as a `kind` (see the contract above).
  std::string Fake(FakeKind kind, std::string_view value) const;

 private:
  std::vector<util::PrefixedHmac> hmacs_;  // one per FakeKind, in enum order
};

}  // namespace dpo::anonymise
