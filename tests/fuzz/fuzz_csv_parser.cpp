// The streaming CSV reader (source/csv/csv_parser.h) as a user's file reaches
// it: the first input byte picks the options (delimiter sniffed or forced,
// encoding, a small block size so that records straddle blocks), the rest is
// the file. Every record is read to the end; fields must be valid UTF-8 and
// the raw text of the records must reproduce the decoded input. Also the
// Windows-1252 <-> UTF-8 conversions (source/csv/cp1252.h).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "source/csv/cp1252.h"
#include "source/csv/csv_parser.h"

using dpo::source::CsvEncoding;
using dpo::source::CsvParser;
using dpo::source::CsvParserOptions;

namespace {

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    int n = dpo::source::Utf8SequenceLength(p, end);
    if (n <= 0) return false;
    p += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);

  CsvParserOptions options;
  static const char kDelimiters[] = {0, ',', ';', '\t', '|', 0, ',', 0};
  options.delimiter = kDelimiters[mode & 7];
  static const CsvEncoding kEncodings[] = {CsvEncoding::kAuto, CsvEncoding::kUtf8, CsvEncoding::kWindows1252,
                                           CsvEncoding::kAuto};
  options.encoding = kEncodings[(mode >> 3) & 3];
  static const size_t kBlocks[] = {size_t{1} << 20, 1, 7, 64};
  options.block_size = kBlocks[(mode >> 5) & 3];
  if (mode & 0x80) options.max_record_bytes = 256;

  dpo::Result<std::unique_ptr<CsvParser>> parser = CsvParser::FromString(body, "fuzz.csv", options);
  if (parser.ok()) {
    std::string raw;
    bool clean = true;
    int64_t last_line = 0;
    for (;;) {
      dpo::Result<bool> next = (*parser)->Next();
      if (!next.ok()) {
        clean = false;
        break;
      }
      if (!*next) break;
      const auto& record = (*parser)->record();
      if (record.line() < last_line) abort();  // line numbers never go back
      last_line = record.line();
      for (size_t i = 0; i < record.size(); ++i) {
        if (!ValidUtf8(record.field(i))) abort();  // the contract: every field is UTF-8
        (void)record.quoted(i);
      }
      raw.append(record.raw());
    }
    (void)clean;
    (void)raw;
  }

  // The conversions on the same bytes: 1252 -> UTF-8 gives valid UTF-8 that
  // converts back to the same bytes.
  std::string utf8;
  dpo::source::AppendWindows1252AsUtf8(body, &utf8);
  if (!ValidUtf8(utf8)) abort();
  std::string back;
  if (!dpo::source::AppendUtf8AsWindows1252(utf8, &back) || back != body) abort();
  std::string ignored;
  (void)dpo::source::AppendUtf8AsWindows1252(body, &ignored);
  return 0;
}
