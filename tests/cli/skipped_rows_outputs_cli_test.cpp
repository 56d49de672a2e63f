// Issue 12, "silent data loss in --skip-bad-rows": rows a command could not
// read are said in what it writes, not only on stderr, where a reviewer or a
// data subject reads later: the DSAR package (manifest.json, data.json and
// the summary), retention and erasure plans (JSON and text, and apply leaves
// the rows as they are), and the anonymised export's summary. Never the
// rows' content.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "fault_cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::FaultWork;
using dpo::testing::ReadFile;
using Json = nlohmann::json;

namespace {

// A candidates row with 4 fields where the header has more: line 302.
constexpr const char* kBadRow = "99999;Secretvalue;row;only four fields\n";

void AddBadRow(const FaultWork& w) {
  std::string path = w.csv + "/candidates.csv";
  std::string content = ReadFile(path);
  REQUIRE(content.back() == '\n');
  w.dir.Write("csv/candidates.csv", content + kBadRow);
}

// The 1-based line of the bad row in the CSV file as it is now.
int64_t BadRowLine(const FaultWork& w) {
  std::string content = ReadFile(w.csv + "/candidates.csv");
  size_t at = content.find(kBadRow);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int64_t>(std::count(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

void CheckSkipped(const Json& list, int64_t line = 302) {
  REQUIRE(list.is_array());
  REQUIRE(list.size() == 1);
  CHECK(list[0]["table"] == "candidates");
  CHECK(list[0]["rows"] == 1);
  REQUIRE(list[0]["first_lines"].size() == 1);
  CHECK(list[0]["first_lines"][0] == line);
}

}  // namespace

TEST_CASE("--skip-bad-rows: a DSAR package says it may be incomplete, in its manifest, data and summary") {
  FaultWork w;
  AddBadRow(w);
  std::vector<std::string> args = {"dsar",       "export", "--policy",   "p.yaml", "csv", "--subject",
                                   "email=dirk.degraaf2@hotmail.com", "--received", "2026-11-02", "-o", "pkg"};
  CliRun refused = w.Dpo(args);
  CHECK(refused.exit_code == 2);  // without the flag: refused, nothing written
  CHECK_FALSE(std::filesystem::exists(w.dir.File("pkg")));
  args.push_back("--skip-bad-rows");
  CliRun run = w.Dpo(args);
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.out.find("the package may be incomplete: 1 row(s) could not be read") != std::string::npos);
  Json manifest = Json::parse(ReadFile(w.dir.File("pkg/manifest.json")));
  CHECK(manifest["unread_rows"]["candidates"] == 1);
  Json data = Json::parse(ReadFile(w.dir.File("pkg/data.json")));
  CheckSkipped(data["skipped_rows"]);
  CHECK_FALSE(data["skipped_rows"][0].contains("file"));  // the subject gets no server paths
  CHECK(ReadFile(w.dir.File("pkg/summary.md")).find("This overview may be incomplete") != std::string::npos);
  CHECK(ReadFile(w.dir.File("pkg/summary.html")).find("This overview may be incomplete") != std::string::npos);
  CliRun verify = w.Dpo({"dsar", "verify", "pkg"});
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  CHECK(ReadFile(w.dir.File("pkg/data.json")).find("Secretvalue") == std::string::npos);
  // In Dutch too.
  CliRun nl = w.Dpo({"dsar", "export", "--policy", "p.yaml", "csv", "--subject", "email=dirk.degraaf2@hotmail.com",
                     "--received", "2026-11-02", "-o", "pkg-nl", "--lang", "nl", "--skip-bad-rows", "-q"});
  REQUIRE_MESSAGE(nl.exit_code == 0, nl.err);
  CHECK(ReadFile(w.dir.File("pkg-nl/summary.md")).find("Dit overzicht is mogelijk niet volledig") != std::string::npos);
}

TEST_CASE("--skip-bad-rows: retention and erasure plans carry the unread rows; apply leaves them as they are") {
  FaultWork w;
  AddBadRow(w);
  CliRun plan = w.Dpo({"retention", "plan", "--policy", "p.yaml", "--as-of", "2026-11-01", "-o", "plan.json", "csv",
                       "--skip-bad-rows"});
  REQUIRE_MESSAGE(plan.exit_code == 0, plan.err);
  CHECK(plan.out.find("not read: candidates: 1 row with the wrong number of fields skipped") != std::string::npos);
  Json doc = Json::parse(ReadFile(w.dir.File("plan.json")));
  CheckSkipped(doc["skipped_rows"]);
  // The plan as read back says it too (the plan file is what gets reviewed).
  CliRun shown = w.Dpo({"retention", "apply", "plan.json", "csv", "--dry-run", "--max-percent", "100",
                        "--key-file", "dpo.key", "--skip-bad-rows", "-q"});
  CHECK_MESSAGE(shown.exit_code == 1, shown.err);  // rule placements is blocked on the sample
  CliRun apply = w.Dpo({"retention", "apply", "plan.json", "csv", "--max-percent", "100", "--key-file", "dpo.key",
                        "--skip-bad-rows", "-q"});
  CHECK_MESSAGE(apply.exit_code == 1, apply.err);
  CHECK(ReadFile(w.csv + "/candidates.csv").find(kBadRow) != std::string::npos);

  CliRun erase = w.Dpo({"erase", "plan", "--policy", "p.yaml", "csv", "--subject", "email=dirk.degraaf2@hotmail.com",
                        "--as-of", "2026-11-01", "-o", "erase.json", "--skip-bad-rows"});
  REQUIRE_MESSAGE(erase.exit_code == 0, erase.err);
  CHECK(erase.out.find("not read: candidates") != std::string::npos);
  // The apply rewrote candidates.csv (the bad row kept, at a new line).
  CheckSkipped(Json::parse(ReadFile(w.dir.File("erase.json")))["skipped_rows"], BadRowLine(w));
  CliRun text = w.Dpo({"erase", "plan", "--policy", "p.yaml", "csv", "--subject", "email=dirk.degraaf2@hotmail.com",
                       "--as-of", "2026-11-01", "--skip-bad-rows"});
  CHECK(text.out.find("the plan does not cover them") != std::string::npos);
}

TEST_CASE("--skip-bad-rows: the anonymised export's summary names the rows it left out") {
  FaultWork w;
  AddBadRow(w);
  CliRun run = w.Dpo({"anonymise", "--policy", "p.yaml", "csv", "-o", "anon/", "--key-file", "dpo.key",
                      "--skip-bad-rows", "--format", "json"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CheckSkipped(Json::parse(run.out)["skipped_rows"]);
  CliRun text = w.Dpo({"anonymise", "--policy", "p.yaml", "csv", "-o", "anon2/", "--key-file", "dpo.key",
                       "--skip-bad-rows"});
  REQUIRE_MESSAGE(text.exit_code == 0, text.err);
  CHECK(text.out.find("not exported: candidates: 1 row") != std::string::npos);
  CHECK(text.out.find("Secretvalue") == std::string::npos);
}

TEST_CASE("--skip-bad-rows: a ledger replay that could not read rows of the restore is incomplete (exit 1)") {
  FaultWork w;
  const std::string backup = w.dir.File("backup");
  std::filesystem::copy(w.csv, backup, std::filesystem::copy_options::recursive);
  CliRun sweep = w.Dpo({"retention", "sweep", "--policy", "p.yaml", "--as-of", "2026-11-01", "--max-percent", "100",
                        "--key-file", "dpo.key", "--ledger", "ledger.db", "csv", "-q"});
  REQUIRE_MESSAGE((sweep.exit_code == 0 || sweep.exit_code == 1), sweep.err);
  // The backup comes back, with a row the reader cannot take.
  std::filesystem::remove_all(w.csv);
  std::filesystem::copy(backup, w.csv, std::filesystem::copy_options::recursive);
  AddBadRow(w);
  CliRun replay = w.Dpo({"ledger", "replay", "--policy", "p.yaml", "--key-file", "dpo.key", "--ledger", "ledger.db",
                         "--max-percent", "100", "csv", "--skip-bad-rows"});
  CHECK_MESSAGE(replay.exit_code == 1, replay.out << replay.err);
  CHECK(replay.out.find("not read: candidates: 1 row with the wrong number of fields skipped") != std::string::npos);
  CliRun json = w.Dpo({"ledger", "replay", "--policy", "p.yaml", "--key-file", "dpo.key", "--ledger", "ledger.db",
                       "--max-percent", "100", "csv", "--skip-bad-rows", "--format", "json", "--dry-run"});
  CHECK(json.exit_code == 1);
  CheckSkipped(Json::parse(json.out)["skipped_rows"], BadRowLine(w));
}
