// PLACEHOLDER: replaced by the implementation of 'dpo sample'.
#include "commands.h"

namespace dpo::cmd {

void RegisterSample(CLI::App& app, int* exit_code) {
  CLI::App* sub = app.add_subcommand("sample", "(not yet implemented)");
  sub->callback([exit_code]() {
    *exit_code = ReportError(Status::Error("'dpo sample' is not implemented yet"));
  });
}

}  // namespace dpo::cmd
