// Column-level precision and recall of discovery against the generator's
// ground truth (the bar: at least 0.95 on both), on SQLite and CSV.
#include <doctest/doctest.h>

#include <set>

#include "scan/scanner.h"
#include "scan_test_util.h"
#include "source/source.h"

namespace {

struct Quality {
  int tp = 0, fp = 0, fn = 0, tn = 0;            // column holds personal data?
  int kind_tp = 0, kind_fp = 0, kind_fn = 0;     // (column, kind) pairs, structured columns
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
  double kind_precision() const { return kind_tp + kind_fp == 0 ? 1.0 : double(kind_tp) / (kind_tp + kind_fp); }
  double kind_recall() const { return kind_tp + kind_fn == 0 ? 1.0 : double(kind_tp) / (kind_tp + kind_fn); }
};

bool IsContextKind(const std::string& k) { return k == "date" || k == "free_text"; }

Quality Measure(const dpo::scan::ScanResult& result, const dpo::sample::GroundTruth& truth, std::string* misses) {
  Quality q;
  for (const auto& table : result.tables) {
    const auto* tt = truth.FindTable(table.name);
    REQUIRE_MESSAGE(tt != nullptr, "table not in truth: " << table.name);
    for (const auto& column : table.columns) {
      const auto* ct = tt->FindColumn(column.name);
      REQUIRE_MESSAGE(ct != nullptr, "column not in truth: " << table.name << "." << column.name);
      std::set<std::string> expected;
      for (const auto& k : ct->kinds)
        if (!IsContextKind(k)) expected.insert(k);
      bool free_text = std::find(ct->kinds.begin(), ct->kinds.end(), "free_text") != ct->kinds.end();
      bool truly_personal = !expected.empty();  // detectable from the data (job titles are not)
      bool found = !column.discovered_category.empty();
      std::string where = table.name + "." + column.name;
      if (truly_personal && found) ++q.tp;
      if (truly_personal && !found) { ++q.fn; *misses += " missed:" + where; }
      if (!truly_personal && found) { ++q.fp; *misses += " false:" + where + "=" + column.discovered_category; }
      if (!truly_personal && !found) ++q.tn;
      if (free_text) continue;  // kinds inside free text are judged by the free-text finding
      std::set<std::string> predicted;
      for (const auto& e : column.evidence)
        if (!IsContextKind(e.kind) && e.confidence >= 0.5) predicted.insert(e.kind);
      for (const auto& k : predicted) {
        if (expected.count(k)) ++q.kind_tp;
        else { ++q.kind_fp; *misses += " kind-false:" + where + "=" + k; }
      }
      for (const auto& k : expected)
        if (!predicted.count(k)) { ++q.kind_fn; *misses += " kind-missed:" + where + "=" + k; }
    }
  }
  return q;
}

void CheckQuality(const std::string& spec, const dpo::sample::GroundTruth& truth, const char* label) {
  dpo::source::OpenOptions open;
  auto src = dpo::source::OpenSource(spec, open);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  dpo::scan::ScanOptions options;
  options.full = true;
  auto result = dpo::scan::RunScan(**src, options);
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  std::string misses;
  Quality q = Measure(*result, truth, &misses);
  MESSAGE(std::string(label) << ": columns tp=" << q.tp << " fp=" << q.fp << " fn=" << q.fn << " tn=" << q.tn
                << " precision=" << q.precision() << " recall=" << q.recall() << "; kinds precision="
                << q.kind_precision() << " recall=" << q.kind_recall() << misses);
  CHECK(q.tp > 40);
  CHECK(q.precision() >= 0.95);
  CHECK(q.recall() >= 0.95);
  CHECK(q.kind_precision() >= 0.95);
  CHECK(q.kind_recall() >= 0.95);
}

}  // namespace

TEST_CASE("discovery finds the generator's personal-data columns with precision and recall >= 0.95") {
  dpo::testing::SampleFixture sample(1500, 11);
  CheckQuality(sample.db, sample.truth, "sqlite");
  CheckQuality("csv:" + sample.csv_dir, sample.truth, "csv");
}
