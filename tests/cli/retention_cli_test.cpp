// `dpo retention plan | apply | sweep` end to end on a copy of the bundled
// sample, as the README tells a user to run them.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cli_util.h"

using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::TempDir;

namespace {

const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";

std::string CopySample(const TempDir& dir) {
  std::string db = dir.File("crm.db");
  std::filesystem::copy_file(std::string(DPO_SOURCE_DIR) + "/samples/staffing.db", db);
  return db;
}

}  // namespace

TEST_CASE("retention plan writes a reviewable plan and changes nothing; apply --dry-run, apply, then stale") {
  TempDir dir;
  std::string db = CopySample(dir);
  std::string before = ReadFile(db);
  std::string plan = dir.File("plan.json");
  auto planned = RunDpo(dir, {"retention", "plan", "--policy", kPolicy, "--as-of", "2026-11-01", "--out", plan, db});
  REQUIRE_MESSAGE(planned.exit_code == 0, planned.err);
  CHECK(planned.out.find("candidate_inactive: delete candidates") != std::string::npos);
  CHECK(planned.out.find("DELETE FROM \"candidates\"") != std::string::npos);
  CHECK(planned.out.find("BLOCKED") != std::string::npos);  // the sample has rules dpo cannot carry out yet
  CHECK(ReadFile(db) == before);
  struct stat st{};
  REQUIRE(::stat(plan.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // No personal data in the plan: no e-mail address of the sample appears.
  CHECK(ReadFile(plan).find("@") == std::string::npos);

  std::string key = dir.Write("dpo.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  ::chmod(key.c_str(), 0600);
  // Rule employee_records writes keyed pseudonyms into NOT NULL columns:
  // without a key the plan is refused before anything changes.
  auto keyless = RunDpo(dir, {"retention", "apply", plan, db, "--dry-run", "--max-percent", "100"}, {"DPO_KEY="});
  CHECK(keyless.exit_code == 2);
  CHECK(keyless.err.find("keyed pseudonyms") != std::string::npos);
  CHECK(keyless.err.find("--key-file") != std::string::npos);
  CHECK(ReadFile(db) == before);

  auto dry = RunDpo(dir, {"retention", "apply", plan, db, "--dry-run", "--max-percent", "100", "--key-file", key});
  CHECK(dry.exit_code == 1);  // applied what it could; blocked rules make it 1
  CHECK(dry.out.find("dry run: would change") != std::string::npos);
  CHECK(ReadFile(db) == before);

  auto too_much = RunDpo(dir, {"retention", "apply", plan, db, "--key-file", key});
  CHECK(too_much.exit_code == 2);
  CHECK(too_much.err.find("--max-percent") != std::string::npos);
  CHECK(ReadFile(db) == before);

  std::string ledger = dir.File("ledger.db");
  std::string audit = dir.File("audit.log");
  auto applied = RunDpo(dir, {"retention", "apply", plan, db, "--max-percent", "100", "--key-file", key, "--ledger",
                              ledger, "--audit-log", audit});
  CHECK(applied.exit_code == 1);
  CHECK(applied.out.find("changed ") != std::string::npos);
  CHECK(applied.err.find("rule placements was not applied") != std::string::npos);
  CHECK(applied.err.find("employee_records") == std::string::npos);  // anonymised, no longer blocked
  CHECK(ReadFile(db) != before);
  auto verify = RunDpo(dir, {"audit", "verify", audit});
  CHECK(verify.exit_code == 0);
  REQUIRE(::stat(ledger.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto stale = RunDpo(dir, {"retention", "apply", plan, db, "--max-percent", "100", "--key-file", key});
  CHECK(stale.exit_code == 2);
  CHECK(stale.err.find("stale") != std::string::npos);

  auto no_key = RunDpo(dir, {"retention", "apply", plan, db, "--ledger", ledger}, {"DPO_KEY="});
  CHECK(no_key.exit_code == 2);
  CHECK(no_key.err.find("key") != std::string::npos);
}

TEST_CASE("retention sweep: plan and apply for cron, quiet on success, one sweep at a time") {
  TempDir dir;
  std::string db = CopySample(dir);
  // A lock held by another sweep: the second one refuses and changes nothing.
  std::string lock = db + ".dpo-sweep.lock";
  std::string before = ReadFile(db);
  std::string cmd = "exec 9>" + dpo::testing::ShellQuote(lock) + "; flock -x 9; " +
                    dpo::testing::ShellQuote(DPO_BINARY) + " retention sweep --policy " +
                    dpo::testing::ShellQuote(kPolicy) + " --as-of 2026-11-01 --max-percent 100 " +
                    dpo::testing::ShellQuote(db) + " 2>" + dpo::testing::ShellQuote(dir.File("err"));
  int status = std::system(("bash -c " + dpo::testing::ShellQuote(cmd)).c_str());
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(ReadFile(dir.File("err")).find("another sweep") != std::string::npos);
  CHECK(ReadFile(db) == before);

  auto swept = RunDpo(dir, {"retention", "sweep", "--policy", kPolicy, "--as-of", "2026-11-01", "--max-percent",
                            "100", db},
                      {"DPO_KEY=00112233445566778899aabbccddeeff"});
  CHECK(swept.exit_code == 1);  // blocked rules are reported, the rest is done
  CHECK(swept.out.empty());
  CHECK(swept.err.find("was not applied") != std::string::npos);
  CHECK(ReadFile(db) != before);
  // A second sweep the same day finds nothing more for the rules that ran.
  auto again = RunDpo(dir, {"retention", "plan", "--policy", kPolicy, "--as-of", "2026-11-01", "--no-sql", db});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("candidate_inactive: delete candidates older than 2y after last_active_at (before 2024-11-01): 0 rows") !=
        std::string::npos);
  CHECK(again.out.find("employee_records: anonymise employees older than 7y after employment_ended_at (before "
                       "2019-11-01): 0 rows") != std::string::npos);
}
