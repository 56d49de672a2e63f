#include "util/fault.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <signal.h>

namespace dpo::util {
namespace {

std::atomic<bool> g_armed{false};
std::mutex g_mutex;
FaultPoint g_point = FaultPoint::kWrite;
int g_remaining = 0;
bool g_kill = false;  // DPO_FAULT=POINT:N:kill: SIGKILL instead of an error
bool g_term = false;  // DPO_FAULT=POINT:N:term: SIGTERM, then carry on as its handler lets us
std::once_flag g_env_once;

const char* PointName(FaultPoint p) {
  switch (p) {
    case FaultPoint::kWrite: return "write";
    case FaultPoint::kRename: return "rename";
    case FaultPoint::kFsync: return "fsync";
    case FaultPoint::kCommit: return "commit";
    case FaultPoint::kAppend: return "append";
  }
  return "?";
}

void ReadEnvironment() {
  const char* spec = std::getenv("DPO_FAULT");
  if (spec == nullptr) return;
  const char* colon = std::strchr(spec, ':');
  if (colon == nullptr) return;
  std::string name(spec, colon);
  int n = std::atoi(colon + 1);
  const char* mode = std::strchr(colon + 1, ':');
  for (FaultPoint p :
       {FaultPoint::kWrite, FaultPoint::kRename, FaultPoint::kFsync, FaultPoint::kCommit, FaultPoint::kAppend})
    if (name == PointName(p)) ArmFault(p, n);
  std::lock_guard<std::mutex> lock(g_mutex);
  g_kill = mode != nullptr && std::strcmp(mode + 1, "kill") == 0;
  g_term = mode != nullptr && std::strcmp(mode + 1, "term") == 0;
}

}  // namespace

void ArmFault(FaultPoint point, int nth) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_point = point;
  g_remaining = nth;
  g_kill = false;
  g_term = false;
  g_armed.store(nth > 0, std::memory_order_relaxed);
}

Status InjectedFault(FaultPoint point, const std::string& where) {
  std::call_once(g_env_once, ReadEnvironment);
  if (!g_armed.load(std::memory_order_relaxed)) return Status::Ok();
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_remaining <= 0 || point != g_point) return Status::Ok();
  if (--g_remaining > 0) return Status::Ok();
  g_armed.store(false, std::memory_order_relaxed);
  if (g_kill) ::raise(SIGKILL);  // a crash right here: nothing after this point runs
  if (g_term) {
    // A SIGTERM arriving right here: without a handler it ends the process;
    // with one (an InterruptGuard), the operation goes on as it would.
    ::raise(SIGTERM);
    return Status::Ok();
  }
  return Status::Error(where + ": " + PointName(point) + " failed (injected fault for testing)", StatusCode::kIoError);
}

}  // namespace dpo::util
