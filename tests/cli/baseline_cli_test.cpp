// The CI gate end to end (issue 13): scan the sample against its policy,
// write a baseline, add a column of e-mail addresses to the database, and
// only that one new finding fails; an accepted finding passes until its
// date and fails after it; -q says one line; a bad baseline is exit 2.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;

namespace {

constexpr const char* kPolicy = "policies/staffing-agency.yaml";
constexpr const char* kDay = "2026-11-01";
constexpr const char* kNewFingerprint = "undeclared-personal-data:candidates.backup_mail:datasets.candidates.columns";

struct Gate {
  TempDir dir{"dpo-baseline"};
  std::string db = dir.File("staffing.db");
  Gate() {
    std::filesystem::copy_file(std::string(DPO_SOURCE_DIR) + "/samples/staffing.db", db);
  }
  CliRun Scan(std::vector<std::string> more, const std::string& policy = kPolicy) const {
    std::vector<std::string> args = {"scan", "--policy", policy, db};
    args.insert(args.end(), more.begin(), more.end());
    return RunDpo(dir, args);
  }
  // A column of personal data the policy does not declare.
  void AddEmailColumn() const {
    const std::string sql =
        "ALTER TABLE candidates ADD COLUMN backup_mail TEXT; "
        "UPDATE candidates SET backup_mail = 'kandidaat' || rowid || '@voorbeeld.nl';";
    REQUIRE(std::system(("sqlite3 " + ShellQuote(db) + " " + ShellQuote(sql)).c_str()) == 0);
  }
  // The bundled policy with an `accepted:` list appended.
  std::string PolicyAccepting(const std::string& until) const {
    std::string text = ReadFile(std::string(DPO_SOURCE_DIR) + "/" + kPolicy);
    text += std::string("\naccepted:\n  - finding: ") + kNewFingerprint +
            "\n    reason: backup addresses are migrated to the contact table (ticket 77)\n"
            "    by: the DPO\n    until: " + until + "\n";
    return dir.Write("accepting.yaml", text);
  }
};

std::vector<nlohmann::json> Counting(const nlohmann::json& report) {
  std::vector<nlohmann::json> out;
  for (const auto& f : report["findings"])
    if (!f["baselined"].get<bool>() && f["accepted"].is_null()) out.push_back(f);
  return out;
}

}  // namespace

