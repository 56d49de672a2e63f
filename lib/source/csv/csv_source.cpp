#include "source/csv/csv_source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <system_error>

#include "source/csv/cp1252.h"
#include "source/csv/csv_parser.h"
#include "source/predicate_eval.h"

namespace dpo::source {
namespace {

namespace fs = std::filesystem;

constexpr int kTypeSampleRows = 1000;
constexpr int64_t kExactCountBytes = int64_t{64} << 20;
constexpr size_t kBatchBytes = size_t{8} << 20;
constexpr size_t kWriteBuffer = size_t{1} << 20;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

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

// A CSV file as a table: the header, then data records checked against it.
class TableStream {
 public:
  static Result<std::unique_ptr<TableStream>> Open(const std::string& path,
                                                   const CsvParserOptions& parser_options,
                                                   const CsvOptions& csv) {
    auto parser = CsvParser::OpenFile(path, parser_options);
    if (!parser.ok()) return parser.status();
    std::unique_ptr<TableStream> s(new TableStream(std::move(parser).value(), csv));
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
        return Status::Error(parser_->display_name() + ":" + std::to_string(rec.line()) +
                             ": row has " + std::to_string(rec.size()) + " fields, " +
                             (csv_.header ? "header has " : "first row has ") +
                             std::to_string(columns_.size()) +
                             "; fix the row or pass --skip-bad-rows");
      }
      ++skipped_;
    }
    return true;
  }

 private:
  TableStream(std::unique_ptr<CsvParser> parser, const CsvOptions& csv)
      : parser_(std::move(parser)), csv_(csv) {}

  Status ReadHeader() {
    Result<bool> r = parser_->Next();
    if (!r.ok()) return r.status();
    const std::string& name = parser_->display_name();
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
    for (size_t i = 0; i < columns_.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (columns_[i] == columns_[j]) {
          return Status::Error(name + ":" + std::to_string(rec.line()) + ": columns " +
                               std::to_string(j + 1) + " and " + std::to_string(i + 1) +
                               " have the same name '" + columns_[i] + "'; rename one of them");
        }
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

// A row held as values, once an update has changed it.
class ValueCells : public RowCells {
 public:
  explicit ValueCells(const std::vector<std::optional<std::string>>& values) : values_(values) {}
  std::optional<std::string_view> Cell(size_t column) const override {
    if (!values_[column]) return std::nullopt;
    return std::string_view(*values_[column]);
  }

 private:
  const std::vector<std::optional<std::string>>& values_;
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
               std::vector<std::string> names, std::optional<BoundPredicate> where,
               const ReadRequest& request)
      : stream_(std::move(stream)),
        projection_(std::move(projection)),
        names_(std::move(names)),
        where_(std::move(where)),
        mode_(request.mode),
        limit_(request.limit),
        seed_(request.seed),
        batch_rows_(std::max<size_t>(1, request.batch_rows)) {}

  const std::vector<std::string>& column_names() const override { return names_; }

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

// Writes a new version of one file next to it; Commit renames it over the
// original, the destructor removes it if it was not committed.
class TempFile {
 public:
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!temp_path_.empty() && !committed_) ::unlink(temp_path_.c_str());
  }

  Status Create(const std::string& path) {
    // Through a symlink, replace the file it points to, not the link.
    std::error_code ec;
    fs::path target = fs::canonical(path, ec);
    path_ = ec ? path : target.string();
    struct stat st;
    if (::stat(path_.c_str(), &st) != 0) return Errno("cannot stat");
    fs::path p(path_);
    std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    std::string templ = dir + "/." + p.filename().string() + ".dpo-XXXXXX";
    std::vector<char> name(templ.begin(), templ.end());
    name.push_back('\0');
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0) return Errno("cannot create a temporary file in " + dir);
    temp_path_ = name.data();
    if (::fchmod(fd_, st.st_mode & 07777) != 0) return Errno("cannot set permissions on the temporary file");
    return Status::Ok();
  }

  Status Write(std::string* data, bool force) {
    if (!force && data->size() < kWriteBuffer) return Status::Ok();
    size_t done = 0;
    while (done < data->size()) {
      ssize_t n = ::write(fd_, data->data() + done, data->size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("cannot write the temporary file");
      }
      done += static_cast<size_t>(n);
    }
    data->clear();
    return Status::Ok();
  }

