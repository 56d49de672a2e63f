// One writer of retention data per source at a time: `retention sweep` and
// `ledger replay` take the same exclusive lock, so a replay after a restore
// never runs into the nightly sweep (and two crons never overlap).
#pragma once

#include <string>

#include "util/status.h"

namespace dpo::cmd {

// An exclusive flock on a file beside the source (a CSV directory holds it
// inside, hidden: .dpo-sweep.lock; a SQLite file has FILE.dpo-sweep.lock
// beside it; a server's is in /tmp, named by a hash of its display name).
// The file says who holds it (pid, host, since). Released on destruction.
class SweepLock {
 public:
  SweepLock() = default;
  SweepLock(const SweepLock&) = delete;
  SweepLock& operator=(const SweepLock&) = delete;
  ~SweepLock();

  // Takes the lock for `source_spec` (as the user wrote it) whose display
  // name is `display`. Errors: held by another process (kBusy, naming the
  // holder and the lock file: "this one did nothing"), the lock file cannot
  // be created (kIoError).
  Status Acquire(const std::string& source_spec, const std::string& display);

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace dpo::cmd
