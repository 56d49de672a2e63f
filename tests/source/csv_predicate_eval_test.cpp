#include <doctest/doctest.h>

#include <map>
#include <string>

#include "source/predicate_eval.h"

namespace dpo::source {
namespace {

using Op = Predicate::Op;
using Row = std::vector<std::optional<std::string>>;

class Cells : public RowCells {
 public:
  explicit Cells(const Row& row) : row_(row) {}
  std::optional<std::string_view> Cell(size_t column) const override {
    if (!row_[column]) return std::nullopt;
    return std::string_view(*row_[column]);
  }

 private:
  const Row& row_;
};

std::vector<Column> Columns(std::vector<std::pair<std::string, TypeClass>> spec) {
  std::vector<Column> out;
  for (auto& [name, type] : spec) {
    Column c;
    c.name = name;
    c.type = type;
    out.push_back(c);
  }
  return out;
}

// Tables held in memory, for semi-joins.
class MemoryTables : public TableRows {
 public:
  void Add(const std::string& name, std::vector<Column> columns, std::vector<Row> rows) {
    tables_[name] = {std::move(columns), std::move(rows)};
  }
  Result<std::vector<Column>> Columns(const std::string& table) override {
    auto it = tables_.find(table);
    if (it == tables_.end()) return Status::Error("unknown table " + table);
    return it->second.first;
  }
  Status Scan(const std::string& table, const std::function<Status(const RowCells&)>& visit) override {
    ++scans;
    for (const Row& row : tables_.at(table).second) DPO_RETURN_IF_ERROR(visit(Cells(row)));
    return Status::Ok();
  }
  int scans = 0;

 private:
  std::map<std::string, std::pair<std::vector<Column>, std::vector<Row>>> tables_;
};

// One column `c` of `type`; true if the predicate matches the value.
bool Eval(const Predicate& p, TypeClass type, std::optional<std::string> value) {
  auto bound = BoundPredicate::Bind(p, Columns({{"c", type}}), "t");
  REQUIRE_MESSAGE(bound.ok(), bound.status().message());
  Row row{std::move(value)};
  return bound->Matches(Cells(row));
}

Predicate C(Op op, std::string value) { return Predicate::Compare(op, "c", std::move(value)); }

TEST_CASE("predicate eval: numeric columns compare numerically") {
  const TypeClass n = TypeClass::kInteger;
  CHECK(Eval(C(Op::kLt, "10"), n, "9"));  // 9 < 10, not "9" > "10"
  CHECK(Eval(C(Op::kEq, "1.0"), TypeClass::kReal, "1"));
  CHECK(Eval(C(Op::kEq, "7"), n, "007"));
  CHECK(Eval(C(Op::kGt, "-2"), TypeClass::kReal, "-1.5e0"));
  CHECK_FALSE(Eval(C(Op::kEq, "4111111111111111"), n, "4111111111111112"));  // integers exactly
  CHECK(Eval(C(Op::kGe, "1e400"), TypeClass::kReal, "1e401") == true);       // both +inf
  // A cell that is not a number is unknown: neither it nor its negation matches.
  CHECK_FALSE(Eval(C(Op::kLt, "10"), n, "9x"));
  CHECK_FALSE(Eval(Predicate::Negate(C(Op::kLt, "10")), n, "9x"));
  CHECK_FALSE(Eval(C(Op::kNe, "1"), n, " 1"));
  // A literal that is not a number is an error naming table.column.
  auto bad = BoundPredicate::Bind(C(Op::kLt, "zes"), Columns({{"c", n}}), "klanten");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("klanten.c") != std::string::npos);
  CHECK(bad.status().message().find("zes") == std::string::npos);  // the value is not echoed
}

TEST_CASE("predicate eval: text, dates and unknown types compare bytewise") {
  CHECK(Eval(C(Op::kGt, "10"), TypeClass::kText, "9"));  // '9' > '10'
  CHECK(Eval(C(Op::kLt, "10"), TypeClass::kText, "007"));
  CHECK_FALSE(Eval(C(Op::kEq, "7"), TypeClass::kText, "007"));
  CHECK(Eval(C(Op::kLt, "b"), TypeClass::kText, "a10"));
  CHECK(Eval(C(Op::kNe, "x"), TypeClass::kUnknown, "y"));
  CHECK_FALSE(Eval(C(Op::kEq, "inf"), TypeClass::kText, "nan"));
  CHECK(Eval(C(Op::kLt, "2024-02-01 08:00:00"), TypeClass::kDate, "2024-01-31"));
  CHECK(Eval(C(Op::kGe, "2024-01-31"), TypeClass::kTimestamp, "2024-01-31T00:00:00"));
  auto bad = BoundPredicate::Bind(C(Op::kLt, "yesterday"), Columns({{"d", TypeClass::kDate}, {"c", TypeClass::kDate}}), "t");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("t.c") != std::string::npos);
}