TEST_CASE("baseline gate: after --write-baseline only a new column of e-mail addresses fails") {
  Gate g;
  const std::string baseline = g.dir.File("baseline.json");
  CliRun first = g.Scan({"--as-of", kDay, "--write-baseline", baseline, "-o", g.dir.File("first.json"), "-f", "json"});
  REQUIRE_MESSAGE(first.exit_code == 1, first.err);  // the sample breaks its policy on purpose
  CHECK(first.err.find("wrote baseline to " + baseline) != std::string::npos);
  struct stat st{};
  REQUIRE(::stat(baseline.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string text = ReadFile(baseline);
  CHECK(text.find('@') == std::string::npos);  // fingerprints only: no addresses, no masked samples
  CHECK(text.find("***") == std::string::npos);
  auto written = nlohmann::json::parse(text);
  CHECK(written["dpo_baseline"] == 1);
  CHECK(written["fingerprints"].size() == nlohmann::json::parse(ReadFile(g.dir.File("first.json")))["findings"].size());

  // Nothing new: the gate passes, and -q prints nothing at all.
  CliRun same = g.Scan({"--as-of", kDay, "--baseline", baseline, "-q"});
  CHECK_MESSAGE(same.exit_code == 0, same.err);
  CHECK(same.out.empty());
  CHECK(same.err.empty());
  // '-' reads the baseline from standard input, as every file dpo reads.
  CliRun piped = RunDpo(g.dir, {"scan", "--policy", kPolicy, g.db, "--as-of", kDay, "--baseline", "-", "-q"}, {},
                        baseline);
  CHECK_MESSAGE(piped.exit_code == 0, piped.err);
  CliRun both = RunDpo(g.dir, {"scan", "--policy", "-", g.db, "--baseline", "-"}, {}, baseline);
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("both read standard input") != std::string::npos);

  g.AddEmailColumn();
  CliRun after = g.Scan({"--as-of", kDay, "--baseline", baseline, "-f", "json"});
  REQUIRE_MESSAGE(after.exit_code == 1, after.err);
  auto report = nlohmann::json::parse(after.out);
  auto counting = Counting(report);
  REQUIRE(counting.size() == 1);
  CHECK(counting[0]["fingerprint"] == kNewFingerprint);
  CHECK(counting[0]["code"] == "undeclared-personal-data");
  CHECK(report["summary"]["errors"] == 1);
  CHECK(report["summary"]["baselined"].get<int64_t>() == static_cast<int64_t>(written["fingerprints"].size()));
  CHECK(report["verdict"] == "FAIL");

  // A full report is a baseline too: the JSON just written, and SARIF.
  const std::string json_report = g.dir.Write("report.json", after.out);
  CHECK(g.Scan({"--as-of", kDay, "--baseline", json_report, "-q"}).exit_code == 0);
  CliRun sarif = g.Scan({"--as-of", kDay, "--baseline", baseline, "-f", "sarif"});
  REQUIRE(sarif.exit_code == 1);
  int fresh = 0, unchanged = 0;
  const nlohmann::json sarif_json = nlohmann::json::parse(sarif.out);
  for (const auto& r : sarif_json["runs"][0]["results"]) {
    if (r["baselineState"] == "new") {
      ++fresh;
      CHECK(r["partialFingerprints"]["dpoFinding/v2"] == kNewFingerprint);
    }
    if (r["baselineState"] == "unchanged") ++unchanged;
  }
  CHECK(fresh == 1);
  CHECK(unchanged == static_cast<int>(written["fingerprints"].size()));
  const std::string sarif_report = g.dir.Write("report.sarif", sarif.out);
  CHECK(g.Scan({"--as-of", kDay, "--baseline", sarif_report, "-q"}).exit_code == 0);

  // Text says what is known apart from what fails.
  CliRun text_run = g.Scan({"--as-of", kDay, "--baseline", baseline});
  CHECK(text_run.out.find("[baselined]") != std::string::npos);
  CHECK(text_run.out.find("1 error, 0 warnings, 0 notes (and ") != std::string::npos);
}

TEST_CASE("baseline gate: -q prints exactly one line on failure, naming the counts and the report") {
  Gate g;
  const std::string baseline = g.dir.File("baseline.json");
  REQUIRE(g.Scan({"--as-of", kDay, "--write-baseline", baseline, "-q"}).exit_code == 1);
  g.AddEmailColumn();
  const std::string out = g.dir.File("report.json");
  CliRun quiet = g.Scan({"--as-of", kDay, "--baseline", baseline, "-q", "-f", "json", "-o", out});
  CHECK(quiet.exit_code == 1);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.rfind("dpo: 1 error, 0 warnings (not counted: ", 0) == 0);
  CHECK(quiet.err.find(" baselined); see " + out + "\n") != std::string::npos);
  CHECK(std::count(quiet.err.begin(), quiet.err.end(), '\n') == 1);
  CHECK(nlohmann::json::parse(ReadFile(out))["summary"]["errors"] == 1);
  // Without -o there is no report: the line says how to get one.
  CliRun bare = g.Scan({"--as-of", kDay, "--baseline", baseline, "-q"});
  CHECK(bare.exit_code == 1);
  CHECK(bare.out.empty());
  CHECK(bare.err == "dpo: 1 error, 0 warnings (not counted: " +
                        std::to_string(nlohmann::json::parse(ReadFile(baseline))["fingerprints"].size()) +
                        " baselined); run without -q, or with -o FILE, for the report\n");
  // Without -q nothing changed: the report on stdout, no summary line.
  CliRun loud = g.Scan({"--as-of", kDay, "--baseline", baseline});
  CHECK(loud.exit_code == 1);
  CHECK(loud.out.find("dpo scan") == 0);
  CHECK(loud.err.empty());
}

