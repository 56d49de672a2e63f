// Issue 13, "One CLI": the same -o/--output, --format, -q/-v and '-' (stdin)
// on every command, end to end against the built binary.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::TempDir;

namespace {

const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
const std::string kSample = std::string(DPO_SOURCE_DIR) + "/samples/staffing.db";
const std::string kExample = std::string(DPO_SOURCE_DIR) + "/docs/policy-example.yaml";

std::string CopySample(const TempDir& dir) {
  std::string db = dir.File("crm.db");
  std::filesystem::copy_file(kSample, db);
  return db;
}

mode_t Mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// The leaf commands and the words that name them.
std::vector<std::vector<std::string>> LeafCommands() {
  return {{"policy", "check"},   {"policy", "show"},      {"policy", "init"},       {"sample", "generate"},
          {"inspect"},           {"detect"},              {"scan"},                 {"audit", "verify"},
          {"retention", "plan"}, {"retention", "apply"},  {"retention", "sweep"},   {"retention", "notices"},
          {"ledger", "replay"},  {"ledger", "stats"},     {"requests", "add"},      {"requests", "list"},
          {"requests", "show"},  {"requests", "update"},  {"requests", "close"},    {"dsar", "export"},
          {"dsar", "verify"},    {"erase", "plan"},       {"erase", "apply"},       {"anonymise"},
          {"export"}};
}

std::string Joined(const std::vector<std::string>& words) {
  std::string s = "dpo";
  for (const std::string& w : words) s += " " + w;
  return s;
}

// "N errors, M warnings" or "ok" of a policy check, without file names.
std::string CheckOutcome(const CliRun& run) {
  std::smatch m;
  static const std::regex counts(R"(: (\d+ errors?, \d+ warnings?))");
  if (std::regex_search(run.err, m, counts)) return m[1];
  return run.exit_code == 0 ? "ok" : "?";
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("one cli: every leaf command has -q,--quiet and -v,--verbose; both at once is a usage error (exit 2)") {
  TempDir dir;
  for (const auto& words : LeafCommands()) {
    std::vector<std::string> args = words;
    args.push_back("--help");
    CliRun help = RunDpo(dir, args);
    REQUIRE_MESSAGE(help.exit_code == 0, Joined(words));
    CHECK_MESSAGE(help.out.find("-q,--quiet") != std::string::npos, Joined(words), " has no -q,--quiet");
    CHECK_MESSAGE(help.out.find("-v,--verbose") != std::string::npos, Joined(words), " has no -v,--verbose");
  }
  // Run for real with otherwise valid arguments: the flags exclude each other.
  const std::string log = dir.Write("audit.jsonl", "");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"policy", "check", "-q", "-v", kExample},
        std::vector<std::string>{"policy", "show", "--quiet", "--verbose", kExample},
        std::vector<std::string>{"inspect", "-q", "-v", kSample},
        std::vector<std::string>{"scan", "-q", "-v", kSample},
        std::vector<std::string>{"audit", "verify", "-v", "-q", log}}) {
    CliRun run = RunDpo(dir, args);
    CHECK_MESSAGE(run.exit_code == 2, args[0], " ", args[1]);
    CHECK(run.out.empty());
    CHECK_MESSAGE(run.err == "dpo: error: -q (--quiet) and -v (--verbose) together: give one of them; -q prints "
                             "nothing on success, -v says more\n",
                  run.err);
  }
}

