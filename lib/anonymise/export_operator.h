// The operators of the anonymised export (`dpo anonymise`): what happens to
// one column's values on their way from the source to the output. The names
// are a stable vocabulary written in policies (anonymise.categories and
// anonymise.columns, docs/policy-format.md) and printed in the run's summary:
//
//   keep                   the value as it is
//   drop                   the column is left out of the output
//   null                   NULL
//   fixed:VALUE            VALUE in every row
//   pseudonym              keyed HMAC-SHA256 pseudonym (operators.h): text
//                          "anon-<16 hex>" in a text column, a large integer
//                          in an integer column; pseudonym:email
//                          ("anon-<16 hex>@example.invalid"), pseudonym:text,
//                          pseudonym:int64, pseudonym:int32 force the shape
//   fake / fake:KIND       a format-preserving fake (fake_values.h): KIND one
//                          of email, phone, bsn, iban, name, first_name,
//                          last_name, street, postcode, city,
//                          document_number; plain `fake` takes the kind the
//                          column holds
//   mask / mask:N          all but the last N characters (default 4) as '*'
//   generalise:year        a date to January 1st of its year;
//   generalise:5years, generalise:10years   to the first year of its band
//   generalise:age_band[:W]  a date of birth to an age band "30-39" (W years,
//                          default 10) on the as-of date; the column becomes text
//   generalise:postcode[:D]  "1234 AB" to "1234" (D digits, default 4)
//   generalise:ipv4[:B]    to its /B network (default 24): "192.168.17.0"
//   generalise:ipv6[:B]    to its /B network (default 48)
//   generalise:band:W      a number down to its band of width W: 2345 -> 2000
//   redact                 free text: identifiers, names and special-category
//                          terms found by the detectors become "[email]",
//                          "[name]", "[health]"...; the rest of the text stays
//   year                   the in-place operators' name for generalise:year
//
// Keyed operators (pseudonym, fake) need the secret key; the same key and
// value give the same output in every table, run and backend, so joins on
// them still work. Messages never quote a value.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "anonymise/fake_values.h"
#include "anonymise/operators.h"
#include "source/source.h"
#include "util/keyed_hash.h"
#include "util/status.h"

namespace dpo::anonymise {

struct ExportOperator {
  enum class Kind {
    kKeep, kDrop, kNull, kFixed, kPseudonym, kFake, kMask,
    kGeneraliseDate, kAgeBand, kPostcode, kIpv4, kIpv6, kBand, kRedact,
  };
  Kind kind = Kind::kKeep;
  std::string value;                        // kFixed
  std::optional<Operator::Shape> shape;     // kPseudonym: nullopt = by the column
  std::optional<FakeKind> fake;             // kFake: nullopt = by the column
  int param = 0;                            // mask: N; date: years; age band: width; postcode: digits; ip: bits
  double width = 0;                         // kBand

  // The name, as ParseExportOperator reads it back.
  std::string Name() const;
  bool NeedsKey() const { return kind == Kind::kPseudonym || kind == Kind::kFake; }
  // Distinct values stay distinct (keep, and pseudonyms: 64 bits of HMAC),
  // so a primary key, a UNIQUE column and the references to them may use it.
  bool KeepsKeys() const { return kind == Kind::kKeep || kind == Kind::kPseudonym; }
  // Changes nothing (keep) or removes the column (drop).
  bool ChangesValues() const { return kind != Kind::kKeep && kind != Kind::kDrop; }
};

// Reads an operator name. Errors say what is wrong and list the operators.
Result<ExportOperator> ParseExportOperator(std::string_view name);

// The type the output column gets when the input column has `type`, or an
// error naming the column when the operator cannot apply to it (fake,
// redact, postcode, ip on a number; band on text; a pseudonym:int on text;
// generalise:year on a number; an age band on anything but a date or text).
// `where` is "table.column" for the message.
Result<source::TypeClass> OutputType(const ExportOperator& op, source::TypeClass type, const std::string& where);

// What a transform needs besides the operator.
struct TransformContext {
  const util::SecretKey* key = nullptr;  // keyed operators
  std::string as_of;                     // YYYY-MM-DD, for age bands
  source::TypeClass type = source::TypeClass::kText;  // the input column's type
  source::SourceKind source_kind = source::SourceKind::kSqlite;
  std::string declared_type;             // PostgreSQL integer widths
  // A NOT NULL text column: a value the operator cannot read is written as
  // "" instead of NULL (never as the value itself).
  bool never_null = false;
};

// Counts a transform keeps, for the run's summary.
struct TransformCounts {
  int64_t changed = 0;   // values written differently from the input
  int64_t nulled = 0;    // non-NULL values written as NULL (unreadable input, `null`)
  int64_t spans = 0;     // redact: spans replaced
};

// One column's transform: input value (NULL as nullopt) to output value.
// Keeps its own copy of what it needs from the key; not thread-safe (make
// one per thread). Errors: a keyed operator without a key ("pass --key-file
// FILE or set DPO_KEY"), an unresolved `fake` or `pseudonym` shape.
using Transform = std::function<std::optional<std::string>(const std::optional<std::string>&, TransformCounts*)>;
Result<Transform> MakeTransform(const ExportOperator& op, const TransformContext& context);

// The next coarser step of a generalising operator (k-anonymity raises a
// quasi-identifier one step at a time): year -> 5years -> 10years;
// postcode:4 -> 3 -> 2 -> 1; age_band:5 -> 10 -> 20; ipv4:24 -> 16 -> 8;
// ipv6:48 -> 32 -> 16; band:W -> band:2W (up to 64W).
// std::nullopt when there is none (keep, pseudonyms, the coarsest step).
std::optional<ExportOperator> Coarser(const ExportOperator& op);

}  // namespace dpo::anonymise
