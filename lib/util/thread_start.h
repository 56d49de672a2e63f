// Starting a thread that the system may refuse. std::thread throws
// std::system_error when no thread can be created (EAGAIN under `ulimit -u`,
// a container's pids limit, memory); uncaught in a worker pool that ends the
// process with std::terminate. Callers start what they can and do the work
// on fewer threads, down to the calling thread, instead.
//
// For tests: the environment variable DPO_THREAD_LIMIT=N lets only the first
// N threads started through here succeed (0: none), as RLIMIT_NPROC does not
// bind root. Read once; documented in docs/HACKING.md.
#pragma once

#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace dpo::util {

// Lowers the calling thread's scheduling priority by `steps` nice levels
// (Linux: nice is per thread). For the workers of a one-producer pipeline:
// when they outnumber the cores they would take turns with the producer,
// and the whole pipeline waits while the producer waits. Best effort: a
// failure changes nothing else.
void YieldToProducer(int steps = 5);

// False when the test limit DPO_THREAD_LIMIT refuses one more thread.
bool ThreadAllowedForTesting();

// Appends a thread running `f` to `threads`; false (and `threads`
// unchanged) when the system refuses it.
template <class F>
bool TryStartThread(std::vector<std::thread>* threads, F&& f) {
  if (!ThreadAllowedForTesting()) return false;
  try {
    threads->emplace_back(std::forward<F>(f));
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

// A thread running `f` in `*thread`; false (and `*thread` not joinable) when
// the system refuses it.
template <class F>
bool TryStartThread(std::thread* thread, F&& f) {
  if (!ThreadAllowedForTesting()) return false;
  try {
    *thread = std::thread(std::forward<F>(f));
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

}  // namespace dpo::util