TEST_CASE("predicate eval: boolean columns by their spelling, = and <> only") {
  const TypeClass b = TypeClass::kBoolean;
  CHECK(Eval(C(Op::kEq, "true"), b, "T"));
  CHECK(Eval(C(Op::kEq, "1"), b, "yes"));
  CHECK(Eval(C(Op::kEq, "false"), b, "0"));
  CHECK(Eval(C(Op::kNe, "true"), b, "off"));
  CHECK_FALSE(Eval(C(Op::kEq, "true"), b, "maybe"));
  CHECK_FALSE(Eval(C(Op::kNe, "true"), b, "maybe"));  // unknown, not "not true"
  Predicate in;
  in.op = Op::kIn;
  in.column = "c";
  in.values = {"f", "no"};
  CHECK(Eval(in, b, "FALSE"));
  CHECK_FALSE(BoundPredicate::Bind(C(Op::kLt, "true"), Columns({{"c", b}}), "t").ok());
  auto bad = BoundPredicate::Bind(C(Op::kEq, "ja"), Columns({{"c", b}}), "t");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("t.c") != std::string::npos);
}

TEST_CASE("predicate eval: NULL is unknown, as in SQL") {
  auto cols = Columns({{"a", TypeClass::kInteger}, {"b", TypeClass::kInteger}});
  Row row{std::nullopt, std::string("1")};
  auto eval = [&](const Predicate& p) {
    auto bound = BoundPredicate::Bind(p, cols, "t");
    REQUIRE_MESSAGE(bound.ok(), bound.status().message());
    return bound->Matches(Cells(row));
  };
  CHECK_FALSE(eval(Predicate::Compare(Op::kEq, "a", "1")));
  CHECK_FALSE(eval(Predicate::Compare(Op::kNe, "a", "1")));
  CHECK_FALSE(eval(Predicate::Negate(Predicate::Compare(Op::kEq, "a", "1"))));
  CHECK(eval(Predicate::Null("a")));
  CHECK_FALSE(eval(Predicate::Null("a", false)));
  CHECK(eval(Predicate::Null("b", false)));
  // unknown OR true is true; unknown AND true is not.
  CHECK(eval(Predicate::Any({Predicate::Compare(Op::kEq, "a", "1"), Predicate::Compare(Op::kEq, "b", "1")})));
  CHECK_FALSE(eval(Predicate::All({Predicate::Compare(Op::kEq, "a", "1"), Predicate::Compare(Op::kEq, "b", "1")})));
  Predicate in;
  in.op = Op::kIn;
  in.column = "b";
  in.values = {"3", "01"};
  CHECK(eval(in));  // numeric: 1 == 01
  in.column = "a";
  CHECK_FALSE(eval(in));
  CHECK(eval(Predicate::All({})));
  CHECK_FALSE(eval(Predicate::Any({})));
}

