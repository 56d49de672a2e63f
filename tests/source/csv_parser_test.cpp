#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "csv_test_util.h"
#include "source/csv/csv_parser.h"

namespace dpo::source {
namespace {

using csv_test::TempDir;

struct Parsed {
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines;
  std::vector<std::vector<bool>> quoted;
  std::string raw;  // concatenated raw text of all records
  char delimiter = 0;
  bool bom = false;
  CsvEncoding encoding = CsvEncoding::kAuto;
  Status status;
};

Parsed ParseText(const std::string& text, CsvParserOptions options = {}) {
  Parsed out;
  auto parser = CsvParser::FromString(text, "t.csv", options);
  if (!parser.ok()) {
    out.status = parser.status();
    return out;
  }
  CsvParser& p = **parser;
  for (;;) {
    Result<bool> r = p.Next();
    if (!r.ok()) {
      out.status = r.status();
      break;
    }
    if (!*r) break;
    const CsvRecord& rec = p.record();
    std::vector<std::string> row;
    std::vector<bool> q;
    for (size_t i = 0; i < rec.size(); ++i) {
      row.emplace_back(rec.field(i));
      q.push_back(rec.quoted(i));
    }
    out.rows.push_back(row);
    out.quoted.push_back(q);
    out.lines.push_back(rec.line());
    out.raw += rec.raw();
  }
  out.delimiter = p.delimiter();
  out.bom = p.had_bom();
  out.encoding = p.encoding();
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST_CASE("csv parser: plain comma-separated records") {
  Parsed p = ParseText("id,name\n1,Jan\n2,Piet\n");
  REQUIRE(p.status.ok());
  CHECK(p.delimiter == ',');
  CHECK(p.rows == Rows{{"id", "name"}, {"1", "Jan"}, {"2", "Piet"}});
  CHECK(p.lines == std::vector<int64_t>{1, 2, 3});
}

TEST_CASE("csv parser: sniffs ; tab and | and respects quotes while sniffing") {
  CHECK(ParseText("a;b;c\n1;2;3\n").delimiter == ';');
  CHECK(ParseText("a\tb\n1\t2\n").delimiter == '\t');
  CHECK(ParseText("a|b\n1|2\n").delimiter == '|');
  // Commas inside quotes and in decimal numbers must not win over ';'.
  Parsed p = ParseText("naam;bedrag\n\"Jansen, J.\";1,50\n\"Vries, P. de\";2,75\n");
  CHECK(p.delimiter == ';');
  CHECK(p.rows == Rows{{"naam", "bedrag"}, {"Jansen, J.", "1,50"}, {"Vries, P. de", "2,75"}});
  // One column: no candidate at all.
  CHECK(ParseText("email\na@b.nl\n").delimiter == ',');
}

TEST_CASE("csv parser: forced delimiter") {
  CsvParserOptions o;
  o.delimiter = ';';
  Parsed p = ParseText("a,b;c\n1,2;3\n", o);
  CHECK(p.rows == Rows{{"a,b", "c"}, {"1,2", "3"}});
  o.delimiter = '"';
  CHECK_FALSE(ParseText("a\n", o).status.ok());
}

TEST_CASE("csv parser: quoted fields with delimiters, doubled quotes and newlines") {
  std::string text =
      "id,note,x\n"
      "1,\"a, b\",y\n"
      "2,\"say \"\"hi\"\"\",z\n"
      "3,\"line one\nline two\nline three\",w\n"
      "4,\"\",\n";
  Parsed p = ParseText(text);
  REQUIRE(p.status.ok());
  CHECK(p.rows == Rows{{"id", "note", "x"},
                       {"1", "a, b", "y"},
                       {"2", "say \"hi\"", "z"},
                       {"3", "line one\nline two\nline three", "w"},
                       {"4", "", ""}});
  // The record after a three-line field starts on physical line 7.
  CHECK(p.lines == std::vector<int64_t>{1, 2, 3, 4, 7});
  CHECK(p.quoted[4] == std::vector<bool>{false, true, false});
  CHECK(p.raw == text);
}

TEST_CASE("csv parser: a stray quote inside an unquoted field is text") {
  Parsed p = ParseText("a,b\n12\" pizza,x\n");
  REQUIRE(p.status.ok());
  CHECK(p.rows[1][0] == "12\" pizza");
}

TEST_CASE("csv parser: CRLF, CR and a last line without terminator") {
  Parsed p = ParseText("a,b\r\n1,\"x\r\ny\"\r\n2,z");
  REQUIRE(p.status.ok());
  CHECK(p.rows == Rows{{"a", "b"}, {"1", "x\r\ny"}, {"2", "z"}});
  CHECK(p.lines == std::vector<int64_t>{1, 2, 4});
  Parsed cr = ParseText("a,b\r1,2\r");
  CHECK(cr.rows == Rows{{"a", "b"}, {"1", "2"}});
}

TEST_CASE("csv parser: blank lines are skipped but counted") {
  Parsed p = ParseText("a,b\n\n1,2\r\n\r\n\n3,4\n\n");
  REQUIRE(p.status.ok());
  CHECK(p.rows == Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}});
  CHECK(p.lines == std::vector<int64_t>{1, 3, 6});
}

TEST_CASE("csv parser: UTF-8 byte order mark is dropped") {
  Parsed p = ParseText("\xEF\xBB\xBFnaam,stad\nJos\xC3\xA9,Li\xC3\xA8ge\n");
  REQUIRE(p.status.ok());
  CHECK(p.bom);
  CHECK(p.rows == Rows{{"naam", "stad"}, {"Jos\xC3\xA9", "Li\xC3\xA8ge"}});
  CHECK(p.encoding == CsvEncoding::kUtf8);
}

TEST_CASE("csv parser: Windows-1252 is detected and converted, e acute stays e acute") {
  Parsed p = ParseText("naam;stad\nJos\xE9;Li\xE8ge\nRen\xE9\x80;x\n");
  REQUIRE(p.status.ok());
  CHECK(p.encoding == CsvEncoding::kWindows1252);
  CHECK(p.rows == Rows{{"naam", "stad"}, {"Jos\xC3\xA9", "Li\xC3\xA8ge"}, {"Ren\xC3\xA9\xE2\x82\xAC", "x"}});

  CsvParserOptions forced;
  forced.encoding = CsvEncoding::kWindows1252;
  CHECK(ParseText("a\nJos\xE9\n", forced).rows[1][0] == "Jos\xC3\xA9");
}

TEST_CASE("csv parser: Windows-1252 after a megabyte of ASCII switches on the fly") {
  std::string text = "id,name\n";
  int rows = 0;
  while (text.size() < (3u << 20) / 2) text += std::to_string(++rows) + ",ascii name\n";
  text += "999999,Jos\xE9\n";
  Parsed p = ParseText(text);
  REQUIRE(p.status.ok());
  CHECK(p.rows.back()[1] == "Jos\xC3\xA9");
  CHECK(p.rows.size() == static_cast<size_t>(rows + 2));
  CHECK(p.lines.back() == rows + 2);
}

TEST_CASE("csv parser: forced UTF-8 on Windows-1252 fails naming file and line") {
  CsvParserOptions o;
  o.encoding = CsvEncoding::kUtf8;
  Parsed p = ParseText("naam,stad\nJan,Delft\nJos\xE9,Li\xE8ge\n", o);
  REQUIRE_FALSE(p.status.ok());
  CHECK(p.status.message().rfind("t.csv:3:4: invalid UTF-8", 0) == 0);
  CHECK(p.status.message().find("windows-1252") != std::string::npos);
  CHECK(p.status.message().find("Jos") == std::string::npos);  // no cell values in errors
}

TEST_CASE("csv parser: UTF-8 and Windows-1252 mixed is an error, not a guess") {
  Parsed p = ParseText("a\nJos\xC3\xA9\nRen\xE9\n");
  REQUIRE_FALSE(p.status.ok());
  CHECK(p.status.message().find("mixed encodings") != std::string::npos);
  CHECK(p.status.message().rfind("t.csv:2:", 0) == 0);
}

TEST_CASE("csv parser: unterminated quote names the line where it opened") {
  Parsed p = ParseText("a,b\n1,2\n3,\"open\n4,5\n6,7\n");
  REQUIRE_FALSE(p.status.ok());
  CHECK(p.status.message().rfind("t.csv:3: quoted field 2 opens here and is never closed", 0) == 0);
  CHECK(p.rows.size() == 2);
}

TEST_CASE("csv parser: text after a closing quote is an error") {
  Parsed p = ParseText("a,b\n\"x\"y,2\n");
  REQUIRE_FALSE(p.status.ok());
  CHECK(p.status.message().rfind("t.csv:2:4: text after the closing quote of field 1", 0) == 0);
}

TEST_CASE("csv parser: binary input and UTF-16 are refused clearly") {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  Parsed p = ParseText(png);
  REQUIRE_FALSE(p.status.ok());
  CHECK(p.status.message().find("NUL byte") != std::string::npos);
  CHECK(p.status.message().find("not a CSV text file") != std::string::npos);

  Parsed u16 = ParseText(std::string("\xFF\xFE" "a\0,\0b\0", 8));
  REQUIRE_FALSE(u16.status.ok());
  CHECK(u16.status.message().find("UTF-16") != std::string::npos);

  // A NUL far beyond the first block is still caught, with its line.
  std::string late = "a,b\n";
  for (int i = 0; i < 20000; ++i) late += "1,2\n";
  late += std::string("3,\0\n", 4);
  CsvParserOptions o;
  o.block_size = 4096;
  Parsed l = ParseText(late, o);
  REQUIRE_FALSE(l.status.ok());
  CHECK(l.status.message().rfind("t.csv:20002:3: NUL byte", 0) == 0);
}

TEST_CASE("csv parser: empty input has no records") {
  Parsed p = ParseText("");
  CHECK(p.status.ok());
  CHECK(p.rows.empty());
  CHECK(ParseText("\n\r\n").rows.empty());
}

TEST_CASE("csv parser: a record longer than the limit is an error, not unbounded memory") {
  CsvParserOptions o;
  o.block_size = 4096;
  o.max_record_bytes = 64 << 10;
  std::string text = "a\n\"" + std::string(200 << 10, 'x');
  Parsed p = ParseText(text, o);
  REQUIRE_FALSE(p.status.ok());
  CHECK(p.status.message().find("record longer than") != std::string::npos);
}

TEST_CASE("csv parser: reads files, records straddling block boundaries intact") {
  // Random records of awkward fields written with RFC 4180 quoting, parsed
  // with the smallest block size, must come back exactly.
  std::mt19937 rng(7);
  const std::string alphabet = "ab ,;\"\n\r\xC3\xA9x1";
  Rows expected;
  std::string text;
  for (int r = 0; r < 3000; ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < 4; ++c) {
      std::string f;
      int len = static_cast<int>(rng() % 12);
      for (int i = 0; i < len; ++i) {
        size_t k = rng() % (alphabet.size() - 1);
        if (alphabet[k] == '\xC3') f += "\xC3\xA9";
        else if (alphabet[k] != '\xA9') f += alphabet[k];
      }
      if (c == 0) f = "r" + f;  // no blank first field, so no record is a blank line
      row.push_back(f);
      text += (c ? "," : "") + std::string("\"");
      for (char ch : f) text += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      text += "\"";
    }
    text += r % 2 ? "\r\n" : "\n";
    expected.push_back(row);
  }
  TempDir dir;
  std::string path = dir.Write("big.csv", text);
  CsvParserOptions o;
  o.block_size = 4096;
  o.delimiter = ',';
  auto parser = CsvParser::OpenFile(path, o);
  REQUIRE(parser.ok());
  Rows got;
  std::string raw;
  for (;;) {
    Result<bool> r = (*parser)->Next();
    REQUIRE(r.ok());
    if (!*r) break;
    const CsvRecord& rec = (*parser)->record();
    std::vector<std::string> row;
    for (size_t i = 0; i < rec.size(); ++i) row.emplace_back(rec.field(i));
    got.push_back(row);
    raw += rec.raw();
  }
  CHECK(got == expected);
  CHECK(raw == text);
  CHECK((*parser)->bytes_read() == static_cast<int64_t>(text.size()));
}

