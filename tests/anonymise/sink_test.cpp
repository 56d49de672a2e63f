// The sinks of the anonymised export (lib/anonymise/sink.h): each kind
// round-trips tables with keys, relations and NULLs through dpo's own source
// readers; output appears whole at Finish() or not at all; files are
// owner-only; CSV cells that a spreadsheet would run are neutralised.
#include <doctest/doctest.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "anonymise/sink.h"
#include "anonymise/test_util.h"
#include "anonymise/sink_internal.h"
#include "source/pg_server.h"
#include "source/source.h"
#include "util/fault.h"

using namespace dpo;
using anonymise::SinkColumn;
using anonymise::SinkKind;
using anonymise::SinkTable;
using source::TypeClass;

namespace {

namespace fs = std::filesystem;
using namespace dpo::anonymise_test;

struct Disarm {
  ~Disarm() { util::ArmFault(util::FaultPoint::kWrite, 0); }
};

SinkColumn Col(std::string name, TypeClass type, bool nullable = true, std::string declared = "") {
  SinkColumn c;
  c.name = std::move(name);
  c.type = type;
  c.nullable = nullable;
  c.declared_type = std::move(declared);
  return c;
}

source::ForeignKey Fk(std::vector<std::string> columns, std::string table, std::vector<std::string> referenced) {
  source::ForeignKey fk;
  fk.columns = std::move(columns);
  fk.referenced_table = std::move(table);
  fk.referenced_columns = std::move(referenced);
  return fk;
}

source::RowBatch Batch(size_t columns, const Rows& rows, int64_t first_row = 1) {
  source::RowBatch b;
  b.Reset(columns);
  for (const auto& row : rows) {
    REQUIRE(row.size() == columns);
    for (const Cell& c : row) {
      if (c) b.AddCell(*c);
      else b.AddNull();
    }
    b.EndRow(first_row++);
  }
  return b;
}

// customers (PK id, UNIQUE email, every type, NULLs) and orders (FK to customers).
SinkTable Customers(const std::string& name = "customers") {
  SinkTable t;
  t.name = name;
  t.columns = {Col("id", TypeClass::kInteger, false), Col("email", TypeClass::kText, false),
               Col("score", TypeClass::kReal),         Col("active", TypeClass::kBoolean),
               Col("born", TypeClass::kDate),          Col("seen", TypeClass::kTimestamp),
               Col("photo", TypeClass::kBlob),         Col("note", TypeClass::kText)};
  t.primary_key = {"id"};
  t.unique = {{"email"}};
  return t;
}

SinkTable Orders(const std::string& name = "orders", const std::string& parent = "customers") {
  SinkTable t;
  t.name = name;
  t.columns = {Col("id", TypeClass::kInteger, false), Col("customer_id", TypeClass::kInteger),
               Col("amount", TypeClass::kReal)};
  t.primary_key = {"id"};
  t.foreign_keys = {Fk({"customer_id"}, parent, {"id"})};
  return t;
}

const Rows kCustomers = {
    {"1", "ann@example.com", "2.5", "true", "1990-01-02", "2024-05-06 07:08:09", "\\x00ff", std::nullopt},
    {"2", "bob \"the\" builder, jr\nline2", std::nullopt, "0", std::nullopt, std::nullopt, std::nullopt, "=1+1"},
    {"3", "\xc3\xa9mile@ex\xc3\xa4mple.org", "-12.5", std::nullopt, "2000-12-31", "2001-01-01 00:00:00",
     "\\xdeadbeef", "tab\there\\back\rcr"},
};
const Rows kOrders = {
    {"10", "1", "3.5"},
    {"11", std::nullopt, "-0.25"},
    {"12", "2", std::nullopt},
    {"13", "1", "7.75"},
};

// kCustomers as each backend prints it back: booleans in the backend's form,
// and CSV's formula neutralising.
Rows ExpectedCustomers(SinkKind kind) {
  Rows rows = kCustomers;
  const char* yes = kind == SinkKind::kSqlite ? "1" : kind == SinkKind::kPostgres ? "t" : "true";
  const char* no = kind == SinkKind::kSqlite ? "0" : kind == SinkKind::kPostgres ? "f" : "false";
  rows[0][3] = yes;
  rows[1][3] = no;
  if (kind == SinkKind::kCsv) rows[1][7] = "'=1+1";
  return rows;
}

Status WriteAll(anonymise::Sink& sink, const std::vector<std::pair<SinkTable, Rows>>& tables) {
  for (const auto& [t, rows] : tables) DPO_RETURN_IF_ERROR(sink.CreateTable(t));
  for (const auto& [t, rows] : tables) DPO_RETURN_IF_ERROR(sink.WriteRows(t.name, Batch(t.columns.size(), rows)));
  return Status::Ok();
}

std::unique_ptr<anonymise::Sink> Open(SinkKind kind, const std::string& dest, bool overwrite = false,
                                      const std::string& schema = "anonymised") {
  anonymise::SinkOptions options;
  options.overwrite = overwrite;
  options.schema = schema;
  auto sink = anonymise::OpenSink(kind, dest, options);
  REQUIRE_MESSAGE(sink.ok(), sink.status().message());
  return std::move(sink).value();
}

std::unique_ptr<source::Source> OpenRead(const std::string& spec) {
  source::OpenOptions options;
  options.read_only = true;
  options.csv.delimiter = ',';
  options.csv.encoding = "utf-8";
  auto src = source::OpenSource(spec, options);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  return std::move(src).value();
}

Rows ReadRows(source::Source& src, const std::string& table) {
  auto reader = src.Read(table, source::ReadRequest{});
  REQUIRE_MESSAGE(reader.ok(), reader.status().message());
  Rows rows;
  source::RowBatch b;
  while (true) {
    auto more = (*reader)->Next(&b);
    REQUIRE_MESSAGE(more.ok(), more.status().message());
    if (!*more) break;
    for (size_t r = 0; r < b.num_rows(); ++r) {
      std::vector<Cell> row;
      for (size_t c = 0; c < b.num_columns(); ++c)
        row.push_back(b.IsNull(r, c) ? Cell() : Cell(std::string(b.Cell(r, c))));
      rows.push_back(std::move(row));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

Rows Sorted(Rows rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<std::string> ColumnNames(const source::Table& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns) out.push_back(c.name);
  return out;
}

std::vector<TypeClass> ColumnTypes(const source::Table& t) {
  std::vector<TypeClass> out;
  for (const auto& c : t.columns) out.push_back(c.type);
  return out;
}

source::Table Describe(source::Source& src, const std::string& table) {
  auto t = src.Describe(table);
  REQUIRE_MESSAGE(t.ok(), t.status().message());
  return *t;
}

const std::vector<TypeClass> kCustomerTypes = {TypeClass::kInteger, TypeClass::kText,      TypeClass::kReal,
                                               TypeClass::kBoolean, TypeClass::kDate,      TypeClass::kTimestamp,
                                               TypeClass::kBlob,    TypeClass::kText};
const std::vector<TypeClass> kOrderTypes = {TypeClass::kInteger, TypeClass::kInteger, TypeClass::kReal};

bool HasForeignKey(const source::Table& t, const std::string& column, const std::string& parent) {
  for (const auto& fk : t.foreign_keys)
    if (fk.columns == std::vector<std::string>{column} && fk.referenced_table == parent &&
        fk.referenced_columns == std::vector<std::string>{"id"})
      return true;
  return false;
}

}  // namespace

// --- SQLite -------------------------------------------------------------------

TEST_CASE("sqlite sink: tables, keys, relations, NULLs and types round-trip through the SQLite source") {
  TempDir dir;
  std::string dest = dir / "out.db";
  auto sink = Open(SinkKind::kSqlite, dest);
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), kOrders}}).ok());
  CHECK_FALSE(fs::exists(dest));  // nothing under the name before Finish
  Status finished = sink->Finish();
  REQUIRE_MESSAGE(finished.ok(), finished.message());
  CHECK(dir.Entries() == std::set<std::string>{"out.db"});

  auto src = OpenRead(dest);
  auto tables = src->ListTables();
  REQUIRE(tables.ok());
  CHECK(*tables == std::vector<std::string>{"customers", "orders"});
  source::Table customers = Describe(*src, "customers");
  CHECK(ColumnTypes(customers) == kCustomerTypes);
  CHECK(customers.primary_key == std::vector<std::string>{"id"});
  CHECK(customers.FindColumn("email")->unique);
  CHECK_FALSE(customers.FindColumn("email")->nullable);
  CHECK(customers.FindColumn("note")->nullable);
  source::Table orders = Describe(*src, "orders");
  CHECK(ColumnTypes(orders) == kOrderTypes);
  CHECK(HasForeignKey(orders, "customer_id", "customers"));
  CHECK(ReadRows(*src, "customers") == Sorted(ExpectedCustomers(SinkKind::kSqlite)));
  CHECK(ReadRows(*src, "orders") == Sorted(kOrders));

  // Numbers, booleans and blobs are stored as such, not as text.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(dest.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT typeof(id), typeof(score), typeof(active), typeof(born), typeof(photo) "
                             "FROM customers WHERE id = 1",
                             -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  std::vector<std::string> storage;
  for (int i = 0; i < 5; ++i) storage.push_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)));
  CHECK(storage == std::vector<std::string>{"integer", "real", "integer", "text", "blob"});
  sqlite3_finalize(stmt);
  // The journal is back to normal for whoever opens the file next.
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "delete");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_CASE("sqlite sink: the file is 0600 whatever the umask") {
  Umask open_umask(0);
  TempDir dir;
  std::string dest = dir / "out.db";
  auto sink = Open(SinkKind::kSqlite, dest);
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}}).ok());
  for (const std::string& name : dir.Entries()) CHECK(Mode(dir / name) == 0600);  // the .partial too
  REQUIRE(sink->Finish().ok());
  CHECK(Mode(dest) == 0600);
}

