// One CLI: a mistyped subcommand or flag gets "did you mean", `dpo version`
// and -V print the version, `dpo help SUB` names the full command, and
// `dpo completion bash|zsh|fish` writes scripts from the flag definitions.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "cli_util.h"
#include "dpo/version.h"

namespace {

using Dir = dpo::testing::TempDir;
using dpo::testing::RunDpo;

bool Has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// Runs a bash snippet with the generated script sourced; returns its stdout.
std::string InBash(const Dir& dir, const std::string& snippet, int* exit_code) {
  const std::string script = dir.File("completion.bash");
  const auto gen = RunDpo(dir, {"completion", "bash"});
  REQUIRE(gen.exit_code == 0);
  { std::ofstream(script) << gen.out; }
  const std::string cmd = "bash -c " + dpo::testing::ShellQuote("source " + script + "; " + snippet) + " >" +
                          dpo::testing::ShellQuote(dir.File("bash.out")) + " 2>&1";
  const int status = std::system(cmd.c_str());
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return dpo::testing::ReadFile(dir.File("bash.out"));
}

}  // namespace

TEST_CASE("usage: an unknown subcommand gets 'did you mean', not 'A subcommand is required'") {
  Dir dir;
  auto run = RunDpo(dir, {"scna"});
  CHECK(run.exit_code == 2);
  CHECK(run.err == "dpo: error: unknown command 'scna'; did you mean 'scan'?\n");

  run = RunDpo(dir, {"policy", "chek", "policy.yaml"});
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "unknown command 'policy chek'; did you mean 'policy check'?"));

  run = RunDpo(dir, {"xyzzy"});
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "unknown command 'xyzzy'; run 'dpo --help' for the list"));
  CHECK_FALSE(Has(run.err, "did you mean"));

  run = RunDpo(dir, {"retention"});
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "'dpo retention' needs a subcommand: plan, apply, sweep, notices"));
}

TEST_CASE("usage: an unknown flag gets 'did you mean' from that subcommand's flags, before or after positionals") {
  Dir dir;
  for (const auto& args : std::vector<std::vector<std::string>>{{"scan", "--formt", "json", "x.db"},
                                                                {"scan", "x.db", "--formt", "json"},
                                                                {"scan", "x.db", "--formt=json"}}) {
    const auto run = RunDpo(dir, args);
    CHECK(run.exit_code == 2);
    CHECK(run.err == "dpo: error: unknown flag '--formt' for 'dpo scan'; did you mean '--format'?\n");
  }
  auto run = RunDpo(dir, {"retention", "plan", "-p", "p.yaml", "x.db", "--as-off", "2026-01-01"});
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "unknown flag '--as-off' for 'dpo retention plan'; did you mean '--as-of'?"));
  // A flag's value is not taken for a subcommand or flag name.
  run = RunDpo(dir, {"inspect", "--table", "scna", "x.db", "--bogus-flag"});
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "unknown flag '--bogus-flag' for 'dpo inspect'; run 'dpo inspect --help' for its flags"));
  // The alias is the same command.
  run = RunDpo(dir, {"anonymize", "--dryrun"});
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "did you mean '--dry-run'?"));
  // No control bytes of a mistyped word reach the terminal.
  run = RunDpo(dir, {"scan", "x.db", "--\x1b[31mred"});
  CHECK(run.exit_code == 2);
  CHECK_FALSE(Has(run.err, "\x1b"));
}

TEST_CASE("usage: other parse errors keep CLI11's message") {
  Dir dir;
  const auto run = RunDpo(dir, {"scan"});
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "source is required"));
}

TEST_CASE("version: dpo version, --version and -V print 'dpo X.Y.Z'") {
  Dir dir;
  for (const std::string flag : {"version", "--version", "-V"}) {
    const auto run = RunDpo(dir, {flag});
    CHECK(run.exit_code == 0);
    CHECK(run.out == std::string("dpo ") + DPO_VERSION + "\n");
  }
}

