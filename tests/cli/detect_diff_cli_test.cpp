// `dpo detect` as a pre-commit gate (issue 13): --staged in a real git
// repository, --diff, many files and directories, --format sarif.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_util.h"

using namespace dpo::testing;

namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Runs `dpo ARGS` in `cwd` (RunDpo runs from the source tree, itself a git
// repository), with git kept away from the user's configuration and from
// any repository above the scratch directory.
CliRun RunIn(const TempDir& scratch, const std::string& cwd, const std::vector<std::string>& args,
             const std::string& stdin_file = "/dev/null") {
  std::string cmd = "cd " + ShellQuote(cwd) + " && env HOME=" + ShellQuote(scratch.path) +
                    " GIT_CONFIG_NOSYSTEM=1 GIT_CEILING_DIRECTORIES=" + ShellQuote(scratch.path) + " " +
                    ShellQuote(DPO_BINARY);
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  cmd += " <" + ShellQuote(stdin_file) + " >" + ShellQuote(scratch.File(".stdout")) + " 2>" +
         ShellQuote(scratch.File(".stderr"));
  int status = std::system(cmd.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadFile(scratch.File(".stdout"));
  run.err = ReadFile(scratch.File(".stderr"));
  return run;
}

// git in `dir`, same isolation; fails the test when git does.
void Git(const TempDir& scratch, const std::string& dir, const std::string& args) {
  std::string cmd = "cd " + ShellQuote(dir) + " && env HOME=" + ShellQuote(scratch.path) +
                    " GIT_CONFIG_NOSYSTEM=1 GIT_CEILING_DIRECTORIES=" + ShellQuote(scratch.path) +
                    " git -c user.name=test -c user.email=test@example.invalid -c init.defaultBranch=main " + args +
                    " >/dev/null 2>&1";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, cmd);
}

std::string Lines(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "regel " + std::to_string(i) + "\n";
  return s;
}

}  // namespace

TEST_CASE("dpo detect --staged: an added e-mail fails at its line in the file; a removal passes") {
  TempDir scratch("dpo-staged");
  std::filesystem::create_directory(scratch.File("repo"));
  const std::string repo = scratch.File("repo");
  std::ofstream(repo + "/notes.txt") << Lines(1, 10);
  Git(scratch, repo, "init -q");
  Git(scratch, repo, "add notes.txt");
  Git(scratch, repo, "commit -q -m start");

  // Line 7 becomes an e-mail address; a new file adds an IBAN at line 2.
  std::ofstream(repo + "/notes.txt") << Lines(1, 6) << "mail jan.jansen@example.nl\n" << Lines(8, 10);
  std::ofstream(repo + "/new file.txt") << "hallo\nNL91ABNA0417164300\n";
  Git(scratch, repo, "add notes.txt 'new file.txt'");
  CliRun added = RunIn(scratch, repo, {"detect", "--staged"});
  CHECK(added.exit_code == 1);
  CHECK_MESSAGE(Contains(added.out, "notes.txt:7:6  email  validated  j***@e***.nl"), added.out);
  CHECK_MESSAGE(Contains(added.out, "new file.txt:2:1  iban  validated"), added.out);
  CHECK_FALSE(Contains(added.out, "jan.jansen"));
  CHECK(added.err.empty());
  // Unstaged changes are not what the commit holds.
  std::ofstream(repo + "/notes.txt", std::ios::app) << "piet@example.nl\n";
  CHECK_FALSE(Contains(RunIn(scratch, repo, {"detect", "--staged"}).out, "notes.txt:11"));
  Git(scratch, repo, "checkout -- notes.txt");
  Git(scratch, repo, "commit -q -m add");

  // Removing the address, and the whole file: nothing is added, so it passes.
  std::ofstream(repo + "/notes.txt") << Lines(1, 6) << Lines(8, 10);
  Git(scratch, repo, "add notes.txt");
  Git(scratch, repo, "rm -q 'new file.txt'");
  CliRun removed = RunIn(scratch, repo, {"detect", "--staged"});
  CHECK_MESSAGE(removed.exit_code == 0, removed.err);
  CHECK(removed.out.empty());
  // The same staged diff through --diff: the removed address is no hit.
  CliRun piped = RunIn(scratch, repo, {"detect", "--diff"}, [&] {
    Git(scratch, repo, "diff --cached -U0 --output=" + scratch.File("staged.diff"));
    return scratch.File("staged.diff");
  }());
  CHECK(piped.exit_code == 0);

  // From a subdirectory the paths are still from the top of the repository.
  std::filesystem::create_directory(repo + "/sub");
  std::ofstream(repo + "/sub/x.txt") << "bsn 111222333\n";
  Git(scratch, repo, "add sub/x.txt");
  CliRun sub = RunIn(scratch, repo + "/sub", {"detect", "--staged", "--format", "jsonl"});
  CHECK(sub.exit_code == 1);
  CHECK_MESSAGE(Contains(sub.out, "\"path\":\"sub/x.txt\""), sub.out);
  CHECK(Contains(sub.out, "\"line\":1,"));
  CHECK_FALSE(Contains(sub.out, "\"offset\""));
}