TEST_CASE("sqlite sink: an existing destination is refused without overwrite and replaced only at Finish with it") {
  TempDir dir;
  std::string dest = dir / "out.db";
  Spit(dest, "not a database");
  anonymise::SinkOptions options;
  auto refused = anonymise::OpenSink(SinkKind::kSqlite, dest, options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("already exists") != std::string::npos);
  CHECK(refused.status().message().find("--force") != std::string::npos);
  CHECK(Slurp(dest) == "not a database");
  CHECK(dir.Entries() == std::set<std::string>{"out.db"});

  auto sink = Open(SinkKind::kSqlite, dest, /*overwrite=*/true);
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}}).ok());
  CHECK(Slurp(dest) == "not a database");
  REQUIRE(sink->Finish().ok());
  CHECK(dir.Entries() == std::set<std::string>{"out.db"});
  auto src = OpenRead(dest);
  CHECK(ReadRows(*src, "customers").size() == 3);

  // A directory is never replaced by a file.
  fs::create_directory(dir / "adir");
  CHECK_FALSE(anonymise::OpenSink(SinkKind::kSqlite, dir / "adir", anonymise::SinkOptions{true, "x"}).ok());
}

TEST_CASE("sqlite sink: a -wal or -journal file beside the destination is refused (it would corrupt the new file)") {
  TempDir dir;
  std::string dest = dir / "out.db";
  Spit(dest + "-wal", "stale");
  anonymise::SinkOptions options;
  options.overwrite = true;
  auto refused = anonymise::OpenSink(SinkKind::kSqlite, dest, options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("-wal") != std::string::npos);
  CHECK(dir.Entries() == std::set<std::string>{"out.db-wal"});
}

