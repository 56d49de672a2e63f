#include "source/csv/csv_source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <unordered_map>

#include "source/csv/cp1252.h"
#include "source/csv/csv_parser.h"
#include "source/predicate_eval.h"
#include "source/write_guard.h"
#include "util/fault.h"
#include "util/keyed_hash.h"
#include "util/message.h"

namespace dpo::source {
namespace {

namespace fs = std::filesystem;

constexpr int kTypeSampleRows = 1000;
constexpr int64_t kExactCountBytes = int64_t{64} << 20;
constexpr size_t kBatchBytes = size_t{8} << 20;
constexpr size_t kWriteBuffer = size_t{1} << 20;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Table names are file names and column names are header cells: data. In a
// message they are escaped, or withheld when they look like a value (a file
// without a header row makes its first row the names). Paths are escaped but
// shown: the user named them and needs them to find the file.
std::string Shown(const std::string& name) {
  return util::LooksLikeDataValue(name) ? util::NameForMessage(name) : util::EscapeForMessage(name);
}
std::string ShownPath(const std::string& path) { return util::EscapeForMessage(path, std::string_view::npos); }
std::string UnknownColumn(const std::string& table, const std::string& column) {
  return "unknown column " + Shown(table) + "." + Shown(column);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

// Digits with an optional sign; a leading zero ("0612345678", "007") makes
// it an identifier, i.e. text.
bool LooksInteger(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return false;
  if (s[i] == '0' && s.size() - i > 1) return false;
  for (; i < s.size(); ++i)
    if (!IsDigit(s[i])) return false;
  return true;
}

bool LooksReal(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t int_digits = 0, frac_digits = 0;
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (int_digits > 1 && s[start] == '0') return false;
  bool point = i < s.size() && s[i] == '.';
  if (point) {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool LooksBoolean(std::string_view s) {
  if (s.size() > 5) return false;
  std::string l = Lower(s);
  return l == "true" || l == "false" || l == "yes" || l == "no";
}

bool TwoDigits(std::string_view s, size_t at, int lo, int hi) {
  if (at + 2 > s.size() || !IsDigit(s[at]) || !IsDigit(s[at + 1])) return false;
  int v = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return v >= lo && v <= hi;
}

// YYYY-MM-DD
bool LooksDate(std::string_view s) {
  if (s.size() < 10) return false;
  for (int i = 0; i < 4; ++i)
    if (!IsDigit(s[i])) return false;
  return s[4] == '-' && TwoDigits(s, 5, 1, 12) && s[7] == '-' && TwoDigits(s, 8, 1, 31);
}

// YYYY-MM-DD(T| )HH:MM[:SS[.fraction]][Z|(+|-)HH[:]MM]
bool LooksTimestamp(std::string_view s) {
  if (!LooksDate(s) || s.size() < 16 || (s[10] != 'T' && s[10] != ' ')) return false;
  if (!TwoDigits(s, 11, 0, 23) || s[13] != ':' || !TwoDigits(s, 14, 0, 59)) return false;
  size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!TwoDigits(s, i + 1, 0, 60)) return false;
    i += 3;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      size_t digits = 0;
      while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
      if (digits == 0) return false;
    }
  }
  if (i == s.size()) return true;
  if (s[i] == 'Z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  if (!TwoDigits(s, i + 1, 0, 14)) return false;
  i += 3;
  if (i == s.size()) return true;
  if (s[i] == ':') ++i;
  return TwoDigits(s, i, 0, 59) && i + 2 == s.size();
}

struct TypeGuess {
  bool any = false;
  bool integer = true, real = true, boolean = true, date = true, timestamp = true;

  void Add(std::string_view v) {
    any = true;
    if (integer && !LooksInteger(v)) integer = false;
    if (real && !integer && !LooksReal(v)) real = false;
    if (boolean && !LooksBoolean(v)) boolean = false;
    bool is_date = (date || timestamp) && LooksDate(v);
    if (date && !(is_date && v.size() == 10)) date = false;
    if (timestamp && !(is_date && (v.size() == 10 || LooksTimestamp(v)))) timestamp = false;
  }
  TypeClass Result() const {
    if (!any) return TypeClass::kText;
    if (integer) return TypeClass::kInteger;
    if (real) return TypeClass::kReal;
    if (boolean) return TypeClass::kBoolean;
    if (date) return TypeClass::kDate;
    if (timestamp) return TypeClass::kTimestamp;
    return TypeClass::kText;
  }
};

bool IsNullField(const CsvRecord& r, size_t i) { return !r.quoted(i) && r.field(i).empty(); }

// The rows skipped under skip_bad_rows, by file, as every stream of the
// source saw them (streams may run on several threads).
class SkipTally {
 public:
  // The `nth` (1-based) row a stream of `path` skipped is at `line`. Every
  // stream reads from the top, so the nth skipped row is the same for all.
  void Record(const std::string& path, int64_t nth, int64_t line) {
    std::lock_guard<std::mutex> lock(mu_);
    SkippedRows& s = by_path_[path];
    if (nth <= s.count) return;
    s.count = nth;
    if (s.first_lines.size() < SkippedRows::kMaxLines) s.first_lines.push_back(line);
  }
  std::optional<SkippedRows> Of(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_path_.find(path);
    if (it == by_path_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, SkippedRows> by_path_;
};

// A CSV file as a table: the header, then data records checked against it.
class TableStream {
 public:
  static Result<std::unique_ptr<TableStream>> Open(const std::string& path,
                                                   const CsvParserOptions& parser_options,
                                                   const CsvOptions& csv,
                                                   std::shared_ptr<SkipTally> tally = nullptr) {
    auto parser = CsvParser::OpenFile(path, parser_options);
    if (!parser.ok()) return parser.status();
    std::unique_ptr<TableStream> s(new TableStream(std::move(parser).value(), csv));
    s->path_ = path;
    s->tally_ = std::move(tally);
    DPO_RETURN_IF_ERROR(s->ReadHeader());
    return s;
  }

  const std::vector<std::string>& columns() const { return columns_; }
  CsvParser& parser() { return *parser_; }
  const CsvRecord& record() const { return parser_->record(); }
  const std::string& header_raw() const { return header_raw_; }
  int64_t row_number() const { return row_number_; }
  int64_t skipped() const { return skipped_; }
  // True if the current record has the wrong number of fields (only returned
  // by NextAny).
  bool ragged() const { return parser_->record().size() != columns_.size(); }

  // Next data record with as many fields as there are columns; ragged rows
  // are an error, or skipped and counted under skip_bad_rows.
  Result<bool> Next() {
    for (;;) {
      Result<bool> r = NextAny();
      if (!r.ok() || !*r || !ragged()) return r;
    }
  }

  // Like Next, but returns ragged rows that skip_bad_rows lets through.
  Result<bool> NextAny() {
    if (first_pending_) {
      first_pending_ = false;
      ++row_number_;
      return true;
    }
    Result<bool> r = parser_->Next();
    if (!r.ok() || !*r) return r;
    ++row_number_;
    const CsvRecord& rec = parser_->record();
    if (rec.size() != columns_.size()) {
      if (!csv_.skip_bad_rows) {
        return Status::Error(ShownPath(parser_->display_name()) + ":" + std::to_string(rec.line()) +
                             ": row has " + std::to_string(rec.size()) + " fields, " +
                             (csv_.header ? "header has " : "first row has ") +
                             std::to_string(columns_.size()) +
                             "; fix the row or pass --skip-bad-rows");
      }
      ++skipped_;
      if (tally_) tally_->Record(path_, skipped_, rec.line());
    }
    return true;
  }

 private:
  TableStream(std::unique_ptr<CsvParser> parser, const CsvOptions& csv)
      : parser_(std::move(parser)), csv_(csv) {}

  Status ReadHeader() {
    Result<bool> r = parser_->Next();
    if (!r.ok()) return r.status();
    const std::string name = ShownPath(parser_->display_name());
    if (!*r) {
      return Status::Error(name + ": empty file" +
                           (csv_.header ? "; a CSV table needs at least a header row" : ""));
    }
    const CsvRecord& rec = parser_->record();
    if (!csv_.header) {
      for (size_t i = 0; i < rec.size(); ++i) columns_.push_back("col" + std::to_string(i + 1));
      first_pending_ = true;
      return Status::Ok();
    }
    header_raw_ = std::string(rec.raw());
    for (size_t i = 0; i < rec.size(); ++i) {
      std::string_view v = rec.field(i);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      columns_.push_back(v.empty() ? "col" + std::to_string(i + 1) : std::string(v));
    }
    // By hash, not pairwise: a header may have thousands of columns.
    std::unordered_map<std::string_view, size_t> first_at;
    first_at.reserve(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      auto [it, fresh] = first_at.emplace(columns_[i], i);
      if (!fresh) {
        const size_t j = it->second;
        // Said by position: a repeated "name" is often a repeated value
        // in the first row of a file without a header row.
        std::string what = name + ":" + std::to_string(rec.line()) + ": columns " + std::to_string(j + 1) +
                           " and " + std::to_string(i + 1) + " have the same name";
        if (util::LooksLikeDataValue(columns_[i])) {
          what += ", which looks like a data value; if the file has no header row, pass --no-header, "
                  "otherwise rename one of them";
        } else {
          what += " " + util::NameForMessage(columns_[i]) +
                  "; rename one of them (if the file has no header row, pass --no-header)";
        }
        return Status::Error(what);
      }
    }
    return Status::Ok();
  }

  std::unique_ptr<CsvParser> parser_;
  CsvOptions csv_;
  std::vector<std::string> columns_;
  std::string header_raw_;
  bool first_pending_ = false;
  int64_t row_number_ = 0;
  int64_t skipped_ = 0;
  std::string path_;
  std::shared_ptr<SkipTally> tally_;
};

// Cells of the current record, by column index.
class RecordCells : public RowCells {
 public:
  explicit RecordCells(const CsvRecord& record) : record_(record) {}
  std::optional<std::string_view> Cell(size_t column) const override {
    if (IsNullField(record_, column)) return std::nullopt;
    return record_.field(column);
  }

 private:
  const CsvRecord& record_;
};

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class CsvRowReader : public RowReader {
 public:
  CsvRowReader(std::unique_ptr<TableStream> stream, std::vector<size_t> projection,
               std::vector<std::string> names, std::vector<TypeClass> types, std::optional<BoundPredicate> where,
               const ReadRequest& request)
      : stream_(std::move(stream)),
        projection_(std::move(projection)),
        names_(std::move(names)),
        types_(std::move(types)),
        where_(std::move(where)),
        mode_(request.mode),
        limit_(request.limit),
        seed_(request.seed),
        batch_rows_(std::max<size_t>(1, request.batch_rows)) {}

  const std::vector<std::string>& column_names() const override { return names_; }
  std::vector<TypeClass> column_types() const override { return types_; }

  Result<bool> Next(RowBatch* batch) override {
    batch->Reset(projection_.size());
    if (done_) return false;
    if (mode_ == SampleMode::kRandom) return NextSampled(batch);
    while (batch->num_rows() < batch_rows_ && batch->byte_size() < kBatchBytes) {
      if (mode_ == SampleMode::kFirst && returned_ >= limit_) {
        done_ = true;
        break;
      }
      Result<bool> r = NextMatching();
      if (!r.ok()) return r.status();
      if (!*r) {
        done_ = true;
        break;
      }
      const CsvRecord& rec = stream_->record();
      for (size_t c : projection_) {
        if (IsNullField(rec, c)) batch->AddNull();
        else batch->AddCell(rec.field(c));
      }
      batch->EndRow(stream_->row_number(), rec.line());
      ++returned_;
    }
    return !batch->empty();
  }

  ReadStats stats() const override {
    ReadStats s;
    s.rows_read = returned_;
    s.bytes_read = stream_->parser().bytes_read();
    s.rows_skipped = stream_->skipped();
    return s;
  }

 private:
  struct SampledRow {
    int64_t row_number = 0;
    int64_t line = 0;
    std::vector<std::optional<std::string>> cells;
  };

  Result<bool> NextMatching() {
    for (;;) {
      Result<bool> r = stream_->Next();
      if (!r.ok() || !*r) return r;
      if (!where_ || where_->Matches(RecordCells(stream_->record()))) return true;
    }
  }

  // Reservoir sampling (algorithm R) over the matching rows with a seeded
  // generator of our own, so that a seed picks the same rows on every
  // platform; the sample is returned in file order.
  Status Sample() {
    uint64_t state = seed_;
    int64_t seen = 0;
    size_t k = limit_ > 0 ? static_cast<size_t>(limit_) : 0;
    for (;;) {
      Result<bool> r = NextMatching();
      if (!r.ok()) return r.status();
      if (!*r) break;
      size_t slot = k;
      if (static_cast<size_t>(seen) < k) {
        sample_.emplace_back();
        slot = sample_.size() - 1;
      } else {
        uint64_t j = SplitMix64(&state) % static_cast<uint64_t>(seen + 1);
        if (j < k) slot = static_cast<size_t>(j);
      }
      ++seen;
      if (slot == k) continue;
      const CsvRecord& rec = stream_->record();
      SampledRow& row = sample_[slot];
      row.row_number = stream_->row_number();
      row.line = rec.line();
      row.cells.clear();
      for (size_t c : projection_) {
        if (IsNullField(rec, c)) row.cells.emplace_back();
        else row.cells.emplace_back(std::string(rec.field(c)));
      }
    }
    std::sort(sample_.begin(), sample_.end(),
              [](const SampledRow& a, const SampledRow& b) { return a.row_number < b.row_number; });
    return Status::Ok();
  }

  Result<bool> NextSampled(RowBatch* batch) {
    if (!sampled_) {
      sampled_ = true;
      DPO_RETURN_IF_ERROR(Sample());
    }
    while (next_sample_ < sample_.size() && batch->num_rows() < batch_rows_) {
      const SampledRow& row = sample_[next_sample_++];
      for (const auto& cell : row.cells) {
        if (cell) batch->AddCell(*cell);
        else batch->AddNull();
      }
      batch->EndRow(row.row_number, row.line);
      ++returned_;
    }
    if (next_sample_ == sample_.size()) {
      sample_.clear();
      sample_.shrink_to_fit();
      next_sample_ = 0;
      done_ = true;
    }
    return !batch->empty();
  }

  std::unique_ptr<TableStream> stream_;
  std::vector<size_t> projection_;
  std::vector<std::string> names_;
  std::vector<TypeClass> types_;
  std::optional<BoundPredicate> where_;
  SampleMode mode_;
  int64_t limit_;
  uint64_t seed_;
  size_t batch_rows_;
  int64_t returned_ = 0;
  bool done_ = false;
  bool sampled_ = false;
  std::vector<SampledRow> sample_;
  size_t next_sample_ = 0;
};

// Appends one field, quoted only if a reader could misread it unquoted.
void AppendField(const std::optional<std::string>& value, char delimiter, bool only_field,
                 std::string* out) {
  if (!value) {
    if (only_field) out->append("\"\"");  // an empty line would be read as no row at all
    return;
  }
  const std::string& v = *value;
  bool quote = v.empty();
  for (char c : v) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// ---------------------------------------------------------------------------
// Files on disk: temporary versions, the journal, fsync and rename with the
// fault hooks of util/fault.h.

// A transaction's version of a file is `.dpo-tx-XXXXXX-<file name>.tmp` next
// to the file it will replace: hidden, and not *.csv, so that listing the
// directory never takes it for a table.
constexpr char kTempPrefix[] = ".dpo-tx-";
constexpr size_t kTempRandom = 6;
constexpr char kTempSuffix[] = ".tmp";
constexpr char kJournalMagic[] = "dpo-journal 1";

std::string DirOf(const std::string& path) {
  fs::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
}
std::string FileNameOf(const std::string& path) { return fs::path(path).filename().string(); }

// True if `name` is a transaction's temporary file; for `file_name` only
// when it is a version of that file (empty: of any file).
bool IsTempName(const std::string& name, const std::string& file_name) {
  const size_t prefix = sizeof kTempPrefix - 1, suffix = sizeof kTempSuffix - 1;
  if (name.size() <= prefix + kTempRandom + 1 + suffix) return false;
  if (name.compare(0, prefix, kTempPrefix) != 0 || name[prefix + kTempRandom] != '-') return false;
  if (name.compare(name.size() - suffix, suffix, kTempSuffix) != 0) return false;
  if (file_name.empty()) return true;
  const size_t start = prefix + kTempRandom + 1;
  return name.compare(start, name.size() - suffix - start, file_name) == 0;
}

Status Errno(const std::string& path, const std::string& what, int err) {
  return Status::Error(ShownPath(path) + ": " + what + ": " + std::strerror(err), StatusCode::kIoError);
}

Status FsyncDir(const std::string& dir) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kFsync, dir));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(dir, "cannot open the directory to sync it", errno);
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return Errno(dir, "cannot sync the directory", err);
  }
  ::close(fd);
  return Status::Ok();
}

// fsync through a read-only descriptor flushes the file's data too.
Status FsyncFile(const std::string& path) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kFsync, path));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno(path, "cannot open the file to sync it", errno);
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return Errno(path, "cannot sync the file", err);
  }
  ::close(fd);
  return Status::Ok();
}

