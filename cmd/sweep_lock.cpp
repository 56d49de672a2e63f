#include "sweep_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "common.h"
#include "util/keyed_hash.h"

namespace dpo::cmd {

Status SweepLock::Acquire(const std::string& source_spec, const std::string& display) {
  std::vector<util::ProtectedPath> inputs = InputsOf(source_spec, "");
  if (!inputs.empty()) {
    path_ = inputs[0].path;
    while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
    // A CSV directory holds its lock (hidden, not *.csv); a file has it beside it.
    struct stat st{};
    bool directory = ::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    path_ += directory ? "/.dpo-sweep.lock" : ".dpo-sweep.lock";
  } else {
    path_ = "/tmp/dpo-sweep-" + util::Sha256Hex(display).substr(0, 16) + ".lock";
  }
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) return Status::Error(path_ + ": cannot create the sweep lock: " + std::strerror(errno), StatusCode::kIoError);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[256] = {};
    ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
    std::string who = n > 0 ? std::string(holder, static_cast<size_t>(n)) : "another process";
    while (!who.empty() && who.back() == '\n') who.pop_back();
    ::close(fd_);
    fd_ = -1;
    return Status::Error("another sweep, apply or replay of " + display + " is running: locked by " + who +
                             " (lock " + path_ + "); this one did nothing; run it again when that one has finished",
                         StatusCode::kBusy);
  }
  char host[128] = {};
  ::gethostname(host, sizeof host - 1);
  std::string me = "pid " + std::to_string(::getpid()) + " on " + host + " since " + std::to_string(std::time(nullptr));
  if (::ftruncate(fd_, 0) == 0) (void)::pwrite(fd_, me.data(), me.size(), 0);
  return Status::Ok();
}

Result<std::unique_ptr<source::Source>> SweepLock::OpenLocked(const std::string& source_spec,
                                                              const SourceFlags& flags) {
  std::vector<util::ProtectedPath> local = InputsOf(source_spec, "");
  if (!local.empty()) {
    DPO_RETURN_IF_ERROR(Acquire(source_spec, local[0].path));
    return OpenSourceWithFlags(source_spec, flags, false);
  }
  auto src = OpenSourceWithFlags(source_spec, flags, false);
  if (!src.ok()) return src.status();
  DPO_RETURN_IF_ERROR(Acquire(source_spec, (*src)->DisplayName()));
  return src;
}

SweepLock::~SweepLock() {
  if (fd_ >= 0) {
    (void)::ftruncate(fd_, 0);
    ::close(fd_);
  }
}

}  // namespace dpo::cmd
