// A streaming RFC 4180 reader for untrusted CSV files.
//
// Contract:
//  - Reads the input in large blocks and keeps only the block being parsed
//    (plus the one record that straddles two blocks) in memory.
//  - Yields records with 1-based physical line numbers of their first line, so
//    that every error can say FILE:LINE. Blank lines are skipped.
//  - Quoted fields may hold delimiters, doubled quotes and line breaks. Lines
//    end with LF, CRLF or CR. A UTF-8 byte order mark is dropped.
//  - Every field it yields is valid UTF-8: Windows-1252 input is converted on
//    the fly (encoding "auto" detects it, "windows-1252" forces it); with
//    encoding "utf-8" invalid bytes are an error. Nothing is silently mangled.
//  - Malformed input (unterminated quote, text after a closing quote, NUL
//    bytes, invalid encoding) gives a clean error naming FILE:LINE, never a
//    crash or a hang. Messages hold no cell values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace dpo::source {

enum class CsvEncoding {
  kAuto,         // UTF-8 until a byte sequence proves otherwise, then Windows-1252
  kUtf8,
  kWindows1252,
};

// "auto", "utf-8" (also "utf8"), "windows-1252" (also "cp1252"), case-insensitive.
Result<CsvEncoding> ParseCsvEncoding(const std::string& name);
const char* CsvEncodingName(CsvEncoding encoding);

struct CsvParserOptions {
  char delimiter = 0;  // 0 = sniff ',', ';', '\t' or '|' from the first lines
  CsvEncoding encoding = CsvEncoding::kAuto;
  size_t block_size = size_t{1} << 20;
  // Longest record accepted; a longer one is almost always an unterminated quote.
  // Memory stays within about twice this.
  size_t max_record_bytes = size_t{64} << 20;
  // Most fields one record may have (0: no limit): a record of commas alone
  // would otherwise cost ~40 bytes of bookkeeping per byte.
  size_t max_fields = 0;
};

// One record. Views stay valid until the next call to CsvParser::Next().
class CsvRecord {
 public:
  size_t size() const { return fields_.size(); }
  std::string_view field(size_t i) const { return fields_[i]; }
  // True if the field was written between quotes: "" is an empty string while
  // an empty unquoted field is read as NULL (the PostgreSQL COPY convention).
  bool quoted(size_t i) const { return quoted_[i] != 0; }
  int64_t line() const { return line_; }
  // The record exactly as it stands in the (UTF-8 decoded) input, including
  // any blank lines before it and its line terminator; concatenating the raw
  // text of the header and all records reproduces the file.
  std::string_view raw() const { return raw_; }
  // "\n", "\r\n", "\r", or "" for a last line without a terminator.
  std::string_view terminator() const { return terminator_; }

 private:
  friend class CsvParser;
  std::vector<std::string_view> fields_;
  std::vector<unsigned char> quoted_;
  int64_t line_ = 0;
  std::string_view raw_;
  std::string_view terminator_;
};

class CsvParser {
 public:
  // `display_name` names the input in messages (the file path).
  static Result<std::unique_ptr<CsvParser>> OpenFile(const std::string& path,
                                                     const CsvParserOptions& options);
  static Result<std::unique_ptr<CsvParser>> FromString(std::string data, std::string display_name,
                                                       const CsvParserOptions& options);
  ~CsvParser();
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;

  // Reads the next record into record(). Returns true if there was one, false
  // at the end of the input, or an error with FILE:LINE.
  Result<bool> Next();
  const CsvRecord& record() const { return record_; }

  char delimiter() const { return delimiter_; }
  bool had_bom() const { return had_bom_; }
  // The encoding as known so far: kAuto while only ASCII has been seen.
  CsvEncoding encoding() const { return encoding_; }
  // Bytes consumed from the input so far.
  int64_t bytes_read() const { return bytes_read_; }
  const std::string& display_name() const { return name_; }

 private:
  enum class Step { kRecord, kNeedMore, kRestart, kError };

  CsvParser(std::string name, const CsvParserOptions& options);
  Status Start();
  Status Fill();
  size_t ReadRaw(char* out, size_t capacity, Status* status);
  void Append(const char* data, size_t size);
  void TranscodeBufferedToUtf8();
  Step ParseRecord(Status* status);
  Step HighByte(const char* p, const char* record_start, int64_t line, size_t* length,
                Status* status);
  // The file name for a message, escaped (it may hold control characters).
  std::string ShownName() const;
  Status Fail(int64_t line, const std::string& what) const;
  Status RecordTooLong(int64_t line) const;
  Status FailAt(const char* p, const char* record_start, int64_t line,
                const std::string& what) const;
  void SniffDelimiter();

  std::string name_;
  CsvParserOptions options_;
  int fd_ = -1;
  std::string memory_;
  size_t memory_pos_ = 0;

  // buf_[begin_, end_) holds decoded input not yet returned as records; the
  // allocation has kPadding readable bytes past its capacity for vector loads.
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  // While Start reads the first block, the buffer holds whole records too,
  // so its length says nothing about one record's.
  bool sniffing_ = false;
  std::string raw_block_;  // undecoded bytes when converting from Windows-1252

  char delimiter_ = ',';
  bool had_bom_ = false;
  CsvEncoding encoding_ = CsvEncoding::kAuto;
  bool forced_utf8_ = false;
  int64_t line_ = 1;  // physical line of buf_[begin_]
  int64_t bytes_read_ = 0;
  std::string scratch_;  // unescaped quoted fields of the current record

  struct Span {
    size_t begin;
    size_t size;
    bool quoted;
    bool escaped;  // holds doubled quotes
  };
  std::vector<Span> spans_;  // fields of the record being parsed; only grows
  CsvRecord record_;
};

}  // namespace dpo::source