Status RenameFile(const std::string& from, const std::string& to) {
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kRename, to));
  if (::rename(from.c_str(), to.c_str()) != 0) return Errno(to, "cannot replace the file", errno);
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(path, "cannot write", errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// One version of one table's file. Removed when destroyed unless Keep() was
// called (it has been, or is about to be, renamed into place).
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty() && !kept_) ::unlink(path_.c_str());
  }

  // Creates the file next to `target` (a canonical path) with its permission bits.
  Status Create(const std::string& target) {
    DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kWrite, target));
    struct stat st;
    if (::stat(target.c_str(), &st) != 0) return Errno(target, "cannot stat", errno);
    const std::string dir = DirOf(target);
    const std::string tail = "-" + FileNameOf(target) + kTempSuffix;
    std::string templ = dir + "/" + kTempPrefix + std::string(kTempRandom, 'X') + tail;
    std::vector<char> name(templ.begin(), templ.end());
    name.push_back('\0');
    fd_ = ::mkstemps(name.data(), static_cast<int>(tail.size()));
    if (fd_ < 0) return Errno(dir, "cannot create a temporary file in the directory", errno);
    path_ = name.data();
    if (::fchmod(fd_, st.st_mode & 07777) != 0) return Errno(path_, "cannot set permissions", errno);
    return Status::Ok();
  }

  Status Append(std::string_view data) {
    buffer_.append(data);
    if (buffer_.size() < kWriteBuffer) return Status::Ok();
    return Flush();
  }

  // Writes what is buffered and closes the file. No fsync: Commit syncs the
  // versions it keeps, and no other version outlives the transaction.
  Status Close() {
    DPO_RETURN_IF_ERROR(Flush());
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Errno(path_, "cannot close", errno);
    return Status::Ok();
  }

  const std::string& path() const { return path_; }
  void Keep() { kept_ = true; }

 private:
  Status Flush() {
    Status s = WriteAll(fd_, buffer_, path_);
    buffer_.clear();
    return s;
  }

  std::string path_;
  std::string buffer_;
  int fd_ = -1;
  bool kept_ = false;
};