  Status Finish() {
    if (::fsync(fd_) != 0) return Errno("cannot fsync the temporary file");
    if (::close(fd_) != 0) {
      fd_ = -1;
      return Errno("cannot close the temporary file");
    }
    fd_ = -1;
    return Status::Ok();
  }

  Status Commit() {
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return Errno("cannot replace the file");
    committed_ = true;
    fs::path p(path_);
    std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    return Status::Ok();
  }

 private:
  Status Errno(const std::string& what) const {
    return Status::Error(path_ + ": " + what + ": " + std::strerror(errno) + "; nothing was changed");
  }

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

class CsvSource : public Source {
 public:
  CsvSource(std::string display, std::vector<std::pair<std::string, std::string>> files,
            const OpenOptions& options, CsvParserOptions parser_options)
      : display_(std::move(display)),
        files_(std::move(files)),
        options_(options),
        parser_options_(parser_options) {}

  SourceKind kind() const override { return SourceKind::kCsv; }
  std::string DisplayName() const override { return display_; }

  Result<std::vector<std::string>> ListTables() override {
    std::vector<std::string> names;
    for (const auto& f : files_) names.push_back(f.first);
    return names;
  }

  Result<Table> Describe(const std::string& table) override {
    auto cached = described_.find(table);
    if (cached != described_.end()) return cached->second;
    Result<const std::string*> path = PathOf(table);
    if (!path.ok()) return path.status();
    auto stream = OpenStream(**path, parser_options_);
    if (!stream.ok()) return stream.status();
    TableStream& s = **stream;

    Table t;
    t.name = table;
    t.location = **path;
    std::vector<TypeGuess> guesses(s.columns().size());
    int64_t rows = 0;
    std::error_code ec;
    int64_t size = static_cast<int64_t>(fs::file_size(**path, ec));
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
        for (size_t c = 0; c < guesses.size(); ++c)
          if (!IsNullField(rec, c)) guesses[c].Add(rec.field(c));
      } else if (!exact) {
        break;
      }
    }
    for (size_t c = 0; c < s.columns().size(); ++c) {
      Column col;
      col.name = s.columns()[c];
      col.type = guesses[c].Result();
      col.type_inferred = true;
      col.nullable = true;
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

  Result<std::unique_ptr<RowReader>> Read(const std::string& table,
                                          const ReadRequest& request) override {
    Result<const std::string*> path = PathOf(table);
    if (!path.ok()) return path.status();
    auto stream = OpenStream(**path, parser_options_);
    if (!stream.ok()) return stream.status();
    const std::vector<std::string>& all = (*stream)->columns();
    std::vector<size_t> projection;
    std::vector<std::string> names;
    if (request.columns.empty()) {
      for (size_t i = 0; i < all.size(); ++i) projection.push_back(i);
      names = all;
    } else {
      for (const std::string& c : request.columns) {
        auto it = std::find(all.begin(), all.end(), c);
        if (it == all.end()) return Status::Error(display_ + ": unknown column " + table + "." + c);
        projection.push_back(static_cast<size_t>(it - all.begin()));
        names.push_back(c);
      }
    }
    std::optional<BoundPredicate> where;
    if (request.where) {
      auto bound = BoundPredicate::Bind(*request.where, all, table);
      if (!bound.ok()) return bound.status().WithContext(display_);
      where = std::move(bound).value();
    }
    return std::unique_ptr<RowReader>(new CsvRowReader(std::move(stream).value(), std::move(projection),
                                                       std::move(names), std::move(where), request));
  }

  Result<int64_t> Count(const std::string& table, const std::optional<Predicate>& where) override {
    Result<const std::string*> path = PathOf(table);
    if (!path.ok()) return path.status();
    auto stream = OpenStream(**path, parser_options_);
    if (!stream.ok()) return stream.status();
    std::optional<BoundPredicate> bound;
    if (where) {
      auto b = BoundPredicate::Bind(*where, (*stream)->columns(), table);
      if (!b.ok()) return b.status().WithContext(display_);
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

  Result<WriteResult> Apply(const std::vector<WriteOp>& ops, bool dry_run) override {
    if (options_.read_only) {
      return Status::Error(display_ + ": opened read-only; changing CSV files needs a "
                                      "read-write source (nothing was changed)");
    }
    // Check every op before touching any file.
    std::vector<std::string> touched;  // table names in the order ops first name them
    std::map<std::string, std::vector<std::string>> columns_of;
    for (size_t i = 0; i < ops.size(); ++i) {
      const WriteOp& op = ops[i];
      Result<const std::string*> path = PathOf(op.table);
      if (!path.ok()) return path.status();
      if (!columns_of.count(op.table)) {
        auto stream = OpenStream(**path, parser_options_);
        if (!stream.ok()) return stream.status();
        columns_of[op.table] = (*stream)->columns();
        touched.push_back(op.table);
      }
      const std::vector<std::string>& cols = columns_of[op.table];
      auto bound = BoundPredicate::Bind(op.where, cols, op.table);
      if (!bound.ok()) return bound.status().WithContext(display_);
      if (op.kind == WriteOp::Kind::kUpdate) {
        for (const auto& [column, value] : op.assignments) {
          if (std::find(cols.begin(), cols.end(), column) == cols.end())
            return Status::Error(display_ + ": unknown column " + op.table + "." + column);
        }
      }
    }

    WriteResult result;
    result.rows_affected.assign(ops.size(), 0);
    std::vector<std::unique_ptr<TempFile>> rewritten;
    for (const std::string& table : touched) {
      std::unique_ptr<TempFile> temp;
      DPO_RETURN_IF_ERROR(RewriteTable(table, ops, dry_run, &result, &temp));
      if (temp) rewritten.push_back(std::move(temp));
    }
    for (auto& temp : rewritten) DPO_RETURN_IF_ERROR(temp->Commit());
    for (const std::string& table : touched) described_.erase(table);
    return result;
  }

 private:
  Result<const std::string*> PathOf(const std::string& table) const {
    for (const auto& f : files_)
      if (f.first == table) return &f.second;
    return Status::Error(display_ + ": unknown table " + table);
  }

  Result<std::unique_ptr<TableStream>> OpenStream(const std::string& path,
                                                  const CsvParserOptions& parser_options) {
    return TableStream::Open(path, parser_options, options_.csv);
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
    return (*parser)->encoding() == CsvEncoding::kWindows1252 ? CsvEncoding::kWindows1252
                                                             : CsvEncoding::kUtf8;
  }

  Status RewriteTable(const std::string& table, const std::vector<WriteOp>& ops, bool dry_run,
                      WriteResult* result, std::unique_ptr<TempFile>* temp_out) {
    const std::string& path = **PathOf(table);
    CsvParserOptions parser_options = parser_options_;
    auto encoding = FileEncoding(path);
    if (!encoding.ok()) return encoding.status();
    parser_options.encoding = *encoding;
    const bool cp1252 = *encoding == CsvEncoding::kWindows1252;
    auto opened = OpenStream(path, parser_options);
    if (!opened.ok()) return opened.status();
    TableStream& s = **opened;
    const std::vector<std::string>& cols = s.columns();
    const char delimiter = s.parser().delimiter();

    struct BoundOp {
      size_t index;
      BoundPredicate where;
      std::vector<std::pair<size_t, std::optional<std::string>>> assignments;
      bool is_delete;
    };
    std::vector<BoundOp> bound_ops;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].table != table) continue;
      auto where = BoundPredicate::Bind(ops[i].where, cols, table);
      if (!where.ok()) return where.status().WithContext(display_);
      BoundOp b{i, std::move(where).value(), {}, ops[i].kind == WriteOp::Kind::kDelete};
      for (const auto& [column, value] : ops[i].assignments) {
        size_t c = static_cast<size_t>(std::find(cols.begin(), cols.end(), column) - cols.begin());
        if (c == cols.size()) return Status::Error(display_ + ": unknown column " + table + "." + column);
        b.assignments.emplace_back(c, value);
      }
      bound_ops.push_back(std::move(b));
    }

    std::unique_ptr<TempFile> temp;
    std::string out;
    auto emit = [&](std::string_view utf8, const std::string& what) -> Status {
      if (!temp) return Status::Ok();
      if (!cp1252) {
        out.append(utf8);
      } else if (!AppendUtf8AsWindows1252(utf8, &out)) {
        return Status::Error(path + ": " + what +
                             " holds a character Windows-1252 cannot represent, and the file is "
                             "Windows-1252; convert the file to UTF-8 first (nothing was changed)");
      }
      return temp->Write(&out, false);
    };
    if (!dry_run) {
      temp = std::make_unique<TempFile>();
      DPO_RETURN_IF_ERROR(temp->Create(path));
      if (s.parser().had_bom()) out.append("\xEF\xBB\xBF");
      DPO_RETURN_IF_ERROR(emit(s.header_raw(), "the header"));
    }

    int64_t changed = 0;
    std::vector<std::optional<std::string>> values;
    std::string line;
    for (;;) {
      Result<bool> r = s.NextAny();
      if (!r.ok()) return r.status();
      if (!*r) break;
      const CsvRecord& rec = s.record();
      if (s.ragged()) {  // kept as it is: skip_bad_rows means "leave it", not "delete it"
        DPO_RETURN_IF_ERROR(emit(rec.raw(), "a row"));
        continue;
      }
      bool modified = false, deleted = false;
      for (const BoundOp& op : bound_ops) {
        bool match = modified ? op.where.Matches(ValueCells(values)) : op.where.Matches(RecordCells(rec));
        if (!match) continue;
        ++result->rows_affected[op.index];
        ++changed;
        if (op.is_delete) {
          deleted = true;
          break;
        }
        if (!modified) {
          values.clear();
          for (size_t c = 0; c < rec.size(); ++c) {
            if (IsNullField(rec, c)) values.emplace_back();
            else values.emplace_back(std::string(rec.field(c)));
          }
          modified = true;
        }
        for (const auto& [c, value] : op.assignments) values[c] = value;
      }
      if (deleted) continue;
      if (!modified) {
        DPO_RETURN_IF_ERROR(emit(rec.raw(), "a row"));
        continue;
      }
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
      DPO_RETURN_IF_ERROR(emit(line, "an updated row of table " + table));
    }
    if (!temp || changed == 0) return Status::Ok();  // dry run, or nothing to change: leave the file
    DPO_RETURN_IF_ERROR(temp->Write(&out, true));
    DPO_RETURN_IF_ERROR(temp->Finish());
    *temp_out = std::move(temp);
    return Status::Ok();
  }