TEST_CASE("sqlite sink: a foreign key that does not resolve fails Finish, naming the relation, and leaves nothing") {
  TempDir dir;
  std::string dest = dir / "out.db";
  auto sink = Open(SinkKind::kSqlite, dest);
  Rows orders = kOrders;
  orders.push_back({"14", "99", "1.0"});
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), orders}}).ok());
  Status finished = sink->Finish();
  REQUIRE_FALSE(finished.ok());
  CHECK(finished.code() == StatusCode::kConflict);
  CHECK(finished.message().find("orders: foreign key (customer_id) -> customers (id)") != std::string::npos);
  CHECK(finished.message().find("1 row") != std::string::npos);
  CHECK(dir.Entries().empty());
  CHECK_FALSE(sink->Finish().ok());  // failed for good
}

TEST_CASE("sqlite sink: a UNIQUE violation fails the write without showing the value, and leaves nothing") {
  TempDir dir;
  auto sink = Open(SinkKind::kSqlite, dir / "out.db");
  Rows rows = kCustomers;
  rows.push_back({"4", "ann@example.com", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                  std::nullopt});
  Status s = WriteAll(*sink, {{Customers(), rows}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("customers.email") != std::string::npos);
  CHECK(s.message().find("row 4") != std::string::npos);
  CHECK(s.message().find("ann@") == std::string::npos);
  CHECK(dir.Entries().empty());
}

TEST_CASE("sqlite sink: a sink destroyed or abandoned before Finish leaves no destination and no .partial") {
  TempDir dir;
  {
    auto sink = Open(SinkKind::kSqlite, dir / "out.db");
    REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), kOrders}}).ok());
    CHECK(dir.Entries().size() == 1);  // the .partial
    CHECK(dir.Entries().begin()->rfind("out.db.partial-", 0) == 0);
  }
  CHECK(dir.Entries().empty());
  auto sink = Open(SinkKind::kSqlite, dir / "out.db");
  REQUIRE(sink->CreateTable(Customers()).ok());
  sink->Abandon();
  sink->Abandon();  // safe twice
  CHECK(dir.Entries().empty());
  CHECK_FALSE(sink->WriteRows("customers", Batch(8, kCustomers)).ok());
  CHECK_FALSE(sink->Finish().ok());
}

TEST_CASE("sqlite sink: a failing fsync, rename or commit leaves nothing") {
  for (util::FaultPoint point : {util::FaultPoint::kFsync, util::FaultPoint::kRename, util::FaultPoint::kCommit}) {
    TempDir dir;
    auto sink = Open(SinkKind::kSqlite, dir / "out.db");
    REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), kOrders}}).ok());
    util::ArmFault(point, 1);
    Status finished = sink->Finish();
    util::ArmFault(point, 0);
    CHECK_FALSE(finished.ok());
    CHECK(finished.message().find("injected") != std::string::npos);
    CHECK(dir.Entries().empty());
  }
}

TEST_CASE("sqlite sink: declared types are kept when they are type names, else the mapped type is used") {
  TempDir dir;
  std::string dest = dir / "out.db";
  auto sink = Open(SinkKind::kSqlite, dest);
  SinkTable t;
  t.name = "t";
  t.columns = {Col("a", TypeClass::kText, true, "VARCHAR(80)"),
               Col("b", TypeClass::kInteger, true, "INT); DROP TABLE t; --"),
               Col("c", TypeClass::kReal, true, "NUMERIC(10, 2)"),
               Col("d", TypeClass::kText, true, "TEXT NOT NULL"),
               Col("e", TypeClass::kUnknown)};
  REQUIRE(sink->CreateTable(t).ok());
  REQUIRE(sink->WriteRows("t", Batch(5, {{"x", "1", "2.5", "y", "42"}})).ok());
  REQUIRE(sink->Finish().ok());
  auto src = OpenRead(dest);
  source::Table d = Describe(*src, "t");
  std::vector<std::string> declared;
  for (const auto& c : d.columns) declared.push_back(c.declared_type);
  CHECK(declared == std::vector<std::string>{"VARCHAR(80)", "INTEGER", "NUMERIC(10, 2)", "TEXT", ""});
  CHECK(ReadRows(*src, "t") == Rows{{"x", "1", "2.5", "y", "42"}});
}

