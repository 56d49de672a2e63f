// dpo ledger replay | stats: the erasure ledger after a backup restore
// (lib/plan/ledger_replay.h), and what a ledger holds.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "plan/ledger.h"
#include "plan/ledger_replay.h"
#include "report/replay_report.h"
#include "sweep_lock.h"
#include "util/duration.h"
#include "util/keyed_hash.h"
#include "util/message.h"

namespace dpo::cmd {
namespace {

struct ReplayArgs {
  std::string policy;
  std::string source;
  std::string ledger;
  std::string key_file;
  std::string audit_log;
  std::string format = "text";
  bool dry_run = false;
  bool quiet = false;
  bool verbose = false;
  int64_t max_rows = -1;
  double max_percent = 50;
  SourceFlags source_flags;
};

struct StatsArgs {
  std::string ledger;
  std::string format = "text";
  bool quiet = false;
  bool verbose = false;
};

int RunReplay(const ReplayArgs& args) {
  if (args.format != "text" && args.format != "json") return ReportError(Status::Error("--format: use text or json"));
  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return ReportError(policy.status());
  Result<std::string> bytes = ReadInput(args.policy, "policy");
  if (!bytes.ok()) return ReportError(bytes.status());
  Result<util::SecretKey> key = util::SecretKey::Load(args.key_file);
  if (!key.ok()) return ReportError(key.status().WithContext("the ledger's hashes are keyed"));
  Result<plan::Ledger> ledger = plan::Ledger::Open(args.ledger, false);
  if (!ledger.ok()) return ReportError(ledger.status());
  // The lock of `retention sweep`: a replay never runs into the nightly sweep.
  SweepLock lock;
  auto src = lock.OpenLocked(args.source, args.source_flags);
  if (!src.ok()) return ReportError(src.status());
  SkippedRowsWarning skipped_rows(**src);  // on stderr, however the command ends

  plan::ReplayOptions options;
  options.dry_run = args.dry_run;
  options.as_of = util::Today();
  options.policy_sha256 = util::Sha256Hex(*bytes);
  options.audit_log = args.audit_log;
  options.max_rows = args.max_rows;
  options.max_percent = args.max_percent;
  Result<plan::ReplayReport> report = plan::ReplayLedger(*policy, **src, *ledger, *key, options);
  if (!report.ok()) return ReportError(report.status());

  const std::string display = (*src)->DisplayName();
  if (args.format == "json") {
    std::cout << report::RenderReplayJson(*report, display);
  } else if (!args.quiet || args.verbose || args.dry_run) {
    std::cout << report::RenderReplayText(*report, display, args.verbose);
  }
  if (report->other_key_tombstones > 0)
    ReportWarning(std::to_string(report->other_key_tombstones) +
                  " tombstones of the ledger were made with another key and were not matched; if a backup older "
                  "than that key's last sweep was restored, replay again with that key");
  if (report->unknown_table_tombstones > 0)
    ReportWarning(std::to_string(report->unknown_table_tombstones) +
                  " tombstones name tables that " + display + " does not have (renamed or dropped tables)");
  for (const std::string& b : report->blocked) ReportWarning("not replayed: " + b);
  for (const std::string& s : report->skipped) ReportWarning("not replayed: " + s);
  return report->incomplete() ? kExitFindings : kExitOk;
}

int RunStats(const StatsArgs& args) {
  if (args.format != "text" && args.format != "json") return ReportError(Status::Error("--format: use text or json"));
  Result<plan::Ledger> ledger = plan::Ledger::Open(args.ledger, false);
  if (!ledger.ok()) return ReportError(ledger.status());
  Result<std::vector<plan::LedgerStat>> stats = ledger->Stats();
  if (!stats.ok()) return ReportError(stats.status());
  Result<int64_t> tables = ledger->CountTables();
  if (!tables.ok()) return ReportError(tables.status());
  if (args.quiet) return kExitOk;  // the exit status says the ledger can be read
  int64_t total = 0;
  std::map<std::string, int64_t> by_key;
  for (const plan::LedgerStat& s : *stats) {
    total += s.tombstones;
    by_key[s.key_id] += s.tombstones;
  }
  if (args.format == "json") {
    nlohmann::json rows = nlohmann::json::array();
    for (const plan::LedgerStat& s : *stats)
      rows.push_back(
          {{"action", s.action}, {"rule", s.rule}, {"day", s.day}, {"key_id", s.key_id}, {"tombstones", s.tombstones}});
    nlohmann::json out = {{"format", "dpo-ledger-stats"}, {"format_version", 1}, {"ledger", args.ledger},
                          {"tombstones", total},          {"tables", *tables},   {"stats", rows}};
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  std::string keys;
  for (const auto& [id, n] : by_key) keys += (keys.empty() ? "" : ", ") + id;
  std::cout << util::EscapeForMessage(args.ledger, 512) << ": " << total << (total == 1 ? " tombstone" : " tombstones")
            << " of " << *tables << (*tables == 1 ? " table" : " tables");
  if (!keys.empty()) std::cout << ", made with key id " << keys;
  std::cout << "\n";
  if (stats->empty()) return kExitOk;
  std::vector<std::vector<std::string>> rows = {{"action", "rule", "day", "key id", "tombstones"}};
  for (const plan::LedgerStat& s : *stats)
    rows.push_back({s.action, util::EscapeForMessage(s.rule, 128), s.day, s.key_id, std::to_string(s.tombstones)});
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::cout << " ";
    for (size_t i = 0; i < row.size(); ++i) {
      bool right = i + 1 == row.size();
      std::string pad(width[i] - row[i].size(), ' ');
      std::cout << " " << (right ? pad + row[i] : row[i] + pad);
    }
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterLedger(CLI::App& app, int* exit_code) {
  CLI::App* ledger = app.add_subcommand(
      "ledger", "The erasure ledger: re-apply erasures after a backup restore (replay), see what it holds (stats)");
  ledger->require_subcommand(1);

  auto replay_args = std::make_shared<ReplayArgs>();
  CLI::App* replay = ledger->add_subcommand(
      "replay",
      "After a backup restore: find the rows the ledger says were erased and erase, anonymise or restrict them "
      "again, in one transaction (legal holds of the policy as it is now win)");
  replay->add_option("-p,--policy", replay_args->policy, "The policy (as it is now; '-': standard input)")->required();
  replay->add_option("source", replay_args->source, "The restored SQLite file, CSV directory or postgresql:// URI")
      ->required();
  replay->add_option("--ledger", replay_args->ledger, "The erasure ledger the sweeps wrote")->required();
  replay->add_option("--key-file", replay_args->key_file, "The secret key the sweeps used (else DPO_KEY)");
  replay->add_flag("--dry-run", replay_args->dry_run, "Execute inside a transaction, report the counts, roll back");
  replay->add_option("--audit-log", replay_args->audit_log,
                     "Append-only JSON-lines audit log (hash-chained; 'dpo audit verify')");
  replay->add_option("--max-rows", replay_args->max_rows, "Refuse when the replay changes more rows than this");
  replay->add_option("--max-percent", replay_args->max_percent,
                     "Refuse when the replay changes more than this percentage of any table (default 50)")
      ->check(CLI::Range(0.0, 100.0));
  replay->add_option("-f,--format", replay_args->format, "Summary on stdout: text (default) or json");
  AddVerbosityFlags(replay, &replay_args->quiet, &replay_args->verbose,
                    "Print nothing on success (warnings still go to stderr)",
                    "Also list every operation, as 'retention apply' does");
  AddSourceFlags(replay, &replay_args->source_flags);
  replay->footer(
      "Examples:\n  dpo ledger replay -p policy.yaml restored.db --ledger ledger.db --key-file dpo.key --dry-run\n"
      "  dpo ledger replay -p policy.yaml restored.db --ledger ledger.db --key-file dpo.key --audit-log audit.jsonl\n"
      "Exit codes: 0 done (nothing found is done too); 1 done, but rows found were left (a blocked delete, a rule\n"
      "gone from the policy; see stderr); 2 usage, policy, source or ledger error, no or the wrong key, a limit\n"
      "exceeded, a sweep already running, -q with -v (nothing was changed); 3 internal error.");
  replay->callback([replay_args, exit_code]() { *exit_code = RunReplay(*replay_args); });

  auto stats_args = std::make_shared<StatsArgs>();
  CLI::App* stats = ledger->add_subcommand(
      "stats", "Count a ledger's tombstones per action, rule, day and key (no hashes; tables are hashed too)");
  stats->add_option("--ledger", stats_args->ledger, "The erasure ledger")->required();
  stats->add_option("-f,--format", stats_args->format, "text (default) or json");
  AddVerbosityFlags(stats, &stats_args->quiet, &stats_args->verbose,
                    "Print nothing on success (the exit status says the ledger can be read)",
                    "Accepted for scripts: the table already shows every count");
  stats->footer(
      "Examples:\n  dpo ledger stats --ledger ledger.db\n  dpo ledger stats --ledger ledger.db -f json\n"
      "Exit codes: 0 ok; 2 the ledger cannot be read or is not a ledger, -q with -v; 3 internal error.");
  stats->callback([stats_args, exit_code]() { *exit_code = RunStats(*stats_args); });
}

}  // namespace dpo::cmd
