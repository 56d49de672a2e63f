// Issue 13: hints and help texts name only commands that exist. Every
// 'dpo COMMAND [SUBCOMMAND]' quoted in the sources of lib/ and cmd/ (the
// hints of errors and reports) must be a command of this binary.
#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "cli_util.h"

using namespace dpo::testing;

namespace {

std::set<std::pair<std::string, std::string>> QuotedCommands() {
  std::set<std::pair<std::string, std::string>> out;
  // 'dpo retention plan ...' and `dpo scan ...`: the forms hints quote commands in.
  const std::regex quoted(R"re(['`]dpo ([a-z]+)(?: ([a-z]+))?)re");
  for (const char* dir : {"lib", "cmd"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(DPO_SOURCE_DIR) + "/" + dir)) {
      if (!e.is_regular_file() || (e.path().extension() != ".cpp" && e.path().extension() != ".h")) continue;
      const std::string text = ReadFile(e.path().string());
      for (auto it = std::sregex_iterator(text.begin(), text.end(), quoted); it != std::sregex_iterator(); ++it)
        out.insert({(*it)[1], (*it)[2]});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("hints: every quoted 'dpo COMMAND SUBCOMMAND' is a command of dpo") {
  TempDir dir;
  const auto commands = QuotedCommands();
  REQUIRE(commands.size() >= 15);  // the hints quote many commands
  std::set<std::string> seen;
  for (const auto& command : commands) {
    const std::string& name = command.first;
    const std::string& sub = command.second;
    CAPTURE(name);
    CAPTURE(sub);
    CliRun top = RunDpo(dir, {name, "--help"});
    CHECK_MESSAGE(top.exit_code == 0, "'dpo " << name << "' is quoted in a hint but is no command");
    if (top.exit_code != 0 || sub.empty()) continue;
    // A command with subcommands: the second word must be one of them.
    if (top.out.find("Subcommands:") == std::string::npos) continue;
    CliRun second = RunDpo(dir, {name, sub, "--help"});
    CHECK_MESSAGE(second.exit_code == 0, "'dpo " << name << " " << sub << "' is quoted in a hint but is no command");
  }
}
