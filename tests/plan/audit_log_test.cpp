// The retention audit log: the hash chain as documented in plan/audit_log.h,
// every single-line tampering found at the right line, appends from several
// processes at once.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "dpo/version.h"
#include "plan/audit_log.h"
#include "util/keyed_hash.h"

using dpo::plan::AppendAudit;
using dpo::plan::AuditEntry;
using dpo::plan::VerifyAuditLog;
using dpo::testing::ReadFile;
using dpo::testing::TempDir;

namespace {

AuditEntry Entry(int i) {
  AuditEntry e;
  e.command = "retention apply";
  e.policy_sha256 = dpo::util::Sha256Hex("policy");
  e.source = "samples/staffing.db";
  e.rule = "candidates_2y";
  e.table = "candidates";
  e.action = "delete";
  e.rows = 10 + i;
  e.keys_hmac = dpo::util::Sha256Hex("keys " + std::to_string(i));
  return e;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// The documented hash: the line with its final ,"hash":"…"} cut to }.
std::string DocumentedHash(const std::string& line) {
  size_t at = line.rfind(",\"hash\":\"");
  return dpo::util::Sha256Hex(line.substr(0, at) + "}");
}

// A line for `seq` after `prev_line` that is correct by the documented rules:
// what someone who knows the format, but not the history, could forge.
std::string ForgeLine(int64_t seq, const std::string& prev_line) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(prev_line);
  j["seq"] = seq;
  j["rows"] = 999;
  j["prev"] = dpo::util::Sha256Hex(prev_line);
  j.erase("hash");
  std::string body = j.dump();
  std::string hash = dpo::util::Sha256Hex(body);
  body.pop_back();
  return body + ",\"hash\":\"" + hash + "\"}";
}

std::string MakeLog(const TempDir& dir, const std::string& name, int n) {
  std::string path = dir.File(name);
  for (int i = 1; i <= n; ++i) {
    AuditEntry e = Entry(i);
    e.dry_run = i == 4;
    if (i == 5) e.note = "second sweep";
    dpo::Status s = AppendAudit(path, e);
    REQUIRE_MESSAGE(s.ok(), s.message());
  }
  return path;
}

// Writes `content` as a log and returns the first bad line (0 when ok).
int64_t FirstBad(const TempDir& dir, const std::string& content, std::string* problem = nullptr) {
  // A new file each time: truncating one in place makes ext4 flush it on close.
  static int n = 0;
  std::string path = dir.Write("tampered-" + std::to_string(++n) + ".log", content);
  auto report = VerifyAuditLog(path);
  std::filesystem::remove(path);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  if (problem) *problem = report->problem;
  return report->ok ? 0 : report->bad_line;
}

}  // namespace

TEST_CASE("five entries: the documented chain, fields and file mode") {
  TempDir dir("dpo-audit");
  std::string path = MakeLog(dir, "audit.log", 5);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto report = VerifyAuditLog(path);
  REQUIRE(report.ok());
  CHECK(report->ok);
  CHECK(report->entries == 5);
  CHECK(report->bad_line == 0);

  auto lines = Lines(ReadFile(path));
  REQUIRE(lines.size() == 5);
  std::string prev = dpo::util::Sha256Hex("");
  CHECK(prev == dpo::plan::kAuditGenesis);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto j = nlohmann::ordered_json::parse(lines[i]);
    CHECK(j["seq"] == static_cast<int64_t>(i + 1));
    CHECK(j["prev"] == prev);
    CHECK(j["hash"] == DocumentedHash(lines[i]));
    CHECK(j["tool_version"] == DPO_VERSION);
    CHECK_FALSE(j["user"].get<std::string>().empty());
    CHECK_FALSE(j["host"].get<std::string>().empty());
    CHECK(j["rows"] == static_cast<int64_t>(11 + i));
    std::string time = j["time"];
    CHECK(time.size() == 20);
    CHECK(time.back() == 'Z');
    CHECK(j.contains("dry_run") == (i == 3));
    CHECK(j.contains("note") == (i == 4));
    // The fixed field order.
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    CHECK(keys.front() == "seq");
    CHECK(keys[keys.size() - 2] == "prev");
    CHECK(keys.back() == "hash");
    prev = dpo::util::Sha256Hex(lines[i]);
  }
  CHECK(report->last_hash == nlohmann::json::parse(lines[4])["hash"]);
}

