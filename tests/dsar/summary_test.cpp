// BuildSummary against the staffing-agency policy: which categories, purposes,
// recipients, retention rules and deadlines a subject's summary tells.
#include "dsar/summary.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "policy/loader.h"

namespace {

using dpo::dsar::Cell;
using dpo::dsar::DatasetRows;
using dpo::dsar::RowRole;
using dpo::dsar::SubjectData;
using dpo::dsar::Summary;

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

DatasetRows Rows(std::string table, RowRole role, std::vector<std::string> columns,
                 std::vector<std::vector<Cell>> rows) {
  DatasetRows d;
  d.table = std::move(table);
  d.role = role;
  d.columns = std::move(columns);
  d.types.assign(d.columns.size(), dpo::source::TypeClass::kText);
  d.rows = std::move(rows);
  return d;
}

// A candidate with a conversation note, and the client company one of their
// applications points at (context: not theirs).
SubjectData Candidate() {
  SubjectData data;
  data.datasets.push_back(Rows("candidates", RowRole::kSubject,
                               {"id", "first_name", "email", "bsn", "iban", "last_active_at", "status"},
                               {{"7", "Anna", "anna@example.nl", std::nullopt, std::nullopt, "2025-11-02", "active"}}));
  data.datasets.push_back(Rows("conversation_notes", RowRole::kBelongs, {"id", "candidate_id", "note"},
                               {{"1", "7", "Zwanger, wil 24 uur werken"}, {"2", "7", std::nullopt}}));
  data.datasets.back().redacted_spans = 2;
  DatasetRows context = Rows("client_companies", RowRole::kContext, {"id", "name", "city"}, {{"3", "Bakkerij", "Ede"}});
  context.withheld = {{"phone", "personal data of another data subject"}, {"address", "idem"}};
  data.datasets.push_back(context);
  return data;
}

const dpo::dsar::SummaryCategory* FindCategory(const Summary& s, const std::string& id) {
  for (const auto& c : s.categories)
    if (c.id == id) return &c;
  return nullptr;
}

const dpo::dsar::SummaryPurpose* FindPurpose(const Summary& s, const std::string& id) {
  for (const auto& p : s.purposes)
    if (p.id == id) return &p;
  return nullptr;
}

}  // namespace

TEST_CASE("summary: categories come from the policy's column mapping, counting non-NULL values of the subject only") {
  Summary s = dpo::dsar::BuildSummary(Staffing(), Candidate(), Day("2026-01-31"), "2026-02-01T09:00:00Z");
  CHECK_FALSE(s.no_data);
  CHECK(s.records == 3);  // 1 candidate + 2 notes; the client company is context
  CHECK(s.redacted_spans == 2);
  CHECK(s.withheld_columns == 2);

  // In policy order: contact, ..., conversation_notes. Not bsn or bank_account
  // (NULL for this candidate), nothing of the client company (context: its
  // "city" is business data of someone else).
  std::vector<std::string> ids;
  for (const auto& c : s.categories) ids.push_back(c.id);
  CHECK(ids == std::vector<std::string>{"contact", "conversation_notes"});

  const auto* contact = FindCategory(s, "contact");
  REQUIRE(contact != nullptr);
  CHECK(contact->values == 2);  // first_name, email
  CHECK(contact->datasets == std::vector<std::string>{"candidates"});
  CHECK_FALSE(contact->special);
  CHECK(contact->description.find("NAW") != std::string::npos);

  const auto* notes = FindCategory(s, "conversation_notes");
  REQUIRE(notes != nullptr);
  CHECK(notes->special);      // sensitivity: special
  CHECK(notes->values == 1);  // the NULL note does not count
  CHECK(notes->datasets == std::vector<std::string>{"conversation_notes"});

  CHECK(s.sources == std::vector<std::string>{"candidates", "conversation_notes"});  // no descriptions in the policy
}

