// The access package's content: data.json typing, the spreadsheet-safe CSV,
// and the summary for the data subject in English and Dutch (with a hostile
// value, and with no data at all). With DPO_REPORT_PREVIEW=DIR the summaries
// of a realistic subject are left in DIR to look at in a browser.
#include "report/dsar_report.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "dsar/summary.h"
#include "policy/loader.h"
#include "render_util.h"

namespace {

using dpo::dsar::Cell;
using dpo::dsar::DatasetRows;
using dpo::dsar::RowRole;
using dpo::dsar::SubjectData;
using dpo::report::Language;
using dpo::report::testing::CountOf;
using dpo::source::TypeClass;

const dpo::policy::Policy& Staffing() {
  static const dpo::policy::Policy policy = [] {
    auto loaded = dpo::policy::LoadPolicyFile(DPO_SOURCE_DIR "/policies/staffing-agency.yaml");
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    return loaded->policy;
  }();
  return policy;
}

dpo::util::Date Day(const char* iso) {
  auto d = dpo::util::ParseIsoDate(iso);
  REQUIRE(d.ok());
  return *d;
}

DatasetRows Rows(std::string table, RowRole role, std::string via, std::vector<std::string> columns,
                 std::vector<TypeClass> types, std::vector<std::vector<Cell>> rows) {
  DatasetRows d;
  d.table = std::move(table);
  d.role = role;
  d.via = std::move(via);
  d.columns = std::move(columns);
  d.types = std::move(types);
  d.rows = std::move(rows);
  return d;
}

constexpr auto kI = TypeClass::kInteger;
constexpr auto kT = TypeClass::kText;
constexpr auto kD = TypeClass::kDate;
constexpr auto kR = TypeClass::kReal;
constexpr auto kB = TypeClass::kBoolean;
constexpr auto kTs = TypeClass::kTimestamp;

// A candidate who became a temporary worker: what the finder returns for
// them on the staffing sample, by hand.
SubjectData Worker() {
  SubjectData data;
  data.selector_keys = {"email"};
  data.source = "samples/staffing.db";
  data.source_kind = "sqlite";
  data.datasets.push_back(Rows("candidates", RowRole::kSubject, "email",
                               {"id", "first_name", "tussenvoegsel", "last_name", "email", "phone", "city",
                                "date_of_birth", "linkedin_url", "status", "last_active_at", "marketing_consent"},
                               {kI, kT, kT, kT, kT, kT, kT, kD, kT, kT, kTs, kB},
                               {{"7", "Sanne", "van der", "Berg", "sanne.vdberg@example.nl", "+31 6 12345678",
                                 "Utrecht", "1994-03-12", std::nullopt, "active", "2025-11-02 10:15:00", "0"}}));
  data.datasets.push_back(Rows(
      "employees", RowRole::kSubject, "email",
      {"id", "candidate_id", "personnel_number", "email", "iban", "hourly_wage", "contract_start", "vog_issued_on"},
      {kI, kI, kT, kT, kT, kR, kD, kD},
      {{"41", "7", "P-000041", "sanne.vdberg@example.nl", "NL91ABNA0417164300", "16.75", "2024-02-01", "2024-01-20"}}));
  data.datasets.push_back(Rows("payslips", RowRole::kBelongs, "payslips.employee_id -> employees",
                               {"id", "employee_id", "period", "gross_pay", "net_pay", "union_dues"},
                               {kI, kI, kT, kR, kR, kR},
                               {{"901", "41", "2025-09", "2412.5", "1890.1", std::nullopt},
                                {"902", "41", "2025-10", "2530", "1961.8", std::nullopt}}));
  data.datasets.push_back(Rows(
      "conversation_notes", RowRole::kBelongs, "conversation_notes.candidate_id -> candidates",
      {"id", "candidate_id", "created_at", "note"}, {kI, kI, kTs, kT},
      {{"12", "7", "2025-10-03 14:00:00", "Wil liever geen nachtdiensten; referentie [redacted], tel. [redacted]."}}));
  data.datasets.back().redacted_spans = 2;
  data.datasets.push_back(Rows("website_visits", RowRole::kBelongs, "website_visits.candidate_id -> candidates",
                               {"id", "candidate_id", "visited_at", "ip_address", "cookie_id"}, {kI, kI, kTs, kT, kT},
                               {{"5001", "7", "2025-12-01 20:11:09", "192.0.2.44", "c-9f2a"}}));
  DatasetRows company = Rows("client_companies", RowRole::kContext, "placements.company_id", {"id", "name"}, {kI, kT},
                             {{"3", "Zorggroep Oost B.V."}});
  company.withheld = {{"phone", "not declared personal-free in the policy"},
                      {"address", "not declared personal-free in the policy"}};
  data.datasets.push_back(company);
  data.matches.push_back({"candidates", {"email"}, "index", 1});
  data.matches.push_back({"employees", {"email"}, "index", 1});
  return data;
}

dpo::dsar::Summary WorkerSummary() {
  return dpo::dsar::BuildSummary(Staffing(), Worker(), Day("2026-01-31"), "2026-02-02T08:30:00Z");
}

bool ContainsNoCase(std::string haystack, std::string needle) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  return lower(std::move(haystack)).find(lower(std::move(needle))) != std::string::npos;
}

