// dpo audit verify LOG: check the hash chain of a retention audit log.
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "common.h"
#include "plan/audit_log.h"

namespace dpo::cmd {
namespace {

struct VerifyArgs {
  std::string log;
  bool quiet = false;
  bool verbose = false;
};

int RunVerify(const VerifyArgs& args) {
  Result<plan::VerifyReport> report = plan::VerifyAuditLog(args.log);
  if (!report.ok()) return ReportError(report.status());
  if (!report->ok) {
    std::cout << args.log << ":" << report->bad_line << ": " << report->problem << "\n";
    return kExitFindings;
  }
  // An unfinished apply is not a broken chain, but it changes what the log
  // can prove: shown under -q too (on stderr).
  for (const plan::UnfinishedApply& u : report->unfinished)
    ReportWarning(args.log + ":" + std::to_string(u.line) + ": " + u.command + " on " + u.source + " at " + u.time +
                  " (seq " + std::to_string(u.seq) + ", about to change " + std::to_string(u.rows) +
                  " rows) has an intent entry but no outcome: dpo was stopped between its commit and its audit "
                  "entries, or before it could roll back; whether its changes were committed is not in this log. "
                  "Check the source (make the plan again: rows still due mean it was not committed) and "
                  "'dpo ledger stats'");
  if (args.quiet) return kExitOk;
  std::cout << args.log << ": ok, " << report->entries << (report->entries == 1 ? " entry" : " entries");
  if (!report->unfinished.empty())
    std::cout << "; " << report->unfinished.size() << " unfinished apply" << (report->unfinished.size() == 1 ? "" : "s");
  std::cout << "\n";
  return kExitOk;
}

}  // namespace

void RegisterAudit(CLI::App& app, int* exit_code) {
  CLI::App* audit = app.add_subcommand("audit", "Check the audit log that retention apply and sweep write");
  audit->require_subcommand(1);

  auto verify_args = std::make_shared<VerifyArgs>();
  CLI::App* verify = audit->add_subcommand(
      "verify", "Check an audit log's hash chain: exit 1 naming the first edited, removed, inserted or moved entry");
  verify->add_option("log", verify_args->log, "Audit log (JSON lines)")->required();
  AddVerbosityFlags(verify, &verify_args->quiet, &verify_args->verbose,
                    "Print nothing when the log is intact (a broken chain is still named on stdout)",
                    "Accepted for scripts: the ok line already counts the entries");
  verify->footer(
      "Examples:\n  dpo audit verify /var/lib/dpo/audit.jsonl\n  dpo audit verify -q audit.jsonl || mail -s tampered dpo\n"
      "An apply stopped between its commit and its audit entries (SIGKILL, power loss) leaves an intent entry\n"
      "with no outcome: verify names it in a warning (also with -q) and still exits 0.\n"
      "Exit codes: 0 the log is intact; 1 an entry was edited, removed, inserted or moved (named on stdout);\n"
      "2 the log cannot be read or bad usage (-q with -v); 3 internal error.");
  verify->callback([verify_args, exit_code]() { *exit_code = RunVerify(*verify_args); });
}

}  // namespace dpo::cmd
