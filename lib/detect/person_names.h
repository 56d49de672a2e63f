// Person names inside free text ("Referentie opgegeven: Roos de Jong, ..."),
// from the bundled name lists (name_lists.h). A name in running text has no
// checksum, so a span is a name only when the lists or a title say so: a lone
// capitalised word, a sentence start or a job title ("the Kok role") is not.
// The lists hold the common names only; a name neither of whose words they
// know ("Floor in 't Veld", "Fatma Dumitru") is not found.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "detect/text_scanner.h"

namespace dpo::detect {

// The kPersonName hits (validated, sorted by offset, not overlapping) of:
//   - a known first name, capitalised, optionally followed by more known
//     first names ("Anna Maria"), then zero or more tussenvoegsels in either
//     case ("de", "van der", "Van", "in 't") and a capitalised known surname:
//     "Roos de Jong", "Sem van den Broek", "Pieter Jacobs";
//   - a known first name and a surname the lists do not know, right after it
//     or after a particle that only names take ("Kees Groen", "Wim in 't
//     Veld"); a first name the lists do not know and a known surname
//     ("Yasmin Schmidt", "Nienke van der Wal"). The unknown word must look
//     like a name: capitalised with lower case after it, letters only, not a
//     street ("Jan van Galenstraat"), a city ("Jan van Amsterdam"), a day, a
//     month or a word that opens sentences ("Kandidaat Bakker" -> no name);
//     "Jan in Amsterdam" and "geboren te Delft" are no names;
//   - two capitalised known first names ("Ahmed Mohamed": many surnames are
//     first names too);
//   - initials, optional tussenvoegsels and a known surname: "J. de Vries",
//     "P. Jansen", "J.P. van Dijk";
//   - after a title (mevrouw, meneer, mevr., dhr., de heer, Mr, Mrs, Ms, Miss,
//     Dr), optional initials or first names, tussenvoegsels and any
//     capitalised surname: "mevrouw De Vries" -> "De Vries", "Mr Smith" ->
//     "Smith". The title itself is not part of the span.
// A lone word ("Jansen", "Roos") is never a name. Proper nouns shaped like a
// name ("Burger King", "Max Planck") are found too: for redaction, a shop's
// name replaced is a smaller loss than a person's name left.
// Words are compared with diacritics folded (name lists hold ASCII:
// "Öztürk" = ozturk, "Zoë" = zoe); hyphenated words count when every part
// does ("Gert-Jan", "Anne-Marie"). Only spaces and tabs may separate the words
// of one name: a comma, a full stop or a line break ends it. Words glued to
// '@', '/', '.', '_' or digits (e-mail addresses, URLs, handles) are never
// names. Byte offsets into `text`; never reads outside it, whatever its bytes.
std::vector<Hit> FindPersonNames(std::string_view text);

// The key a name word is compared under: ASCII lower case with Latin
// diacritics folded ("Öztürk" -> "ozturk", "ŁUKASZ" -> "lukasz"); other bytes
// are kept as they are. Used to compare a name found in text with the name
// words of a record (dsar/redact.h).
std::string NameKey(std::string_view word);

}  // namespace dpo::detect
