// Hostile CSV shapes end in an error naming the limit and its flag, or in a
// correct result, quickly and in bounded memory: very wide headers, records
// of delimiters alone, records longer than the limit; and rows skipped under
// skip_bad_rows are told (count and first lines) through Source::Skipped().
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "csv_test_util.h"
#include "source/csv/csv_parser.h"
#include "source/csv/csv_source.h"

namespace dpo::source {
namespace {

using csv_test::TempDir;

Result<std::unique_ptr<Source>> OpenWith(const std::string& path, CsvOptions csv) {
  OpenOptions o;
  o.csv = csv;
  return OpenCsvSource(path, o);
}

std::string WideHeader(int columns) {
  std::string h;
  for (int i = 0; i < columns; ++i) h += (i ? ",c" : "c") + std::to_string(i);
  return h + "\n";
}

Status ReadAllOf(Source& source, const std::string& table) {
  auto reader = source.Read(table, {});
  if (!reader.ok()) return reader.status();
  RowBatch batch;
  for (;;) {
    Result<bool> r = (*reader)->Next(&batch);
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

TEST_CASE("csv limits: a header wider than max_columns is refused, naming the limit and its flag") {
  TempDir dir;
  std::string path = dir.Write("w.csv", WideHeader(101) + std::string(100, ',') + "x\n");
  CsvOptions csv;
  csv.max_columns = 100;
  auto source = OpenWith(path, csv);
  REQUIRE(source.ok());
  Result<Table> t = (*source)->Describe("w");
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().message().find(path + ":1: more than 100 fields in one record (the --max-columns limit)") !=
        std::string::npos);
  CHECK(t.status().message().find("raise the limit with --max-columns") != std::string::npos);

  csv.max_columns = 101;  // at the limit: read
  auto wide = OpenWith(path, csv);
  REQUIRE(wide.ok());
  Result<Table> ok = (*wide)->Describe("w");
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(ok->columns.size() == 101);
}

TEST_CASE("csv limits: a data row of delimiters alone stops at max_columns, even when skipping bad rows") {
  TempDir dir;
  std::string path = dir.Write("c.csv", "a,b\n1,2\n" + std::string(1 << 20, ',') + "\n3,4\n");
  CsvOptions csv;
  csv.skip_bad_rows = true;
  csv.max_columns = 1000;
  auto source = OpenWith(path, csv);
  REQUIRE(source.ok());
  Status s = ReadAllOf(**source, "c");
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find(path + ":3: more than 1000 fields") != std::string::npos);
}

TEST_CASE("csv limits: duplicate column names among many are found by position, in linear time") {
  TempDir dir;
  std::string header = WideHeader(20000);
  header.insert(header.size() - 1, ",c17");  // column 20001 repeats column 18
  std::string path = dir.Write("d.csv", header + std::string(20000, ',') + "\n");
  CsvOptions csv;
  csv.max_columns = 30000;
  auto source = OpenWith(path, csv);
  REQUIRE(source.ok());
  Result<Table> t = (*source)->Describe("d");
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().message().find("columns 18 and 20001 have the same name") != std::string::npos);
}

TEST_CASE("csv limits: max_record_bytes is exact, below the block size too, and named with its flag") {
  TempDir dir;
  std::string path = dir.Write("l.csv", "a,b\n1," + std::string(5000, 'x') + "\n");
  CsvOptions csv;
  csv.max_record_bytes = 4000;
  auto source = OpenWith(path, csv);
  REQUIRE(source.ok());
  Status s = ReadAllOf(**source, "l");
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find(path + ":2: record longer than 4000 bytes (the --max-record-bytes limit)") !=
        std::string::npos);
  CHECK(s.message().find("raise the limit with --max-record-bytes") != std::string::npos);

  csv.max_record_bytes = 6000;
  auto roomy = OpenWith(path, csv);
  REQUIRE(roomy.ok());
  CHECK(ReadAllOf(**roomy, "l").ok());
}

// Regression (review of the limits): while the first block was read for
// sniffing, the whole block was measured as if it were one record.
TEST_CASE("csv limits: a low max_record_bytes measures records, not the first block of many short ones") {
  TempDir dir;
  std::string small;
  for (int i = 0; i < 150; ++i) small += "name" + std::to_string(1000 + i) + ",x@example.nl\n";  // 3,000 bytes
  std::string path = dir.Write("short.csv", "a,b\n" + small);
  CsvOptions csv;
  csv.max_record_bytes = 1000;
  auto source = OpenWith(path, csv);
  REQUIRE(source.ok());
  Status s = ReadAllOf(**source, "short");
  CHECK_MESSAGE(s.ok(), s.message());

  // Windows-1252 converts blocks of a third of the buffer and grows it.
  std::string latin;
  for (int i = 0; i < 700; ++i) latin += "Ren\xe9" "e " + std::to_string(i) + ",caf\xe9\n";  // > 13 KB
  std::string cp = dir.Write("latin.csv", "a,b\n" + latin);
  csv.max_record_bytes = 10000;
  csv.encoding = "windows-1252";
  auto converted = OpenWith(cp, csv);
  REQUIRE(converted.ok());
  Status c = ReadAllOf(**converted, "latin");
  CHECK_MESSAGE(c.ok(), c.message());
}

TEST_CASE("csv limits: an unclosed quote stops at the record limit, not at the end of memory") {
  CsvParserOptions o;
  o.max_record_bytes = 100000;
  std::string text = "a\n\"" + std::string(3 << 20, 'x');
  auto parser = CsvParser::FromString(text, "q.csv", o);
  REQUIRE(parser.ok());
  Result<bool> header = (*parser)->Next();
  REQUIRE(header.ok());
  Result<bool> r = (*parser)->Next();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("q.csv:2: record longer than 100000 bytes") != std::string::npos);
}

TEST_CASE("csv limits: skipped rows are told per table, with their first lines, never their content") {
  TempDir dir;
  std::string rows = "id,naam\n";
  for (int i = 0; i < 20; ++i) rows += (i % 3 == 1) ? "9,secret,extra\n" : std::to_string(i) + ",Jan\n";
  std::string path = dir.Write("s.csv", rows);
  CsvOptions csv;
  csv.skip_bad_rows = true;
  auto source = OpenWith(path, csv);
  REQUIRE(source.ok());
  CHECK((*source)->Skipped().empty());  // nothing read yet
  REQUIRE(ReadAllOf(**source, "s").ok());
  REQUIRE(ReadAllOf(**source, "s").ok());  // a second read does not count them twice
  std::vector<SkippedRows> skipped = (*source)->Skipped();
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].table == "s");
  CHECK(skipped[0].location == path);
  CHECK(skipped[0].count == 7);  // rows 1, 4, ..., 19: lines 3, 6, ..., 21
  CHECK(skipped[0].first_lines == std::vector<int64_t>{3, 6, 9, 12, 15});

  CsvOptions strict;
  auto clean = OpenWith(dir.Write("t.csv", "a\n1\n"), strict);
  REQUIRE(clean.ok());
  REQUIRE(ReadAllOf(**clean, "t").ok());
  CHECK((*clean)->Skipped().empty());
}

}  // namespace
}  // namespace dpo::source