TEST_CASE("dpo detect --staged outside a git repository, or with files, is an input error") {
  TempDir scratch("dpo-staged");
  std::filesystem::create_directory(scratch.File("plain"));
  CliRun outside = RunIn(scratch, scratch.File("plain"), {"detect", "--staged", "--format", "json"});
  CHECK(outside.exit_code == 2);
  CHECK_MESSAGE(Contains(outside.err, "dpo: error: --staged: the current directory is not inside a git repository"),
                outside.err);
  CHECK(outside.out.empty());  // not even "[]": nothing was scanned
  CliRun with_file = RunIn(scratch, scratch.path, {"detect", "--staged", "x.txt"});
  CHECK(with_file.exit_code == 2);
  CHECK(Contains(with_file.err, "--staged reads what git has staged and takes no FILE"));
  CliRun both = RunIn(scratch, scratch.path, {"detect", "--staged", "--diff"});
  CHECK(both.exit_code == 2);
}

TEST_CASE("dpo detect --diff: added lines only, PATH:LINE of the new file; a damaged diff is exit 2") {
  TempDir dir("dpo-diff");
  const std::string diff = dir.Write("change.diff",
                                     "diff --git a/app.log b/app.log\r\n"
                                     "--- a/app.log\r\n"
                                     "+++ b/app.log\r\n"
                                     "@@ -40,2 +40,2 @@ context with piet@example.nl\r\n"
                                     "-oud: piet@example.nl\r\n"
                                     "+nieuw: 06-12345678\r\n"
                                     " bsn 111222333\r\n");
  CliRun run = RunDpo(dir, {"detect", "--diff", diff});
  CHECK(run.exit_code == 1);
  CHECK(run.out == "app.log:40:8  phone  validated  **-******78\n");
  // The same on stdin.
  CHECK(RunDpo(dir, {"detect", "--diff"}, {}, diff).out == run.out);
  CHECK(RunDpo(dir, {"detect", "--diff", "-"}, {}, diff).out == run.out);

  const std::string cut = dir.Write("cut.diff", "--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n a\n");
  CliRun damaged = RunDpo(dir, {"detect", "--diff", cut});
  CHECK(damaged.exit_code == 2);
  CHECK_MESSAGE(Contains(damaged.err, "cut.diff:4: the diff ends inside a hunk, 4 lines short"), damaged.err);
  CHECK(RunDpo(dir, {"detect", "--diff", dir.path}).exit_code == 2);
  CHECK(RunDpo(dir, {"detect", "--diff", cut, cut}).exit_code == 2);
}

