// Control characters in a policy never reach a message raw (issue 7): as raw
// bytes they are a one-line load error; written as escapes in quoted YAML
// ("\e[31m") they are a diagnostic, and every later message (the loader's
// and validation's) quotes them escaped.
#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>

#include "policy/loader.h"
#include "policy/validate.h"
#include "policy_test_util.h"

using dpo::policy::LoadPolicyString;
using policy_test::kBase;
using policy_test::With;

namespace {

bool HasControl(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F &&
        static_cast<unsigned char>(s[i + 1]) >= 0x80)
      return true;
  }
  return false;
}

// Every diagnostic of loading and validating `text`; the load must succeed.
std::vector<dpo::policy::Diagnostic> AllDiagnostics(const std::string& text) {
  auto loaded = LoadPolicyString(text, "c.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  auto all = loaded->diagnostics;
  dpo::policy::ValidateOptions options;
  options.known_detectors = policy_test::Detectors();
  for (auto& d : dpo::policy::ValidatePolicy(loaded->policy, options)) all.push_back(d);
  return all;
}

}  // namespace

TEST_CASE("raw control bytes in a policy: one line with file:line:column, never the byte") {
  struct Case {
    std::string text;
    const char* where;
    const char* what;
  };
  const Case cases[] = {
      {std::string("version: 1\n  x: a") + '\0' + "b\n", "c.yaml:2:7: ", "the policy contains a NUL byte"},
      {"version: 1\ncontroller:\n  name: \x1b[31mAcme\n", "c.yaml:3:9: ", "control character \\x1b"},
      {"version: 1\r\ncontroller: \x7f\r\n", "c.yaml:2:13: ", "control character \\x7f"},
      {"version: 1\n# \xc2\x9b in a comment\n", "c.yaml:2:3: ", "control character \\u009b"},
      {"\x07", "c.yaml:1:1: ", "control character \\x07"},
  };
  for (const Case& c : cases) {
    auto loaded = LoadPolicyString(c.text, "c.yaml");
    REQUIRE_FALSE(loaded.ok());
    const std::string& m = loaded.status().message();
    INFO(m);
    CHECK(m.rfind(c.where, 0) == 0);
    CHECK(m.find(c.what) != std::string::npos);
    CHECK(m.find("UTF-8") != std::string::npos);
    CHECK_FALSE(HasControl(m));
  }
  // Tabs, CRLF line ends, and text beyond ASCII are fine.
  auto ok = LoadPolicyString(With(kBase, "Acme Uitzend B.V.", "Acme\tUitzend — Zürich"), "c.yaml");
  CHECK(ok.ok());
  std::string crlf;
  for (char ch : std::string(kBase)) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  CHECK(LoadPolicyString(crlf, "c.yaml").ok());
}

TEST_CASE("YAML errors never echo raw input") {
  // yaml-cpp quotes the offending text in some messages.
  auto loaded = LoadPolicyString("version: 1\ncontroller: \"unterminated \\e[31m", "c.yaml");
  REQUIRE_FALSE(loaded.ok());
  INFO(loaded.status().message());
  CHECK_FALSE(HasControl(loaded.status().message()));
  CHECK(loaded.status().message().rfind("c.yaml:", 0) == 0);
}

