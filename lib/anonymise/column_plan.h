// Which operator each column of an export gets, and why. Decided before a
// single row is written, so that `dpo anonymise --dry-run` can show it and a
// run that would break a key or leak an undeclared column stops first.
//
// Order of precedence for one column:
//  1. a column that references another (a foreign key, or a relation the
//     policy declares) gets the operator of the column it references, so
//     every reference still resolves: keep stays keep, a pseudonymised
//     e-mail key is pseudonymised the same way in every table;
//  2. anonymise.columns in the policy ("table.column: operator");
//  3. a column the policy declares with a category: anonymise.categories
//     for that category, else the default for the kind of data the column
//     holds (DefaultFor below);
//  4. a column the policy declares `none`: keep;
//  5. a column the policy does not mention (or a table it does not
//     mention): when discovery (detect::ColumnClassifier on a sample of the
//     column) calls it personal, the default for that kind, unless
//     keep_undeclared: privacy by default; a text column in which the
//     sample found nothing is redacted (every value is still searched, so
//     an identifier in a row past the sample is found); otherwise keep.
// Then: a primary-key or UNIQUE column whose operator would merge distinct
// values (anything but keep and pseudonym) is pseudonymised instead, or
// refused when the policy named that operator for the column; a key column
// cannot be dropped or set to NULL.
//
// Errors name table.column, the operator and what to write instead; never a
// value.
#pragma once

#include <string>
#include <vector>

#include "anonymise/export_operator.h"
#include "policy/policy.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::anonymise {

struct ColumnChoice {
  source::Column column;  // as the source describes it
  ExportOperator op;
  std::string reason;        // "anonymise.columns", "category contact", "references candidates.id", ...
  std::string kind;          // the detected kind ("email"), empty when none
  std::string category;      // the policy's category, empty when none or undeclared
  bool undeclared = false;   // personal data the policy does not mention (treated by default)
  bool quasi_identifier = false;
  source::TypeClass output_type = source::TypeClass::kText;
};

struct TablePlan {
  source::Table table;  // as the source describes it, with the policy's relations merged
  std::vector<ColumnChoice> columns;  // in table order (dropped columns included, op drop)
};

struct ExportPlan {
  std::vector<TablePlan> tables;       // sorted by name; parents before their children where possible
  int64_t undeclared_columns = 0;      // personal columns the policy does not mention, treated by default
  std::vector<std::string> warnings;   // one line each
};

struct PlanOptions {
  bool keep_undeclared = false;  // --keep-undeclared
  int64_t sample_rows = 10000;    // rows read per table to tell what each column holds
};

// `base` (key, as-of date) completed with what the column says: its type,
// declared type, and never_null for a NOT NULL text column (a value the
// operator cannot read is written as "" there, not NULL). The one place the
// copy, the in-database copy and k-anonymity get their contexts from.
TransformContext ContextFor(const ColumnChoice& choice, const TransformContext& base, source::SourceKind source_kind);

// Reads the shape of every table and a sample of each, and decides.
Result<ExportPlan> PlanExport(source::Source& source, const policy::Policy& policy, const PlanOptions& options);

// The default operator for a detected kind (detect::KindName), for a column
// of `type`: e-mail addresses, phone, BSN, IBAN, names, street addresses,
// document, KvK and VAT numbers, profile URLs and device ids -> pseudonym
// (text "anon-...", so that no scanner mistakes it for the real thing); payment cards -> mask; postcodes ->
// generalise:postcode; dates of birth -> generalise:year; IP addresses ->
// generalise:ipv4 / ipv6; geolocation -> null; free text and
// special-category terms -> redact; city, gender, nationality, marital
// status, salary and plain dates -> keep (quasi-identifiers and attributes:
// k-anonymity deals with them). An empty kind on a column the policy calls
// personal: text -> pseudonym, anything else -> keep.
ExportOperator DefaultFor(const std::string& kind, source::TypeClass type);

}  // namespace dpo::anonymise
