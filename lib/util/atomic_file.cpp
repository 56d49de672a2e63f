#include "util/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace dpo::util {

Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode, bool overwrite) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!overwrite && fs::exists(path, ec))
    return Status::Error(path + ": file exists; pass --force to overwrite it");
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmp_template = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  int fd = mkstemp(tmp_template.data());
  if (fd < 0)
    return Status::Error(path + ": cannot create a file in " + dir.string() + ": " + std::strerror(errno) +
                         "; check that the directory exists and is writable");
  auto fail = [&](const char* what) {
    int err = errno;
    close(fd);
    unlink(tmp_template.c_str());
    return Status::Error(path + ": " + what + ": " + std::strerror(err));
  };
  if (fchmod(fd, mode) != 0) return fail("cannot set permissions");
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write failed");
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("fsync failed");
  if (close(fd) != 0) {
    unlink(tmp_template.c_str());
    return Status::Error(path + ": close failed: " + std::strerror(errno));
  }
  if (rename(tmp_template.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp_template.c_str());
    return Status::Error(path + ": cannot rename into place: " + std::strerror(err));
  }
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::Ok();
}

}  // namespace dpo::util