TEST_CASE("help: dpo help SUB prints the help of 'dpo SUB', as dpo SUB --help does") {
  Dir dir;
  auto run = RunDpo(dir, {"help", "scan"});
  CHECK(run.exit_code == 0);
  CHECK(Has(run.out, "\nUsage: dpo scan [OPTIONS] source\n"));
  CHECK(run.out == RunDpo(dir, {"scan", "--help"}).out);

  run = RunDpo(dir, {"help", "policy", "check"});
  CHECK(run.exit_code == 0);
  CHECK(Has(run.out, "Usage: dpo policy check [OPTIONS] policy"));

  run = RunDpo(dir, {"help"});
  CHECK(run.exit_code == 0);
  CHECK(Has(run.out, "Usage: dpo [OPTIONS] SUBCOMMAND"));

  run = RunDpo(dir, {"help", "scna"});
  CHECK(run.exit_code == 2);
  CHECK(Has(run.err, "unknown command 'scna'; did you mean 'scan'?"));
}

TEST_CASE("help: the exit-code footer of policy check is right: an invalid policy is exit 2, not 1") {
  Dir dir;
  const std::string bad = dir.Write("bad.yaml", "version: 1\ncontroller: [\n");
  const auto run = RunDpo(dir, {"policy", "check", bad});
  CHECK(run.exit_code == 2);
  const auto help = RunDpo(dir, {"policy", "check", "--help"});
  CHECK(Has(help.out, "Exit codes: 0 the policy is valid"));
  CHECK(Has(help.out, "; 2 errors"));
  CHECK_FALSE(Has(help.out, "1 findings"));
}

TEST_CASE("inspect: -t is --table, as on scan") {
  Dir dir;
  const auto run = RunDpo(dir, {"inspect", "samples/staffing.db", "-t", "candidates"});
  CHECK(run.exit_code == 0);
  CHECK(Has(run.out, "candidates"));
  CHECK_FALSE(Has(run.out, "placements"));
}

TEST_CASE("completion: the bash script registers dpo and completes subcommands and flags") {
  Dir dir;
  int rc = -1;
  CHECK(Has(InBash(dir, "complete -p dpo", &rc), "-F _dpo dpo"));
  CHECK(rc == 0);

  std::string out = InBash(dir, "COMP_WORDS=(dpo scan --fo); COMP_CWORD=2; _dpo; echo \"${COMPREPLY[*]}\"", &rc);
  CHECK(out == "--format --force\n");

  out = InBash(dir, "COMP_WORDS=(dpo re); COMP_CWORD=1; _dpo; echo \"${COMPREPLY[*]}\"", &rc);
  CHECK(out == "retention requests\n");

  out = InBash(dir, "COMP_WORDS=(dpo retention ''); COMP_CWORD=2; _dpo; echo \"${COMPREPLY[*]}\"", &rc);
  CHECK(out == "plan apply sweep notices\n");

  // Nested: 'dsar export' has --zip, the top-level 'export' has not.
  out = InBash(dir, "COMP_WORDS=(dpo dsar export --z); COMP_CWORD=3; _dpo; echo \"${COMPREPLY[*]}\"", &rc);
  CHECK(out == "--zip\n");
  out = InBash(dir, "COMP_WORDS=(dpo export --z); COMP_CWORD=2; _dpo; echo \"${COMPREPLY[*]}\"", &rc);
  CHECK(out == "\n");

  // After a flag that takes a value: no flag names (the shell completes a file).
  out = InBash(dir, "COMP_WORDS=(dpo scan -p ''); COMP_CWORD=3; _dpo; echo \"${#COMPREPLY[@]}\"", &rc);
  CHECK(out == "0\n");
}

