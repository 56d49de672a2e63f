#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "csv_test_util.h"
#include "source/csv/csv_source.h"
#include "util/fault.h"
#include "util/keyed_hash.h"

namespace dpo::source {
namespace {

using csv_test::ReadAll;
using csv_test::TempDir;

std::unique_ptr<Source> Open(const std::string& path, bool read_only = true, CsvOptions csv = {}) {
  OpenOptions o;
  o.read_only = read_only;
  o.csv = csv;
  auto s = OpenCsvSource(path, o);
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  return std::move(s).value();
}

struct ReadOut {
  std::vector<std::vector<std::string>> rows;  // NULL as "<null>"
  std::vector<int64_t> row_numbers;
  std::vector<int64_t> lines;
  ReadStats stats;
  Status status;
};

ReadOut ReadAllRows(Source& source, const std::string& table, const ReadRequest& request = {}) {
  ReadOut out;
  auto reader = source.Read(table, request);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  RowBatch batch;
  for (;;) {
    Result<bool> r = (*reader)->Next(&batch);
    if (!r.ok()) {
      out.status = r.status();
      break;
    }
    if (!*r) break;
    for (size_t i = 0; i < batch.num_rows(); ++i) {
      std::vector<std::string> row;
      for (size_t c = 0; c < batch.num_columns(); ++c)
        row.push_back(batch.IsNull(i, c) ? "<null>" : std::string(batch.Cell(i, c)));
      out.rows.push_back(row);
      out.row_numbers.push_back(batch.RowNumber(i));
      out.lines.push_back(batch.Line(i));
    }
  }
  out.stats = (*reader)->stats();
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST_CASE("csv source: one file is one table named by its stem") {
  TempDir dir;
  std::string path = dir.Write("klanten.csv", "id;naam;email\n1;Jan;jan@example.nl\n2;;\"\"\n");
  auto source = Open(path);
  CHECK(source->kind() == SourceKind::kCsv);
  CHECK(source->DisplayName() == path);
  CHECK(*source->ListTables() == std::vector<std::string>{"klanten"});
  Result<Table> t = source->Describe("klanten");
  REQUIRE(t.ok());
  CHECK(t->location == path);
  REQUIRE(t->columns.size() == 3);
  CHECK(t->columns[1].name == "naam");
  CHECK(t->columns[0].type_inferred);
  CHECK(t->primary_key.empty());
  CHECK(t->foreign_keys.empty());
  CHECK(t->row_count.rows == 2);
  CHECK(t->row_count.exact);
  ReadOut r = ReadAllRows(*source, "klanten");
  REQUIRE(r.status.ok());
  // Empty unquoted is NULL, quoted "" the empty string.
  CHECK(r.rows == Rows{{"1", "Jan", "jan@example.nl"}, {"2", "<null>", ""}});
  CHECK(r.row_numbers == std::vector<int64_t>{1, 2});
  CHECK(r.lines == std::vector<int64_t>{2, 3});

  Result<Table> missing = source->Describe("orders");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("unknown table orders") != std::string::npos);
}

TEST_CASE("csv source: a directory is one table per *.csv file, sorted") {
  TempDir dir;
  dir.Write("orders.csv", "id,klant_id\n1,1\n");
  dir.Write("Klanten.CSV", "id,naam\n1,Jan\n");
  dir.Write("notes.txt", "not a table\n");
  dir.Write("adressen.csv", "id\tstraat\n1\tDorpsstraat 1\n");
  auto source = Open(dir.path());
  CHECK(*source->ListTables() == std::vector<std::string>{"Klanten", "adressen", "orders"});
  CHECK(source->Describe("adressen")->columns[1].name == "straat");
  CHECK(ReadAllRows(*source, "orders").rows == Rows{{"1", "1"}});

  TempDir empty;
  OpenOptions o;
  auto none = OpenCsvSource(empty.path(), o);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message().find("no *.csv files") != std::string::npos);
  auto absent = OpenCsvSource(empty.File("nope.csv"), o);
  REQUIRE_FALSE(absent.ok());
}

TEST_CASE("csv source: no header names the columns col1..colN") {
  TempDir dir;
  std::string path = dir.Write("raw.csv", "1,Jan\n2,Piet\n");
  CsvOptions csv;
  csv.header = false;
  auto source = Open(path, true, csv);
  Result<Table> t = source->Describe("raw");
  REQUIRE(t.ok());
  REQUIRE(t->columns.size() == 2);
  CHECK(t->columns[0].name == "col1");
  CHECK(t->columns[1].name == "col2");
  CHECK(t->row_count.rows == 2);
  ReadOut r = ReadAllRows(*source, "raw");
  CHECK(r.rows == Rows{{"1", "Jan"}, {"2", "Piet"}});
  CHECK(r.lines == std::vector<int64_t>{1, 2});
}

TEST_CASE("csv source: a header with duplicate names is an error") {
  TempDir dir;
  auto source = Open(dir.Write("d.csv", "id,naam,naam\n1,a,b\n"));
  Result<Table> t = source->Describe("d");
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().message().find("d.csv:1: columns 2 and 3 have the same name") != std::string::npos);
}

