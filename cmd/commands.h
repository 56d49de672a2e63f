// The subcommands. Each Register* adds one subcommand (with its own
// subcommands) to the app; its callback runs the command and stores the
// process exit code in *exit_code. cmd/ has no logic of its own: it parses
// arguments, calls lib/, picks a renderer and maps errors to exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include "util/exit_codes.h"
#include "util/status.h"

namespace dpo::cmd {

void RegisterPolicy(CLI::App& app, int* exit_code);   // cmd/policy.cpp
void RegisterSample(CLI::App& app, int* exit_code);   // cmd/sample.cpp
void RegisterInspect(CLI::App& app, int* exit_code);  // cmd/inspect.cpp
void RegisterDetect(CLI::App& app, int* exit_code);   // cmd/detect.cpp
void RegisterScan(CLI::App& app, int* exit_code);     // cmd/scan.cpp
void RegisterAudit(CLI::App& app, int* exit_code);    // cmd/audit.cpp
void RegisterRetention(CLI::App& app, int* exit_code);  // cmd/retention.cpp
void RegisterLedger(CLI::App& app, int* exit_code);     // cmd/ledger.cpp
void RegisterRequests(CLI::App& app, int* exit_code);   // cmd/requests.cpp
void RegisterDsar(CLI::App& app, int* exit_code);       // cmd/dsar.cpp
void RegisterErase(CLI::App& app, int* exit_code);      // cmd/dsar.cpp
void RegisterAnonymise(CLI::App& app, int* exit_code);  // cmd/anonymise.cpp
void RegisterExport(CLI::App& app, int* exit_code);     // cmd/export.cpp
void RegisterCompletion(CLI::App& app, int* exit_code);  // cmd/completion.cpp

// The process exit code for an error of `code` (README "Exit codes").
int ExitCodeFor(StatusCode code);
// Prints "dpo: error: MESSAGE" to stderr and returns the status' exit code.
int ReportError(const Status& status);
// Prints "dpo: warning: MESSAGE" to stderr.
void ReportWarning(const std::string& message);

}  // namespace dpo::cmd
