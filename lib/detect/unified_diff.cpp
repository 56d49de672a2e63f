#include "detect/unified_diff.h"

#include <utility>

namespace dpo::detect {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Up to 18 digits at *s (so no int64 overflow), advancing past them.
bool ParseNumber(std::string_view* s, int64_t* out) {
  size_t n = 0;
  int64_t v = 0;
  while (n < s->size() && (*s)[n] >= '0' && (*s)[n] <= '9') {
    if (n == 18) return false;
    v = v * 10 + ((*s)[n] - '0');
    ++n;
  }
  if (n == 0) return false;
  *out = v;
  s->remove_prefix(n);
  return true;
}

// "START[,COUNT]"; a missing count is 1 (diff's short form for one line).
bool ParseRange(std::string_view* s, int64_t* start, int64_t* count) {
  if (!ParseNumber(s, start)) return false;
  *count = 1;
  if (!s->empty() && s->front() == ',') {
    s->remove_prefix(1);
    if (!ParseNumber(s, count)) return false;
  }
  return true;
}

// "@@ -A[,B] +C[,D] @@[ context]".
bool ParseHunkHeader(std::string_view s, int64_t* old_count, int64_t* new_start, int64_t* new_count) {
  if (!StartsWith(s, "@@ -")) return false;
  s.remove_prefix(4);
  int64_t old_start = 0;
  if (!ParseRange(&s, &old_start, old_count)) return false;
  if (!StartsWith(s, " +")) return false;
  s.remove_prefix(2);
  if (!ParseRange(&s, new_start, new_count)) return false;
  return StartsWith(s, " @@");
}

// git's mnemonic destination prefixes (diff.mnemonicPrefix): b/ by default,
// w/ for the work tree, i/ for the index; 2/ for --no-index.
std::string_view StripGitPrefix(std::string_view path) {
  if (path.size() > 2 && path[1] == '/' &&
      (path[0] == 'b' || path[0] == 'w' || path[0] == 'i' || path[0] == '2')) {
    path.remove_prefix(2);
  }
  return path;
}

}  // namespace

Result<std::string> DiffHeaderPath(std::string_view field) {
  if (field.empty() || field.front() != '"') {
    const size_t tab = field.find('\t');
    return std::string(field.substr(0, tab));
  }
  // git's quote_c_style: \a \b \t \n \v \f \r \" \\ and \NNN octal bytes.
  std::string path;
  for (size_t i = 1; i < field.size(); ++i) {
    const char c = field[i];
    if (c == '"') return path;
    if (c != '\\') {
      path += c;
      continue;
    }
    if (++i == field.size()) break;
    const char e = field[i];
    switch (e) {
      case 'a': path += '\a'; break;
      case 'b': path += '\b'; break;
      case 't': path += '\t'; break;
      case 'n': path += '\n'; break;
      case 'v': path += '\v'; break;
      case 'f': path += '\f'; break;
      case 'r': path += '\r'; break;
      case '"': path += '"'; break;
      case '\\': path += '\\'; break;
      default: {
        if (e < '0' || e > '3' || i + 2 >= field.size()) {
          return Status::Error("malformed quoted file name in a diff header; is this git's diff output?");
        }
        int v = 0;
        for (int k = 0; k < 3; ++k) {
          const char d = field[i + k];
          if (d < '0' || d > '7')
            return Status::Error("malformed octal escape in a quoted file name in a diff header");
          v = v * 8 + (d - '0');
        }
        path += static_cast<char>(v);
        i += 2;
      }
    }
  }
  return Status::Error("quoted file name in a diff header has no closing quote");
}

