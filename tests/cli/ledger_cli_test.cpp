// `dpo ledger replay | stats` end to end on copies of the bundled sample, as
// the README's "After a backup restore" tells a user to run them: a backup
// copied before the sweep, the sweep with a ledger, the restore replayed.
// Outputs name tables, rules and counts, never a value of the sample; the
// ledger, the audit log and the lock are the owner's only.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;

namespace {

const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";

std::string Copy(const TempDir& dir, const std::string& name) {
  std::string db = dir.File(name);
  std::filesystem::copy_file(std::string(DPO_SOURCE_DIR) + "/samples/staffing.db", db);
  return db;
}

// Every table's rows, in the order of their keys (sqlite3's .dump).
std::string Dump(const TempDir& dir, const std::string& db) {
  std::string out = dir.File(".dump");
  REQUIRE(std::system(("sqlite3 " + ShellQuote(db) + " .dump > " + ShellQuote(out)).c_str()) == 0);
  return ReadFile(out);
}

// Values of the sample that must never reach an output: e-mail addresses,
// BSNs, IBANs, phone numbers and last names of the candidates (those the
// sweep erases among them).
std::vector<std::string> PersonalValues(const TempDir& dir, const std::string& db) {
  std::string out = dir.File(".values");
  std::string sql = "SELECT email FROM candidates UNION SELECT bsn FROM candidates WHERE bsn IS NOT NULL "
                    "UNION SELECT iban FROM candidates WHERE iban IS NOT NULL UNION SELECT phone FROM candidates "
                    "WHERE phone IS NOT NULL UNION SELECT last_name FROM candidates WHERE length(last_name) > 5";
  REQUIRE(std::system(("sqlite3 " + ShellQuote(db) + " " + ShellQuote(sql) + " > " + ShellQuote(out)).c_str()) == 0);
  std::vector<std::string> values;
  std::string text = ReadFile(out), line;
  for (char c : text) {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (!line.empty()) values.push_back(line);
    line.clear();
  }
  REQUIRE(values.size() > 500);
  return values;
}

void CheckNoPersonalData(const std::vector<std::string>& values, const std::string& text, const std::string& what,
                         bool binary = false) {
  INFO(what);
  if (!binary) CHECK(text.find('@') == std::string::npos);
  for (const std::string& v : values)
    if (text.find(v) != std::string::npos) FAIL_CHECK(what << " holds a value of the sample");
}

int Mode(const std::string& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}

struct Restored {
  TempDir dir;
  std::string db, backup, key, ledger, audit;
  std::vector<std::string> personal;

