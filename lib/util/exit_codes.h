// Process exit codes. Documented once for users in README.md ("Exit codes")
// and man/dpo.1; keep the three in step.
#pragma once

namespace dpo {

inline constexpr int kExitOk = 0;           // success, nothing at or above --fail-on
inline constexpr int kExitFindings = 1;     // policy violations / findings found
inline constexpr int kExitInput = 2;        // usage, policy, source or input error; nothing changed
inline constexpr int kExitInternal = 3;     // a bug in dpo (unexpected exception); please report
inline constexpr int kExitInterrupted = 130;  // SIGINT
inline constexpr int kExitTerminated = 143;   // SIGTERM (sample generate says which signal stopped it)

}  // namespace dpo