TEST_CASE("escaped control characters: a diagnostic, and every message quotes them escaped") {
  // An id with a terminal escape, referenced from a dataset (validation quotes it).
  std::string text = With(kBase, "    purposes: [mediation]", "    purposes: [mediation, \"\\e[31mnope\"]");
  auto all = AllDiagnostics(text);
  bool reported = false;
  for (const auto& d : all) {
    INFO(d.code << ": " << d.message << " / " << d.hint);
    CHECK_FALSE(HasControl(d.message));
    CHECK_FALSE(HasControl(d.hint));
    if (d.message == "a name contains the control character \\x1b") {
      reported = true;
      CHECK(d.code == "invalid-value");
      CHECK(d.location.line == policy_test::Position(text, "\"\\e[31mnope").line);
    }
  }
  CHECK(reported);

  // A key with a line break, a value with NUL and C1 escapes.
  text = With(kBase, "controller:\n  name: Acme Uitzend B.V.",
              "controller:\n  \"na\\nme\": x\n  name: \"Acme\\0\\u009b\\x07\"");
  all = AllDiagnostics(text);
  int control_errors = 0;
  for (const auto& d : all) {
    INFO(d.code << ": " << d.message << " / " << d.hint);
    CHECK_FALSE(HasControl(d.message));
    CHECK_FALSE(HasControl(d.hint));
    if (d.message.find("contains the control character") != std::string::npos) ++control_errors;
  }
  CHECK(control_errors == 2);

  // Line breaks and tabs are text in a block of text; anywhere else the
  // value may be an id that a later message quotes.
  text = With(kBase, "  candidate: { description: Candidates }",
              "  candidate:\n    description: &d !!str |\n      Candidates\n      and\tapplicants");
  for (const auto& d : AllDiagnostics(text)) CHECK(d.message.find("control character") == std::string::npos);
  for (const char* escape : {"\\n", "\\t", "\\r"}) {
    text = With(kBase, "    data_subject: candidate", std::string("    data_subject: \"candi") + escape + "date\"");
    bool reported = false;
    for (const auto& d : AllDiagnostics(text)) {
      CHECK_FALSE(HasControl(d.message));
      reported = reported || (d.message == std::string("a value contains the control character ") + escape &&
                              d.hint.find("block of text") != std::string::npos);
    }
    CHECK_MESSAGE(reported, escape);
  }
}

TEST_CASE("the control character check visits aliased nodes once") {
  // Five levels of nine aliases: 59,000 nodes if expanded, each holding the
  // control character (more levels are refused: yaml_limits_test.cpp).
  std::string text = "a0: &a0 [\"\\e\", x]\n";
  for (int i = 1; i < 6; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  auto start = std::chrono::steady_clock::now();
  auto loaded = LoadPolicyString(text, "c.yaml");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 5.0);
  REQUIRE(loaded.ok());
  int control_errors = 0;
  for (const auto& d : loaded->diagnostics) control_errors += d.message.find("control character") != std::string::npos;
  CHECK(control_errors == 1);
}

TEST_CASE("fuzz: escapes anywhere in a policy never give a raw control character in a message") {
  std::mt19937 rng(97);
  const char* escapes[] = {"\\e", "\\0", "\\a", "\\n", "\\r", "\\t", "\\x1b", "\\u009b", "\\x7f", "\\u202e", "\\xff"};
  const std::string base = kBase;
  int loaded_count = 0;
  for (int i = 0; i < 400; ++i) {
    // Quote one word of the base and put an escape inside it.
    std::string text = base;
    size_t at = rng() % text.size();
    while (at < text.size() && !std::isalpha(static_cast<unsigned char>(text[at]))) ++at;
    size_t end = at;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
    if (end == at) continue;
    std::string word = text.substr(at, end - at);
    size_t cut = rng() % (word.size() + 1);
    std::string quoted = "\"" + word.substr(0, cut) + escapes[rng() % std::size(escapes)] + word.substr(cut) + "\"";
    text.replace(at, end - at, quoted);
    auto loaded = LoadPolicyString(text, "f.yaml");
    if (!loaded.ok()) {
      CHECK_FALSE(HasControl(loaded.status().message()));
      continue;
    }
    ++loaded_count;
    dpo::policy::ValidateOptions options;
    options.known_detectors = policy_test::Detectors();
    auto all = loaded->diagnostics;
    for (auto& d : dpo::policy::ValidatePolicy(loaded->policy, options)) all.push_back(d);
    for (const auto& d : all) {
      INFO(text);
      CHECK_FALSE(HasControl(d.message));
      CHECK_FALSE(HasControl(d.hint));
    }
  }
  CHECK(loaded_count > 100);
}
