// Retention plans and their application on the generated sample, whose
// ground truth knows every expired and held row.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "plan/audit_log.h"
#include "plan/ledger.h"
#include "plan/plan_json.h"
#include "plan/retention_apply.h"
#include "plan/retention_plan.h"
#include "policy/loader.h"
#include "relations/policy_relations.h"
#include "sample/generator.h"
#include "source/sqlite/sqlite_source.h"

using namespace dpo;
namespace fs = std::filesystem;

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Sample {
  std::string dir;
  std::string db;
  std::string csv;
  sample::GroundTruth truth;
  policy::Policy policy;
  std::string policy_sha;

  explicit Sample(const char* as_of) {
    dir = (fs::temp_directory_path() / ("dpo-retention-" + std::to_string(getpid()) + "-" + as_of)).string();
    fs::remove_all(dir);
    fs::create_directories(dir);
    db = dir + "/s.db";
    csv = dir + "/csv";
    sample::GenerateOptions options;
    options.sqlite_path = db;
    options.csv_dir = csv;
    options.rows = 1500;
    options.seed = 11;
    auto d = util::ParseIsoDate(as_of);
    REQUIRE(d.ok());
    options.as_of = *d;
    auto generated = sample::GenerateSample(options);
    REQUIRE_MESSAGE(generated.ok(), generated.status().message());
    truth = generated->truth;
    std::string path = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
    auto loaded = policy::LoadPolicyFile(path);
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    policy = loaded->policy;
    policy_sha = util::Sha256Hex(ReadAll(path));
  }
  ~Sample() { fs::remove_all(dir); }

  std::unique_ptr<source::Source> Open(bool read_only) {
    source::OpenOptions options;
    options.read_only = read_only;
    auto src = source::OpenSqliteSource(db, options);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    return std::move(*src);
  }

  plan::RetentionPlan Plan(source::Source& src, const char* as_of) {
    plan::PlanOptions options;
    options.as_of = *util::ParseIsoDate(as_of);
    options.policy_sha256 = policy_sha;
    auto made = plan::MakeRetentionPlan(policy, src, options);
    REQUIRE_MESSAGE(made.ok(), made.status().message());
    return *made;
  }
};

const sample::RetentionTruth* TruthFor(const sample::GroundTruth& truth, const std::string& rule) {
  for (const auto& r : truth.retention)
    if (r.rule == rule) return &r;
  return nullptr;
}

// The key of keyed pseudonyms (rule employee_records anonymises NOT NULL columns).
const util::SecretKey& PseudonymKey() {
  static const util::SecretKey key = std::move(util::SecretKey::FromBytes("fedcba9876543210fedcba9876543210")).value();
  return key;
}

plan::ApplyOptions Options(const Sample& s) {
  plan::ApplyOptions options;
  options.key = &PseudonymKey();
  options.max_percent = 100;
  options.policy_sha256 = s.policy_sha;
  options.declared = relations::PolicyRelations(s.policy);
  return options;
}

}  // namespace

TEST_CASE("retention plan: every rule's rows and holds are the generator's truth, at two as-of dates") {
  for (const char* as_of : {"2026-11-01", "2027-06-15"}) {
    CAPTURE(as_of);
    Sample s(as_of);
    auto src = s.Open(true);
    plan::RetentionPlan plan = s.Plan(*src, as_of);
    int compared = 0;
    for (const plan::RulePlan& r : plan.rules) {
      CAPTURE(r.rule);
      const sample::RetentionTruth* t = TruthFor(s.truth, r.rule);
      REQUIRE(t != nullptr);
      int64_t held = 0;
      for (const plan::HoldCount& h : r.holds) held += h.rows;
      CHECK(held == static_cast<int64_t>(t->held));
      if (!r.blocked.empty()) continue;
      // Rows the rule acts on, plus those it leaves for held children, are the truth's.
      CHECK(r.to_act + r.kept_for_children == static_cast<int64_t>(t->to_act));
      CHECK(r.cutoff == t->cutoff);
      ++compared;
    }
    CHECK(compared >= 12);
    // The plan file reads back to the same plan.
    auto again = plan::PlanFromJson(plan::PlanToJson(plan), "plan.json");
    REQUIRE_MESSAGE(again.ok(), again.status().message());
    CHECK(plan::PlanToJson(*again) == plan::PlanToJson(plan));
  }
}