bool Has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("dsar report: --lang takes en and nl") {
  CHECK(*dpo::report::ParseLanguage("en") == Language::kEnglish);
  CHECK(*dpo::report::ParseLanguage("NL") == Language::kDutch);
  auto bad = dpo::report::ParseLanguage("de");
  REQUIRE_FALSE(bad.ok());
  CHECK(Has(bad.status().message(), "en"));
  CHECK(Has(bad.status().message(), "nl"));
  CHECK(std::string(dpo::report::LanguageCode(Language::kDutch)) == "nl");
}

TEST_CASE("data.json: structured per dataset, typed values, key order as documented") {
  const std::string text = dpo::report::RenderSubjectDataJson(Worker());
  CHECK(text.rfind("{\n  \"format\": \"dpo-dsar-data/1\",\n  \"datasets\": [", 0) == 0);
  CHECK(text.back() == '\n');
  const auto j = nlohmann::json::parse(text);
  REQUIRE(j["datasets"].size() == 6);
  const auto& candidates = j["datasets"][0];
  CHECK(candidates["table"] == "candidates");
  CHECK(candidates["role"] == "subject");
  CHECK(candidates["via"] == "email");
  CHECK(candidates["columns"][0] == nlohmann::json{{"name", "id"}, {"type", "integer"}});
  const auto& c = candidates["records"][0];
  CHECK(c["id"] == 7);
  CHECK(c["id"].is_number_integer());
  CHECK(c["linkedin_url"].is_null());
  CHECK(c["marketing_consent"] == false);
  CHECK(c["date_of_birth"] == "1994-03-12");
  CHECK(c["phone"] == "+31 6 12345678");
  const auto& payslip = j["datasets"][2]["records"][1];
  CHECK(payslip["gross_pay"].is_number_float());
  CHECK(payslip["gross_pay"] == 2530.0);
  CHECK(j["datasets"][2]["role"] == "belongs");
  CHECK(j["datasets"][3]["redacted_spans"] == 2);
  const auto& context = j["datasets"][5];
  CHECK(context["role"] == "context");
  CHECK(context["withheld"][0] ==
        nlohmann::json{{"column", "phone"}, {"reason", "not declared personal-free in the policy"}});
  CHECK(j["matches"][0] ==
        nlohmann::json{{"table", "candidates"}, {"columns", {"email"}}, {"method", "index"}, {"rows", 1}});
}

TEST_CASE("data.json: a number is a number only when it parses exactly; anything else stays text") {
  SubjectData data;
  data.datasets.push_back(Rows("t", RowRole::kSubject, "", {"i", "r", "b", "txt"}, {kI, kR, kB, kT},
                               {{"-42", "3.5", "t", "42"},
                                {"007", "1e3", "FALSE", "x"},
                                {"99999999999999999999", "0.1000000000000000055511151231257827", "maybe", "y"},
                                {"-0", "NaN", "yes", "z"},
                                {"+5", "inf", "0", std::nullopt},
                                {"1.0", "-0.000123456789012345", std::nullopt, "bad \xff byte"}}));
  const auto j = nlohmann::json::parse(dpo::report::RenderSubjectDataJson(data));
  const auto& r = j["datasets"][0]["records"];
  CHECK(r[0]["i"] == -42);
  CHECK(r[0]["r"] == 3.5);
  CHECK(r[0]["b"] == true);
  CHECK(r[0]["txt"] == "42");  // a text column keeps text, digits or not
  CHECK(r[1]["i"] == "007");   // a number would lose the zeros
  CHECK(r[1]["r"] == 1000.0);
  CHECK(r[1]["b"] == false);
  CHECK(r[2]["i"] == "99999999999999999999");                  // beyond 64 bits
  CHECK(r[2]["r"] == "0.1000000000000000055511151231257827");  // more digits than a double holds
  CHECK(r[2]["b"] == "maybe");
  CHECK(r[3]["i"] == "-0");
  CHECK(r[3]["r"] == "NaN");
  CHECK(r[3]["b"] == true);
  CHECK(r[4]["i"] == "+5");
  CHECK(r[4]["r"] == "inf");
  CHECK(r[4]["b"] == false);
  CHECK(r[4]["txt"].is_null());
  CHECK(r[5]["i"] == "1.0");
  CHECK(r[5]["r"].is_number_float());  // 15 significant digits: exact enough
  CHECK(r[5]["b"].is_null());
  CHECK(r[5]["txt"] == "bad \xEF\xBF\xBD byte");  // invalid UTF-8 replaced, the file still parses
}