TEST_CASE("one cli: -o,--output everywhere, and the old --out still works where it was") {
  TempDir dir;
  for (const auto& words : std::vector<std::vector<std::string>>{{"anonymise"},
                                                                 {"dsar", "export"},
                                                                 {"erase", "plan"},
                                                                 {"export"},
                                                                 {"retention", "plan"},
                                                                 {"retention", "notices"},
                                                                 {"policy", "init"},
                                                                 {"sample", "generate"}}) {
    std::vector<std::string> args = words;
    args.push_back("--help");
    CliRun help = RunDpo(dir, args);
    CHECK_MESSAGE(help.out.find("-o,--output,--out") != std::string::npos, Joined(words), ": ", help.out);
  }
  for (const auto& words : std::vector<std::vector<std::string>>{{"policy", "show"}, {"inspect"}, {"scan"}}) {
    std::vector<std::string> args = words;
    args.push_back("--help");
    CliRun help = RunDpo(dir, args);
    CHECK_MESSAGE(help.out.find("-o,--output") != std::string::npos, Joined(words));
    CHECK_MESSAGE(help.out.find("--force") != std::string::npos, Joined(words));
  }
  // The three spellings write the same draft.
  std::string drafts[3];
  const char* spellings[3] = {"-o", "--output", "--out"};
  for (int i = 0; i < 3; ++i) {
    const std::string out = dir.File(std::string("draft") + std::to_string(i) + ".yaml");
    CliRun run = RunDpo(dir, {"policy", "init", "--schema-only", spellings[i], out, kSample});
    REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    drafts[i] = ReadFile(out);
  }
  CHECK(!drafts[0].empty());
  CHECK(drafts[0] == drafts[1]);
  CHECK(drafts[0] == drafts[2]);
  // --force is named with -o in the refusal, whichever spelling was typed.
  CliRun again = RunDpo(dir, {"policy", "init", "--schema-only", "--out", dir.File("draft0.yaml"), kSample});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("--force") != std::string::npos);
  CHECK(again.err.find("give -o a new file name") != std::string::npos);
}

TEST_CASE("policy show -o FILE writes the register 0644, refuses an existing file without --force, -q is silent") {
  TempDir dir;
  const std::string reg = dir.File("register.md");
  CliRun shown = RunDpo(dir, {"policy", "show", kPolicy, "-o", reg});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  CHECK(shown.out.empty());
  CHECK(shown.err.find("wrote the register (markdown) to " + reg) != std::string::npos);
  CHECK(Mode(reg) == 0644);
  const std::string on_stdout = RunDpo(dir, {"policy", "show", kPolicy}).out;
  CHECK(!on_stdout.empty());
  CHECK(ReadFile(reg) == on_stdout);

  CliRun exists = RunDpo(dir, {"policy", "show", kPolicy, "--output", reg, "--format", "json"});
  CHECK(exists.exit_code == 2);
  CHECK(exists.err.find("--force") != std::string::npos);
  CHECK(exists.err.find("-o") != std::string::npos);
  CHECK(ReadFile(reg) == on_stdout);  // untouched

  CliRun forced = RunDpo(dir, {"policy", "show", kPolicy, "-o", reg, "--format", "json", "--force", "-q"});
  CHECK(forced.exit_code == 0);
  CHECK(forced.out.empty());
  CHECK(forced.err.empty());
  CHECK(nlohmann::json::parse(ReadFile(reg)).is_object());

  // Never over the policy it reads.
  const std::string copy = dir.Write("p.yaml", ReadFile(kPolicy));
  CliRun onto = RunDpo(dir, {"policy", "show", copy, "-o", copy, "--force"});
  CHECK(onto.exit_code == 2);
  CHECK(ReadFile(copy) == ReadFile(kPolicy));

  // -q without -o: no register; the exit status answers.
  CliRun quiet = RunDpo(dir, {"policy", "show", "-q", kPolicy});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());
}

