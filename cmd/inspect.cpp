// PLACEHOLDER: replaced by the implementation of 'dpo inspect'.
#include "commands.h"

namespace dpo::cmd {

void RegisterInspect(CLI::App& app, int* exit_code) {
  CLI::App* sub = app.add_subcommand("inspect", "(not yet implemented)");
  sub->callback([exit_code]() {
    *exit_code = ReportError(Status::Error("'dpo inspect' is not implemented yet"));
  });
}

}  // namespace dpo::cmd
