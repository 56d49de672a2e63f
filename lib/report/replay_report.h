// What `dpo ledger replay` did, for people (a table per source table) and
// for programs (JSON). Counts, table and rule names only: a replay report
// holds no key, no value and no hash of one.
#pragma once

#include <string>

#include "plan/ledger_replay.h"

namespace dpo::report {

// Per table: tombstones, rows found, deleted, anonymised, restricted,
// unlinked, held (legal holds, and rows whose children are held), already
// done, left (blocked, rule not in the policy); then the total. `steps`:
// every operation too, as `retention apply` lists them.
std::string RenderReplayText(const plan::ReplayReport& report, const std::string& source, bool steps);
// {"format": "dpo-ledger-replay", "format_version": 1, ...}: the report's
// fields under their names (see man dpo-ledger).
std::string RenderReplayJson(const plan::ReplayReport& report, const std::string& source);

}  // namespace dpo::report