TEST_CASE("policy init --format json: the same draft as JSON, loaded by policy check with the same diagnostics") {
  TempDir dir;
  const std::string yaml = dir.File("draft.yaml");
  const std::string json = dir.File("draft.json");
  REQUIRE(RunDpo(dir, {"policy", "init", "--schema-only", "-o", yaml, kSample}).exit_code == 0);
  CliRun made = RunDpo(dir, {"policy", "init", "--schema-only", "--format", "json", "-o", json, kSample});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  const nlohmann::json doc = nlohmann::json::parse(ReadFile(json));  // throws if not JSON
  CHECK(doc.contains("datasets"));
  CHECK(Mode(json) == 0644);
  CHECK(ReadFile(json).find('#') == std::string::npos);  // no YAML comments

  CliRun yaml_check = RunDpo(dir, {"policy", "check", yaml});
  CliRun json_check = RunDpo(dir, {"policy", "check", json});
  CHECK(yaml_check.exit_code == 2);  // the draft's TODOs
  CHECK(json_check.exit_code == yaml_check.exit_code);
  CHECK(CheckOutcome(json_check) != "?");
  CHECK(CheckOutcome(json_check) == CheckOutcome(yaml_check));
  CHECK(CountOf(json_check.err, ": error: ") == CountOf(yaml_check.err, ": error: "));
  CHECK(CountOf(json_check.err, "is TODO") == CountOf(yaml_check.err, "is TODO"));

  // And a command that uses a policy accepts the JSON draft as it does the YAML one.
  CliRun scanned = RunDpo(dir, {"scan", "--policy", json, "--sample", "10", "--fail-on", "never", kSample});
  CHECK_MESSAGE(scanned.exit_code == 0, scanned.err);
  CHECK(scanned.err.find("TODO") != std::string::npos);

  // --help says the comments are lost.
  CHECK(RunDpo(dir, {"policy", "init", "--help"}).out.find("comments are lost") != std::string::npos);
}

TEST_CASE("policy init -q prints only the TODO line; -v counts the draft") {
  TempDir dir;
  const std::string out = dir.File("draft.yaml");
  CliRun quiet = RunDpo(dir, {"policy", "init", "--schema-only", "-q", "-o", out, kSample});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(CountOf(quiet.err, "\n") == 1);
  CHECK(quiet.err.find("TODO") != std::string::npos);
  CHECK(quiet.err.find("dpo policy check " + out) != std::string::npos);
  CHECK(!ReadFile(out).empty());

  CliRun verbose = RunDpo(dir, {"policy", "init", "--schema-only", "-v", kSample});
  CHECK(verbose.exit_code == 0);
  CHECK(verbose.out.find("datasets:") != std::string::npos);  // the draft on stdout as before
  CHECK(verbose.err.find("column") != std::string::npos);
  CHECK(verbose.err.find("TODO") != std::string::npos);
}

TEST_CASE("policy check -q prints nothing on success and everything on failure; -v lists the sections") {
  TempDir dir;
  CliRun quiet = RunDpo(dir, {"policy", "check", "-q", kExample});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());
  CliRun quiet_json = RunDpo(dir, {"policy", "check", "-q", "--format", "json", kExample});
  CHECK(quiet_json.exit_code == 0);
  CHECK(quiet_json.out.empty());

  const std::string broken = dir.Write("broken.yaml", "version: 1\ncontroller: [\n");
  CliRun failed = RunDpo(dir, {"policy", "check", "-q", broken});
  CHECK(failed.exit_code == 2);
  CHECK(!failed.err.empty());

  CliRun verbose = RunDpo(dir, {"policy", "check", "-v", kExample});
  CHECK(verbose.exit_code == 0);
  CHECK(verbose.out.find(": ok (3 datasets, 3 categories, 3 rules)\n") != std::string::npos);
  for (const char* section : {"  data_subjects: ", "  categories: 3\n", "  purposes: ", "  datasets: 3\n",
                              "  retention rules: 3\n", "  TODOs: 0\n"})
    CHECK_MESSAGE(verbose.out.find(section) != std::string::npos, section, " missing in ", verbose.out);
}

