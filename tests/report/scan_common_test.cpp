#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <random>

#include "report/escape.h"
#include "report/scan_common.h"
#include "report/scan_report.h"
#include "fixtures.h"

using namespace dpo::report;

TEST_CASE("ParseScanFormat accepts the five names in any case and rejects others clearly") {
  CHECK(ParseScanFormat("text").value() == ScanFormat::kText);
  CHECK(ParseScanFormat("JSON").value() == ScanFormat::kJson);
  CHECK(ParseScanFormat("Sarif").value() == ScanFormat::kSarif);
  CHECK(ParseScanFormat("md").value() == ScanFormat::kMarkdown);
  CHECK(ParseScanFormat("markdown").value() == ScanFormat::kMarkdown);
  CHECK(ParseScanFormat("html").value() == ScanFormat::kHtml);
  for (ScanFormat f : {ScanFormat::kText, ScanFormat::kJson, ScanFormat::kSarif, ScanFormat::kMarkdown, ScanFormat::kHtml})
    CHECK(ParseScanFormat(ScanFormatName(f)).value() == f);
  for (const char* bad : {"", "xml", "htm", "text ", "pdf\n"}) {
    auto r = ParseScanFormat(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == dpo::StatusCode::kInvalidArgument);
    CHECK(r.status().message().find("text, json, sarif, markdown, html") != std::string::npos);
    CHECK(r.status().message().find('\n') == std::string::npos);
  }
}

TEST_CASE("percentages never claim all or none when that is not true") {
  CHECK(PercentOf(291, 300) == 97);
  CHECK(PercentOf(299, 300) == 99);
  CHECK(PercentOf(300, 300) == 100);
  CHECK(PercentOf(1, 1000) == 1);
  CHECK(PercentOf(0, 1000) == 0);
  CHECK(PercentOf(5, 0) == 0);
  CHECK(ConfidencePercent(0.974) == "97%");
  CHECK(ConfidencePercent(1.7) == "100%");
}

TEST_CASE("evidence summary says counts, validation and masked samples, nothing else") {
  auto e = testing::MakeEvidence("email", 0.97, 300, 291, 291, {"j***@e***.nl"});
  const std::string s = EvidenceSummary(e);
  CHECK(s.find("97% of 300 values") != std::string::npos);
  CHECK(s.find("291 validated") != std::string::npos);
  CHECK(s.find("e.g. j***@e***.nl") != std::string::npos);
  auto name_only = testing::MakeEvidence("gender", 0.6, 0, 0, 0, {}, true);
  CHECK(EvidenceSummary(name_only).find("column name matches") != std::string::npos);
  CHECK(EvidenceSummary(name_only).find("confidence 60%") != std::string::npos);
  auto in_text = testing::MakeEvidence("phone", 0.6, 800, 0, 0, {}, false, 61);
  CHECK(EvidenceSummary(in_text).find("8% of 800 values contain a match") != std::string::npos);
}

TEST_CASE("policy locations split into path, line and column") {
  auto a = ParseSourceLocation("policies/x.yaml:12:7");
  CHECK(a.path == "policies/x.yaml");
  CHECK(a.line == 12);
  CHECK(a.column == 7);
  auto b = ParseSourceLocation("policies/x.yaml:12");
  CHECK(b.path == "policies/x.yaml");
  CHECK(b.line == 12);
  CHECK(b.column == 0);
  auto c = ParseSourceLocation("C:/dpo/x.yaml");
  CHECK(c.path == "C:/dpo/x.yaml");
  CHECK(c.line == 0);
  CHECK(ParseSourceLocation("").path.empty());
  CHECK(ParseSourceLocation("x.yaml:99999999999999999999:1").path == "x.yaml:99999999999999999999");
}

