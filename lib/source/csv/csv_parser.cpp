#include "source/csv/csv_parser.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "source/csv/cp1252.h"
#include "util/message.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dpo::source {
namespace {

// Readable bytes past the end of the buffer, so that a 16-byte load that
// starts at the last valid byte never leaves the allocation.
constexpr size_t kPadding = 64;
constexpr size_t kSniffBytes = 64 << 10;
constexpr int kSniffLines = 50;

// Finds the next byte that ends or complicates a field: in an unquoted field
// the delimiter, '"', CR, LF; in a quoted one '"' and LF (for line numbers);
// in both NUL and any byte >= 0x80 (encoding checks). Returns `end` if none.
class Scanner {
 public:
  explicit Scanner(char delimiter) {
#if defined(__SSE2__)
    delimiter_ = _mm_set1_epi8(delimiter);
    quote_ = _mm_set1_epi8('"');
    lf_ = _mm_set1_epi8('\n');
    cr_ = _mm_set1_epi8('\r');
    zero_ = _mm_setzero_si128();
#else
    for (int c = 0; c < 256; ++c) {
      unquoted_[c] = c == 0 || c >= 0x80 || c == '"' || c == '\n' || c == '\r' ||
                     c == static_cast<unsigned char>(delimiter);
      quoted_[c] = c == 0 || c >= 0x80 || c == '"' || c == '\n';
    }
#endif
  }

  const char* Unquoted(const char* p, const char* end) const {
#if defined(__SSE2__)
    while (p < end) {
      int bits = Special16(p);
      if (bits != 0) return std::min(p + __builtin_ctz(bits), end);
      p += 16;
    }
    return end;
#else
    while (p < end && !unquoted_[static_cast<unsigned char>(*p)]) ++p;
    return p;
#endif
  }

#if defined(__SSE2__)
  // Bit i set when p[i] (i < 64) is a byte Unquoted stops at. p[0, 64) must
  // be readable.
  uint64_t Mask64(const char* p) const {
    uint64_t mask = 0;
    for (int i = 0; i < 4; ++i) mask |= static_cast<uint64_t>(static_cast<uint32_t>(Special16(p + 16 * i))) << (16 * i);
    return mask;
  }
#endif

  const char* Quoted(const char* p, const char* end) const {
#if defined(__SSE2__)
    while (p < end) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote_), _mm_cmpeq_epi8(v, lf_)),
                               _mm_cmpeq_epi8(v, zero_));
      int bits = _mm_movemask_epi8(_mm_or_si128(m, v));
      if (bits != 0) return std::min(p + __builtin_ctz(bits), end);
      p += 16;
    }
    return end;
#else
    while (p < end && !quoted_[static_cast<unsigned char>(*p)]) ++p;
    return p;
#endif
  }

 private:
#if defined(__SSE2__)
  // Bit i set when p[i] (i < 16) is a byte an unquoted field stops at: the
  // delimiter, '"', LF, CR, NUL or a byte >= 0x80.
  int Special16(const char* p) const {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, delimiter_), _mm_cmpeq_epi8(v, quote_)),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf_), _mm_cmpeq_epi8(v, cr_)), _mm_cmpeq_epi8(v, zero_)));
    return _mm_movemask_epi8(_mm_or_si128(m, v));
  }

  __m128i delimiter_, quote_, lf_, cr_, zero_;
#else
  bool unquoted_[256];
  bool quoted_[256];
#endif
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

}  // namespace

Result<CsvEncoding> ParseCsvEncoding(const std::string& name) {
  std::string n = Lower(name);
  if (n == "auto" || n.empty()) return CsvEncoding::kAuto;
  if (n == "utf-8" || n == "utf8") return CsvEncoding::kUtf8;
  if (n == "windows-1252" || n == "cp1252" || n == "win1252") return CsvEncoding::kWindows1252;
  return Status::Error("unknown CSV encoding '" + util::EscapeForMessage(name) +
                       "'; use auto, utf-8 or windows-1252");
}

const char* CsvEncodingName(CsvEncoding encoding) {
  switch (encoding) {
    case CsvEncoding::kAuto: return "auto";
    case CsvEncoding::kUtf8: return "utf-8";
    case CsvEncoding::kWindows1252: return "windows-1252";
  }
  return "auto";
}

CsvParser::CsvParser(std::string name, const CsvParserOptions& options)
    : name_(std::move(name)), options_(options) {
  if (options_.max_record_bytes == 0) options_.max_record_bytes = 1;
  // A small record limit means small blocks, not a limit silently raised.
  options_.block_size = std::min(options_.block_size, options_.max_record_bytes);
  if (options_.block_size < 4096) options_.block_size = 4096;
}

