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
  if (args.quiet) return kExitOk;
  std::cout << args.log << ": ok, " << report->entries << (report->entries == 1 ? " entry" : " entries") << "\n";
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
      "Exit codes: 0 the log is intact; 1 an entry was edited, removed, inserted or moved (named on stdout);\n"
      "2 the log cannot be read or bad usage (-q with -v); 3 internal error.");
  verify->callback([verify_args, exit_code]() { *exit_code = RunVerify(*verify_args); });
}

}  // namespace dpo::cmd