TEST_CASE("data.json: no data is a valid, small file") {
  const std::string text = dpo::report::RenderSubjectDataJson(SubjectData{});
  CHECK(nlohmann::json::parse(text) == nlohmann::json{{"format", "dpo-dsar-data/1"},
                                                      {"datasets", nlohmann::json::array()},
                                                      {"matches", nlohmann::json::array()}});
  CHECK(text.size() < 100);
}

TEST_CASE("CSV: RFC 4180 with CRLF, BOM, quoting, NULL as an empty field") {
  DatasetRows d = Rows("t", RowRole::kSubject, "", {"id", "name", "note"}, {kI, kT, kT},
                       {{"1", "Berg, van der", "zei \"ja\"\nen ging"}, {"2", "", std::nullopt}});
  const std::string csv = dpo::report::RenderDatasetCsv(d);
  CHECK(csv ==
        "\xEF\xBB\xBFid,name,note\r\n"
        "1,\"Berg, van der\",\"zei \"\"ja\"\"\nen ging\"\r\n"
        "2,\"\",\r\n");
}

TEST_CASE("CSV: a cell a spreadsheet would run as a formula starts with a quote; a plain number does not") {
  DatasetRows d = Rows("t", RowRole::kSubject, "", {"=cmd", "v"}, {kT, kT},
                       {{"a", "=HYPERLINK(\"http://x\",\"y\")"},
                        {"b", "+31 6 12345678"},
                        {"c", "-2+3"},
                        {"d", "@SUM(A1:A2)"},
                        {"e", "\t=1"},
                        {"f", "\r=1"},
                        {"g", "-12.5"},
                        {"h", "a=b"}});
  const std::string csv = dpo::report::RenderDatasetCsv(d);
  CHECK(Has(csv, "\xEF\xBB\xBF'=cmd,v\r\n"));  // the header is data too
  CHECK(Has(csv, "a,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n"));
  CHECK(Has(csv, "b,'+31 6 12345678\r\n"));
  CHECK(Has(csv, "c,'-2+3\r\n"));
  CHECK(Has(csv, "d,'@SUM(A1:A2)\r\n"));
  CHECK(Has(csv, "e,'\t=1\r\n"));
  CHECK(Has(csv, "f,\"'\r=1\"\r\n"));
  CHECK(Has(csv, "g,-12.5\r\n"));
  CHECK(Has(csv, "h,a=b\r\n"));
}