TEST_CASE("retention apply: dry run counts equal the real run's; a second plan finds nothing; ledger and audit") {
  Sample s("2026-11-01");
  plan::RetentionPlan plan;
  {
    auto src = s.Open(true);
    plan = s.Plan(*src, "2026-11-01");
  }
  auto key = util::SecretKey::FromBytes("0123456789abcdef0123456789abcdef");
  REQUIRE(key.ok());
  auto src = s.Open(false);
  plan::ApplyOptions dry = Options(s);
  dry.dry_run = true;
  auto dry_report = plan::ApplyRetentionPlan(plan, *src, dry);
  REQUIRE_MESSAGE(dry_report.ok(), dry_report.status().message());

  plan::ApplyOptions real = Options(s);
  real.key = &*key;
  real.ledger_path = s.dir + "/ledger.db";
  real.audit_log = s.dir + "/audit.log";
  auto report = plan::ApplyRetentionPlan(plan, *src, real);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  REQUIRE(report->steps.size() == dry_report->steps.size());
  int64_t erased = 0;
  for (size_t i = 0; i < report->steps.size(); ++i) {
    CHECK(report->steps[i].rows == dry_report->steps[i].rows);
    if (report->steps[i].action != "unlink") erased += report->steps[i].rows;
  }
  CHECK(report->total == dry_report->total);
  CHECK(report->total > 0);
  CHECK(report->ledger_entries == erased);
  auto verified = plan::VerifyAuditLog(real.audit_log);
  REQUIRE(verified.ok());
  CHECK(verified->ok);
  // The intent, then an entry per step; nothing unfinished.
  CHECK(verified->entries == static_cast<int64_t>(report->steps.size()) + 1);
  CHECK(verified->unfinished.empty());

  // Nothing expired is left for the rules that ran. (A rule that was blocked
  // may run now: its blocking children are gone.)
  plan::RetentionPlan after = s.Plan(*src, "2026-11-01");
  for (size_t i = 0; i < after.rules.size(); ++i)
    if (plan.rules[i].blocked.empty()) CHECK_MESSAGE(after.rules[i].to_act == 0, after.rules[i].rule);
  // No row points at a deleted one.
  auto orphans = src->Count("applications", source::Predicate::Negate(source::Predicate::InSelect(
                                                {"candidate_id"}, "candidates", {"id"}, source::Predicate::All({}))));
  REQUIRE(orphans.ok());
  CHECK(*orphans == 0);
  // The ledger finds the erased candidates again, by keyed hash only.
  auto ledger = plan::Ledger::Open(real.ledger_path, false);
  REQUIRE(ledger.ok());
  auto count = ledger->Count();
  REQUIRE(count.ok());
  CHECK(*count == erased);
}

TEST_CASE("retention apply refuses a stale plan, a changed policy and a plan over the limits; nothing changes") {
  Sample s("2026-11-01");
  plan::RetentionPlan plan;
  {
    auto src = s.Open(true);
    plan = s.Plan(*src, "2026-11-01");
  }
  std::string before = ReadAll(s.db);
  {
    auto src = s.Open(false);
    plan::ApplyOptions options = Options(s);
    options.policy_sha256 = std::string(64, '0');
    auto r = plan::ApplyRetentionPlan(plan, *src, options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kConflict);
    CHECK(r.status().message().find("policy") != std::string::npos);

    options = Options(s);
    options.max_rows = 10;
    r = plan::ApplyRetentionPlan(plan, *src, options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("--max-rows") != std::string::npos);

    options = Options(s);
    options.max_percent = 5;
    r = plan::ApplyRetentionPlan(plan, *src, options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("--max-percent") != std::string::npos);
  }
  CHECK(ReadAll(s.db) == before);
}

TEST_CASE("a stale plan is refused when a planned row changes") {
  Sample s("2026-11-01");
  plan::RetentionPlan plan;
  {
    auto src = s.Open(true);
    plan = s.Plan(*src, "2026-11-01");
  }
  // Pick a planned row of a plain delete and make it current again.
  const plan::PlanStep* step = nullptr;
  for (const plan::PlanStep& st : plan.steps)
    if (st.table == "website_visits" && st.action == "delete" && st.depth == 0 && !st.example_keys.empty()) step = &st;
  REQUIRE(step != nullptr);
  auto src = s.Open(false);
  auto touched = source::ApplyAll(
      *src,
      {source::WriteOp{source::WriteOp::Kind::kUpdate, "website_visits",
                       source::Predicate::Compare(source::Predicate::Op::kEq, "id", step->example_keys[0]),
                       {{"visited_at", "2026-10-31 12:00:00"}},
                       {}}},
      {});
  REQUIRE(touched.ok());
  REQUIRE(touched->rows_affected[0] == 1);
  std::string before = ReadAll(s.db);
  src.reset();
  src = s.Open(false);
  auto r = plan::ApplyRetentionPlan(plan, *src, Options(s));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kConflict);
  CHECK(r.status().message().find("website_visits") != std::string::npos);
  src.reset();
  CHECK(ReadAll(s.db) == before);
}