TEST_CASE("csv source: ragged rows fail with the line, or are skipped and counted") {
  TempDir dir;
  std::string path = dir.Write("r.csv", "id,naam\n1,Jan\n2,\"multi\nline\"\n3,Piet,extra\n4\n5,Kees\n");
  auto strict = Open(path);
  ReadOut r = ReadAllRows(*strict, "r");
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.message() ==
        path + ":5: row has 3 fields, header has 2; fix the row or pass --skip-bad-rows");
  CHECK_FALSE(strict->Count("r", std::nullopt).ok());

  CsvOptions skip;
  skip.skip_bad_rows = true;
  auto lenient = Open(path, true, skip);
  ReadOut s = ReadAllRows(*lenient, "r");
  REQUIRE(s.status.ok());
  CHECK(s.rows == Rows{{"1", "Jan"}, {"2", "multi\nline"}, {"5", "Kees"}});
  CHECK(s.stats.rows_skipped == 2);
  CHECK(s.stats.rows_read == 3);
  CHECK(s.row_numbers == std::vector<int64_t>{1, 2, 5});
  CHECK(*lenient->Count("r", std::nullopt) == 3);
}

TEST_CASE("csv source: empty, binary and unterminated files are clear errors") {
  TempDir dir;
  dir.Write("empty.csv", "");
  dir.Write("image.csv", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", 20));
  dir.Write("open.csv", "a,b\n1,\"never closed\n2,3\n");
  auto source = Open(dir.path());
  Result<Table> e = source->Describe("empty");
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().message() == dir.File("empty.csv") + ": empty file; a CSV table needs at least a header row");
  Result<Table> b = source->Describe("image");
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().message().find("not a CSV text file") != std::string::npos);
  ReadOut o = ReadAllRows(*source, "open");
  REQUIRE_FALSE(o.status.ok());
  CHECK(o.status.message().rfind(dir.File("open.csv") + ":2: quoted field 2 opens here", 0) == 0);
}

TEST_CASE("csv source: Windows-1252 files read as UTF-8, forced utf-8 fails with file:line") {
  TempDir dir;
  std::string path = dir.Write("w.csv", "naam;stad\nJan;Delft\nJos\xE9;Li\xE8ge\n");
  auto source = Open(path);
  CHECK(ReadAllRows(*source, "w").rows == Rows{{"Jan", "Delft"}, {"Jos\xC3\xA9", "Li\xC3\xA8ge"}});
  CsvOptions utf8;
  utf8.encoding = "utf-8";
  auto strict = Open(path, true, utf8);
  ReadOut r = ReadAllRows(*strict, "w");
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.message().rfind(path + ":3:4: invalid UTF-8", 0) == 0);
  CsvOptions bogus;
  bogus.encoding = "latin-9";
  OpenOptions o;
  o.csv = bogus;
  CHECK_FALSE(OpenCsvSource(path, o).ok());
}

TEST_CASE("csv source: types are inferred from the values") {
  TempDir dir;
  std::string path = dir.Write(
      "t.csv",
      "id,bedrag,actief,geboren,gezien,telefoon,naam,leeg,postcode\n"
      "1,12.50,true,1980-01-31,2024-01-31T08:00:00Z,0612345678,Jan,,1234AB\n"
      "2,-3,FALSE,1990-12-01,2024-02-01 09:15,0201234567,Piet,,2345CD\n"
      "-3,1e3,yes,2000-02-29,2024-02-01,0101234567,Kees,,3456EF\n");
  auto source = Open(path);
  Result<Table> t = source->Describe("t");
  REQUIRE(t.ok());
  auto type = [&](const char* name) { return t->FindColumn(name)->type; };
  CHECK(type("id") == TypeClass::kInteger);
  CHECK(type("bedrag") == TypeClass::kReal);
  CHECK(type("actief") == TypeClass::kBoolean);
  CHECK(type("geboren") == TypeClass::kDate);
  CHECK(type("gezien") == TypeClass::kTimestamp);
  CHECK(type("telefoon") == TypeClass::kText);  // leading zeros: an identifier, not a number
  CHECK(type("naam") == TypeClass::kText);
  CHECK(type("leeg") == TypeClass::kText);
  CHECK(type("postcode") == TypeClass::kText);
  for (const Column& c : t->columns) CHECK(c.type_inferred);
}

