// The unified diff reader (detect/unified_diff.h): which lines a diff adds
// and their line numbers in the new file.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "detect/unified_diff.h"

using namespace dpo::detect;

namespace {

struct Added {
  std::string path;
  int64_t line;
  std::string text;
  bool operator==(const Added& o) const { return path == o.path && line == o.line && text == o.text; }
};

doctest::String toString(const Added& a) {
  return (a.path + ":" + std::to_string(a.line) + ":" + a.text).c_str();
}

struct Parsed {
  std::vector<Added> added;
  std::string error;  // "LINE: message" of the first error, Finish's included
};

Parsed Parse(const std::string& diff) {
  Parsed p;
  UnifiedDiffReader reader;
  size_t start = 0;
  while (start < diff.size()) {
    size_t nl = diff.find('\n', start);
    if (nl == std::string::npos) nl = diff.size();
    auto r = reader.Feed(std::string_view(diff).substr(start, nl - start));
    start = nl + 1;
    if (!r.ok()) {
      p.error = std::to_string(reader.lines_read()) + ": " + r.status().message();
      return p;
    }
    if (r->has_value()) p.added.push_back({std::string((*r)->path), (*r)->line, std::string((*r)->text)});
  }
  dpo::Status done = reader.Finish();
  if (!done.ok()) p.error = "end: " + done.message();
  return p;
}

}  // namespace

TEST_CASE("unified diff: added lines get their line number in the new file, across hunks and files") {
  const std::string diff =
      "diff --git a/notes.txt b/notes.txt\n"
      "index 83db48f..bf269f4 100644\n"
      "--- a/notes.txt\n"
      "+++ b/notes.txt\n"
      "@@ -1,3 +1,4 @@\n"
      " first\n"
      "-second\n"
      "+second, changed\n"
      "+inserted\n"
      " third\n"
      "@@ -10,2 +11,4 @@ def context():\n"
      " ten\n"
      "+eleven\n"
      "+++ an added line that looks like a header\n"
      " twelve\n"
      "diff --git a/b.txt b/b.txt\n"
      "--- a/b.txt\n"
      "+++ b/b.txt\n"
      "@@ -6,0 +7 @@\n"
      "+mail jan@example.nl\n";
  Parsed p = Parse(diff);
  CHECK(p.error == "");
  REQUIRE(p.added.size() == 5);
  CHECK(p.added[0] == Added{"notes.txt", 2, "second, changed"});
  CHECK(p.added[1] == Added{"notes.txt", 3, "inserted"});
  CHECK(p.added[2] == Added{"notes.txt", 12, "eleven"});
  CHECK(p.added[3] == Added{"notes.txt", 13, "++ an added line that looks like a header"});
  CHECK(p.added[4] == Added{"b.txt", 7, "mail jan@example.nl"});
}

TEST_CASE("unified diff: removed lines and deleted files add nothing") {
  const std::string diff =
      "diff --git a/keep.txt b/keep.txt\n"
      "--- a/keep.txt\n"
      "+++ b/keep.txt\n"
      "@@ -7 +6,0 @@\n"
      "-mail jan@example.nl\n"
      "diff --git a/gone.txt b/gone.txt\n"
      "deleted file mode 100644\n"
      "--- a/gone.txt\n"
      "+++ /dev/null\n"
      "@@ -1,2 +0,0 @@\n"
      "-bsn 111222333\n"
      "-iban NL91ABNA0417164300\n";
  Parsed p = Parse(diff);
  CHECK(p.error == "");
  CHECK(p.added.empty());
}

TEST_CASE("unified diff: new files, renames, quoted paths, mnemonic prefixes") {
  const std::string diff =
      "diff --git a/old name.txt b/new name.txt\n"
      "similarity index 90%\n"
      "rename from old name.txt\n"
      "rename to new name.txt\n"
      "--- a/old name.txt\t\n"
      "+++ b/new name.txt\t\n"
      "@@ -1 +1 @@\n"
      "-a\n"
      "+b\n"
      "diff --git \"a/t\\303\\244st\\tx.txt\" \"b/t\\303\\244st\\tx.txt\"\n"
      "new file mode 100644\n"
      "--- /dev/null\n"
      "+++ \"b/t\\303\\244st\\tx.txt\"\n"
      "@@ -0,0 +1,2 @@\n"
      "+one\n"
      "+two\n"
      "diff --git c/x.txt i/x.txt\n"
      "--- c/x.txt\n"
      "+++ i/x.txt\n"
      "@@ -0,0 +1 @@\n"
      "+x\n";
  Parsed p = Parse(diff);
  CHECK(p.error == "");
  REQUIRE(p.added.size() == 4);
  CHECK(p.added[0] == Added{"new name.txt", 1, "b"});
  CHECK(p.added[1] == Added{"t\xc3\xa4st\tx.txt", 1, "one"});
  CHECK(p.added[2] == Added{"t\xc3\xa4st\tx.txt", 2, "two"});
  CHECK(p.added[3] == Added{"x.txt", 1, "x"});
}