TEST_CASE("completion: zsh and fish scripts are written from the same definitions; bad shell is exit 2") {
  Dir dir;
  const auto zsh = RunDpo(dir, {"completion", "zsh"});
  CHECK(zsh.exit_code == 0);
  CHECK(zsh.out.rfind("#compdef dpo\n", 0) == 0);
  CHECK(Has(zsh.out, "\"scan\") echo '"));
  CHECK(Has(zsh.out, "--max-record-bytes"));

  const auto fish = RunDpo(dir, {"completion", "fish"});
  CHECK(fish.exit_code == 0);
  CHECK(Has(fish.out, "complete -c dpo -n '__dpo_is \"scan\"' -l format -r"));
  CHECK(Has(fish.out, "complete -c dpo -f -n '__dpo_is \"\"' -a scan"));

  // Shells that are installed also parse the scripts.
  for (const std::string shell : {"zsh", "fish"}) {
    if (std::system(("command -v " + shell + " >/dev/null 2>&1").c_str()) != 0) continue;
    const std::string file = dir.Write("script." + shell, shell == "zsh" ? zsh.out : fish.out);
    CHECK_MESSAGE(std::system((shell + " -n " + dpo::testing::ShellQuote(file)).c_str()) == 0, shell,
                  " cannot parse the script");
  }

  // fish itself, where installed: the script completes by the command typed
  // so far ('dpo export' is not 'dpo dsar export').
  if (std::system("command -v fish >/dev/null 2>&1") == 0) {
    const std::string file = dir.Write("dpo.fish", fish.out);
    const std::string out_file = dir.File("fish.out");
    const std::string cmd = "fish -c " +
                            dpo::testing::ShellQuote("source " + file +
                                                     "; complete -C 'dpo scan --fo'; echo ---; "
                                                     "complete -C 'dpo dsar export --z'; echo ---; "
                                                     "complete -C 'dpo export --z'") +
                            " >" + dpo::testing::ShellQuote(out_file) + " 2>&1";
    CHECK(std::system(cmd.c_str()) == 0);
    const std::string out = dpo::testing::ReadFile(out_file);
    CHECK(Has(out, "--format\t"));
    CHECK(Has(out, "--force\t"));
    CHECK(Has(out, "---\n--zip\t"));
    CHECK(out.substr(out.rfind("---\n")) == "---\n");
  }

  const auto bad = RunDpo(dir, {"completion", "tcsh"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("scan --color: always, never, and auto that leaves out TERM=dumb and NO_COLOR") {
  Dir dir;
  const std::vector<std::string> scan = {"scan", "samples/staffing.db", "-p", "policies/staffing-agency.yaml"};
  auto with = [&](const std::string& mode) {
    std::vector<std::string> args = scan;
    args.push_back("--color");
    args.push_back(mode);
    return RunDpo(dir, args);
  };
  CHECK(Has(with("always").out, "\x1b["));
  CHECK_FALSE(Has(with("never").out, "\x1b["));
  CHECK_FALSE(Has(RunDpo(dir, scan).out, "\x1b["));  // auto, and stdout is a file
  CHECK(with("rainbow").exit_code == 2);

  // auto on a terminal: util-linux script(1) gives dpo one (stderr, with the
  // progress bar, goes to /dev/null).
  if (std::system("command -v script >/dev/null 2>&1") != 0) return;
  auto on_tty = [&](const std::string& env) {
    std::string inner = "cd " + dpo::testing::ShellQuote(DPO_SOURCE_DIR) + " && env " + env + " " +
                        dpo::testing::ShellQuote(DPO_BINARY);
    for (const std::string& a : scan) inner += " " + dpo::testing::ShellQuote(a);
    inner += " 2>/dev/null";
    const std::string cmd = "script -qec " + dpo::testing::ShellQuote(inner) + " /dev/null >" +
                            dpo::testing::ShellQuote(dir.File("tty.out")) + " 2>&1 </dev/null";
    std::system(cmd.c_str());
    return dpo::testing::ReadFile(dir.File("tty.out"));
  };
  const std::string xterm = on_tty("TERM=xterm");
  REQUIRE(Has(xterm, "absences"));  // the report did run on the terminal
  CHECK(Has(xterm, "\x1b["));
  CHECK_FALSE(Has(on_tty("TERM=dumb"), "\x1b["));
  CHECK_FALSE(Has(on_tty("TERM=xterm NO_COLOR=1"), "\x1b["));
}
