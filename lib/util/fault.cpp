#include "util/fault.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace dpo::util {
namespace {

std::atomic<bool> g_armed{false};
std::mutex g_mutex;
FaultPoint g_point = FaultPoint::kWrite;
int g_remaining = 0;
std::once_flag g_env_once;

const char* PointName(FaultPoint p) {
  switch (p) {
    case FaultPoint::kWrite: return "write";
    case FaultPoint::kRename: return "rename";
    case FaultPoint::kFsync: return "fsync";
    case FaultPoint::kCommit: return "commit";
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
  for (FaultPoint p : {FaultPoint::kWrite, FaultPoint::kRename, FaultPoint::kFsync, FaultPoint::kCommit})
    if (name == PointName(p)) ArmFault(p, n);
}

}  // namespace

void ArmFault(FaultPoint point, int nth) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_point = point;
  g_remaining = nth;
  g_armed.store(nth > 0, std::memory_order_relaxed);
}

Status InjectedFault(FaultPoint point, const std::string& where) {
  std::call_once(g_env_once, ReadEnvironment);
  if (!g_armed.load(std::memory_order_relaxed)) return Status::Ok();
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_remaining <= 0 || point != g_point) return Status::Ok();
  if (--g_remaining > 0) return Status::Ok();
  g_armed.store(false, std::memory_order_relaxed);
  return Status::Error(where + ": " + PointName(point) + " failed (injected fault for testing)", StatusCode::kIoError);
}

}  // namespace dpo::util