TEST_CASE("sample generate: -o, --format csv -o DIR, --csv DIR still works; -q silent, -v rows per table") {
  TempDir dir;
  const std::string db = dir.File("s.db");
  CliRun sqlite = RunDpo(dir, {"sample", "generate", "--rows", "5", "-o", db, "-v"});
  REQUIRE_MESSAGE(sqlite.exit_code == 0, sqlite.err);
  CHECK(std::filesystem::is_regular_file(db));
  CHECK(sqlite.err.find("  candidates: 5 rows\n") != std::string::npos);
  CHECK(sqlite.err.find("wrote " + db) != std::string::npos);

  const std::string csv = dir.File("csv");
  CliRun as_csv = RunDpo(dir, {"sample", "generate", "--rows", "5", "--format", "csv", "--output", csv, "-q"});
  REQUIRE_MESSAGE(as_csv.exit_code == 0, as_csv.err);
  CHECK(as_csv.err.empty());
  CHECK(as_csv.out.empty());
  CHECK(std::filesystem::is_regular_file(csv + "/candidates.csv"));

  const std::string old = dir.File("old-csv");
  CliRun legacy = RunDpo(dir, {"sample", "generate", "--rows", "5", "--csv", old});
  REQUIRE_MESSAGE(legacy.exit_code == 0, legacy.err);
  CHECK(ReadFile(old + "/candidates.csv") == ReadFile(csv + "/candidates.csv"));
  CHECK(legacy.err.find("dpo: sample: ") != std::string::npos);  // the default summary line stays

  CliRun both = RunDpo(dir, {"sample", "generate", "--rows", "5", "--format", "csv", "-o", dir.File("x"), "--csv",
                             dir.File("y")});
  CHECK(both.exit_code == 2);
  CliRun no_dir = RunDpo(dir, {"sample", "generate", "--rows", "5", "--format", "csv"});
  CHECK(no_dir.exit_code == 2);
  CHECK(no_dir.err.find("-o DIR") != std::string::npos);
}

TEST_CASE("stdin: '-' reads a policy (named <stdin>) for policy check and show, scan --policy and inspect") {
  TempDir dir;
  CliRun ok = RunDpo(dir, {"policy", "check", "-"}, {}, kExample);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "<stdin>: ok (3 datasets, 3 categories, 3 rules)\n");

  std::string text = ReadFile(kExample);
  const std::string from = "legal_basis: consent";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "legal_basis: consnet");
  const std::string bad = dir.Write("bad.yaml", text);
  CliRun from_file = RunDpo(dir, {"policy", "check", bad});
  CliRun from_stdin = RunDpo(dir, {"policy", "check", "-"}, {}, bad);
  CHECK(from_stdin.exit_code == 2);
  // The same file:line:column, with <stdin> for the file.
  std::string expected = from_file.err;
  for (size_t at = expected.find(bad); at != std::string::npos; at = expected.find(bad))
    expected.replace(at, bad.size(), "<stdin>");
  CHECK(from_stdin.err == expected);
  CHECK(from_stdin.err.find("<stdin>:39:18: error: invalid legal_basis") != std::string::npos);

  CliRun shown = RunDpo(dir, {"policy", "show", "-"}, {}, kPolicy);
  CHECK(shown.exit_code == 0);
  std::string from_path = RunDpo(dir, {"policy", "show", kPolicy}).out;
  const std::string source_line = "- Source: policy " + kPolicy;
  REQUIRE(from_path.find(source_line) != std::string::npos);
  from_path.replace(from_path.find(source_line), source_line.size(), "- Source: policy &lt;stdin&gt;");
  const bool same_register = shown.out == from_path;  // but for the name of the policy
  CHECK(same_register);

  CliRun scanned = RunDpo(dir, {"scan", "--policy", "-", "--sample", "50", "--format", "json", kSample}, {}, kPolicy);
  CliRun scanned_file = RunDpo(dir, {"scan", "--policy", kPolicy, "--sample", "50", "--format", "json", kSample});
  CHECK(scanned.exit_code == scanned_file.exit_code);
  nlohmann::json summary = nlohmann::json::parse(scanned.out)["summary"];
  nlohmann::json summary_file = nlohmann::json::parse(scanned_file.out)["summary"];
  summary.erase("seconds");
  summary_file.erase("seconds");
  CHECK(summary == summary_file);
  CHECK(summary["errors"].get<int>() > 0);  // the policy was used: discovery alone has no errors

  CliRun inspected = RunDpo(dir, {"inspect", "-p", "-", kSample}, {}, kPolicy);
  CHECK_MESSAGE(inspected.exit_code == 0, inspected.err);

  // A broken policy on stdin is named <stdin> by the commands that use one too.
  CliRun refused = RunDpo(dir, {"scan", "--policy", "-", kSample}, {}, bad);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("<stdin>:39:18: error:") != std::string::npos);
  CHECK(refused.err.find("<stdin> has 1 error(s)") != std::string::npos);
}

