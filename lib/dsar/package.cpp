#include "dsar/package.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <zip.h>

#include "util/fault.h"
#include "util/keyed_hash.h"

namespace dpo::dsar {
namespace {

namespace fs = std::filesystem;
constexpr const char* kManifest = "manifest.json";
constexpr const char* kFormat = "dpo-dsar-package/1";

Status Errno(const std::string& what, const std::string& path) {
  return Status::Error(what + " " + path + ": " + std::strerror(errno), StatusCode::kIoError);
}

bool SafeName(const std::string& name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.front() == '.') return false;
  int slashes = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '/') {
      if (++slashes > 1 || i + 1 == name.size() || name[i + 1] == '.') return false;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '%') return false;
  }
  return name.find("..") == std::string::npos;
}

std::string ManifestJson(const std::vector<PackageFile>& files, const PackageInfo& info) {
  nlohmann::ordered_json m;
  m["format"] = kFormat;
  m["tool_version"] = info.tool_version;
  m["created_at"] = info.created_at;
  m["policy_sha256"] = info.policy_sha256;
  m["source_kind"] = info.source_kind;
  m["language"] = info.language;
  m["received"] = info.received;
  m["due"] = info.due;
  m["records"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : info.records) m["records"][k] = v;
  if (!info.unread_rows.empty()) {
    m["unread_rows"] = nlohmann::ordered_json::object();
    for (const auto& [k, v] : info.unread_rows) m["unread_rows"][k] = v;
  }
  m["files"] = nlohmann::ordered_json::array();
  for (const PackageFile& f : files)
    m["files"].push_back({{"name", f.name}, {"sha256", util::Sha256Hex(f.content)}, {"bytes", f.content.size()}});
  return m.dump(2) + "\n";
}

Status WriteOwnerOnly(const std::string& path, const std::string& content) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kWrite, path));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", path);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("cannot write", path);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Errno("cannot write", path);
  return Status::Ok();
}

void SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string ParentOf(const std::string& out) {
  fs::path p(out);
  std::string parent = p.parent_path().string();
  return parent.empty() ? "." : parent;
}

// rename() that never replaces: an empty directory at `to` would otherwise
// be replaced silently by a directory rename.
Status RenameNoReplace(const std::string& from, const std::string& to) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kRename, to));
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return Status::Ok();
  if (errno == EEXIST)
    return Status::Error(to + " already exists; choose another --out, or remove it first", StatusCode::kInvalidArgument);
  if (errno != EINVAL && errno != ENOSYS) return Errno("cannot rename into", to);
  struct stat st;
  if (::lstat(to.c_str(), &st) == 0)
    return Status::Error(to + " already exists; choose another --out, or remove it first", StatusCode::kInvalidArgument);
  if (::rename(from.c_str(), to.c_str()) != 0) return Errno("cannot rename into", to);
  return Status::Ok();
}

// The hidden name a package is written under until it is complete:
// ".NAME.partial-PID" (a zip; libzip adds its own ".XXXXXX") or
// ".NAME.partial-PID-XXXXXX" (a directory). The pid tells a later run whether
// its writer is still alive.
std::string PartialPrefix(const std::string& out) { return "." + fs::path(out).filename().string() + ".partial-"; }

// What a run killed while writing `out` (SIGKILL, a crash, a power cut) left
// beside it: a hidden partial package, personal data and all, that nobody
// would ever look for. Removed once its writer is gone (kill(pid, 0) says
// ESRCH), before a new package of the same name is written. A live writer's
// partial stays (a pid reused since is merely left for a later run).
void RemoveStalePartials(const std::string& out) {
  const std::string prefix = PartialPrefix(out);
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(ParentOf(out), ec)) {
    const std::string name = e.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    size_t end = prefix.size();
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
    if (end == prefix.size() || end - prefix.size() > 9) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name.substr(prefix.size(), end - prefix.size())));
    if (pid <= 0 || pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code gone;
    fs::remove_all(e.path(), gone);
  }
}

Status WriteDirectory(const std::string& out, const std::vector<PackageFile>& files, const std::string& manifest) {
  std::string tmpl = ParentOf(out) + "/" + PartialPrefix(out) + std::to_string(::getpid()) + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return Errno("cannot create a directory next to", out);
  std::string tmp(buf.data());  // mkdtemp makes it 0700
  auto fail = [&tmp](Status s) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    return s;
  };
  std::set<std::string> dirs;
  for (const PackageFile& f : files) {
    size_t slash = f.name.find('/');
    if (slash != std::string::npos && dirs.insert(f.name.substr(0, slash)).second)
      if (::mkdir((tmp + "/" + f.name.substr(0, slash)).c_str(), 0700) != 0) return fail(Errno("cannot create", tmp));
    Status s = WriteOwnerOnly(tmp + "/" + f.name, f.content);
    if (!s.ok()) return fail(s);
  }
  Status s = WriteOwnerOnly(tmp + "/" + kManifest, manifest);
  if (!s.ok()) return fail(s);
  for (const std::string& d : dirs) SyncDir(tmp + "/" + d);
  SyncDir(tmp);
  s = RenameNoReplace(tmp, out);
  if (!s.ok()) return fail(s);
  SyncDir(ParentOf(out));
  return Status::Ok();
}

