#include "share/export_output.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fault.h"

namespace dpo::share {
namespace {

namespace fs = std::filesystem;
constexpr size_t kFlushBytes = size_t{1} << 20;

Status Errno(const std::string& what, const std::string& path) {
  return Status::Error(what + " " + path + ": " + std::strerror(errno), StatusCode::kIoError);
}

std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string ParentDir(const std::string& path) {
  fs::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

std::string BaseName(const std::string& path) { return fs::path(path).filename().string(); }

Status SyncPath(const std::string& path, bool directory) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kFsync, path));
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  return rc == 0 ? Status::Ok() : Errno("cannot sync", path);
}

void SyncDirBestEffort(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

void RemovePath(const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  fs::remove_all(path, ec);
}

bool HasMarker(const std::string& dir) {
  struct stat st;
  return ::lstat((dir + "/" + kExportMarker).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Result<std::string> CheckFileDestination(const std::string& path, const std::vector<util::ProtectedPath>& inputs,
                                         bool overwrite, const char* flag) {
  if (path.empty() || path == "-")
    return Status::Error(std::string(flag) + ": give a file name; an export is never written to standard output "
                         "(it is removed again when the audit log cannot record it)",
                         StatusCode::kInvalidArgument);
  util::OutputRules rules;
  rules.overwrite = overwrite;
  rules.allow_device = false;
  rules.flag = flag;
  Result<util::OutputTarget> target = util::CheckOutputPath(path, inputs, rules);
  if (!target.ok()) return target.status();
  return target->write_path;
}

Status CheckDirectoryDestination(const std::string& raw, const std::vector<util::ProtectedPath>& inputs,
                                 bool overwrite, const char* flag) {
  const std::string path = StripTrailingSlashes(raw);
  const std::string base = BaseName(path);
  if (path.empty() || base.empty() || base == "." || base == ".." || path == "/")
    return Status::Error(std::string(flag) + " " + raw + ": give the name of the directory to create (not . or ..)",
                         StatusCode::kInvalidArgument);
  for (const util::ProtectedPath& p : inputs) {
    if (util::PathsNest(path, p.path))
      return Status::Error(std::string(flag) + " " + raw + " is, contains or is inside " + p.role + " (" + p.path +
                               "); write the export to a new directory elsewhere",
                           StatusCode::kInvalidArgument);
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Errno("cannot check", path);
  }
  if (!overwrite)
    return Status::Error(std::string(flag) + " " + raw + " already exists; pass --force to replace it, or choose "
                         "another name",
                         StatusCode::kInvalidArgument);
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode) || !HasMarker(path))
    return Status::Error(std::string(flag) + " " + raw + " is not a directory an earlier dpo export wrote (it has no " +
                             kExportMarker + " file); --force replaces only such a directory: choose another name",
                         StatusCode::kInvalidArgument);
  return Status::Ok();
}

Result<std::unique_ptr<ExportOutput>> ExportOutput::CreateFile(const std::string& path, bool overwrite) {
  std::unique_ptr<ExportOutput> out(new ExportOutput(path, false, overwrite));
  std::string tmpl = ParentDir(path) + "/." + BaseName(path) + ".partial-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return Errno("cannot create a file next to", path);
  out->partial_ = tmpl;
  out->fd_ = fd;
  out->current_ = tmpl;
  // mkstemp makes it 0600; said again so that it never depends on that.
  if (::fchmod(fd, 0600) != 0) return Errno("cannot set the permissions of", tmpl);
  return out;
}

Result<std::unique_ptr<ExportOutput>> ExportOutput::CreateDirectory(const std::string& raw, bool overwrite) {
  const std::string path = StripTrailingSlashes(raw);
  std::unique_ptr<ExportOutput> out(new ExportOutput(path, true, overwrite));
  std::string tmpl = ParentDir(path) + "/." + BaseName(path) + ".partial-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return Errno("cannot create a directory next to", path);
  out->partial_ = tmpl;
  if (::chmod(tmpl.c_str(), 0700) != 0) return Errno("cannot set the permissions of", tmpl);
  DPO_RETURN_IF_ERROR(out->BeginFile(kExportMarker));
  DPO_RETURN_IF_ERROR(out->Write("written by dpo export; dpo export --force may replace this directory\n"));
  DPO_RETURN_IF_ERROR(out->EndFile());
  return out;
}

ExportOutput::~ExportOutput() {
  if (published_) {
    Keep();
  } else {
    Abandon();
  }
}

void ExportOutput::Abandon() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  RemovePath(partial_);
  partial_.clear();
}

Status ExportOutput::BeginFile(const std::string& name) {
  if (published_ || partial_.empty())
    return Status::Error(path_ + ": the output is finished (a bug in dpo)", StatusCode::kInternal);
  if (!directory_) {
    if (file_begun_) return Status::Error(path_ + ": a file output has one file (a bug in dpo)", StatusCode::kInternal);
    file_begun_ = true;
    return Status::Ok();
  }
  if (fd_ >= 0) return Status::Error(path_ + ": a file is still open (a bug in dpo)", StatusCode::kInternal);
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    return Status::Error(path_ + ": not a file name (a bug in dpo)", StatusCode::kInternal);
  current_ = partial_ + "/" + name;
  fd_ = ::open(current_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) return Errno("cannot create", current_);
  if (::fchmod(fd_, 0600) != 0) return Errno("cannot set the permissions of", current_);
  return Status::Ok();
}

