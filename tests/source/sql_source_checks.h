// Checks that the SQLite and the PostgreSQL source must both pass, run by
// sqlite_source_test.cpp and postgres_source_test.cpp against a real database
// holding the schema below (each test file fills it in its own SQL).
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "source/source.h"

namespace dpo::testing {

using source::Predicate;
using source::ReadRequest;
using source::RowBatch;
using source::SampleMode;
using source::Source;
using source::WriteOp;

inline constexpr int kCustomers = 10000;
inline const char* kHostileTable = "x\"; DROP TABLE customers; --";
inline const char* kHostileColumn = "we\"ird col; --";

// Portable DDL: the same statements create the same shape in both databases.
inline const char* kSchemaSql =
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name VARCHAR(80), born DATE, "
    "created TIMESTAMP, active BOOLEAN, score REAL);"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), "
    "amount NUMERIC(10,2), note TEXT);"
    "CREATE TABLE order_lines (order_id INTEGER NOT NULL, line INTEGER NOT NULL, sku TEXT, "
    "PRIMARY KEY (order_id, line), FOREIGN KEY (order_id) REFERENCES orders(id));"
    "CREATE TABLE \"x\"\"; DROP TABLE customers; --\" (\"select\" INTEGER PRIMARY KEY, "
    "\"we\"\"ird col; --\" TEXT, \"Mixed Case\" TEXT);"
    "INSERT INTO \"x\"\"; DROP TABLE customers; --\" VALUES (1, 'a', 'A'), (2, 'b', 'B'), (3, NULL, 'C');";
// Then each database inserts kCustomers customers (id i, email 'user<i>@example.nl',
// name NULL when i % 10 == 0 else 'Name <i>'), orders 1..100 with customer_id = id,
// and order_lines (o, 1) for orders 1..100.

struct Rows {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> cells;  // "<NULL>" for NULL
  std::vector<int64_t> row_numbers;
  int batches = 0;
};

inline Rows ReadAll(Source& src, const std::string& table, const ReadRequest& request) {
  Rows rows;
  auto reader = src.Read(table, request);
  REQUIRE_MESSAGE(reader.ok(), reader.status().message());
  rows.names = (*reader)->column_names();
  RowBatch batch;
  while (true) {
    auto more = (*reader)->Next(&batch);
    REQUIRE_MESSAGE(more.ok(), more.status().message());
    if (!*more) break;
    ++rows.batches;
    CHECK(batch.num_rows() <= request.batch_rows);
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < batch.num_columns(); ++c)
        row.push_back(batch.IsNull(r, c) ? "<NULL>" : std::string(batch.Cell(r, c)));
      rows.cells.push_back(row);
      rows.row_numbers.push_back(batch.RowNumber(r));
    }
  }
  CHECK((*reader)->stats().rows_read == static_cast<int64_t>(rows.cells.size()));
  return rows;
}

inline int64_t MustCount(Source& src, const std::string& table, const std::optional<Predicate>& where) {
  auto n = src.Count(table, where);
  REQUIRE_MESSAGE(n.ok(), n.status().message());
  return *n;
}

