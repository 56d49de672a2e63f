// A retention plan: what a sweep will delete, anonymise or restrict, as data
// that is written, read, reviewed and then applied (terraform's plan/apply).
//
// Planning reads only (it works on a source opened read-only). Every rule is
// evaluated inside the database as set-based SQL (CSV: streamed); deletes are
// expanded child-first (cascade.h). A parent row with children under a legal
// hold is left out of the delete and counted as kept, never deleted by
// cascade. A child's own retention period is a maximum and keeps nothing.
//
// The plan records what it saw: the policy's SHA-256, the as-of date, and per
// step the number of rows and an order-independent digest of their keys, so
// that apply can refuse a plan whose data or policy changed since.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "plan/cascade.h"
#include "policy/policy.h"
#include "source/source.h"
#include "source/write_guard.h"
#include "util/duration.h"
#include "util/status.h"

namespace dpo::plan {

struct HoldCount {
  std::string name;    // the legal hold; for an inherited hold, the parent table
  int64_t rows = 0;
  std::string parent;  // non-empty: rows kept because the row of `parent` they belong to is held
};

// What one retention rule of the policy comes to.
struct RulePlan {
  std::string rule;
  std::string table;
  std::string action;           // delete | anonymise | restrict
  std::string keep;             // "2y"
  std::string after_column;     // what the period counts from: "last_active_at", "latest orders.order_date or created_at"
  std::string cutoff;           // rows dated before this day are past the period
  std::string basis;
  int64_t to_act = 0;           // rows the plan changes for this rule (before cascades)
  std::vector<HoldCount> holds; // expired rows kept by each legal hold
  int64_t kept_for_children = 0;  // expired rows kept because rows pointing at them must be kept
  int64_t undated = 0;          // rows the rule applies to with no date to count from: they never expire by it
  std::string blocked;          // non-empty: the rule is not in the plan, and why
  std::string note;             // for people: how rows are matched when it is not by key (erasure)
};

// One operation, in the order apply runs them.
struct PlanStep {
  std::string rule;
  std::string table;
  std::string action;   // delete | anonymise | restrict | unlink (a SET NULL reference of a deleted row)
  int depth = 0;        // 0: the rule's own rows; 1+: rows that go with them through references
  std::string via;      // "placements.candidate_id -> candidates"
  source::WriteOp op;
  int64_t rows = 0;
  std::vector<std::string> key_columns;
  std::string keys_sha256;                // digest of the keys of the rows (see KeysDigest)
  std::vector<std::string> example_keys;  // a few keys, only when they are not personal data
  std::string sql;                        // the statement, literals inlined, for a DBA to read
};

// A lookup the plan makes that no index serves, and the statement that adds
// one (index_advice.h).
struct IndexAdvice {
  std::string table;
  std::vector<std::string> columns;
  std::string reason;  // "retention rule candidate_inactive counts from this date"
  std::string sql;     // CREATE INDEX IF NOT EXISTS ...
};

struct RetentionPlan {
  int format_version = 1;
  // "retention" (dpo retention plan) or "erasure" (dpo erase plan: one data
  // subject's rows; `rules` then has one entry per table, whose holds are the
  // exceptions: rows kept, and why). Each apply command refuses the other kind.
  std::string kind = "retention";
  std::vector<std::string> subject_keys;  // erasure: the --subject KEYs (never their values)
  std::string tool_version;
  std::string created_at;   // UTC, ISO 8601
  std::string as_of;        // YYYY-MM-DD
  std::string policy_file;
  std::string policy_sha256;
  std::string source;       // display name (never a password)
  std::string source_kind;
  std::vector<RulePlan> rules;
  std::vector<PlanStep> steps;
  std::map<std::string, int64_t> table_rows;  // rows of every table the plan touches, when planned
  std::vector<IndexAdvice> index_advice;      // lookups no index serves (advice only; apply ignores it)
  // Rows the source could not read while planning (CSV under
  // --skip-bad-rows): the plan does not see them, so a reviewer must. Their
  // location and count only. Apply leaves them as they are.
  std::vector<source::SkippedRows> skipped;

  int64_t TotalRows() const;
};

struct PlanOptions {
  util::Date as_of;
  std::string policy_sha256;
  std::string tool_version;
  size_t example_keys = 3;
};

// Plans every retention rule of `policy` that is not TODO. A rule that cannot
// be carried out (missing table, a key column to anonymise, a reference the
// schema forbids deleting) is in the plan as blocked, with the reason.
Result<RetentionPlan> MakeRetentionPlan(const policy::Policy& policy, source::Source& source,
                                        const PlanOptions& options);

// What RuleUpdateOp needs to know beyond the table itself.
struct UpdateContext {
  source::SourceKind source_kind = source::SourceKind::kSqlite;  // PostgreSQL enforces column widths
  const policy::Policy* policy = nullptr;  // the columns' categories (e-mail columns get e-mail pseudonyms)
  std::vector<source::Reference> references;  // references to the table: referenced columns are never overwritten
};

// The update an anonymise or restrict rule makes to its rows: the
// assignments, and as `where` only "not done yet" (a row already anonymised
// or restricted is not changed again, so a second sweep finds nothing to
// do). The caller adds which rows (expired ones; the rows a ledger names).
// An anonymise rule gives each column the operator anonymise::DefaultOperator
// chooses, so that the table keeps its constraints: NULL where the column
// allows it, else a keyed pseudonym (a computed assignment, bound to the key
// at apply), a year or a fixed value.
// Errors: a column missing from `table`, a column the rule cannot write (a
// key, a UNIQUE date, ...: the message says what to do).
Result<source::WriteOp> RuleUpdateOp(const policy::RetentionRule& rule, const source::Table& table,
                                     const UpdateContext& context = {});

// The columns that name a row of `table` in the erasure ledger and in the
// key digests of a step that runs `op`: the primary key; without one (CSV),
// an `id` column, else the dataset's identifier columns (`dataset` may be
// null), else every column; never a column `op` overwrites (assigned or
// computed). Apply records tombstones under these columns and ledger replay
// hashes a restored table's rows under the same ones, so both call this.
std::vector<std::string> KeyColumnsOf(const source::Table& table, const policy::Dataset* dataset,
                                      const source::WriteOp& op);

// Fills in a step whose rule, table, action and op are set: its key columns
// (KeyColumnsOf), the digest of its rows' keys (KeysDigest, counted as they
// are now), up to `example_keys` example keys when the keys are not personal
// data, and the SQL text for people to read. Retention and erasure plans
// both describe their steps with it, so apply checks them the same way.
Status DescribePlanStep(const policy::Policy& policy, source::Source& source, const SchemaGraph& graph,
                        size_t example_keys, PlanStep* step);

// The order-independent digest of the keys of the rows `where` selects in
// `table` (SHA-256 of each canonical key, XORed, then hashed with the count),
// computed by streaming. `examples` receives the first `max_examples` keys;
// `rows`, when given, the number of rows (one pass answers both).
Result<std::string> KeysDigest(source::Source& source, const std::string& table,
                               const std::vector<std::string>& key_columns, const source::Predicate& where,
                               std::vector<std::string>* examples = nullptr, size_t max_examples = 0,
                               int64_t* rows = nullptr);

}  // namespace dpo::plan
