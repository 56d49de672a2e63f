// Finding one data subject and everything that is theirs.
//
// 1. Which columns a --subject KEY names: TABLE.COLUMN names one column; a
//    KEY that is an identity kind (email, phone, bsn, iban) names every
//    column holding that kind in any table (by name and category, as
//    identity.h decides), so a person with several roles (candidate and
//    temporary worker) is found in each; any other KEY names the columns of
//    that name, and the identifier columns of the category of that id.
//    Tables that have a column for every KEY given are where the search
//    starts; several KEYs narrow it.
// 2. Identity match: in each start table, the rows whose values, normalised
//    (identity.h), equal the given ones. With an index leading each column,
//    the lookup is by the spelling variants (col IN (...)), then verified;
//    without one (or with `exhaustive`), every value of those columns is
//    read and normalised. More than one matching row in a table is an
//    ambiguous identity and refused unless `all_matches`.
// 3. The walk: rows that point at the subject's rows are theirs too, as deep
//    as references go (schema foreign keys and the policy's relations) —
//    but only along a reference that says "belongs to": when the pointing
//    dataset declares a subject_key, the reference must use it (a
//    conversation note's employee_id names the recruiter, not the note's
//    subject); without one, a reference whose rows outlive their parent (ON
//    DELETE SET NULL / SET DEFAULT) is not followed.
// 4. Context: rows the subject's rows point at (a client company, a
//    vacancy), one level, showing only the columns the policy declares not
//    personal ("none"): another person's data is never in the result.
//
// Reads only; every lookup is by key (IN lists of at most a few hundred
// values), so with indexes on identifier and reference columns a subject is
// found in milliseconds whatever the table sizes. Lookups no index serves are
// returned as advice. CSV sources stream each file once per lookup.
#pragma once

#include <cstdint>
#include <vector>

#include "dsar/subject_data.h"
#include "policy/policy.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::dsar {

struct FindOptions {
  bool all_matches = false;  // several matching rows in one table are all the subject's
  bool exhaustive = false;   // compare every value normalised even where an index would serve
  // A walk that finds more rows than this in all is refused (a subject_key
  // missing from the policy can make "everything that points here" the whole
  // database); the message names the table.
  int64_t max_rows = 1000000;
};

// Finds the subject. Errors: a KEY that names nothing (with the keys that
// would), no table with columns for every KEY, an ambiguous identity (with
// the number of matching rows and how to narrow it), a source error. A
// subject with no rows is not an error: the result has no datasets.
Result<SubjectData> FindSubject(const policy::Policy& policy, source::Source& source,
                                const std::vector<SubjectSelector>& selectors, const FindOptions& options);

// Replaces other people's identifiers and names inside the free text of the
// subject's rows (redact.h), using the values of the subject's own matched
// rows as theirs; counts the spans per dataset. Free text is a cell of more
// than six words, or any cell of a column that holds free text by its name
// (note, remarks, motivation, ...) or its category's detectors
// (free_text). A short cell of another column is a field of the subject's
// own record (their address, their IBAN on a payslip) and is left as it is;
// so are context rows (they show only columns declared not personal).
void RedactOtherPeople(const policy::Policy& policy, SubjectData* data);

}  // namespace dpo::dsar