TEST_CASE("summary: purposes of the subject's datasets, with basis, held categories, recipients and Art. 9 condition") {
  Summary s = dpo::dsar::BuildSummary(Staffing(), Candidate(), Day("2026-01-31"), "t");
  std::vector<std::string> ids;
  for (const auto& p : s.purposes) ids.push_back(p.id);
  // candidates: mediation, consent_administration, payroll; notes: candidate_file_notes. Policy order;
  // consent_administration (consent, technical) is left out: this candidate has no values of either.
  CHECK(ids == std::vector<std::string>{"mediation", "candidate_file_notes", "payroll"});

  const auto* mediation = FindPurpose(s, "mediation");
  REQUIRE(mediation != nullptr);
  CHECK(mediation->legal_basis == "consent");
  CHECK(mediation->categories == std::vector<std::string>{"contact"});  // identity and career not held
  CHECK(std::find(mediation->recipients.begin(), mediation->recipients.end(),
                  "Clients (hirers) that receive a candidate's name, city, CV and availability") !=
        mediation->recipients.end());
  CHECK(mediation->art9_condition.empty());

  const auto* notes = FindPurpose(s, "candidate_file_notes");
  REQUIRE(notes != nullptr);
  CHECK(notes->legal_basis == "legitimate_interests");
  CHECK(notes->interest.find("reliable record") != std::string::npos);
  CHECK(notes->art9_condition == "explicit_consent");  // conversation_notes is special and held
  CHECK(notes->art10_basis.empty());                   // no criminal data held

  const auto* payroll = FindPurpose(s, "payroll");
  REQUIRE(payroll != nullptr);
  CHECK(payroll->legal_basis == "legal_obligation");
  CHECK(payroll->law.find("Wet op de loonbelasting 1964") != std::string::npos);
  CHECK(payroll->categories == std::vector<std::string>{"contact"});

  CHECK(s.transfers.empty());  // website_analytics is not a purpose of these datasets
}

TEST_CASE("summary: retention rules of the subject's datasets, with legal holds") {
  Summary s = dpo::dsar::BuildSummary(Staffing(), Candidate(), Day("2026-01-31"), "t");
  REQUIRE(s.retention.size() == 3);  // candidate_profile_renewal, candidate_inactive, conversation_notes
  CHECK(s.retention[0].dataset == "candidates");
  CHECK(s.retention[0].keep == "1y");
  CHECK(s.retention[0].action == "restrict");
  CHECK(s.retention[1].keep == "2y");
  CHECK(s.retention[1].after == "last_active_at");
  CHECK(s.retention[1].action == "delete");
  CHECK(s.retention[1].basis.find("5(1)(e)") != std::string::npos);
  CHECK(s.retention[1].holds == std::vector<std::string>{"Art. 17(3)(e) AVG, an open dispute or complaint"});
  CHECK(s.retention[2].dataset == "conversation_notes");
  CHECK(s.retention[2].holds.empty());
}

TEST_CASE("summary: deadlines count calendar months from receipt; the extension too") {
  Summary s = dpo::dsar::BuildSummary(Staffing(), Candidate(), Day("2026-01-31"), "2026-02-01T09:00:00Z");
  CHECK(s.received == "2026-01-31");
  CHECK(s.due == "2026-02-28");
  CHECK(s.due_extended == "2026-04-30");  // three months from receipt, not 02-28 + 2 months
  CHECK(s.response_period == "1m");
  CHECK(s.extension == "2m");
  CHECK(s.generated_at == "2026-02-01T09:00:00Z");

  s = dpo::dsar::BuildSummary(Staffing(), Candidate(), Day("2026-03-15"), "t");
  CHECK(s.due == "2026-04-15");
  CHECK(s.due_extended == "2026-06-15");

  // A period in weeks (four weeks, as some statements promise) then two months.
  dpo::policy::Policy weeks = Staffing();
  weeks.dsar.response_period = dpo::util::Duration::Weeks(4);
  s = dpo::dsar::BuildSummary(weeks, Candidate(), Day("2026-01-31"), "t");
  CHECK(s.due == "2026-02-28");
  CHECK(s.due_extended == "2026-04-28");
}

TEST_CASE("summary: controller, DPO and request contact from the policy") {
  Summary s = dpo::dsar::BuildSummary(Staffing(), Candidate(), Day("2026-01-31"), "t");
  CHECK(s.controller == "Flexwerk Nederland B.V.");
  CHECK(s.controller_contact == "privacy@flexwerk.example");
  CHECK(s.controller_address == "Stationsplein 12, 3511 ED Utrecht");
  CHECK(s.dpo_contact == "fg@flexwerk.example");
  CHECK(s.dpo_name.find("El Idrissi") != std::string::npos);
  CHECK(s.request_contact == "privacy@flexwerk.example");
  CHECK(s.supervisory_authority == "Autoriteit Persoonsgegevens");
}

