#include <cstdio>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "stdout_guard.h"
#include "usage_error.h"
#include "dpo/version.h"
#include "util/exit_codes.h"
#include "util/message.h"

namespace dpo::cmd {

int ExitCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInternal: return kExitInternal;
    // Everything the user can act on: the message says what to do. Nothing
    // was changed (writes roll back before the error reaches cmd/).
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kBusy:
    case StatusCode::kIoError:
    case StatusCode::kConflict:
      return kExitInput;
  }
  return kExitInternal;
}

int ReportError(const Status& status) {
  // The safety net under every message: whatever a library put in it, no
  // control byte reaches the terminal and the error stays one line.
  std::cerr << (status.code() == StatusCode::kInternal ? "dpo: internal error: " : "dpo: error: ")
            << util::EscapeForMessage(status.message(), 4096) << "\n";
  return ExitCodeFor(status.code());
}

void ReportWarning(const std::string& message) {
  std::cerr << "dpo: warning: " << util::EscapeForMessage(message, 4096) << "\n";
}

}  // namespace dpo::cmd

int main(int argc, char** argv) {
  using namespace dpo;
  cmd::StdoutGuard stdout_guard;
  // Named "dpo", not argv[0]: help shows "Usage: dpo scan ...", whatever
  // path the binary was started by.
  CLI::App app{"dpo - GDPR/AVG compliance toolkit: policy as code, scans, retention, DSAR, anonymisation", "dpo"};
  const std::string version_line = std::string("dpo ") + DPO_VERSION;
  app.set_version_flag("-V,--version", version_line);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok; 1 findings (scan, detect), a retention rule or replayed rows left out, a tampered audit log,\n"
      "a changed DSAR package, an overdue request;\n"
      "2 usage, policy, source or input error (nothing was changed); 3 internal error (a bug: please report).\n"
      "Run 'dpo help SUBCOMMAND' or 'man dpo-SUBCOMMAND' for details.");

  int exit_code = kExitOk;
  cmd::RegisterPolicy(app, &exit_code);
  cmd::RegisterSample(app, &exit_code);
  cmd::RegisterInspect(app, &exit_code);
  cmd::RegisterDetect(app, &exit_code);
  cmd::RegisterScan(app, &exit_code);
  cmd::RegisterAudit(app, &exit_code);
  cmd::RegisterRetention(app, &exit_code);
  cmd::RegisterLedger(app, &exit_code);
  cmd::RegisterRequests(app, &exit_code);
  cmd::RegisterDsar(app, &exit_code);
  cmd::RegisterErase(app, &exit_code);
  cmd::RegisterAnonymise(app, &exit_code);
  cmd::RegisterExport(app, &exit_code);
  cmd::RegisterCompletion(app, &exit_code);

  CLI::App* version = app.add_subcommand("version", "Print the version: dpo X.Y.Z (as --version and -V)");
  version->footer("Examples:\n  dpo version\n  dpo -V\nExit codes: 0 ok.");
  version->callback([&]() { std::cout << version_line << "\n"; });

  std::vector<std::string> help_topic;
  CLI::App* help = app.add_subcommand("help", "Show help for a subcommand: dpo help SUBCOMMAND [SUBCOMMAND]");
  help->add_option("subcommand", help_topic, "Subcommand to explain");
  help->callback([&]() {
    CLI::App* target = &app;
    for (const std::string& name : help_topic) {
      CLI::App* sub = nullptr;
      try {
        sub = target->get_subcommand(name);
      } catch (const CLI::OptionNotFound&) {
      }
      if (sub == nullptr) {
        std::vector<std::string> names;
        for (const CLI::App* s : target->get_subcommands([](const CLI::App*) { return true; })) {
          names.push_back(s->get_name());
        }
        const std::string suggestion = cmd::ClosestName(name, names);
        std::cerr << "dpo: error: unknown command '" << util::EscapeForMessage(name, 80) << "'"
                  << (suggestion.empty() ? "; run '" + cmd::CommandPath(*target) + " --help' for the list"
                                         : "; did you mean '" + suggestion + "'?")
                  << "\n";
        exit_code = kExitInput;
        return;
      }
      target = sub;
    }
    // The formatter, not target->help(): help() names the command without
    // its parents ("Usage: scan") and, for the root, shows the help of the
    // parsed 'help' subcommand itself.
    std::cout << target->get_formatter()->make_help(target, cmd::CommandPath(*target), CLI::AppFormatMode::Normal);
  });
  help->footer("Examples:\n  dpo help scan\n  dpo help retention apply\nExit codes: 0 ok; 2 unknown subcommand.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return stdout_guard.Finish(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return stdout_guard.Finish(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return stdout_guard.Finish(app.exit(e));
  } catch (const CLI::ParseError& e) {
    const std::optional<std::string> explained =
        cmd::ExplainUsageError(app, std::vector<std::string>(argv + 1, argv + argc));
    const std::string what = e.what();
    if (explained) {
      std::cerr << "dpo: error: " << *explained << "\n";
    } else if (what == "--quiet excludes --verbose" || what == "--verbose excludes --quiet") {
      // One meaning on every command: -q prints nothing on success, -v more.
      std::cerr << "dpo: error: -q (--quiet) and -v (--verbose) together: give one of them; -q prints nothing on "
                   "success, -v says more\n";
    } else {
      std::cerr << "dpo: error: " << util::EscapeForMessage(e.what(), 4096)
                << "\nRun 'dpo --help' or 'dpo help SUBCOMMAND'.\n";
    }
    return kExitInput;
  } catch (const std::exception& e) {
    std::cerr << "dpo: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return stdout_guard.Finish(exit_code);
}