  std::string display_;
  std::vector<std::pair<std::string, std::string>> files_;  // table name, path; sorted by name
  OpenOptions options_;
  CsvParserOptions parser_options_;
  std::map<std::string, Table> described_;
};

bool HasCsvExtension(const fs::path& p) { return Lower(p.extension().string()) == ".csv"; }

}  // namespace

Result<std::unique_ptr<Source>> OpenCsvSource(const std::string& path, const OpenOptions& options) {
  CsvParserOptions parser_options;
  parser_options.delimiter = options.csv.delimiter;
  auto encoding = ParseCsvEncoding(options.csv.encoding);
  if (!encoding.ok()) return encoding.status().WithContext(path);
  parser_options.encoding = *encoding;

  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return Status::Error(path + ": no such file or directory; give a .csv file or a directory of them");
  }
  std::vector<std::pair<std::string, std::string>> files;
  if (fs::is_directory(st)) {
    fs::directory_iterator it(path, ec);
    if (ec) return Status::Error(path + ": cannot list the directory: " + ec.message());
    for (const fs::directory_entry& e : it) {
      std::error_code e_ec;
      if (!HasCsvExtension(e.path()) || !e.is_regular_file(e_ec)) continue;
      files.emplace_back(e.path().stem().string(), e.path().string());
    }
    if (files.empty()) return Status::Error(path + ": no *.csv files in this directory");
    std::sort(files.begin(), files.end());
    for (size_t i = 1; i < files.size(); ++i) {
      if (files[i].first == files[i - 1].first) {
        return Status::Error(path + ": two files give table name '" + files[i].first +
                             "'; rename one of them");
      }
    }
  } else if (fs::is_regular_file(st)) {
    files.emplace_back(fs::path(path).stem().string(), path);
  } else {
    return Status::Error(path + ": not a regular file or a directory");
  }
  return std::unique_ptr<Source>(new CsvSource(path, std::move(files), options, parser_options));
}

}  // namespace dpo::source