TEST_CASE("stdin: more than 64 MiB is refused with a clear error; a source is never read from stdin") {
  TempDir dir;
  const std::string big = dir.File("big.yaml");
  {
    std::ofstream out(big, std::ios::binary);
    const std::string line(1023, '#');
    for (int i = 0; i < 64 * 1024 + 1; ++i) out << line << "\n";
  }
  CliRun huge = RunDpo(dir, {"policy", "check", "-"}, {}, big);
  CHECK(huge.exit_code == 2);
  CHECK(huge.err.find("<stdin>: more than 64 MiB") != std::string::npos);
  CHECK(huge.err.find("write it to a file") != std::string::npos);

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"scan", "-"}, std::vector<std::string>{"inspect", "-"},
        std::vector<std::string>{"policy", "init", "-"}}) {
    CliRun run = RunDpo(dir, args, {}, kSample);
    CHECK_MESSAGE(run.exit_code == 2, args[0]);
    CHECK_MESSAGE(run.err.find("reading a source from stdin is not supported; write it to a file") !=
                      std::string::npos,
                  run.err);
  }
}

TEST_CASE("stdin: retention plan -q -o - | retention apply - SOURCE") {
  TempDir dir;
  const std::string db = CopySample(dir);
  const std::string before = ReadFile(db);
  CliRun planned = RunDpo(dir, {"retention", "plan", "-p", kPolicy, "--as-of", "2026-11-01", "-q", "-o", "-", db});
  REQUIRE_MESSAGE(planned.exit_code == 0, planned.err);
  CHECK(planned.err.empty());
  const std::string plan = dir.Write("plan.json", planned.out);
  CHECK(nlohmann::json::parse(planned.out).is_object());
  CHECK(planned.out.front() == '{');  // -q: just the JSON, no summary

  const std::string key = dir.Write("dpo.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  ::chmod(key.c_str(), 0600);
  CliRun from_file = RunDpo(dir, {"retention", "apply", plan, db, "--dry-run", "--max-percent", "100", "--key-file", key});
  CliRun from_stdin =
      RunDpo(dir, {"retention", "apply", "-", db, "--dry-run", "--max-percent", "100", "--key-file", key}, {}, plan);
  CHECK(from_stdin.exit_code == from_file.exit_code);
  CHECK(from_stdin.out == from_file.out);
  CHECK(from_stdin.out.find("dry run: would change") != std::string::npos);
  CHECK(ReadFile(db) == before);

  // An erasure plan on stdin is still refused by retention apply, named <stdin>.
  CliRun wrong = RunDpo(dir, {"erase", "apply", "-", db, "--dry-run"}, {}, plan);
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err.find("<stdin> is a retention plan") != std::string::npos);

  CliRun both = RunDpo(dir, {"retention", "apply", "-", db, "--policy", "-"}, {}, plan);
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("both '-'") != std::string::npos);
}

TEST_CASE("inspect -o FILE and -q; detect -q counts without printing hits") {
  TempDir dir;
  const std::string out = dir.File("schema.json");
  CliRun written = RunDpo(dir, {"inspect", "--format", "json", "-o", out, kSample});
  REQUIRE_MESSAGE(written.exit_code == 0, written.err);
  CHECK(written.out.empty());
  CHECK(nlohmann::json::parse(ReadFile(out))["tables"].size() > 5);
  CHECK(ReadFile(out) == RunDpo(dir, {"inspect", "--format", "json", kSample}).out);
  CliRun quiet = RunDpo(dir, {"inspect", "-q", kSample});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());

  const std::string text = dir.Write("notes.txt", "mail jan@example.nl\nnothing here\nIBAN NL91ABNA0417164300\n");
  CliRun loud = RunDpo(dir, {"detect", text});
  CHECK(loud.exit_code == 1);
  CHECK(!loud.out.empty());
  CliRun hits = RunDpo(dir, {"detect", "-q", text});
  CHECK(hits.exit_code == 1);
  CHECK(hits.out.empty());
  CHECK(hits.err == "dpo: 2 hits of personal data; run without -q to see where\n");
  const std::string clean = dir.Write("clean.txt", "nothing here\n");
  CliRun none = RunDpo(dir, {"detect", "-q", clean});
  CHECK(none.exit_code == 0);
  CHECK(none.out.empty());
  CHECK(none.err.empty());
}

