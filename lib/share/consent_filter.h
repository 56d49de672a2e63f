// A disclosure under a purpose that rests on consent (Art. 6(1)(a), 9(2)(a))
// may include only people whose consent for that purpose stands: a
// candidate who withdrew their consent to mediation must not be sent to a
// client (Art. 7(3)). Where the policy says the consents are recorded
// (purposes.<id>.consent), an exported table's rows are kept only when the
// subject they belong to has a consent record for the purpose that was given
// and is not withdrawn.
//
// The link is direct or not at all: the exported dataset's subject_key and
// the records' subject key must name the same subject, either because one
// references the other's column (candidates.id <- consents.candidate_id) or
// because both reference the same column (applications.candidate_id and
// consents.candidate_id -> candidates.id), by a foreign key or a relation the
// policy declares. A dataset that cannot be linked is refused rather than
// exported unchecked. The check runs inside the database (a semi-join, the
// predicate dialect's kInSelect), or row by row for CSV.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::share {

struct ConsentFilter {
  std::string purpose;
  std::string records_table;  // where consents are recorded
  std::string records_key;    // its column naming the subject
  std::string link_column;    // the exported table's column naming the same subject
  source::Predicate standing;  // over records_table: a consent for the purpose, given, not withdrawn

  // Over the exported table: link_column IN (SELECT records_key FROM
  // records_table WHERE standing). A row whose link is NULL never matches.
  source::Predicate Rows() const;
};

// The filter for the rows of `table` (described, the policy's relations
// merged) of `dataset` under `purpose`; std::nullopt when the purpose does
// not rest on consent or the policy does not say where its consents are
// recorded (`warning` then says so for the latter). Errors: the records'
// table or columns missing from the source, or a dataset whose rows cannot
// be linked to the records (the message says what to declare).
Result<std::optional<ConsentFilter>> ConsentFilterFor(const policy::Policy& policy, source::Source& source,
                                                     const policy::Purpose& purpose, const policy::Dataset& dataset,
                                                     const source::Table& table, std::string* warning);

// Of `links` (values of filter.link_column), those whose consent stands:
// one read of the records, restricted to these values.
Result<std::set<std::string>> StandingConsents(source::Source& source, const ConsentFilter& filter,
                                               const std::vector<std::string>& links);

}  // namespace dpo::share
