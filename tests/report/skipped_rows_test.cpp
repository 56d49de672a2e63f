// Rows skipped under --skip-bad-rows are said in every scan format: how many
// and where, never what they held.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "render_util.h"
#include "report/skipped_rows.h"

using namespace dpo::report;
using namespace dpo::report::testing;

TEST_CASE("skipped rows: the sentence counts, lists the lines, and says when it lists only the first") {
  CHECK(SkippedRowsSentence(1, {7}) == "1 row with the wrong number of fields skipped (--skip-bad-rows), at line 7");
  CHECK(SkippedRowsSentence(3, {3, 5, 7}) ==
        "3 rows with the wrong number of fields skipped (--skip-bad-rows), at lines 3, 5 and 7");
  CHECK(SkippedRowsSentence(9, {2, 4, 6, 8, 10}) ==
        "9 rows with the wrong number of fields skipped (--skip-bad-rows), the first at lines 2, 4, 6, 8, 10");
  CHECK(SkippedRowsSentence(2, {}) == "2 rows with the wrong number of fields skipped (--skip-bad-rows)");
}

TEST_CASE("skipped rows: text, Markdown, HTML, JSON and SARIF each say them; without any, none does") {
  dpo::scan::ScanResult r = DiscoveryResult();
  REQUIRE(!r.tables.empty());
  r.tables[0].file = "exports/x.csv";
  r.tables[0].rows_skipped = 2;
  r.tables[0].skipped_lines = {4, 9};
  const std::string sentence = "2 rows with the wrong number of fields skipped (--skip-bad-rows), at lines 4 and 9";
  CHECK(Render(r, ScanFormat::kText).find("exports/x.csv: " + sentence) != std::string::npos);
  CHECK(Render(r, ScanFormat::kMarkdown).find(sentence) != std::string::npos);
  CHECK(Render(r, ScanFormat::kHtml).find(sentence) != std::string::npos);
  auto json = nlohmann::json::parse(Render(r, ScanFormat::kJson));
  CHECK(json["tables"][0]["rows_skipped"] == 2);
  CHECK(json["tables"][0]["skipped_lines"] == nlohmann::json::array({4, 9}));
  auto sarif = nlohmann::json::parse(Render(r, ScanFormat::kSarif));
  auto notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
  REQUIRE(notes.size() == 1);
  CHECK(notes[0]["level"] == "warning");
  CHECK(notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4);

  dpo::scan::ScanResult clean = DiscoveryResult();
  CHECK(Render(clean, ScanFormat::kText).find("skipped") == std::string::npos);
  CHECK(nlohmann::json::parse(Render(clean, ScanFormat::kSarif))["runs"][0]["invocations"][0].count(
            "toolExecutionNotifications") == 0);
}