TEST_CASE("-q and -v on the other commands: scan, audit verify, requests, dsar export and verify, erase plan") {
  TempDir dir;
  CliRun scanned = RunDpo(dir, {"scan", "-v", "--sample", "20", "--format", "json", kSample});
  CHECK(scanned.exit_code == 0);
  CHECK(scanned.err.find("dpo: scanned candidates: ") != std::string::npos);
  CHECK(scanned.err.find(" findings: ") != std::string::npos);
  CHECK(nlohmann::json::parse(scanned.out).is_object());  // the report stays clean

  const std::string log = dir.Write("audit.jsonl", "");
  CHECK(RunDpo(dir, {"audit", "verify", log}).out == log + ": ok, 0 entries\n");
  CliRun verified = RunDpo(dir, {"audit", "verify", "-q", log});
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.empty());
  CHECK(verified.err.empty());

  const std::string reg = dir.File("requests.db");
  CliRun added = RunDpo(dir, {"requests", "add", "--register", reg, "-t", "access", "-s", "ticket 1", "-q"});
  CHECK(added.exit_code == 0);
  CHECK(added.out.empty());
  CliRun shown = RunDpo(dir, {"requests", "show", "1", "--register", reg, "-q"});
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.empty());
  CHECK(RunDpo(dir, {"requests", "show", "2", "--register", reg, "-q"}).exit_code == 2);
  CHECK(!RunDpo(dir, {"requests", "show", "1", "--register", reg, "-v"}).out.empty());

  const std::vector<std::string> subject = {"-p", kPolicy, kSample, "--subject", "email=gertjan_jansen4@yahoo.com"};
  std::vector<std::string> exp = {"dsar", "export"};
  exp.insert(exp.end(), subject.begin(), subject.end());
  std::vector<std::string> quiet_export = exp;
  quiet_export.insert(quiet_export.end(), {"--received", "2026-11-02", "-q", "--output", dir.File("pkg")});
  CliRun quiet = RunDpo(dir, quiet_export);
  CHECK_MESSAGE(quiet.exit_code == 0, quiet.err);
  CHECK(quiet.out.empty());
  CHECK(std::filesystem::is_regular_file(dir.File("pkg/data.json")));
  std::vector<std::string> verbose_export = exp;
  verbose_export.insert(verbose_export.end(), {"--received", "2026-11-02", "-v", "-o", dir.File("pkg2")});
  CliRun verbose = RunDpo(dir, verbose_export);
  CHECK(verbose.exit_code == 0);
  CHECK(verbose.out.find("  data.json (") != std::string::npos);
  CliRun exists = RunDpo(dir, verbose_export);
  CHECK(exists.exit_code == 2);
  CHECK(exists.err.find("give -o a new") != std::string::npos);  // named by -o, not --out

  CliRun pkg_ok = RunDpo(dir, {"dsar", "verify", "-q", dir.File("pkg")});
  CHECK(pkg_ok.exit_code == 0);
  CHECK(pkg_ok.out.empty());

  std::vector<std::string> plan = {"erase", "plan"};
  plan.insert(plan.end(), subject.begin(), subject.end());
  plan.insert(plan.end(), {"--as-of", "2026-11-01", "-q", "-o", dir.File("erase.json")});
  CliRun planned = RunDpo(dir, plan);
  CHECK_MESSAGE(planned.exit_code == 0, planned.err);
  CHECK(planned.out.empty());
  CHECK(nlohmann::json::parse(ReadFile(dir.File("erase.json")))["kind"] == "erasure");
}
