#include <doctest/doctest.h>

#include <map>
#include <string>

#include "source/predicate_eval.h"

namespace dpo::source {
namespace {

using Op = Predicate::Op;

bool Eval(const Predicate& p, const std::map<std::string, std::optional<std::string>>& row) {
  return EvaluatePredicate(p, [&](const std::string& column) -> std::optional<std::string_view> {
    auto it = row.find(column);
    if (it == row.end() || !it->second) return std::nullopt;
    return std::string_view(*it->second);
  });
}

TEST_CASE("predicate eval: numeric when both sides are numbers, textual otherwise") {
  CHECK(Eval(Predicate::Compare(Op::kLt, "n", "10"), {{"n", "9"}}));        // 9 < 10, not "9" > "10"
  CHECK(Eval(Predicate::Compare(Op::kEq, "n", "1.0"), {{"n", "1"}}));
  CHECK(Eval(Predicate::Compare(Op::kGt, "n", "-2"), {{"n", "-1.5e0"}}));
  CHECK_FALSE(Eval(Predicate::Compare(Op::kEq, "n", "4111111111111111"), {{"n", "4111111111111112"}}));
  CHECK(Eval(Predicate::Compare(Op::kLt, "s", "b"), {{"s", "a10"}}));
  CHECK(Eval(Predicate::Compare(Op::kGt, "s", "10"), {{"s", "9x"}}));       // textual: "9x" > "10"
  CHECK(Eval(Predicate::Compare(Op::kLt, "d", "2024-02-01 08:00:00"), {{"d", "2024-01-31"}}));
  CHECK(Eval(Predicate::Compare(Op::kGe, "d", "2024-01-31"), {{"d", "2024-01-31T00:00:00"}}));
  CHECK(Eval(Predicate::Compare(Op::kNe, "s", "x"), {{"s", "y"}}));
  CHECK_FALSE(Eval(Predicate::Compare(Op::kEq, "s", "inf"), {{"s", "nan"}}));
}

TEST_CASE("predicate eval: NULL is unknown, as in SQL") {
  std::map<std::string, std::optional<std::string>> row{{"a", std::nullopt}, {"b", "1"}};
  CHECK_FALSE(Eval(Predicate::Compare(Op::kEq, "a", "1"), row));
  CHECK_FALSE(Eval(Predicate::Compare(Op::kNe, "a", "1"), row));
  CHECK_FALSE(Eval(Predicate::Negate(Predicate::Compare(Op::kEq, "a", "1")), row));
  CHECK(Eval(Predicate::Null("a"), row));
  CHECK_FALSE(Eval(Predicate::Null("a", false), row));
  CHECK(Eval(Predicate::Null("b", false), row));
  // unknown OR true is true; unknown AND true is not.
  CHECK(Eval(Predicate::Any({Predicate::Compare(Op::kEq, "a", "1"), Predicate::Compare(Op::kEq, "b", "1")}), row));
  CHECK_FALSE(Eval(Predicate::All({Predicate::Compare(Op::kEq, "a", "1"), Predicate::Compare(Op::kEq, "b", "1")}), row));
  Predicate in;
  in.op = Op::kIn;
  in.column = "b";
  in.values = {"3", "01", "x"};
  CHECK(Eval(in, row));  // numeric: 1 == 01
  in.column = "a";
  CHECK_FALSE(Eval(in, row));
  CHECK(Eval(Predicate::All({}), row));
  CHECK_FALSE(Eval(Predicate::Any({}), row));
}

TEST_CASE("predicate eval: column validation and binding name table.column") {
  Table t;
  t.name = "klanten";
  t.columns.resize(2);
  t.columns[0].name = "id";
  t.columns[1].name = "naam";
  CHECK(ValidatePredicateColumns(Predicate::Compare(Op::kEq, "id", "1"), t).ok());
  Status s = ValidatePredicateColumns(
      Predicate::All({Predicate::Compare(Op::kEq, "id", "1"), Predicate::Negate(Predicate::Null("bsn"))}), t);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() == "unknown column klanten.bsn");

  auto bound = BoundPredicate::Bind(Predicate::Compare(Op::kGe, "naam", "M"), {"id", "naam"}, "klanten");
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

}  // namespace
}  // namespace dpo::source