TEST_CASE("sqlite sink: hostile table and column names are data") {
  TempDir dir;
  std::string dest = dir / "out.db";
  auto sink = Open(SinkKind::kSqlite, dest);
  SinkTable parent;
  parent.name = "we\"ird tab\xc3\xa9";
  parent.columns = {Col("c\"ol 1", TypeClass::kInteger, false),
                    Col("\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x9c\x93", TypeClass::kText),
                    Col("a'); DROP TABLE x; --", TypeClass::kText)};
  parent.primary_key = {"c\"ol 1"};
  SinkTable child;
  child.name = "kid's \"table\"";
  child.columns = {Col("id", TypeClass::kInteger, false), Col("sp ace", TypeClass::kInteger)};
  child.primary_key = {"id"};
  child.foreign_keys = {Fk({"sp ace"}, parent.name, {"c\"ol 1"})};
  Rows parent_rows = {{"1", "x", "y"}, {"2", std::nullopt, "z"}};
  Rows child_rows = {{"1", "2"}, {"2", std::nullopt}};
  REQUIRE(WriteAll(*sink, {{parent, parent_rows}, {child, child_rows}}).ok());
  Status finished = sink->Finish();
  REQUIRE_MESSAGE(finished.ok(), finished.message());
  auto src = OpenRead(dest);
  auto tables = src->ListTables();
  REQUIRE(tables.ok());
  CHECK(*tables == std::vector<std::string>{child.name, parent.name});
  CHECK(ColumnNames(Describe(*src, parent.name)) ==
        std::vector<std::string>{"c\"ol 1", parent.columns[1].name, "a'); DROP TABLE x; --"});
  CHECK(ReadRows(*src, parent.name) == parent_rows);
  CHECK(ReadRows(*src, child.name) == Sorted(child_rows));
  CHECK(Describe(*src, child.name).foreign_keys.size() == 1);
}

TEST_CASE("sinks: misuse is an error, and the failed sink removes its output") {
  TempDir dir;
  auto sink = Open(SinkKind::kSqlite, dir / "out.db");
  REQUIRE(sink->CreateTable(Customers()).ok());
  CHECK_FALSE(sink->CreateTable(Customers()).ok());  // declared twice: the sink is failed now
  CHECK(dir.Entries().empty());

  auto second = Open(SinkKind::kSqlite, dir / "out.db");
  REQUIRE(second->CreateTable(Customers()).ok());
  CHECK_FALSE(second->WriteRows("nope", Batch(1, {{"1"}})).ok());
  CHECK(dir.Entries().empty());

  auto third = Open(SinkKind::kSqlite, dir / "out.db");
  REQUIRE(third->CreateTable(Customers()).ok());
  REQUIRE(third->WriteRows("customers", Batch(8, kCustomers)).ok());
  Status late = third->CreateTable(Orders());
  CHECK_FALSE(late.ok());
  CHECK(late.code() == StatusCode::kInternal);
  CHECK(dir.Entries().empty());

  auto fourth = Open(SinkKind::kSqlite, dir / "out.db");
  SinkTable bad = Customers();
  bad.primary_key = {"nope"};
  CHECK_FALSE(fourth->CreateTable(bad).ok());

  auto fifth = Open(SinkKind::kSqlite, dir / "out.db");
  REQUIRE(fifth->CreateTable(Customers()).ok());
  REQUIRE(fifth->CreateTable(Orders("orders", "missing")).ok());
  Status missing = fifth->Finish();
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.message().find("not part of the export") != std::string::npos);
  CHECK(dir.Entries().empty());

  anonymise::SinkOptions options;
  CHECK_FALSE(anonymise::OpenSink(SinkKind::kSqlite, "mysql://u:pw@h/db", options).ok());
  CHECK_FALSE(anonymise::OpenSink(SinkKind::kCsv, "", options).ok());
}

// --- CSV ----------------------------------------------------------------------

TEST_CASE("csv sink: tables, NULLs and types round-trip through the CSV source") {
  TempDir dir;
  std::string dest = dir / "export";
  auto sink = Open(SinkKind::kCsv, dest);
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), kOrders}}).ok());
  CHECK_FALSE(fs::exists(dest));
  Status finished = sink->Finish();
  REQUIRE_MESSAGE(finished.ok(), finished.message());
  CHECK(dir.Entries() == std::set<std::string>{"export"});
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(dest)) files.insert(e.path().filename().string());
  CHECK(files == std::set<std::string>{"customers.csv", "orders.csv", ".dpo-anonymise"});

  auto src = OpenRead(dest);
  source::Table customers = Describe(*src, "customers");
  CHECK(ColumnNames(customers) ==
        std::vector<std::string>{"id", "email", "score", "active", "born", "seen", "photo", "note"});
  // CSV keeps no declared types: they are inferred again from the values
  // (a blob's hex text is text).
  std::vector<TypeClass> types = kCustomerTypes;
  types[6] = TypeClass::kText;
  CHECK(ColumnTypes(customers) == types);
  CHECK(ColumnTypes(Describe(*src, "orders")) == kOrderTypes);
  CHECK(ReadRows(*src, "customers") == Sorted(ExpectedCustomers(SinkKind::kCsv)));
  CHECK(ReadRows(*src, "orders") == Sorted(kOrders));

  std::string text = Slurp(dest + "/orders.csv");
  CHECK(text == "id,customer_id,amount\n10,1,3.5\n11,,-0.25\n12,2,\n13,1,7.75\n");
}

