// Small pieces the subject lookup and the erasure planner share: finding a
// column in a row read by name, and selecting rows by the values of some of
// their columns.
#pragma once

#include <string>
#include <vector>

#include "source/predicate.h"

namespace dpo::dsar {

// The position of `name` in `names`, or -1.
inline int IndexOf(const std::vector<std::string>& names, const std::string& name) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

// Rows whose `columns` equal one of `tuples` (each tuple in column order):
// one IN for one column, an OR of ANDs for several.
inline source::Predicate KeyIn(const std::vector<std::string>& columns,
                               const std::vector<std::vector<std::string>>& tuples) {
  using source::Predicate;
  if (columns.size() == 1) {
    Predicate in;
    in.op = Predicate::Op::kIn;
    in.column = columns[0];
    for (const auto& t : tuples) in.values.push_back(t[0]);
    return in;
  }
  std::vector<Predicate> any;
  for (const auto& t : tuples) {
    std::vector<Predicate> all;
    for (size_t i = 0; i < columns.size(); ++i) all.push_back(Predicate::Compare(Predicate::Op::kEq, columns[i], t[i]));
    any.push_back(Predicate::All(std::move(all)));
  }
  return Predicate::Any(std::move(any));
}

}  // namespace dpo::dsar
