// Flag values several commands share (dpo issue 12), checked the same way
// everywhere (cmd/flag_checks.h): --sample is a row count in range, never
// silently clamped; --as-of is a real day from 1900 on, and '' is an error,
// not today. Also policy files: an empty category and `columns:` with no
// column are diagnostics with file:line:column.
#include <doctest/doctest.h>

#include <string>

#include "cli_util.h"

namespace {

using dpo::testing::CliRun;
using dpo::testing::RunDpo;
using dpo::testing::TempDir;

const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
const std::string kSampleDb = std::string(DPO_SOURCE_DIR) + "/samples/staffing.db";

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("--sample: out of range is an error naming the range, for scan and policy init alike") {
  TempDir dir;
  for (const char* bad : {"99999999999999999999", "1000000001", "0", "-1", "10x", ""}) {
    CAPTURE(bad);
    CliRun scan = RunDpo(dir, {"scan", kSampleDb, "--sample", bad});
    CHECK(scan.exit_code == 2);
    CHECK(Has(scan.err, "from 1 to 1000000000"));
    CliRun init = RunDpo(dir, {"policy", "init", kSampleDb, "--sample", bad, "--out", dir.File("draft.yaml")});
    CHECK(init.exit_code == 2);
    CHECK(Has(init.err, "from 1 to 1000000000"));
  }
  CHECK(RunDpo(dir, {"scan", kSampleDb, "--sample", "1000000000", "--fail-on", "never", "-q"}).exit_code == 0);
}

TEST_CASE("--as-of: empty, too early or not a day is an error on every command that takes it") {
  TempDir dir;
  const std::vector<std::vector<std::string>> commands = {
      {"scan", kSampleDb},
      {"retention", "plan", "--policy", kPolicy, kSampleDb},
      {"retention", "notices", "--policy", kPolicy, kSampleDb},
      {"requests", "list", "--register", dir.File("requests.db")},
  };
  for (const auto& command : commands) {
    for (const char* bad : {"", "0001-01-01", "1899-12-31", "2026-02-30", "today"}) {
      std::vector<std::string> args = command;
      args.insert(args.end(), {"--as-of", bad});
      CAPTURE(args[0]);
      CAPTURE(bad);
      CliRun run = RunDpo(dir, args);
      CHECK(run.exit_code == 2);
      CHECK(Has(run.err, "1900-01-01"));
      // Never printf's "-001-01-01" from date arithmetic on year 1.
      CHECK_FALSE(Has(run.err + run.out, "-001-"));
    }
  }
  CliRun empty = RunDpo(dir, {"scan", kSampleDb, "--as-of", ""});
  CHECK(Has(empty.err, "leave the flag out for today"));
  CHECK(RunDpo(dir, {"scan", kSampleDb, "--as-of", "1900-01-01", "--fail-on", "never", "-q"}).exit_code == 0);
}

TEST_CASE("policy check: an empty category and columns without a column are errors with a place") {
  TempDir dir;
  const std::string head =
      "version: 1\n"
      "controller: { name: Test BV, country: NL }\n"
      "data_subjects:\n"
      "  customer: { description: Customers }\n"
      "categories:\n"
      "  contact: { description: E-mail, sensitivity: ordinary }\n"
      "purposes:\n"
      "  service: { description: Service, legal_basis: contract, data_subjects: [customer], categories: [contact] }\n"
      "datasets:\n"
      "  customers:\n"
      "    data_subject: customer\n"
      "    purposes: [service]\n";
  SUBCASE("an empty category") {
    std::string policy = dir.Write("p.yaml", head + "    columns:\n      id: none\n      email: ''\n");
    CliRun run = RunDpo(dir, {"policy", "check", policy});
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "p.yaml:15:14"));
    CHECK(Has(run.err, "empty category"));
  }
  SUBCASE("an empty category in the long form") {
    std::string policy = dir.Write("p.yaml", head + "    columns:\n      email: { category: '' }\n");
    CliRun run = RunDpo(dir, {"policy", "check", policy});
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "p.yaml:14:"));
    CHECK(Has(run.err, "empty category"));
  }
  SUBCASE("columns: null") {
    std::string policy = dir.Write("p.yaml", head + "    columns: null\n");
    CliRun run = RunDpo(dir, {"policy", "check", policy});
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "p.yaml:13:5"));
    CHECK(Has(run.err, "no column under it"));
  }
  SUBCASE("an empty list item") {
    std::string with_empty = head;
    with_empty.replace(with_empty.find("purposes: [service]"), 19, "purposes: ['']");
    std::string policy = dir.Write("p.yaml", with_empty + "    columns:\n      email: contact\n");
    CliRun run = RunDpo(dir, {"policy", "check", policy});
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "p.yaml:12:16"));
    CHECK(Has(run.err, "is empty, not a name"));
  }
  SUBCASE("an empty id") {
    std::string policy = dir.Write(
        "p.yaml", head + "    columns:\n      email: contact\n"
                         "  '':\n    data_subject: customer\n    purposes: ['']\n    columns: { id: none }\n");
    CliRun run = RunDpo(dir, {"policy", "check", policy});
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "p.yaml:15:3"));
    CHECK(Has(run.err, "an empty name"));
  }
}