TEST_CASE("csv sink: directory 0700 and files 0600 whatever the umask") {
  Umask open_umask(0);
  TempDir dir;
  std::string dest = dir / "export";
  auto sink = Open(SinkKind::kCsv, dest);
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}}).ok());
  REQUIRE(dir.Entries().size() == 1);
  std::string partial = dir / *dir.Entries().begin();
  CHECK(dir.Entries().begin()->rfind(".export.partial-", 0) == 0);
  CHECK(Mode(partial) == 0700);
  REQUIRE(sink->Finish().ok());
  CHECK(Mode(dest) == 0700);
  CHECK(Mode(dest + "/customers.csv") == 0600);
}

TEST_CASE("csv sink: formula cells are neutralised, plain numbers are not") {
  TempDir dir;
  std::string dest = dir / "export";
  auto sink = Open(SinkKind::kCsv, dest);
  SinkTable t;
  t.name = "cells";
  t.columns = {Col("v", TypeClass::kText), Col("=cmd|' /C calc'!A0", TypeClass::kText)};
  Rows in = {{"=1+1", "x"},  {"+31 6 123", "x"}, {"@SUM(A1)", "x"}, {"-x", "x"},    {"-12.5", "x"},
             {"\tx", "x"},   {"\rx", "x"},       {"plain", "x"},    {"+5", "x"},    {"1e-3", "x"},
             {"-", "x"},     {"", "x"},          {std::nullopt, "x"}};
  REQUIRE(WriteAll(*sink, {{t, in}}).ok());
  REQUIRE(sink->Finish().ok());
  auto src = OpenRead(dest);
  CHECK(ColumnNames(Describe(*src, "cells")) == std::vector<std::string>{"v", "'=cmd|' /C calc'!A0"});
  Rows expected = {{"'=1+1", "x"}, {"'+31 6 123", "x"}, {"'@SUM(A1)", "x"}, {"'-x", "x"}, {"-12.5", "x"},
                   {"'\tx", "x"},  {"'\rx", "x"},       {"plain", "x"},     {"+5", "x"},  {"1e-3", "x"},
                   {"'-", "x"},    {"", "x"},           {std::nullopt, "x"}};
  CHECK(ReadRows(*src, "cells") == Sorted(expected));
}

TEST_CASE("csv sink: a one-column NULL row is still a row") {
  TempDir dir;
  std::string dest = dir / "export";
  auto sink = Open(SinkKind::kCsv, dest);
  SinkTable t;
  t.name = "one";
  t.columns = {Col("v", TypeClass::kText)};
  REQUIRE(WriteAll(*sink, {{t, {{"a"}, {std::nullopt}, {"b"}}}}).ok());
  REQUIRE(sink->Finish().ok());
  CHECK(Slurp(dest + "/one.csv") == "v\na\n\"\"\nb\n");
}

TEST_CASE("csv sink: an existing destination is refused without overwrite; with it an earlier export is replaced") {
  TempDir dir;
  std::string dest = dir / "export";
  fs::create_directory(dest);
  Spit(dest + "/old.csv", "a\n1\n");
  // A directory of CSV files that dpo did not write is never replaced.
  anonymise::SinkOptions forced;
  forced.overwrite = true;
  auto own = anonymise::OpenSink(SinkKind::kCsv, dest, forced);
  REQUIRE_FALSE(own.ok());
  CHECK(own.status().message().find(".dpo-anonymise") != std::string::npos);
  CHECK(Slurp(dest + "/old.csv") == "a\n1\n");
  Spit(dest + "/.dpo-anonymise", "written by dpo anonymise\n");  // as an earlier export leaves it
  anonymise::SinkOptions options;
  auto refused = anonymise::OpenSink(SinkKind::kCsv, dest + "/", options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("already exists") != std::string::npos);
  CHECK(Slurp(dest + "/old.csv") == "a\n1\n");

  auto sink = Open(SinkKind::kCsv, dest, /*overwrite=*/true);
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}}).ok());
  CHECK(Slurp(dest + "/old.csv") == "a\n1\n");  // replaced only at Finish
  REQUIRE(sink->Finish().ok());
  CHECK_FALSE(fs::exists(dest + "/old.csv"));
  CHECK(fs::exists(dest + "/customers.csv"));
  CHECK(dir.Entries() == std::set<std::string>{"export"});  // the old one is gone, not set aside

  // A directory of other things is not an earlier export: never replaced.
  Spit(dest + "/notes.txt", "mine");
  options.overwrite = true;
  auto stranger = anonymise::OpenSink(SinkKind::kCsv, dest, options);
  REQUIRE_FALSE(stranger.ok());
  CHECK(stranger.status().message().find("notes.txt") != std::string::npos);
  CHECK(Slurp(dest + "/notes.txt") == "mine");
  Spit(dir / "afile", "x");
  CHECK_FALSE(anonymise::OpenSink(SinkKind::kCsv, dir / "afile", options).ok());
  CHECK_FALSE(anonymise::OpenSink(SinkKind::kCsv, dir.path + "/..", options).ok());
}

