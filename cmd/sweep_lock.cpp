#include "sweep_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "common.h"
#include "util/keyed_hash.h"

namespace dpo::cmd {
Status SweepLock::Acquire(const std::string& source_spec, const std::string& display) {
  std::vector<util::ProtectedPath> inputs = InputsOf(source_spec, "");
  if (!inputs.empty()) {
    // Named by what is written, not by how it was spelled: a symlink, a
    // relative path and a CSV file inside a swept directory all take the
    // same lock as the real file or directory.
    std::string spelled = inputs[0].path;
    while (spelled.size() > 1 && spelled.back() == '/') spelled.pop_back();
    char* real = ::realpath(spelled.c_str(), nullptr);
    if (real == nullptr) {
      return Status::Error("no such file: " + spelled + "; check the path of the source", StatusCode::kNotFound);
    }
    path_ = real;
    std::free(real);
    struct stat st{};
    const bool directory = ::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (directory) {
      path_ += "/.dpo-sweep.lock";  // a CSV directory holds its lock (hidden, not *.csv)
    } else if (!source::HasSqliteHeader(path_)) {
      // One CSV file of a directory: a run on the whole directory rewrites it
      // too (and clears the directory's unfinished temp files), so both
      // take the directory's lock.
      const size_t slash = path_.rfind('/');
      path_ = (slash == 0 ? std::string("") : path_.substr(0, slash)) + "/.dpo-sweep.lock";
    } else {
      path_ += ".dpo-sweep.lock";
    }
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
