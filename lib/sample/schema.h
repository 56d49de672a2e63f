// The sample database's schema as data: every table and column with its SQL
// type and constraints, the detector kinds and policy category of what it
// holds, whether policies/staffing-agency.yaml declares it, and the CSV
// delimiter of its export. The generator creates tables from it and the
// ground truth is read off it, so schema and truth cannot drift apart.
//
// Also here: the retention rules of policies/staffing-agency.yaml in the
// form the generator evaluates them while writing rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/duration.h"

namespace dpo::sample {

struct ColumnSpec {
  const char* name;
  const char* type;        // INTEGER | TEXT | REAL
  const char* constraint;  // SQL after the type: "PRIMARY KEY", "NOT NULL REFERENCES candidates(id) ON DELETE CASCADE"
  const char* kinds;       // space-separated detector kind names; "" when none
  const char* category;    // policy category; "none" when not personal data
  bool declared = true;    // mapped in the policy
  bool identifier = false;
  bool free_text = false;  // the truth adds the kinds its values mention
};

struct TableSpec {
  const char* name;
  const char* data_subject;  // policy data subject; "" when not about persons
  bool declared;             // a dataset in the policy
  char csv_delimiter;
  std::vector<ColumnSpec> columns;

  int ColumnIndex(const std::string& column) const;  // -1 when absent
};

// Table indexes into Tables(), in creation order (parents before children).
enum TableId {
  kClientCompanies,
  kClientContacts,
  kCandidates,
  kEmployees,
  kPlacements,
  kTimesheets,
  kPayslips,
  kInvoices,
  kIdDocuments,
  kAbsences,
  kConsents,
  kApplications,
  kConversationNotes,
  kWebsiteVisits,
  kExportTmp,
  kTableCount,
};

const std::vector<TableSpec>& Tables();

// "CREATE TABLE ..." for one table (identifiers quoted).
std::string CreateTableSql(const TableSpec& table);

// Kinds that free text can mention; bit i of a mention mask is kMentionNames[i].
enum Mention : uint32_t {
  kMentionPhone = 1u << 0,
  kMentionEmail = 1u << 1,
  kMentionPersonName = 1u << 2,
  kMentionHealth = 1u << 3,
  kMentionReligion = 1u << 4,
  kMentionUnion = 1u << 5,
  kMentionCriminal = 1u << 6,
};
inline constexpr int kMentionCount = 7;
extern const char* const kMentionNames[kMentionCount];

// One `when` or legal-hold test of a retention rule.
struct ConditionSpec {
  enum class Op { kEqualsInt, kEqualsText };
  const char* column;
  Op op;
  int64_t int_value = 0;
  const char* text_value = "";
};

struct RetentionSpec {
  const char* id;  // rule id in policies/staffing-agency.yaml
  TableId table;
  const char* after_column;
  util::Duration keep;
  std::vector<ConditionSpec> when;   // all must match
  std::vector<ConditionSpec> holds;  // any matching holds the row
};

const std::vector<RetentionSpec>& RetentionRules();

// SQL for a list of tests joined by AND or OR; `empty` when the list is empty.
std::string ConditionsSql(const std::vector<ConditionSpec>& conditions, const char* joiner, const char* empty);

}  // namespace dpo::sample
