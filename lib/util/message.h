// Text from the data in messages. Names that come from a source (CSV header
// cells, table and column names read from a database) and snippets of a
// user's file (a policy) are data: a headerless CSV makes its first row the
// "names", so a name can be an e-mail address or a phone number, and any name
// can hold a terminal escape sequence or a line break. Every Status message,
// warning and diagnostic that quotes such text passes it through one of these
// two functions, so that a message stays one line, never drives the terminal
// and never repeats a value that looks like personal data.
//
// These are cheap structural checks, not detectors (util may not depend on
// detect): they err on the side of withholding a name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dpo::util {

// Default cut for EscapeForMessage: enough for any real identifier or a short
// snippet of a policy, short enough to keep a message on one line.
inline constexpr size_t kMessageSnippetBytes = 80;

// Returns `text` made safe to print on one line of a terminal or a log:
//  - \n, \r and \t become the two characters "\n", "\r", "\t";
//  - other C0 controls (NUL, ESC, BEL...) and DEL become "\xNN";
//  - C1 controls (U+0080..U+009F, e.g. U+009B, a one-character CSI), line and
//    paragraph separators (U+2028, U+2029) and bidirectional overrides and
//    isolates (U+202A..U+202E, U+2066..U+2069) become "\uXXXX";
//  - bytes that are not valid UTF-8 become "\xNN", one per byte;
//  - everything else (printable ASCII, valid UTF-8 text) is kept as it is.
// The result is cut after at most `max_bytes` bytes (never inside an escape
// or a character) and then ends in "..."; std::string_view::npos means no cut.
// Backslashes are not doubled: the result is for a human, not for parsing,
// and escaping twice changes nothing (the output holds no control bytes).
std::string EscapeForMessage(std::string_view text, size_t max_bytes = kMessageSnippetBytes);

// True if `name` looks like a data value rather than a column or table name:
// it contains '@'; it holds 6 or more digits in a run (spaces, '-', '.', '/',
// '(' and ')' between digits do not break the run: phone numbers, BSNs, bank
// account numbers, dates, amounts); it is IBAN-shaped (two letters, two
// digits, then letters and digits, 15 to 34 in all, spaces allowed); it holds
// a Dutch postcode ("1234 AB", "1234AB") as a word; or it is longer than 64
// bytes (no database allows longer identifiers; longer text is a sentence).
bool LooksLikeDataValue(std::string_view name);

// A name for a message: "'email'" (escaped as EscapeForMessage does, in
// single quotes) when it can be a name, or "(name withheld: it looks like a
// data value)" when LooksLikeDataValue(name). Callers that can also say
// where the name is (column 3, line 1) should say so, because a withheld
// name does not tell the user which one is meant.
std::string NameForMessage(std::string_view name);

}  // namespace dpo::util
