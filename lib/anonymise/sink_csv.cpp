// The CSV sink: a directory DEST with one TABLE.csv per table, written into a
// hidden sibling ".DEST.partial-XXXXXX" and renamed into place in Finish().
//
// The files are what dpo's own CSV reader reads back (csv_parser.h): a header
// row of column names, RFC 4180 quoting (a field is quoted when it holds a
// comma, a quote, CR or LF, or when it is the empty string, since an empty
// unquoted field is NULL), '\n' line ends, UTF-8 as given, no byte order mark.
// Booleans are written true/false, so that a reader infers the type again.
//
// Rows are formatted into one buffer of the table being written and go to the
// file in large write()s; only that table's file is open, so an export of
// thousands of tables needs one descriptor and one buffer.
#include <dirent.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "anonymise/sink_internal.h"
#include "util/fault.h"

namespace dpo::anonymise::internal {
namespace {

namespace fs = std::filesystem;
constexpr size_t kFlushBytes = size_t{1} << 20;

bool IsFormulaStart(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

// Appends one cell (not NULL). A cell a spreadsheet would run as a formula
// gets a leading apostrophe (OWASP "CSV injection"), unless it is a plain
// number, which spreadsheets read as a number.
void AppendCell(std::string_view v, std::string* out) {
  const bool neutralise = !v.empty() && IsFormulaStart(v[0]) && !IsPlainNumber(v);
  bool quote = v.empty();
  for (char c : v) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    if (neutralise) out->push_back('\'');
    out->append(v);
    return;
  }
  out->push_back('"');
  if (neutralise) out->push_back('\'');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

bool EndsWithCsv(const std::string& name) {
  if (name.size() < 4) return false;
  std::string ext = name.substr(name.size() - 4);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".csv";
}

// A file name for a table: the name itself, with '/' (which cannot be in a
// file name) as %2F and a leading '.' (which would hide the file) as %2E.
std::string FileNameFor(const std::string& table) {
  std::string out;
  for (size_t i = 0; i < table.size(); ++i) {
    char c = table[i];
    if (c == '/') out += "%2F";
    else if (c == '.' && i == 0) out += "%2E";
    else out.push_back(c);
  }
  return out + ".csv";
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kWrite, path));
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Refuses to replace a directory that is not an earlier export: --force
// replaces an export, and must never remove a home directory or a source
// directory of other files because it was named by mistake.
// Written into every export: --force replaces only a directory that has it,
// never a directory of someone's own CSV files.
constexpr const char* kMarker = ".dpo-anonymise";

Status CheckReplaceable(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Errno("cannot check", path);
  }
  if (S_ISLNK(st.st_mode))
    return Status::Error(path + " is a symbolic link; give the directory itself, or another destination");
  if (!S_ISDIR(st.st_mode))
    return Status::Error(path + " exists and is not a directory; a CSV export replaces only an earlier export");
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return Errno("cannot list", path);
  std::string stranger;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || name == kMarker) continue;
    struct stat est;
    bool regular = ::fstatat(::dirfd(dir), e->d_name, &est, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(est.st_mode);
    if (!regular || name[0] == '.' || !EndsWithCsv(name)) {
      stranger = name;
      break;
    }
  }
  ::closedir(dir);
  struct stat mst;
  if (stranger.empty() && ::lstat((path + "/" + kMarker).c_str(), &mst) != 0)
    return Status::Error(path + " is not a directory dpo anonymise wrote (it has no " + kMarker +
                         " file): --force replaces only an earlier export; choose another destination");
  if (!stranger.empty())
    return Status::Error(path + " holds " + stranger +
                         ", which a CSV export does not write; it does not look like an earlier export, so --force "
                         "will not replace it (remove it yourself, or choose another destination)");
  return Status::Ok();
}

