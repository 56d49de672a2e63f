// SIGINT and SIGTERM as a request to stop: while an InterruptGuard lives, the
// signals set a flag (which the engines poll through their `cancel` option)
// instead of killing the process, so a command that writes an output can
// remove its temporary file before it exits. Install it before the temporary
// output exists; the previous handlers come back on Restore() or destruction.
#pragma once

#include <atomic>
#include <csignal>

namespace dpo::cmd {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard() { Restore(); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  void Restore();
  // The flag the signals set; it stays set after Restore().
  static std::atomic<bool>* flag();
  static bool interrupted() { return flag()->load(); }
  // The last signal caught (SIGINT or SIGTERM), 0 before any: for the
  // shell's exit status 128 + signal (130, 143).
  static int signal_number();

 private:
  struct sigaction old_int_ = {}, old_term_ = {};
  bool active_ = false;
};

}  // namespace dpo::cmd