// The journal: which temporary file replaces which file. Written to a
// temporary name, synced and renamed into place before the first file is
// replaced, removed after the last. Paths are relative to the journal's
// directory when they are in it (so that a moved directory still recovers),
// absolute otherwise; '%', tab, CR and LF in them are written as %25, %09,
// %0D, %0A. The last line is the SHA-256 of everything before it.
struct JournalEntry {
  std::string temp;
  std::string target;
};

std::string EscapeJournalPath(const std::string& path, const std::string& dir) {
  std::string p = DirOf(path) == dir ? FileNameOf(path) : path;
  std::string out;
  for (char c : p) {
    if (c == '%') out += "%25";
    else if (c == '\t') out += "%09";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out.push_back(c);
  }
  return out;
}

std::optional<std::string> UnescapeJournalPath(std::string_view text, const std::string& dir) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    std::string_view code = text.substr(i + 1, 2);
    if (code == "25") out.push_back('%');
    else if (code == "09") out.push_back('\t');
    else if (code == "0D") out.push_back('\r');
    else if (code == "0A") out.push_back('\n');
    else return std::nullopt;
    i += 2;
  }
  if (out.empty()) return std::nullopt;
  return out.front() == '/' ? out : dir + "/" + out;
}

std::string JournalText(const std::vector<JournalEntry>& entries, const std::string& dir) {
  std::string body = std::string(kJournalMagic) + "\n";
  for (const JournalEntry& e : entries)
    body += EscapeJournalPath(e.temp, dir) + "\t" + EscapeJournalPath(e.target, dir) + "\n";
  return body + "sha256 " + util::Sha256Hex(body) + "\n";
}

// What to do about a damaged journal: never a guess.
Status DamagedJournal(const std::string& path, const std::string& what) {
  return Status::Error(ShownPath(path) + ": the journal of an interrupted change is damaged (" + what +
                           "), so dpo cannot tell whether that change was committed; nothing was changed. Keep a "
                           "copy of the directory, then either restore the CSV files from a backup, or delete the "
                           "journal and the .dpo-tx-*.tmp files beside it to keep the files as they are",
                       StatusCode::kIoError);
}