// Regression (issue 13): inspect called every CSV column nullable. A CSV
// declares nothing, so the schema flag stays true for writers, and what the
// rows showed is reported beside it.
TEST_CASE("csv source: empty values seen are reported per column; the schema stays nullable") {
  TempDir dir;
  std::string path = dir.Write("t.csv", "id,naam,notitie,quoted\n1,Jan,,\"\"\n2,Piet,x,\"\"\n3,Kees,,\"\"\n");
  auto source = Open(path);
  Result<Table> t = source->Describe("t");
  REQUIRE(t.ok());
  auto seen = [&](const char* name) { return t->FindColumn(name)->empty_values_seen; };
  REQUIRE(seen("id").has_value());
  CHECK_FALSE(*seen("id"));
  CHECK_FALSE(*seen("naam"));
  CHECK(*seen("notitie"));
  CHECK_FALSE(*seen("quoted"));  // "" is a value (an empty string), not a missing one
  for (const Column& c : t->columns) CHECK(c.nullable);
}

TEST_CASE("csv source: projection, unknown columns, kFirst and where") {
  TempDir dir;
  std::string text = "id,naam,geboren\n";
  for (int i = 1; i <= 100; ++i)
    text += std::to_string(i) + ",naam" + std::to_string(i) + "," + (i % 10 == 0 ? "" : "19" + std::to_string(50 + i % 50) + "-06-01") + "\n";
  std::string path = dir.Write("p.csv", text);
  auto source = Open(path);

  ReadRequest proj;
  proj.columns = {"geboren", "id"};
  proj.batch_rows = 7;
  ReadOut r = ReadAllRows(*source, "p", proj);
  REQUIRE(r.status.ok());
  REQUIRE(r.rows.size() == 100);
  CHECK(r.rows[0] == std::vector<std::string>{"1951-06-01", "1"});
  CHECK(r.rows[9] == std::vector<std::string>{"<null>", "10"});

  ReadRequest bad;
  bad.columns = {"id", "bsn"};
  ReadOut b = ReadAllRows(*source, "p", bad);
  REQUIRE_FALSE(b.status.ok());
  CHECK(b.status.message().find("unknown column p.bsn") != std::string::npos);

  ReadRequest first;
  first.mode = SampleMode::kFirst;
  first.limit = 5;
  first.batch_rows = 2;
  ReadOut f = ReadAllRows(*source, "p", first);
  CHECK(f.rows.size() == 5);
  CHECK(f.rows[4][0] == "5");

  ReadRequest where;
  where.where = Predicate::All({Predicate::Compare(Predicate::Op::kLt, "geboren", "1960-01-01"),
                                Predicate::Compare(Predicate::Op::kGe, "id", "20")});
  ReadOut w = ReadAllRows(*source, "p", where);
  REQUIRE(w.status.ok());
  // ids 50..59 are born 1950..1959 (id 50: 1950-06-01), minus the NULL of id 50.
  std::vector<std::string> ids;
  for (auto& row : w.rows) ids.push_back(row[0]);
  CHECK(ids == std::vector<std::string>{"51", "52", "53", "54", "55", "56", "57", "58", "59"});
  CHECK(*source->Count("p", where.where) == 9);
  CHECK(*source->Count("p", std::nullopt) == 100);
  CHECK(*source->Count("p", Predicate::Null("geboren")) == 10);
  auto unknown = source->Count("p", Predicate::Compare(Predicate::Op::kEq, "bsn", "1"));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("unknown column p.bsn") != std::string::npos);
}

TEST_CASE("csv source: kRandom is a deterministic sample of the right size") {
  TempDir dir;
  std::string text = "id\n";
  for (int i = 1; i <= 1000; ++i) text += std::to_string(i) + "\n";
  auto source = Open(dir.Write("n.csv", text));
  ReadRequest req;
  req.mode = SampleMode::kRandom;
  req.limit = 50;
  req.seed = 42;
  ReadOut a = ReadAllRows(*source, "n", req);
  ReadOut b = ReadAllRows(*source, "n", req);
  req.seed = 43;
  ReadOut c = ReadAllRows(*source, "n", req);
  REQUIRE(a.status.ok());
  CHECK(a.rows.size() == 50);
  CHECK(a.rows == b.rows);
  CHECK(a.rows != c.rows);
  CHECK(std::is_sorted(a.row_numbers.begin(), a.row_numbers.end()));
  // Not just the first rows: the sample reaches into the second half.
  CHECK(a.row_numbers.back() > 500);
  req.limit = 5000;
  CHECK(ReadAllRows(*source, "n", req).rows.size() == 1000);
  req.limit = 10;
  req.where = Predicate::Compare(Predicate::Op::kLe, "id", "20");
  ReadOut w = ReadAllRows(*source, "n", req);
  CHECK(w.rows.size() == 10);
  for (auto& row : w.rows) CHECK(std::stoi(row[0]) <= 20);
}