namespace {

// "64 MiB", or "1000 bytes" for a limit that is not whole MiB.
std::string ShownBytes(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

Status CsvParser::RecordTooLong(int64_t line) const {
  return Fail(line, "record longer than " + ShownBytes(options_.max_record_bytes) +
                        " (the --max-record-bytes limit); is a quote left open here? If the record really is "
                        "this long, raise the limit with --max-record-bytes");
}

CsvParser::~CsvParser() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<CsvParser>> CsvParser::OpenFile(const std::string& path,
                                                       const CsvParserOptions& options) {
  std::unique_ptr<CsvParser> parser(new CsvParser(path, options));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Error(util::EscapeForMessage(path, std::string_view::npos) + ": cannot open: " +
                         std::strerror(errno));
  }
  parser->fd_ = fd;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::Error(util::EscapeForMessage(path, std::string_view::npos) +
                         ": not a regular file; give a .csv file or a directory of them");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  DPO_RETURN_IF_ERROR(parser->Start());
  return parser;
}

Result<std::unique_ptr<CsvParser>> CsvParser::FromString(std::string data, std::string display_name,
                                                         const CsvParserOptions& options) {
  std::unique_ptr<CsvParser> parser(new CsvParser(std::move(display_name), options));
  parser->memory_ = std::move(data);
  DPO_RETURN_IF_ERROR(parser->Start());
  return parser;
}

// File names are data too (a directory of CSV files): escaped, never raw.
std::string CsvParser::ShownName() const { return util::EscapeForMessage(name_, std::string_view::npos); }

Status CsvParser::Fail(int64_t line, const std::string& what) const {
  return Status::Error(ShownName() + ":" + std::to_string(line) + ": " + what);
}

// Like Fail, with the 1-based byte column of p on its physical line.
Status CsvParser::FailAt(const char* p, const char* record_start, int64_t line,
                         const std::string& what) const {
  const char* line_start = p;
  while (line_start > record_start && line_start[-1] != '\n' && line_start[-1] != '\r') --line_start;
  return Status::Error(ShownName() + ":" + std::to_string(line) + ":" +
                       std::to_string(p - line_start + 1) + ": " + what);
}

size_t CsvParser::ReadRaw(char* out, size_t capacity, Status* status) {
  if (fd_ < 0) {
    size_t n = std::min(capacity, memory_.size() - memory_pos_);
    std::memcpy(out, memory_.data() + memory_pos_, n);
    memory_pos_ += n;
    bytes_read_ += static_cast<int64_t>(n);
    return n;
  }
  for (;;) {
    ssize_t n = ::read(fd_, out, capacity);
    if (n >= 0) {
      bytes_read_ += n;
      return static_cast<size_t>(n);
    }
    if (errno == EINTR) continue;
    *status = Status::Error(ShownName() + ": read error: " + std::strerror(errno));
    return 0;
  }
}

void CsvParser::Append(const char* data, size_t size) {
  if (end_ + size > capacity_) {
    size_t capacity = std::max(capacity_ * 2, end_ + size);
    std::unique_ptr<char[]> bigger(new char[capacity + kPadding]);
    std::memcpy(bigger.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    buf_ = std::move(bigger);
    capacity_ = capacity;
  }
  std::memcpy(buf_.get() + end_, data, size);
  end_ += size;
}

// Reinterprets the buffered, not yet returned input as Windows-1252. Called
// once, when the first non-ASCII bytes show the file is not UTF-8; everything
// before them was ASCII, which reads the same in both.
void CsvParser::TranscodeBufferedToUtf8() {
  std::string converted;
  AppendWindows1252AsUtf8(std::string_view(buf_.get() + begin_, end_ - begin_), &converted);
  begin_ = end_ = 0;
  Append(converted.data(), converted.size());
}

Status CsvParser::Fill() {
  if (eof_) return Status::Ok();
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  // The record not yet complete is all that is left in the buffer (with
  // at most a CR waiting for its LF).
  if (!sniffing_ && end_ > options_.max_record_bytes + 2) return RecordTooLong(line_);
  if (capacity_ - end_ < 64) {
    if (!sniffing_ && end_ >= options_.max_record_bytes) return RecordTooLong(line_);
    size_t capacity = capacity_ * 2;
    std::unique_ptr<char[]> bigger(new char[capacity + kPadding]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    capacity_ = capacity;
  }
  Status status;
  size_t n;
  if (encoding_ == CsvEncoding::kWindows1252) {
    // Converted text is at most three times as long as its source.
    raw_block_.resize((capacity_ - end_) / 3);
    n = ReadRaw(raw_block_.data(), raw_block_.size(), &status);
    std::string converted;
    AppendWindows1252AsUtf8(std::string_view(raw_block_.data(), n), &converted);
    std::memcpy(buf_.get() + end_, converted.data(), converted.size());
    end_ += converted.size();
  } else {
    n = ReadRaw(buf_.get() + end_, capacity_ - end_, &status);
    end_ += n;
  }
  if (!status.ok()) return status;
  if (n == 0) eof_ = true;
  return Status::Ok();
}

Status CsvParser::Start() {
  capacity_ = options_.block_size;
  buf_.reset(new char[capacity_ + kPadding]);
  char d = options_.delimiter;
  if (d == '"' || d == '\n' || d == '\r' || static_cast<unsigned char>(d) >= 0x80) {
    return Status::Error(ShownName() + ": the delimiter cannot be a quote, a line break or a non-ASCII byte");
  }
  if (options_.encoding == CsvEncoding::kUtf8) {
    forced_utf8_ = true;
    encoding_ = CsvEncoding::kUtf8;
  }
  // Read the first block whole: BOM and delimiter sniffing look at it.
  sniffing_ = true;
  while (!eof_ && end_ < std::min(capacity_, kSniffBytes)) {
    Status filled = Fill();
    if (!filled.ok()) {
      sniffing_ = false;
      return filled;
    }
  }
  sniffing_ = false;
  auto* u = reinterpret_cast<const unsigned char*>(buf_.get());
  if (end_ >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
    return Status::Error(ShownName() + ": UTF-16 text is not supported; save the file as UTF-8 CSV");
  }
  if (options_.encoding != CsvEncoding::kWindows1252 && end_ >= 3 && u[0] == 0xEF &&
      u[1] == 0xBB && u[2] == 0xBF) {
    begin_ = 3;
    had_bom_ = true;
    encoding_ = CsvEncoding::kUtf8;  // the file says so; invalid bytes later are an error
  }
  if (options_.encoding == CsvEncoding::kWindows1252) {
    TranscodeBufferedToUtf8();
    encoding_ = CsvEncoding::kWindows1252;
  }
  if (const void* nul = std::memchr(buf_.get() + begin_, 0, end_ - begin_)) {
    const char* p = static_cast<const char*>(nul);
    int64_t line = 1 + std::count(static_cast<const char*>(buf_.get() + begin_), p, '\n');
    return Fail(line, "NUL byte: this is not a CSV text file (binary data, or UTF-16 text?)");
  }
  if (options_.delimiter != 0) {
    delimiter_ = options_.delimiter;
  } else {
    SniffDelimiter();
  }
  return Status::Ok();
}

// Picks the candidate that splits the first lines (outside quotes) into the
// same, non-zero number of fields most often; ties go to more fields, then to
// the order ',', ';', tab, '|'. A file none of them splits is one column.
void CsvParser::SniffDelimiter() {
  static constexpr char kCandidates[4] = {',', ';', '\t', '|'};
  const char* p = buf_.get() + begin_;
  const char* end = buf_.get() + std::min(end_, begin_ + kSniffBytes);
  bool whole = eof_ && end == buf_.get() + end_;
  std::vector<std::array<int, 4>> lines;
  std::array<int, 4> counts{};
  bool in_quotes = false;
  bool blank = true;
  for (; p < end && static_cast<int>(lines.size()) < kSniffLines; ++p) {
    char c = *p;
    if (c == '"') {
      in_quotes = !in_quotes;
      blank = false;
    } else if (!in_quotes && (c == '\n' || c == '\r')) {
      if (!blank) lines.push_back(counts);
      counts = {};
      blank = true;
    } else if (!in_quotes) {
      blank = false;
      for (int k = 0; k < 4; ++k) counts[k] += c == kCandidates[k];
    }
  }
  if (whole && p == end && !blank && !in_quotes) lines.push_back(counts);
  if (lines.empty() && !blank) lines.push_back(counts);  // one long first line
  int best = -1, best_agree = 0, best_fields = 0;
  for (int k = 0; k < 4; ++k) {
    if (lines.empty() || lines[0][k] == 0) continue;
    int agree = 0;
    for (const auto& l : lines) agree += l[k] == lines[0][k];
    if (agree > best_agree || (agree == best_agree && lines[0][k] > best_fields)) {
      best = k;
      best_agree = agree;
      best_fields = lines[0][k];
    }
  }
  delimiter_ = best < 0 ? ',' : kCandidates[best];
}

CsvParser::Step CsvParser::HighByte(const char* p, const char* record_start, int64_t line,
                                    size_t* length, Status* status) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  const auto* end = reinterpret_cast<const unsigned char*>(buf_.get() + end_);
  if (encoding_ == CsvEncoding::kAuto) {
    // The first non-ASCII bytes decide, judged on all of the block at hand:
    // only invalid sequences means Windows-1252, only valid ones UTF-8, and
    // both means a file we cannot read without guessing.
    if (Utf8SequenceLength(u, end) < 0 && !eof_) return Step::kNeedMore;
    int valid = 0, invalid = 0;
    for (const unsigned char* q = u; q < end;) {
      if (*q < 0x80) {
        ++q;
        continue;
      }
      int n = Utf8SequenceLength(q, end);
      if (n < 0) {
        if (!eof_) break;
        n = 0;
      }
      if (n == 0) {
        ++invalid;
        ++q;
      } else {
        ++valid;
        q += n;
      }
    }
    if (invalid > 0 && valid > 0) {
      *status = FailAt(p, record_start, line,
                       "mixed encodings (valid UTF-8 and Windows-1252 bytes near this point); "
                       "re-save the file as UTF-8");
      return Step::kError;
    }
    if (invalid > 0) {
      encoding_ = CsvEncoding::kWindows1252;
      TranscodeBufferedToUtf8();
      return Step::kRestart;
    }
    encoding_ = CsvEncoding::kUtf8;
  }
  int n = Utf8SequenceLength(u, end);
  if (n < 0) {
    if (!eof_) return Step::kNeedMore;
    n = 0;
  }
  if (n == 0) {
    *status = FailAt(
        p, record_start, line,
        forced_utf8_ ? "invalid UTF-8 (the file looks like Windows-1252); pass --encoding "
                       "windows-1252 or save the file as UTF-8"
                     : "invalid UTF-8 after UTF-8 text earlier in the file (mixed encodings); "
                       "re-save the file as UTF-8");
    return Step::kError;
  }
  *length = static_cast<size_t>(n);
  return Step::kRecord;
}

CsvParser::Step CsvParser::ParseRecord(Status* status) {
  const Scanner scan(delimiter_);
  char* const base = buf_.get();
  const char* const end = base + end_;
  const char* p = base + begin_;
  const char delimiter = delimiter_;
  int64_t line = line_;

  while (p < end && (*p == '\n' || *p == '\r')) {
    if (*p == '\r' && p + 1 < end && p[1] == '\n') ++p;
    else if (*p == '\r' && p + 1 == end && !eof_) return Step::kNeedMore;
    ++p;
    ++line;
  }
  if (p == end) return Step::kNeedMore;  // at the end of the input: only blank lines were left

  const char* const record_start = p;
  const int64_t record_line = line;
  size_t count = 0;  // fields so far; spans_ only grows, so that adding one is a store
  const size_t max_fields = options_.max_fields == 0 ? SIZE_MAX : options_.max_fields;
  // The spans in locals: stores through spans_ itself made the compiler
  // reload its size and data after every field (they might alias).
  Span* spans = spans_.data();
  size_t spans_capacity = spans_.size();
  bool any_escaped = false;
  auto add = [&](size_t begin, size_t size, bool quoted, bool escaped) {
    if (count == spans_capacity) {
      spans_.resize(std::max<size_t>(16, spans_capacity * 2));
      spans = spans_.data();
      spans_capacity = spans_.size();
    }
    spans[count++] = Span{begin, size, quoted, escaped};
    any_escaped |= escaped;
    return count <= max_fields;
  };
  auto too_many = [&]() {
    *status = Fail(record_line, "more than " + std::to_string(max_fields) +
                                    " fields in one record (the --max-columns limit); if the file really is "
                                    "this wide, raise the limit with --max-columns");
    return Step::kError;
  };
  for (;;) {  // one field per iteration
    if (p < end && *p == '"') {
      const int64_t open_line = line;
      const char* q = p + 1;
      bool escaped = false;
      for (;;) {
        q = scan.Quoted(q, end);
        if (q == end) {
          if (!eof_) return Step::kNeedMore;
          *status = Fail(open_line, "quoted field " + std::to_string(count + 1) +
                                        " opens here and is never closed; close or remove the quote");
          return Step::kError;
        }
        char c = *q;
        if (c == '"') {
          if (q + 1 == end) {
            if (!eof_) return Step::kNeedMore;
            break;
          }
          if (q[1] == '"') {
            escaped = true;
            q += 2;
            continue;
          }
          break;
        }
        if (c == '\n') {
          ++line;
          ++q;
          continue;
        }
        if (c == 0) {
          *status = FailAt(q, record_start, line, "NUL byte: this is not a CSV text file");
          return Step::kError;
        }
        size_t length = 0;
        Step step = HighByte(q, record_start, line, &length, status);
        if (step != Step::kRecord) return step;
        q += length;
      }
      if (!add(static_cast<size_t>(p + 1 - base), static_cast<size_t>(q - p - 1), true, escaped)) return too_many();
      p = q + 1;
      if (p < end && *p == delimiter) {
        ++p;
        continue;
      }
      if (p < end && *p != '\n' && *p != '\r') {
        *status = FailAt(p, record_start, line,
                         "text after the closing quote of field " + std::to_string(count) +
                             "; quote the whole field and double any quote inside it");
        return Step::kError;
      }
    } else {
#if defined(__SSE2__)
      // Fast path for runs of plain fields (the commonest CSV by far: many
      // short values): one mask per 64 bytes gives every delimiter in them,
      // instead of a vector scan and a mispredicted branch per field. It
      // stops at anything else (a quote, a line break, NUL, a byte >= 0x80)
      // and leaves that field, from its start, to the general path below.
      for (const char* block = p; end - block >= 64; block += 64) {
        uint64_t m = scan.Mask64(block);  // p <= block here: every bit is at or after p
        bool stop = false;
        while (m != 0) {
          const char* q = block + __builtin_ctzll(m);
          if (*q != delimiter) {
            stop = true;
            break;
          }
          if (!add(static_cast<size_t>(p - base), static_cast<size_t>(q - p), false, false)) return too_many();
          p = q + 1;
          m &= m - 1;
        }
        if (stop) break;
      }
      if (p < end && *p == '"') continue;  // a quoted field follows a delimiter
#endif
      const char* q = p;
      for (;;) {
        q = scan.Unquoted(q, end);
        if (q == end) break;
        char c = *q;
        if (c == delimiter || c == '\n' || c == '\r') break;
        if (c == '"') {  // a stray quote inside an unquoted field is text
          ++q;
          continue;
        }
        if (c == 0) {
          *status = FailAt(q, record_start, line, "NUL byte: this is not a CSV text file");
          return Step::kError;
        }
        size_t length = 0;
        Step step = HighByte(q, record_start, line, &length, status);
        if (step != Step::kRecord) return step;
        q += length;
      }
      if (q == end && !eof_) return Step::kNeedMore;
      if (!add(static_cast<size_t>(p - base), static_cast<size_t>(q - p), false, false)) return too_many();
      p = q;
      if (p < end && *p == delimiter) {
        ++p;
        continue;
      }
    }
    break;  // p is at a line break or at the end of the input
  }

  if (static_cast<size_t>(p - record_start) > options_.max_record_bytes) {
    *status = RecordTooLong(record_line);
    return Step::kError;
  }
  const char* terminator = p;
  if (p < end) {
    if (*p == '\r' && p + 1 == end && !eof_) return Step::kNeedMore;
    p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
    ++line;
  }

  // Complete: unescape doubled quotes into scratch_, sized first so that the
  // views into it stay valid.
  size_t scratch_size = 0;
  if (any_escaped)
    for (size_t i = 0; i < count; ++i)
      if (spans[i].escaped) scratch_size += spans[i].size;
  if (scratch_.size() < scratch_size) scratch_.resize(scratch_size);
  char* out = scratch_.data();
  record_.fields_.resize(count);
  record_.quoted_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const Span& s = spans[i];
    record_.quoted_[i] = s.quoted;
    if (!s.escaped) {
      record_.fields_[i] = std::string_view(base + s.begin, s.size);
      continue;
    }
    char* field = out;
    const char* in = base + s.begin;
    const char* in_end = in + s.size;
    while (in < in_end) {
      char c = *in++;
      *out++ = c;
      if (c == '"') ++in;  // the second of a doubled quote
    }
    record_.fields_[i] = std::string_view(field, static_cast<size_t>(out - field));
  }
  record_.line_ = record_line;
  record_.raw_ = std::string_view(base + begin_, static_cast<size_t>(p - (base + begin_)));
  record_.terminator_ = std::string_view(terminator, static_cast<size_t>(p - terminator));
  begin_ = static_cast<size_t>(p - base);
  line_ = line;
  return Step::kRecord;
}

Result<bool> CsvParser::Next() {
  for (;;) {
    Status status;
    switch (ParseRecord(&status)) {
      case Step::kRecord:
        return true;
      case Step::kError:
        return status;
      case Step::kRestart:
        continue;
      case Step::kNeedMore:
        if (eof_) {
          begin_ = end_;
          return false;
        }
        DPO_RETURN_IF_ERROR(Fill());
        continue;
    }
  }
}

}  // namespace dpo::source
