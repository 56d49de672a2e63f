// PLACEHOLDER: replaced by the implementation of 'dpo detect'.
#include "commands.h"

namespace dpo::cmd {

void RegisterDetect(CLI::App& app, int* exit_code) {
  CLI::App* sub = app.add_subcommand("detect", "(not yet implemented)");
  sub->callback([exit_code]() {
    *exit_code = ReportError(Status::Error("'dpo detect' is not implemented yet"));
  });
}

}  // namespace dpo::cmd
