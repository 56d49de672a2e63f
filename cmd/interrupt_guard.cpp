#include "interrupt_guard.h"

namespace dpo::cmd {
namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void OnInterrupt(int) { g_interrupted.store(true); }
}  // namespace

std::atomic<bool>* InterruptGuard::flag() { return &g_interrupted; }

InterruptGuard::InterruptGuard() {
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
  active_ = true;
}

void InterruptGuard::Restore() {
  if (!active_) return;
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  active_ = false;
}

}  // namespace dpo::cmd
