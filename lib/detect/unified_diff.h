// A streaming reader of unified diffs (`git diff`, `diff -u`): fed one line
// at a time, it says which lines a diff adds and where they land in the new
// file, so that `dpo detect --diff` can scan only what a change adds and
// report `path:line` of the new file. Removed and context lines never come
// out: a commit that removes personal data has nothing to report.
//
// What it understands: `diff --git` sections (git's C-style quoted paths,
// the a/ b/ prefixes and the mnemonic i/ w/ ones), plain `--- old` /
// `+++ new` headers with a tab and timestamp after the path, /dev/null for
// a created or deleted file, hunks `@@ -A[,B] +C[,D] @@` counted line by
// line (so an added line that starts with "++ " is content, not a header),
// "\ No newline at end of file", CRLF line ends, and binary files (their
// "Binary files ... differ" notice and "GIT binary patch" data hold no text
// lines). Anything outside a section (a commit message, a mail header) is
// skipped. No output formatting here: the caller scans and renders.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace dpo::detect {

// A line the diff adds. The views point into the reader and the fed line:
// valid until the next Feed.
struct AddedLine {
  std::string_view path;  // the new file's path, prefixes removed
  int64_t line = 0;       // 1-based line number in the new file
  std::string_view text;  // the line without its '+' and without the CR of a CRLF end
};

class UnifiedDiffReader {
 public:
  // The next line of the diff, without its '\n'. Returns the line it adds,
  // if it is one; an error for a diff that contradicts itself (a malformed
  // hunk header, a hunk with more or fewer lines than its header says, a
  // combined merge diff). Error messages carry no position and no text of
  // the diff (which may hold personal data): the caller prefixes
  // "WHERE:lines_read(): ".
  Result<std::optional<AddedLine>> Feed(std::string_view line);

  // After the last line: an error if the diff ends inside a hunk (it was
  // cut short, so lines it should add were never seen).
  Status Finish() const;

  int64_t lines_read() const { return lines_; }

 private:
  enum class State { kHeader, kHunk, kBinaryPatch };

  Result<std::optional<AddedLine>> Header(std::string_view line);

  State state_ = State::kHeader;
  bool git_section_ = false;  // inside a `diff --git` section: strip b/ prefixes
  bool have_path_ = false;    // a `+++` header was read for this section
  bool after_hunk_ = false;   // the previous line ended a hunk
  bool old_has_a_prefix_ = false;  // the `---` path starts with a/
  std::string path_;          // the new file's path; "/dev/null" for a deleted file
  int64_t old_left_ = 0, new_left_ = 0;
  int64_t new_line_ = 0;  // line number of the next new-side line
  int64_t lines_ = 0;
};

// The path in a `---`/`+++` header field (the text after "+++ "): a C-style
// quoted path as git writes names with special bytes ("b/t\303\244st"), or
// an unquoted one ending at a tab (GNU diff's timestamp, git's marker after
// names with spaces). An error for a quoted path that is malformed.
Result<std::string> DiffHeaderPath(std::string_view field);

}  // namespace dpo::detect
