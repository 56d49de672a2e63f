// Read-only commands never leak what they read into messages (issue 7): CSV
// files whose header cells are personal data (a file without a header row),
// terminal escapes or line breaks, and policies with NUL or ESC bytes, fed
// to the built binary. Standard error must hold none of those values and no
// raw control byte; standard output may name columns (that is the report),
// but never sends a raw escape to the terminal.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli_util.h"

namespace {

using dpo::testing::CliRun;
using dpo::testing::RunDpo;
using dpo::testing::TempDir;

// Values that must never appear in a message.
const std::vector<std::string>& Secrets() {
  static const std::vector<std::string> kSecrets = {
      "jan.devries@example.nl", "NL91ABNA0417164300", "0612345678", "+31 6 1234 5678", "123456782",
      "1234 AB", "\x1b[31m", "\x1b]0;title\x07", "first\nname"};
  return kSecrets;
}

// The first raw control byte (C0 other than the line feed that ends a line,
// DEL, or a C1 control as UTF-8) in `text`, as a readable string, or "".
std::string RawControl(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7F) return "byte " + std::to_string(c) + " at " + std::to_string(i);
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F)
      return "C1 control at " + std::to_string(i);
  }
  return "";
}

size_t Lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// Standard error of `run` is clean: no secret, no raw control byte, and a
// documented exit code. An error is one line.
void CheckClean(const CliRun& run, const std::string& what) {
  INFO(what);
  INFO("exit " << run.exit_code << ", stderr: " << run.err);
  CHECK((run.exit_code == 0 || run.exit_code == 1 || run.exit_code == 2));
  for (const std::string& secret : Secrets()) {
    INFO("secret: " << secret);
    CHECK(run.err.find(secret) == std::string::npos);
  }
  CHECK(RawControl(run.err) == "");
  if (run.exit_code == 2 && run.err.rfind("dpo: error: ", 0) == 0) CHECK(Lines(run.err) == 1);
}

struct Case {
  const char* name;
  std::string csv;
  bool duplicate;  // the header repeats a name: every command fails with exit 2
};

std::vector<Case> Cases() {
  return {
      {"values as header", "jan.devries@example.nl,NL91ABNA0417164300,0612345678,+31 6 1234 5678,123456782,1234 AB\n"
                           "piet@example.org,NL20INGB0001234567,0698765432,+31 6 8765 4321,111222333,3511 LX\n",
       false},
      {"terminal escapes as header", "\x1b[31mred,\x1b]0;title\x07,\xc2\x9b" "2J,ok\x7f\n1,2,3,4\n", false},
      {"line break in a quoted header", "\"first\nname\",\"e\rmail\",id\nJan,j@x.nl,1\n", false},
      {"duplicate e-mail", "jan.devries@example.nl,Jan,jan.devries@example.nl\npiet@example.org,Piet,x\n", true},
      {"duplicate IBAN", "NL91ABNA0417164300,x,NL91ABNA0417164300\n1,2,3\n", true},
      {"duplicate phone", "+31 6 1234 5678,x,+31 6 1234 5678\n1,2,3\n", true},
      {"duplicate BSN", "123456782;a;123456782\n1;2;3\n", true},
      {"duplicate postcode", "1234 AB,x,1234 AB\n1,2,3\n", true},
      {"duplicate escape", "\x1b[31mx,\x1b[31mx\n1,2\n", true},
      {"duplicate title escape", "\x1b]0;title\x07,\x1b]0;title\x07\n1,2\n", true},
      {"duplicate line break", "\"first\nname\",\"first\nname\"\n1,2\n", true},
  };
}

// A small valid policy about the table `candidates`.
const char* kPolicy = R"(version: 1
controller:
  name: Acme Uitzend B.V.
  contact: privacy@acme.example
data_subjects:
  candidate: { description: Candidates }
categories:
  contact: { description: Contact details, detectors: [email, phone] }
purposes:
  mediation:
    legal_basis: consent
    data_subjects: [candidate]
    categories: [contact]
datasets:
  candidates:
    data_subject: candidate
    subject_key: id
    purposes: [mediation]
    columns:
      id: none
      email: { category: contact, identifier: true }
      last_active_at: none
retention:
  candidates:
    dataset: candidates
    keep: 2y after last_active_at
)";

}  // namespace

TEST_CASE("CSV header cells never reach a message raw, whatever the command") {
  for (const Case& c : Cases()) {
    TempDir dir;
    std::string data = dir.path + "/data";
    REQUIRE(std::system(("mkdir " + dpo::testing::ShellQuote(data)).c_str()) == 0);
    std::string file = dir.Write("data/candidates.csv", c.csv);
    std::string policy = dir.Write("policy.yaml", kPolicy);
    const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
        {"inspect", {"inspect", file}},
        {"inspect --format json", {"inspect", "--format", "json", file}},
        {"scan", {"scan", file}},
        {"scan --policy", {"scan", "--policy", policy, data}},
        {"scan --format json", {"scan", "--format", "json", file}},
        {"policy init", {"policy", "init", file}},
        {"policy init --schema-only", {"policy", "init", "--schema-only", file}},
    };
    for (const auto& command : commands) {
      const auto& what = command.first;
      const auto& args = command.second;
      CliRun run = RunDpo(dir, args);
      CheckClean(run, std::string(c.name) + ": dpo " + what);
      INFO(c.name << ": dpo " << what << "\nstderr: " << run.err);
      if (c.duplicate) {
        CHECK(run.exit_code == 2);
        CHECK(run.err.find("columns 1 and ") != std::string::npos);
        CHECK(run.err.find("candidates.csv:1:") != std::string::npos);
      } else if (what.rfind("inspect", 0) == 0 || what.rfind("policy", 0) == 0) {
        CHECK(run.exit_code == 0);
      }
      // Reports may name the columns, but never drive the terminal.
      if (what.find("json") == std::string::npos) {
        INFO("stdout: " << run.out);
        CHECK(run.out.find('\x1b') == std::string::npos);
        CHECK(run.out.find('\x07') == std::string::npos);
        CHECK(run.out.find("\xc2\x9b") == std::string::npos);
      }
    }
  }
}

