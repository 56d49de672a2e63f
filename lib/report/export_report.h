// What `dpo export --recipient` writes and says: the exported rows as JSON
// or CSV, rendered in pieces so that a table of any size streams through in
// batches, and the text that tells the admin what went (or, with --dry-run,
// would go) where. The pieces print only what lib/share decided and read;
// every value from the data is escaped for its medium (JSON, a spreadsheet,
// a terminal), and the texts for the admin hold names and counts, never a
// value of the data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "share/disclosure_scope.h"
#include "share/recipient_export.h"

namespace dpo::report {

// CSV for a spreadsheet, exactly as the access package writes it
// (RenderDatasetCsv in dsar_report.h: UTF-8 with a byte order mark, CRLF, a
// cell a spreadsheet would run as a formula gets a leading '): the header
// row once, then the rows of each batch.
std::string RenderExportCsvHeader(const share::ExportTable& table);
std::string RenderExportCsvRows(const share::ExportTable& table, const std::vector<share::Row>& rows);

// The JSON file, streamed:
//   {"format": "dpo-export/1",
//    "recipient": {"id", "description", "type", "country"},
//    "purpose": {"id", "description"}, "legal_basis", "transfer": {"country", "safeguard"} | null,
//    "as_of", "categories": [...], "anonymised": bool,
//    "tables": [{"table", "columns": [{"name", "type", "category"}],
//                "rows": [[value, ...], ...], "row_count": N}]}
// One row per line. Values are the text form of their type
// (docs/source-types.md) or null; bytes that are not UTF-8 become U+FFFD.
class ExportJson {
 public:
  std::string Begin(const share::DisclosureScope& scope, const std::string& as_of, bool anonymised);
  std::string BeginTable(const share::ExportTable& table);
  std::string Rows(const std::vector<share::Row>& rows);
  std::string EndTable(int64_t rows);
  std::string End();

 private:
  bool first_table_ = true;
  bool first_row_ = true;
};

// For the admin (stdout): recipient, purpose and legal basis, then per
// table its rows and its columns grouped by category (with the operator
// where --anonymise changes them; free text marked), rows kept back for want
// of consent, and the spans replaced inside free text. `results` has one entry per table (counts from a dry run,
// or what was written).
std::string RenderExportText(const share::DisclosureScope& scope, const std::vector<share::ExportTable>& tables,
                             const std::vector<share::TableResult>& results);

}  // namespace dpo::report