TEST_CASE("each kind of tampering names the first bad line") {
  TempDir dir("dpo-audit");
  auto lines = Lines(ReadFile(MakeLog(dir, "audit.log", 5)));
  std::string problem;

  SUBCASE("a field of line 3 edited") {
    auto t = lines;
    size_t at = t[2].find("\"rows\":13");
    REQUIRE(at != std::string::npos);
    t[2].replace(at, 9, "\"rows\":3");
    CHECK(FirstBad(dir, Join(t), &problem) == 3);
    CHECK(problem.find("edited") != std::string::npos);
  }
  SUBCASE("line 2 deleted") {
    auto t = lines;
    t.erase(t.begin() + 1);
    CHECK(FirstBad(dir, Join(t)) == 2);
  }
  SUBCASE("lines 2 and 3 swapped") {
    auto t = lines;
    std::swap(t[1], t[2]);
    CHECK(FirstBad(dir, Join(t)) == 2);
  }
  SUBCASE("a forged line inserted: naive (a copy) and knowing the format") {
    auto t = lines;
    t.insert(t.begin() + 2, lines[0]);
    CHECK(FirstBad(dir, Join(t)) == 3);
    t = lines;
    t.insert(t.begin() + 2, ForgeLine(3, lines[1]));  // right seq, prev and hash
    CHECK(FirstBad(dir, Join(t), &problem) == 3);
    CHECK(problem.find("inserted") != std::string::npos);
  }
  SUBCASE("line 3 rewritten with a correct own hash: the next line's prev gives it away") {
    auto t = lines;
    t[2] = ForgeLine(3, lines[1]);
    CHECK(FirstBad(dir, Join(t), &problem) == 4);
    CHECK(problem.find("line 3") != std::string::npos);
  }
  SUBCASE("the last line truncated mid-way") {
    std::string text = Join(lines);
    CHECK(FirstBad(dir, text.substr(0, text.size() - 40)) == 5);
    CHECK(FirstBad(dir, text.substr(0, text.size() - 1), &problem) == 5);  // only the newline gone
    CHECK(problem.find("newline") != std::string::npos);
  }
  SUBCASE("the first line deleted, a blank line, CRLF line ends") {
    CHECK(FirstBad(dir, Join({lines.begin() + 1, lines.end()})) == 1);
    auto t = lines;
    t.insert(t.begin() + 3, "");
    CHECK(FirstBad(dir, Join(t)) == 4);
    t = lines;
    t[1] += "\r";
    CHECK(FirstBad(dir, Join(t)) == 2);
  }
}

TEST_CASE("every single-byte edit, every deletion and every swap of neighbours is found at its line") {
  TempDir dir("dpo-audit");
  auto lines = Lines(ReadFile(MakeLog(dir, "audit.log", 5)));
  for (size_t i = 0; i < lines.size(); ++i) {
    for (size_t pos = 0; pos < lines[i].size(); ++pos) {
      auto t = lines;
      t[i][pos] = t[i][pos] == 'x' ? 'y' : 'x';
      int64_t bad = FirstBad(dir, Join(t));
      if (bad != static_cast<int64_t>(i + 1)) FAIL_CHECK("edit at line " << i + 1 << " byte " << pos << ": " << bad);
    }
    if (i + 1 < lines.size()) {
      auto t = lines;
      t.erase(t.begin() + static_cast<long>(i));
      CHECK(FirstBad(dir, Join(t)) == static_cast<int64_t>(i + 1));
      t = lines;
      std::swap(t[i], t[i + 1]);
      CHECK(FirstBad(dir, Join(t)) == static_cast<int64_t>(i + 1));
    }
  }
  // Dropping the last entry leaves a valid, shorter log: the documented
  // limit of a chain without an anchor.
  auto t = lines;
  t.pop_back();
  CHECK(FirstBad(dir, Join(t)) == 0);
}

TEST_CASE("append refuses a damaged log and leaves it as it was; continues a good one") {
  TempDir dir("dpo-audit");
  std::string path = MakeLog(dir, "audit.log", 3);
  std::string good = ReadFile(path);

  std::string cut = good.substr(0, good.size() - 10);
  dir.Write("audit.log", cut);
  dpo::Status s = AppendAudit(path, Entry(4));
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("dpo audit verify") != std::string::npos);
  CHECK(ReadFile(path) == cut);

  std::string edited = good;
  edited.replace(edited.rfind("\"rows\":13"), 9, "\"rows\":14");
  dir.Write("audit.log", edited);
  CHECK_FALSE(AppendAudit(path, Entry(4)).ok());
  CHECK(ReadFile(path) == edited);

  dir.Write("audit.log", good);
  REQUIRE(AppendAudit(path, Entry(4)).ok());
  auto report = VerifyAuditLog(path);
  REQUIRE(report.ok());
  CHECK(report->ok);
  CHECK(report->entries == 4);

  CHECK_FALSE(AppendAudit(dir.path, Entry(1)).ok());                      // a directory
  CHECK_FALSE(AppendAudit(dir.File("no/such/dir/audit.log"), Entry(1)).ok());
  auto missing = VerifyAuditLog(dir.File("missing.log"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == dpo::StatusCode::kNotFound);
}

