// `dpo export --where` conditions (share/where_parser.h) and the row-by-row
// evaluator they end up in (source/predicate_eval.h, compare_rule.h): the
// input's lines are conditions, then (after an empty line) rows of cells
// separated by '|'. The conditions are built against a table with a column
// of every type, bound and evaluated on every row.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "share/where_parser.h"
#include "source/compare_rule.h"
#include "source/predicate_eval.h"

using namespace dpo;
using namespace dpo::source;

namespace {

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t end = text.find(sep);
    out.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return out;
    text = text.substr(end + 1);
  }
}

class Row : public RowCells {
 public:
  explicit Row(std::vector<std::optional<std::string_view>> cells) : cells_(std::move(cells)) {}
  std::optional<std::string_view> Cell(size_t column) const override {
    return column < cells_.size() ? cells_[column] : std::nullopt;
  }

 private:
  std::vector<std::optional<std::string_view>> cells_;
};

const Table& TheTable() {
  static const Table table = [] {
    Table t;
    t.name = "people";
    const std::pair<const char*, TypeClass> columns[] = {
        {"name", TypeClass::kText},       {"age", TypeClass::kInteger},   {"score", TypeClass::kReal},
        {"active", TypeClass::kBoolean},  {"born", TypeClass::kDate},     {"seen", TypeClass::kTimestamp},
        {"photo", TypeClass::kBlob},      {"misc", TypeClass::kUnknown},
    };
    for (const auto& [name, type] : columns) {
      Column c;
      c.name = name;
      c.type = type;
      t.columns.push_back(c);
    }
    return t;
  }();
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t split = text.find("\n\n");
  std::string_view conditions = text.substr(0, split);
  std::string_view rows = split == std::string_view::npos ? std::string_view() : text.substr(split + 2);

  std::vector<share::WhereTerm> terms;
  int position = 0;
  for (std::string_view line : Split(conditions, '\n')) {
    Result<share::WhereTerm> term = share::ParseWhereTerm(line, ++position);
    if (term.ok()) terms.push_back(std::move(*term));
  }
  // The literal checks on their own, for every type.
  for (const Column& c : TheTable().columns) {
    for (const share::WhereTerm& t : terms) (void)CanonicalLiteral(t.value, c.type, "people", c.name);
  }
  Result<std::optional<Predicate>> where = share::BuildWhere(terms, TheTable());
  if (!where.ok() || !where->has_value()) return 0;

  Predicate p = **where;
  // Also as LIKE patterns and an IN list, which the parser does not produce.
  Predicate like;
  like.op = Predicate::Op::kLike;
  like.column = "name";
  Predicate in;
  in.op = Predicate::Op::kIn;
  in.column = "age";
  for (const share::WhereTerm& t : terms) {
    if (like.values.empty()) like.values.push_back(t.value);
    if (CanonicalLiteral(t.value, TypeClass::kInteger, "people", "age").ok()) in.values.push_back(t.value);
  }
  Predicate all;
  all.op = Predicate::Op::kOr;
  all.children.push_back(p);
  if (!like.values.empty()) all.children.push_back(like);
  if (!in.values.empty()) all.children.push_back(in);
  Predicate negated;
  negated.op = Predicate::Op::kNot;
  negated.children.push_back(all);

  Result<BoundPredicate> bound = BoundPredicate::Bind(negated, TheTable().columns, "people");
  if (!bound.ok()) return 0;
  for (std::string_view line : Split(rows, '\n')) {
    std::vector<std::optional<std::string_view>> cells;
    for (std::string_view cell : Split(line, '|')) {
      if (cell == "\\N") {
        cells.push_back(std::nullopt);
      } else {
        cells.push_back(cell);
      }
      (void)ParseBoolean(cell);
      (void)CanonicalKey(cell, CompareAs::kNumber);
    }
    (void)bound->Matches(Row(std::move(cells)));
  }
  return 0;
}