inline void CheckIntrospection(Source& src) {
  auto tables = src.ListTables();
  REQUIRE_MESSAGE(tables.ok(), tables.status().message());
  CHECK(*tables == std::vector<std::string>{"customers", "order_lines", "orders", kHostileTable});

  auto customers = src.Describe("customers");
  REQUIRE_MESSAGE(customers.ok(), customers.status().message());
  REQUIRE(customers->columns.size() == 7);
  std::vector<std::string> names;
  std::vector<source::TypeClass> types;
  for (const auto& c : customers->columns) {
    names.push_back(c.name);
    types.push_back(c.type);
  }
  using T = source::TypeClass;
  CHECK(names == std::vector<std::string>{"id", "email", "name", "born", "created", "active", "score"});
  CHECK(types == std::vector<T>{T::kInteger, T::kText, T::kText, T::kDate, T::kTimestamp, T::kBoolean, T::kReal});
  CHECK_FALSE(customers->FindColumn("email")->nullable);
  CHECK(customers->FindColumn("name")->nullable);
  CHECK(customers->FindColumn("id")->primary_key_position == 1);
  CHECK(customers->FindColumn("email")->primary_key_position == 0);
  CHECK(customers->primary_key == std::vector<std::string>{"id"});
  CHECK(customers->foreign_keys.empty());
  CHECK(customers->row_count.rows == kCustomers);
  CHECK(customers->row_count.exact);

  auto orders = src.Describe("orders");
  REQUIRE_MESSAGE(orders.ok(), orders.status().message());
  CHECK(orders->FindColumn("amount")->type == T::kReal);
  REQUIRE(orders->foreign_keys.size() == 1);
  CHECK(orders->foreign_keys[0].columns == std::vector<std::string>{"customer_id"});
  CHECK(orders->foreign_keys[0].referenced_table == "customers");
  CHECK(orders->foreign_keys[0].referenced_columns == std::vector<std::string>{"id"});
  CHECK(orders->foreign_keys[0].origin == "schema");
  CHECK(orders->row_count.rows == 100);

  auto lines = src.Describe("order_lines");
  REQUIRE_MESSAGE(lines.ok(), lines.status().message());
  CHECK(lines->primary_key == std::vector<std::string>{"order_id", "line"});
  CHECK(lines->FindColumn("line")->primary_key_position == 2);
  REQUIRE(lines->foreign_keys.size() == 1);
  CHECK(lines->foreign_keys[0].referenced_table == "orders");

  auto missing = src.Describe("no_such_table");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("no_such_table") != std::string::npos);
  CHECK(missing.status().code() == dpo::StatusCode::kNotFound);
}

inline void CheckStreaming(Source& src) {
  ReadRequest request;
  request.batch_rows = 1000;
  Rows rows = ReadAll(src, "customers", request);
  CHECK(rows.names.size() == 7);
  REQUIRE(rows.cells.size() == static_cast<size_t>(kCustomers));
  CHECK(rows.batches == 10);
  int nulls = 0;
  std::set<std::string> ids;
  for (const auto& row : rows.cells) {
    nulls += row[2] == "<NULL>";
    ids.insert(row[0]);
  }
  CHECK(nulls == kCustomers / 10);
  CHECK(ids.size() == static_cast<size_t>(kCustomers));
  CHECK(rows.row_numbers.front() == 1);
  CHECK(rows.row_numbers.back() == kCustomers);
  CHECK(rows.cells[4][1] == "user5@example.nl");

  ReadRequest projected;
  projected.columns = {"email", "id"};
  projected.mode = SampleMode::kFirst;
  projected.limit = 5;
  Rows first = ReadAll(src, "customers", projected);
  CHECK(first.names == std::vector<std::string>{"email", "id"});
  REQUIRE(first.cells.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(first.cells[i][1] == std::to_string(i + 1));

  ReadRequest bad;
  bad.columns = {"id", "nope"};
  auto reader = src.Read("customers", bad);
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().message().find("customers.nope") != std::string::npos);
}

inline std::vector<std::string> SampleIds(Source& src, uint64_t seed) {
  ReadRequest request;
  request.columns = {"id"};
  request.mode = SampleMode::kRandom;
  request.limit = 100;
  request.seed = seed;
  request.batch_rows = 30;
  std::vector<std::string> ids;
  for (auto& row : ReadAll(src, "customers", request).cells) ids.push_back(row[0]);
  return ids;
}

inline void CheckSampling(Source& src) {
  std::vector<std::string> a = SampleIds(src, 42), b = SampleIds(src, 42), c = SampleIds(src, 7);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a.size() >= 60);
  CHECK(a.size() <= 100);
  // Random, not the first rows: ids spread over the table.
  int high = 0;
  for (const auto& id : a) high += std::stoi(id) > kCustomers / 2;
  CHECK(high > 10);
  CHECK(high < static_cast<int>(a.size()) - 10);
}