Result<std::vector<JournalEntry>> ReadJournal(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno(path, "cannot read the journal of an interrupted change", errno);
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Errno(path, "cannot read the journal of an interrupted change", err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > (size_t{16} << 20)) break;
  }
  ::close(fd);
  const std::string sum_tag = "sha256 ";
  size_t last = text.size() >= 2 ? text.rfind('\n', text.size() - 2) : std::string::npos;
  if (text.empty() || text.back() != '\n' || last == std::string::npos)
    return DamagedJournal(path, "it is cut short");
  std::string body = text.substr(0, last + 1);
  std::string sum_line = text.substr(last + 1, text.size() - last - 2);
  if (sum_line.compare(0, sum_tag.size(), sum_tag) != 0 || sum_line.substr(sum_tag.size()) != util::Sha256Hex(body))
    return DamagedJournal(path, "its checksum does not match");
  if (body.compare(0, sizeof kJournalMagic - 1, kJournalMagic) != 0 || body[sizeof kJournalMagic - 1] != '\n')
    return DamagedJournal(path, "it is not a dpo journal of a version this dpo reads");
  const std::string dir = DirOf(path);
  std::vector<JournalEntry> entries;
  size_t pos = sizeof kJournalMagic;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    std::string_view line(body.data() + pos, end - pos);
    pos = end + 1;
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return DamagedJournal(path, "a line has no tab");
    auto temp = UnescapeJournalPath(line.substr(0, tab), dir);
    auto target = UnescapeJournalPath(line.substr(tab + 1), dir);
    if (!temp || !target || !IsTempName(FileNameOf(*temp), FileNameOf(*target)))
      return DamagedJournal(path, "a line names no temporary file of dpo");
    entries.push_back({std::move(*temp), std::move(*target)});
  }
  return entries;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::string Canonical(const std::string& path) {
  std::error_code ec;
  fs::path target = fs::canonical(path, ec);
  return ec ? path : target.string();
}

// ---------------------------------------------------------------------------
// The source and its transaction.

// Where a table's rows are read from, and how.
struct FileRef {
  std::string path;
  CsvParserOptions parser;
};

// Semi-joins read other tables through this: `locate` says which version of
// a table to read (the committed file, or a transaction's own version).
class FileTables : public TableRows {
 public:
  using Columns_ = std::function<Result<std::vector<Column>>(const std::string&)>;
  using Open_ = std::function<Result<std::unique_ptr<TableStream>>(const std::string&)>;
  FileTables(Columns_ columns, Open_ open) : columns_(std::move(columns)), open_(std::move(open)) {}

  Result<std::vector<Column>> Columns(const std::string& table) override { return columns_(table); }

  Status Scan(const std::string& table, const std::function<Status(const RowCells&)>& visit) override {
    auto stream = open_(table);
    if (!stream.ok()) return stream.status();
    for (;;) {
      Result<bool> r = (*stream)->Next();
      if (!r.ok()) return r.status();
      if (!*r) return Status::Ok();
      DPO_RETURN_IF_ERROR(visit(RecordCells((*stream)->record())));
    }
  }

 private:
  Columns_ columns_;
  Open_ open_;
};

class CsvTransaction;

class CsvSource : public Source {
 public:
  CsvSource(std::string display, std::vector<std::pair<std::string, std::string>> files, bool is_directory,
            const OpenOptions& options, CsvParserOptions parser_options)
      : display_(std::move(display)),
        files_(std::move(files)),
        options_(options),
        parser_options_(parser_options) {
    for (const auto& f : files_) targets_.push_back(Canonical(f.second));
    is_directory_ = is_directory;
    if (is_directory) {
      journal_path_ = Canonical(display_) + "/.dpo-journal";
    } else {
      const std::string& target = targets_.front();
      journal_path_ = DirOf(target) + "/." + FileNameOf(target) + ".dpo-journal";
    }
  }

  SourceKind kind() const override { return SourceKind::kCsv; }
  std::string DisplayName() const override { return display_; }
  std::vector<std::string> Notices() const override { return notices_; }

  std::vector<SkippedRows> Skipped() const override {
    std::vector<SkippedRows> out;
    for (const auto& [table, path] : files_) {
      auto pending = pending_.find(table);
      std::optional<SkippedRows> s = skips_->Of(pending != pending_.end() ? pending->second : path);
      if (!s || s->count == 0) continue;
      s->table = table;
      s->location = path;
      out.push_back(std::move(*s));
    }
    return out;
  }

  Result<std::vector<std::string>> ListTables() override {
    std::vector<std::string> names;
    for (const auto& f : files_) names.push_back(f.first);
    return names;
  }

  Result<Table> Describe(const std::string& table) override {
    auto cached = described_.find(table);
    if (cached != described_.end()) return cached->second;
    Result<FileRef> file = Committed(table);
    if (!file.ok()) return file.status();
    auto stream = OpenStream(*file);
    if (!stream.ok()) return stream.status();
    TableStream& s = **stream;

    Table t;
    t.name = table;
    t.location = files_[IndexOf(table)].second;
    std::vector<TypeGuess> guesses(s.columns().size());
    std::vector<bool> empty_seen(s.columns().size(), false);
    int64_t rows = 0;
    std::error_code ec;
    int64_t size = static_cast<int64_t>(fs::file_size(file->path, ec));
    if (ec) size = 0;
    bool exact = size < kExactCountBytes;
    int64_t sampled_bytes = static_cast<int64_t>(s.header_raw().size());
    for (;;) {
      Result<bool> r = s.Next();
      if (!r.ok()) return r.status();
      if (!*r) {
        exact = true;
        break;
      }
      ++rows;
      const CsvRecord& rec = s.record();
      if (rows <= kTypeSampleRows) {
        sampled_bytes += static_cast<int64_t>(rec.raw().size());
        for (size_t c = 0; c < guesses.size(); ++c) {
          if (!IsNullField(rec, c)) guesses[c].Add(rec.field(c));
          else empty_seen[c] = true;
        }
      } else if (!exact) {
        break;
      } else {
        // Counting every row of a small file anyway: look at all of it.
        for (size_t c = 0; c < empty_seen.size(); ++c)
          if (!empty_seen[c] && IsNullField(rec, c)) empty_seen[c] = true;
      }
    }
    for (size_t c = 0; c < s.columns().size(); ++c) {
      Column col;
      col.name = s.columns()[c];
      col.type = guesses[c].Result();
      col.type_inferred = true;
      col.nullable = true;
      col.empty_values_seen = empty_seen[c];
      t.columns.push_back(std::move(col));
    }
    if (exact) {
      t.row_count = {rows, true};
    } else {
      int64_t avg = std::max<int64_t>(1, (sampled_bytes - static_cast<int64_t>(s.header_raw().size())) /
                                             std::max<int64_t>(1, std::min<int64_t>(rows, kTypeSampleRows)));
      t.row_count = {std::max<int64_t>(rows, size / avg), false};
    }
    described_[table] = t;
    return t;
  }

  Result<std::unique_ptr<RowReader>> Read(const std::string& table, const ReadRequest& request) override {
    FileTables view = CommittedTables();
    Result<FileRef> file = Committed(table);
    if (!file.ok()) return file.status();
    return ReadFrom(table, *file, request, &view);
  }

  Result<int64_t> Count(const std::string& table, const std::optional<Predicate>& where) override {
    FileTables view = CommittedTables();
    Result<FileRef> file = Committed(table);
    if (!file.ok()) return file.status();
    return CountFrom(table, *file, where, &view);
  }

  Result<std::unique_ptr<Transaction>> Begin(const WriteOptions& options) override;

  void DeclareRelations(std::vector<std::pair<std::string, ForeignKey>> relations) override {
    declared_ = std::move(relations);
  }

  // --- for OpenCsvSource and CsvTransaction ---

