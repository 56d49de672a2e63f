// The inspect report: a CSV column's nullability is what its rows showed,
// marked as a guess; a database column's is what the schema declares.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "report/inspect_report.h"

using namespace dpo;

namespace {

report::InspectReport TwoColumns(std::optional<bool> first_seen, std::optional<bool> second_seen) {
  report::InspectReport r;
  r.source_name = "t.csv";
  r.source_kind = "csv";
  source::Table t;
  t.name = "t";
  source::Column a;
  a.name = "id";
  a.empty_values_seen = first_seen;
  a.nullable = first_seen.has_value();  // a database column here is NOT NULL; CSV stays nullable
  source::Column b;
  b.name = "notes";
  b.empty_values_seen = second_seen;
  t.columns = {a, b};
  r.tables.push_back(t);
  return r;
}

}  // namespace

// Regression (issue 13): every CSV column was shown as nullable.
TEST_CASE("inspect report: a CSV column without an empty value is not shown as nullable") {
  report::InspectReport r = TwoColumns(false, true);
  const std::string text = report::RenderInspectText(r);
  CHECK(text.find("no (none seen)") != std::string::npos);
  CHECK(text.find("yes (seen)") != std::string::npos);
  auto json = nlohmann::json::parse(report::RenderInspectJson(r));
  auto columns = json["tables"][0]["columns"];
  CHECK(columns[0]["nullable"] == false);
  CHECK(columns[0]["nullable_inferred"] == true);
  CHECK(columns[1]["nullable"] == true);
}

TEST_CASE("inspect report: a database column's nullability is the schema's") {
  report::InspectReport r = TwoColumns(std::nullopt, std::nullopt);
  const std::string text = report::RenderInspectText(r);
  CHECK(text.find("(none seen)") == std::string::npos);
  auto json = nlohmann::json::parse(report::RenderInspectJson(r));
  CHECK(json["tables"][0]["columns"][0]["nullable"] == false);
  CHECK(json["tables"][0]["columns"][0]["nullable_inferred"] == false);
  CHECK(json["tables"][0]["columns"][1]["nullable"] == true);
}
