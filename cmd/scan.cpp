// PLACEHOLDER: replaced by the implementation of 'dpo scan'.
#include "commands.h"

namespace dpo::cmd {

void RegisterScan(CLI::App& app, int* exit_code) {
  CLI::App* sub = app.add_subcommand("scan", "(not yet implemented)");
  sub->callback([exit_code]() {
    *exit_code = ReportError(Status::Error("'dpo scan' is not implemented yet"));
  });
}

}  // namespace dpo::cmd