TEST_CASE("accepted in the policy: passes until 'until', fails after it with an acceptance-expired warning") {
  Gate g;
  const std::string baseline = g.dir.File("baseline.json");
  REQUIRE(g.Scan({"--as-of", kDay, "--write-baseline", baseline, "-q"}).exit_code == 1);
  g.AddEmailColumn();
  const std::string policy = g.PolicyAccepting(kDay);
  CliRun check = RunDpo(g.dir, {"policy", "check", "--strict", policy});
  CHECK_MESSAGE(check.exit_code == 0, (check.out + check.err));

  CliRun on_the_day = g.Scan({"--as-of", kDay, "--baseline", baseline, "-f", "json"}, policy);
  CHECK_MESSAGE(on_the_day.exit_code == 0, on_the_day.err);
  auto before = nlohmann::json::parse(on_the_day.out);
  CHECK(Counting(before).empty());
  CHECK(before["summary"]["accepted"] == 1);
  for (const auto& f : before["findings"])
    if (f["fingerprint"] == kNewFingerprint) {
      CHECK(f["accepted"]["until"] == kDay);
      CHECK(f["accepted"]["by"] == "the DPO");
      CHECK(f["accepted"]["policy_location"].get<std::string>().find("accepting.yaml:") != std::string::npos);
    }

  // The next day it counts again, and the report says why.
  CliRun day_after = g.Scan({"--as-of", "2026-11-02", "--baseline", baseline, "-f", "json"}, policy);
  CHECK(day_after.exit_code == 1);
  auto after = nlohmann::json::parse(day_after.out);
  bool counts_again = false, expired_warning = false;
  for (const auto& f : Counting(after)) {
    if (f["fingerprint"] == kNewFingerprint) counts_again = true;
    if (f["code"] == "acceptance-expired" && f["table"] == "candidates" && f["column"] == "backup_mail") {
      expired_warning = true;
      CHECK(f["severity"] == "warning");
      CHECK(f["message"].get<std::string>().find("ended on 2026-11-01") != std::string::npos);
    }
  }
  CHECK(counts_again);
  CHECK(expired_warning);
  CHECK(after["summary"]["accepted"] == 0);
}

TEST_CASE("accepted in the policy: a missing until or a bad date is a policy error with file:line:column") {
  TempDir dir;
  std::string text = ReadFile(std::string(DPO_SOURCE_DIR) + "/" + kPolicy);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  const std::string policy = dir.Write(
      "bad.yaml", text + "accepted:\n  - { finding: a:b, reason: r, by: me }\n"
                         "  - { finding: a:c, reason: r, by: me, until: 2027-13-01 }\n");
  CliRun check = RunDpo(dir, {"policy", "check", policy});
  CHECK(check.exit_code != 0);
  const std::string all = check.out + check.err;
  CHECK_MESSAGE(all.find("bad.yaml:" + std::to_string(lines + 2) + ":5") != std::string::npos, all);
  CHECK(all.find("has no 'until'") != std::string::npos);
  CHECK(all.find("bad.yaml:" + std::to_string(lines + 3) + ":47") != std::string::npos);
  CHECK(all.find("is not a date") != std::string::npos);
  // scan refuses the policy: nothing is scanned.
  CliRun scan = RunDpo(dir, {"scan", "--policy", policy, "samples/staffing.db", "-o", dir.File("r.json")});
  CHECK(scan.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(dir.File("r.json")));
}

TEST_CASE("baseline gate: a missing, non-JSON or misshapen baseline is exit 2 and writes nothing") {
  Gate g;
  const std::string report = g.dir.File("report.json");
  struct Case {
    std::string file;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {g.dir.File("missing.json"), "cannot read baseline file"},
      {g.dir.Write("text.json", "not json at all\n"), "not a baseline: invalid JSON at byte"},
      {g.dir.Write("shape.json", "{\"fingerprints\": 3}\n"), "not a baseline, nor a dpo scan JSON or SARIF report"},
      {g.dir.Write("items.json", "{\"dpo_baseline\": 1, \"fingerprints\": [7]}\n"), "fingerprints[0]"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    CliRun run = g.Scan({"--as-of", kDay, "--baseline", c.file, "-o", report, "--write-baseline", g.dir.File("b.json")});
    CHECK(run.exit_code == 2);
    CHECK_MESSAGE(run.err.find(c.file) != std::string::npos, run.err);
    CHECK_MESSAGE(run.err.find(c.expect) != std::string::npos, run.err);
    CHECK(run.err.find("--write-baseline") != std::string::npos);  // what to do
    CHECK_FALSE(std::filesystem::exists(report));
    CHECK_FALSE(std::filesystem::exists(g.dir.File("b.json")));
  }
  // An existing baseline is not replaced without --force, before any work.
  const std::string kept = g.dir.Write("kept.json", "{}\n");
  CliRun refused = g.Scan({"--as-of", kDay, "--write-baseline", kept});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("file exists") != std::string::npos);
  CHECK(ReadFile(kept) == "{}\n");
  CHECK(g.Scan({"--as-of", kDay, "--write-baseline", kept, "--force", "-q"}).exit_code == 1);
  CHECK(nlohmann::json::parse(ReadFile(kept))["dpo_baseline"] == 1);
  // The report and the baseline are two files.
  CliRun same = g.Scan({"--as-of", kDay, "-o", report, "--write-baseline", report});
  CHECK(same.exit_code == 2);
}
