// k-anonymity of one table's quasi-identifiers (anonymise.quasi_identifiers:
// birth year, postcode, gender...): every combination of their output values
// should be shared by at least k rows, so that knowing someone's birth year,
// postcode and gender does not single out their row.
//
// How --k N gets there (a greedy form of what ARX and sdcMicro do):
//  1. count the combinations the policy's operators give (one read of the
//     quasi-identifier columns, in the source);
//  2. while more than `max_suppress` of the rows are in combinations shared
//     by fewer than N rows, raise one quasi-identifier one step (Coarser():
//     year -> 5 years -> 10 years, postcode 4 -> 3 -> 2 digits, ...), the one
//     that leaves the fewest rows in small combinations;
//  3. suppress what is still in a small combination: those rows keep their
//     place (every reference to them still resolves) but their
//     quasi-identifier values are written as NULL (local suppression), so
//     they fall into one combination of their own.
// The reported k is the smallest combination of the output, the suppressed
// rows counted as one combination. Each table is judged on its own columns.
//
// Memory: one counter per distinct combination, not per row.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "anonymise/column_plan.h"
#include "anonymise/export_operator.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::anonymise {

struct KAnonymity {
  std::string table;
  std::vector<std::string> columns;          // the quasi-identifiers, in table order
  std::vector<std::string> operators;        // as the policy chose them
  std::vector<std::string> final_operators;  // after raising for --k
  int64_t rows = 0;
  int64_t classes = 0;         // distinct combinations in the output
  int64_t k_before = 0;        // smallest combination with the policy's operators (0: no rows)
  int64_t k = 0;               // smallest combination of the output (0: no rows)
  int64_t k_wanted = 0;        // --k (0: report only)
  int64_t suppressed_rows = 0;
  // The combinations whose rows are suppressed, each as its final output
  // values joined by TupleKey.
  std::set<std::string> suppressed;
};

// A combination of output values as one string (NULL distinct from every text).
std::string TupleKey(const std::vector<std::optional<std::string>>& values);

// Measures (k_wanted 0) or reaches k_wanted for the quasi-identifier
// columns of `table` (those with quasi_identifier set). `context` carries the
// key and as-of date for the transforms. On success the table's
// quasi-identifier operators are raised in *table as decided.
Result<KAnonymity> ApplyKAnonymity(source::Source& source, TablePlan* table, int64_t k_wanted, double max_suppress,
                                   const TransformContext& context);

}  // namespace dpo::anonymise