TEST_CASE("csv source: a transaction deletes and updates by an atomic rewrite") {
  TempDir dir;
  std::string klanten = dir.Write("klanten.csv",
                                  "\xEF\xBB\xBFid;naam;notitie;laatst\r\n"
                                  "1;Jan;\"a;b\";2015-01-01\r\n"
                                  "2;Piet;\"x \"\"y\"\"\";2023-05-01\r\n"
                                  "3;Kees;;2016-07-01\r\n"
                                  "4;Anna;ok;2024-01-01\r\n");
  std::string orders = dir.Write("orders.csv", "id,klant\n1,1\n2,2\n");
  ::chmod(klanten.c_str(), 0640);
  auto source = Open(dir.path(), /*read_only=*/false);

  WriteOp del;
  del.kind = WriteOp::Kind::kDelete;
  del.table = "klanten";
  del.where = Predicate::Compare(Predicate::Op::kLt, "laatst", "2016-01-01");
  WriteOp upd;
  upd.kind = WriteOp::Kind::kUpdate;
  upd.table = "klanten";
  upd.where = Predicate::Compare(Predicate::Op::kLt, "laatst", "2020-01-01");
  upd.assignments = {{"naam", std::string("ge;anonimiseerd")}, {"notitie", std::nullopt}};

  Result<WriteResult> dry = dpo::source::ApplyAll(*source, {del, upd}, {.dry_run = true});
  REQUIRE(dry.ok());
  CHECK(dry->rows_affected == std::vector<int64_t>{1, 1});
  std::string before = ReadAll(klanten);
  CHECK(before.find("Jan") != std::string::npos);

  Result<WriteResult> done = dpo::source::ApplyAll(*source, {del, upd}, {.dry_run = false});
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->rows_affected == std::vector<int64_t>{1, 1});
  // BOM, delimiter, CRLF and untouched rows byte for byte; the new value quoted.
  CHECK(ReadAll(klanten) ==
        "\xEF\xBB\xBFid;naam;notitie;laatst\r\n"
        "2;Piet;\"x \"\"y\"\"\";2023-05-01\r\n"
        "3;\"ge;anonimiseerd\";;2016-07-01\r\n"
        "4;Anna;ok;2024-01-01\r\n");
  struct stat st;
  REQUIRE(::stat(klanten.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(ReadAll(orders) == "id,klant\n1,1\n2,2\n");  // untouched
  // No temporary files left behind.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  CHECK(files == 2);
  // The source sees the new content.
  CHECK(source->Describe("klanten")->row_count.rows == 3);
  CHECK(*source->Count("klanten", Predicate::Null("notitie")) == 1);
}

TEST_CASE("csv source: a failing op leaves every file untouched") {
  TempDir dir;
  std::string a = dir.Write("a.csv", "id,naam\n1,Jan\n2,Piet\n");
  std::string b = dir.Write("b.csv", "id,naam\n1,Jan\n2,Piet,extra\n");
  auto source = Open(dir.path(), false);
  WriteOp del_a;
  del_a.table = "a";
  del_a.where = Predicate::Compare(Predicate::Op::kEq, "id", "1");
  WriteOp del_b = del_a;
  del_b.table = "b";

  // A ragged row in b is found after a's new version is written: neither changes.
  Result<WriteResult> r = dpo::source::ApplyAll(*source, {del_a, del_b}, {.dry_run = false});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("b.csv:3: row has 3 fields") != std::string::npos);
  CHECK(ReadAll(a) == "id,naam\n1,Jan\n2,Piet\n");
  CHECK(ReadAll(b) == "id,naam\n1,Jan\n2,Piet,extra\n");

  // An unknown column is caught before anything is written.
  WriteOp bad = del_a;
  bad.kind = WriteOp::Kind::kUpdate;
  bad.assignments = {{"bsn", std::string("x")}};
  Result<WriteResult> u = dpo::source::ApplyAll(*source, {del_a, bad}, {.dry_run = false});
  REQUIRE_FALSE(u.ok());
  CHECK(u.status().message().find("unknown column a.bsn") != std::string::npos);
  CHECK(ReadAll(a) == "id,naam\n1,Jan\n2,Piet\n");
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  CHECK(files == 2);
}