class CsvSink final : public SinkBase {
 public:
  SinkKind kind() const override { return SinkKind::kCsv; }
  CsvSink(std::string path, bool overwrite) : SinkBase(path), path_(std::move(path)), overwrite_(overwrite) {}
  ~CsvSink() override { Abandon(); }

  Status Open() {
    std::string tmpl = ParentDir(path_) + "/." + BaseName(path_) + ".partial-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) return Errno("cannot create a directory next to", path_);
    partial_ = tmpl;
    // mkdtemp makes it 0700; said again so that it never depends on that.
    if (::chmod(partial_.c_str(), 0700) != 0) return Errno("cannot set the permissions of", partial_);
    const std::string marker = partial_ + "/" + kMarker;
    int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Errno("cannot create", marker);
    static constexpr char kText[] = "written by dpo anonymise; dpo anonymise --force may replace this directory\n";
    bool written = ::write(fd, kText, sizeof kText - 1) == static_cast<ssize_t>(sizeof kText - 1);
    ::close(fd);
    if (!written) return Errno("cannot write", marker);
    return Status::Ok();
  }

 private:
  struct File {
    std::string path;
    std::vector<bool> boolean;  // per column: written as true/false
  };

  Status CheckNames(const TableEntry& entry) override {
    std::string name = FileNameFor(entry.out_name);
    if (name.size() > 255)
      return Status::Error(display_ + ": table " + entry.table.name +
                           ": the name is too long for a file name (255 bytes)", StatusCode::kInvalidArgument);
    if (file_names_.count(name) != 0)
      return Status::Error(display_ + ": table " + entry.table.name + " would be written to " + name +
                           ", like another table; export only one of them", StatusCode::kInvalidArgument);
    return Status::Ok();
  }

  Status DoCreateTable(const TableEntry& entry) override {
    std::string name = FileNameFor(entry.out_name);
    File file;
    file.path = partial_ + "/" + name;
    for (const SinkColumn& c : entry.table.columns) file.boolean.push_back(c.type == source::TypeClass::kBoolean);
    int fd = ::open(file.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Errno("cannot create", file.path);
    std::string header;
    for (size_t i = 0; i < entry.table.columns.size(); ++i) {
      if (i) header.push_back(',');
      // Names are data too: one that looks like a formula is neutralised.
      AppendCell(entry.table.columns[i].name, &header);
    }
    header.push_back('\n');
    Status s = ::fchmod(fd, 0600) == 0 ? WriteAll(fd, header, file.path)
                                       : Errno("cannot set the permissions of", file.path);
    if (::close(fd) != 0 && s.ok()) s = Errno("cannot write", file.path);
    if (!s.ok()) return s;
    file_names_.insert(name);
    files_[entry.table.name] = std::move(file);
    return Status::Ok();
  }

  Status Flush() {
    if (buffer_.empty()) return Status::Ok();
    Status s = WriteAll(fd_, buffer_, current_->path);
    buffer_.clear();
    return s;
  }

  Status CloseCurrent() {
    if (current_ == nullptr) return Status::Ok();
    Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = Errno("cannot write", current_->path);
    fd_ = -1;
    current_ = nullptr;
    return s;
  }

  Status DoWriteRows(const TableEntry& entry, const source::RowBatch& rows) override {
    File& file = files_[entry.table.name];
    if (current_ != &file) {
      DPO_RETURN_IF_ERROR(CloseCurrent());
      fd_ = ::open(file.path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
      if (fd_ < 0) return Errno("cannot open", file.path);
      current_ = &file;
      buffer_.reserve(kFlushBytes + (kFlushBytes >> 2));
    }
    const size_t columns = rows.num_columns();
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      for (size_t c = 0; c < columns; ++c) {
        if (c) buffer_.push_back(',');
        if (rows.IsNull(r, c)) {
          // A row of one NULL would be an empty line, which readers skip:
          // the empty string is the nearest a CSV file can say.
          if (columns == 1) buffer_.append("\"\"");
          continue;
        }
        std::string_view cell = rows.Cell(r, c);
        if (file.boolean[c]) {
          if (std::optional<bool> b = ParseBoolean(cell)) cell = *b ? "true" : "false";
        }
        AppendCell(cell, &buffer_);
      }
      buffer_.push_back('\n');
      if (buffer_.size() >= kFlushBytes) DPO_RETURN_IF_ERROR(Flush());
    }
    return Status::Ok();
  }

  // Moves the finished directory onto an existing export: swapped in one step
  // where the file system can (RENAME_EXCHANGE), else the old one is moved
  // aside first and moved back if the second rename fails.
  Status Replace() {
    DPO_RETURN_IF_ERROR(CheckReplaceable(path_));
    DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kRename, path_));
    if (::renameat2(AT_FDCWD, partial_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0) {
      old_ = partial_;  // the partial name now holds the old export
      partial_.clear();
      return Status::Ok();
    }
    if (errno == ENOENT) return RenameNoReplace(partial_, path_);  // nothing there any more
    if (errno != EINVAL && errno != ENOSYS) return Errno("cannot rename into", path_);
    std::string aside = ParentDir(path_) + "/." + BaseName(path_) + ".old-XXXXXX";
    if (::mkdtemp(aside.data()) == nullptr) return Errno("cannot create a directory next to", path_);
    if (::rename(path_.c_str(), aside.c_str()) != 0) {  // replaces the empty directory `aside`
      Status s = Errno("cannot move aside", path_);
      ::rmdir(aside.c_str());
      return s;
    }
    if (::rename(partial_.c_str(), path_.c_str()) != 0) {
      Status s = Errno("cannot rename into", path_);
      (void)::rename(aside.c_str(), path_.c_str());
      return s;
    }
    old_ = aside;
    partial_.clear();
    return Status::Ok();
  }

