// Escaping of hostile text (table, column and file names come from the data
// source, so they may hold markup, control characters or invalid UTF-8) for
// each output medium. Every renderer passes source-derived text through one
// of these; none of them ever fails.
#pragma once

#include <string>
#include <string_view>

namespace dpo::report {

// For HTML text and attribute values (double- or single-quoted): & < > " '
// become entities; control characters other than tab and newline are
// dropped, because they have no business in a report and some browsers
// render them as markup-adjacent garbage.
std::string HtmlEscape(std::string_view text);

// For one line of Markdown (a paragraph or a table cell). HTML-significant
// characters become entities (so `<script>` stays text on GitHub, GitLab
// and Jira), Markdown punctuation that could start emphasis, code, links or
// end a table cell is backslash-escaped, and line breaks become spaces.
std::string MarkdownEscape(std::string_view text);

// For a terminal: C0 and C1 control characters and DEL (escape sequences
// could recolour, move the cursor or retitle the terminal) are shown as
// \xNN instead of being sent raw.
std::string TerminalSafe(std::string_view text);

// A path or a URI as a SARIF artifactLocation.uri: text that already has a
// scheme ("postgresql://host/db") is kept; an absolute path becomes
// file:///...; a relative path stays relative (to the working directory the
// scan ran in). Characters outside RFC 3986's unreserved set and "/" are
// percent-encoded in paths.
std::string UriFromPath(std::string_view path);

}  // namespace dpo::report
