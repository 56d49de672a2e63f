// 'dpo policy check|show|init' end to end: runs the built binary (DPO_BINARY)
// on policy files written by the test and on a SQLite file made with the
// sqlite3 shell (Debian package sqlite3).
#include <doctest/doctest.h>

#include "cli_util.h"
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Run = dpo::testing::CliRun;
using Dir = dpo::testing::TempDir;

std::string Slurp(const std::string& path) { return dpo::testing::ReadFile(path); }

Run Dpo(const Dir& dir, const std::vector<std::string>& args) { return dpo::testing::RunDpo(dir, args); }

std::string Example() { return Slurp(DPO_SOURCE_DIR "/docs/policy-example.yaml"); }

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("policy check: the example is ok") {
  Dir dir;
  std::string p = dir.Write("p.yaml", Example());
  Run r = Dpo(dir, {"policy", "check", p});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == p + ": ok (3 datasets, 3 categories, 3 rules)\n");
  CHECK(r.err.empty());
}

TEST_CASE("policy check: an error exits 2 with file:line:column on stderr") {
  Dir dir;
  std::string p = dir.Write("p.yaml", Replace(Example(), "legal_basis: consent", "legal_basis: consnet"));
  Run r = Dpo(dir, {"policy", "check", p});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find(p + ":39:18: error: invalid legal_basis 'consnet' for purpose 'mediation'\n    hint: did you mean "
                       "'consent'?") != std::string::npos);
  CHECK(r.err.find("1 error, 0 warnings") != std::string::npos);
}

TEST_CASE("policy check: YAML syntax error exits 2 with its location") {
  Dir dir;
  std::string p = dir.Write("p.yaml", "version: 1\ncontroller: [a\n");
  Run r = Dpo(dir, {"policy", "check", p});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("dpo: error: " + p + ":") == 0);
  CHECK(r.err.find("not valid YAML") != std::string::npos);
}

TEST_CASE("policy check: warnings pass, but fail with --strict; JSON output") {
  Dir dir;
  std::string p = dir.Write("p.yaml", Replace(Example(), "agreement: \"Verwerkersovereenkomst 2024-01\" ", ""));
  Run lax = Dpo(dir, {"policy", "check", p});
  INFO(lax.err);
  CHECK(lax.exit_code == 0);
  CHECK(lax.out.find(": ok (3 datasets, 3 categories, 3 rules), 1 warning") != std::string::npos);
  CHECK(lax.err.find("warning: recipient 'payroll' is a processor without a processing agreement") !=
        std::string::npos);

  Run strict = Dpo(dir, {"policy", "check", "--strict", p});
  CHECK(strict.exit_code == 2);
  CHECK(strict.err.find("--strict: warnings fail the check") != std::string::npos);

  Run json = Dpo(dir, {"policy", "check", "--strict", "--format", "json", p});
  CHECK(json.exit_code == 2);
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["ok"] == false);
  CHECK(doc["warnings"] == 1);
  CHECK(doc["diagnostics"][0]["code"] == "agreement-missing");
}

TEST_CASE("policy show: markdown and JSON; refuses a policy with errors") {
  Dir dir;
  std::string p = dir.Write("p.yaml", Example());
  Run md = Dpo(dir, {"policy", "show", p});
  CHECK(md.exit_code == 0);
  CHECK(md.out.find("# Record of processing activities (GDPR Art. 30)") == 0);
  CHECK(md.out.find("| **payroll**") != std::string::npos);
  Run json = Dpo(dir, {"policy", "show", "--format", "json", p});
  CHECK(json.exit_code == 0);
  CHECK(nlohmann::json::parse(json.out)["activities"].size() == 3);

  std::string bad = dir.Write("bad.yaml", Replace(Example(), "    law: Wet op de loonbelasting 1964, art. 28\n", ""));
  Run refused = Dpo(dir, {"policy", "show", bad});
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.empty());
  CHECK(refused.err.find("rests on a legal obligation but does not name the law") != std::string::npos);
}

TEST_CASE("policy init on SQLite: draft written 0644, never overwritten, check reports only TODOs") {
  Dir dir;
  std::string db = dir.path + "/crm.db";
  std::string sql =
      "CREATE TABLE candidates(id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, phone TEXT, bsn TEXT, "
      "last_active_at TIMESTAMP); CREATE TABLE notes(id INTEGER PRIMARY KEY, candidate_id INTEGER REFERENCES "
      "candidates(id), remarks TEXT, created_at TIMESTAMP);";
  REQUIRE(std::system(("sqlite3 " + dpo::testing::ShellQuote(db) + " " + dpo::testing::ShellQuote(sql)).c_str()) == 0);
  std::string out = dir.path + "/policy.yaml";

  Run init = Dpo(dir, {"policy", "init", db, "--out", out});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  struct stat st;
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  std::string draft = Slurp(out);
  CHECK(draft.find("email: { category: contact, identifier: true }") != std::string::npos);

  Run again = Dpo(dir, {"policy", "init", db, "--out", out});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("file exists; pass --force") != std::string::npos);
  CHECK(again.err.find("scheduled run") != std::string::npos);  // issue 13: cron replaces its own output with --force
  CHECK(Slurp(out) == draft);
  CHECK(Dpo(dir, {"policy", "init", db, "--out", out, "--force"}).exit_code == 0);

  Run check = Dpo(dir, {"policy", "check", "--format", "json", out});
  CHECK(check.exit_code == 2);
  auto doc = nlohmann::json::parse(check.out);
  CHECK(doc["warnings"] == 0);
  CHECK(doc["errors"].get<int>() > 0);
  int retention_todos = 0;
  for (const auto& d : doc["diagnostics"]) {
    INFO(d.dump());
    CHECK(d["code"] == "todo");
    if (d["message"].get<std::string>().rfind("retention for ", 0) == 0) ++retention_todos;
  }
  CHECK(retention_todos == 2);

  Run to_stdout = Dpo(dir, {"policy", "init", db});
  CHECK(to_stdout.exit_code == 0);
  CHECK(to_stdout.out.find("datasets:") != std::string::npos);
}

TEST_CASE("policy: usage errors exit 2") {
  Dir dir;
  CHECK(Dpo(dir, {"policy"}).exit_code == 2);
  CHECK(Dpo(dir, {"policy", "check"}).exit_code == 2);
  Run missing = Dpo(dir, {"policy", "check", dir.path + "/none.yaml"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("none.yaml") != std::string::npos);
  CHECK(Dpo(dir, {"policy", "init", dir.path + "/none.db"}).exit_code == 2);
}