TEST_CASE("dpo detect on many files and directories: PATH:LINE, .git, binary files and links skipped") {
  TempDir dir("dpo-walk");
  const std::string root = dir.File("tree");
  std::filesystem::create_directories(root + "/sub/deeper");
  std::filesystem::create_directories(root + "/.git");
  std::ofstream(root + "/a.txt") << "niets\nmail jan.jansen@example.nl\n";
  std::ofstream(root + "/sub/deeper/b.txt") << "NL91ABNA0417164300\n";
  std::ofstream(root + "/.git/config") << "email = piet@example.nl\n";
  std::ofstream(root + "/blob.bin", std::ios::binary) << std::string("\0\1piet@example.nl\n", 18);
  std::ofstream(dir.File("outside.txt")) << "piet@example.nl\n";
  std::filesystem::create_symlink(dir.File("outside.txt"), root + "/link.txt");
  std::filesystem::create_directory_symlink(dir.path, root + "/loop");
  const std::string single = dir.Write("single.txt", "klant 06-12345678\n");

  CliRun run = RunDpo(dir, {"detect", root, single});
  CHECK(run.exit_code == 1);
  CHECK(run.out == root + "/a.txt:2:6  email  validated  j***@e***.nl\n" + root +
                       "/sub/deeper/b.txt:1:1  iban  validated  ****************00\n" + single +
                       ":1:7  phone  validated  **-******78\n");
  // A file named on the command line is read even when it is binary.
  CliRun named = RunDpo(dir, {"detect", root + "/blob.bin", root + "/link.txt"});
  CHECK(named.exit_code == 1);
  CHECK(Contains(named.out, "blob.bin:1:3  email"));
  CHECK(Contains(named.out, "link.txt:1:1  email"));
  // One file keeps the short form.
  CHECK(RunDpo(dir, {"detect", single}).out == "1:7  phone  validated  **-******78\n");
  // A missing argument is found before any output.
  CliRun missing = RunDpo(dir, {"detect", single, dir.File("nope.txt")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.empty());
  CHECK(Contains(missing.err, "nope.txt: cannot open for reading"));
}

TEST_CASE("dpo detect --format sarif: valid SARIF, startLine of the new file, no values") {
  TempDir dir("dpo-sarif");
  const std::string diff = dir.Write("c.diff",
                                     "--- a/docs/team.md\n+++ b/docs/team.md\n@@ -6,0 +7,2 @@\n"
                                     "+contact: jan.jansen@example.nl\n+ziekte: burn-out\n");
  CliRun run = RunDpo(dir, {"detect", "--diff", diff, "--format", "sarif"});
  CHECK(run.exit_code == 1);
  nlohmann::json sarif = nlohmann::json::parse(run.out);  // throws (fails) if not JSON
  CHECK(sarif["version"] == "2.1.0");
  const nlohmann::json& results = sarif["runs"][0]["results"];
  REQUIRE(results.size() >= 2);
  CHECK(results[0]["ruleId"] == "email");
  const nlohmann::json& location = results[0]["locations"][0]["physicalLocation"];
  CHECK(location["artifactLocation"]["uri"] == "docs/team.md");
  CHECK(location["region"]["startLine"] == 7);
  CHECK(location["region"]["startColumn"] == 10);
  const nlohmann::json& rules = sarif["runs"][0]["tool"]["driver"]["rules"];
  CHECK(rules[results[0]["ruleIndex"].get<int>()]["id"] == "email");
  CHECK(results[1]["ruleId"] == "health_term");
  CHECK(results[1]["locations"][0]["physicalLocation"]["region"]["startLine"] == 8);
  CHECK(results[0]["partialFingerprints"]["dpoDetect/v1"] != results[1]["partialFingerprints"]["dpoDetect/v1"]);
  // Neither the value nor its mask: SARIF is uploaded.
  CHECK_FALSE(Contains(run.out, "jan"));
  CHECK_FALSE(Contains(run.out, "j***"));
  CHECK_FALSE(Contains(run.out, "burn"));

  // Nothing found is still a whole SARIF document.
  const std::string clean = dir.Write("clean.txt", "niets\n");
  CliRun empty = RunDpo(dir, {"detect", clean, "--format", "sarif"});
  CHECK(empty.exit_code == 0);
  CHECK(nlohmann::json::parse(empty.out)["runs"][0]["results"].empty());

  CliRun raw = RunDpo(dir, {"detect", clean, "--format", "sarif", "--show-values"});
  CHECK(raw.exit_code == 2);
  CHECK(Contains(raw.err, "SARIF never holds values"));
}

// Regression: a reader closing the pipe early (| head) made git die of
// SIGPIPE, which --staged reported as "git diff --cached failed", exit 2.
TEST_CASE("dpo detect --staged | head ends quietly") {
  TempDir scratch("dpo-staged");
  std::filesystem::create_directory(scratch.File("repo"));
  const std::string repo = scratch.File("repo");
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "mail jan.devries@example.nl en bel 06-12345678\n";
  std::ofstream(repo + "/big.txt") << big;
  Git(scratch, repo, "init -q");
  Git(scratch, repo, "add big.txt");
  std::string cmd = "cd " + ShellQuote(repo) + " && env HOME=" + ShellQuote(scratch.path) +
                    " GIT_CONFIG_NOSYSTEM=1 GIT_CEILING_DIRECTORIES=" + ShellQuote(scratch.path) + " " +
                    ShellQuote(DPO_BINARY) + " detect --staged 2>" + ShellQuote(scratch.File("err")) +
                    " | head -c 10 >/dev/null; exit ${PIPESTATUS[0]}";
  int status = std::system(("bash -c " + ShellQuote(cmd)).c_str());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(ReadFile(scratch.File("err")).empty());
}
