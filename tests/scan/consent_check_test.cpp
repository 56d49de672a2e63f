// The consent check (scan/consent_check.h) against the consents the sample
// generator planted: missing and withdrawn, for mediation (held on the
// subject's own row), union_dues (held two references away, payslips ->
// employees -> candidates) and website_analytics (visits, some anonymous),
// on SQLite, CSV and PostgreSQL: the exact subjects, not only the counts.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "plan/cascade.h"
#include "policy/loader.h"
#include "relations/policy_relations.h"
#include "scan/consent_check.h"
#include "scan/scanner.h"
#include "scan_test_util.h"
#include "source/pg_sample_loader.h"
#include "source/pg_server.h"

namespace {

using dpo::scan::ConsentCheck;

const dpo::policy::Policy& StaffingPolicy() {
  static const auto* loaded = new dpo::Result<dpo::policy::LoadedPolicy>(
      dpo::policy::LoadPolicyFile(std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml"));
  REQUIRE(loaded->ok());
  return (*loaded)->policy;
}

std::vector<ConsentCheck> Check(dpo::source::Source& src, const dpo::policy::Policy& policy) {
  auto graph = dpo::plan::LoadSchemaGraph(src, dpo::relations::PolicyRelations(policy));
  REQUIRE_MESSAGE(graph.ok(), graph.status().message());
  dpo::scan::ConsentCheckOptions options;
  options.max_examples = 100000;  // every key, to compare with the truth
  auto checks = dpo::scan::CheckConsents(src, policy, *graph, options);
  REQUIRE_MESSAGE(checks.ok(), checks.status().message());
  return *checks;
}

std::vector<uint64_t> Numbers(const std::vector<std::string>& keys) {
  std::vector<uint64_t> out;
  for (const std::string& k : keys) out.push_back(std::stoull(k));
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectTruth(const std::vector<ConsentCheck>& checks, const dpo::sample::GroundTruth& truth) {
  REQUIRE(checks.size() == 3);
  REQUIRE(truth.consent.size() == 3);
  for (const dpo::sample::ConsentTruth& t : truth.consent) {
    auto it = std::find_if(checks.begin(), checks.end(), [&](const ConsentCheck& c) { return c.purpose == t.purpose; });
    REQUIRE_MESSAGE(it != checks.end(), t.purpose);
    const ConsentCheck& c = *it;
    INFO("purpose " << t.purpose);
    CHECK(c.problem.empty());
    CHECK(c.subject_table == "candidates");
    CHECK(c.subject_column == "id");
    CHECK(c.keys_shown);
    CHECK(c.held == static_cast<int64_t>(t.held));
    CHECK(c.without_record == static_cast<int64_t>(t.without_record.size()));
    CHECK(c.withdrawn == static_cast<int64_t>(t.withdrawn.size()));
    CHECK(Numbers(c.without_record_keys) == t.without_record);
    CHECK(Numbers(c.withdrawn_keys) == t.withdrawn);
    for (const auto& h : c.held_in) CHECK_MESSAGE(h.problem.empty(), h.problem);
  }
  // Both cases are planted for every purpose in a sample this size, so the
  // comparison above cannot pass by finding nothing.
  for (const auto& t : truth.consent) {
    CHECK_MESSAGE(!t.without_record.empty(), t.purpose);
    CHECK_MESSAGE(!t.withdrawn.empty(), t.purpose);
  }
  // What each purpose holds only on consent: the CV, not the name (payroll
  // covers it); union dues on the payslip; the visit log.
  auto mediation = std::find_if(checks.begin(), checks.end(), [](const ConsentCheck& c) { return c.purpose == "mediation"; });
  REQUIRE(mediation->held_in.size() == 1);
  CHECK(mediation->held_in[0].columns == std::vector<std::string>{"linkedin_url", "cv_text", "availability"});
  auto dues = std::find_if(checks.begin(), checks.end(), [](const ConsentCheck& c) { return c.purpose == "union_dues"; });
  REQUIRE(dues->held_in.size() == 1);
  CHECK(dues->held_in[0].columns == std::vector<std::string>{"union_dues"});
  CHECK(dues->held_in[0].path == "payslips.employee_id -> employees.id, employees.candidate_id -> candidates.id");
  auto visits = std::find_if(checks.begin(), checks.end(), [](const ConsentCheck& c) { return c.purpose == "website_analytics"; });
  REQUIRE(visits->held_in.size() == 1);
  CHECK(visits->held_in[0].unlinked_rows > 0);  // anonymous visits
}

}  // namespace

TEST_CASE("consent: the planted missing and withdrawn consents are found exactly, SQLite and CSV") {
  dpo::testing::SampleFixture sample(1200, 7);
  const dpo::policy::Policy& policy = StaffingPolicy();
  for (const std::string& path : {sample.db, sample.csv_dir}) {
    INFO(path);
    dpo::source::OpenOptions read_only;
    auto src = dpo::source::OpenSource(path, read_only);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    ExpectTruth(Check(**src, policy), sample.truth);
  }
}

TEST_CASE("consent: PostgreSQL finds the same subjects") {
  DPO_PG_SERVER_OR_SKIP(pg);
  const dpo::policy::Policy& policy = StaffingPolicy();
  dpo::testing::SampleFixture sample(600, 21);
  std::string uri = dpo::testing::LoadSampleIntoPostgres(*pg, "dpo_consent", sample.db, sample.csv_dir, sample.truth,
                                                         policy, sample.dir.string());
  dpo::source::OpenOptions read_only;
  auto src = dpo::source::OpenSource(uri, read_only);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  ExpectTruth(Check(**src, policy), sample.truth);
}

TEST_CASE("consent: a consent given again after a withdrawal counts; NULL keys in the records do not hide subjects") {
  dpo::testing::SampleFixture sample(300, 1);
  const dpo::policy::Policy& policy = StaffingPolicy();
  const auto& truth = sample.truth.consent[0];  // mediation
  REQUIRE(truth.purpose == "mediation");
  REQUIRE(!truth.withdrawn.empty());
  uint64_t again = 0;
  std::string id;
  {
    dpo::source::OpenOptions writable;
    writable.read_only = false;
    auto src = dpo::source::OpenSource(sample.db, writable);
    REQUIRE(src.ok());
    auto tx = (*src)->Begin({});
    REQUIRE(tx.ok());
    // There is no insert op: another consent row of a subject who withdrew
    // mediation becomes a new, standing mediation consent, next to the
    // withdrawn one.
    std::vector<std::string> withdrawn;
    for (uint64_t k : truth.withdrawn) withdrawn.push_back(std::to_string(k));
    dpo::source::Predicate in;
    in.op = dpo::source::Predicate::Op::kIn;
    in.column = "candidate_id";
    in.values = withdrawn;
    dpo::source::ReadRequest first;
    first.columns = {"id", "candidate_id"};
    first.mode = dpo::source::SampleMode::kFirst;
    first.limit = 1;
    first.where = dpo::source::Predicate::All(
        {in, dpo::source::Predicate::Compare(dpo::source::Predicate::Op::kNe, "purpose", "mediation")});
    auto reader = (*tx)->Read("consents", first);
    REQUIRE(reader.ok());
    dpo::source::RowBatch batch;
    REQUIRE((*reader)->Next(&batch).value());
    id = std::string(batch.Cell(0, 0));
    again = std::stoull(std::string(batch.Cell(0, 1)));
    dpo::source::WriteOp op;
    op.kind = dpo::source::WriteOp::Kind::kUpdate;
    op.table = "consents";
    op.where = dpo::source::Predicate::Compare(dpo::source::Predicate::Op::kEq, "id", id);
    op.assignments = {{"purpose", std::string("mediation")},
                      {"withdrawn_at", std::nullopt}};
    auto changed = (*tx)->Execute(op);
    REQUIRE_MESSAGE(changed.ok(), changed.status().message());
    REQUIRE(*changed == 1);
    REQUIRE((*tx)->Commit().ok());
  }
  dpo::source::OpenOptions read_only;
  auto src = dpo::source::OpenSource(sample.db, read_only);
  REQUIRE(src.ok());
  auto checks = Check(**src, policy);
  REQUIRE(again != 0);
  const ConsentCheck& m = *std::find_if(checks.begin(), checks.end(), [](const ConsentCheck& c) { return c.purpose == "mediation"; });
  std::vector<uint64_t> expected = truth.withdrawn;
  expected.erase(std::find(expected.begin(), expected.end(), again));
  CHECK(Numbers(m.withdrawn_keys) == expected);
  CHECK(Numbers(m.without_record_keys) == truth.without_record);
}

TEST_CASE("consent: scan --policy reports counts and example keys as errors, and problems as warnings") {
  dpo::testing::SampleFixture sample(300, 1);
  const dpo::policy::Policy& policy = StaffingPolicy();
  dpo::source::OpenOptions read_only;
  auto src = dpo::source::OpenSource(sample.db, read_only);
  REQUIRE(src.ok());
  dpo::scan::ScanOptions options;
  options.policy = &policy;
  options.as_of = dpo::util::ParseIsoDate(sample.truth.as_of).value();
  auto result = dpo::scan::RunScan(**src, options);
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  std::map<std::string, int64_t> missing, withdrawn;
  for (const auto& f : result->findings) {
    if (f.code == dpo::scan::kCodeConsentMissing) {
      CHECK(f.severity == dpo::scan::Severity::kError);
      missing[f.policy_rule] = f.count;
      CHECK(f.message.find("candidates.id ") != std::string::npos);
    }
    if (f.code == dpo::scan::kCodeConsentWithdrawn) withdrawn[f.policy_rule] = f.count;
    CHECK(f.code != dpo::scan::kCodeConsentUnchecked);
    CHECK(f.code != dpo::scan::kCodeSpecialToRecipient);
  }
  for (const auto& t : sample.truth.consent) {
    CHECK(missing["purposes." + t.purpose + ".consent"] == static_cast<int64_t>(t.without_record.size()));
    CHECK(withdrawn["purposes." + t.purpose + ".consent"] == static_cast<int64_t>(t.withdrawn.size()));
  }

  // A records table without the declared column: a warning, not a crash or an error.
  std::string yaml;
  {
    std::ifstream in(std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml");
    yaml.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t at = yaml.find("consent: { dataset: consents, purpose_column: purpose, given_at: given_at");
  REQUIRE(at != std::string::npos);
  yaml.replace(at, std::string("consent: { dataset: consents, purpose_column: purpose, given_at: given_at").size(),
               "consent: { dataset: consents, purpose_column: purpose, given_at: given_on");
  // ... and a recipient that may receive health data no purpose of it grounds.
  at = yaml.find("categories: [contact, career]");
  REQUIRE(at != std::string::npos);
  yaml.replace(at, std::string("categories: [contact, career]").size(), "categories: [contact, career, health]");
  auto broken = dpo::policy::LoadPolicyString(yaml, "broken.yaml");
  REQUIRE_MESSAGE(broken.ok(), broken.status().message());
  options.policy = &broken->policy;
  auto second = dpo::scan::RunScan(**src, options);
  REQUIRE_MESSAGE(second.ok(), second.status().message());
  int unchecked = 0, to_recipient = 0;
  for (const auto& f : second->findings) {
    if (f.code == dpo::scan::kCodeConsentUnchecked) {
      ++unchecked;
      CHECK(f.severity == dpo::scan::Severity::kWarning);
      CHECK(f.message.find("consents has no column given_on") != std::string::npos);
    }
    if (f.code == dpo::scan::kCodeSpecialToRecipient) {
      ++to_recipient;
      CHECK(f.message.find("recipient clients may receive special category health") != std::string::npos);
      CHECK(f.policy_location.find("broken.yaml:") == 0);
    }
  }
  CHECK(unchecked == 1);
  CHECK(to_recipient == 1);
}