TEST_CASE("predicate eval: binding names table.column; batches") {
  auto cols = Columns({{"id", TypeClass::kInteger}, {"naam", TypeClass::kText}});
  auto unknown = BoundPredicate::Bind(
      Predicate::All({Predicate::Compare(Op::kEq, "id", "1"), Predicate::Negate(Predicate::Null("bsn"))}), cols,
      "klanten");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "unknown column klanten.bsn");
  CHECK_FALSE(BoundPredicate::Bind(Predicate::Compare(Op::kEq, "naam", "x"), {}, "klanten").ok());

  auto bound = BoundPredicate::Bind(Predicate::Compare(Op::kGe, "naam", "M"), cols, "klanten");
  REQUIRE(bound.ok());
  RowBatch batch;
  batch.Reset(2);
  batch.AddCell("1");
  batch.AddCell("Piet");
  batch.EndRow(1);
  batch.AddCell("2");
  batch.AddNull();
  batch.EndRow(2);
  batch.AddCell("3");
  batch.AddCell("Anna");
  batch.EndRow(3);
  CHECK(bound->Matches(batch, 0));
  CHECK_FALSE(bound->Matches(batch, 1));
  CHECK_FALSE(bound->Matches(batch, 2));
}

TEST_CASE("predicate eval: canonical keys") {
  CHECK(CanonicalKey("007", CompareAs::kNumber) == "7");
  CHECK(CanonicalKey("7.0", CompareAs::kNumber) == "7");
  CHECK(CanonicalKey("7e0", CompareAs::kNumber) == "7");
  CHECK(CanonicalKey("+7", CompareAs::kNumber) == "7");
  CHECK(CanonicalKey("-0", CompareAs::kNumber) == "0");
  CHECK(CanonicalKey("0.5", CompareAs::kNumber) == CanonicalKey("5e-1", CompareAs::kNumber));
  CHECK(CanonicalKey("7.5", CompareAs::kNumber) != CanonicalKey("7", CompareAs::kNumber));
  CHECK_FALSE(CanonicalKey("7x", CompareAs::kNumber).has_value());
  CHECK(CanonicalKey("007", CompareAs::kText) == "007");
  CHECK(CanonicalKey("Yes", CompareAs::kBoolean) == "true");
  CHECK_FALSE(CanonicalKey("ja", CompareAs::kBoolean).has_value());
}

