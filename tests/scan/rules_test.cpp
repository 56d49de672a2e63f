// The rule registry (scan/rules.h) is the one list of finding codes: every
// code the engine defines is in it, the docs and the man page list each with
// the registry's severity, and findings take their severity from it.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "scan/rules.h"

using namespace dpo::scan;

namespace {

std::string Read(const std::string& rel) {
  std::ifstream in(std::string(DPO_SOURCE_DIR) + "/" + rel);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* SeverityWord(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "?";
}

}  // namespace

TEST_CASE("rules: every code of finding.h is in the registry, once, with a title, law and help") {
  // The kCode* constants, read from the header itself so a new one cannot be forgotten here.
  const std::string header = Read("lib/scan/finding.h");
  std::set<std::string> codes;
  const std::regex constant(R"re(kCode\w+ = "([a-z0-9-]+)")re");
  for (auto it = std::sregex_iterator(header.begin(), header.end(), constant); it != std::sregex_iterator(); ++it)
    codes.insert((*it)[1]);
  REQUIRE(codes.size() >= 16);
  std::set<std::string> registered;
  for (const RuleInfo& r : AllRules()) {
    CHECK_MESSAGE(registered.insert(r.code).second, r.code);
    CHECK(std::string(r.title).size() > 5);
    CHECK(std::string(r.description).size() > 40);
    CHECK(std::string(r.help_uri).rfind("https://", 0) == 0);
  }
  CHECK(registered == codes);
  CHECK(FindRule("no-such-code") == nullptr);
}

TEST_CASE("rules: docs/scan-json.md and dpo-scan(1) list every code with the registry's severity") {
  const std::string whole_doc = Read("docs/scan-json.md");
  // The list of codes under findings[].code (the codes appear in examples elsewhere).
  const size_t section = whole_doc.find("`findings[].code`");
  REQUIRE(section != std::string::npos);
  const std::string doc = whole_doc.substr(section);
  const std::string man = Read("man/dpo-scan.1");
  for (const RuleInfo& r : AllRules()) {
    const std::string code = r.code;
    const size_t at = doc.find("`" + code + "`");
    REQUIRE_MESSAGE(at != std::string::npos, code);
    // The severity in the text that follows the code (or a shared "and X (severity").
    const size_t paren = doc.find('(', at);
    REQUIRE(paren != std::string::npos);
    CHECK_MESSAGE(doc.compare(paren + 1, std::string(SeverityWord(r.default_severity)).size(),
                              SeverityWord(r.default_severity)) == 0,
                  code);
    CHECK_MESSAGE(man.find("\\fB" + code + "\\fR") != std::string::npos, code);
  }
}

TEST_CASE("rules: SetRule gives a finding its code and the registry's severity") {
  Finding f;
  SetRule(&f, kCodeConsentUnlinked);
  CHECK(std::string(f.code) == kCodeConsentUnlinked);
  CHECK(f.severity == Severity::kNote);
  SetRule(&f, kCodeRetentionExpired);
  CHECK(f.severity == Severity::kError);
}
