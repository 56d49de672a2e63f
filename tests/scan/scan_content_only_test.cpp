// Discovery on columns whose names say nothing: the sample's CSV files without
// their header rows (columns become col1, col2, ...), judged by content alone.
// Kinds that only a name can reveal (salary amounts, gender codes, cities,
// union dues, cookie ids, job titles) are out of reach by design; the rest
// must still be found, and nothing may be invented.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "scan/scanner.h"
#include "scan_test_util.h"

namespace {

// Kinds a value shows on its own, with a checksum, a format or a vocabulary.
const std::set<std::string> kByContent = {"email", "phone", "iban", "bsn", "postcode", "birth_date", "ipv4", "ipv6",
                                          "payment_card", "vat_nl", "passport_nl", "street_address",
                                          "social_profile", "person_name"};

}  // namespace

TEST_CASE("content alone: headerless CSV columns are still found, and nothing is invented") {
  dpo::testing::SampleFixture sample(1500, 21);
  std::filesystem::path bare = sample.dir / "bare";
  std::filesystem::create_directories(bare);
  for (const auto& t : sample.truth.tables) {
    std::ifstream in(sample.csv_dir + "/" + t.csv_file, std::ios::binary);
    std::string header;
    std::getline(in, header);
    std::ofstream out(bare / t.csv_file, std::ios::binary);
    out << in.rdbuf();
  }
  dpo::source::OpenOptions open;
  open.csv.header = false;
  auto src = dpo::source::OpenSource("csv:" + bare.string(), open);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  dpo::scan::ScanOptions options;
  options.full = true;
  auto result = dpo::scan::RunScan(**src, options);
  REQUIRE_MESSAGE(result.ok(), result.status().message());

  int tp = 0, fn = 0, fp = 0;
  std::string log;
  for (const auto& table : result->tables) {
    const auto* tt = sample.truth.FindTable(table.name);
    REQUIRE(tt != nullptr);
    REQUIRE(table.columns.size() == tt->columns.size());
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const auto& column = table.columns[i];
      const auto& truth = tt->columns[i];
      CHECK(column.name == "col" + std::to_string(i + 1));
      bool free_text = std::find(truth.kinds.begin(), truth.kinds.end(), "free_text") != truth.kinds.end();
      bool reachable = false, personal = false;
      for (const auto& k : truth.kinds) {
        reachable |= kByContent.count(k) > 0;
        personal |= k != "date";
      }
      bool found = !column.discovered_category.empty();
      std::string where = table.name + "." + truth.name;
      if (free_text) continue;  // judged separately by the free-text finding
      if (reachable && found) ++tp;
      if (reachable && !found) { ++fn; log += " missed:" + where; }
      if (!personal && found) { ++fp; log += " invented:" + where + "=" + column.discovered_category; }
    }
  }
  double recall = tp + fn == 0 ? 1 : double(tp) / (tp + fn);
  double precision = tp + fp == 0 ? 1 : double(tp) / (tp + fp);
  MESSAGE("content only: tp=" << tp << " fn=" << fn << " fp=" << fp << " recall=" << recall
                              << " precision=" << precision << log);
  CHECK(tp >= 30);
  CHECK(recall >= 0.9);
  CHECK(precision >= 0.95);
}
