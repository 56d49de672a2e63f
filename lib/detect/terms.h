// Special-category (GDPR Art. 9) and criminal (Art. 10) terms in Dutch and
// English: a bundled term list compiled once into a shared Hyperscan
// database; case-insensitive, on word boundaries, with Dutch compounds
// ("zwangerschapsverlof", "vakbondslid") where the term is a word head.
#pragma once

#include <string_view>
#include <vector>

#include "detect/text_scanner.h"
#include "util/status.h"

namespace dpo::detect {

// Appends the term hits in `text` (offset, length of the whole word) to *hits,
// unsorted, all validated. Thread-safe.
void ScanTerms(std::string_view text, std::vector<Hit>* hits);

// Ok, or why the term database could not be built (then ScanTerms finds
// nothing): a bug in the bundled list, reported by `dpo detect`.
Status TermsStatus();

// The number of bundled terms (for tests and docs).
size_t TermCount();

}  // namespace dpo::detect