Status ExportOutput::Flush() {
  std::string_view data = buffer_;
  if (!data.empty()) DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kWrite, current_));
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", current_);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
  return Status::Ok();
}

Status ExportOutput::Write(std::string_view bytes) {
  if (fd_ < 0) return Status::Error(path_ + ": no file is open (a bug in dpo)", StatusCode::kInternal);
  buffer_.append(bytes);
  if (buffer_.size() >= kFlushBytes) return Flush();
  return Status::Ok();
}

Status ExportOutput::EndFile() {
  if (fd_ < 0) return Status::Error(path_ + ": no file is open (a bug in dpo)", StatusCode::kInternal);
  DPO_RETURN_IF_ERROR(Flush());
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kFsync, current_));
  if (::fsync(fd_) != 0) return Errno("cannot sync", current_);
  if (!directory_) return Status::Ok();  // the one file stays open until Publish
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Errno("cannot write", current_);
  return Status::Ok();
}

Status ExportOutput::Publish() {
  if (published_ || partial_.empty())
    return Status::Error(path_ + ": published twice (a bug in dpo)", StatusCode::kInternal);
  if (fd_ >= 0) {
    if (directory_) return Status::Error(path_ + ": a file is still open (a bug in dpo)", StatusCode::kInternal);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Errno("cannot write", partial_);
  }
  if (directory_) DPO_RETURN_IF_ERROR(SyncPath(partial_, true));
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kRename, path_));
  struct stat st;
  const bool exists = ::lstat(path_.c_str(), &st) == 0;
  if (exists && !overwrite_)
    return Status::Error(path_ + " appeared while the export ran; nothing was written there: pass --force to replace "
                         "it, or choose another name",
                         StatusCode::kConflict);
  if (exists) {
    if (directory_ && (!S_ISDIR(st.st_mode) || !HasMarker(path_)))
      return Status::Error(path_ + " is no longer an earlier export's directory; nothing was written there",
                           StatusCode::kConflict);
    // Swapped in one step where the file system can: the old output is then
    // under the partial name, kept until the disclosure is recorded.
    if (::renameat2(AT_FDCWD, partial_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0) {
      aside_ = partial_;
    } else {
      if (errno != EINVAL && errno != ENOSYS) return Errno("cannot rename into", path_);
      std::string aside = ParentDir(path_) + "/." + BaseName(path_) + ".old-XXXXXX";
      if (::mkdtemp(aside.data()) == nullptr) return Errno("cannot create a directory next to", path_);
      if (!directory_) ::rmdir(aside.c_str());  // a file is renamed onto the free name
      if (::rename(path_.c_str(), aside.c_str()) != 0) {
        Status s = Errno("cannot move aside", path_);
        ::rmdir(aside.c_str());
        return s;
      }
      if (::rename(partial_.c_str(), path_.c_str()) != 0) {
        Status s = Errno("cannot rename into", path_);
        (void)::rename(aside.c_str(), path_.c_str());
        return s;
      }
      aside_ = aside;
    }
  } else if (::renameat2(AT_FDCWD, partial_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST)
      return Status::Error(path_ + " appeared while the export ran; nothing was written there",
                           StatusCode::kConflict);
    if (errno != EINVAL && errno != ENOSYS) return Errno("cannot rename into", path_);
    if (::rename(partial_.c_str(), path_.c_str()) != 0) return Errno("cannot rename into", path_);
  }
  partial_.clear();
  published_ = true;
  SyncDirBestEffort(ParentDir(path_));
  return Status::Ok();
}

Status ExportOutput::Retract() {
  if (!published_) {
    Abandon();
    return Status::Ok();
  }
  published_ = false;
  if (aside_.empty()) {
    std::error_code ec;
    fs::remove_all(path_, ec);
    if (ec) return Status::Error("cannot remove " + path_ + ": " + ec.message() + "; remove it yourself",
                                 StatusCode::kIoError);
    SyncDirBestEffort(ParentDir(path_));
    return Status::Ok();
  }
  // Put the replaced output back in one step; the retracted one is then
  // under the aside name and removed.
  if (::renameat2(AT_FDCWD, aside_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) != 0) {
    std::error_code ec;
    fs::remove_all(path_, ec);
    if (ec || ::rename(aside_.c_str(), path_.c_str()) != 0)
      return Status::Error("cannot put back the earlier " + path_ + " (it is in " + aside_ + "); move it back yourself",
                           StatusCode::kIoError);
    aside_.clear();
    SyncDirBestEffort(ParentDir(path_));
    return Status::Ok();
  }
  RemovePath(aside_);
  aside_.clear();
  SyncDirBestEffort(ParentDir(path_));
  return Status::Ok();
}

void ExportOutput::Keep() {
  published_ = false;
  RemovePath(aside_);
  aside_.clear();
}

}  // namespace dpo::share
