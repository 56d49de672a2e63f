// Renders what 'dpo inspect' found: the tables of one source with their
// columns, types, keys, relations and row counts. Renderers only format the
// data they are given; they never query the source.
#pragma once

#include <string>
#include <vector>

#include "source/source.h"

namespace dpo::report {

struct InspectReport {
  std::string source_kind;  // SourceKindName(): "sqlite", "csv", "postgresql"
  std::string source_name;  // Source::DisplayName(): never contains a password
  std::vector<source::Table> tables;
  // Rows skipped under --skip-bad-rows while describing the tables (CSV).
  std::vector<source::SkippedRows> skipped;
};

// Aligned, human-readable text. Estimated row counts are prefixed with "~",
// unknown ones shown as "?". Control characters in names are escaped (\xNN)
// so that a hostile identifier cannot rewrite the terminal.
std::string RenderInspectText(const InspectReport& report);

// JSON (schema "dpo.inspect/1", documented in docs/ and below):
// {"schema": "dpo.inspect/1",
//  "source": {"kind": "sqlite", "name": "crm.db"},
//  "tables": [{"name": "orders", "location": "" (CSV file path, else ""),
//              "row_count": {"rows": 42 | null, "exact": true},
//              "primary_key": ["id"],
//              "columns": [{"name": "id", "declared_type": "INTEGER", "type": "integer",
//                           "type_inferred": false, "nullable": false, "nullable_inferred": false,
//                           "primary_key_position": 1}],  (CSV: nullable is whether an empty value was
//                           seen in the rows read, and nullable_inferred is true)
//              "foreign_keys": [{"columns": ["customer_id"], "referenced_table": "customers",
//                                "referenced_columns": ["id"], "origin": "schema"}],
//              "rows_skipped": 0, "skipped_lines": [] (--skip-bad-rows: count, first lines)}]}
std::string RenderInspectJson(const InspectReport& report);

}  // namespace dpo::report