TEST_CASE("csv source: a rewrite keeps a Windows-1252 file in Windows-1252") {
  TempDir dir;
  std::string path = dir.Write("w.csv", "id;naam\n1;Jos\xE9\n2;Ren\xE9\n");
  auto source = Open(path, false);
  WriteOp upd;
  upd.kind = WriteOp::Kind::kUpdate;
  upd.table = "w";
  upd.where = Predicate::Compare(Predicate::Op::kEq, "id", "2");
  upd.assignments = {{"naam", std::string("Andr\xC3\xA9")}};
  REQUIRE(dpo::source::ApplyAll(*source, {upd}, {.dry_run = false}).ok());
  CHECK(ReadAll(path) == "id;naam\n1;Jos\xE9\n2;Andr\xE9\n");
  // A character Windows-1252 cannot hold fails the whole transaction.
  upd.assignments = {{"naam", std::string("\xE4\xB8\xAD")}};
  Result<WriteResult> r = dpo::source::ApplyAll(*source, {upd}, {.dry_run = false});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("Windows-1252 cannot represent") != std::string::npos);
  CHECK(ReadAll(path) == "id;naam\n1;Jos\xE9\n2;Andr\xE9\n");
}

TEST_CASE("csv source: a read-only source refuses to begin, dry run included") {
  TempDir dir;
  std::string path = dir.Write("k.csv", "id\n1\n");
  auto source = Open(path, /*read_only=*/true);
  WriteOp del;
  del.table = "k";
  for (bool dry : {false, true}) {
    Result<WriteResult> r = dpo::source::ApplyAll(*source, {del}, {.dry_run = dry});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("read-only") != std::string::npos);
  }
  CHECK(ReadAll(path) == "id\n1\n");
}

}  // namespace
}  // namespace dpo::source

namespace dpo::source {
namespace {

TEST_CASE("csv source: a write leaves unchanged files alone and writes through symlinks") {
  TempDir dir;
  std::string real = dir.Write("real.csv", "id,naam\n1,Jan\n2,Piet\n");
  std::string link = dir.File("link.csv");
  std::filesystem::create_symlink(real, link);
  auto source = Open(link, false);
  struct stat before, after;
  REQUIRE(::stat(real.c_str(), &before) == 0);
  WriteOp none;
  none.table = "link";
  none.where = Predicate::Compare(Predicate::Op::kEq, "id", "9");
  Result<WriteResult> r = dpo::source::ApplyAll(*source, {none}, {.dry_run = false});
  REQUIRE(r.ok());
  CHECK(r->rows_affected == std::vector<int64_t>{0});
  REQUIRE(::stat(real.c_str(), &after) == 0);
  CHECK(before.st_ino == after.st_ino);  // not rewritten

  WriteOp del = none;
  del.where = Predicate::Compare(Predicate::Op::kEq, "id", "1");
  REQUIRE(dpo::source::ApplyAll(*source, {del}, {.dry_run = false}).ok());
  CHECK(std::filesystem::is_symlink(link));
  CHECK(ReadAll(real) == "id,naam\n2,Piet\n");
}

TEST_CASE("csv source: a write to a file without header keeps it headerless") {
  TempDir dir;
  std::string path = dir.Write("h.csv", "1|Jan\n2|Piet\n");
  CsvOptions csv;
  csv.header = false;
  auto source = Open(path, false, csv);
  WriteOp upd;
  upd.kind = WriteOp::Kind::kUpdate;
  upd.table = "h";
  upd.where = Predicate::Compare(Predicate::Op::kEq, "col1", "1");
  upd.assignments = {{"col2", std::string("a|b")}};
  REQUIRE(dpo::source::ApplyAll(*source, {upd}, {.dry_run = false}).ok());
  CHECK(ReadAll(path) == "1|\"a|b\"\n2|Piet\n");
}

}  // namespace
}  // namespace dpo::source