  Restored() {
    db = Copy(dir, "crm.db");
    backup = Copy(dir, "backup.db");
    personal = PersonalValues(dir, db);
    key = dir.Write("dpo.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
    ::chmod(key.c_str(), 0600);
    ledger = dir.File("ledger.db");
    audit = dir.File("audit.log");
    CliRun swept = RunDpo(dir, {"retention", "sweep", "--policy", kPolicy, "--as-of", "2026-11-01", "--max-percent",
                                "100", "--key-file", key, "--ledger", ledger, "--audit-log", audit, db});
    REQUIRE_MESSAGE(swept.exit_code == 1, swept.err);  // the sample has rules dpo blocks, on purpose
  }

  CliRun Replay(std::vector<std::string> extra, const std::vector<std::string>& env = {}) {
    std::vector<std::string> args = {"ledger", "replay", "--policy", kPolicy, backup, "--ledger", ledger};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunDpo(dir, args, env);
  }
};

}  // namespace

TEST_CASE("ledger replay: dry run, replay, again; the restored copy ends as the swept database") {
  Restored r;
  const std::string before = Dump(r.dir, r.backup);
  const std::string swept = Dump(r.dir, r.db);
  REQUIRE(before != swept);

  CliRun stats = RunDpo(r.dir, {"ledger", "stats", "--ledger", r.ledger});
  REQUIRE_MESSAGE(stats.exit_code == 0, stats.err);
  CHECK(stats.out.find(" tombstones of ") != std::string::npos);
  CHECK(stats.out.find("candidate_inactive") != std::string::npos);
  CheckNoPersonalData(r.personal, stats.out, "ledger stats");
  CliRun stats_json = RunDpo(r.dir, {"ledger", "stats", "--ledger", r.ledger, "--format", "json"});
  CHECK(stats_json.exit_code == 0);
  CHECK(stats_json.out.find("\"format\": \"dpo-ledger-stats\"") != std::string::npos);
  // A failed write to stdout is exit 2, as for every command that prints.
  std::string full = ShellQuote(DPO_BINARY) + " ledger stats --ledger " + ShellQuote(r.ledger) + " >/dev/full 2>" +
                     ShellQuote(r.dir.File("full.err"));
  int full_status = std::system(full.c_str());
  CHECK(WEXITSTATUS(full_status) == 2);

  CliRun dry = r.Replay({"--key-file", r.key, "--dry-run", "--max-percent", "100"});
  REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
  CHECK(dry.out.find("dry run: ") != std::string::npos);
  CHECK(dry.out.find("found in the ledger; would change ") != std::string::npos);
  CHECK(dry.out.find("rolled back, nothing was changed") != std::string::npos);
  CHECK(dry.out.find("candidates") != std::string::npos);
  CHECK(Dump(r.dir, r.backup) == before);

  // The default --max-percent 50 refuses this small sample's replay (most
  // absences go): nothing changes.
  CliRun limited = r.Replay({"--key-file", r.key});
  CHECK(limited.exit_code == 2);
  CHECK(limited.err.find("--max-percent") != std::string::npos);
  CHECK(Dump(r.dir, r.backup) == before);

  CliRun replayed = r.Replay({"--key-file", r.key, "--max-percent", "100", "--audit-log", r.audit, "-v"});
  REQUIRE_MESSAGE(replayed.exit_code == 0, replayed.err);
  CHECK(replayed.err.empty());
  CHECK(replayed.out.find("changed ") != std::string::npos);
  CHECK(replayed.out.find("delete ") != std::string::npos);  // -v lists the operations
  CHECK(Dump(r.dir, r.backup) == swept);
  CHECK(RunDpo(r.dir, {"audit", "verify", r.audit}).exit_code == 0);

  // Again, quietly, as cron would: nothing to do, nothing printed.
  CliRun again = r.Replay({"--key-file", r.key, "-q"});
  CHECK(again.exit_code == 0);
  CHECK(again.out.empty());
  CHECK(again.err.empty());
  CliRun json = r.Replay({"--key-file", r.key, "--format", "json"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"format\": \"dpo-ledger-replay\"") != std::string::npos);
  CHECK(json.out.find("\"total\": 0") != std::string::npos);
  CHECK(Dump(r.dir, r.backup) == swept);

  for (const auto& [what, text] : std::vector<std::pair<std::string, std::string>>{
           {"dry-run stdout", dry.out}, {"replay stdout", replayed.out}, {"replay stderr", replayed.err},
           {"json", json.out}, {"audit log", ReadFile(r.audit)}})
    CheckNoPersonalData(r.personal, text, what);
  CheckNoPersonalData(r.personal, ReadFile(r.ledger), "ledger file", /*binary=*/true);
  CHECK(Mode(r.ledger) == 0600);
  CHECK(Mode(r.audit) == 0600);
  CHECK(Mode(r.backup + ".dpo-sweep.lock") == 0600);
}

TEST_CASE("ledger replay refuses: no key, a wrong key, a missing ledger, a running sweep; nothing changes") {
  Restored r;
  const std::string before = Dump(r.dir, r.backup);

  CliRun no_key = r.Replay({}, {"DPO_KEY="});
  CHECK(no_key.exit_code == 2);
  CHECK(no_key.err.find("no key") != std::string::npos);

  std::string wrong = r.dir.Write("wrong.key", "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n");
  ::chmod(wrong.c_str(), 0600);
  CliRun wrong_key = r.Replay({"--key-file", wrong, "--max-percent", "100"});
  CHECK(wrong_key.exit_code == 2);
  CHECK(wrong_key.err.find("none of the ledger's") != std::string::npos);
  CHECK(wrong_key.err.find("nothing was changed") != std::string::npos);

  std::string missing = r.dir.File("none.db");
  CliRun no_ledger = RunDpo(r.dir, {"ledger", "replay", "--policy", kPolicy, r.backup, "--ledger", missing,
                                    "--key-file", r.key});
  CHECK(no_ledger.exit_code == 2);
  CHECK(no_ledger.err.find("no such erasure ledger") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(missing));

  // The lock of retention sweep, held by a sweep that is running.
  std::string lock = r.backup + ".dpo-sweep.lock";
  std::string cmd = "exec 9>" + ShellQuote(lock) + "; flock -x 9; " + ShellQuote(DPO_BINARY) +
                    " ledger replay --policy " + ShellQuote(kPolicy) + " " + ShellQuote(r.backup) + " --ledger " +
                    ShellQuote(r.ledger) + " --key-file " + ShellQuote(r.key) + " --max-percent 100 2>" +
                    ShellQuote(r.dir.File("err"));
  int status = std::system(("bash -c " + ShellQuote(cmd)).c_str());
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(ReadFile(r.dir.File("err")).find("another sweep") != std::string::npos);

  CHECK(Dump(r.dir, r.backup) == before);
  for (const CliRun* run : {&no_key, &wrong_key, &no_ledger}) CheckNoPersonalData(r.personal, run->err, "error");
}

TEST_CASE("ledger replay: a rule gone from the policy is left and reported, exit 1; the rest is replayed") {
  Restored r;
  std::string text = ReadFile(kPolicy);
  // candidates keep their delete rule: the policy stays valid without the restrict.
  size_t begin = text.find("\n  candidate_profile_renewal:\n");
  REQUIRE(begin != std::string::npos);
  size_t end = text.find("\n\n", begin + 1);
  REQUIRE(end != std::string::npos);
  text.erase(begin, end - begin);
  std::string policy = r.dir.Write("policy.yaml", text);
  CliRun run = RunDpo(r.dir, {"ledger", "replay", "--policy", policy, r.backup, "--ledger", r.ledger, "--key-file",
                              r.key, "--max-percent", "100"});
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("dpo: warning: not replayed: rule candidate_profile_renewal") != std::string::npos);
  CHECK(run.err.find("not in the policy") != std::string::npos);
  CHECK(run.out.find("left (see the warnings)") != std::string::npos);
  CheckNoPersonalData(r.personal, run.out + run.err, "replay with a rule gone");
}
