// `dpo retention notices` end to end on a copy of the bundled sample, as the
// README tells a user to run it: the list is the subjects an independent
// query on the copy finds, written owner-only, with nothing of them but the
// notify columns; refused without -o, over an existing file, and on bad input.
// Needs the sqlite3 command-line shell (Debian package sqlite3).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;

namespace {

const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
const std::string kHeader = "rule,subject_key,first_name,tussenvoegsel,last_name,email,expires_on";
// Active, not held, last active in the year before 2026-11-01 + 30d (the rule's notify_before).
const std::string kDue =
    "SELECT id FROM candidates WHERE status = 'active' AND legal_hold <> 1 AND last_active_at >= '2025-11-01' AND "
    "last_active_at < '2025-12-01' ORDER BY id";

struct Work {
  TempDir dir{"dpo-notices"};
  std::string db;
  Work() {
    db = dir.File("crm.db");
    std::filesystem::copy_file(std::string(DPO_SOURCE_DIR) + "/samples/staffing.db", db);
    REQUIRE_MESSAGE(std::system("command -v sqlite3 >/dev/null 2>&1") == 0,
                    "the sqlite3 shell is needed to read and change the sample copy (apt-get install sqlite3)");
  }
  // The sqlite3 shell's output lines of `sql` on the copy.
  std::vector<std::string> Sql(const std::string& sql) const {
    std::string out = dir.File(".sql");
    int status = std::system(("sqlite3 " + ShellQuote(db) + " " + ShellQuote(sql) + " >" + ShellQuote(out) + " 2>&1")
                                 .c_str());
    std::string text = ReadFile(out);
    REQUIRE_MESSAGE(status == 0, sql << ": " << text);
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  CliRun Notices(std::vector<std::string> extra, const std::string& policy = kPolicy) const {
    std::vector<std::string> args = {"retention", "notices", "--policy", policy, db, "--as-of", "2026-11-01"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunDpo(dir, args, {"DPO_KEY="});
  }
};

// The data lines of a notices CSV (after the byte order mark and the header).
std::vector<std::string> CsvRows(const std::string& text) {
  REQUIRE(text.rfind("\xEF\xBB\xBF" + kHeader + "\r\n", 0) == 0);
  std::vector<std::string> rows;
  size_t at = text.find("\r\n") + 2;
  while (at < text.size()) {
    size_t end = text.find("\r\n", at);
    REQUIRE(end != std::string::npos);
    rows.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  return rows;
}

std::set<std::string> SubjectKeys(const std::vector<std::string>& rows) {
  std::set<std::string> keys;
  for (const std::string& row : rows) {
    REQUIRE(row.rfind("candidate_profile_renewal,", 0) == 0);
    size_t from = row.find(',') + 1;
    keys.insert(row.substr(from, row.find(',', from) - from));
  }
  return keys;
}

int Mode(const std::string& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("retention notices: the README command writes the due subjects, 0600, with their contact columns only") {
  Work w;
  std::string out = w.dir.File("notices.csv");
  CliRun run = w.Notices({"-o", out});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CHECK(Mode(out) == 0600);
  std::vector<std::string> rows = CsvRows(ReadFile(out));
  std::vector<std::string> due = w.Sql(kDue);
  REQUIRE(due.size() > 2);
  CHECK(SubjectKeys(rows) == std::set<std::string>(due.begin(), due.end()));
  CHECK(rows.size() == due.size());
  // Each row: the subject's own name and e-mail, and the day after its year ends.
  for (const std::string& id : due) {
    std::vector<std::string> expect = w.Sql(
        "SELECT 'candidate_profile_renewal,' || id || ',' || first_name || ',' || coalesce(tussenvoegsel, '') || ',' || "
        "last_name || ',' || email || ',' || date(last_active_at, '+1 year', '+1 day') FROM candidates WHERE id = " + id);
    REQUIRE(expect.size() == 1);
    CHECK(std::find(rows.begin(), rows.end(), expect[0]) != rows.end());
  }
  // The summary says what was listed and what the sweep has already, and where it went.
  CHECK(run.out.find("candidate_profile_renewal: " + std::to_string(due.size()) + " rows of candidates") !=
        std::string::npos);
  std::vector<std::string> past = w.Sql(
      "SELECT count(*) FROM candidates WHERE status = 'active' AND legal_hold <> 1 AND last_active_at < '2025-11-01'");
  CHECK(run.out.find(past[0] + " rows are past the period already") != std::string::npos);
  CHECK(run.out.find(out) != std::string::npos);
  CHECK(run.out.find("@") == std::string::npos);  // no personal data in the summary

  // Nothing of the subjects outside notify_columns: none of their BSNs,
  // IBANs, phone numbers, addresses or birth dates is in the file.
  std::string text = ReadFile(out);
  int checked = 0;
  for (const std::string& id : due)
    for (const std::string& value :
         w.Sql("SELECT bsn FROM candidates WHERE id = " + id + " UNION ALL SELECT iban FROM candidates WHERE id = " +
               id + " UNION ALL SELECT phone FROM candidates WHERE id = " + id +
               " UNION ALL SELECT address FROM candidates WHERE id = " + id +
               " UNION ALL SELECT date_of_birth FROM candidates WHERE id = " + id)) {
      if (value.size() < 6) continue;
      CHECK_MESSAGE(text.find(value) == std::string::npos, "candidate " << id);
      ++checked;
    }
  CHECK(checked > static_cast<int>(due.size()));
}

TEST_CASE("retention notices: JSON and stdout hold the same list; summary on stderr when the data goes to stdout") {
  Work w;
  CliRun csv = w.Notices({"-o", "-"});
  REQUIRE_MESSAGE(csv.exit_code == 0, csv.err);
  std::set<std::string> keys = SubjectKeys(CsvRows(csv.out));
  CHECK(csv.err.find("wrote " + std::to_string(keys.size()) + " notices") != std::string::npos);

  std::string out = w.dir.File("notices.json");
  CliRun json = w.Notices({"--format", "json", "-o", out});
  REQUIRE_MESSAGE(json.exit_code == 0, json.err);
  CHECK(Mode(out) == 0600);
  nlohmann::json doc = nlohmann::json::parse(ReadFile(out));
  CHECK(doc["format"] == "dpo-notices/1");
  CHECK(doc["as_of"] == "2026-11-01");
  CHECK(doc["window"].is_null());
  REQUIRE(doc["rules"].size() == 1);
  CHECK(doc["rules"][0]["rule"] == "candidate_profile_renewal");
  CHECK(doc["rules"][0]["rows"] == keys.size());
  CHECK(doc["rules"][0]["until"] == "2026-12-01");
  std::set<std::string> json_keys;
  for (const auto& row : doc["rows"]) {
    json_keys.insert(row["subject_key"].get<std::string>());
    std::set<std::string> contact;
    for (const auto& [column, value] : row["contact"].items()) contact.insert(column);
    CHECK(contact == std::set<std::string>{"first_name", "tussenvoegsel", "last_name", "email"});
    CHECK(row["expires_on"].get<std::string>() > "2026-11-01");
    CHECK(row["expires_on"].get<std::string>() <= "2026-12-01");
  }
  CHECK(json_keys == keys);

  // A wider window lists more, and says so.
  CliRun wider = w.Notices({"--within", "90d", "--format", "json", "-o", "-"});
  REQUIRE_MESSAGE(wider.exit_code == 0, wider.err);
  nlohmann::json wide = nlohmann::json::parse(wider.out);
  CHECK(wide["window"] == "90d");
  CHECK(wide["rows"].size() > keys.size());
}

TEST_CASE("retention notices: a formula in a contact column is neutralised in the CSV") {
  Work w;
  std::vector<std::string> due = w.Sql(kDue);
  REQUIRE(!due.empty());
  w.Sql("UPDATE candidates SET first_name = '=HYPERLINK(\"http://example.invalid\",\"x\")' WHERE id = " + due[0]);
  CliRun run = w.Notices({"-o", "-"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.out.find(",\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\",") != std::string::npos);
  CHECK(run.out.find(",=HYPERLINK") == std::string::npos);
  CHECK(run.out.find(",\"=HYPERLINK") == std::string::npos);
}

TEST_CASE("retention notices: refused without -o, over an existing file, and on bad input; nothing written") {
  Work w;
  CliRun no_out = w.Notices({});
  CHECK(no_out.exit_code == 2);
  CHECK(no_out.err.find("give -o FILE") != std::string::npos);
  CHECK(no_out.out.empty());

  std::string existing = w.dir.Write("notices.csv", "keep me\n");
  CliRun exists = w.Notices({"-o", existing});
  CHECK(exists.exit_code == 2);
  CHECK(exists.err.find("--force") != std::string::npos);
  CHECK(ReadFile(existing) == "keep me\n");
  CliRun forced = w.Notices({"-o", existing, "--force"});
  CHECK(forced.exit_code == 0);
  CHECK(ReadFile(existing).find("candidate_profile_renewal,") != std::string::npos);
  CHECK(Mode(existing) == 0600);

  CliRun over_source = w.Notices({"-o", w.db});
  CHECK(over_source.exit_code == 2);
  CHECK(over_source.err.find("is the source") != std::string::npos);

  std::string out = w.dir.File("bad.csv");
  struct Bad {
    std::vector<std::string> args;
    const char* message;
  };
  for (const Bad& bad : {Bad{{"--rule", "nope"}, "--rule nope: "},
                         Bad{{"--rule", "candidate_inactive"}, "retention rule candidate_inactive has no notify_before"},
                         Bad{{"--within", "3x"}, "--within: '3x' is not a duration"},
                         Bad{{"--within", "0d"}, "--within 0d"},
                         Bad{{"--as-of", "2026-13-01"}, "--as-of: '2026-13-01' is not a date"}}) {
    std::vector<std::string> args = {"-o", out};
    args.insert(args.end(), bad.args.begin(), bad.args.end());
    std::vector<std::string> full = {"retention", "notices", "--policy", kPolicy, w.db};
    full.insert(full.end(), args.begin(), args.end());
    CliRun run = RunDpo(w.dir, full);
    CAPTURE(bad.message);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find(bad.message) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  CliRun candidate_inactive = w.Notices({"--rule", "candidate_inactive", "-o", out});
  CHECK(candidate_inactive.err.find(kPolicy + ":") != std::string::npos);  // where the rule is written

  // A notify column the table does not have: the message points at it.
  std::string policy = ReadFile(kPolicy);
  const std::string from = "notify_columns: [first_name, tussenvoegsel, last_name, email]";
  REQUIRE(policy.find(from) != std::string::npos);
  policy.replace(policy.find(from), from.size(), "notify_columns: [first_name, mail_address]");
  const std::string email = "      email: { category: contact, identifier: true }\n";
  policy.insert(policy.find(email) + email.size(), "      mail_address: contact\n");
  std::string changed = w.dir.Write("policy.yaml", policy);
  CliRun missing = w.Notices({"-o", out}, changed);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find(changed + ":") != std::string::npos);
  CHECK(missing.err.find("candidates.mail_address does not exist") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("retention notices --audit-log: one verifiable entry per rule, with a key digest and no personal data") {
  Work w;
  std::string key = w.dir.Write("dpo.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  ::chmod(key.c_str(), 0600);
  std::string audit = w.dir.File("audit.log");
  CliRun run = w.Notices({"-o", w.dir.File("n.csv"), "--audit-log", audit, "--key-file", key});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  std::string log = ReadFile(audit);
  nlohmann::json entry = nlohmann::json::parse(log.substr(0, log.find('\n')));
  CHECK(log.find('\n') == log.size() - 1);  // one rule, one entry
  CHECK(entry["command"] == "retention notices");
  CHECK(entry["action"] == "notify");
  CHECK(entry["rule"] == "candidate_profile_renewal");
  CHECK(entry["rows"] == w.Sql(kDue).size());
  CHECK(entry["keys_hmac"].get<std::string>().size() == 64);
  CHECK(log.find("@") == std::string::npos);
  CliRun verify = RunDpo(w.dir, {"audit", "verify", audit});
  CHECK(verify.exit_code == 0);
}