  // Finishes or reads around what an earlier process left behind (see
  // csv_source.h). Writable: finishes a journaled change, removes orphan
  // temporary files. Read-only: changes nothing; with a journal, reads each
  // journaled table from its temporary file.
  Status Recover() {
    pending_.clear();
    pending_journal_ = false;
    const bool journal = Exists(journal_path_);
    if (options_.read_only) {
      if (!journal) return Status::Ok();
      Result<std::vector<JournalEntry>> entries = ReadJournal(journal_path_);
      if (!entries.ok()) return entries.status();
      LoadPending(*entries);
      notices_.push_back("an interrupted change of " + std::to_string(entries->size()) +
                         " file(s) is recorded in " + ShownPath(journal_path_) +
                         ": reading the data as that change committed it; open the source for writing to finish "
                         "the change (nothing was modified)");
      return Status::Ok();
    }
    if (journal) {
      Result<std::vector<JournalEntry>> entries = ReadJournal(journal_path_);
      if (!entries.ok()) return entries.status();
      DPO_RETURN_IF_ERROR(FinishJournal(*entries).WithContext(
          "finishing the interrupted change recorded in " + ShownPath(journal_path_)));
      notices_.push_back("finished an interrupted change of " + std::to_string(entries->size()) +
                         " file(s) recorded in " + ShownPath(journal_path_) +
                         ": the files now hold the change as it was committed");
    }
    int removed = 0;
    DPO_RETURN_IF_ERROR(RemoveOrphans(&removed));
    if (removed > 0)
      notices_.push_back("removed " + std::to_string(removed) +
                         " temporary file(s) of a change to " + ShownPath(display_) +
                         " that was never committed; the data is as before that change");
    return Status::Ok();
  }

  // The committed version of `table` (while a journaled change is pending:
  // its temporary file) with the source's parser options.
  Result<FileRef> Committed(const std::string& table) const {
    size_t i = IndexOf(table);
    if (i == files_.size()) return Status::Error(ShownPath(display_) + ": unknown table " + Shown(table));
    auto pending = pending_.find(table);
    return FileRef{pending != pending_.end() ? pending->second : files_[i].second, parser_options_};
  }

  const std::string& TargetOf(const std::string& table) const { return targets_[IndexOf(table)]; }

  // The columns of the committed version with their inferred types (from the
  // first rows, as Describe infers them), cached until a commit changes it:
  // a transaction compares by the same types from its first read to its end.
  Result<std::vector<Column>> Shape(const std::string& table) {
    auto cached = shapes_.find(table);
    if (cached != shapes_.end()) return cached->second;
    Result<FileRef> file = Committed(table);
    if (!file.ok()) return file.status();
    auto stream = OpenStream(*file);
    if (!stream.ok()) return stream.status();
    TableStream& s = **stream;
    std::vector<TypeGuess> guesses(s.columns().size());
    for (int rows = 0; rows < kTypeSampleRows;) {
      Result<bool> r = s.Next();
      if (!r.ok()) return r.status();
      if (!*r) break;
      ++rows;
      for (size_t c = 0; c < guesses.size(); ++c)
        if (!IsNullField(s.record(), c)) guesses[c].Add(s.record().field(c));
    }
    std::vector<Column> columns;
    for (size_t c = 0; c < s.columns().size(); ++c) {
      Column col;
      col.name = s.columns()[c];
      col.type = guesses[c].Result();
      col.type_inferred = true;
      columns.push_back(std::move(col));
    }
    shapes_[table] = columns;
    return columns;
  }

  Result<std::unique_ptr<TableStream>> OpenStream(const FileRef& file) {
    return TableStream::Open(file.path, file.parser, options_.csv, skips_);
  }

  Result<std::unique_ptr<RowReader>> ReadFrom(const std::string& table, const FileRef& file,
                                              const ReadRequest& request, TableRows* tables) {
    auto stream = OpenStream(file);
    if (!stream.ok()) return stream.status();
    const std::vector<std::string>& all = (*stream)->columns();
    std::vector<size_t> projection;
    std::vector<std::string> names;
    if (request.columns.empty()) {
      for (size_t i = 0; i < all.size(); ++i) projection.push_back(i);
      names = all;
    } else {
      // By hash: a scan asks for every column of tables thousands wide.
      std::unordered_map<std::string_view, size_t> index;
      index.reserve(all.size());
      for (size_t i = 0; i < all.size(); ++i) index.emplace(all[i], i);
      for (const std::string& c : request.columns) {
        auto it = index.find(c);
        if (it == index.end()) return Status::Error(ShownPath(display_) + ": " + UnknownColumn(table, c));
        projection.push_back(it->second);
        names.push_back(c);
      }
    }
    std::optional<BoundPredicate> where;
    if (request.where) {
      auto bound = Bind(*request.where, table, all, tables);
      if (!bound.ok()) return bound.status();
      where = std::move(bound).value();
    }
    // The types inferred for the table (as Describe reports them), for the
    // columns read. A file read through a transaction keeps the committed
    // file's types.
    std::vector<TypeClass> types(names.size(), TypeClass::kText);
    Result<std::vector<Column>> shape = Shape(table);
    if (shape.ok()) {
      std::unordered_map<std::string_view, TypeClass> by_name;
      by_name.reserve(shape->size());
      for (const Column& c : *shape) by_name.emplace(c.name, c.type);
      for (size_t i = 0; i < names.size(); ++i) {
        auto it = by_name.find(names[i]);
        if (it != by_name.end()) types[i] = it->second;
      }
    }
    return std::unique_ptr<RowReader>(new CsvRowReader(std::move(stream).value(), std::move(projection),
                                                       std::move(names), std::move(types), std::move(where), request));
  }

  Result<int64_t> CountFrom(const std::string& table, const FileRef& file, const std::optional<Predicate>& where,
                            TableRows* tables) {
    auto stream = OpenStream(file);
    if (!stream.ok()) return stream.status();
    std::optional<BoundPredicate> bound;
    if (where) {
      auto b = Bind(*where, table, (*stream)->columns(), tables);
      if (!b.ok()) return b.status();
      bound = std::move(b).value();
    }
    int64_t n = 0;
    for (;;) {
      Result<bool> r = (*stream)->Next();
      if (!r.ok()) return r.status();
      if (!*r) break;
      if (!bound || bound->Matches(RecordCells((*stream)->record()))) ++n;
    }
    return n;
  }

  // Binds `where` to the columns of a version of `table` (`names`, from its
  // header) with the types of the committed version.
  Result<BoundPredicate> Bind(const Predicate& where, const std::string& table, const std::vector<std::string>& names,
                              TableRows* tables) {
    Result<std::vector<Column>> shape = Shape(table);
    if (!shape.ok()) return shape.status();
    std::vector<Column> columns;
    for (size_t i = 0; i < names.size(); ++i) {
      Column c;
      c.name = names[i];
      c.type = i < shape->size() && (*shape)[i].name == names[i] ? (*shape)[i].type : TypeClass::kText;
      columns.push_back(std::move(c));
    }
    auto bound = BoundPredicate::Bind(where, columns, table, tables);
    if (!bound.ok()) return bound.status().WithContext(ShownPath(display_));
    return bound;
  }

  // The encoding a rewrite must write back: decided by reading until the first
  // non-ASCII bytes. An all-ASCII file reads the same either way.
  Result<CsvEncoding> FileEncoding(const std::string& path) {
    if (parser_options_.encoding != CsvEncoding::kAuto) return parser_options_.encoding;
    auto parser = CsvParser::OpenFile(path, parser_options_);
    if (!parser.ok()) return parser.status();
    while ((*parser)->encoding() == CsvEncoding::kAuto) {
      Result<bool> r = (*parser)->Next();
      if (!r.ok()) return r.status();
      if (!*r) break;
    }
    return (*parser)->encoding() == CsvEncoding::kWindows1252 ? CsvEncoding::kWindows1252 : CsvEncoding::kUtf8;
  }

  const std::string& display() const { return display_; }
  const CsvParserOptions& parser_options() const { return parser_options_; }
  const std::vector<std::pair<std::string, ForeignKey>>& declared() const { return declared_; }
  void EndTransaction() { in_transaction_ = false; }

