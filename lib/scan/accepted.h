// The policy's `accepted:` list applied to a scan: findings the controller
// reviewed and accepts until a date. An accepted finding stays in the report
// (marked accepted, with the reason) but no longer counts; once the day is
// past (`until` < the scan's as-of day) it counts again, and the scan adds an
// `acceptance-expired` warning so that the reason it fails is plain.
#pragma once

#include "policy/policy.h"
#include "scan/finding.h"
#include "util/duration.h"

namespace dpo::scan {

// True when `acceptance` names `finding` (by fingerprint, or by code, table
// and column).
bool AcceptanceMatches(const policy::Acceptance& acceptance, const Finding& finding);

// Marks the findings of `result` accepted by a policy entry that has not
// expired on `as_of`. A finding whose only matching entries have expired
// counts again, even if it is in the baseline: the expiry is the later,
// explicit decision. Run it after ApplyBaseline (scan/baseline.h).
void ApplyAcceptances(const policy::Policy& policy, const util::Date& as_of, ScanResult* result);

}  // namespace dpo::scan
