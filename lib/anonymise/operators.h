// Anonymising values in place: the operators an `action: anonymise`
// retention rule writes into its columns, chosen so that the table keeps its
// constraints (a NOT NULL or UNIQUE column never gets NULL). This is the
// first set of operators; the anonymised export extends it.
//
// An operator is named by a short text that plans store; the names are a
// stable vocabulary (docs/retention-plan.md, docs/policy-format.md):
//
//   null             NULL.
//   fixed:VALUE      VALUE in every row (the text form of the column's type).
//   pseudonym        "anon-" and 16 lower-case hex digits (64 bits) of
//                    HMAC-SHA256(key, value): "anon-3f9a1c2b7d4e6f80".
//   pseudonym:email  the same as an address that can never be delivered:
//                    "anon-3f9a1c2b7d4e6f80@example.invalid".
//   pseudonym:int64  a positive 64-bit integer from the same HMAC, at least
//                    9000000000000000000 (a range no real number in a
//                    personnel or customer column reaches).
//   pseudonym:int32  the same for 32-bit columns (PostgreSQL integer): at
//                    least 2000000000.
//   year             the value's January 1st: "1987-06-12" -> "1987-01-01",
//                    "1987-06-12 08:30:00" -> "1987-01-01 00:00:00". No key.
//
// Contract:
//  - Deterministic: the same key and value give the same pseudonym in every
//    table and on every backend, so joins on pseudonymised columns still
//    work; different keys give unrelated pseudonyms. Distinct values give
//    distinct pseudonyms, so a UNIQUE column stays unique: text pseudonyms
//    carry 64 bits (a collision among a million values: about 1 in 37
//    million), pseudonym:int64 57 bits, pseudonym:int32 27 bits (UNIQUE
//    columns of more than a few thousand rows want a bigint). A collision
//    in a UNIQUE column fails the transaction: nothing is changed.
//  - Idempotent and recognisable: an operator leaves a value it wrote as it
//    is, and PendingRows() selects exactly the rows it would still change,
//    so a second sweep finds nothing to do.
//  - NULL stays NULL (fixed aside).
//  - Messages name tables, columns and operators, never a value.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "source/predicate.h"
#include "source/source.h"
#include "util/keyed_hash.h"
#include "util/status.h"

namespace dpo::anonymise {

struct Operator {
  enum class Kind { kNull, kFixed, kPseudonym, kYear };
  enum class Shape { kText, kEmail, kInt64, kInt32 };  // of a pseudonym

  Kind kind = Kind::kNull;
  std::string value;           // kFixed
  Shape shape = Shape::kText;  // kPseudonym

  // Its name, as ParseOperator reads it back ("pseudonym:email").
  std::string Name() const;
  bool NeedsKey() const { return kind == Kind::kPseudonym; }
  // Computed row by row (source::WriteOp::computed), not one value for all.
  bool Computed() const { return kind == Kind::kPseudonym || kind == Kind::kYear; }
};

// Reads an operator's name. Errors name the text and list the operators.
Result<Operator> ParseOperator(std::string_view name);

// A computed operator's function on one value (text form of the column's
// type; std::nullopt is NULL). Error: a pseudonym without a key ("pass
// --key-file FILE or set DPO_KEY"), or an operator that is not computed.
// The function keeps its own copy of the key.
using ValueFunction = std::function<std::optional<std::string>(const std::optional<std::string>&)>;
Result<ValueFunction> MakeFunction(const Operator& op, const util::SecretKey* key);

// What decides how a column is anonymised in place.
struct ColumnContext {
  source::SourceKind source_kind = source::SourceKind::kSqlite;
  const source::Table* table = nullptr;
  const source::Column* column = nullptr;
  const policy::Category* category = nullptr;  // the policy's category of the column, if it has one
  std::vector<std::string> referenced_by;      // "placements.employee_id": columns that reference this one
};

// The operator for a column when nothing else is said:
//  - a nullable column that is not UNIQUE: null (a nullable reference to
//    another table too: it is unlinked);
//  - NOT NULL or UNIQUE: text -> pseudonym (pseudonym:email when the
//    column holds e-mail addresses: its name says so, or its category's only
//    detector is email), integer -> pseudonym:int64 (PostgreSQL integer:
//    pseudonym:int32), date and timestamp -> year, real -> fixed:0,
//    boolean -> fixed:false.
// Errors, each saying what to do instead: a primary-key column, a column
// other rows reference, a NOT NULL reference, a UNIQUE date, timestamp,
// real or boolean column (no operator keeps it unique), a blob, a
// PostgreSQL smallint, a PostgreSQL text column too short for a pseudonym.
Result<Operator> DefaultOperator(const ColumnContext& context);

// Whether `op` may be written into the column: the refusals of
// DefaultOperator for key columns, and NULL in a NOT NULL column, one
// value (fixed, year) in a UNIQUE column, a pseudonym whose shape the
// column's type cannot hold.
Status CheckOperator(const Operator& op, const ColumnContext& context);

// The rows of `column` that `op` would still change ("not done yet"):
//   null -> IS NOT NULL; fixed:V -> IS NULL OR <> V;
//   pseudonym (text, email) -> IS NOT NULL AND NOT LIKE 'anon-%';
//   pseudonym:int64 / int32 -> < 9000000000000000000 / 2000000000;
//   year -> IS NOT NULL AND NOT (LIKE '%-01-01' OR LIKE '%-01-01 00:00:00%').
source::Predicate PendingRows(const std::string& column, const Operator& op);

// Adds "column := op" to `update` (kind kUpdate): null and fixed as plain
// assignments, the computed operators as a computed assignment whose
// function is left unbound (BindOperators binds it).
void AddToUpdate(const std::string& column, const Operator& op, source::WriteOp* update);

// True when a computed assignment of `op` needs the key.
bool NeedsKey(const source::WriteOp& op);

// Fills the function of every computed assignment of `op` from its operator
// name. Errors, before anything is executed: an unknown operator name (a
// plan edited by hand), a pseudonym without a key ("pass --key-file FILE or
// set DPO_KEY"). `key` may be destroyed afterwards.
Status BindOperators(source::WriteOp* op, const util::SecretKey* key);

}  // namespace dpo::anonymise
