// The Art. 30 record rendered from docs/policy-example.yaml, and the
// diagnostics renderers.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "policy/loader.h"
#include "report/policy_diagnostics.h"
#include "report/register_report.h"

namespace {
dpo::policy::Policy Example() {
  auto loaded = dpo::policy::LoadPolicyFile(DPO_SOURCE_DIR "/docs/policy-example.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  REQUIRE(loaded->diagnostics.empty());
  return loaded->policy;
}

std::string RowOf(const std::string& markdown, const std::string& purpose) {
  size_t at = markdown.find("| **" + purpose + "**");
  REQUIRE_MESSAGE(at != std::string::npos, markdown);
  return markdown.substr(at, markdown.find('\n', at) - at);
}
}  // namespace

TEST_CASE("Art. 30 markdown: header, one row per purpose with basis, categories, retention") {
  dpo::policy::Policy p = Example();
  std::string md = dpo::report::RenderRegisterMarkdown(p);
  CHECK(md.find("# Record of processing activities (GDPR Art. 30)") == 0);
  CHECK(md.find("- Controller: Voorbeeld Uitzendbureau B.V., Stationsplein 1, 3511 ED Utrecht") != std::string::npos);
  CHECK(md.find("- Data protection officer: J. de Vries, fg@voorbeeld.example") != std::string::npos);
  CHECK(md.find("- Supervisory authority: Autoriteit Persoonsgegevens") != std::string::npos);

  std::string mediation = RowOf(md, "mediation");
  CHECK(mediation.find("Consent (Art. 6(1)(a))") != std::string::npos);
  CHECK(mediation.find("Candidates and applicants (candidate)") != std::string::npos);
  CHECK(mediation.find("Hirers that receive CVs (clients), client") != std::string::npos);
  CHECK(mediation.find("2 years after last\\_active\\_at (delete)") != std::string::npos);

  std::string payroll = RowOf(md, "payroll");
  CHECK(payroll.find("Legal obligation (Art. 6(1)(c)): Wet op de loonbelasting 1964, art. 28") != std::string::npos);
  CHECK(payroll.find("bsn (national id / BSN, UAVG art. 46)") != std::string::npos);
  CHECK(payroll.find("7 years after employment\\_ended\\_at (delete)") != std::string::npos);

  std::string absence = RowOf(md, "absence");
  CHECK(absence.find("employment\\_law (Art. 9(2)(b))") != std::string::npos);
  CHECK(absence.find("health (special category: health, Art. 9)") != std::string::npos);
  CHECK(absence.find("US to payroll (scc)") != std::string::npos);
  CHECK(absence.find("(anonymise)") != std::string::npos);
  // No security measures in the example: no placeholder line.
  CHECK(md.find("Security measures") == std::string::npos);

  p.controller.security_measures = "Encryption at rest; access on a need-to-know basis";
  CHECK(dpo::report::RenderRegisterMarkdown(p).find("Security measures (Art. 30(1)(g)): Encryption at rest") !=
        std::string::npos);
}

TEST_CASE("Art. 30 markdown escapes text that could break the table") {
  dpo::policy::Policy p = Example();
  p.purposes[0].description = "a | b <script>";
  std::string row = RowOf(dpo::report::RenderRegisterMarkdown(p), "mediation");
  CHECK(row.find("<script>") == std::string::npos);
  CHECK(row.find("a \\| b") != std::string::npos);
}

TEST_CASE("Art. 30 HTML: one self-contained page, one card per purpose, everything escaped") {
  dpo::policy::Policy p = Example();
  p.purposes[0].description = "<script>alert(1)</script> & more";
  const std::string html = dpo::report::RenderRegisterHtml(p);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("Content-Security-Policy") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more") != std::string::npos);
  for (const char* external : {"<link", "<img", "http://", "https://", "url("})
    CHECK_MESSAGE(html.find(external) == std::string::npos, external);
  size_t cards = 0;
  for (size_t at = html.find("<section class=\"activity\">"); at != std::string::npos;
       at = html.find("<section class=\"activity\">", at + 1))
    ++cards;
  CHECK(cards == p.purposes.size());
  // The same words as the Markdown register: both come from RegisterActivities.
  for (const auto& a : dpo::report::RegisterActivities(p)) {
    CHECK(html.find(">" + a.purpose + "<") != std::string::npos);
    for (const auto& c : a.categories) CHECK(html.find(c.substr(0, c.find(' '))) != std::string::npos);
  }
  CHECK(html.find("Voorbeeld Uitzendbureau B.V.") != std::string::npos);
  CHECK(html.find("class=\"sensitive\">") != std::string::npos);  // special categories stand out
}

TEST_CASE("Art. 30 JSON: schema dpo.register/1") {
  auto doc = nlohmann::json::parse(dpo::report::RenderRegisterJson(Example()));
  CHECK(doc["schema"] == "dpo.register/1");
  CHECK(doc["controller"]["dpo"]["name"] == "J. de Vries");
  CHECK(doc["controller"]["security_measures"].is_null());
  REQUIRE(doc["activities"].size() == 3);
  const auto& payroll = doc["activities"][1];
  CHECK(payroll["purpose"] == "payroll");
  CHECK(payroll["legal_basis"] == "legal_obligation");
  CHECK(payroll["legal_basis_article"] == "Art. 6(1)(c)");
  CHECK(payroll["law"] == "Wet op de loonbelasting 1964, art. 28");
  CHECK(payroll["categories"][1]["sensitivity"] == "national_id");
  REQUIRE(payroll["retention"].size() == 1);
  CHECK(payroll["retention"][0]["keep"] == "7y");
  CHECK(payroll["retention"][0]["after"] == "employment_ended_at");
  CHECK(payroll["retention"][0]["dataset"] == "employees");
  const auto& absence = doc["activities"][2];
  CHECK(absence["art9_condition"] == "employment_law");
  CHECK(absence["transfers"][0]["safeguard"] == "scc");
  CHECK(absence["retention_summary"] == "2 years after ended_at (anonymise)");
}

TEST_CASE("diagnostics: text and JSON") {
  auto loaded = dpo::policy::LoadPolicyString("version: 1\nbogus: 1\n", "p.yaml");
  REQUIRE(loaded.ok());
  std::string text = dpo::report::RenderDiagnosticsText(loaded->diagnostics);
  CHECK(text.find("p.yaml:2:1: error: unknown key 'bogus' in the policy\n    hint: ") != std::string::npos);
  auto doc = nlohmann::json::parse(dpo::report::RenderDiagnosticsJson("p.yaml", loaded->diagnostics, false));
  CHECK(doc["schema"] == "dpo.policy-check/1");
  CHECK(doc["ok"] == false);
  CHECK(doc["errors"].get<int>() == static_cast<int>(loaded->diagnostics.size()));
  CHECK(doc["diagnostics"][0]["line"] == 1);
  bool found = false;
  for (const auto& d : doc["diagnostics"])
    if (d["code"] == "unknown-key" && d["line"] == 2 && d["column"] == 1) found = true;
  CHECK(found);
}
