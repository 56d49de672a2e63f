#include "plan/notices.h"

#include <algorithm>
#include <utility>

#include "plan/audit_log.h"
#include "plan/cascade.h"
#include "plan/ledger.h"
#include "plan/retention_plan.h"
#include "plan/retention_predicate.h"
#include "relations/policy_relations.h"

namespace dpo::plan {
namespace {

using source::Predicate;

// A selected rule with the window it is listed for.
struct Selected {
  const policy::RetentionRule* rule = nullptr;
  util::Duration window;
};

// A selected rule resolved against the schema: what to read, and where each
// value sits in the rows read.
struct Resolved {
  Predicate listed;       // expired as of until, not past the period as of as_of
  Predicate expired_now;  // the sweep's rows as of as_of (counted, not listed)
  std::vector<std::string> read_columns;
  size_t subject_at = 0;
  std::vector<size_t> contact_at;
  size_t date_at = 0;
  std::vector<size_t> key_at;
};

std::string Where(const policy::Policy& policy, const std::string& path, const policy::Location& fallback) {
  return policy.LocationOf(path, fallback).ToString();
}

std::string RulesWithNotice(const policy::Policy& policy) {
  std::string list;
  for (const policy::RetentionRule& r : policy.retention)
    if (r.notify_before) list += (list.empty() ? "" : ", ") + r.id;
  return list;
}

Result<std::vector<Selected>> Select(const policy::Policy& policy, const NoticesOptions& options) {
  if (options.within && options.within->amount <= 0)
    return Status::Error("--within " + options.within->ToString() +
                         ": a window of no time lists nobody; give one of at least a day, e.g. --within 30d");
  std::vector<Selected> out;
  if (!options.rule.empty()) {
    const policy::RetentionRule* rule = nullptr;
    for (const policy::RetentionRule& r : policy.retention)
      if (r.id == options.rule) rule = &r;
    if (rule == nullptr) {
      std::string with = RulesWithNotice(policy);
      return Status::Error("--rule " + options.rule + ": " + policy.file + " has no retention rule " + options.rule +
                           (with.empty() ? "; name one of its retention rules (and --within 30d)"
                                         : "; the rules with notify_before are: " + with));
    }
    if (!rule->notify_before && !options.within)
      return Status::Error(rule->location.ToString() + ": retention rule " + rule->id +
                           " has no notify_before; add notify_before: 30d and notify_columns: [first_name, email] "
                           "to it, or pass --within 30d to list it anyway");
    out.push_back({rule, options.within ? *options.within : *rule->notify_before});
  } else {
    for (const policy::RetentionRule& r : policy.retention)
      if (r.notify_before) out.push_back({&r, options.within ? *options.within : *r.notify_before});
    if (out.empty())
      return Status::Error(policy.file +
                           ": no retention rule has notify_before; add notify_before: 30d and notify_columns: "
                           "[first_name, email] to the rule whose subjects are to be told, or name a rule with "
                           "--rule ID --within 30d");
  }
  for (const Selected& s : out) {
    const policy::RetentionRule& r = *s.rule;
    if (s.window.amount <= 0)
      return Status::Error(r.location.ToString() + ": notify_before of retention rule " + r.id + " is " +
                           s.window.ToString() + ", which lists nobody; write notify_before: 30d");
    if (r.todo)
      return Status::Error(Where(policy, "retention." + r.id + ".keep", r.location) + ": retention rule " + r.id +
                           " has keep: TODO, so nothing of it expires yet; fill in its period first");
    if (!r.after_table.empty())
      return Status::Error(Where(policy, "retention." + r.id + ".keep", r.location) + ": retention rule " + r.id +
                           " counts from " + r.AfterText() +
                           ", another table; notices need a date on the row itself to say when it expires: count "
                           "from a date column of " + r.dataset + ", or remove notify_before from this rule");
  }
  return out;
}

size_t IndexOf(std::vector<std::string>* columns, const std::string& column) {
  auto it = std::find(columns->begin(), columns->end(), column);
  if (it != columns->end()) return static_cast<size_t>(it - columns->begin());
  columns->push_back(column);
  return columns->size() - 1;
}

Status MissingColumn(const std::string& where, const policy::RetentionRule& rule, const std::string& what,
                     const std::string& table, const std::string& column) {
  return Status::Error(where + ": retention rule " + rule.id + ": " + what + " " + table + "." + column +
                       " does not exist; fix the column name in the policy, or run 'dpo inspect' to list the "
                       "columns");
}

Result<Resolved> Resolve(const policy::Policy& policy, source::Source& source, const SchemaGraph& schema,
                         const Selected& selected, const util::Date& as_of, const util::Date& until,
                         NoticeRule* info) {
  const policy::RetentionRule& rule = *selected.rule;
  const std::string at = rule.location.ToString();
  const policy::Dataset* dataset = policy.FindDataset(rule.dataset);
  if (dataset == nullptr)
    return Status::Error(at + ": retention rule " + rule.id + " is on " + rule.dataset +
                         ", which is not declared under datasets; declare it with its subject_key");
  const std::string key_at = Where(policy, "datasets." + dataset->table + ".subject_key", dataset->location);
  if (dataset->subject_key.empty())
    return Status::Error(key_at + ": datasets." + dataset->table +
                         " has no subject_key, and notices name each subject by it; add subject_key: the column "
                         "that names the subject (e.g. subject_key: id)");

  // Both days exactly as the sweep sees them; a missing table or date column
  // is reported by RetentionRows.
  Result<RuleRows> now = RetentionRows(policy, rule, schema, as_of);
  if (!now.ok()) return now.status().WithContext(at);
  Result<RuleRows> later = RetentionRows(policy, rule, schema, until);
  if (!later.ok()) return later.status().WithContext(at);
  const source::Table& table = *schema.Find(rule.dataset);

  if (table.FindColumn(dataset->subject_key) == nullptr)
    return MissingColumn(key_at, rule, "the subject_key", table.name, dataset->subject_key);
  for (size_t i = 0; i < rule.notify_columns.size(); ++i)
    if (table.FindColumn(rule.notify_columns[i]) == nullptr)
      return MissingColumn(Where(policy, "retention." + rule.id + ".notify_columns[" + std::to_string(i) + "]",
                                 rule.location),
                           rule, "notify column", table.name, rule.notify_columns[i]);

  // What the sweep writes decides which rows it still acts on (an anonymised
  // or restricted row is not changed again) and which columns name a row in
  // its audit entries: the same here, so the digests can be compared.
  source::WriteOp op;
  op.kind = source::WriteOp::Kind::kDelete;
  op.table = table.name;
  if (rule.action != policy::RetentionAction::kDelete) {
    UpdateContext context;
    context.source_kind = source.kind();
    context.policy = &policy;
    context.references = source::ReferencesTo(table.name, schema.tables, schema.declared);
    // A rule the sweep cannot carry out (its plan says blocked, and why) is
    // still meant to expire the rows: list them all.
    Result<source::WriteOp> update = RuleUpdateOp(rule, table, context);
    if (update.ok()) op = std::move(*update);
  }

  // Past the period as of as_of, held or not: the sweep's already (or kept
  // by a hold that might end), not a renewal.
  std::vector<Predicate> past_now = {now->expired};
  for (const HoldRows& h : now->held) past_now.push_back(h.rows);

  Resolved r;
  r.listed = Predicate::All({later->expired, Predicate::Negate(Predicate::Any(std::move(past_now))), op.where});
  r.expired_now = Predicate::All({now->expired, op.where});
  r.subject_at = IndexOf(&r.read_columns, dataset->subject_key);
  for (const std::string& c : rule.notify_columns) r.contact_at.push_back(IndexOf(&r.read_columns, c));
  r.date_at = IndexOf(&r.read_columns, rule.after_column);
  info->key_columns = KeyColumnsOf(table, dataset, op);
  for (const std::string& c : info->key_columns) r.key_at.push_back(IndexOf(&r.read_columns, c));

  info->rule = rule.id;
  info->table = table.name;
  info->action = policy::RetentionActionName(rule.action);
  info->subject_key = dataset->subject_key;
  info->notify_columns = rule.notify_columns;
  info->keep = rule.keep.ToString();
  info->after = rule.AfterText();
  info->window = selected.window.ToString();
  info->until = until.ToIso();
  return r;
}

std::optional<std::string> CellAt(const source::RowBatch& batch, size_t row, size_t column) {
  if (batch.IsNull(row, column)) return std::nullopt;
  return std::string(batch.Cell(row, column));
}

Status ListRule(source::Source& source, const NoticesOptions& options, const policy::RetentionRule& rule,
                const Resolved& r, size_t index, NoticeRule* info, NoticeSink& sink) {
  source::ReadRequest request;
  request.columns = r.read_columns;
  request.batch_rows = options.batch_rows;
  request.where = r.listed;
  Result<std::unique_ptr<source::RowReader>> reader = source.Read(info->table, request);
  if (!reader.ok()) return reader.status().WithContext("retention rule " + info->rule);
  std::optional<KeySetHmac> keyed;
  if (options.key != nullptr) keyed.emplace(*options.key, info->table);
  // A listed row is due after as_of by definition. Its period can have ended
  // before that only when a date-relative `when` test starts to hold within
  // the window (`older_than` on another column): it is due from the first
  // sweep after as_of, and says so rather than a day in the past.
  const util::Date first_due = util::Add(options.as_of, util::Duration::Days(1));
  source::RowBatch batch;
  Notice notice;
  notice.contact.resize(r.contact_at.size());
  RowKey key(r.key_at.size());
  for (;;) {
    Result<bool> more = (*reader)->Next(&batch);
    if (!more.ok()) return more.status().WithContext("retention rule " + info->rule);
    if (!*more) break;
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      notice.subject_key = CellAt(batch, row, r.subject_at);
      for (size_t c = 0; c < r.contact_at.size(); ++c) notice.contact[c] = CellAt(batch, row, r.contact_at[c]);
      notice.expires_on.reset();
      if (!batch.IsNull(row, r.date_at)) {
        Result<util::Date> dated = util::ParseIsoDate(batch.Cell(row, r.date_at));
        if (dated.ok()) notice.expires_on = std::max(ExpiryDay(rule, *dated), first_due);
      }
      DPO_RETURN_IF_ERROR(sink.Add(index, notice));
      if (keyed) {
        for (size_t k = 0; k < r.key_at.size(); ++k) key[k] = CellAt(batch, row, r.key_at[k]);
        keyed->Add(key);
      }
      ++info->rows;
    }
  }
  reader->reset();  // a source may refuse a count while one of its readers is open
  Result<int64_t> expired = source.Count(info->table, r.expired_now);
  if (!expired.ok()) return expired.status().WithContext("retention rule " + info->rule);
  info->already_expired = *expired;
  if (keyed) info->keys_hmac = keyed->Hex();
  return Status::Ok();
}

}  // namespace