TEST_CASE("predicate eval: semi-joins by a key set from the sub-table, nested, with SQL's NULLs") {
  MemoryTables tables;
  auto clients = Columns({{"id", TypeClass::kInteger}, {"code", TypeClass::kText}, {"old", TypeClass::kBoolean}});
  tables.Add("clients", clients,
             {{"7", "007", "true"}, {"8", "8", "false"}, {"9", "x", "true"}, {std::nullopt, "n", "false"}});
  auto orders = Columns({{"id", TypeClass::kInteger}, {"client", TypeClass::kInteger}, {"code", TypeClass::kText}});
  tables.Add("orders", orders,
             {{"1", "007", "7"}, {"2", "8", "8"}, {"3", "9.0", "x"}, {"4", std::nullopt, "n"}, {"5", "6", "6"}});

  auto run = [&](const Predicate& p, const std::string& table, const std::vector<Column>& cols,
                 const std::vector<Row>& rows) {
    auto bound = BoundPredicate::Bind(p, cols, table, &tables);
    REQUIRE_MESSAGE(bound.ok(), bound.status().message());
    std::vector<std::string> ids;
    for (const Row& r : rows)
      if (bound->Matches(Cells(r))) ids.push_back(*r[0]);
    return ids;
  };
  const std::vector<Row> order_rows = {
      {"1", "007", "7"}, {"2", "8", "8"}, {"3", "9.0", "x"}, {"4", std::nullopt, "n"}, {"5", "6", "6"}};
  Predicate old = Predicate::Compare(Op::kEq, "old", "true");
  // Numeric key column: "007" = 7 and "9.0" = 9.
  CHECK(run(Predicate::InSelect({"client"}, "clients", {"id"}, old), "orders", orders, order_rows) ==
        std::vector<std::string>{"1", "3"});
  // A text key column compares bytes: orders.code "7" is not clients.code "007".
  CHECK(run(Predicate::InSelect({"code"}, "clients", {"code"}, old), "orders", orders, order_rows) ==
        std::vector<std::string>{"3"});
  // The sub-select returns a NULL (the client without id): NOT IN is unknown
  // for every key not found, and a NULL key matches neither way.
  Predicate all_clients = Predicate::InSelect({"client"}, "clients", {"id"}, Predicate::All({}));
  CHECK(run(all_clients, "orders", orders, order_rows) == std::vector<std::string>{"1", "2", "3"});
  CHECK(run(Predicate::Negate(all_clients), "orders", orders, order_rows).empty());
  Predicate with_ids =
      Predicate::InSelect({"client"}, "clients", {"id"}, Predicate::Null("id", /*is_null=*/false));
  CHECK(run(Predicate::Negate(with_ids), "orders", orders, order_rows) == std::vector<std::string>{"5"});
  // An empty sub-select: IN is false for every row, NULL keys included, so NOT IN is true.
  Predicate none = Predicate::InSelect({"client"}, "clients", {"id"}, Predicate::Any({}));
  CHECK(run(Predicate::Negate(none), "orders", orders, order_rows).size() == 5);
  // Nested: lines of orders of old clients.
  auto lines = Columns({{"order_id", TypeClass::kInteger}});
  Predicate nested = Predicate::InSelect({"order_id"}, "orders", {"id"},
                                         Predicate::InSelect({"client"}, "clients", {"id"}, old));
  CHECK(run(nested, "lines", lines, {{"1"}, {"2"}, {"3"}, {"03"}, {std::nullopt}}) ==
        std::vector<std::string>{"1", "3", "03"});
  // Errors name the table and column; an unknown sub-table is the resolver's error.
  auto bad_key = BoundPredicate::Bind(Predicate::InSelect({"nope"}, "clients", {"id"}, old), orders, "orders", &tables);
  REQUIRE_FALSE(bad_key.ok());
  CHECK(bad_key.status().message() == "unknown column orders.nope");
  auto bad_sub = BoundPredicate::Bind(Predicate::InSelect({"client"}, "clients", {"nope"}, old), orders, "orders", &tables);
  REQUIRE_FALSE(bad_sub.ok());
  CHECK(bad_sub.status().message() == "unknown column clients.nope");
  auto bad_literal = BoundPredicate::Bind(
      Predicate::InSelect({"client"}, "clients", {"id"}, Predicate::Compare(Op::kLt, "id", "x")), orders, "orders",
      &tables);
  REQUIRE_FALSE(bad_literal.ok());
  CHECK(bad_literal.status().message().find("clients.id") != std::string::npos);
  CHECK_FALSE(BoundPredicate::Bind(Predicate::InSelect({"client"}, "shops", {"id"}, old), orders, "orders", &tables).ok());
  CHECK_FALSE(BoundPredicate::Bind(Predicate::InSelect({"client"}, "clients", {"id"}, old), orders, "orders").ok());
  CHECK_FALSE(
      BoundPredicate::Bind(Predicate::InSelect({"client", "code"}, "clients", {"id"}, old), orders, "orders", &tables)
          .ok());
}

TEST_CASE("predicate eval: a key of two columns") {
  MemoryTables tables;
  auto parents = Columns({{"a", TypeClass::kInteger}, {"b", TypeClass::kText}});
  tables.Add("p", parents, {{"1", "x"}, {"2", std::nullopt}});
  auto bound = BoundPredicate::Bind(Predicate::InSelect({"a", "b"}, "p", {"a", "b"}, Predicate::All({})), parents,
                                    "c", &tables);
  REQUIRE(bound.ok());
  auto notin = BoundPredicate::Bind(
      Predicate::Negate(Predicate::InSelect({"a", "b"}, "p", {"a", "b"}, Predicate::All({}))), parents, "c", &tables);
  REQUIRE(notin.ok());
  Row hit{"01", "x"}, miss{"1", "y"}, maybe{"2", "z"};
  CHECK(bound->Matches(Cells(hit)));
  CHECK_FALSE(bound->Matches(Cells(miss)));
  CHECK(notin->Matches(Cells(miss)));       // (1,y) vs (1,x): false; vs (2,NULL): 1 <> 2, false
  CHECK_FALSE(notin->Matches(Cells(maybe)));  // (2,z) vs (2,NULL): unknown
}

}  // namespace
}  // namespace dpo::source