  Status DoFinish() override {
    DPO_RETURN_IF_ERROR(CloseCurrent());
    for (const auto& [name, file] : files_) DPO_RETURN_IF_ERROR(SyncPath(file.path));
    DPO_RETURN_IF_ERROR(SyncPath(partial_));
    struct stat st;
    if (overwrite_ && ::lstat(path_.c_str(), &st) == 0) {
      DPO_RETURN_IF_ERROR(Replace());
    } else {
      DPO_RETURN_IF_ERROR(RenameNoReplace(partial_, path_));
      partial_.clear();
    }
    if (!old_.empty()) {
      std::error_code ec;
      fs::remove_all(old_, ec);
      old_.clear();
    }
    SyncDirBestEffort(ParentDir(path_));
    return Status::Ok();
  }

  void DoAbandon() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    current_ = nullptr;
    buffer_.clear();
    buffer_.shrink_to_fit();
    if (!partial_.empty()) {
      std::error_code ec;
      fs::remove_all(partial_, ec);
    }
    partial_.clear();
  }

  const std::string path_;
  const bool overwrite_;
  std::string partial_;
  std::string old_;
  std::map<std::string, File> files_;  // by source table name
  std::set<std::string> file_names_;
  File* current_ = nullptr;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace

Result<std::unique_ptr<Sink>> OpenCsvSink(const std::string& destination, const SinkOptions& options) {
  std::string path = StripTrailingSlashes(destination);
  std::string base = BaseName(path);
  if (base.empty() || base == "." || base == ".." || path == "/")
    return Status::Error(destination + ": give the name of the directory to create (not . or ..)");
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!options.overwrite)
      return Status::Error(path + " already exists; pass --force to replace it, or choose another destination");
    DPO_RETURN_IF_ERROR(CheckReplaceable(path));
  } else if (errno != ENOENT) {
    return Errno("cannot check", path);
  }
  auto sink = std::make_unique<CsvSink>(path, options.overwrite);
  Status opened = sink->Open();
  if (!opened.ok()) {
    sink->Abandon();
    return opened;
  }
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace dpo::anonymise::internal
