// What `dpo export --recipient` hands over, as data: which tables and
// columns may go to the recipient under the purpose (data minimisation,
// Art. 5(1)(c)), and the rows themselves, projected on those columns and,
// when asked, anonymised. No formatting here: the rows go to a RowSink that
// cmd/ backs with a renderer (report/export_report.h) and an output file.
//
// Which columns, per table of the source:
//  - only datasets of the policy that list the purpose (a table the policy
//    does not describe never goes);
//  - only columns the dataset maps to a category of the scope
//    (DisclosureScope::categories), and when the recipient lists columns,
//    only those: never an undeclared column, never one declared `none`;
//  - free text goes with the identifiers and special-category terms in it
//    replaced (ExportColumn::free_text);
//  - with include_key, also the table's key (plan::KeyColumnsOf: the primary
//    key, else `id`), which must be declared `none` (or be allowed anyway):
//    the recipient can then refer back to a row without receiving more.
// Which rows: those a --where selects from one table (streamed; memory flat
// in the table's size), or a data subject's own rows (dsar::FindSubject:
// their records and what belongs to them, never context rows or anyone
// else's). Under a purpose that rests on consent with recorded consents,
// only rows of subjects whose consent stands (consent_filter.h).
//
// Every exported row's key (KeyColumnsOf, exported or not) goes into a
// keyed digest for the audit log (plan::KeySetHmac): which rows went where
// can be proved later with the key, and is never written down in the clear.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "anonymise/column_plan.h"
#include "dsar/subject_data.h"
#include "dsar/subject_finder.h"
#include "policy/policy.h"
#include "share/consent_filter.h"
#include "share/disclosure_scope.h"
#include "source/source.h"
#include "util/keyed_hash.h"
#include "util/status.h"

namespace dpo::share {

struct ExportColumn {
  std::string name;
  std::string category;  // the policy's category; "none" for a key column added by include_key
  source::TypeClass type = source::TypeClass::kUnknown;
  bool key = false;      // added by include_key (declared none)
  // Free text (a CV, a motivation letter): the column's category lists the
  // free_text detector or its name says so. People write anything into it
  // (an e-mail address, a phone number, a colleague's name, an illness), so
  // what the recipient may receive is the text, not the identifiers and
  // special-category terms in it: those spans are replaced by placeholders
  // ("[email]", "[health]"; anonymise/free_text.h), in every export.
  bool free_text = false;
  // With --anonymise: what `dpo anonymise` would do to the column (never
  // `drop`: a dropped column is not exported at all).
  std::optional<anonymise::ColumnChoice> anonymise;
};

struct ExportTable {
  std::string table;
  std::vector<ExportColumn> columns;  // in table order
  source::Table shape;                // as described, with the policy's relations merged
  std::vector<std::string> key_columns;  // what names a row in the audit digest (plan::KeyColumnsOf)
  std::optional<ConsentFilter> consent;  // only rows of subjects whose consent stands
};

struct ColumnOptions {
  bool include_key = false;  // --include-key
  std::string only_table;    // --table: just this one ("" = every table in scope)
};

// The tables in scope with their columns, in the policy's dataset order.
// `warnings` receives tables of the policy the source does not have (skipped
// when only_table is empty). Errors: only_table not in the source, or not a
// table anything may go from (the message says why: no dataset, the dataset
// does not list the purpose, none of its columns is of the scope's
// categories or the recipient's columns, a consent purpose whose records it
// cannot be linked to); no table at all in scope; include_key with a key
// column that is undeclared or of a category the recipient may not receive.
Result<std::vector<ExportTable>> PlanTables(const policy::Policy& policy, source::Source& source,
                                            const DisclosureScope& scope, const ColumnOptions& options,
                                            std::vector<std::string>* warnings);

// --anonymise: gives every column the operator of `plan` (anonymise::PlanExport
// of the same source and policy); a column the plan drops leaves the export.
// Errors: a table left with no column; a keyed operator while `have_key` is
// false ("pass --key-file FILE or set DPO_KEY"; a dry run passes true: it
// only shows the operators).
Status ApplyAnonymisePlan(const anonymise::ExportPlan& plan, bool have_key, std::vector<ExportTable>* tables);

using Cell = dsar::Cell;
using Row = std::vector<Cell>;

// Receives the export table after table: every table of the plan is begun
// and ended, in order, also when it has no rows.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual Status BeginTable(const ExportTable& table) = 0;
  // Cells in the order of table.columns, anonymised when asked.
  virtual Status WriteRows(const ExportTable& table, const std::vector<Row>& rows) = 0;
  virtual Status EndTable(const ExportTable& table, int64_t rows) = 0;
};

// Which rows: one table with conditions, or a data subject.
struct Selection {
  std::optional<source::Predicate> where;       // --table (tables has one entry)
  std::vector<dsar::SubjectSelector> subject;  // --subject; empty for --table
  dsar::FindOptions find;
};

struct RowOptions {
  const util::SecretKey* key = nullptr;  // keyed operators; the audit digests (none: digests left empty)
  std::string as_of;                     // YYYY-MM-DD, for age bands
  const std::atomic<bool>* cancel = nullptr;  // polled between batches: true stops with an error
  size_t batch_rows = 4096;
};

struct TableResult {
  std::string table;
  int64_t rows = 0;
  int64_t without_consent = 0;  // rows the selection chose but consent kept back
  int64_t redacted_spans = 0;   // identifiers and terms replaced inside free text
  std::string keys_hmac;        // plan::KeySetHmac of the rows' keys; "" without a key
};

// Counts what an export would write (--dry-run), per table, in `tables`'
// order; reads no more than the counts need (a subject is looked up).
Result<std::vector<TableResult>> CountRows(const policy::Policy& policy, source::Source& source,
                                           const std::vector<ExportTable>& tables, const Selection& selection);

// Streams the rows to `sink`, table after table. Errors: the source's, the
// sink's, cancellation, a transform that cannot run.
Result<std::vector<TableResult>> ExportRows(const policy::Policy& policy, source::Source& source,
                                            const std::vector<ExportTable>& tables, const Selection& selection,
                                            const RowOptions& options, RowSink& sink);

}  // namespace dpo::share