int64_t NoticesResult::Rows() const {
  int64_t n = 0;
  for (const NoticeRule& r : rules) n += r.rows;
  return n;
}

int64_t NoticesResult::AlreadyExpired() const {
  int64_t n = 0;
  for (const NoticeRule& r : rules) n += r.already_expired;
  return n;
}

util::Date ExpiryDay(const policy::RetentionRule& rule, const util::Date& dated) {
  // Past as of t when dated < RetentionCutoff(rule, t). The cutoff grows with
  // t by a day at a time, or stands still where months clamp (2026-03-29 to
  // 2026-03-31 minus 1 month are all 2026-02-28), so start at dated + keep +
  // 1 day and walk to the first t that is past: a few steps at most.
  auto past = [&](const util::Date& t) { return dated < RetentionCutoff(rule, t); };
  const util::Duration day = util::Duration::Days(1);
  util::Date t = util::Add(util::Add(dated, rule.keep), day);
  for (int i = 0; i < 8 && !past(t); ++i) t = util::Add(t, day);
  for (int i = 0; i < 8; ++i) {
    util::Date before = util::Subtract(t, day);
    if (!past(before)) break;
    t = before;
  }
  return t;
}

Result<NoticesResult> ListNotices(const policy::Policy& policy, source::Source& source, const NoticesOptions& options,
                                  NoticeSink& sink) {
  Result<std::vector<Selected>> selected = Select(policy, options);
  if (!selected.ok()) return selected.status();
  std::vector<std::pair<std::string, source::ForeignKey>> declared = relations::PolicyRelations(policy);
  source.DeclareRelations(declared);
  Result<SchemaGraph> schema = LoadSchemaGraph(source, declared);
  if (!schema.ok()) return schema.status();

  // Every rule is resolved before the first row is read: a mistake in the
  // last one must not cost a long read of the first.
  NoticesResult result;
  result.as_of = options.as_of.ToIso();
  result.within = options.within ? options.within->ToString() : "";
  result.source = source.DisplayName();
  std::vector<Resolved> resolved;
  for (const Selected& s : *selected) {
    NoticeRule info;
    Result<Resolved> r = Resolve(policy, source, *schema, s, options.as_of, util::Add(options.as_of, s.window), &info);
    if (!r.ok()) return r.status();
    resolved.push_back(std::move(*r));
    result.rules.push_back(std::move(info));
  }
  DPO_RETURN_IF_ERROR(sink.Begin(result.rules));
  for (size_t i = 0; i < resolved.size(); ++i)
    DPO_RETURN_IF_ERROR(ListRule(source, options, *(*selected)[i].rule, resolved[i], i, &result.rules[i], sink));
  return result;
}

Status AppendNoticesAudit(const NoticesResult& result, const std::string& audit_log, const std::string& command,
                          const std::string& policy_sha256) {
  for (const NoticeRule& r : result.rules) {
    AuditEntry e;
    e.command = command;
    e.policy_sha256 = policy_sha256;
    e.source = result.source;
    e.rule = r.rule;
    e.table = r.table;
    e.action = "notify";
    e.rows = r.rows;
    e.keys_hmac = r.keys_hmac;
    // Dates and counts only: the note is evidence of when the subjects were
    // listed and for which expiry, never of who they are.
    e.note = "rows expiring after " + result.as_of + " up to " + r.until + " (window " + r.window + "; " + r.action +
             " " + r.keep + " after " + r.after + "); " + std::to_string(r.already_expired) +
             " rows past the period already, not listed";
    DPO_RETURN_IF_ERROR(AppendAudit(audit_log, std::move(e)));
  }
  return Status::Ok();
}

}  // namespace dpo::plan
