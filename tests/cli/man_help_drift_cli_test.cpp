// The man pages cannot drift from the flags: every subcommand (found by
// reading `dpo --help` and `dpo SUB --help`, so a new one is covered without
// editing this file) has each long flag of its --help in man/dpo-SUB.1, and
// every flag a man page names is a flag of some dpo command. Also: every
// --help has an Examples section and an exit-code line of its own.
#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"

namespace {

using Dir = dpo::testing::TempDir;

// Flags a man page names that belong to another program, with the reason.
const std::map<std::string, std::set<std::string>> kManOnlyExceptions = {
    // dpo detect --staged runs `git diff --cached --no-color ...`; the page says so.
    {"dpo-detect.1", {"--cached", "--no-color", "--no-ext-diff", "--no-pager", "--no-relative", "--no-textconv"}},
    // `cmake --install` puts the shell completions in place.
    {"dpo.1", {"--install"}},
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines of a CLI11 help section ("Options:", "Subcommands:") up to the
// next unindented line.
std::vector<std::string> Section(const std::string& help, const std::string& name) {
  std::vector<std::string> out;
  bool in = false;
  for (const std::string& line : Lines(help)) {
    if (!line.empty() && line[0] != ' ') {
      in = line == name + ":";
      continue;
    }
    if (in && !line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> SubcommandsIn(const std::string& help) {
  std::vector<std::string> out;
  for (const std::string& line : Section(help, "Subcommands")) {
    // "  anonymise, anonymize   Write ...": the name, not the alias.
    if (line.size() < 3 || line[2] == ' ') continue;
    std::string name = line.substr(2, line.find_first_of(" ,", 2) - 2);
    out.push_back(name);
  }
  return out;
}

// Long flags of one --help: the first word of each "  -x,--name TYPE" line.
std::set<std::string> LongFlagsIn(const std::string& help) {
  std::set<std::string> out;
  for (const std::string& line : Section(help, "Options")) {
    if (line.rfind("  -", 0) != 0) continue;
    std::string first = line.substr(2, line.find(' ', 2) - 2);
    std::istringstream parts(first);
    for (std::string part; std::getline(parts, part, ',');) {
      part = part.substr(0, part.find('{'));  // "--no-sql{false}"
      if (part.rfind("--", 0) == 0) out.insert(part);
    }
  }
  return out;
}

// Long flags a roff page names: \-\-max\-rows (or a plain --max-rows).
std::set<std::string> LongFlagsInMan(const std::string& roff) {
  std::string plain;
  for (std::size_t i = 0; i < roff.size(); ++i) {
    if (roff[i] == '\\' && i + 1 < roff.size() && roff[i + 1] == '-') {
      plain += '-';
      ++i;
    } else if (roff[i] == '\\' && i + 2 < roff.size() && roff[i + 1] == 'f') {
      plain += ' ';  // a font change (\fB, \fR) is no part of a word
      i += 2;
    } else {
      plain += roff[i];
    }
  }
  std::set<std::string> out;
  for (std::size_t i = 0; i + 2 < plain.size(); ++i) {
    if (plain[i] != '-' || plain[i + 1] != '-' || (i > 0 && (std::isalnum(static_cast<unsigned char>(plain[i - 1])) ||
                                                             plain[i - 1] == '-'))) {
      continue;
    }
    std::size_t j = i + 2;
    while (j < plain.size() && (std::islower(static_cast<unsigned char>(plain[j])) ||
                                std::isdigit(static_cast<unsigned char>(plain[j])) || plain[j] == '-')) {
      ++j;
    }
    std::string flag = plain.substr(i, j - i);
    while (!flag.empty() && flag.back() == '-') flag.pop_back();
    if (flag.size() >= 3 && std::islower(static_cast<unsigned char>(flag[2]))) out.insert(flag);
    i = j;
  }
  return out;
}

struct Command {
  std::vector<std::string> words;  // {"policy", "check"}
  std::string help;
};

void Walk(const Dir& dir, std::vector<std::string> words, std::vector<Command>* out) {
  std::vector<std::string> args = words;
  args.push_back("--help");
  const auto run = dpo::testing::RunDpo(dir, args);
  REQUIRE_MESSAGE(run.exit_code == 0, "dpo ", args[0], " --help failed: ", run.err);
  out->push_back({words, run.out});
  for (const std::string& sub : SubcommandsIn(run.out)) {
    std::vector<std::string> next = words;
    next.push_back(sub);
    Walk(dir, next, out);
  }
}

std::string Joined(const std::vector<std::string>& words) {
  std::string s = "dpo";
  for (const std::string& w : words) s += " " + w;
  return s;
}

std::vector<Command> AllCommands(const Dir& dir) {
  std::vector<Command> all;
  Walk(dir, {}, &all);
  return all;
}

std::string ManPage(const std::string& name) {
  return dpo::testing::ReadFile(std::string(DPO_SOURCE_DIR) + "/man/" + name);
}

}  // namespace

TEST_CASE("man/help drift: the help parser finds every nested subcommand") {
  // Guards the test itself: were the help format to change, the walk would
  // find nothing and the assertions below would pass vacuously.
  Dir dir;
  std::set<std::string> found;
  for (const Command& c : AllCommands(dir)) found.insert(Joined(c.words));
  for (const std::string expected : {"dpo policy check", "dpo policy init", "dpo retention notices", "dpo ledger replay",
                               "dpo dsar verify", "dpo erase apply", "dpo requests close", "dpo scan", "dpo completion"}) {
    CHECK_MESSAGE(found.count(expected) == 1, expected, " was not found by parsing --help");
  }
  CHECK(found.size() >= 30);
  CHECK(LongFlagsIn(dpo::testing::RunDpo(dir, {"scan", "--help"}).out).count("--max-record-bytes") == 1);
  CHECK(LongFlagsInMan("\\fB\\-\\-max\\-rows\\fR and --plain-flag, not a\\-\\-b") ==
        std::set<std::string>{"--max-rows", "--plain-flag"});
}

TEST_CASE("man/help drift: every long flag of dpo SUB ... --help is in man/dpo-SUB.1") {
  Dir dir;
  for (const Command& c : AllCommands(dir)) {
    if (c.words.empty()) continue;
    // help, version and completion are described in dpo(1).
    const std::string page_name = std::filesystem::exists(std::string(DPO_SOURCE_DIR) + "/man/dpo-" + c.words[0] + ".1")
                                      ? "dpo-" + c.words[0] + ".1"
                                      : "dpo.1";
    const std::set<std::string> documented = LongFlagsInMan(ManPage(page_name));
    for (const std::string& flag : LongFlagsIn(c.help)) {
      if (flag == "--help") continue;  // every command has it; dpo(1) says so once
      CHECK_MESSAGE(documented.count(flag) == 1, Joined(c.words), " has ", flag, " in --help but man/", page_name,
                    " does not mention it: document it there");
    }
  }
}

TEST_CASE("man/help drift: every flag a man page names exists in some dpo command") {
  Dir dir;
  std::set<std::string> known{"--help"};
  for (const Command& c : AllCommands(dir)) {
    for (const std::string& flag : LongFlagsIn(c.help)) known.insert(flag);
  }
  for (const auto& entry : std::filesystem::directory_iterator(std::string(DPO_SOURCE_DIR) + "/man")) {
    const std::string name = entry.path().filename().string();
    const auto exceptions = kManOnlyExceptions.count(name) ? kManOnlyExceptions.at(name) : std::set<std::string>{};
    for (const std::string& flag : LongFlagsInMan(ManPage(name))) {
      if (exceptions.count(flag)) continue;
      CHECK_MESSAGE(known.count(flag) == 1, "man/", name, " names ", flag, ", which no dpo command has");
    }
  }
}

TEST_CASE("man/help drift: dpo(1) documents version, -V, completion and help") {
  const std::string page = ManPage("dpo.1");
  for (const std::string needle : {"\n.B version\n", "\\-V", "\\-\\-version", "\n.B completion bash | zsh | fish\n", "\n.B help "}) {
    CHECK_MESSAGE(page.find(needle) != std::string::npos, "man/dpo.1 lacks ", needle);
  }
}

TEST_CASE("help: every command's --help has Examples and its own exit codes") {
  Dir dir;
  for (const Command& c : AllCommands(dir)) {
    if (!SubcommandsIn(c.help).empty()) continue;  // a group: its subcommands carry the examples
    CHECK_MESSAGE(c.help.find("\nExamples:\n  ") != std::string::npos, Joined(c.words),
                  " --help has no Examples section");
    CHECK_MESSAGE(c.help.find("\nExit codes: 0 ") != std::string::npos, Joined(c.words),
                  " --help has no exit-code line");
    // The general footer lists every command's codes; a leaf says its own.
    CHECK_MESSAGE(c.help.find("1 findings (scan, detect), a retention rule") == std::string::npos, Joined(c.words),
                  " --help shows the general exit-code footer instead of its own");
    CHECK_MESSAGE(c.help.find("Usage: " + Joined(c.words)) != std::string::npos, Joined(c.words),
                  " --help does not begin its usage with the full command");
  }
}