TEST_CASE("csv sink: destroyed before Finish, or failing in Finish, leaves nothing") {
  TempDir dir;
  {
    auto sink = Open(SinkKind::kCsv, dir / "export");
    REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), kOrders}}).ok());
    CHECK(dir.Entries().size() == 1);
  }
  CHECK(dir.Entries().empty());
  for (util::FaultPoint point : {util::FaultPoint::kWrite, util::FaultPoint::kFsync, util::FaultPoint::kRename}) {
    Disarm disarm;
    auto sink = Open(SinkKind::kCsv, dir / "export");
    REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), kOrders}}).ok());
    util::ArmFault(point, 1);  // the first flush, file fsync or rename of Finish
    CHECK_FALSE(sink->Finish().ok());
    util::ArmFault(point, 0);
    CHECK(dir.Entries().empty());
  }
}

TEST_CASE("csv sink: hostile names, and many rows through the buffer") {
  TempDir dir;
  std::string dest = dir / "export";
  auto sink = Open(SinkKind::kCsv, dest);
  SinkTable t;
  t.name = "we\"ird tab \xc3\xa9/x";
  t.columns = {Col("c\"ol, 1", TypeClass::kInteger, false), Col("\xc3\x9cn\xc3\xaf \xe2\x9c\x93", TypeClass::kText)};
  SinkTable hidden;
  hidden.name = ".hidden";
  hidden.columns = {Col("a", TypeClass::kText)};
  REQUIRE(sink->CreateTable(t).ok());
  REQUIRE(sink->CreateTable(hidden).ok());
  Rows rows;
  for (int i = 0; i < 60000; ++i) rows.push_back({std::to_string(i), "value \"" + std::to_string(i) + "\",\n"});
  for (size_t at = 0; at < rows.size(); at += 4096) {
    Rows part(rows.begin() + at, rows.begin() + std::min(rows.size(), at + 4096));
    REQUIRE(sink->WriteRows(t.name, Batch(2, part, static_cast<int64_t>(at) + 1)).ok());
    REQUIRE(sink->WriteRows(hidden.name, Batch(1, {{"h"}})).ok());  // switching tables on the way
  }
  REQUIRE(sink->Finish().ok());
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(dest)) files.insert(e.path().filename().string());
  CHECK(files == std::set<std::string>{"we\"ird tab \xc3\xa9%2Fx.csv", "%2Ehidden.csv", ".dpo-anonymise"});
  auto src = OpenRead(dest);
  std::string name = "we\"ird tab \xc3\xa9%2Fx";
  CHECK(ColumnNames(Describe(*src, name)) == std::vector<std::string>{"c\"ol, 1", "\xc3\x9cn\xc3\xaf \xe2\x9c\x93"});
  CHECK(ReadRows(*src, name) == Sorted(rows));
  CHECK(ReadRows(*src, "%2Ehidden").size() == 15);
}

// --- PostgreSQL ---------------------------------------------------------------

namespace {

std::string NewDatabase(testing::PgServer* pg) {
  static int counter = 0;
  return pg->CreateDatabase("dpo_sink_" + std::to_string(++counter));
}

bool SchemaExists(testing::PgServer* pg, const std::string& db, const std::string& schema) {
  // Exec returns the server's message: a failing cast says the schema is absent.
  return pg->Exec(db, "SELECT '" + schema + "'::regnamespace").empty();
}

}  // namespace

TEST_CASE("postgres sink: tables, keys, relations, NULLs and types round-trip through the PostgreSQL source") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = NewDatabase(pg);
  std::string db = uri.substr(uri.rfind('/') + 1);
  auto sink = Open(SinkKind::kPostgres, uri);
  CHECK(sink->DisplayName().find(testing::PgServer::kPassword) == std::string::npos);
  CHECK(sink->DisplayName().find("anonymised") != std::string::npos);
  // Source names with a schema lose it: everything goes into the new schema.
  REQUIRE(WriteAll(*sink, {{Customers("public.customers"), kCustomers},
                           {Orders("hr.orders", "public.customers"), kOrders}}).ok());
  CHECK_FALSE(SchemaExists(pg, db, "anonymised"));  // not visible before the commit
  Status finished = sink->Finish();
  REQUIRE_MESSAGE(finished.ok(), finished.message());
  CHECK(SchemaExists(pg, db, "anonymised"));

  auto src = OpenRead(uri);
  source::Table customers = Describe(*src, "anonymised.customers");
  CHECK(ColumnTypes(customers) == kCustomerTypes);
  CHECK(customers.primary_key == std::vector<std::string>{"id"});
  CHECK(customers.FindColumn("email")->unique);
  CHECK_FALSE(customers.FindColumn("email")->nullable);
  source::Table orders = Describe(*src, "anonymised.orders");
  CHECK(ColumnTypes(orders) == kOrderTypes);
  CHECK(HasForeignKey(orders, "customer_id", "anonymised.customers"));
  CHECK(ReadRows(*src, "anonymised.customers") == Sorted(ExpectedCustomers(SinkKind::kPostgres)));
  CHECK(ReadRows(*src, "anonymised.orders") == Sorted(kOrders));
}

