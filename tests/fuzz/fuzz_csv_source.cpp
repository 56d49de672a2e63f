// The CSV source (source/csv/csv_source.h) on a file holding the fuzzer's
// bytes after the first, which picks the options (header, skip_bad_rows,
// delimiter, encoding, sample mode): list the tables, describe each (type
// inference, row count), read every row, count them, and read again with a
// predicate on the first column so that the row-by-row evaluator sees the
// cells too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_util.h"
#include "source/csv/csv_source.h"

using namespace dpo;
using namespace dpo::source;

namespace {

void ReadAll(Source& source, const std::string& table, const ReadRequest& request) {
  Result<std::unique_ptr<RowReader>> reader = source.Read(table, request);
  if (!reader.ok()) return;
  RowBatch batch;
  for (;;) {
    Result<bool> next = (*reader)->Next(&batch);
    if (!next.ok() || !*next) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        if (!batch.IsNull(r, c)) (void)batch.Cell(r, c);
      }
    }
  }
  (void)(*reader)->stats();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string path = dpo_fuzz::WriteScratch("people.csv", data + 1, size - 1);

  OpenOptions options;
  options.read_only = true;
  options.csv.header = (mode & 1) == 0;
  options.csv.skip_bad_rows = (mode & 2) != 0;
  static const char kDelimiters[] = {0, ',', ';', '\t'};
  options.csv.delimiter = kDelimiters[(mode >> 2) & 3];
  static const char* const kEncodings[] = {"auto", "utf-8", "windows-1252", "auto"};
  options.csv.encoding = kEncodings[(mode >> 4) & 3];

  Result<std::unique_ptr<Source>> source = OpenCsvSource(path, options);
  if (!source.ok()) return 0;
  Result<std::vector<std::string>> tables = (*source)->ListTables();
  if (!tables.ok()) return 0;
  for (const std::string& table : *tables) {
    Result<Table> described = (*source)->Describe(table);
    if (!described.ok()) continue;
    ReadRequest all;
    all.batch_rows = 3;
    if (mode & 0x40) {
      all.mode = (mode & 0x80) ? SampleMode::kRandom : SampleMode::kFirst;
      all.limit = 2;
      all.seed = mode;
    }
    ReadAll(**source, table, all);
    (void)(*source)->Count(table, std::nullopt);
    if (!described->columns.empty()) {
      const Column& first = described->columns.front();
      Predicate where;
      where.op = Predicate::Op::kOr;
      Predicate is_null;
      is_null.op = Predicate::Op::kIsNull;
      is_null.column = first.name;
      Predicate like;
      like.op = Predicate::Op::kLike;
      like.column = first.name;
      like.values = {"%a_%"};
      where.children = {is_null, like};
      ReadRequest filtered;
      filtered.where = where;
      ReadAll(**source, table, filtered);
      (void)(*source)->Count(table, where);
    }
  }
  (void)(*source)->Notices();
  return 0;
}