  // Makes the versions durable, all or nothing (csv_source.h). `versions`
  // pairs each table with its temporary file; each file is Keep()-ed once
  // the journal holds it.
  Status CommitVersions(const std::vector<std::pair<std::string, TempFile*>>& versions);

 private:
  size_t IndexOf(const std::string& table) const {
    for (size_t i = 0; i < files_.size(); ++i)
      if (files_[i].first == table) return i;
    return files_.size();
  }

  FileTables CommittedTables() {
    return FileTables([this](const std::string& t) { return Shape(t); },
                      [this](const std::string& t) -> Result<std::unique_ptr<TableStream>> {
                        Result<FileRef> file = Committed(t);
                        if (!file.ok()) return file.status();
                        return OpenStream(*file);
                      });
  }

  // Reads each journaled table from its temporary file (the ones already
  // renamed into place are read where they are).
  void LoadPending(const std::vector<JournalEntry>& entries) {
    for (const JournalEntry& e : entries) {
      if (!Exists(e.temp)) continue;
      for (size_t i = 0; i < files_.size(); ++i)
        if (targets_[i] == e.target) pending_[files_[i].first] = e.temp;
    }
    pending_journal_ = true;
    described_.clear();
    shapes_.clear();
  }

  // Renames the temporary files still present over their targets, syncs,
  // and removes the journal.
  Status FinishJournal(const std::vector<JournalEntry>& entries) {
    std::vector<std::string> dirs{DirOf(journal_path_)};
    for (const JournalEntry& e : entries) {
      if (Exists(e.temp)) DPO_RETURN_IF_ERROR(RenameFile(e.temp, e.target));
      if (std::find(dirs.begin(), dirs.end(), DirOf(e.target)) == dirs.end()) dirs.push_back(DirOf(e.target));
    }
    for (const std::string& d : dirs) DPO_RETURN_IF_ERROR(FsyncDir(d));
    if (::unlink(journal_path_.c_str()) != 0 && errno != ENOENT)
      return Errno(journal_path_, "cannot remove the journal of the finished change", errno);
    DPO_RETURN_IF_ERROR(FsyncDir(dirs.front()));
    pending_.clear();
    pending_journal_ = false;
    described_.clear();
    shapes_.clear();
    return Status::Ok();
  }

  // Temporary files of a change that never committed: every .dpo-tx-*.tmp in
  // a source directory, the versions of each table's file beside it, and
  // half-written journals.
  Status RemoveOrphans(int* removed) {
    std::vector<std::pair<std::string, std::string>> places;  // directory, file name ("" = any)
    const std::string journal_dir = DirOf(journal_path_);
    const std::string journal_name = FileNameOf(journal_path_);
    if (is_directory_) places.emplace_back(journal_dir, "");
    for (const std::string& t : targets_)
      if (!is_directory_ || DirOf(t) != journal_dir) places.emplace_back(DirOf(t), FileNameOf(t));
    std::vector<std::string> dirs;
    auto remove = [&](const fs::path& p) -> Status {
      if (::unlink(p.c_str()) != 0 && errno != ENOENT)
        return Errno(p.string(), "cannot remove a temporary file of a change that never committed", errno);
      ++*removed;
      if (std::find(dirs.begin(), dirs.end(), p.parent_path().string()) == dirs.end())
        dirs.push_back(p.parent_path().string());
      return Status::Ok();
    };
    for (const auto& [dir, file_name] : places) {
      std::error_code ec;
      for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        bool journal_temp = dir == journal_dir && name.size() > journal_name.size() + 5 &&
                            name.compare(0, journal_name.size() + 1, journal_name + "-") == 0 &&
                            name.compare(name.size() - 4, 4, kTempSuffix) == 0;
        if (IsTempName(name, file_name) || journal_temp) DPO_RETURN_IF_ERROR(remove(e.path()));
      }
    }
    for (const std::string& d : dirs) DPO_RETURN_IF_ERROR(FsyncDir(d));
    return Status::Ok();
  }

  std::string display_;
  std::vector<std::pair<std::string, std::string>> files_;  // table name, path; sorted by name
  std::vector<std::string> targets_;                        // canonical path of each file
  OpenOptions options_;
  CsvParserOptions parser_options_;
  std::string journal_path_;
  std::map<std::string, Table> described_;
  std::map<std::string, std::vector<Column>> shapes_;
  std::vector<std::pair<std::string, ForeignKey>> declared_;
  std::vector<std::string> notices_;
  std::shared_ptr<SkipTally> skips_ = std::make_shared<SkipTally>();
  std::map<std::string, std::string> pending_;  // table -> temporary file of a journaled change
  bool pending_journal_ = false;
  bool in_transaction_ = false;
  bool is_directory_ = false;
};

Status CsvSource::CommitVersions(const std::vector<std::pair<std::string, TempFile*>>& versions) {
  if (versions.empty()) return Status::Ok();
  const std::string nothing = "nothing was changed";
  // 1. The new versions on disk.
  std::vector<JournalEntry> entries;
  for (const auto& [table, temp] : versions) {
    DPO_RETURN_IF_ERROR(FsyncFile(temp->path()).WithContext(nothing));
    entries.push_back({temp->path(), TargetOf(table)});
  }
  // 2. The journal, whole or not at all.
  const std::string journal_dir = DirOf(journal_path_);
  {
    const std::string text = JournalText(entries, journal_dir);
    std::string templ = journal_path_ + "-XXXXXX" + kTempSuffix;
    std::vector<char> name(templ.begin(), templ.end());
    name.push_back('\0');
    Status fault = util::InjectedFault(util::FaultPoint::kWrite, journal_path_);
    if (!fault.ok()) return fault.WithContext(nothing);
    int fd = ::mkstemps(name.data(), static_cast<int>(sizeof kTempSuffix - 1));
    if (fd < 0) return Errno(journal_dir, "cannot create the journal", errno).WithContext(nothing);
    const std::string temp_journal = name.data();
    Status s = WriteAll(fd, text, temp_journal);
    if (s.ok()) s = util::InjectedFault(util::FaultPoint::kFsync, temp_journal);
    if (s.ok() && ::fsync(fd) != 0) s = Errno(temp_journal, "cannot sync the journal", errno);
    if (::close(fd) != 0 && s.ok()) s = Errno(temp_journal, "cannot close the journal", errno);
    if (s.ok()) s = RenameFile(temp_journal, journal_path_);
    if (!s.ok()) {
      ::unlink(temp_journal.c_str());
      return s.WithContext(nothing);
    }
  }
  Status synced = FsyncDir(journal_dir);
  if (!synced.ok()) {
    // Not known to be durable: take it back, and the change with it.
    ::unlink(journal_path_.c_str());
    return synced.WithContext(nothing);
  }
  // 3. Committed: from here on the change is finished, now or by the next
  // writable open.
  for (const auto& [table, temp] : versions) temp->Keep();
  std::vector<std::string> dirs{journal_dir};
  Status s;
  for (const JournalEntry& e : entries) {
    s = RenameFile(e.temp, e.target);
    if (!s.ok()) break;
    if (std::find(dirs.begin(), dirs.end(), DirOf(e.target)) == dirs.end()) dirs.push_back(DirOf(e.target));
  }
  for (size_t i = 0; s.ok() && i < dirs.size(); ++i) s = FsyncDir(dirs[i]);
  for (const auto& [table, temp] : versions) {
    described_.erase(table);
    shapes_.erase(table);
  }
  if (!s.ok()) {
    // Read as committed from now on; the next Begin (or writable open) finishes it.
    LoadPending(entries);
    return s.WithContext("the change is committed (journal " + ShownPath(journal_path_) +
                         ") but not every file could be put in place; dpo finishes it the next time the source is "
                         "opened for writing");
  }
  ::unlink(journal_path_.c_str());
  (void)FsyncDir(journal_dir);  // the change is whole and durable; a journal left behind is finished harmlessly
  return Status::Ok();
}