TEST_CASE("postgres sink: an existing schema is refused without overwrite, replaced in the commit with it") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = NewDatabase(pg);
  std::string db = uri.substr(uri.rfind('/') + 1);
  REQUIRE(pg->Exec(db, "CREATE SCHEMA anonymised; CREATE TABLE anonymised.old (a int); INSERT INTO anonymised.old "
                       "VALUES (1)").empty());
  anonymise::SinkOptions options;
  auto refused = anonymise::OpenSink(SinkKind::kPostgres, uri, options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("already exists") != std::string::npos);
  CHECK(refused.status().message().find(testing::PgServer::kPassword) == std::string::npos);
  CHECK(pg->Exec(db, "SELECT * FROM anonymised.old").empty());

  // A schema of the database's own is never dropped, not even with --force.
  anonymise::SinkOptions forced;
  forced.overwrite = true;
  auto own = anonymise::OpenSink(SinkKind::kPostgres, uri, forced);
  REQUIRE_FALSE(own.ok());
  CHECK(own.status().message().find("not one dpo anonymise wrote") != std::string::npos);
  CHECK(pg->Exec(db, "SELECT * FROM anonymised.old").empty());
  // An earlier export carries the comment the sink writes.
  REQUIRE(pg->Exec(db, "COMMENT ON SCHEMA anonymised IS 'written by dpo anonymise; dpo anonymise --force may "
                       "replace this schema'").empty());

  auto sink = Open(SinkKind::kPostgres, uri, /*overwrite=*/true);
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}}).ok());
  REQUIRE(sink->Finish().ok());
  CHECK_FALSE(pg->Exec(db, "SELECT * FROM anonymised.old").empty());  // gone
  CHECK(pg->Exec(db, "SELECT * FROM anonymised.customers").empty());
  // 1/count(*) fails when no row matches: the new schema carries the comment.
  CHECK(pg->Exec(db, "SELECT 1 / count(*) FROM pg_namespace WHERE nspname = 'anonymised' AND "
                     "obj_description(oid, 'pg_namespace') LIKE 'written by dpo anonymise%'").empty());

  options.overwrite = true;
  options.schema = "public";
  auto never = anonymise::OpenSink(SinkKind::kPostgres, uri, options);
  CHECK_FALSE(never.ok());
}

TEST_CASE("postgres sink: a foreign key that does not resolve fails Finish and leaves no schema") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = NewDatabase(pg);
  std::string db = uri.substr(uri.rfind('/') + 1);
  auto sink = Open(SinkKind::kPostgres, uri);
  Rows orders = kOrders;
  orders.push_back({"14", "99", "1.0"});
  REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), orders}}).ok());
  Status finished = sink->Finish();
  REQUIRE_FALSE(finished.ok());
  CHECK(finished.code() == StatusCode::kConflict);
  CHECK(finished.message().find("orders: foreign key (customer_id) -> customers (id)") != std::string::npos);
  CHECK_FALSE(SchemaExists(pg, db, "anonymised"));
}

TEST_CASE("postgres sink: destroyed, failing rows or a failing commit leave no schema; messages hold no values") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = NewDatabase(pg);
  std::string db = uri.substr(uri.rfind('/') + 1);
  {
    auto sink = Open(SinkKind::kPostgres, uri);
    REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}, {Orders(), kOrders}}).ok());
  }
  CHECK_FALSE(SchemaExists(pg, db, "anonymised"));
  {
    auto sink = Open(SinkKind::kPostgres, uri);
    REQUIRE(WriteAll(*sink, {{Customers(), kCustomers}}).ok());
    util::ArmFault(util::FaultPoint::kCommit, 1);
    Status finished = sink->Finish();
    util::ArmFault(util::FaultPoint::kCommit, 0);
    CHECK_FALSE(finished.ok());
    CHECK_FALSE(SchemaExists(pg, db, "anonymised"));
  }
  {
    auto sink = Open(SinkKind::kPostgres, uri);
    Rows rows = kCustomers;
    rows[2][0] = "secret-value-123";
    Status s = WriteAll(*sink, {{Customers(), rows}});
    if (s.ok()) s = sink->Finish();  // COPY reports at its end
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("customers") != std::string::npos);
    CHECK(s.message().find("secret-value") == std::string::npos);
    CHECK_FALSE(SchemaExists(pg, db, "anonymised"));
  }
  {
    auto sink = Open(SinkKind::kPostgres, uri);
    Rows rows = kCustomers;
    rows[2][1] = rows[0][1];
    Status s = WriteAll(*sink, {{Customers(), rows}});
    if (s.ok()) s = sink->Finish();
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("ann@") == std::string::npos);
    CHECK_FALSE(SchemaExists(pg, db, "anonymised"));
  }
}

