// The text scanner: finds personal data inside arbitrary text (a line of a
// file, a free-text column value). Structured kinds (e-mail, phone, IBAN,
// BSN, ...) are found by hand-written anchored matchers in one pass and then
// validated; special-category and criminal terms by one shared Hyperscan
// database (terms.h). Thread-safe: shared state is immutable, Hyperscan
// scratch space is per thread.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "detect/kind.h"

namespace dpo::detect {

struct Hit {
  size_t offset = 0;  // byte offset into the scanned text
  size_t length = 0;  // bytes
  Kind kind = Kind::kEmail;
  // Passed the kind's validator (checksum, calendar, numbering plan, context
  // for kinds that have no checksum such as KvK and document numbers). Kinds
  // with no validator at all (terms, addresses) are validated by their match.
  bool validated = false;
};

// Appends the hits in `text` to *hits, sorted by offset. Unvalidated
// candidates (a 9-digit number failing the 11-check, an IBAN with a bad check
// sum) are included with validated == false; callers decide whether to show
// them. Never reads outside `text`, whatever its bytes.
void ScanText(std::string_view text, std::vector<Hit>* hits);
std::vector<Hit> ScanText(std::string_view text);
// ScanText of text.substr(from, to - from), offsets into `text`. Context
// checks (a "kvk" before an 8-digit number) may look at the text before
// `from` (at most kContextWindow bytes before a candidate, never past the
// start of its line), exactly as
// ScanText(text) would; nothing else does.
constexpr size_t kContextWindow = 48;
void ScanTextRange(std::string_view text, size_t from, size_t to, std::vector<Hit>* hits);

// Only the structured kinds (no terms); used by the column classifier.
void ScanStructured(std::string_view text, std::vector<Hit>* hits);

// True for kinds whose hits can be unvalidated (checksum or context needed).
bool KindHasValidator(Kind kind);

}  // namespace dpo::detect
