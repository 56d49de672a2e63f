// The spans of personal data inside running text: the validated identifiers
// the text scanner finds (text_scanner.h), the person names of the name lists
// (person_names.h) and, on request, the special-category and criminal terms
// (terms.h). What the callers replace: third parties' identifiers in an
// access package (dsar/redact.h), everything personal in an anonymised
// notes column (anonymise/free_text.h).
//
// Only validated hits count: a 9-digit number failing the 11-check, an IBAN
// with a bad check sum or a document number without "paspoort" before it is
// not an identifier, and replacing it would only destroy a reference number.
// Dates, KvK and VAT numbers are not spans: they name no person (a date of
// birth is recognised by its column, not inside a sentence).
//
// Thread-safe; never reads outside `text`, whatever its bytes.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "detect/kind.h"

namespace dpo::detect {

struct Span {
  size_t offset = 0;  // byte offset into the text
  size_t length = 0;  // bytes, never 0
  Kind kind = Kind::kEmail;
};

// True for the kinds a span can have: kEmail, kPhone, kIban, kBsn,
// kPaymentCard, kPassportNl, kIdCardNl, kStreetAddress, kPostcode,
// kSocialProfile, kIpv4, kIpv6, kPersonName, and the terms
// (IsSpecialCategoryTerm, IsCriminalTerm).
bool IsSpanKind(Kind kind);

// Appends to *hits every hit as the detectors report it, sorted by offset
// (longer first at equal offsets); hits may overlap ("Jan van Galenstraat
// 12" may be an address and hold a name). For callers that judge every hit
// on its own before merging (dsar/redact.h keeps the subject's own values).
// Terms only when `include_terms`.
void FindIdentifierHits(std::string_view text, bool include_terms, std::vector<Span>* hits);

// The hits of FindIdentifierHits made sorted and non-overlapping: where
// spans overlap, the longer one wins (its kind; at equal lengths the
// earlier, and at the same offset too an identifier or name before a term:
// "Mevrouw Moslim" is a name) and the span covers them all, so that no part
// of the shorter one is left behind. A span never starts or ends inside a UTF-8 sequence (it
// grows over continuation bytes), so valid UTF-8 stays valid when spans are
// replaced. Spans that merely touch stay apart.
std::vector<Span> FindIdentifierSpans(std::string_view text, bool include_terms);
// The same into *spans (cleared first), reusing its memory: for callers that
// run over millions of values.
void FindIdentifierSpans(std::string_view text, bool include_terms, std::vector<Span>* spans);

}  // namespace dpo::detect
