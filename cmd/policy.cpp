// PLACEHOLDER: replaced by the implementation of 'dpo policy'.
#include "commands.h"

namespace dpo::cmd {

void RegisterPolicy(CLI::App& app, int* exit_code) {
  CLI::App* sub = app.add_subcommand("policy", "(not yet implemented)");
  sub->callback([exit_code]() {
    *exit_code = ReportError(Status::Error("'dpo policy' is not implemented yet"));
  });
}

}  // namespace dpo::cmd