Status WriteZip(const std::string& out, const std::vector<PackageFile>& files, const std::string& manifest) {
  std::string tmp = ParentOf(out) + "/" + PartialPrefix(out) + std::to_string(::getpid());
  // libzip writes through its own temporary file and gives it the default
  // mode; the package holds personal data, so nothing of it may be
  // readable by others even for a moment.
  mode_t old_mask = ::umask(077);
  int error = 0;
  zip_t* z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_EXCL, &error);
  if (z == nullptr) {
    ::umask(old_mask);
    return Status::Error("cannot create " + tmp + " (libzip error " + std::to_string(error) + ")", StatusCode::kIoError);
  }
  auto add = [z](const std::string& name, const std::string& content) {
    zip_source_t* src = zip_source_buffer(z, content.data(), content.size(), 0);
    if (src == nullptr) return false;
    if (zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) < 0) {
      zip_source_free(src);
      return false;
    }
    return true;
  };
  bool ok = true;
  for (const PackageFile& f : files) ok = ok && add(f.name, f.content);
  ok = ok && add(kManifest, manifest);
  if (!ok) {
    std::string why = zip_strerror(z);
    zip_discard(z);
    ::umask(old_mask);
    return Status::Error("cannot write " + out + ": " + why, StatusCode::kIoError);
  }
  if (zip_close(z) != 0) {
    std::string why = zip_strerror(z);
    zip_discard(z);
    ::umask(old_mask);
    ::unlink(tmp.c_str());
    return Status::Error("cannot write " + out + ": " + why, StatusCode::kIoError);
  }
  ::umask(old_mask);
  ::chmod(tmp.c_str(), 0600);
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  Status s = RenameNoReplace(tmp, out);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  SyncDir(ParentOf(out));
  return Status::Ok();
}

// What `dsar verify` reads into memory from a package it was given (by
// anyone: a zip's sizes are claims, and a zip bomb claims little and
// inflates much). A package dpo wrote for one data subject is far smaller.
constexpr int64_t kMaxPackageFileBytes = int64_t{256} << 20;
constexpr int64_t kMaxPackageBytes = int64_t{1} << 30;

Status TooLarge(const std::string& path, const std::string& name) {
  return Status::Error(path + ": " + name + " is larger than " + std::to_string(kMaxPackageFileBytes >> 20) +
                           " MiB (or the package than " + std::to_string(kMaxPackageBytes >> 20) +
                           " MiB); it is not a package dpo wrote for one data subject",
                       StatusCode::kInvalidArgument);
}

// name -> content of every file in a package directory or zip.
Result<std::map<std::string, std::string>> ReadAll(const std::string& path) {
  std::map<std::string, std::string> out;
  int64_t total = 0;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (fs::recursive_directory_iterator it(path, ec), end; it != end; it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file()) continue;
      std::string rel = fs::relative(it->path(), path).string();
      std::error_code size_ec;
      const auto size = static_cast<int64_t>(fs::file_size(it->path(), size_ec));
      if (size_ec) return Status::Error("cannot read " + it->path().string() + ": " + size_ec.message(), StatusCode::kIoError);
      total += size;
      if (size > kMaxPackageFileBytes || total > kMaxPackageBytes) return TooLarge(path, rel);
      std::ifstream in(it->path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out[rel] = ss.str();
    }
    if (ec) return Status::Error("cannot read " + path + ": " + ec.message(), StatusCode::kIoError);
    return out;
  }
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (z == nullptr)
    return Status::Error(path + " is neither a package directory nor a zip file (libzip error " +
                             std::to_string(error) + "); give the path dpo dsar export --out wrote",
                         StatusCode::kNotFound);
  zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z, i, 0, &st) != 0 || (st.valid & ZIP_STAT_NAME) == 0 || st.name == nullptr) continue;
    // Copied now: libzip may free the entry's name when opening it fails
    // (AddressSanitizer, fuzz_dsar_package: a use after free in the error message).
    const std::string name = st.name;
    zip_file_t* f = zip_fopen_index(z, i, 0);
    if (f == nullptr) {
      zip_discard(z);
      return Status::Error("cannot read " + name + " in " + path, StatusCode::kIoError);
    }
    // Read as it inflates, never trusting the size the archive claims.
    std::string content;
    char buffer[1 << 16];
    bool failed = false;
    for (;;) {
      const zip_int64_t got = zip_fread(f, buffer, sizeof buffer);
      if (got < 0) {
        failed = true;
        break;
      }
      if (got == 0) break;
      total += got;
      if (static_cast<int64_t>(content.size()) + got > kMaxPackageFileBytes || total > kMaxPackageBytes) {
        zip_fclose(f);
        zip_discard(z);
        return TooLarge(path, name);
      }
      content.append(buffer, static_cast<size_t>(got));
    }
    zip_fclose(f);
    if (failed || ((st.valid & ZIP_STAT_SIZE) != 0 && content.size() != st.size)) {
      zip_discard(z);
      return Status::Error("cannot read " + name + " in " + path + " (damaged or truncated)", StatusCode::kIoError);
    }
    out[name] = std::move(content);
  }
  zip_discard(z);
  return out;
}

}  // namespace

