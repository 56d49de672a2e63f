// What `dpo anonymise` decided and did: the operator of every column (and
// why), per-table counts of what each operator changed, and the k-anonymity
// of each table with quasi-identifiers. Printed for a person (text) or a
// pipeline (JSON). Names come from the source: escaped for the medium.
// Nothing here holds a value of the data.
#pragma once

#include <string>

#include "anonymise/column_plan.h"
#include "anonymise/export.h"

namespace dpo::report {

// The decision only (`--dry-run`): one line per column that does not stay
// as it is, grouped by table, and the count of undeclared personal columns.
std::string RenderExportPlanText(const anonymise::ExportPlan& plan);

// After a run: rows per table, per column the operator and its counts,
// k-anonymity, warnings.
std::string RenderExportSummaryText(const anonymise::ExportSummary& summary);

//   {"format": "dpo-anonymise-summary/1", "destination", "rows", "undeclared_columns",
//    "tables": [{"table", "rows", "columns": [{"column", "operator", "reason", "undeclared",
//                                              "changed", "nulled", "spans"}]}],
//    "k_anonymity": [{"table", "columns", "operators", "final_operators", "rows", "classes",
//                     "k_before", "k", "k_wanted", "suppressed_rows"}],
//    "warnings": [...]}
std::string RenderExportSummaryJson(const anonymise::ExportSummary& summary);
// The plan as JSON: {"format": "dpo-anonymise-plan/1", "tables": [{"table", "columns":
// [{"column", "operator", "reason", "kind", "category", "undeclared", "quasi_identifier"}]}], ...}
std::string RenderExportPlanJson(const anonymise::ExportPlan& plan);

}  // namespace dpo::report
