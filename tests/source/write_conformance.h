// The write-path conformance suite: the same data, the same operations and
// the same expected answers on every backend (SQLite, CSV, PostgreSQL). A
// plan must select and change the same rows whatever it runs against.
//
// Each backend's test file provides a Backend that builds the dataset below
// as a fresh, writable source (and a read-only one), then calls
// RunWriteConformance().
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plan/cascade.h"
#include "source/source.h"

namespace dpo::testing {

// The dataset, portable across backends. Types: INTEGER, TEXT, DATE, BOOLEAN.
//   clients(id INTEGER PK, email TEXT, code TEXT, joined DATE, active BOOLEAN)
//     ids 1..40; email c<i>@example.nl; code: '9' for id 1, '10' for id 2,
//     'A<i>' otherwise (so CSV infers TEXT); joined 2010-01-01 + i years/4
//     (see ClientJoined); active = (i % 2 == 0)
//   orders(id INTEGER PK, client_id INTEGER -> clients.id ON DELETE CASCADE, placed DATE)
//     ids 1..80; client_id = (id - 1) % 40 + 1; placed = joined of that client
//   lines(order_id INTEGER -> orders.id ON DELETE CASCADE, line INTEGER, sku TEXT, PK (order_id, line))
//     two lines per order
//   notes(id INTEGER PK, client_id INTEGER -> clients.id (NO ACTION), body TEXT)
//     one note for client 40 only
struct ConformanceTable {
  std::string name;
  std::vector<std::pair<std::string, std::string>> columns;  // name, SQL type
  std::vector<std::string> primary_key;
  struct Fk {
    std::vector<std::string> columns;
    std::string parent;
    std::vector<std::string> parent_columns;
    bool cascade = false;
  };
  std::vector<Fk> foreign_keys;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

inline std::string ClientJoined(int i) {
  int year = 2010 + (i - 1) / 4;
  int month = (i - 1) % 4 * 3 + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-15", year, month);
  return buf;
}

inline std::vector<ConformanceTable> ConformanceDataset() {
  ConformanceTable clients{"clients",
                           {{"id", "INTEGER"}, {"email", "TEXT"}, {"code", "TEXT"}, {"joined", "DATE"},
                            {"active", "BOOLEAN"}},
                           {"id"},
                           {},
                           {}};
  for (int i = 1; i <= 40; ++i)
    clients.rows.push_back({std::to_string(i), "c" + std::to_string(i) + "@example.nl",
                            i == 1 ? "9" : i == 2 ? "10" : "A" + std::to_string(i), ClientJoined(i),
                            i % 2 == 0 ? "true" : "false"});
  ConformanceTable orders{"orders",
                          {{"id", "INTEGER"}, {"client_id", "INTEGER"}, {"placed", "DATE"}},
                          {"id"},
                          {{{"client_id"}, "clients", {"id"}, true}},
                          {}};
  for (int i = 1; i <= 80; ++i) {
    int client = (i - 1) % 40 + 1;
    orders.rows.push_back({std::to_string(i), std::to_string(client), ClientJoined(client)});
  }
  ConformanceTable lines{"lines",
                         {{"order_id", "INTEGER"}, {"line", "INTEGER"}, {"sku", "TEXT"}},
                         {"order_id", "line"},
                         {{{"order_id"}, "orders", {"id"}, true}},
                         {}};
  for (int i = 1; i <= 80; ++i)
    for (int l = 1; l <= 2; ++l)
      lines.rows.push_back({std::to_string(i), std::to_string(l), "SKU-" + std::to_string(i * 10 + l)});
  ConformanceTable notes{"notes",
                         {{"id", "INTEGER"}, {"client_id", "INTEGER"}, {"body", "TEXT"}},
                         {"id"},
                         {{{"client_id"}, "clients", {"id"}, false}},
                         {{"1", "40", "called about the invoice"}}};
  return {clients, orders, lines, notes};
}

// CREATE TABLE and INSERT statements for the dataset. `sqlite` stores
// booleans as 1/0 as SQLite does.
inline std::string ConformanceSql(bool sqlite) {
  std::string sql;
  for (const ConformanceTable& t : ConformanceDataset()) {
    sql += "CREATE TABLE " + t.name + " (";
    for (size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", " : "") + t.columns[i].first + " " + t.columns[i].second;
    sql += ", PRIMARY KEY (";
    for (size_t i = 0; i < t.primary_key.size(); ++i) sql += (i ? ", " : "") + t.primary_key[i];
    sql += ")";
    for (const auto& fk : t.foreign_keys) {
      sql += ", FOREIGN KEY (" + fk.columns[0] + ") REFERENCES " + fk.parent + "(" + fk.parent_columns[0] + ")";
      if (fk.cascade) sql += " ON DELETE CASCADE";
    }
    sql += ");\n";
    for (const auto& row : t.rows) {
      sql += "INSERT INTO " + t.name + " VALUES (";
      for (size_t i = 0; i < row.size(); ++i) {
        std::string v = row[i] ? *row[i] : "NULL";
        if (row[i] && t.columns[i].second == "TEXT") v = "'" + v + "'";
        if (row[i] && t.columns[i].second == "DATE") v = "'" + v + "'";
        if (row[i] && t.columns[i].second == "BOOLEAN") v = sqlite ? (v == "true" ? "1" : "0") : v;
        sql += (i ? ", " : "") + v;
      }
      sql += ");\n";
    }
  }
  return sql;
}

struct Backend {
  std::string name;
  // A fresh copy of the dataset; read_only opens it read-only. A backend
  // without foreign keys in its schema (CSV) declares the dataset's
  // relations on the source it returns (ConformanceRelations()).
  std::function<std::unique_ptr<source::Source>(bool read_only)> open;
  // The relations declared outside the schema, for plan::LoadSchemaGraph.
  std::vector<std::pair<std::string, source::ForeignKey>> declared;
};

// The dataset's foreign keys as declared relations (for CSV).
inline std::vector<std::pair<std::string, source::ForeignKey>> ConformanceRelations() {
  std::vector<std::pair<std::string, source::ForeignKey>> out;
  for (const ConformanceTable& t : ConformanceDataset())
    for (const auto& fk : t.foreign_keys) {
      source::ForeignKey key;
      key.columns = fk.columns;
      key.referenced_table = fk.parent;
      key.referenced_columns = fk.parent_columns;
      key.origin = "policy";
      key.on_delete = fk.cascade ? source::ForeignKey::OnDelete::kCascade : source::ForeignKey::OnDelete::kNoAction;
      out.emplace_back(t.name, key);
    }
  return out;
}

namespace conformance {

using source::Predicate;
using source::WriteOp;
using Op = Predicate::Op;

inline int64_t CountRows(source::Source& s, const std::string& table, std::optional<Predicate> where = std::nullopt) {
  auto n = s.Count(table, where);
  REQUIRE_MESSAGE(n.ok(), n.status().message());
  return *n;
}

inline WriteOp Delete(const std::string& table, Predicate where) {
  WriteOp op;
  op.kind = WriteOp::Kind::kDelete;
  op.table = table;
  op.where = std::move(where);
  return op;
}

inline WriteOp Update(const std::string& table, Predicate where,
                      std::vector<std::pair<std::string, std::optional<std::string>>> set) {
  WriteOp op;
  op.kind = WriteOp::Kind::kUpdate;
  op.table = table;
  op.where = std::move(where);
  op.assignments = std::move(set);
  return op;
}

}  // namespace conformance

inline void RunWriteConformance(const Backend& backend) {
  using namespace conformance;
  CAPTURE(backend.name);

  SUBCASE("one comparison rule by column type: TEXT '9' > '10', INTEGER 9 < 10, dates, booleans") {
    auto src = backend.open(true);
    CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kLt, "code", "10")) == 0);  // '9' > '10', 'A..' > '10'
    CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kGt, "code", "10")) == 39);
    CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kLt, "id", "10")) == 9);
    CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kLt, "joined", "2012-01-01")) == 8);
    CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kGe, "joined", "2019-04-15")) == 3);
    CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kEq, "active", "true")) == 20);
    CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kEq, "active", "0")) == 20);
    Predicate in;
    in.op = Op::kIn;
    in.column = "code";
    in.values = {"9", "10", "11"};
    CHECK(CountRows(*src, "clients", in) == 2);
    // A literal that the column's type cannot hold is an error, not a silent mismatch.
    auto bad = src->Count("clients", Predicate::Compare(Op::kLt, "id", "ten"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message().find("clients.id") != std::string::npos);
    auto bad_date = src->Count("clients", Predicate::Compare(Op::kLt, "joined", "yesterday"));
    CHECK_FALSE(bad_date.ok());
  }

  SUBCASE("readers report the columns' normalised types") {
    auto src = backend.open(true);
    source::ReadRequest request;
    request.columns = {"id", "email", "joined", "active"};
    auto reader = src->Read("clients", request);
    REQUIRE_MESSAGE(reader.ok(), reader.status().message());
    CHECK((*reader)->column_types() == std::vector<source::TypeClass>{source::TypeClass::kInteger,
                                                                       source::TypeClass::kText,
                                                                       source::TypeClass::kDate,
                                                                       source::TypeClass::kBoolean});
  }

  SUBCASE("a semi-join selects inside the source") {
    auto src = backend.open(true);
    // Orders of clients who joined before 2011: clients 1..4, orders 1..4 and 41..44.
    Predicate p = Predicate::InSelect({"client_id"}, "clients", {"id"},
                                      Predicate::Compare(Op::kLt, "joined", "2011-01-01"));
    CHECK(CountRows(*src, "orders", p) == 8);
    // Two levels: lines of those orders.
    CHECK(CountRows(*src, "lines", Predicate::InSelect({"order_id"}, "orders", {"id"}, p)) == 16);
  }

  SUBCASE("read-only sources refuse to begin, dry run included") {
    auto src = backend.open(true);
    for (bool dry : {false, true}) {
      auto tx = src->Begin({.dry_run = dry});
      REQUIRE_FALSE(tx.ok());
      CHECK(tx.status().message().find("read-only") != std::string::npos);
    }
  }

  SUBCASE("dry-run counts equal real counts for dependent operations") {
    // Delete lines of orders placed before 2013, then update orders placed
    // before 2015: the second depends on nothing deleted, the third on the first.
    std::vector<WriteOp> ops = {
        Delete("lines", Predicate::InSelect({"order_id"}, "orders", {"id"},
                                            Predicate::Compare(Op::kLt, "placed", "2013-01-01"))),
        Update("orders", Predicate::Compare(Op::kLt, "placed", "2015-01-01"), {{"placed", std::nullopt}}),
        // Depends on the update: the orders whose date was just cleared.
        Update("orders", Predicate::Null("placed"), {{"placed", "2000-01-01"}}),
        Delete("lines", Predicate::InSelect({"order_id"}, "orders", {"id"},
                                            Predicate::Compare(Op::kEq, "placed", "2000-01-01"))),
    };
    auto src = backend.open(false);
    auto dry = source::ApplyAll(*src, ops, {.dry_run = true});
    REQUIRE_MESSAGE(dry.ok(), dry.status().message());
    CHECK(CountRows(*src, "lines") == 160);  // nothing changed
    CHECK(CountRows(*src, "orders", Predicate::Null("placed")) == 0);
    auto real = source::ApplyAll(*src, ops, {});
    REQUIRE_MESSAGE(real.ok(), real.status().message());
    CHECK(dry->rows_affected == real->rows_affected);
    CHECK(real->rows_affected == std::vector<int64_t>{48, 40, 40, 32});
    CHECK(CountRows(*src, "lines") == 80);
  }

  SUBCASE("a delete that would cascade is refused; the expansion deletes child-first and counts every row") {
    auto src = backend.open(false);
    Predicate old = Predicate::Compare(Op::kLt, "joined", "2011-01-01");  // clients 1..4
    {
      auto tx = src->Begin({});
      REQUIRE_MESSAGE(tx.ok(), tx.status().message());
      auto n = (*tx)->Execute(Delete("clients", old));
      REQUIRE_FALSE(n.ok());
      CHECK(n.status().message().find("orders") != std::string::npos);
      CHECK(n.status().message().find("clients") != std::string::npos);
      (*tx)->Rollback();
    }
    CHECK(CountRows(*src, "clients") == 40);
    CHECK(CountRows(*src, "orders") == 80);

    auto graph = plan::LoadSchemaGraph(*src, backend.declared);
    REQUIRE_MESSAGE(graph.ok(), graph.status().message());
    auto tx = src->Begin({});
    REQUIRE(tx.ok());
    auto steps = plan::ExpandDelete(**tx, *graph, Delete("clients", old), {});
    REQUIRE_MESSAGE(steps.ok(), steps.status().message());
    REQUIRE(steps->size() == 3);
    CHECK((*steps)[0].op.table == "lines");
    CHECK((*steps)[0].rows == 16);
    CHECK((*steps)[1].op.table == "orders");
    CHECK((*steps)[1].rows == 8);
    CHECK((*steps)[2].op.table == "clients");
    CHECK((*steps)[2].rows == 4);
    // Each step returns the keys of the rows it deletes, streamed.
    std::set<std::string> line_keys;
    source::ReturnRows keys{{"order_id", "line"}, [&](const std::vector<std::optional<std::string>>& v) {
                              line_keys.insert(v[0].value_or("?") + "/" + v[1].value_or("?"));
                              return Status::Ok();
                            }};
    for (const plan::CascadeStep& step : *steps) {
      auto n = (*tx)->Execute(step.op, step.op.table == "lines" ? &keys : nullptr);
      REQUIRE_MESSAGE(n.ok(), n.status().message());
      CHECK(*n == step.rows);
    }
    REQUIRE((*tx)->Commit().ok());
    CHECK(line_keys.size() == 16);
    CHECK(line_keys.count("1/1") == 1);
    CHECK(line_keys.count("44/2") == 1);
    CHECK(CountRows(*src, "clients") == 36);
    CHECK(CountRows(*src, "orders") == 72);
    CHECK(CountRows(*src, "lines") == 144);
  }

  SUBCASE("a child under a hold, or a NO ACTION reference, refuses the expansion with both tables named") {
    auto src = backend.open(false);
    auto graph = plan::LoadSchemaGraph(*src, backend.declared);
    REQUIRE(graph.ok());
    auto tx = src->Begin({});
    REQUIRE(tx.ok());
    plan::KeepRule hold{"orders", Predicate::Compare(Op::kEq, "id", "41"), "legal hold 'dispute'"};
    auto held = plan::ExpandDelete(**tx, *graph, Delete("clients", Predicate::Compare(Op::kEq, "id", "1")), {hold});
    REQUIRE_FALSE(held.ok());
    CHECK(held.status().message().find("legal hold 'dispute'") != std::string::npos);
    CHECK(held.status().message().find("clients") != std::string::npos);
    CHECK(held.status().message().find("orders") != std::string::npos);
    auto no_action = plan::ExpandDelete(**tx, *graph, Delete("clients", Predicate::Compare(Op::kEq, "id", "40")), {});
    REQUIRE_FALSE(no_action.ok());
    CHECK(no_action.status().message().find("notes") != std::string::npos);
    REQUIRE((*tx)->Rollback().ok());
    CHECK(CountRows(*src, "clients") == 40);
  }

  SUBCASE("LIKE matches the text form of any column: case-sensitive, _ and %, a backslash escapes") {
    auto src = backend.open(true);
    CHECK(CountRows(*src, "clients", Predicate::Like("email", "c1%")) == 11);
    CHECK(CountRows(*src, "clients", Predicate::Like("email", "c_@%")) == 9);
    CHECK(CountRows(*src, "clients", Predicate::Like("email", "%@example.nl")) == 40);
    CHECK(CountRows(*src, "clients", Predicate::Like("email", "C1%")) == 0);
    CHECK(CountRows(*src, "clients", Predicate::Like("email", "c1\\%")) == 0);
    CHECK(CountRows(*src, "clients", Predicate::Like("joined", "%-01-15")) == 10);
    CHECK(CountRows(*src, "clients", Predicate::Like("id", "1_")) == 10);
    CHECK(CountRows(*src, "clients", Predicate::Negate(Predicate::Like("code", "A%"))) == 2);
  }

  SUBCASE("computed assignments: a value from the current one, row by row, keys returned, dry run equal") {
    auto prefixed = [](const std::optional<std::string>& v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      return "x-" + *v;
    };
    auto january = [](const std::optional<std::string>& v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      return v->substr(0, 4) + "-01-01";
    };
    WriteOp op = Update("clients", Predicate::Compare(Op::kLe, "id", "10"), {{"code", "Z"}});
    op.computed.push_back({"email", "test:prefix", prefixed});
    op.computed.push_back({"joined", "year", january});
    for (bool dry_run : {true, false}) {
      CAPTURE(dry_run);
      auto src = backend.open(false);
      std::set<std::string> keys;
      source::ReturnRows returning{{"id"}, [&](const std::vector<std::optional<std::string>>& v) {
                                     keys.insert(v[0].value_or("NULL"));
                                     return Status::Ok();
                                   }};
      auto tx = src->Begin({.dry_run = dry_run});
      REQUIRE_MESSAGE(tx.ok(), tx.status().message());
      auto n = (*tx)->Execute(op, &returning);
      REQUIRE_MESSAGE(n.ok(), n.status().message());
      CHECK(*n == 10);
      CHECK(keys == std::set<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"});
      CHECK(*(*tx)->Count("clients", Predicate::Like("email", "x-c%@example.nl")) == 10);
      REQUIRE((*tx)->Commit().ok());
      CHECK(CountRows(*src, "clients", Predicate::Like("email", "x-%")) == (dry_run ? 0 : 10));
      if (dry_run) continue;
      CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kEq, "email", "x-c3@example.nl")) == 1);
      CHECK(CountRows(*src, "clients", Predicate::Like("email", "c%@example.nl")) == 30);
      CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kEq, "code", "Z")) == 10);
      CHECK(CountRows(*src, "clients", Predicate::Compare(Op::kEq, "joined", "2010-01-01")) == 4);
      CHECK(CountRows(*src, "clients", Predicate::Like("joined", "%-01-01")) == 10);
      CHECK(CountRows(*src, "clients", Predicate::Like("joined", "%-15")) == 30);
    }
  }

  SUBCASE("computed assignments never touch keys; an unbound one is refused; nothing changes") {
    auto src = backend.open(false);
    auto same = [](const std::optional<std::string>& v) { return v; };
    WriteOp referenced = Update("clients", Predicate::Compare(Op::kEq, "id", "1"), {});
    referenced.computed.push_back({"id", "test:same", same});
    auto r = source::ApplyAll(*src, {referenced}, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("would change a key") != std::string::npos);
    WriteOp repoint = Update("orders", Predicate::Compare(Op::kEq, "id", "1"), {});
    repoint.computed.push_back({"client_id", "test:same", same});
    r = source::ApplyAll(*src, {repoint}, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("re-point") != std::string::npos);
    WriteOp unbound = Update("clients", Predicate::Compare(Op::kEq, "id", "1"), {});
    unbound.computed.push_back({"email", "pseudonym", nullptr});
    r = source::ApplyAll(*src, {Delete("lines", Predicate::Compare(Op::kLe, "order_id", "10")), unbound}, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("clients.email") != std::string::npos);
    CHECK(r.status().message().find("not bound") != std::string::npos);
    CHECK(CountRows(*src, "lines") == 160);
    CHECK(CountRows(*src, "clients", Predicate::Like("email", "c%@example.nl")) == 40);
  }

  SUBCASE("an error rolls back every earlier operation of the transaction") {
    auto src = backend.open(false);
    auto r = source::ApplyAll(*src,
                              {Delete("lines", Predicate::Compare(Op::kLe, "order_id", "10")),
                               Update("clients", Predicate::Compare(Op::kEq, "id", "1"), {{"nope", "x"}})},
                              {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("clients.nope") != std::string::npos);
    CHECK(CountRows(*src, "lines") == 160);
  }
}

}  // namespace dpo::testing