namespace dpo::source {
namespace {

// Hidden files in `dir` (temporary versions, journals).
std::vector<std::string> HiddenFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (!name.empty() && name[0] == '.') out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

WriteOp DeleteWhere(const std::string& table, Predicate where) {
  WriteOp op;
  op.kind = WriteOp::Kind::kDelete;
  op.table = table;
  op.where = std::move(where);
  return op;
}

TEST_CASE("csv source: a transaction sees its own writes in hidden versions; rollback and dry run remove them") {
  TempDir dir;
  std::string people = dir.Write("people.csv", "id,name,team\n1,Jan,1\n2,Piet,2\n3,Kees,1\n7.0,Bond,3\n");
  std::string teams = dir.Write("teams.csv", "id,name\n1,a\n2,b\n3,c\n");
  const std::string before = ReadAll(people);
  auto source = Open(dir.path(), false);
  {
    auto tx = source->Begin({});
    REQUIRE_MESSAGE(tx.ok(), tx.status().message());
    std::vector<std::string> returned;
    ReturnRows keys{{"id", "name"}, [&](const std::vector<std::optional<std::string>>& v) {
                      returned.push_back(v[0].value_or("?") + "/" + v[1].value_or("?"));
                      return Status::Ok();
                    }};
    auto n = (*tx)->Execute(DeleteWhere("people", Predicate::Compare(Predicate::Op::kEq, "team", "1")), &keys);
    REQUIRE_MESSAGE(n.ok(), n.status().message());
    CHECK(*n == 2);
    CHECK(returned == std::vector<std::string>{"1/Jan", "3/Kees"});
    CHECK(*(*tx)->Count("people", std::nullopt) == 2);
    CHECK(*source->Count("people", std::nullopt) == 4);  // outside: nothing yet
    // The version is hidden and not *.csv: a listing of the directory ignores it.
    auto hidden = HiddenFiles(dir.path());
    REQUIRE(hidden.size() == 1);
    CHECK(hidden[0].rfind(".dpo-tx-", 0) == 0);
    CHECK(hidden[0].size() > std::string("people.csv.tmp").size());
    CHECK(hidden[0].substr(hidden[0].size() - 15) == "-people.csv.tmp");
    CHECK(*Open(dir.path())->ListTables() == std::vector<std::string>{"people", "teams"});
    // A semi-join inside the transaction reads the transaction's version.
    Predicate teams_with_people = Predicate::InSelect({"id"}, "people", {"team"}, Predicate::All({}));
    CHECK(*(*tx)->Count("teams", teams_with_people) == 2);
    CHECK(*source->Count("teams", teams_with_people) == 3);
    // A second write to the same table replaces the version.
    n = (*tx)->Execute(DeleteWhere("people", Predicate::Compare(Predicate::Op::kEq, "id", "7")), nullptr);
    REQUIRE(n.ok());
    CHECK(*n == 1);  // "7.0" is 7 in a numeric column
    CHECK(HiddenFiles(dir.path()).size() == 1);
    REQUIRE((*tx)->Rollback().ok());
  }
  CHECK(HiddenFiles(dir.path()).empty());
  CHECK(ReadAll(people) == before);

  // A dry run: real counts, then nothing on disk, not even temporary files.
  struct stat st_before, st_after;
  REQUIRE(::stat(people.c_str(), &st_before) == 0);
  auto dry = dpo::source::ApplyAll(
      *source, {DeleteWhere("people", Predicate::Compare(Predicate::Op::kEq, "team", "1")),
                DeleteWhere("people", Predicate::Compare(Predicate::Op::kLe, "id", "3"))},
      {.dry_run = true});
  REQUIRE_MESSAGE(dry.ok(), dry.status().message());
  CHECK(dry->rows_affected == std::vector<int64_t>{2, 1});
  REQUIRE(::stat(people.c_str(), &st_after) == 0);
  CHECK(st_before.st_ino == st_after.st_ino);
  CHECK(ReadAll(people) == before);
  CHECK(HiddenFiles(dir.path()).empty());

  // Destroying an unfinished transaction rolls it back.
  {
    auto tx = source->Begin({});
    REQUIRE(tx.ok());
    REQUIRE((*tx)->Execute(DeleteWhere("teams", Predicate::All({})), nullptr).ok());
    CHECK_FALSE(source->Begin({}).ok());  // one transaction at a time
  }
  CHECK(HiddenFiles(dir.path()).empty());
  CHECK(*source->Count("teams", std::nullopt) == 3);
}

TEST_CASE("csv source: semi-joins outside a transaction; the delete guard follows declared relations") {
  TempDir dir;
  dir.Write("clients.csv", "id,name\n1,a\n2,b\n3,c\n");
  dir.Write("orders.csv", "id,client_id\n10,1\n11,1\n12,3\n");
  auto source = Open(dir.path(), false);
  Predicate of_a = Predicate::InSelect({"client_id"}, "clients", {"id"},
                                       Predicate::Compare(Predicate::Op::kEq, "name", "a"));
  CHECK(*source->Count("orders", of_a) == 2);
  ReadRequest request;
  request.where = of_a;
  request.columns = {"id"};
  ReadOut r = ReadAllRows(*source, "orders", request);
  REQUIRE(r.status.ok());
  CHECK(r.rows == Rows{{"10"}, {"11"}});
  auto bad = source->Count("orders", Predicate::InSelect({"client_id"}, "clients", {"nope"}, Predicate::All({})));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("clients.nope") != std::string::npos);