TEST_CASE("summary: context rows alone are no data of the subject") {
  SubjectData data;
  data.datasets.push_back(Rows("client_companies", RowRole::kContext, {"id", "city"}, {{"3", "Ede"}}));
  Summary s = dpo::dsar::BuildSummary(Staffing(), data, Day("2026-01-31"), "t");
  CHECK(s.no_data);
  CHECK(s.records == 0);
  CHECK(s.categories.empty());
  CHECK(s.purposes.empty());
  CHECK(s.retention.empty());

  s = dpo::dsar::BuildSummary(Staffing(), SubjectData{}, Day("2026-01-31"), "t");
  CHECK(s.no_data);
  CHECK(s.due == "2026-02-28");  // the deadline holds for a "nothing found" answer too
  CHECK(s.controller == "Flexwerk Nederland B.V.");
}

TEST_CASE(
    "summary: criminal data makes a category special and brings the purpose's Art. 10 basis; a worker's transfers") {
  SubjectData data;
  data.datasets.push_back(
      Rows("employees", RowRole::kSubject, {"id", "email", "vog_issued_on"}, {{"4", "w@example.nl", "2024-05-01"}}));
  data.datasets.push_back(
      Rows("website_visits", RowRole::kBelongs, {"id", "candidate_id", "ip_address"}, {{"9", "7", "192.0.2.1"}}));
  data.datasets.push_back(Rows("conversation_notes", RowRole::kBelongs, {"id", "note"}, {{"2", "Heeft VOG"}}));
  data.datasets.push_back(Rows("no_such_table", RowRole::kBelongs, {"x"}, {{"1"}}));
  Summary s = dpo::dsar::BuildSummary(Staffing(), data, Day("2026-01-31"), "t");
  CHECK(s.records == 4);  // the undeclared table's row counts, though it has no categories
  const auto* criminal = FindCategory(s, "criminal");
  REQUIRE(criminal != nullptr);
  CHECK(criminal->special);
  const auto* vog = FindPurpose(s, "vog_screening");
  REQUIRE(vog != nullptr);
  CHECK(vog->art10_basis.find("UAVG art. 33") != std::string::npos);
  CHECK(vog->art9_condition.empty());
  CHECK(vog->categories == std::vector<std::string>{"criminal"});
  // The notes' purpose names criminal data too, but the VOG date is held in
  // employees, which that purpose does not serve.
  const auto* notes = FindPurpose(s, "candidate_file_notes");
  REQUIRE(notes != nullptr);
  CHECK(notes->categories == std::vector<std::string>{"conversation_notes"});
  CHECK(notes->art10_basis.empty());
  CHECK(notes->art9_condition == "explicit_consent");
  REQUIRE(s.transfers.size() == 1);
  CHECK(s.transfers[0].country == "US");
  CHECK(s.transfers[0].recipient == "Website statistics service");
  CHECK(s.transfers[0].safeguard == "adequacy");
}

TEST_CASE("summary: the consents the subject gave and withdrew, per consent-based purpose, from its own records") {
  SubjectData data = Candidate();
  data.datasets.push_back(Rows("consents", RowRole::kBelongs, {"id", "candidate_id", "purpose", "given_at", "withdrawn_at"},
                               {{"1", "7", "mediation", "2024-01-02 10:00:00", std::nullopt},
                                {"2", "7", "website_analytics", "2024-01-02 10:01:00", "2025-03-04 12:00:00"},
                                {"3", "7", "newsletter", "2024-01-02 10:02:00", std::nullopt},  // no purpose of the policy
                                {"4", "7", "union_dues", std::nullopt, std::nullopt}}));          // never given
  // Another person's consents, as context, are not the subject's.
  data.datasets.push_back(Rows("consents", RowRole::kContext, {"id", "candidate_id", "purpose", "given_at", "withdrawn_at"},
                               {{"9", "8", "mediation", "2020-01-01 00:00:00", std::nullopt}}));
  Summary s = dpo::dsar::BuildSummary(Staffing(), data, Day("2026-11-01"), "2026-11-01T00:00:00Z");
  REQUIRE(s.consents.size() == 2);
  CHECK(s.consents[0].purpose == "mediation");
  CHECK(s.consents[0].given_at == "2024-01-02 10:00:00");
  CHECK(s.consents[0].withdrawn_at.empty());
  CHECK(s.consents[1].purpose == "website_analytics");
  CHECK(s.consents[1].withdrawn_at == "2025-03-04 12:00:00");
  CHECK(!s.consents[1].description.empty());
}