TEST_CASE("unified diff: no-newline markers, CRLF, binary files, plain diff -u") {
  const std::string diff =
      "diff --git a/a.txt b/a.txt\r\n"
      "--- a/a.txt\r\n"
      "+++ b/a.txt\r\n"
      "@@ -1 +1,2 @@\r\n"
      "-last\r\n"
      "\\ No newline at end of file\r\n"
      "+last\r\n"
      "+new last\r\n"
      "\\ No newline at end of file\r\n"
      "diff --git a/logo.png b/logo.png\n"
      "index 1111111..2222222 100644\n"
      "Binary files a/logo.png and b/logo.png differ\n"
      "diff --git a/img.bin b/img.bin\n"
      "GIT binary patch\n"
      "literal 12\n"
      "+++ not a header: base85 data\n"
      "@@ -1 +1 @@ not a hunk either\n"
      "diff -u old/plain.txt new/plain.txt\n"
      "--- old/plain.txt\t2026-11-01 10:00:00.000000000 +0100\n"
      "+++ new/plain.txt\t2026-11-02 10:00:00.000000000 +0100\n"
      "@@ -3,3 +3,3 @@\n"
      " three\n"
      "\n"
      "+five\n"
      "-four\n";
  Parsed p = Parse(diff);
  CHECK(p.error == "");
  REQUIRE(p.added.size() == 3);
  CHECK(p.added[0] == Added{"a.txt", 1, "last"});
  CHECK(p.added[1] == Added{"a.txt", 2, "new last"});
  // Not a git section: the path stays as written, up to the tab.
  CHECK(p.added[2] == Added{"new/plain.txt", 5, "five"});
}

TEST_CASE("unified diff: a/ b/ prefixes without a diff --git line") {
  Parsed p = Parse("--- a/docs/x.md\n+++ b/docs/x.md\n@@ -0,0 +1 @@\n+x\n"
                   "--- old/y.md\n+++ b/y.md\n@@ -0,0 +1 @@\n+y\n");
  CHECK(p.error == "");
  REQUIRE(p.added.size() == 2);
  CHECK(p.added[0] == Added{"docs/x.md", 1, "x"});
  // Only when both sides have them: here b/ is a real directory.
  CHECK(p.added[1] == Added{"b/y.md", 1, "y"});
}

TEST_CASE("unified diff: a commit message or mail around the diff is skipped") {
  const std::string diff =
      "From 1234 Mon Sep 17 00:00:00 2001\n"
      "Subject: [PATCH] add contact\n"
      "\n"
      "+ not part of any hunk\n"
      "---\n"
      " a.txt | 1 +\n"
      "\n"
      "diff --git a/a.txt b/a.txt\n"
      "--- a/a.txt\n"
      "+++ b/a.txt\n"
      "@@ -0,0 +1 @@\n"
      "+hello\n"
      "-- \n"
      "2.39.5\n";
  Parsed p = Parse(diff);
  CHECK(p.error == "");
  REQUIRE(p.added.size() == 1);
  CHECK(p.added[0] == Added{"a.txt", 1, "hello"});
}

TEST_CASE("unified diff: a diff that contradicts itself is an error that says where") {
  const std::string head = "diff --git a/a b/a\n--- a/a\n+++ b/a\n";
  // Counted: a '+' line right after a complete hunk is one too many.
  CHECK(Parse(head + "@@ -1 +1 @@\n-a\n+b\n+c\n").error.rfind("7: more added lines", 0) == 0);
  CHECK(Parse(head + "@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n+c\n").error.rfind("8: more added", 0) == 0);
  CHECK(Parse(head + "@@ -1,3 +1,3 @@\n a\n").error.rfind("end: the diff ends inside a hunk, 2 lines short", 0) == 0);
  CHECK(Parse(head + "@@ -1,3 +1,3 @@\n a\ndiff --git a/b b/b\n").error.rfind("6: the hunk ends 2 lines early", 0) ==
        0);
  CHECK(Parse(head + "@@ -x +1 @@\n").error.rfind("4: malformed hunk header", 0) == 0);
  CHECK(Parse(head + "@@ -1 +99999999999999999999 @@\n").error.rfind("4: malformed hunk header", 0) == 0);
  CHECK(Parse("@@ -1 +1 @@\n+a\n").error.rfind("1: a hunk before any", 0) == 0);
  CHECK(Parse("diff --cc a\n--- a/a\n+++ b/a\n@@@ -1,1 -1,1 +1,2 @@@\n").error.rfind("4: a combined diff", 0) == 0);
  CHECK(Parse("--- a\n+++ \"b/unterminated\n").error.rfind("2: quoted file name", 0) == 0);
}

TEST_CASE("unified diff: error messages hold no text of the diff") {
  // The hunk header's context and the lines may be personal data.
  Parsed p = Parse("--- a\n+++ b\n@@ -1,2 +1,2 @@ jan@example.nl\n jan@example.nl\n");
  CHECK(p.error.find("jan") == std::string::npos);
  CHECK(p.error != "");
}

TEST_CASE("DiffHeaderPath decodes git's quoting") {
  CHECK(*DiffHeaderPath("b/plain.txt") == "b/plain.txt");
  CHECK(*DiffHeaderPath("b/with space.txt\t") == "b/with space.txt");
  CHECK(*DiffHeaderPath("\"b/q\\\"uote\\\\back\\nline\"") == "b/q\"uote\\back\nline");
  CHECK(*DiffHeaderPath("\"b/\\303\\251\"") == "b/\xc3\xa9");
  CHECK_FALSE(DiffHeaderPath("\"b/\\9\"").ok());
  CHECK_FALSE(DiffHeaderPath("\"b/\\30\"").ok());
}