// Each Execute reads the table's current version (the committed file, or the
// transaction's own latest version) and writes a new one next to the file;
// Commit puts the latest versions in place (CsvSource::CommitVersions).
class CsvTransaction : public Transaction {
 public:
  CsvTransaction(CsvSource* source, const WriteOptions& options) : source_(source), options_(options) {}
  ~CsvTransaction() override {
    if (!finished_) Rollback();
  }

  Result<int64_t> Count(const std::string& table, const std::optional<Predicate>& where) override {
    Result<FileRef> file = Locate(table);
    if (!file.ok()) return file.status();
    FileTables view = Tables();
    return source_->CountFrom(table, *file, where, &view);
  }

  Result<std::unique_ptr<RowReader>> Read(const std::string& table, const ReadRequest& request) override {
    Result<FileRef> file = Locate(table);
    if (!file.ok()) return file.status();
    FileTables view = Tables();
    return source_->ReadFrom(table, *file, request, &view);
  }

  Result<int64_t> Execute(const WriteOp& op, const ReturnRows* returning) override {
    if (finished_) return Status::Error("the transaction has ended", StatusCode::kInternal);
    Result<int64_t> n = ExecuteOne(op, returning);
    if (!n.ok()) failed_ = true;
    return n;
  }

  Status Commit() override {
    if (finished_) return Status::Error("the transaction has ended", StatusCode::kInternal);
    if (failed_) {
      Rollback();
      return Status::Error(ShownPath(source_->display()) + ": not committed because an operation failed; nothing was changed");
    }
    if (options_.dry_run) return Rollback();
    Status fault = util::InjectedFault(util::FaultPoint::kCommit, source_->display());
    Status s = fault.ok() ? source_->CommitVersions(Versions()) : fault.WithContext("nothing was changed");
    End();
    return s;
  }

  Status Rollback() override {
    if (finished_) return Status::Ok();
    End();
    return Status::Ok();
  }

 private:
  struct TableState {
    CsvParserOptions parser;  // delimiter and encoding fixed when the transaction first writes the table
    bool cp1252 = false;
    std::unique_ptr<TempFile> version;
  };

  void End() {
    finished_ = true;
    tables_.clear();  // removes every version not kept by a commit
    source_->EndTransaction();
  }

  std::vector<std::pair<std::string, TempFile*>> Versions() {
    std::vector<std::pair<std::string, TempFile*>> out;
    for (auto& [table, state] : tables_)
      if (state.version) out.emplace_back(table, state.version.get());
    return out;
  }

  Result<FileRef> Locate(const std::string& table) {
    auto it = tables_.find(table);
    if (it != tables_.end() && it->second.version) return FileRef{it->second.version->path(), it->second.parser};
    return source_->Committed(table);
  }

  FileTables Tables() {
    return FileTables([this](const std::string& t) { return source_->Shape(t); },
                      [this](const std::string& t) -> Result<std::unique_ptr<TableStream>> {
                        Result<FileRef> file = Locate(t);
                        if (!file.ok()) return file.status();
                        return source_->OpenStream(*file);
                      });
  }

  Result<TableState*> State(const std::string& table) {
    auto it = tables_.find(table);
    if (it != tables_.end()) return &it->second;
    Result<FileRef> file = source_->Committed(table);
    if (!file.ok()) return file.status();
    TableState state;
    state.parser = source_->parser_options();
    auto encoding = source_->FileEncoding(file->path);
    if (!encoding.ok()) return encoding.status();
    state.parser.encoding = *encoding;
    state.cp1252 = *encoding == CsvEncoding::kWindows1252;
    auto stream = source_->OpenStream(FileRef{file->path, state.parser});
    if (!stream.ok()) return stream.status();
    state.parser.delimiter = (*stream)->parser().delimiter();
    return &tables_.emplace(table, std::move(state)).first->second;
  }

  Result<int64_t> ExecuteOne(const WriteOp& op, const ReturnRows* returning) {
    Result<TableState*> state = State(op.table);
    if (!state.ok()) return state.status();
    Result<FileRef> file = Locate(op.table);
    if (!file.ok()) return file.status();
    auto opened = source_->OpenStream(*file);
    if (!opened.ok()) return opened.status();
    TableStream& s = **opened;
    const std::vector<std::string>& cols = s.columns();
    const std::string shown = ShownPath(source_->display());

    std::vector<std::pair<size_t, std::optional<std::string>>> assignments;
    for (const auto& [column, value] : op.assignments) {
      size_t c = static_cast<size_t>(std::find(cols.begin(), cols.end(), column) - cols.begin());
      if (c == cols.size()) return Status::Error(shown + ": " + UnknownColumn(op.table, column));
      assignments.emplace_back(c, value);
    }
    std::vector<std::pair<size_t, const WriteOp::ComputedAssignment*>> computed;
    if (op.kind == WriteOp::Kind::kUpdate) {
      DPO_RETURN_IF_ERROR(CheckComputedAssignments(op));
      for (const WriteOp::ComputedAssignment& a : op.computed) {
        size_t c = static_cast<size_t>(std::find(cols.begin(), cols.end(), a.column) - cols.begin());
        if (c == cols.size()) return Status::Error(shown + ": " + UnknownColumn(op.table, a.column));
        computed.emplace_back(c, &a);
      }
    }
    std::vector<size_t> returned;
    if (returning != nullptr) {
      for (const std::string& r : returning->columns) {
        size_t c = static_cast<size_t>(std::find(cols.begin(), cols.end(), r) - cols.begin());
        if (c == cols.size()) return Status::Error(shown + ": " + UnknownColumn(op.table, r));
        bool written = false;
        for (const auto& [column, value] : op.assignments) written |= column == r;
        for (const WriteOp::ComputedAssignment& a : op.computed) written |= a.column == r;
        if (written)
          return Status::Error("update of " + Shown(op.table) + "." + Shown(r) +
                               " cannot also return it; return the key columns", StatusCode::kInternal);
        returned.push_back(c);
      }
    }
    FileTables view = Tables();
    Result<BoundPredicate> where = source_->Bind(op.where, op.table, cols, &view);
    if (!where.ok()) return where.status();

    std::vector<Reference> refs = ReferencesTo(op.table, std::vector<const Table*>{}, source_->declared());
    if (op.kind == WriteOp::Kind::kDelete) {
      DPO_RETURN_IF_ERROR(CheckNoOrphans(op.table, op.where, refs,
                                         [this](const std::string& t, const Predicate& p) { return Count(t, p); }));
    } else {
      DPO_RETURN_IF_ERROR(CheckUpdateKeepsReferences(op, refs));
    }
    return Rewrite(op, **state, s, *where, assignments, computed, returned, returning);
  }

