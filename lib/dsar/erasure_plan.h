// An erasure request (Art. 17) as a plan: every row the subject lookup found
// (subject_finder.h) is deleted, child rows before the rows they point at,
// except the rows the law or the policy keeps, each listed with its reason so
// that the admin can tell the data subject what was kept and why.
//
// Kept (not deleted):
//  - rows under a legal hold of any retention rule on their table, and rows
//    that belong to a held row (plan::LegalHoldRows);
//  - rows a rule with `on_erasure: keep` still keeps (within its period, or
//    with no date to count from), e.g. payslips for the 7 years of Art. 52
//    AWR; with `on_erasure: anonymise` they stay with the rule's columns
//    anonymised instead;
//  - rows that kept rows point at (a payslip needs its employee), unless the
//    reference is ON DELETE SET NULL;
//  - rows that rows of other people point at where the schema forbids the
//    delete (NO ACTION, RESTRICT) or would cascade it to them: another
//    person's data is never deleted by someone's erasure.
// Rows of other people that point at erased rows through ON DELETE SET NULL
// are unlinked (their reference set to NULL) first, as the schema says.
//
// Each step selects its rows by primary key (IN lists of at most 500); a
// table without a primary key by a whole-row match (every column equal, NULL
// as NULL), which the plan notes: identical rows are the same record, all go.
// The plan is a plan::RetentionPlan of kind "erasure": `dpo erase apply` runs
// it with retention's executor, so the stale check (counts and key digests),
// --dry-run, limits, the erasure ledger and the audit log are the same.
#pragma once

#include <string>

#include "dsar/subject_data.h"
#include "plan/retention_plan.h"
#include "policy/policy.h"
#include "source/source.h"
#include "util/duration.h"
#include "util/status.h"

namespace dpo::dsar {

struct ErasureOptions {
  util::Date as_of;           // when retention periods and conditions are evaluated
  std::string policy_sha256;
  std::string tool_version;
};

// Plans the erasure of `data` (FindSubject's result, not redacted). Reads
// only. Errors: references that form a cycle among the subject's tables (no
// child-first order exists), a source error.
Result<plan::RetentionPlan> MakeErasurePlan(const policy::Policy& policy, source::Source& source,
                                            const SubjectData& data, const ErasureOptions& options);

}  // namespace dpo::dsar
