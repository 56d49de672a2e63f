// The write-path conformance suite on a directory of CSV files: the same
// data, operations and expected answers as SQLite and PostgreSQL, with the
// dataset's foreign keys declared as relations (CSV has no schema).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "csv_test_util.h"
#include "source/csv/csv_source.h"
#include "write_conformance.h"

using namespace dpo;

namespace {

// NULL is an empty unquoted field; the dataset's values need no quoting.
void WriteDataset(const std::string& dir) {
  for (const testing::ConformanceTable& t : testing::ConformanceDataset()) {
    std::ofstream out(dir + "/" + t.name + ".csv", std::ios::binary);
    for (size_t i = 0; i < t.columns.size(); ++i) out << (i ? "," : "") << t.columns[i].first;
    out << "\n";
    for (const auto& row : t.rows) {
      for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << (row[i] ? *row[i] : "");
      out << "\n";
    }
  }
}

}  // namespace

TEST_CASE("write conformance: CSV") {
  auto dir = std::make_shared<source::csv_test::TempDir>();
  static int counter = 0;
  testing::Backend backend{"csv",
                           [dir](bool read_only) {
                             std::string path = dir->File("conf" + std::to_string(++counter));
                             std::filesystem::create_directories(path);
                             WriteDataset(path);
                             source::OpenOptions options;
                             options.read_only = read_only;
                             auto src = source::OpenCsvSource(path, options);
                             REQUIRE_MESSAGE(src.ok(), src.status().message());
                             (*src)->DeclareRelations(testing::ConformanceRelations());
                             return std::move(*src);
                           },
                           testing::ConformanceRelations()};
  testing::RunWriteConformance(backend);
}
