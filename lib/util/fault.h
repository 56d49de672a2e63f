// Fault injection for tests of the write path: make the Nth write, rename,
// fsync or commit fail, to prove that what was written is entirely before or
// entirely after. Costs one relaxed atomic load when no fault is armed.
//
// Armed in-process with ArmFault(), or for a child process with the
// environment variable DPO_FAULT=POINT:N (write, rename, fsync, commit,
// append; N counts from 1), read once at the first check. DPO_FAULT=POINT:N:kill
// instead kills the process with SIGKILL at that point: a crash at an exact
// step (between the ledger's commit and the data's, between the data's commit
// and the audit entry), which a timed kill from outside hits only by luck;
// DPO_FAULT=POINT:N:term raises SIGTERM there and then goes on (a handler may
// let it).
// Not for production use; documented in docs/HACKING.md.
#pragma once

#include <string>

#include "util/status.h"

namespace dpo::util {

// kAppend: an append to the audit log (one per entry).
enum class FaultPoint { kWrite, kRename, kFsync, kCommit, kAppend };

// Ok, or an I/O error naming `where` when this is the armed Nth occurrence
// of `point` (counted since arming).
Status InjectedFault(FaultPoint point, const std::string& where);

// Arms a fault at the `nth` next occurrence of `point` (n >= 1), disarming
// any other. n = 0 disarms.
void ArmFault(FaultPoint point, int nth);

}  // namespace dpo::util