  // CSV enforces no references of its own: an update must not touch a column
  // a declared relation depends on, a referenced key or a referencing column
  // set to anything but NULL (dpo deletes, anonymises and restricts; it never
  // needs either).
  Status CheckUpdateKeepsReferences(const WriteOp& op, const std::vector<Reference>& refs) {
    std::vector<std::pair<std::string, bool>> written;  // column, whether it gets a value other than NULL
    for (const auto& [column, value] : op.assignments) written.emplace_back(column, value.has_value());
    for (const WriteOp::ComputedAssignment& c : op.computed) written.emplace_back(c.column, true);
    for (const auto& [column, value] : written) {
      for (const Reference& r : refs)
        for (const std::string& k : r.key.referenced_columns)
          if (k == column)
            return Status::Error("update of " + op.table + "." + column + " would change a key that " + r.child +
                                 " references; dpo does not change referenced keys; nothing was changed");
      for (const auto& [child, fk] : source_->declared()) {
        if (child != op.table || !value) continue;
        for (const std::string& c : fk.columns)
          if (c == column)
            return Status::Error("update of " + op.table + "." + column + " would re-point a reference to " +
                                 fk.referenced_table + "; dpo only sets such columns to NULL; nothing was changed");
      }
    }
    return Status::Ok();
  }

  // Streams the current version into a new one, applying `op`. Rows it does
  // not change are copied byte for byte; changed rows keep the file's
  // delimiter, line ends and encoding; ragged rows (skip_bad_rows) are kept.
  Result<int64_t> Rewrite(const WriteOp& op, TableState& state, TableStream& s, const BoundPredicate& where,
                          const std::vector<std::pair<size_t, std::optional<std::string>>>& assignments,
                          const std::vector<std::pair<size_t, const WriteOp::ComputedAssignment*>>& computed,
                          const std::vector<size_t>& returned, const ReturnRows* returning) {
    const std::string& target = source_->TargetOf(op.table);
    const char delimiter = s.parser().delimiter();
    auto temp = std::make_unique<TempFile>();
    DPO_RETURN_IF_ERROR(temp->Create(target));
    std::string encoded;
    auto emit = [&](std::string_view utf8, const std::string& what) -> Status {
      if (!state.cp1252) return temp->Append(utf8);
      encoded.clear();
      if (!AppendUtf8AsWindows1252(utf8, &encoded))
        return Status::Error(ShownPath(target) + ": " + what +
                             " holds a character Windows-1252 cannot represent, and the file is "
                             "Windows-1252; convert the file to UTF-8 first (nothing was changed)");
      return temp->Append(encoded);
    };
    if (s.parser().had_bom()) DPO_RETURN_IF_ERROR(temp->Append("\xEF\xBB\xBF"));
    DPO_RETURN_IF_ERROR(emit(s.header_raw(), "the header"));

    const bool is_delete = op.kind == WriteOp::Kind::kDelete;
    int64_t changed = 0;
    std::vector<std::optional<std::string>> values, keys(returned.size());
    std::string line;
    for (;;) {
      Result<bool> r = s.NextAny();
      if (!r.ok()) return r.status();
      if (!*r) break;
      const CsvRecord& rec = s.record();
      if (s.ragged() || !where.Matches(RecordCells(rec))) {
        // Ragged rows are kept as they are: skip_bad_rows means "leave it", not "delete it".
        DPO_RETURN_IF_ERROR(emit(rec.raw(), "a row"));
        continue;
      }
      ++changed;
      if (returning != nullptr) {
        for (size_t i = 0; i < returned.size(); ++i) {
          if (IsNullField(rec, returned[i])) keys[i].reset();
          else keys[i] = std::string(rec.field(returned[i]));
        }
        DPO_RETURN_IF_ERROR(returning->row(keys));
      }
      if (is_delete) continue;
      values.clear();
      for (size_t c = 0; c < rec.size(); ++c) {
        if (IsNullField(rec, c)) values.emplace_back();
        else values.emplace_back(std::string(rec.field(c)));
      }
      for (const auto& [c, value] : assignments) values[c] = value;
      for (const auto& [c, a] : computed) values[c] = a->fn(values[c]);
      // The blank lines the raw text of the row started with, then the row.
      std::string_view raw = rec.raw();
      size_t lead = 0;
      while (lead < raw.size() && (raw[lead] == '\n' || raw[lead] == '\r')) ++lead;
      line.assign(raw.substr(0, lead));
      for (size_t c = 0; c < values.size(); ++c) {
        if (c > 0) line.push_back(delimiter);
        AppendField(values[c], delimiter, values.size() == 1, &line);
      }
      line.append(rec.terminator());
      DPO_RETURN_IF_ERROR(emit(line, "an updated row of table " + Shown(op.table)));
    }
    if (changed == 0) return int64_t{0};  // nothing to change: the version stays (the temp file goes)
    DPO_RETURN_IF_ERROR(temp->Close());
    state.version = std::move(temp);  // the previous version, if any, is removed
    return changed;
  }

  CsvSource* source_;
  WriteOptions options_;
  std::map<std::string, TableState> tables_;
  bool finished_ = false;
  bool failed_ = false;
};

Result<std::unique_ptr<Transaction>> CsvSource::Begin(const WriteOptions& options) {
  if (options_.read_only)
    return Status::Error(ShownPath(display_) + ": cannot write: the source was opened read-only" +
                         std::string(options.dry_run ? " (a dry run executes the writes on temporary copies and "
                                                       "throws them away, so it needs write access too)"
                                                     : "") +
                         "; nothing was changed");
  if (in_transaction_)
    return Status::Error(ShownPath(display_) + ": a transaction of this source is still open; finish it first",
                         StatusCode::kInternal);
  if (pending_journal_) DPO_RETURN_IF_ERROR(Recover());
  in_transaction_ = true;
  return std::unique_ptr<Transaction>(new CsvTransaction(this, options));
}

bool HasCsvExtension(const fs::path& p) { return Lower(p.extension().string()) == ".csv"; }

}  // namespace

Result<std::unique_ptr<Source>> OpenCsvSource(const std::string& path, const OpenOptions& options) {
  CsvParserOptions parser_options;
  parser_options.delimiter = options.csv.delimiter;
  auto encoding = ParseCsvEncoding(options.csv.encoding);
  if (!encoding.ok()) return encoding.status().WithContext(ShownPath(path));
  parser_options.encoding = *encoding;
  parser_options.max_fields = static_cast<size_t>(std::max<int64_t>(1, options.csv.max_columns));
  parser_options.max_record_bytes = static_cast<size_t>(std::max<int64_t>(1, options.csv.max_record_bytes));

  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return Status::Error(ShownPath(path) + ": no such file or directory; give a .csv file or a directory of them");
  }
  std::vector<std::pair<std::string, std::string>> files;
  const bool is_directory = fs::is_directory(st);
  if (is_directory) {
    fs::directory_iterator it(path, ec);
    if (ec) return Status::Error(ShownPath(path) + ": cannot list the directory: " + ec.message());
    for (const fs::directory_entry& e : it) {
      std::error_code e_ec;
      if (!HasCsvExtension(e.path()) || !e.is_regular_file(e_ec)) continue;
      files.emplace_back(e.path().stem().string(), e.path().string());
    }
    if (files.empty()) return Status::Error(ShownPath(path) + ": no *.csv files in this directory");
    std::sort(files.begin(), files.end());
    for (size_t i = 1; i < files.size(); ++i) {
      if (files[i].first == files[i - 1].first) {
        return Status::Error(ShownPath(path) + ": two files give table name " + util::NameForMessage(files[i].first) +
                             "; rename one of them");
      }
    }
  } else if (fs::is_regular_file(st)) {
    files.emplace_back(fs::path(path).stem().string(), path);
  } else {
    return Status::Error(ShownPath(path) + ": not a regular file or a directory");
  }
  auto source = std::make_unique<CsvSource>(path, std::move(files), is_directory, options, parser_options);
  DPO_RETURN_IF_ERROR(source->Recover());
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace dpo::source