  ForeignKey fk;
  fk.columns = {"client_id"};
  fk.referenced_table = "clients";
  fk.referenced_columns = {"id"};
  fk.origin = "policy";
  fk.on_delete = ForeignKey::OnDelete::kCascade;
  source->DeclareRelations({{"orders", fk}});
  auto refused = dpo::source::ApplyAll(
      *source, {DeleteWhere("clients", Predicate::Compare(Predicate::Op::kEq, "name", "a"))}, {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("2 row(s) of orders") != std::string::npos);
  // Child first, then the parent: allowed, in one transaction.
  auto done = dpo::source::ApplyAll(
      *source, {DeleteWhere("orders", of_a), DeleteWhere("clients", Predicate::Compare(Predicate::Op::kEq, "name", "a"))},
      {});
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->rows_affected == std::vector<int64_t>{2, 1});
  // Updates may not change a referenced key, nor re-point a reference.
  WriteOp rekey;
  rekey.kind = WriteOp::Kind::kUpdate;
  rekey.table = "clients";
  rekey.where = Predicate::Compare(Predicate::Op::kEq, "id", "2");
  rekey.assignments = {{"id", std::string("9")}};
  auto r1 = dpo::source::ApplyAll(*source, {rekey}, {});
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.status().message().find("referenced keys") != std::string::npos);
  WriteOp repoint;
  repoint.kind = WriteOp::Kind::kUpdate;
  repoint.table = "orders";
  repoint.where = Predicate::All({});
  repoint.assignments = {{"client_id", std::string("2")}};
  CHECK_FALSE(dpo::source::ApplyAll(*source, {repoint}, {}).ok());
  repoint.assignments = {{"client_id", std::nullopt}};
  auto unlinked = dpo::source::ApplyAll(*source, {repoint}, {});
  REQUIRE(unlinked.ok());
  CHECK(unlinked->rows_affected == std::vector<int64_t>{1});
}

TEST_CASE("csv source: a journaled change is read as committed read-only, and finished by a writable open") {
  TempDir dir;
  std::string a = dir.Write("a.csv", "id\n1\n2\n");
  std::string b = dir.Write("b.csv", "id\n1\n2\n3\n");
  {
    auto source = Open(dir.path(), false);
    // The journal's rename is the first; fail the second (the first file put in place).
    util::ArmFault(util::FaultPoint::kRename, 2);
    auto r = dpo::source::ApplyAll(*source,
                                   {DeleteWhere("a", Predicate::Compare(Predicate::Op::kEq, "id", "1")),
                                    DeleteWhere("b", Predicate::Compare(Predicate::Op::kEq, "id", "1"))},
                                   {});
    util::ArmFault(util::FaultPoint::kRename, 0);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("injected fault") != std::string::npos);
    CHECK(r.status().message().find("committed") != std::string::npos);
    // The same source now reads the change as committed.
    CHECK(*source->Count("a", std::nullopt) == 1);
    CHECK(*source->Count("b", std::nullopt) == 2);
  }
  CHECK(ReadAll(a) == "id\n1\n2\n");  // not yet in place
  auto hidden = HiddenFiles(dir.path());
  REQUIRE(hidden.size() == 3);
  CHECK(hidden[0] == ".dpo-journal");
  {
    auto ro = Open(dir.path(), true);
    CHECK(*ro->Count("a", std::nullopt) == 1);
    CHECK(*ro->Count("b", std::nullopt) == 2);
    REQUIRE(ro->Notices().size() == 1);
    CHECK(ro->Notices()[0].find("interrupted change of 2 file(s)") != std::string::npos);
    CHECK(HiddenFiles(dir.path()) == hidden);  // read-only: nothing touched
  }
  {
    auto rw = Open(dir.path(), false);
    REQUIRE(rw->Notices().size() == 1);
    CHECK(rw->Notices()[0].find("finished an interrupted change of 2 file(s)") != std::string::npos);
    CHECK(HiddenFiles(dir.path()).empty());
  }
  CHECK(ReadAll(a) == "id\n2\n");
  CHECK(ReadAll(b) == "id\n2\n3\n");
  CHECK(Open(dir.path(), false)->Notices().empty());
}

