// Art. 7(1): "where processing is based on consent, the controller shall be
// able to demonstrate that the data subject has consented". For each purpose
// that rests on consent and says where consents are recorded
// (policy::Purpose::consent), counts the subjects whose data is held for the
// purpose without any consent record, and those whose consent was withdrawn
// (and not given again) while the data is still held. Everything is counted
// inside the database as set-based predicates (semi-joins), so the check
// costs a few queries whatever the table sizes.
//
// Which data is "held for" a purpose: the columns of the datasets that list
// it whose category the purpose lists and no other purpose of the dataset
// resting on something other than consent covers (a candidate's CV is held
// only for mediation; their name is also held for payroll), non-NULL and not
// empty. A row holds data for the purpose when any such column has a value.
//
// Which subjects: the consent records' subject key names a subject by a
// reference (consents.candidate_id -> candidates.id): subjects are counted as
// rows of that referenced table (the "subject table"), so each is counted
// once however many rows of however many datasets hold their data. A
// dataset's rows are linked to the subject table through its subject_key and
// a chain of references (payslips.employee_id -> employees.id,
// employees.candidate_id -> candidates.id), the shortest one; without one the
// dataset cannot be checked and says so.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plan/cascade.h"
#include "policy/policy.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::scan {

// One dataset that holds data for the purpose.
struct ConsentHeldIn {
  std::string dataset;
  std::vector<std::string> columns;  // the columns held only for consent-based purposes
  std::string path;                  // "payslips.employee_id -> employees.id, employees.candidate_id -> candidates.id"
  int64_t unlinked_rows = 0;         // rows holding such data whose link to a subject is NULL: not checkable
  std::string problem;               // not empty: this dataset could not be checked, and why
};

struct ConsentCheck {
  std::string purpose;
  std::string records_dataset;       // where consents are recorded
  std::string subject_table;         // where subjects are counted
  std::string subject_column;
  bool keys_shown = false;           // subject_column is declared `none` (not personal data) or numeric
  std::vector<ConsentHeldIn> held_in;
  int64_t held = 0;                  // subjects whose data is held for the purpose
  int64_t without_record = 0;        // ... with no consent record for it
  int64_t withdrawn = 0;             // ... whose consent was withdrawn and is not given again
  std::vector<std::string> without_record_keys;  // at most max_examples, only when keys_shown
  std::vector<std::string> withdrawn_keys;
  std::string problem;               // not empty: the purpose could not be checked at all, and why
};

struct ConsentCheckOptions {
  size_t max_examples = 5;
};

// Checks every purpose of `policy` that rests on consent and names its
// consent records, on `source` whose tables and references are `schema`.
// Problems of the policy against this source (a missing table or column, no
// reference chain) are reported in the result, not as errors; errors are
// source failures.
Result<std::vector<ConsentCheck>> CheckConsents(source::Source& source, const policy::Policy& policy,
                                               const plan::SchemaGraph& schema,
                                               const ConsentCheckOptions& options);

}  // namespace dpo::scan
