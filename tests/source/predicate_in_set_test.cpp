// A long IN list (a ledger replay's keys on a CSV export) is evaluated with a
// hash set of canonical keys: the same rows as comparing value by value.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "source/predicate_eval.h"

using namespace dpo::source;

namespace {

class Cells : public RowCells {
 public:
  explicit Cells(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  std::optional<std::string_view> Cell(size_t column) const override {
    if (!cells_[column]) return std::nullopt;
    return std::string_view(*cells_[column]);
  }

 private:
  std::vector<std::optional<std::string>> cells_;
};

Predicate In(const std::string& column, std::vector<std::string> values) {
  Predicate p;
  p.op = Predicate::Op::kIn;
  p.column = column;
  p.values = std::move(values);
  return p;
}

}  // namespace

TEST_CASE("IN with many values: a hash set, the same answers as value by value") {
  std::vector<Column> columns(3);
  columns[0].name = "id";
  columns[0].type = TypeClass::kInteger;
  columns[1].name = "email";
  columns[1].type = TypeClass::kText;
  columns[2].name = "active";
  columns[2].type = TypeClass::kBoolean;
  std::vector<std::string> ids, emails;
  for (int i = 0; i < 1000; i += 2) {
    ids.push_back(std::to_string(i));
    emails.push_back("user" + std::to_string(i) + "@example.nl");
  }
  for (size_t size : {size_t{3}, ids.size()}) {  // below and above the set's threshold
    CAPTURE(size);
    std::vector<std::string> some_ids(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(size));
    std::vector<std::string> some_emails(emails.begin(), emails.begin() + static_cast<std::ptrdiff_t>(size));
    auto by_id = BoundPredicate::Bind(In("id", some_ids), columns, "t", nullptr);
    auto by_email = BoundPredicate::Bind(In("email", some_emails), columns, "t", nullptr);
    REQUIRE(by_id.ok());
    REQUIRE(by_email.ok());
    CHECK(by_id->Matches(Cells({"4", "x", "1"})));
    CHECK(by_id->Matches(Cells({"4.0", "x", "1"})));   // numbers compare as numbers
    CHECK(by_id->Matches(Cells({"+4", "x", "1"})));
    CHECK_FALSE(by_id->Matches(Cells({"5", "x", "1"})));
    CHECK_FALSE(by_id->Matches(Cells({"four", "x", "1"})));  // unreadable: unknown
    CHECK_FALSE(by_id->Matches(Cells({std::nullopt, "x", "1"})));
    auto not_in = BoundPredicate::Bind(Predicate::Negate(In("id", some_ids)), columns, "t", nullptr);
    REQUIRE(not_in.ok());
    CHECK(not_in->Matches(Cells({"5", "x", "1"})));
    CHECK_FALSE(not_in->Matches(Cells({"four", "x", "1"})));  // NOT unknown is not true
    CHECK_FALSE(not_in->Matches(Cells({std::nullopt, "x", "1"})));
    CHECK(by_email->Matches(Cells({"1", "user2@example.nl", "1"})));
    CHECK_FALSE(by_email->Matches(Cells({"1", "USER2@example.nl", "1"})));  // text is bytewise
  }
  std::vector<std::string> many_bools;
  for (int i = 0; i < 40; ++i) many_bools.push_back(i % 2 ? "yes" : "1");
  auto active = BoundPredicate::Bind(In("active", many_bools), columns, "t", nullptr);
  REQUIRE(active.ok());
  CHECK(active->Matches(Cells({"1", "x", "true"})));
  CHECK(active->Matches(Cells({"1", "x", "t"})));
  CHECK_FALSE(active->Matches(Cells({"1", "x", "0"})));
}