TEST_CASE("summary (English): what we hold, why, who receives it, how long, rights, deadlines, contact") {
  const auto summary = WorkerSummary();
  const std::string html = dpo::report::RenderSummaryHtml(summary, Language::kEnglish);
  const std::string md = dpo::report::RenderSummaryMarkdown(summary, Language::kEnglish);
  dpo::report::testing::MaybePreview("dsar-summary-en.html", html);
  dpo::report::testing::MaybePreview("dsar-summary-en.md", md);

  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
  for (const char* heading :
       {"What data we hold about you", "Why we use it, and on what legal basis", "Who receives your data",
        "How long we keep it", "Your rights", "When we must answer", "What is in this package", "Contact"}) {
    CHECK_MESSAGE(Has(html, std::string("<h2>") + heading), heading);
    CHECK_MESSAGE(Has(md, std::string("## ") + heading), heading);
  }
  CHECK(Has(html, "<h1>Your personal data at Flexwerk Nederland B.V.</h1>"));
  // Deadlines: received 31 January, due 28 February, extended to 30 April.
  CHECK(Has(html, "31 January 2026"));
  CHECK(Has(html, "<strong>28 February 2026</strong>"));
  CHECK(Has(html, "30 April 2026"));
  CHECK(Has(md, "by at most two months, to 30 April 2026 at the latest"));
  CHECK(Has(md, "before the first period ends: by **28 February 2026**"));
  // Legal bases in plain words.
  CHECK(Has(html, "<strong>Consent</strong>"));
  CHECK(Has(html, "<strong>Legal obligation</strong>"));
  CHECK(Has(html, "Wet op de loonbelasting 1964"));
  CHECK(Has(html, "<strong>Legitimate interest</strong>"));
  CHECK(Has(html, "A reliable record of agreements"));
  CHECK(Has(html, "only with your explicit consent"));  // conversation notes: Art. 9(2)(a)
  CHECK(Has(html, "Criminal-law data"));                // VOG date: Art. 10
  // Special categories marked; retention in words with its action and hold.
  CHECK(Has(html, "<span class=\"badge\">special category</span>"));
  CHECK(Has(html, "<strong>2 years</strong> after the date in <code>last_<wbr>active_<wbr>at</code>, then deleted"));
  CHECK(Has(html, "Kept longer while: "));
  // Recipients and the transfer to the US with its safeguard.
  CHECK(Has(html, "Payroll service that computes wages and payslips"));
  CHECK(Has(html, "the United States (US)"));
  CHECK(Has(html, "adequacy decision"));
  // Rights, each with its article, and the authority with its website.
  for (const char* right :
       {"Rectification", "Erasure", "Restriction", "Objection", "Data portability", "Withdrawing consent", "Complaint"})
    CHECK_MESSAGE(Has(html, std::string("<strong>") + right + "</strong>"), right);
  for (const char* article : {"Art. 16 GDPR", "Art. 17 GDPR", "Art. 18 GDPR", "Art. 21 GDPR", "Art. 20 GDPR"})
    CHECK_MESSAGE(Has(html, article), article);
  CHECK(Has(html, "Autoriteit Persoonsgegevens"));
  CHECK(Has(html, "autoriteitpersoonsgegevens.nl"));
  CHECK(Has(html, "fg@flexwerk.example"));
  CHECK(Has(html, "2 mentions"));  // redactions told
  CHECK_FALSE(Has(html, "We hold no personal data about you"));
  // Self-contained: nothing to load, nothing to run.
  CHECK(Has(html, "Content-Security-Policy"));
  CHECK_FALSE(ContainsNoCase(html, "<script"));
  CHECK_FALSE(ContainsNoCase(html, "src="));
  CHECK_FALSE(ContainsNoCase(html, "<link"));
  CHECK_FALSE(ContainsNoCase(html, "href="));
  CHECK_FALSE(ContainsNoCase(html, "url("));
}

TEST_CASE("summary (Dutch): the same content, in Dutch, u-form") {
  const auto summary = WorkerSummary();
  const std::string html = dpo::report::RenderSummaryHtml(summary, Language::kDutch);
  const std::string md = dpo::report::RenderSummaryMarkdown(summary, Language::kDutch);
  dpo::report::testing::MaybePreview("dsar-summary-nl.html", html);
  dpo::report::testing::MaybePreview("dsar-summary-nl.md", md);

  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"nl\">", 0) == 0);
  for (const char* heading :
       {"Welke gegevens wij van u hebben", "Waarvoor wij uw gegevens gebruiken, en op welke grond",
        "Wie uw gegevens ontvangt", "Hoe lang wij uw gegevens bewaren", "Uw rechten", "Wanneer wij moeten antwoorden",
        "Wat dit pakket bevat", "Contact"}) {
    CHECK_MESSAGE(Has(html, std::string("<h2>") + heading), heading);
    CHECK_MESSAGE(Has(md, std::string("## ") + heading), heading);
  }
  CHECK(Has(html, "<h1>Uw persoonsgegevens bij Flexwerk Nederland B.V.</h1>"));
  CHECK(Has(html, "31 januari 2026"));
  CHECK(Has(html, "<strong>28 februari 2026</strong>"));
  CHECK(Has(html, "30 april 2026"));
  CHECK(Has(md, "met ten hoogste twee maanden verlengen, tot uiterlijk 30 april 2026"));
  CHECK(Has(html, "<strong>Toestemming</strong>"));
  CHECK(Has(html, "<strong>Wettelijke verplichting</strong>"));
  CHECK(Has(html, "<strong>Gerechtvaardigd belang</strong>"));
  CHECK(Has(html, "<strong>2 jaar</strong> na de datum in <code>last_<wbr>active_<wbr>at</code>, daarna verwijderd"));
  for (const char* right :
       {"Rectificatie", "Verwijdering", "Beperking", "Bezwaar", "Overdraagbaarheid", "Toestemming intrekken", "Klacht"})
    CHECK_MESSAGE(Has(html, std::string("<strong>") + right + "</strong>"), right);
  CHECK(Has(html, "art. 16 AVG"));
  CHECK(Has(html, "autoriteitpersoonsgegevens.nl"));
  CHECK(Has(html, "de Verenigde Staten (US)"));
  // u-form throughout: never the informal je/jij/jouw.
  for (const char* informal : {" je ", " jij ", " jouw ", " jou "}) {
    CHECK_MESSAGE(!Has(html, informal), informal);
    CHECK_MESSAGE(!Has(md, informal), informal);
  }
  // No English sentence of ours left behind (policy texts are shown as written).
  CHECK_FALSE(Has(html, "Your rights"));
  CHECK_FALSE(Has(html, "then deleted"));
}

