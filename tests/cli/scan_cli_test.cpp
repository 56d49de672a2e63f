// 'dpo scan' end to end, as the README tells a new user to run it, on the
// bundled sample and policy; plus the error paths and output files.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cli_util.h"

using dpo::testing::RunDpo;
using dpo::testing::TempDir;

TEST_CASE("the README's main job: check the bundled policy, scan the bundled sample against it") {
  TempDir dir;
  auto check = RunDpo(dir, {"policy", "check", "--strict", "policies/staffing-agency.yaml"});
  CHECK_MESSAGE(check.exit_code == 0, check.err);
  CHECK(check.out.find("ok") != std::string::npos);

  auto scan = RunDpo(dir, {"scan", "--policy", "policies/staffing-agency.yaml", "samples/staffing.db"},
                     {"NO_COLOR=1"});
  CHECK_MESSAGE(scan.exit_code == 1, scan.err);  // the sample breaks its policy on purpose
  CHECK(scan.out.find("undeclared-personal-data") != std::string::npos);
  CHECK(scan.out.find("candidates.private_email_2") != std::string::npos);
  CHECK(scan.out.find("retention-expired") != std::string::npos);
  CHECK(scan.out.find("\033[") == std::string::npos);  // not a terminal: no colours
  CHECK(scan.err.empty());                            // not a terminal: no progress bar

  // The quickstart script wraps exactly these two commands.
  std::string script = dpo::testing::ReadFile(std::string(DPO_SOURCE_DIR) + "/scripts/quickstart.sh");
  CHECK(script.find("policy check --strict policies/staffing-agency.yaml") != std::string::npos);
  CHECK(script.find("scan --policy policies/staffing-agency.yaml samples/staffing.db") != std::string::npos);
}

TEST_CASE("scan --format json is parseable and names table, column, category and severity") {
  TempDir dir;
  auto run = RunDpo(dir, {"scan", "--policy", "policies/staffing-agency.yaml", "--format", "json", "--full",
                          "samples/csv"});
  REQUIRE_MESSAGE(run.exit_code == 1, run.err);
  auto json = nlohmann::json::parse(run.out);
  CHECK(json["schema_version"] == 1);
  CHECK(json["source_kind"] == "csv");
  CHECK(json["mode"] == "full");
  bool undeclared_iban = false;
  for (const auto& f : json["findings"]) {
    CHECK(f.contains("table"));
    CHECK(f.contains("column"));
    CHECK(f.contains("category"));
    CHECK(f.contains("severity"));
    if (f["code"] == "undeclared-personal-data" && f["table"] == "employees" && f["column"] == "extra_1") {
      undeclared_iban = true;
      CHECK(f["file"].get<std::string>().find("employees.csv") != std::string::npos);
      CHECK(f["line"] == 1);
    }
  }
  CHECK(undeclared_iban);
  // Masked, never whole: no IBAN from the sample appears in the report.
  std::string csv = dpo::testing::ReadFile(std::string(DPO_SOURCE_DIR) + "/samples/csv/employees.csv");
  size_t nl = csv.find("NL", csv.find('\n'));
  REQUIRE(nl != std::string::npos);
  CHECK(run.out.find(csv.substr(nl, 18)) == std::string::npos);
}

TEST_CASE("--fail-on decides the exit code; discovery mode is notes only") {
  TempDir dir;
  CHECK(RunDpo(dir, {"scan", "--policy", "policies/staffing-agency.yaml", "--fail-on", "never", "samples/staffing.db"})
            .exit_code == 0);
  auto discovery = RunDpo(dir, {"scan", "samples/staffing.db"});
  CHECK(discovery.exit_code == 0);
  CHECK(RunDpo(dir, {"scan", "--fail-on", "warning", "samples/staffing.db"}).exit_code == 0);
  CHECK(RunDpo(dir, {"scan", "--fail-on", "sometimes", "samples/staffing.db"}).exit_code == 2);
}

TEST_CASE("reports written with -o are owner-only, and not overwritten without --force") {
  TempDir dir;
  std::string out = dir.File("report.sarif");
  auto run = RunDpo(dir, {"scan", "--policy", "policies/staffing-agency.yaml", "-f", "sarif", "-o", out,
                          "samples/staffing.db"});
  CHECK_MESSAGE(run.exit_code == 1, run.err);
  struct stat st{};
  REQUIRE(stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto sarif = nlohmann::json::parse(dpo::testing::ReadFile(out));
  CHECK(sarif["version"] == "2.1.0");
  auto again = RunDpo(dir, {"scan", "-f", "sarif", "-o", out, "samples/staffing.db"});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("--force") != std::string::npos);
}

TEST_CASE("bad input: exit 2, one line that says where and what to do") {
  TempDir dir;
  auto missing = RunDpo(dir, {"scan", dir.File("nope.db")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nope.db") != std::string::npos);

  std::string bad = dir.Write("bad.yaml", "version: 1\ncategories:\n  contact:\n    sensitivity: secret\n");
  auto bad_policy = RunDpo(dir, {"scan", "--policy", bad, "samples/staffing.db"});
  CHECK(bad_policy.exit_code == 2);
  CHECK(bad_policy.err.find("bad.yaml:4:") != std::string::npos);

  auto bad_date = RunDpo(dir, {"scan", "--as-of", "2026-02-30", "samples/staffing.db"});
  CHECK(bad_date.exit_code == 2);
  CHECK(bad_date.err.find("--as-of") != std::string::npos);

  auto bad_table = RunDpo(dir, {"scan", "--table", "nope", "samples/staffing.db"});
  CHECK(bad_table.exit_code == 2);
  CHECK(bad_table.err.find("dpo inspect") != std::string::npos);

  auto pg_down = RunDpo(dir, {"scan", "postgresql://dpo:s3cret-pw@127.0.0.1:1/crm"});
  CHECK(pg_down.exit_code == 2);
  CHECK(pg_down.err.find("s3cret-pw") == std::string::npos);
}

TEST_CASE("a draft from 'policy init' is usable by scan before its TODOs are filled in") {
  TempDir dir;
  std::string draft = dir.File("draft.yaml");
  auto init = RunDpo(dir, {"policy", "init", "samples/staffing.db", "--out", draft});
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  auto check = RunDpo(dir, {"policy", "check", draft});
  CHECK(check.exit_code == 2);  // TODOs are errors for the check
  auto scan = RunDpo(dir, {"scan", "--policy", draft, "samples/staffing.db"});
  CHECK_MESSAGE((scan.exit_code == 0 || scan.exit_code == 1), scan.err);
  CHECK(scan.err.find("TODO") != std::string::npos);
}

TEST_CASE("policy init judges columns whose names say nothing by their values; --schema-only reads none") {
  TempDir dir;
  auto with_values = RunDpo(dir, {"policy", "init", "samples/staffing.db"});
  REQUIRE_MESSAGE(with_values.exit_code == 0, with_values.err);
  CHECK(with_values.out.find("extra_1: financial") != std::string::npos);  // IBANs under a meaningless name
  auto names_only = RunDpo(dir, {"policy", "init", "--schema-only", "samples/staffing.db"});
  REQUIRE(names_only.exit_code == 0);
  CHECK(names_only.out.find("# extra_1: ?") != std::string::npos);
  // The draft names categories, never values: the only '@' is the placeholder contact.
  size_t at = 0, ats = 0, placeholders = 0;
  while ((at = with_values.out.find('@', at)) != std::string::npos) ++ats, ++at;
  at = 0;
  while ((at = with_values.out.find("privacy@example.nl", at)) != std::string::npos) ++placeholders, ++at;
  CHECK(ats == placeholders);
}