TEST_CASE("csv parser: a missing file is a clean error") {
  auto parser = CsvParser::OpenFile("/nonexistent/dir/x.csv", {});
  REQUIRE_FALSE(parser.ok());
  CHECK(parser.status().message().rfind("/nonexistent/dir/x.csv: cannot open", 0) == 0);
}

// Fuzz-style: random and mutated inputs must give records or a clean error,
// never a crash, a hang or invalid UTF-8 in a field.
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (int k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

TEST_CASE("csv parser: fuzz with random and mutated inputs") {
  std::mt19937_64 rng(20240601);
  const std::vector<std::string> seeds = {
      "id,name,email\n1,Jan,jan@example.nl\n2,\"Vries, de\",p@x.nl\r\n",
      "\xEF\xBB\xBF" "a;b\n\"x\"\"y\";\"multi\nline\"\n",
      "a\tb\n1\t2\n",
      "naam|stad\nJos\xE9|Li\xE8ge\n",
      "\"unterminated,\n1,2\n",
  };
  const std::string specials = ",;\t|\"\r\n\0\x80\xC3\xA9\xE9\xFF";
  int errors = 0, ok = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string input;
    if (iter % 3 == 0) {
      size_t len = rng() % 300;
      for (size_t i = 0; i < len; ++i) {
        input += rng() % 2 ? specials[rng() % specials.size()] : static_cast<char>(rng() % 256);
      }
    } else {
      input = seeds[rng() % seeds.size()];
      int mutations = 1 + static_cast<int>(rng() % 6);
      for (int m = 0; m < mutations; ++m) {
        size_t pos = input.empty() ? 0 : rng() % input.size();
        char c = specials[rng() % specials.size()];
        switch (rng() % 4) {
          case 0: if (!input.empty()) input[pos] = c; break;
          case 1: input.insert(input.begin() + static_cast<long>(pos), c); break;
          case 2: if (!input.empty()) input.erase(pos, 1 + rng() % 3); break;
          default: input = input + input.substr(0, pos); break;
        }
      }
    }
    CsvParserOptions o;
    o.block_size = 4096;
    o.encoding = static_cast<CsvEncoding>(iter % 3);
    auto parser = CsvParser::FromString(input, "fuzz.csv", o);
    if (!parser.ok()) {
      CHECK(parser.status().message().rfind("fuzz.csv", 0) == 0);
      ++errors;
      continue;
    }
    size_t records = 0;
    for (;;) {
      Result<bool> r = (*parser)->Next();
      if (!r.ok()) {
        CHECK(r.status().message().rfind("fuzz.csv:", 0) == 0);
        CHECK(r.status().message().find('\n') == std::string::npos);
        ++errors;
        break;
      }
      if (!*r) {
        ++ok;
        break;
      }
      const CsvRecord& rec = (*parser)->record();
      for (size_t i = 0; i < rec.size(); ++i) REQUIRE(ValidUtf8(rec.field(i)));
      REQUIRE(++records <= input.size() + 1);  // every record consumes input: no hang
    }
  }
  CHECK(ok > 100);
  CHECK(errors > 100);
}

}  // namespace
}  // namespace dpo::source
