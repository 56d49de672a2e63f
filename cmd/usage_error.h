// Usage errors a person can fix in one step: a mistyped subcommand or flag
// gets "did you mean" with the closest name the parser knows, instead of
// CLI11's "A subcommand is required" or "arguments were not expected".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dpo::cmd {

// The name in `candidates` closest to `word` (case-insensitive edit distance
// with transpositions, or a unique prefix), or "" when none is close enough
// to be a likely typo.
std::string ClosestName(const std::string& word, const std::vector<std::string>& candidates);

// "dpo", "dpo policy", "dpo policy check": how a person types `app`.
std::string CommandPath(const CLI::App& app);

// Re-reads `args` (argv without argv[0]) against the command tree of `root`
// after CLI11 refused them and returns the first unknown subcommand or flag
// as a message ("unknown command 'scna'; did you mean 'scan'?"), or a group
// command given no subcommand; nullopt when neither is the problem (CLI11's
// own message is right then).
std::optional<std::string> ExplainUsageError(const CLI::App& root, const std::vector<std::string>& args);

}  // namespace dpo::cmd