std::string TableFileName(const std::string& table, const std::string& prefix) {
  static const char* hex = "0123456789ABCDEF";
  std::string name = "tables/" + prefix;
  for (unsigned char c : table) {
    if (std::isalnum(c) || c == '_') {
      name += static_cast<char>(c);
    } else {
      name += '%';
      name += hex[c >> 4];
      name += hex[c & 15];
    }
  }
  if (name.size() > 200) name.resize(200);
  return name + ".csv";
}

Status WritePackage(const std::string& out_arg, const std::vector<PackageFile>& files, const PackageInfo& info,
                    bool zip) {
  // "pkg/" names the directory pkg.
  std::string out = out_arg;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out.empty()) return Status::Error("--out is empty; give the directory (or with --zip the file) to write");
  std::set<std::string> names;
  for (const PackageFile& f : files) {
    if (!SafeName(f.name) || f.name == kManifest)
      return Status::Error("package file name '" + f.name + "' is not allowed", StatusCode::kInternal);
    if (!names.insert(f.name).second)
      return Status::Error("package file name '" + f.name + "' twice", StatusCode::kInternal);
  }
  struct stat st;
  if (::lstat(out.c_str(), &st) == 0)
    return Status::Error(out + " already exists; choose another --out, or remove it first");
  std::string manifest = ManifestJson(files, info);
  RemoveStalePartials(out);
  return zip ? WriteZip(out, files, manifest) : WriteDirectory(out, files, manifest);
}

Result<VerifyReport> VerifyPackage(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::Error(path + ": no such package", StatusCode::kNotFound);
  Result<std::map<std::string, std::string>> files = ReadAll(path);
  if (!files.ok()) return files.status();
  auto m = files->find(kManifest);
  if (m == files->end())
    return Status::Error(path + " has no manifest.json; it is not a package dpo wrote", StatusCode::kInvalidArgument);
  nlohmann::json manifest = nlohmann::json::parse(m->second, nullptr, false);
  // A field of another type is "absent" (json::value would throw on it: a
  // manifest with "format": [...] ended dpo dsar verify, found by fuzzing).
  auto text = [&manifest](const char* key) -> std::string {
    auto it = manifest.find(key);
    return it != manifest.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (manifest.is_discarded() || !manifest.is_object() || text("format") != kFormat ||
      !manifest.contains("files") || !manifest["files"].is_array())
    return Status::Error(path + "/manifest.json is not a dpo package manifest (format " + kFormat + ")",
                         StatusCode::kInvalidArgument);
  VerifyReport report;
  report.policy_sha256 = text("policy_sha256");
  report.created_at = text("created_at");
  std::set<std::string> listed;
  for (const nlohmann::json& f : manifest["files"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("sha256") ||
        !f["sha256"].is_string()) {
      report.problems.push_back("manifest.json: an entry without name and sha256");
      continue;
    }
    std::string name = f["name"];
    listed.insert(name);
    ++report.files;
    auto it = files->find(name);
    if (it == files->end()) {
      report.problems.push_back(name + ": missing");
      continue;
    }
    if (util::Sha256Hex(it->second) != f["sha256"].get<std::string>())
      report.problems.push_back(name + ": SHA-256 differs from the manifest (changed after it was written)");
  }
  for (const auto& [name, content] : *files)
    if (name != kManifest && !listed.count(name)) report.problems.push_back(name + ": not in the manifest");
  return report;
}

}  // namespace dpo::dsar
