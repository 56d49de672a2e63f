#include "util/thread_start.h"
#include <algorithm>
#include <cerrno>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace dpo::util {
namespace {

// -1: no limit. Otherwise how many more threads the test limit allows.
std::atomic<long> g_left{-1};
std::once_flag g_env_once;

void ReadEnvironment() {
  const char* spec = std::getenv("DPO_THREAD_LIMIT");
  if (spec == nullptr || *spec == '\0') return;
  char* end = nullptr;
  long n = std::strtol(spec, &end, 10);
  if (*end == '\0' && n >= 0) g_left.store(n);
}

}  // namespace

bool ThreadAllowedForTesting() {
  std::call_once(g_env_once, ReadEnvironment);
  long left = g_left.load(std::memory_order_relaxed);
  while (left >= 0) {
    if (left == 0) return false;
    if (g_left.compare_exchange_weak(left, left - 1)) return true;
  }
  return true;
}

void YieldToProducer(int steps) {
#if defined(__linux__)  // nice is per thread only on Linux; elsewhere it would slow the whole process
  errno = 0;
  const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  int now = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  if (now == -1 && errno != 0) return;
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), std::min(now + steps, 19));
#else
  (void)steps;
#endif
}

}  // namespace dpo::util