TEST_CASE("postgres sink: hostile names, the schema parameter, colliding tables, many rows") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = NewDatabase(pg);
  std::string db = uri.substr(uri.rfind('/') + 1);
  auto sink = Open(SinkKind::kPostgres, uri + "?sslmode=disable&schema=ex%22p%202");
  CHECK(sink->DisplayName().find("ex\"p 2") != std::string::npos);
  SinkTable parent;
  parent.name = "we\"ird tab\xc3\xa9";
  parent.columns = {Col("c\"ol 1", TypeClass::kInteger, false),
                    Col("\xc3\x9cn\xc3\xaf \xe2\x9c\x93", TypeClass::kText)};
  parent.primary_key = {"c\"ol 1"};
  SinkTable child;
  child.name = "kid's \"table\"";
  child.columns = {Col("id", TypeClass::kInteger, false), Col("sp ace", TypeClass::kInteger),
                   Col("t", TypeClass::kText)};
  child.primary_key = {"id"};
  child.foreign_keys = {Fk({"sp ace"}, parent.name, {"c\"ol 1"})};
  Rows parent_rows = {{"1", "x\ty\\z\r\n"}, {"2", std::nullopt}};
  Rows child_rows;
  for (int i = 0; i < 30000; ++i)
    child_rows.push_back({std::to_string(i), i % 3 ? Cell("1") : Cell(), "\\N " + std::to_string(i)});
  REQUIRE(sink->CreateTable(parent).ok());
  REQUIRE(sink->CreateTable(child).ok());
  for (size_t at = 0; at < child_rows.size(); at += 4096) {
    Rows part(child_rows.begin() + at, child_rows.begin() + std::min(child_rows.size(), at + 4096));
    REQUIRE(sink->WriteRows(child.name, Batch(3, part)).ok());
  }
  REQUIRE(sink->WriteRows(parent.name, Batch(2, parent_rows)).ok());
  Status finished = sink->Finish();
  REQUIRE_MESSAGE(finished.ok(), finished.message());
  auto src = OpenRead(uri);
  std::string p = "ex\"p 2." + parent.name, c = "ex\"p 2." + child.name;
  CHECK(ColumnNames(Describe(*src, p)) == std::vector<std::string>{"c\"ol 1", "\xc3\x9cn\xc3\xaf \xe2\x9c\x93"});
  CHECK(ReadRows(*src, p) == Sorted(parent_rows));
  CHECK(ReadRows(*src, c) == Sorted(child_rows));
  CHECK(Describe(*src, c).foreign_keys.size() == 1);

  // Two source tables that would meet in the schema.
  auto clash = Open(SinkKind::kPostgres, "host=127.0.0.1 port=" + std::to_string(pg->port()) + " dbname=" + db +
                                             " user=postgres password=" + testing::PgServer::kPassword +
                                             " schema=other");
  REQUIRE(clash->CreateTable(Customers("a.t")).ok());
  Status s = clash->CreateTable(Customers("b.t"));
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("a.t") != std::string::npos);
  CHECK(s.message().find(testing::PgServer::kPassword) == std::string::npos);
  CHECK_FALSE(SchemaExists(pg, db, "other"));
}

TEST_CASE("postgres sink: a failed connection never shows the password") {
  anonymise::SinkOptions options;
  auto r = anonymise::OpenSink(SinkKind::kPostgres, "postgresql://u:Sup3rSecretPw@127.0.0.1:1/db", options);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("Sup3rSecretPw") == std::string::npos);
  CHECK(r.status().message().find("127.0.0.1") != std::string::npos);
  auto kv = anonymise::OpenSink(SinkKind::kPostgres, "host=127.0.0.1 port=1 password='Sup3r Secret'", options);
  REQUIRE_FALSE(kv.ok());
  CHECK(kv.status().message().find("Sup3r") == std::string::npos);
}

// --- Shared pieces -------------------------------------------------------------

TEST_CASE("sink internals: declared types, plain numbers, booleans, blobs") {
  using namespace anonymise::internal;
  for (const char* ok : {"TEXT", "varchar(80)", "character varying(80)", "numeric(10,2)", "numeric (10, 2)",
                         "double precision", "timestamp(3) with time zone", "INT", "bigint"})
    CHECK_MESSAGE(SafeDeclaredType(ok), ok);
  for (const char* bad : {"", "INT); DROP TABLE x; --", "TEXT NOT NULL", "int PRIMARY KEY", "text[]",
                          "\"char\"", "public.mood", "varchar(80", "int)", "a  b", " int", "int ", "numeric(1)(2)",
                          "text DEFAULT 1", "varchar(x)", "text COLLATE \"C\""})
    CHECK_FALSE_MESSAGE(SafeDeclaredType(bad), bad);
  for (const char* n : {"-12.5", "+3", "1e-3", "0", ".5", "5."}) CHECK_MESSAGE(IsPlainNumber(n), n);
  for (const char* n : {"-", "+31 6 123", "-x", "1e", "--1", "", "1-2"}) CHECK_FALSE_MESSAGE(IsPlainNumber(n), n);
  CHECK(ParseBoolean("TRUE") == std::optional<bool>(true));
  CHECK(ParseBoolean("f") == std::optional<bool>(false));
  CHECK(ParseBoolean("off") == std::optional<bool>(false));
  CHECK_FALSE(ParseBoolean("maybe").has_value());
  CHECK(DecodeHexBlob("\\x00ff") == std::optional<std::string>(std::string("\0\xff", 2)));
  CHECK_FALSE(DecodeHexBlob("\\x0").has_value());
  CHECK_FALSE(DecodeHexBlob("00ff").has_value());
  CHECK(QuoteIdent("a\"b") == "\"a\"\"b\"");
}
