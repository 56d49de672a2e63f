#include "interrupt_guard.h"

namespace dpo::cmd {
namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};
extern "C" void OnInterrupt(int signo) {
  g_signal.store(signo);
  g_interrupted.store(true);
}
}  // namespace

std::atomic<bool>* InterruptGuard::flag() { return &g_interrupted; }
int InterruptGuard::signal_number() { return g_signal.load(); }

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