inline void CheckWhere(Source& src) {
  using Op = Predicate::Op;
  CHECK(MustCount(src, "customers", std::nullopt) == kCustomers);
  CHECK(MustCount(src, "customers", Predicate::Compare(Op::kGt, "id", "9990")) == 10);
  CHECK(MustCount(src, "customers", Predicate::Null("name")) == kCustomers / 10);
  CHECK(MustCount(src, "customers", Predicate::Null("name", false)) == kCustomers - kCustomers / 10);
  Predicate in;
  in.op = Op::kIn;
  in.column = "id";
  in.values = {"1", "2", "3"};
  CHECK(MustCount(src, "customers",
                  Predicate::Any({Predicate::Compare(Op::kEq, "email", "user5@example.nl"), in})) == 4);
  CHECK(MustCount(src, "customers", Predicate::Negate(Predicate::Compare(Op::kLe, "id", "100"))) == kCustomers - 100);
  CHECK(MustCount(src, "customers",
                  Predicate::All({Predicate::Compare(Op::kGe, "id", "10"), Predicate::Compare(Op::kLt, "id", "20"),
                                  Predicate::Compare(Op::kNe, "id", "15")})) == 9);
  CHECK(MustCount(src, "customers", Predicate::All({})) == kCustomers);
  CHECK(MustCount(src, "customers", Predicate::Any({})) == 0);
  CHECK(MustCount(src, "customers", Predicate::Compare(Op::kLt, "born", "1980-01-02")) == kCustomers);
  // A hostile literal is a value, never SQL.
  CHECK(MustCount(src, "customers", Predicate::Compare(Op::kEq, "email", "x'; DROP TABLE customers; --")) == 0);

  ReadRequest request;
  request.columns = {"id", "name"};
  request.where = Predicate::Compare(Op::kGt, "id", "9995");
  Rows rows = ReadAll(src, "customers", request);
  REQUIRE(rows.cells.size() == 5);
  CHECK(rows.cells[4] == std::vector<std::string>{"10000", "<NULL>"});

  auto bad = src.Count("customers", Predicate::Compare(Op::kEq, "nope", "1"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("customers.nope") != std::string::npos);
  CHECK(MustCount(src, "customers", std::nullopt) == kCustomers);
}

inline void CheckHostileIdentifiers(Source& src) {
  auto table = src.Describe(kHostileTable);
  REQUIRE_MESSAGE(table.ok(), table.status().message());
  REQUIRE(table->columns.size() == 3);
  CHECK(table->columns[0].name == "select");
  CHECK(table->columns[1].name == kHostileColumn);
  CHECK(table->columns[2].name == "Mixed Case");
  CHECK(table->primary_key == std::vector<std::string>{"select"});
  CHECK(table->row_count.rows == 3);

  ReadRequest request;
  request.columns = {kHostileColumn, "Mixed Case", "select"};
  request.where = Predicate::Null(kHostileColumn, false);
  Rows rows = ReadAll(src, kHostileTable, request);
  REQUIRE(rows.cells.size() == 2);
  CHECK(rows.cells[0] == std::vector<std::string>{"a", "A", "1"});
  CHECK(MustCount(src, kHostileTable, Predicate::Compare(Predicate::Op::kEq, "select", "2")) == 1);

  ReadRequest sample;
  sample.mode = SampleMode::kRandom;
  sample.limit = 2;
  sample.seed = 1;
  CHECK(ReadAll(src, kHostileTable, sample).cells.size() <= 3);
  CHECK(MustCount(src, "customers", std::nullopt) == kCustomers);
}

// Needs a writable source.
inline void CheckApply(Source& src) {
  using Op = Predicate::Op;
  WriteOp del;
  del.kind = WriteOp::Kind::kDelete;
  del.table = "order_lines";
  del.where = Predicate::Compare(Op::kLe, "order_id", "10");
  WriteOp upd;
  upd.kind = WriteOp::Kind::kUpdate;
  upd.table = "customers";
  upd.where = Predicate::Compare(Op::kLe, "id", "3");
  upd.assignments = {{"name", std::nullopt}, {"email", "erased@example.invalid"}};

  auto dry = dpo::source::ApplyAll(src, {del, upd}, {.dry_run = true});
  REQUIRE_MESSAGE(dry.ok(), dry.status().message());
  CHECK(dry->rows_affected == std::vector<int64_t>{10, 3});
  CHECK(MustCount(src, "order_lines", std::nullopt) == 100);

  auto done = dpo::source::ApplyAll(src, {del, upd}, {.dry_run = false});
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->rows_affected == std::vector<int64_t>{10, 3});
  CHECK(MustCount(src, "order_lines", std::nullopt) == 90);
  CHECK(MustCount(src, "customers", Predicate::Compare(Op::kEq, "email", "erased@example.invalid")) == 3);
  CHECK(MustCount(src, "customers", Predicate::All({Predicate::Null("name"), Predicate::Compare(Op::kLe, "id", "3")})) == 3);

  // An error in the second op rolls back the first.
  WriteOp del_more = del;
  del_more.where = Predicate::Compare(Op::kLe, "order_id", "50");
  WriteOp bad = upd;
  bad.assignments = {{"nope", "x"}};
  auto failed = dpo::source::ApplyAll(src, {del_more, bad}, {.dry_run = false});
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().message().find("customers.nope") != std::string::npos);
  CHECK(MustCount(src, "order_lines", std::nullopt) == 90);

  // A foreign-key violation in the database also rolls everything back.
  WriteOp orphan;
  orphan.kind = WriteOp::Kind::kDelete;
  orphan.table = "customers";
  orphan.where = Predicate::Compare(Op::kEq, "id", "50");  // order 50 still references it
  auto fk = dpo::source::ApplyAll(src, {del_more, orphan}, {.dry_run = false});
  REQUIRE_FALSE(fk.ok());
  CHECK(fk.status().message().find("nothing was changed") != std::string::npos);
  CHECK(MustCount(src, "order_lines", std::nullopt) == 90);
  CHECK(MustCount(src, "customers", std::nullopt) == kCustomers);

  // Hostile identifiers in an update.
  WriteOp hostile;
  hostile.kind = WriteOp::Kind::kUpdate;
  hostile.table = kHostileTable;
  hostile.where = Predicate::Compare(Op::kEq, kHostileColumn, "b");
  hostile.assignments = {{"Mixed Case", "z'; DROP TABLE orders; --"}};
  auto h = dpo::source::ApplyAll(src, {hostile}, {.dry_run = false});
  REQUIRE_MESSAGE(h.ok(), h.status().message());
  CHECK(h->rows_affected == std::vector<int64_t>{1});
  CHECK(MustCount(src, kHostileTable, Predicate::Compare(Op::kEq, "Mixed Case", "z'; DROP TABLE orders; --")) == 1);
  CHECK(MustCount(src, "orders", std::nullopt) == 100);
}

inline void CheckReadOnlyRefusesApply(Source& src) {
  WriteOp del;
  del.kind = WriteOp::Kind::kDelete;
  del.table = "orders";
  del.where = Predicate::All({});
  auto r = dpo::source::ApplyAll(src, {del}, {.dry_run = false});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("read-only") != std::string::npos);
  CHECK(r.status().code() == dpo::StatusCode::kInvalidArgument);
  // A dry run executes the writes and rolls them back: it needs write access too.
  auto dry = dpo::source::ApplyAll(src, {del}, {.dry_run = true});
  REQUIRE_FALSE(dry.ok());
  CHECK(dry.status().message().find("read-only") != std::string::npos);
  CHECK(MustCount(src, "orders", std::nullopt) == 100);
}

}  // namespace dpo::testing