TEST_CASE("csv source: temporary files without a journal are removed by a writable open only") {
  TempDir dir;
  std::string a = dir.Write("a.csv", "id\n1\n");
  dir.Write(".dpo-tx-abc123-a.csv.tmp", "id\n");
  dir.Write(".dpo-journal-xyz789.tmp", "half a journal");
  dir.Write(".dpo-tx-notes.txt", "not ours");
  {
    auto ro = Open(dir.path(), true);
    CHECK(ro->Notices().empty());
    CHECK(HiddenFiles(dir.path()).size() == 3);
  }
  auto rw = Open(dir.path(), false);
  REQUIRE(rw->Notices().size() == 1);
  CHECK(rw->Notices()[0].find("removed 2 temporary file(s)") != std::string::npos);
  CHECK(rw->Notices()[0].find("as before") != std::string::npos);
  CHECK(HiddenFiles(dir.path()) == std::vector<std::string>{".dpo-tx-notes.txt"});
  CHECK(ReadAll(a) == "id\n1\n");

  // A single-file source only removes versions of its own file.
  dir.Write("b.csv", "id\n1\n");
  dir.Write(".dpo-tx-abc123-a.csv.tmp", "id\n");
  dir.Write(".dpo-tx-def456-b.csv.tmp", "id\n");
  auto single = Open(dir.File("b.csv"), false);
  CHECK(single->Notices().size() == 1);
  CHECK(HiddenFiles(dir.path()) == std::vector<std::string>{".dpo-tx-abc123-a.csv.tmp", ".dpo-tx-notes.txt"});
}

TEST_CASE("csv source: a damaged journal is an error that says what to do, read-only or not") {
  TempDir dir;
  dir.Write("a.csv", "id\n1\n");
  dir.Write(".dpo-tx-abc123-a.csv.tmp", "id\n");
  dir.Write(".dpo-journal", "dpo-journal 1\n.dpo-tx-abc123-a.csv.tmp\ta.csv\nsha256 0000\n");
  for (bool read_only : {true, false}) {
    OpenOptions o;
    o.read_only = read_only;
    auto s = OpenCsvSource(dir.path(), o);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message().find("checksum does not match") != std::string::npos);
    CHECK(s.status().message().find("restore") != std::string::npos);
  }
  CHECK(HiddenFiles(dir.path()).size() == 2);  // nothing guessed, nothing removed
  CHECK(ReadAll(dir.File("a.csv")) == "id\n1\n");
}

}  // namespace
}  // namespace dpo::source

namespace dpo::source {
namespace {

TEST_CASE("csv source: mutated journals give a source or a clean error, never a crash or a guess") {
  TempDir dir;
  dir.Write("a.csv", "id\n1\n2\n");
  dir.Write("b.csv", "id\n1\n2\n3\n");
  {
    auto source = Open(dir.path(), false);
    util::ArmFault(util::FaultPoint::kRename, 2);  // the journal is in place, no file yet
    WriteOp del;
    del.table = "a";
    del.where = Predicate::Compare(Predicate::Op::kEq, "id", "1");
    WriteOp del_b = del;
    del_b.table = "b";
    REQUIRE_FALSE(dpo::source::ApplyAll(*source, {del, del_b}, {}).ok());
    util::ArmFault(util::FaultPoint::kRename, 0);
  }
  const std::string journal = ReadAll(dir.File(".dpo-journal"));
  REQUIRE(journal.rfind("dpo-journal 1\n", 0) == 0);
  const std::string body = journal.substr(0, journal.rfind("sha256 "));
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>(state >> 33);
  };
  int opened = 0, refused = 0;
  for (int i = 0; i < 400; ++i) {
    std::string text = i % 2 ? body : journal;
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = next() % text.size();
      switch (next() % 4) {
        case 0: text[at] = static_cast<char>(next() % 256); break;
        case 1: text.erase(at, 1 + next() % 8); break;
        case 2: text.insert(at, 1, "\t\n%/.\0x"[next() % 7]); break;
        default: text.resize(at); break;
      }
    }
    // Half of them with a checksum that matches, so that the lines are parsed.
    if (i % 2) text += "sha256 " + util::Sha256Hex(text) + "\n";
    dir.Write(".dpo-journal", text);
    OpenOptions o;  // read-only: never renames anything, whatever the journal says
    auto s = OpenCsvSource(dir.path(), o);
    if (s.ok()) {
      ++opened;
      auto n = (*s)->Count("a", std::nullopt);
      CHECK((!n.ok() || *n == 1 || *n == 2));
    } else {
      ++refused;
      CHECK(s.status().message().find(".dpo-journal") != std::string::npos);
    }
  }
  CHECK(refused > 0);
  MESSAGE("mutated journals: " << opened << " opened, " << refused << " refused");
  CHECK(ReadAll(dir.File("a.csv")) == "id\n1\n2\n");
}

}  // namespace
}  // namespace dpo::source
