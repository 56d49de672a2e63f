// Shared fixture for scan tests: a generated sample (SQLite + CSV) in a
// temporary directory, with its ground truth.
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

#include "sample/generator.h"

namespace dpo::testing {

struct SampleFixture {
  std::filesystem::path dir;
  std::string db;
  std::string csv_dir;
  sample::GroundTruth truth;

  SampleFixture(uint64_t rows, uint64_t seed) {
    static int counter = 0;
    dir = std::filesystem::temp_directory_path() /
          ("dpo-scan-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    db = (dir / "staffing.db").string();
    csv_dir = (dir / "csv").string();
    sample::GenerateOptions options;
    options.sqlite_path = db;
    options.csv_dir = csv_dir;
    options.rows = rows;
    options.seed = seed;
    auto report = sample::GenerateSample(options);
    if (!report.ok()) throw std::runtime_error(report.status().message());
    truth = report->truth;
  }
  ~SampleFixture() { std::filesystem::remove_all(dir); }
};

}  // namespace dpo::testing
