// The content of an access package (Art. 15 and 20): the subject's records
// as data.json and one CSV per dataset, and the summary written for the data
// subject in Dutch or English. These only print what the finder
// (dsar/subject_data.h) found and what dsar::BuildSummary made of it; the
// package writer decides file names, permissions and the manifest.
//
// Every value here is personal data of the subject or text from the policy
// and the source (table and column names are hostile input): each output
// escapes it for its medium, so no value can run in a browser or a
// spreadsheet.
#pragma once

#include <string>
#include <string_view>

#include "dsar/subject_data.h"
#include "dsar/summary.h"
#include "util/status.h"

namespace dpo::report {

enum class Language { kEnglish, kDutch };

// "en" or "nl" (case-insensitive), as `--lang` takes it; the error names both.
Result<Language> ParseLanguage(std::string_view text);
const char* LanguageCode(Language language);  // "en", "nl"

// data.json, for portability (Art. 20: structured, commonly used,
// machine-readable):
//   {"format": "dpo-dsar-data/1",
//    "datasets": [{"table", "role" (subject|belongs|context), "via", "data_subject",
//                  "columns": [{"name", "type"}], "records": [{column: value, ...}],
//                  "withheld": [{"column", "reason"}], "redacted_spans": N}],
//    "matches": [{"table", "columns", "method", "rows"}]}
// Values are typed by their column: an integer column's value is a JSON
// integer when it is a plain decimal that fits 64 bits, a real column's a
// JSON number when it is a plain decimal of at most 15 significant digits (a
// double holds those exactly enough to print them back); a boolean column's
// true/false when it is one of the spellings of docs/source-types.md; NULL is
// null; everything else (dates, timestamps, text, blobs, and numbers that do
// not parse exactly) is the text as read. Text that is not valid UTF-8 has
// its bad bytes replaced by U+FFFD, so the file always parses. Object keys
// keep the order above; records keep the column order. Ends with a newline.
std::string RenderSubjectDataJson(const dsar::SubjectData& data);

// One dataset as CSV for a spreadsheet: RFC 4180 with CRLF line ends (what
// the RFC and Excel expect), a header row of the column names, and a UTF-8
// byte order mark first, because Excel reads a CSV without one in the
// Windows code page and garbles every é and ë. A field is quoted when it
// holds a comma, a double quote, CR or LF, or is the empty string; a quote
// inside is doubled; NULL is an empty unquoted field (as dpo's CSV source
// reads it back). A field that a spreadsheet would take for a formula
// (starts with =, +, -, @, tab or CR) gets a single quote in front, so
// opening the file can never run anything; a plain number ("-12.5") is not
// a formula and stays as it is. The CSV is for reading: data.json is the
// exact copy.
std::string RenderDatasetCsv(const dsar::DatasetRows& rows);

// The summary for the data subject, for a layperson: what we hold (categories,
// where, from which records), why (purposes with their legal basis in plain
// words), who receives it, transfers outside the EU/EEA, how long it is kept,
// their rights (Art. 16-18, 20, 21, withdrawing consent, a complaint to the
// Autoriteit Persoonsgegevens), when the answer is due and until when it may
// be extended, and whom to contact. When summary.no_data, says that we hold
// no personal data about them, and still tells their rights and the contact.
// Texts are in the chosen language (Dutch in the u-form); descriptions from
// the policy are shown as the policy wrote them.
//
// Markdown: every value passes MarkdownEscape (report/escape.h).
std::string RenderSummaryMarkdown(const dsar::Summary& summary, Language language);
// HTML: one self-contained page (inline CSS; no script, font, image or link
// to anywhere, and a Content-Security-Policy that forbids them); every value
// passes HtmlEscape. Prints on A4.
std::string RenderSummaryHtml(const dsar::Summary& summary, Language language);

}  // namespace dpo::report
