#include "util/output_path.h"

#include <algorithm>
#include <filesystem>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"

namespace dpo::util {
namespace {

namespace fs = std::filesystem;

bool SameFile(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// `inner` is `outer` or lies below it, comparing whole path components.
bool IsWithin(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

// The directory the output will be created in, with every symbolic link
// resolved; empty if it cannot be resolved (then the write fails later with
// its own message).
fs::path ResolvedParent(const std::string& path) {
  fs::path p(path);
  fs::path parent = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  fs::path resolved = fs::canonical(parent, ec);
  return ec ? fs::path() : resolved;
}

Status Refuse(const std::string& path, const std::string& why, const std::string& what_to_do) {
  return Status::Error(path + ": " + why + "; " + what_to_do);
}

}  // namespace

Result<OutputTarget> CheckOutputPath(const std::string& path, const std::vector<ProtectedPath>& protected_paths,
                                     const OutputRules& rules) {
  OutputTarget target;
  target.path = path;
  target.write_path = path;
  if (path.empty() || path == "-") return target;
  const std::string pick = std::string("give ") + rules.flag + " a new file name";

  struct stat link_st{};
  bool exists = ::lstat(path.c_str(), &link_st) == 0;
  struct stat st{};
  if (exists && S_ISLNK(link_st.st_mode)) {
    if (::stat(path.c_str(), &st) != 0)
      return Refuse(path, "is a symbolic link to nothing (" + std::string(std::strerror(errno)) + ")",
                    "remove it or " + pick);
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr)
      return Refuse(path, "cannot resolve the symbolic link: " + std::string(std::strerror(errno)), pick);
    target.write_path = resolved;
  } else if (exists) {
    st = link_st;
  }

  if (exists) {
    if (S_ISDIR(st.st_mode)) return Refuse(path, "is a directory", pick);
    if (S_ISBLK(st.st_mode)) return Refuse(path, "is a block device; dpo never writes to disks", pick);
    if (S_ISSOCK(st.st_mode)) return Refuse(path, "is a socket", pick);
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
      if (!rules.allow_device)
        return Refuse(path, S_ISFIFO(st.st_mode) ? "is a FIFO, not a regular file" : "is a device, not a regular file",
                      pick);
      target.kind = OutputKind::kDevice;
    } else if (S_ISREG(st.st_mode)) {
      target.kind = OutputKind::kRegularFile;
    } else {
      return Refuse(path, "is not a regular file", pick);
    }
  } else {
    target.kind = OutputKind::kRegularFile;
  }

  // Never the command's own input: the same file (also through a hard or
  // symbolic link), a SQLite side file of it, or anything inside a source
  // directory.
  fs::path parent = ResolvedParent(target.write_path);
  for (const ProtectedPath& p : protected_paths) {
    struct stat pst{};
    if (p.path.empty() || ::stat(p.path.c_str(), &pst) != 0) continue;
    const std::string why_prefix = "is " + p.role + " (" + p.path + ")";
    if (exists && SameFile(st, pst))
      return Refuse(path, why_prefix + "; writing there would destroy it", pick + " outside the input");
    if (S_ISDIR(pst.st_mode)) {
      std::error_code ec;
      fs::path dir = fs::canonical(p.path, ec);
      if (!ec && !parent.empty() && IsWithin(parent, dir))
        return Refuse(path, "is inside " + p.role + " directory (" + p.path + ")",
                      "write outside the directory you read from");
    } else if (!parent.empty()) {
      std::error_code ec;
      fs::path file = fs::canonical(p.path, ec);
      fs::path mine = parent / fs::path(target.write_path).filename();
      if (!ec) {
        for (const char* side : {"-wal", "-shm", "-journal"}) {
          if (mine == fs::path(file.string() + side))
            return Refuse(path, "is a SQLite side file of " + p.role + " (" + p.path + ")", pick + " outside the input");
        }
      }
    }
  }

  if (target.kind == OutputKind::kRegularFile && exists && !rules.overwrite)
    return Refuse(path, "file exists", "pass --force to overwrite it (how a scheduled run replaces its own report), or " + pick);
  return target;
}

Status WriteOutputTarget(const OutputTarget& target, std::string_view content, mode_t mode) {
  switch (target.kind) {
    case OutputKind::kStdout:
      std::cout.write(content.data(), static_cast<std::streamsize>(content.size()));
      std::cout.flush();
      return Status::Ok();  // cmd/ checks standard output once, at exit
    case OutputKind::kRegularFile:
      return WriteFileAtomic(target.write_path, content, mode, true);
    case OutputKind::kDevice:
      break;
  }
  // O_NONBLOCK: opening a FIFO nobody reads fails with ENXIO instead of
  // blocking forever. No O_CREAT, no O_TRUNC: the node is used, never replaced.
  int fd = ::open(target.write_path.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENXIO)
      return Status::Error(target.path + ": is a FIFO that nobody reads; start the reader first or give a file name");
    return Status::Error(target.path + ": cannot open: " + std::strerror(errno));
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::Error(target.path + ": write failed: " + std::strerror(err) + "; the output is incomplete");
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0)
    return Status::Error(target.path + ": write failed: " + std::string(std::strerror(errno)) +
                         "; the output is incomplete");
  return Status::Ok();
}

namespace {
std::filesystem::path Resolved(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) return fs::path(path).lexically_normal();
  fs::path r = fs::weakly_canonical(absolute, ec);
  return ec || r.empty() ? absolute.lexically_normal() : r;
}
bool Within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto mismatch = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return mismatch.first == outer.end();
}
}  // namespace

bool PathsNest(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;  // no path: nothing to nest in
  std::filesystem::path pa = Resolved(a), pb = Resolved(b);
  return Within(pa, pb) || Within(pb, pa);
}

}  // namespace dpo::util