TEST_CASE("a repeated header name that is a value is named by position only; --no-header reads the file") {
  TempDir dir;
  std::string file = dir.Write("people.csv", "jan.devries@example.nl,Jan,jan.devries@example.nl\na@b.nl,x,y\n");
  CliRun run = RunDpo(dir, {"inspect", file});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("columns 1 and 3 have the same name") != std::string::npos);
  CHECK(run.err.find("--no-header") != std::string::npos);
  CHECK(run.err.find("jan.devries") == std::string::npos);
  CliRun headerless = RunDpo(dir, {"inspect", "--no-header", file});
  CHECK_MESSAGE(headerless.exit_code == 0, headerless.err);
  CHECK(headerless.out.find("col3") != std::string::npos);

  // An ordinary repeated name is still quoted, so the user can find it.
  std::string named = dir.Write("named.csv", "id,email,email\n1,a,b\n");
  CliRun named_run = RunDpo(dir, {"inspect", named});
  CHECK(named_run.exit_code == 2);
  CHECK(named_run.err.find("columns 2 and 3 have the same name 'email'") != std::string::npos);
}

TEST_CASE("inspect shows control characters in names escaped") {
  TempDir dir;
  std::string file = dir.Write("t.csv", "\x1b[31mred,\"first\nname\",\xc2\x9bx\n1,2,3\n");
  CliRun run = RunDpo(dir, {"inspect", file});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.out.find("\\x1b[31mred") != std::string::npos);
  CHECK(run.out.find("first\\x0aname") != std::string::npos);
  CHECK(run.out.find("\\x9bx") != std::string::npos);
  CHECK(RawControl(run.out) == "");
}

TEST_CASE("a policy with a NUL or an ESC byte is one clean error line, exit 2") {
  TempDir dir;
  std::string source = dir.Write("t.csv", "id,email\n1,a@b.nl\n");
  struct PolicyCase {
    const char* name;
    std::string text;
    const char* where;
    const char* what;
  };
  const PolicyCase cases[] = {
      {"NUL", std::string("version: 1\ncontroller:\n  name: Acme") + '\0' + "B.V.\n", "p.yaml:3:13:", "NUL byte"},
      {"ESC", "version: 1\ncontroller:\n  name: \x1b[31mAcme\n", "p.yaml:3:9:", "control character \\x1b"},
      {"BEL in a key", "version: 1\ncon\x07troller:\n  name: Acme\n", "p.yaml:2:4:", "control character \\x07"},
      {"C1 CSI", "version: 1\ncontroller:\n  name: Acme \xc2\x9b" "2J\n", "p.yaml:3:14:", "control character \\u009b"},
      {"NUL in UTF-16", std::string("\xff\xfev\0e\0r\0", 8), "p.yaml:1:4:", "NUL byte"},
  };
  for (const PolicyCase& c : cases) {
    std::string policy = dir.Write("p.yaml", c.text);
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"policy", "check", policy}, {"scan", "--policy", policy, source}, {"policy", "show", policy}}) {
      CliRun run = RunDpo(dir, args);
      INFO(c.name << ": dpo " << args[0] << " " << args[1] << "\nstderr: " << run.err);
      CHECK(run.exit_code == 2);
      CHECK(Lines(run.err) == 1);
      CHECK(run.err.find(c.where) != std::string::npos);
      CHECK(run.err.find(c.what) != std::string::npos);
      CHECK(run.err.find("UTF-8") != std::string::npos);
      CHECK(RawControl(run.err) == "");
      CHECK(run.err.find('\0') == std::string::npos);
    }
  }
}

TEST_CASE("policy diagnostics quote policy text escaped") {
  TempDir dir;
  // A key spanning lines and a value with an e-mail-like paste: escaped, cut, one line each.
  std::string policy = dir.Write("p.yaml", std::string(kPolicy) + "\"bad\\nkey\": 1\n\"\\e[31mred\": 2\n");
  CliRun run = RunDpo(dir, {"policy", "check", policy});
  INFO(run.err);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("unknown key 'bad\\nkey'") != std::string::npos);
  CHECK(run.err.find("unknown key '\\x1b[31mred'") != std::string::npos);
  CHECK(RawControl(run.err) == "");
}

TEST_CASE("ids written with YAML escapes reach no message raw, through loading or validation") {
  TempDir dir;
  std::string source = dir.Write("candidates.csv", "id,email\n1,a@b.nl\n");
  std::string text = kPolicy;
  text.replace(text.find("    purposes: [mediation]"), 25, "    purposes: [mediation, \"\\e[31mnope\\u009b\"]");
  text.replace(text.find("    data_subject: candidate"), 27, "    data_subject: \"cand\\nidate\"");
  std::string policy = dir.Write("p.yaml", text);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"policy", "check", policy}, {"scan", "--policy", policy, source}}) {
    CliRun run = RunDpo(dir, args);
    INFO("dpo " << args[0] << " " << args[1] << "\nstderr: " << run.err);
    CHECK(run.exit_code == 2);
    CHECK(RawControl(run.err) == "");
    CHECK(run.err.find("control character \\x1b") != std::string::npos);
    CHECK(run.err.find("control character \\n") != std::string::npos);
    CHECK(run.err.find("p.yaml:") != std::string::npos);
  }
}