Result<std::optional<AddedLine>> UnifiedDiffReader::Feed(std::string_view line) {
  ++lines_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (state_ == State::kHunk && old_left_ == 0 && new_left_ == 0) {
    state_ = State::kHeader;
    after_hunk_ = true;
  }
  if (state_ != State::kHunk) return Header(line);

  const char first = line.empty() ? ' ' : line.front();
  switch (first) {
    case '+': {
      if (new_left_ == 0)
        return Status::Error("more added lines than the hunk header says; the diff was edited or is damaged");
      --new_left_;
      AddedLine added;
      added.path = path_;
      added.line = new_line_++;
      added.text = line.substr(1);
      return std::optional<AddedLine>(added);
    }
    case '-':
      if (old_left_ == 0)
        return Status::Error("more removed lines than the hunk header says; the diff was edited or is damaged");
      --old_left_;
      return std::optional<AddedLine>();
    case ' ':
      // An empty line is an empty context line whose space an editor or
      // mailer trimmed; git apply reads it so too.
      if (old_left_ == 0 || new_left_ == 0)
        return Status::Error("more context lines than the hunk header says; the diff was edited or is damaged");
      --old_left_;
      --new_left_;
      ++new_line_;
      return std::optional<AddedLine>();
    case '\\':  // "\ No newline at end of file"
      return std::optional<AddedLine>();
    default:
      return Status::Error("the hunk ends " + std::to_string(old_left_ > new_left_ ? old_left_ : new_left_) +
                           " lines early (its header says more); the diff was cut short or edited");
  }
}

Result<std::optional<AddedLine>> UnifiedDiffReader::Header(std::string_view line) {
  const std::optional<AddedLine> none;
  // Right after a hunk (and its "\ No newline" marker), an added line is
  // one more than the header counted: a damaged or hand-edited diff, whose
  // extra lines would otherwise go unscanned.
  if (after_hunk_ && StartsWith(line, "+"))
    return Status::Error("more added lines than the hunk header says; the diff was edited or is damaged");
  if (!StartsWith(line, "\\")) after_hunk_ = false;
  if (StartsWith(line, "diff ")) {
    // A new file section; "diff --git" (git) or "diff -u a b" (diff -r).
    state_ = State::kHeader;
    git_section_ = StartsWith(line, "diff --git ");
    have_path_ = false;
    path_.clear();
    return none;
  }
  if (state_ == State::kBinaryPatch) return none;  // base85 data until the next section
  if (StartsWith(line, "GIT binary patch")) {
    state_ = State::kBinaryPatch;
    return none;
  }
  if (StartsWith(line, "--- ")) {
    // Outside git, `---` opens the section.
    if (!git_section_) {
      have_path_ = false;
      path_.clear();
    }
    old_has_a_prefix_ = StartsWith(line.substr(4), "a/") || StartsWith(line.substr(4), "\"a/");
    return none;
  }
  if (StartsWith(line, "+++ ")) {
    Result<std::string> path = DiffHeaderPath(line.substr(4));
    if (!path.ok()) return path.status();
    // "/dev/null" (a deleted file) stays as it is: its hunks only remove.
    // Outside a `diff --git` section, a/ and b/ are still git's (a pasted
    // git diff without its first line, hg, svn) when both sides have them.
    const bool prefixed = git_section_ || (old_has_a_prefix_ && StartsWith(*path, "b/"));
    path_ = std::string(prefixed && *path != "/dev/null" ? StripGitPrefix(*path) : std::string_view(*path));
    have_path_ = true;
    return none;
  }
  if (StartsWith(line, "@@@")) {
    return Status::Error(
        "a combined diff (of a merge, \"@@@\") is not supported; diff against one parent "
        "(git diff --cached, or git diff HEAD^1)");
  }
  if (StartsWith(line, "@@")) {
    int64_t old_count = 0, new_start = 0, new_count = 0;
    if (!ParseHunkHeader(line, &old_count, &new_start, &new_count))
      return Status::Error("malformed hunk header; expected \"@@ -A,B +C,D @@\"");
    if (!have_path_)
      return Status::Error("a hunk before any \"+++ FILE\" header; pass a whole unified diff (git diff)");
    if (new_count > 0 && new_start == 0)
      return Status::Error("malformed hunk header: new lines start at line 0");
    state_ = State::kHunk;
    old_left_ = old_count;
    new_left_ = new_count;
    new_line_ = new_start;
    return none;
  }
  // index, mode, rename, similarity, "Binary files ... differ", a commit
  // message, "\ No newline at end of file" after a hunk's last line: no
  // lines of any file.
  return none;
}

Status UnifiedDiffReader::Finish() const {
  if (state_ == State::kHunk && (old_left_ > 0 || new_left_ > 0)) {
    return Status::Error("the diff ends inside a hunk, " +
                         std::to_string(old_left_ > new_left_ ? old_left_ : new_left_) +
                         " lines short; it was cut off: pass the whole diff");
  }
  return Status::Ok();
}

}  // namespace dpo::detect