TEST_CASE("4 processes x 50 appends at once: one valid chain of 200") {
  TempDir dir("dpo-audit");
  std::string path = dir.File("audit.log");
  std::vector<pid_t> children;
  for (int c = 0; c < 4; ++c) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      for (int i = 0; i < 50; ++i) {
        AuditEntry e = Entry(i);
        e.note = "writer " + std::to_string(c) + " entry " + std::to_string(i);
        if (!AppendAudit(path, e).ok()) _exit(1);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  auto report = VerifyAuditLog(path);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->bad_line << ": " << report->problem);
  CHECK(report->entries == 200);
  std::set<std::string> notes;
  for (const auto& line : Lines(ReadFile(path))) notes.insert(nlohmann::json::parse(line)["note"].get<std::string>());
  CHECK(notes.size() == 200);
}

// Issue 12: a SIGKILL between an apply's commit and its audit entries left
// the log with no trace of committed changes. The log is now written ahead:
// an intent before the commit, then the outcome; an intent without one is
// listed as unfinished (the chain itself is still intact).
TEST_CASE("an apply's intent without an outcome is listed as unfinished; an outcome or abandon closes it") {
  TempDir dir;
  const std::string log = dir.File("audit.jsonl");
  AuditEntry common;
  common.command = "retention apply";
  common.policy_sha256 = std::string(64, 'a');
  common.source = "crm.db";

  // Finished: intent, two steps.
  dpo::plan::ApplyAudit done(log, common);
  REQUIRE(done.Intent(7, 2).ok());
  for (int i = 0; i < 2; ++i) {
    AuditEntry e;
    e.rule = "r" + std::to_string(i);
    e.table = "t";
    e.action = "delete";
    e.rows = 3 + i;
    REQUIRE(done.Step(e).ok());
  }
  CHECK(done.appended() == 3);
  // Abandoned: intent, then abandoned.
  dpo::plan::ApplyAudit rolled(log, common);
  REQUIRE(rolled.Intent(5, 1).ok());
  REQUIRE(rolled.Abandon("not committed: interrupted before the commit").ok());
  CHECK(rolled.id() != done.id());
  // Killed after its commit: the intent alone.
  dpo::plan::ApplyAudit killed(log, common);
  REQUIRE(killed.Intent(11, 3).ok());

  auto verified = VerifyAuditLog(log);
  REQUIRE(verified.ok());
  CHECK(verified->ok);
  CHECK(verified->entries == 6);
  REQUIRE(verified->unfinished.size() == 1);
  CHECK(verified->unfinished[0].line == 6);
  CHECK(verified->unfinished[0].seq == 6);
  CHECK(verified->unfinished[0].rows == 11);
  CHECK(verified->unfinished[0].command == "retention apply");
  CHECK(verified->unfinished[0].source == "crm.db");

  std::string text = ReadFile(log);
  CHECK(text.find("\"action\":\"intent\"") != std::string::npos);
  CHECK(text.find("\"action\":\"abandoned\"") != std::string::npos);
  CHECK(text.find("\"note\":\"apply " + done.id() + "\"") != std::string::npos);  // a step's note is the id alone

  // A dry run writes no intent; its steps carry no apply id.
  TempDir dry_dir;
  AuditEntry dry_common = common;
  dry_common.dry_run = true;
  dpo::plan::ApplyAudit dry(dry_dir.File("audit.jsonl"), dry_common);
  REQUIRE(dry.Intent(1, 1).ok());
  AuditEntry step;
  step.action = "delete";
  REQUIRE(dry.Step(step).ok());
  auto dry_verified = VerifyAuditLog(dry_dir.File("audit.jsonl"));
  REQUIRE(dry_verified.ok());
  CHECK(dry_verified->entries == 1);
  CHECK(ReadFile(dry_dir.File("audit.jsonl")).find("apply ") == std::string::npos);

  // No audit log asked for: nothing written, nothing fails.
  dpo::plan::ApplyAudit none("", common);
  CHECK_FALSE(none.enabled());
  CHECK(none.Intent(1, 1).ok());
  CHECK(none.Step(step).ok());
  CHECK(none.appended() == 0);
}
