// One writer of retention data per source at a time: `retention sweep`,
// `retention apply`, `erase apply` and `ledger replay` take the same
// exclusive lock, so a replay after a restore never runs into the nightly
// sweep, two crons never overlap, and an erasure never runs into a sweep.
#pragma once

#include <memory>
#include <string>

#include "common.h"
#include "source/source.h"
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

  // Opens `source_spec` for writing under the lock. A local source (a SQLite
  // file, CSV) is locked before it is opened: opening a CSV source for
  // writing finishes or removes what an interrupted change left behind,
  // which, while another run is in the middle of its change, would be that
  // run's files. A server is opened first (its display name, never a
  // password, names the lock; opening it changes nothing).
  Result<std::unique_ptr<source::Source>> OpenLocked(const std::string& source_spec, const SourceFlags& flags);

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace dpo::cmd
