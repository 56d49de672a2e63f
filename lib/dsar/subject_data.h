// What a subject lookup found, as plain data: the rows of one data subject
// per dataset, the rows they point at (context), and what was withheld to
// protect other people. The finder (subject_finder.h) produces it; the
// package renderers (lib/report/dsar_report.h) and the erasure planner
// (erasure_plan.h) consume it. Holds personal data: whoever writes it to disk
// writes owner-only files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "source/source.h"

namespace dpo::dsar {

// One --subject KEY=VALUE, as the admin typed it. The value is personal data:
// it never goes into a path, a log line or an error message.
struct SubjectSelector {
  std::string key;    // a column name (email, bsn), TABLE.COLUMN, or a category id
  std::string value;
};

using Cell = std::optional<std::string>;  // canonical text form of the column's type; nullopt = NULL

// Why a dataset's rows are in the package.
enum class RowRole {
  kSubject,  // matched the --subject selectors (the subject's own record)
  kBelongs,  // points at the subject's rows (directly or through other rows): also theirs
  kContext,  // pointed at by the subject's rows (a vacancy, a client company): only the
             // columns the policy declares not personal are shown
};
const char* RowRoleName(RowRole role);  // "subject", "belongs", "context"

struct DatasetRows {
  std::string table;
  std::string data_subject;   // the policy's dataset.data_subject; empty when undeclared
  RowRole role = RowRole::kSubject;
  std::string via;            // how it was reached: "email", "placements.employee_id -> employees"
  std::vector<std::string> columns;          // shown columns, in table order
  std::vector<source::TypeClass> types;      // same order
  std::vector<std::string> key_columns;      // primary key; empty when the table has none
  std::vector<std::vector<Cell>> rows;
  // Columns of the table left out and why ("not declared personal-free in the policy").
  struct Withheld {
    std::string column;
    std::string reason;
  };
  std::vector<Withheld> withheld;
  int64_t redacted_spans = 0;  // third-party values replaced inside text cells
};

// A lookup the walk made that no index serves, with the statement that adds one.
struct LookupAdvice {
  std::string table;
  std::vector<std::string> columns;
  std::string reason;
  std::string sql;
};

struct SubjectData {
  std::vector<std::string> selector_keys;  // the KEYs given (values are not kept here)
  std::string source;                      // display name, never a password
  std::string source_kind;
  // Datasets with rows, subject rows first, then belongs, then context, each
  // in walk order. A dataset appears at most once per role.
  std::vector<DatasetRows> datasets;
  // How the identity was matched per start table: "index" (spelling variants
  // looked up by key), "folded" (e-mail compared case-folded inside the
  // database), "index, then folded" (nothing under the usual spellings, so
  // case-folded too), or "scan" (every value read and normalised by dpo).
  struct Match {
    std::string table;
    std::vector<std::string> columns;
    std::string method;
    int64_t rows = 0;
  };
  std::vector<Match> matches;
  std::vector<LookupAdvice> advice;
  std::vector<std::string> warnings;  // e.g. a table with no dataset in the policy
  // Rows the source could not read and skipped (CSV under --skip-bad-rows):
  // the subject may have data in them, so the package says it may be
  // incomplete. Never their content.
  std::vector<source::SkippedRows> skipped;

  int64_t TotalRows(RowRole role) const;
  const DatasetRows* Find(const std::string& table, RowRole role) const;
};

}  // namespace dpo::dsar