TEST_CASE("verdict follows the worst severity, and discovery mode has its own") {
  auto policy = testing::PolicyModeResult();
  CHECK(VerdictOf(policy).word == "FAIL");
  policy.findings.erase(std::remove_if(policy.findings.begin(), policy.findings.end(),
                                       [](const dpo::scan::Finding& f) { return f.severity == dpo::scan::Severity::kError; }),
                        policy.findings.end());
  CHECK(VerdictOf(policy).word == "WARN");
  policy.findings.clear();
  CHECK(VerdictOf(policy).word == "PASS");
  CHECK(VerdictOf(testing::DiscoveryResult()).word == "INVENTORY");
}

TEST_CASE("every finding code of the engine has a rule") {
  for (const char* code : {dpo::scan::kCodePersonalData, dpo::scan::kCodeUndeclared, dpo::scan::kCodeNoArt9Condition,
                           dpo::scan::kCodeNoArt10Basis, dpo::scan::kCodeNationalIdWithoutLaw,
                           dpo::scan::kCodeCategoryMismatch, dpo::scan::kCodeRetentionExpired,
                           dpo::scan::kCodeMissingTable, dpo::scan::kCodeMissingColumn, dpo::scan::kCodeFreeText}) {
    const RuleInfo* r = FindRule(code);
    REQUIRE(r != nullptr);
    CHECK(std::string(r->title).size() > 5);
    CHECK(std::string(r->help_uri).rfind("https://", 0) == 0);
  }
  CHECK(FindRule("no-such-code") == nullptr);
}

// Fuzz-style: random and mutated hostile strings through every escaper.
TEST_CASE("escapers neutralise arbitrary bytes") {
  std::mt19937 rng(20260301);
  std::vector<std::string> seeds = {testing::kHostileTable, testing::kHostileColumn, testing::kHostileFile,
                                    "\x1b[31m\xc2\x9b\x7f|*_`[]", "\xff\xfe\xc2", ""};
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    if (round % 2 == 0) {
      const int len = static_cast<int>(rng() % 40);
      for (int i = 0; i < len; ++i) s += static_cast<char>(rng() % 256);
    } else {
      s = seeds[rng() % seeds.size()];
      for (int k = 0; k < 4 && !s.empty(); ++k) s[rng() % s.size()] = static_cast<char>(rng() % 256);
      s += seeds[rng() % seeds.size()];
    }
    const std::string html = HtmlEscape(s);
    CHECK(html.find_first_of("<>\"'") == std::string::npos);
    for (unsigned char c : html) CHECK((c >= 0x20 || c == '\n' || c == '\t'));
    const std::string md = MarkdownEscape(s);
    CHECK(md.find_first_of("<>\n\r") == std::string::npos);
    for (size_t i = 0; i < md.size(); ++i) {
      if (md[i] == '\\') { ++i; continue; }  // an escaped character
      CHECK(std::string("|*_`[]").find(md[i]) == std::string::npos);
    }
    const std::string term = TerminalSafe(s);
    for (size_t i = 0; i < term.size(); ++i) {
      const auto c = static_cast<unsigned char>(term[i]);
      CHECK(c >= 0x20);
      CHECK(c != 0x7F);
      if (c == 0xC2 && i + 1 < term.size()) {
        const auto n = static_cast<unsigned char>(term[i + 1]);
        CHECK_FALSE((n >= 0x80 && n <= 0x9F));
      }
    }
    const std::string uri = UriFromPath("p/" + s);
    for (unsigned char c : uri) CHECK((std::isalnum(c) || std::string("-._~/%").find(static_cast<char>(c)) != std::string::npos));
  }
}

TEST_CASE("URIs: schemes kept, absolute paths become file URIs, the rest is percent-encoded") {
  CHECK(UriFromPath("postgresql://app@db/hr") == "postgresql://app@db/hr");
  CHECK(UriFromPath("/srv/data/candidates.db") == "file:///srv/data/candidates.db");
  CHECK(UriFromPath("exports/my file.csv") == "exports/my%20file.csv");
  CHECK(UriFromPath("C:\\x") == "C%3A%5Cx");
}