TEST_CASE("summary: a hostile value is text in HTML and Markdown") {
  auto summary = WorkerSummary();
  const std::string hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
  summary.controller = hostile;
  summary.categories[0].description = hostile;
  summary.categories[0].datasets[0] = hostile;
  summary.purposes[0].description = hostile;
  summary.purposes[0].recipients[0] = hostile;
  summary.retention[0].after = "`" + hostile;
  summary.retention[0].holds.push_back(hostile);
  summary.dpo_contact = "x\" onmouseover=\"alert(3)";
  for (Language language : {Language::kEnglish, Language::kDutch}) {
    const std::string html = dpo::report::RenderSummaryHtml(summary, language);
    CHECK_FALSE(ContainsNoCase(html, "<script"));
    CHECK_FALSE(ContainsNoCase(html, "<img"));
    CHECK_FALSE(Has(html, "\" onmouseover"));
    CHECK(CountOf(html, "&lt;script&gt;alert(1)&lt;/script&gt;") >= 7);  // every place it was put
    const std::string md = dpo::report::RenderSummaryMarkdown(summary, language);
    CHECK_FALSE(ContainsNoCase(md, "<script"));
    CHECK_FALSE(ContainsNoCase(md, "<img"));
    CHECK(Has(md, "&lt;script&gt;"));
  }
}

TEST_CASE("summary: a subject with no data gets a short answer that says so, with rights and deadline") {
  const auto summary = dpo::dsar::BuildSummary(Staffing(), SubjectData{}, Day("2026-01-31"), "2026-02-02T08:30:00Z");
  REQUIRE(summary.no_data);
  const std::string en = dpo::report::RenderSummaryHtml(summary, Language::kEnglish);
  const std::string nl = dpo::report::RenderSummaryHtml(summary, Language::kDutch);
  const std::string md_en = dpo::report::RenderSummaryMarkdown(summary, Language::kEnglish);
  const std::string md_nl = dpo::report::RenderSummaryMarkdown(summary, Language::kDutch);
  dpo::report::testing::MaybePreview("dsar-summary-nodata-en.html", en);
  dpo::report::testing::MaybePreview("dsar-summary-nodata-nl.html", nl);
  CHECK(Has(en, "We hold no personal data about you."));
  CHECK(Has(md_en, "**We hold no personal data about you.**"));
  CHECK(Has(nl, "Wij hebben geen persoonsgegevens van u."));
  CHECK(Has(md_nl, "**Wij hebben geen persoonsgegevens van u.**"));
  for (const std::string* page : {&en, &nl, &md_en, &md_nl}) {
    CHECK(Has(*page, "autoriteitpersoonsgegevens.nl"));
    CHECK(Has(*page, "2026"));
  }
  CHECK(Has(en, "<h2>Your rights</h2>"));
  CHECK(Has(en, "<strong>28 February 2026</strong>"));
  CHECK(Has(nl, "<h2>Uw rechten</h2>"));
  CHECK_FALSE(Has(en, "What data we hold about you"));
  CHECK_FALSE(Has(en, "How long we keep it"));
  CHECK_FALSE(Has(nl, "Welke gegevens wij van u hebben"));
  CHECK_FALSE(Has(en, "tables/"));  // no CSV files to describe
  CHECK(en.size() < 16000);
  CHECK(md_en.size() < 6000);
}
