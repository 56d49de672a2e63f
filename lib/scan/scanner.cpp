#include "scan/scanner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "detect/column_classifier.h"
#include "scan/accepted.h"
#include "detect/table_context.h"
#include "detect/kind.h"
#include "plan/retention_predicate.h"
#include "policy/validate.h"
#include "scan/consent_check.h"
#include "util/thread_start.h"
#include "relations/policy_relations.h"

namespace dpo::scan {
namespace {

using detect::Kind;

// Built-in categories for discovery, by detector kind.
struct KindCategory {
  Kind kind;
  const char* category;
};
constexpr KindCategory kBuiltinCategories[] = {
    {Kind::kEmail, "contact"},          {Kind::kPhone, "contact"},
    {Kind::kPersonName, "contact"},     {Kind::kStreetAddress, "contact"},
    {Kind::kPostcode, "contact"},       {Kind::kCity, "contact"},
    {Kind::kSocialProfile, "contact"},  {Kind::kBsn, "national_id"},
    {Kind::kSsnUs, "national_id"},
    {Kind::kIban, "financial"},         {Kind::kPaymentCard, "financial"},
    {Kind::kSalary, "financial"},       {Kind::kBirthDate, "identity"},
    {Kind::kGender, "identity"},        {Kind::kNationality, "identity"},
    {Kind::kMaritalStatus, "identity"}, {Kind::kPassportNl, "identity_document"},
    {Kind::kIdCardNl, "identity_document"}, {Kind::kIpv4, "technical"},
    {Kind::kIpv6, "technical"},         {Kind::kDeviceId, "technical"},
    {Kind::kGeolocation, "technical"},  {Kind::kKvk, "business"},
    {Kind::kVatNl, "business"},         {Kind::kHealthTerm, "health"},
    {Kind::kReligionTerm, "religion"},  {Kind::kEthnicityTerm, "ethnicity"},
    {Kind::kPoliticalTerm, "political"}, {Kind::kUnionTerm, "union"},
    {Kind::kSexualityTerm, "sexuality"}, {Kind::kBiometricTerm, "biometric"},
    {Kind::kCriminalTerm, "criminal"},
};

bool IsPersonalKind(Kind kind) { return kind != Kind::kDate && kind != Kind::kFreeText; }

// Hands out the work of classifying a table as (stream, batch) pairs. A
// stream is a column's classifier, or for a heavy column (one that alone
// holds more than a worker's share of the bytes, such as free text) one of
// several: lane l of L takes batches l, l + L, ... and the lanes are merged
// at the end. Each stream gets its batches in order and one at a time, but
// any free worker may take them, so that no worker idles behind a fixed
// split of the columns. The reader blocks while `capacity` batches are in
// flight; finished batches are kept for reuse, so that reading does not
// allocate (and fault in) fresh arenas all the time.
class ColumnScheduler {
 public:
  struct Stream {
    size_t column;
    uint64_t lane, lanes;
  };
  ColumnScheduler(size_t num_columns, std::vector<Stream> streams, size_t capacity)
      : capacity_(capacity), num_columns_(num_columns), streams_(std::move(streams)),
        next_(streams_.size()), busy_(streams_.size(), 0) {
    for (size_t s = 0; s < streams_.size(); ++s) {
      next_[s] = streams_[s].lane;
      Place(s);
    }
  }

  // Reader: an empty batch to fill (a reused one when there is one).
  std::unique_ptr<source::RowBatch> Acquire() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<source::RowBatch>();
    auto batch = std::move(free_.back());
    free_.pop_back();
    return batch;
  }
  // Reader: queues a batch for every column; blocks while the ring is full.
  void Push(std::unique_ptr<source::RowBatch> batch) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return ring_.size() < capacity_; });
    if (num_columns_ == 0) {  // nothing to classify
      free_.push_back(std::move(batch));
      return;
    }
    ring_.push_back(std::move(batch));
    remaining_.push_back(num_columns_);
    auto waiting = waiting_.find(first_ + ring_.size() - 1);
    if (waiting != waiting_.end()) {
      for (size_t s : waiting->second) ready_.emplace(waiting->first, s);
      waiting_.erase(waiting);
    }
    work_.notify_all();
  }
  // Reader: no more batches.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    work_.notify_all();
  }
  // Worker: the next stream and batch (with its number) to classify; false
  // when all is done (or, without `wait`, when nothing can be taken now: the
  // reader classifying on its own thread). The stream is the one furthest
  // behind, so that the oldest batch is released first.
  bool Next(size_t* stream, const source::RowBatch** batch, uint64_t* sequence, bool wait = true) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      // The idle stream with the oldest queued batch (ties: the lowest
      // stream), from an ordered set: a table may have 100,000 columns, and
      // looking at every stream for every pick made a batch cost n^2.
      if (!ready_.empty()) {
        const size_t best = ready_.begin()->second;
        ready_.erase(ready_.begin());
        busy_[best] = 1;
        ++busy_count_;
        *stream = best;
        *sequence = next_[best];
        *batch = ring_[next_[best] - first_].get();
        return true;
      }
      // Idle streams with a queued batch are all in ready_: only busy ones
      // can still have work in the ring.
      const bool pending = busy_count_ > 0;
      if ((closed_ && !pending) || !wait) return false;
      work_.wait(lock);
    }
  }
  // Worker: the batch handed out with `stream` is classified.
  void Done(size_t stream) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t index = next_[stream] - first_;
    next_[stream] += streams_[stream].lanes;
    busy_[stream] = 0;
    --busy_count_;
    Place(stream);
    if (--remaining_[index] == 0 && index == 0) {
      while (!ring_.empty() && remaining_.front() == 0) {
        free_.push_back(std::move(ring_.front()));
        ring_.pop_front();
        remaining_.pop_front();
        ++first_;
      }
      not_full_.notify_one();
    }
    work_.notify_all();
  }

 private:
  const size_t capacity_;
  const size_t num_columns_;
  const std::vector<Stream> streams_;
  std::mutex mu_;
  std::condition_variable not_full_, work_;
  std::deque<std::unique_ptr<source::RowBatch>> ring_;  // batches first_, first_ + 1, ...
  std::deque<size_t> remaining_;                        // per ring batch: columns not yet done with it
  uint64_t first_ = 0;
  std::vector<uint64_t> next_;   // per stream: the next batch it needs
  std::vector<char> busy_;       // per stream: a worker is on it
  std::vector<std::unique_ptr<source::RowBatch>> free_;
  bool closed_ = false;
  // An idle stream is in ready_ when its next batch is queued, else in
  // waiting_ under that batch's number (Push moves it over).
  std::set<std::pair<uint64_t, size_t>> ready_;
  std::map<uint64_t, std::vector<size_t>> waiting_;
  size_t busy_count_ = 0;

  void Place(size_t s) {
    if (next_[s] < first_ + ring_.size()) ready_.emplace(next_[s], s);
    else waiting_[next_[s]].push_back(s);
  }
};

Evidence ToEvidence(const detect::KindEvidence& k) {
  Evidence e;
  e.kind = std::string(detect::KindName(k.kind));
  e.confidence = k.confidence;
  e.values_seen = k.values_seen;
  e.values_matched = k.values_matched;
  e.values_validated = k.values_validated;
  e.values_containing = k.values_containing;
  e.name_match = k.name_match;
  e.masked_samples = k.masked_samples;
  return e;
}

// Reads the table once, feeding every value of column c to classifiers[c],
// batch by batch in table order (heavy columns through lanes merged at the
// end). Worker threads take (stream, batch) pairs from a ColumnScheduler,
// which never gives one classifier to two workers at once; the reading
// thread only reads.
Status ClassifyTable(source::Source& src, const source::Table& table, const ScanOptions& options,
                     std::vector<detect::ColumnClassifier>* classifiers, TableReport* report,
                     ScanStats* stats) {
  source::ReadRequest request;
  request.mode = options.full ? source::SampleMode::kFull : source::SampleMode::kRandom;
  request.limit = options.sample_rows;
  request.seed = options.sample_seed;
  Result<std::unique_ptr<source::RowReader>> reader = src.Read(table.name, request);
  if (!reader.ok()) return reader.status();

  const size_t num_columns = table.columns.size();
  // No more workers than columns (a column's batches go to one at a time,
  // lanes aside) and never more than kMaxScanThreads, whatever the caller asks.
  const int workers = std::clamp(std::min<int>(options.threads, static_cast<int>(std::min<size_t>(num_columns, kMaxScanThreads))),
                                 1, kMaxScanThreads);
  std::unique_ptr<ColumnScheduler> scheduler;
  std::vector<ColumnScheduler::Stream> streams;
  // Lanes 1.. of heavy columns (lane 0 is the column's own classifier), by stream.
  std::vector<std::unique_ptr<detect::ColumnClassifier>> lane_classifiers;

  std::vector<std::thread> threads;
  // With `wait` a worker's loop; without, the reader classifying what it has
  // queued when the system gave it no worker thread.
  auto work = [&](bool wait) {
    std::vector<std::string_view> values;
    size_t s = 0;
    uint64_t sequence = 0;
    const source::RowBatch* batch = nullptr;
    while (scheduler->Next(&s, &batch, &sequence, wait)) {
      const size_t c = streams[s].column;
      values.clear();
      for (size_t r = 0; r < batch->num_rows(); ++r)
        if (!batch->IsNull(r, c)) values.push_back(batch->Cell(r, c));
      detect::ColumnClassifier& classifier = lane_classifiers[s] ? *lane_classifiers[s] : (*classifiers)[c];
      classifier.AddValues(values, sequence);
      scheduler->Done(s);
    }
  };
  // Streams from the first batch: a column holding more than a worker's
  // share of its bytes gets one lane per worker.
  auto start = [&](const source::RowBatch& first) {
    std::vector<size_t> bytes(num_columns, 0);
    size_t total = 0;
    for (size_t c = 0; c < num_columns; ++c) {
      for (size_t r = 0; r < first.num_rows(); ++r) bytes[c] += first.Cell(r, c).size();
      total += bytes[c];
    }
    for (size_t c = 0; c < num_columns; ++c) {
      uint64_t lanes = workers > 1 && bytes[c] * static_cast<size_t>(workers) > total ? workers : 1;
      for (uint64_t l = 0; l < lanes; ++l) {
        streams.push_back({c, l, lanes});
        lane_classifiers.push_back(l == 0 ? nullptr : std::make_unique<detect::ColumnClassifier>(table.columns[c].name));
      }
    }
    scheduler = std::make_unique<ColumnScheduler>(num_columns, streams, static_cast<size_t>(workers) + 2);
    // As many workers as the system grants; with none, the reader classifies.
    for (int w = 0; w < workers; ++w)
      if (!util::TryStartThread(&threads, [&work] { work(true); })) break;
  };

  Status status;
  int64_t rows = 0;
  int64_t bytes = 0;
  while (true) {
    std::unique_ptr<source::RowBatch> batch =
        scheduler ? scheduler->Acquire() : std::make_unique<source::RowBatch>();
    Result<bool> more = (*reader)->Next(batch.get());
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    if (!scheduler) start(*batch);
    rows += static_cast<int64_t>(batch->num_rows());
    bytes += static_cast<int64_t>(batch->byte_size());
    scheduler->Push(std::move(batch));
    if (threads.empty()) work(false);
    if (options.progress) {
      ScanProgress p;
      p.table = table.name;
      p.rows_done = rows;
      p.rows_total = options.full ? table.row_count.rows : std::min(table.row_count.rows, options.sample_rows);
      p.bytes_done = bytes;
      options.progress(p);
    }
  }
  if (scheduler) scheduler->Close();
  for (auto& t : threads) t.join();
  // Threads that really worked on this table, the reader included.
  stats->threads = std::max(stats->threads, static_cast<int>(threads.size()) + 1);
  for (size_t s = 0; s < streams.size(); ++s)
    if (lane_classifiers[s]) (*classifiers)[streams[s].column].Merge(*lane_classifiers[s]);
  report->rows_scanned = rows;
  stats->rows += rows;
  stats->bytes += bytes;
  return status;
}

struct Checker {
  const ScanOptions& options;
  const policy::Policy* policy;
  ScanResult* result;

  void Add(Finding f) { result->findings.push_back(std::move(f)); }

  static std::string Loc(const policy::Location& l) { return l.line > 0 ? l.ToString() : std::string(); }

  // Purposes of the dataset satisfying `ok`, or none.
  bool AnyPurpose(const policy::Dataset* ds, const std::function<bool(const policy::Purpose&)>& ok) const {
    if (ds == nullptr || policy == nullptr) return false;
    for (const std::string& id : ds->purposes)
      if (const policy::Purpose* p = policy->FindPurpose(id); p != nullptr && ok(*p)) return true;
    return false;
  }

  void CheckSensitive(const TableReport& table, const ColumnReport& column, const policy::Dataset* ds,
                      const detect::ColumnVerdict& verdict) {
    for (const detect::KindEvidence& k : verdict.kinds) {
      if (k.confidence < options.min_confidence && k.values_containing == 0) continue;
      Finding f;
      f.severity = Severity::kError;
      f.table = table.name;
      f.column = column.name;
      f.file = table.file;
      f.line = table.file.empty() ? 0 : 1;
      f.category = CategoryForKind(std::string(detect::KindName(k.kind)), policy);
      f.evidence = {ToEvidence(k)};
      f.policy_rule = "datasets." + table.name;
      f.policy_location = ds ? Loc(ds->location) : "";
      f.count = k.values_containing + k.values_matched;
      std::string where = table.name + "." + column.name;
      if (k.kind == Kind::kBsn && (k.confidence >= options.min_confidence)) {
        if (AnyPurpose(ds, [](const policy::Purpose& p) {
              return p.legal_basis == policy::LegalBasis::kLegalObligation && !p.law.empty();
            }))
          continue;
        f.code = kCodeNationalIdWithoutLaw;
        f.message = where + " holds BSNs, but no purpose of its dataset is a legal obligation naming the law";
        f.hint = "BSNs may only be processed where a law requires it (UAVG art. 46): give the dataset a purpose with legal_basis: legal_obligation and law: ..., or remove the column";
      } else if (detect::IsSpecialCategoryTerm(k.kind) && k.values_containing + k.values_matched > 0) {
        if (AnyPurpose(ds, [](const policy::Purpose& p) { return p.art9_condition.has_value(); })) continue;
        f.code = kCodeNoArt9Condition;
        f.message = where + " holds special-category data (" + f.category +
                    ", Art. 9 GDPR) but no purpose of its dataset names an Art. 9(2) condition";
        f.hint = "add art9_condition (e.g. explicit_consent, employment_law) to the purpose, or stop recording it";
      } else if (detect::IsCriminalTerm(k.kind) && k.values_containing + k.values_matched > 0) {
        if (AnyPurpose(ds, [](const policy::Purpose& p) { return !p.art10_basis.empty(); })) continue;
        f.code = kCodeNoArt10Basis;
        f.message = where + " holds criminal-offence data (Art. 10 GDPR) but no purpose of its dataset names an art10_basis";
        f.hint = "add art10_basis (e.g. \"UAVG art. 33; VOG\") to the purpose, or stop recording it";
      } else {
        continue;
      }
      Add(std::move(f));
    }
  }

  void CheckColumn(const TableReport& table, ColumnReport* column, const policy::Dataset* ds,
                   const detect::ColumnVerdict& verdict) {
    std::vector<const detect::KindEvidence*> detected;
    int64_t containing = 0;
    for (const detect::KindEvidence& k : verdict.kinds) {
      if (!IsPersonalKind(k.kind)) continue;
      if (k.confidence >= options.min_confidence) detected.push_back(&k);
      containing += k.values_containing;
    }
    Finding base;
    base.table = table.name;
    base.column = column->name;
    base.file = table.file;
    base.line = table.file.empty() ? 0 : 1;
    base.category = column->discovered_category;
    for (const detect::KindEvidence* k : detected) base.evidence.push_back(ToEvidence(*k));
    const std::string where = table.name + "." + column->name;

    if (policy == nullptr) {
      if (detected.empty()) return;
      Finding f = base;
      f.code = kCodePersonalData;
      f.severity = Severity::kNote;
      f.message = where + " holds personal data: " + column->discovered_category;
      f.count = verdict.values_seen;
      Add(std::move(f));
      return;
    }

    const policy::ColumnMapping* mapping = ds ? ds->FindColumn(column->name) : nullptr;
    if (mapping != nullptr) column->declared_category = mapping->category.empty() ? "none" : mapping->category;
    CheckSensitive(table, *column, ds, verdict);

    if (mapping == nullptr) {
      if (detected.empty()) return;
      Finding f = base;
      f.code = kCodeUndeclared;
      f.severity = Severity::kError;
      f.message = where + " holds personal data (" + column->discovered_category + ") that the policy does not declare";
      f.hint = ds ? "map the column under datasets." + table.name + ".columns (a category, or none if it is not personal data), or drop it"
                  : "declare the table under datasets: with its data subject, purposes and columns, or drop it";
      f.policy_rule = ds ? "datasets." + table.name + ".columns" : "datasets";
      f.policy_location = ds ? Loc(ds->location) : "";
      f.count = verdict.values_seen;
      Add(std::move(f));
      return;
    }
    CheckDeclaredColumn(table, *column, ds, mapping, verdict, detected, containing, base);
  }

  void CheckDeclaredColumn(const TableReport& table, const ColumnReport& column, const policy::Dataset* ds,
                  const policy::ColumnMapping* mapping, const detect::ColumnVerdict& verdict,
                  const std::vector<const detect::KindEvidence*>& detected, int64_t containing,
                  const Finding& base) {
    (void)ds;
    const std::string where = table.name + "." + column.name;
    if (verdict.free_text) {
      if (containing == 0) return;
      Finding f = base;
      f.code = kCodeFreeText;
      f.severity = Severity::kWarning;
      f.evidence.clear();
      std::string kinds;
      for (const detect::KindEvidence& k : verdict.kinds) {
        if (k.values_containing == 0 || !IsPersonalKind(k.kind)) continue;
        f.evidence.push_back(ToEvidence(k));
        kinds += (kinds.empty() ? "" : ", ") + std::string(detect::KindName(k.kind)) + " in " +
                 std::to_string(k.values_containing);
      }
      f.category = mapping->category;
      f.count = containing;
      f.message = where + " is free text holding identifiers or special-category terms (" + kinds + " of " +
                  std::to_string(verdict.values_seen) + " values)";
      f.hint = "free text holds whatever people type: review it, keep notes factual, and cover it with a retention rule";
      f.policy_rule = "datasets." + table.name + ".columns." + column.name;
      f.policy_location = Loc(mapping->location);
      Add(std::move(f));
      return;
    }
    if (detected.empty()) return;
    const detect::KindEvidence& top = *detected.front();
    std::string top_name(detect::KindName(top.kind));
    if (mapping->category.empty()) {
      // Reviewed as not personal data: only contradict that on strong, validated evidence.
      if (top.confidence < 0.8 || top.values_validated == 0) return;
      Finding f = base;
      f.code = kCodeCategoryMismatch;
      f.severity = Severity::kWarning;
      f.message = where + " is declared not personal data (none) but its values look like " + top_name;
      f.hint = "map it to the category it holds, or check what is written into it";
      f.policy_rule = "datasets." + table.name + ".columns." + column.name;
      f.policy_location = Loc(mapping->location);
      Add(std::move(f));
      return;
    }
    const policy::Category* category = policy->FindCategory(mapping->category);
    if (category == nullptr) return;  // policy check reports the dangling reference
    if (category->detectors.empty()) return;
    for (const detect::KindEvidence* k : detected)
      if (std::find(category->detectors.begin(), category->detectors.end(), std::string(detect::KindName(k->kind))) !=
          category->detectors.end())
        return;
    Finding f = base;
    f.code = kCodeCategoryMismatch;
    f.severity = Severity::kWarning;
    f.category = mapping->category;
    f.message = where + " is declared " + mapping->category + " but its values look like " + top_name + " (" +
                CategoryForKind(top_name, policy) + ")";
    f.hint = "map the column to the category it holds, or add " + top_name + " to the detectors of category " +
             mapping->category;
    f.policy_rule = "datasets." + table.name + ".columns." + column.name;
    f.policy_location = Loc(mapping->location);
    Add(std::move(f));
  }
};

// Every table of the source, described (those the scan described are
// reused), with the relations the policy declares: a rule may count from
// another table, and a legal hold reaches the rows that belong to a held row.
Result<plan::SchemaGraph> SchemaOf(source::Source& src, const policy::Policy& policy,
                                   const std::vector<std::string>& all_tables,
                                   const std::map<std::string, source::Table>& described) {
  plan::SchemaGraph graph;
  graph.declared = relations::PolicyRelations(policy);
  for (const std::string& name : all_tables) {
    if (auto it = described.find(name); it != described.end()) {
      graph.tables.push_back(it->second);
      continue;
    }
    Result<source::Table> table = src.Describe(name);
    if (!table.ok()) return table.status();
    graph.tables.push_back(std::move(*table));
  }
  return graph;
}

Status CheckRetention(source::Source& src, const policy::Policy& policy, const std::set<std::string>& tables,
                      const std::vector<std::string>& all_tables,
                      const std::map<std::string, source::Table>& described, const ScanOptions& options,
                      std::optional<plan::SchemaGraph>& graph, ScanResult* result) {
  for (const policy::RetentionRule& rule : policy.retention) {
    if (rule.todo || !tables.count(rule.dataset)) continue;
    const source::Table& table = described.at(rule.dataset);
    std::vector<std::string> needed;
    if (rule.after_table.empty()) needed.push_back(rule.after_column);
    if (!rule.after_fallback.empty()) needed.push_back(rule.after_fallback);
    for (const auto& c : rule.when) needed.push_back(c.column);
    for (const auto& h : rule.legal_holds)
      for (const auto& c : h.when) needed.push_back(c.column);
    std::string missing;
    for (const std::string& n : needed)
      if (table.FindColumn(n) == nullptr) missing = n;
    if (!missing.empty()) {
      Finding f;
      f.code = kCodeMissingColumn;
      f.severity = Severity::kWarning;
      f.table = rule.dataset;
      f.column = missing;
      f.file = table.location;
      f.message = "retention rule " + rule.id + " uses " + rule.dataset + "." + missing +
                  ", which does not exist; the rule cannot be checked";
      f.hint = "fix the column name in the rule, or add the column";
      f.policy_rule = "retention." + rule.id;
      f.policy_location = Checker::Loc(rule.location);
      result->findings.push_back(std::move(f));
      continue;
    }
    if (!graph) {
      Result<plan::SchemaGraph> loaded = SchemaOf(src, policy, all_tables, described);
      if (!loaded.ok()) return loaded.status();
      graph = std::move(*loaded);
    }
    Result<plan::RuleRows> rows = plan::RetentionRows(policy, rule, *graph, options.as_of);
    if (!rows.ok()) {
      Finding f;
      f.code = kCodeMissingColumn;
      f.severity = Severity::kWarning;
      f.table = rule.dataset;
      f.file = table.location;
      f.message = rows.status().message() + "; the rule cannot be checked";
      f.hint = "fix the rule's keep, conditions or legal holds, or the relation they rely on";
      f.policy_rule = "retention." + rule.id;
      f.policy_location = Checker::Loc(rule.location);
      result->findings.push_back(std::move(f));
      continue;
    }
    Result<int64_t> expired = src.Count(rule.dataset, rows->expired);
    if (!expired.ok()) return expired.status();
    int64_t held = 0;
    for (const plan::HoldRows& hold : rows->held) {
      Result<int64_t> h = src.Count(rule.dataset, hold.rows);
      if (!h.ok()) return h.status();
      held += *h;
    }
    if (*expired == 0) continue;
    Finding f;
    f.code = kCodeRetentionExpired;
    f.severity = Severity::kError;
    f.table = rule.dataset;
    f.file = table.location;
    f.count = *expired;
    f.message = std::to_string(*expired) + " rows of " + rule.dataset + " are past retention rule " + rule.id +
                " (" + rule.keep.ToHuman() + " after " + rule.AfterText() + ", before " +
                plan::RetentionCutoff(rule, options.as_of).ToIso() + ")" +
                (held > 0 ? "; " + std::to_string(held) + " more are kept under a legal hold" : "");
    f.hint = std::string("they must be ") +
             (rule.action == policy::RetentionAction::kDelete      ? "deleted"
              : rule.action == policy::RetentionAction::kAnonymise ? "anonymised"
                                                                   : "restricted") +
             ": review them with 'dpo retention plan --policy POLICY SOURCE', then apply the plan";
    f.policy_rule = "retention." + rule.id;
    f.policy_location = Checker::Loc(rule.location);
    result->findings.push_back(std::move(f));
  }
  return Status::Ok();
}

std::string Examples(const ConsentCheck& c, const std::vector<std::string>& keys, int64_t count) {
  if (keys.empty()) return "";
  std::string out = " (" + c.subject_table + "." + c.subject_column + " ";
  for (size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + keys[i];
  return out + (count > static_cast<int64_t>(keys.size()) ? ", ...)" : ")");
}

// Where the data is held, for a message: "candidates (cv_text, availability)".
std::string HeldText(const ConsentCheck& c) {
  std::string out;
  for (const ConsentHeldIn& h : c.held_in) {
    if (!h.problem.empty()) continue;
    std::string cols;
    for (const std::string& col : h.columns) cols += (cols.empty() ? "" : ", ") + col;
    out += (out.empty() ? "" : "; ") + h.dataset + " (" + cols + ")";
  }
  return out;
}

Status CheckConsent(source::Source& src, const policy::Policy& policy, const std::vector<std::string>& all_tables,
                    const std::map<std::string, source::Table>& described, std::optional<plan::SchemaGraph>& graph, ScanResult* result) {
  bool any = std::any_of(policy.purposes.begin(), policy.purposes.end(),
                         [](const policy::Purpose& p) { return p.consent && p.RestsOnConsent(); });
  if (!any) return Status::Ok();
  if (!graph) {
    Result<plan::SchemaGraph> loaded = SchemaOf(src, policy, all_tables, described);
    if (!loaded.ok()) return loaded.status();
    graph = std::move(*loaded);
  }
  ConsentCheckOptions check_options;
  Result<std::vector<ConsentCheck>> checks = CheckConsents(src, policy, *graph, check_options);
  if (!checks.ok()) return checks.status();
  for (const ConsentCheck& c : *checks) {
    const policy::Purpose* purpose = policy.FindPurpose(c.purpose);
    auto base = [&](const char* code, Severity severity) {
      Finding f;
      f.code = code;
      f.severity = severity;
      f.table = c.subject_table.empty() ? c.records_dataset : c.subject_table;
      f.policy_rule = "purposes." + c.purpose + ".consent";
      f.policy_location = Checker::Loc(purpose->consent->location);
      return f;
    };
    if (!c.problem.empty()) {
      Finding f = base(kCodeConsentUnchecked, Severity::kWarning);
      f.message = "the consents of purpose " + c.purpose + " cannot be checked: " + c.problem;
      f.hint = "fix purposes." + c.purpose + ".consent in the policy (dataset, subject_key and the date columns)";
      result->findings.push_back(std::move(f));
      continue;
    }
    for (const ConsentHeldIn& h : c.held_in) {
      if (!h.problem.empty()) {
        Finding f = base(kCodeConsentUnchecked, Severity::kWarning);
        f.table = h.dataset;
        f.message = "the data " + h.dataset + " holds for purpose " + c.purpose +
                    " cannot be checked against its consents: " + h.problem;
        f.hint = "give datasets." + h.dataset + " a subject_key, and a relation to " + c.subject_table;
        result->findings.push_back(std::move(f));
      } else if (h.unlinked_rows > 0) {
        Finding f = base(kCodeConsentUnlinked, Severity::kNote);
        f.table = h.dataset;
        f.count = h.unlinked_rows;
        f.message = std::to_string(h.unlinked_rows) + " rows of " + h.dataset + " hold data for purpose " +
                    c.purpose + " but link to no " + c.subject_table + " row (" + h.path +
                    "): their consent cannot be looked up";
        f.hint = "if they are anonymous, make sure their consent is recorded where they gave it; otherwise link them";
        result->findings.push_back(std::move(f));
      }
    }
    const std::string of_held = " of the " + std::to_string(c.held) + " subjects in " + c.subject_table +
                                " whose data is held for it (in " + HeldText(c) + ")";
    if (c.without_record > 0) {
      Finding f = base(kCodeConsentMissing, Severity::kError);
      f.count = c.without_record;
      f.message = "purpose " + c.purpose + ": " + std::to_string(c.without_record) + of_held +
                  " have no consent record in " + c.records_dataset +
                  Examples(c, c.without_record_keys, c.without_record);
      f.hint = "record their consent (Art. 7(1): you must be able to prove it), or stop processing their data for " +
               c.purpose + " (erase or restrict it)";
      result->findings.push_back(std::move(f));
    }
    if (c.withdrawn > 0) {
      Finding f = base(kCodeConsentWithdrawn, Severity::kError);
      f.count = c.withdrawn;
      f.message = "purpose " + c.purpose + ": " + std::to_string(c.withdrawn) + of_held +
                  " withdrew their consent (" + c.records_dataset + ") and did not give it again" +
                  Examples(c, c.withdrawn_keys, c.withdrawn);
      f.hint = "erase the data held only for " + c.purpose +
               " (dpo erase plan --policy POLICY SOURCE --subject ...), or restrict it; if they consented again, "
               "record the new consent";
      result->findings.push_back(std::move(f));
    }
  }
  return Status::Ok();
}

void CheckRecipients(const policy::Policy& policy, ScanResult* result) {
  for (const policy::UngroundedDisclosure& d : policy::UngroundedDisclosures(policy)) {
    Finding f;
    f.code = kCodeSpecialToRecipient;
    f.severity = Severity::kWarning;
    f.category = d.category;
    std::string purposes;
    for (const std::string& p : d.purposes) purposes += (purposes.empty() ? "" : ", ") + p;
    f.message = "recipient " + d.recipient + " may receive " + (d.criminal ? "criminal data" : "special category") +
                " " + d.category + ", but no purpose that shares data with it (" +
                (purposes.empty() ? std::string("none") : purposes) + ") lists " + d.category + " with " +
                (d.criminal ? "an art10_basis (Art. 10)" : "an art9_condition (Art. 9(2))");
    f.hint = "remove " + d.category + " from recipients." + d.recipient +
             ".categories, or list it in the purpose it is shared for with its Art. 9(2) condition";
    f.policy_rule = "recipients." + d.recipient + ".categories";
    f.policy_location = Checker::Loc(d.location);
    result->findings.push_back(std::move(f));
  }
}

}  // namespace

std::string CategoryForKind(const std::string& kind, const policy::Policy* policy) {
  std::optional<Kind> k = detect::KindFromName(kind);
  if (policy != nullptr) {
    // Several categories may list a kind (health terms in "health" and in
    // "conversation_notes"): prefer the one whose sensitivity fits the kind.
    policy::Sensitivity fitting = policy::Sensitivity::kOrdinary;
    if (k && detect::IsSpecialCategoryTerm(*k)) fitting = policy::Sensitivity::kSpecial;
    if (k && detect::IsCriminalTerm(*k)) fitting = policy::Sensitivity::kCriminal;
    if (k && (*k == Kind::kBsn || *k == Kind::kSsnUs)) fitting = policy::Sensitivity::kNationalId;
    const policy::Category* first = nullptr;
    for (const policy::Category& c : policy->categories) {
      if (std::find(c.detectors.begin(), c.detectors.end(), kind) == c.detectors.end()) continue;
      if (c.sensitivity == fitting) return c.id;
      if (first == nullptr) first = &c;
    }
    if (first != nullptr) return first->id;
  }
  if (!k) return "";
  for (const KindCategory& kc : kBuiltinCategories)
    if (kc.kind == *k) return kc.category;
  return "";
}

Result<ScanResult> RunScan(source::Source& src, const ScanOptions& options) {
  auto started = std::chrono::steady_clock::now();
  ScanResult result;
  result.source = src.DisplayName();
  result.source_kind = source::SourceKindName(src.kind());
  result.policy_file = options.policy ? options.policy->file : "";
  result.as_of = options.as_of.ToIso();
  result.mode = options.full ? "full" : "sample";
  result.sample_rows = options.full ? 0 : options.sample_rows;
  result.stats.threads = 1;  // the reader; ClassifyTable adds the workers it got

  Result<std::vector<std::string>> listed = src.ListTables();
  if (!listed.ok()) return listed.status();
  std::set<std::string> present(listed->begin(), listed->end());
  std::vector<std::string> names;
  for (const std::string& t : *listed)
    if (options.tables.empty() || std::find(options.tables.begin(), options.tables.end(), t) != options.tables.end())
      names.push_back(t);
  for (const std::string& t : options.tables)
    if (!present.count(t))
      return Status::Error("no table '" + t + "' in " + src.DisplayName() + "; run 'dpo inspect " +
                           src.DisplayName() + "' to list the tables");

  Checker checker{options, options.policy, &result};
  std::map<std::string, source::Table> described;
  for (const std::string& name : names) {
    Result<source::Table> table = src.Describe(name);
    if (!table.ok()) return table.status();
    described[name] = *table;
    TableReport report;
    report.name = name;
    report.file = table->location;
    report.row_count = table->row_count.rows;
    report.row_count_exact = table->row_count.exact;
    std::vector<detect::ColumnClassifier> classifiers;
    classifiers.reserve(table->columns.size());
    for (const source::Column& c : table->columns) classifiers.emplace_back(c.name);
    DPO_RETURN_IF_ERROR(ClassifyTable(src, *table, options, &classifiers, &report, &result.stats));

    const policy::Dataset* ds = options.policy ? options.policy->FindDataset(name) : nullptr;
    std::vector<detect::ColumnVerdict> verdicts;
    std::vector<std::string> column_names;
    for (size_t i = 0; i < table->columns.size(); ++i) {
      verdicts.push_back(classifiers[i].Finish());
      column_names.push_back(table->columns[i].name);
    }
    report.holds_people = detect::ApplyTableContext(name, column_names, &verdicts);
    for (size_t i = 0; i < table->columns.size(); ++i) {
      const detect::ColumnVerdict& verdict = verdicts[i];
      ColumnReport column;
      column.name = table->columns[i].name;
      column.type = source::TypeClassName(table->columns[i].type);
      column.free_text = verdict.free_text;
      column.values_seen = verdict.values_seen;
      for (const detect::KindEvidence& k : verdict.kinds) {
        if (k.confidence < options.min_confidence && k.values_containing == 0) continue;
        column.evidence.push_back(ToEvidence(k));
        if (column.discovered_category.empty() && IsPersonalKind(k.kind) && k.confidence >= options.min_confidence)
          column.discovered_category = CategoryForKind(std::string(detect::KindName(k.kind)), options.policy);
      }
      if (column.discovered_category.empty() && verdict.free_text) {
        for (const detect::KindEvidence& k : verdict.kinds)
          if (k.values_containing > 0 && IsPersonalKind(k.kind)) column.discovered_category = "free_text";
      }
      checker.CheckColumn(report, &column, ds, verdict);
      report.columns.push_back(std::move(column));
    }
    result.tables.push_back(std::move(report));
  }

  if (options.policy != nullptr) {
    std::set<std::string> scanned(names.begin(), names.end());
    for (const policy::Dataset& ds : options.policy->datasets) {
      if (!options.tables.empty() && !scanned.count(ds.table)) continue;
      if (!present.count(ds.table)) {
        Finding f;
        f.code = kCodeMissingTable;
        f.severity = Severity::kWarning;
        f.table = ds.table;
        f.message = "the policy declares dataset " + ds.table + ", but " + src.DisplayName() + " has no such table";
        f.hint = "fix the dataset name, or remove it from the policy if the table is gone";
        f.policy_rule = "datasets." + ds.table;
        f.policy_location = Checker::Loc(ds.location);
        result.findings.push_back(std::move(f));
        continue;
      }
      const source::Table& table = described.at(ds.table);
      for (const policy::ColumnMapping& m : ds.columns) {
        if (table.FindColumn(m.column) != nullptr) continue;
        Finding f;
        f.code = kCodeMissingColumn;
        f.severity = Severity::kWarning;
        f.table = ds.table;
        f.column = m.column;
        f.file = table.location;
        f.category = m.category;
        f.message = "the policy maps " + ds.table + "." + m.column + ", but the table has no such column";
        f.hint = "fix the column name, or remove the mapping if the column is gone";
        f.policy_rule = "datasets." + ds.table + ".columns." + m.column;
        f.policy_location = Checker::Loc(m.location);
        result.findings.push_back(std::move(f));
      }
    }
    std::optional<plan::SchemaGraph> graph;
    DPO_RETURN_IF_ERROR(CheckRetention(src, *options.policy, scanned, *listed, described, options, graph, &result));
    // Consent and recipients concern the whole policy: not for a scan of some tables only.
    if (options.tables.empty()) {
      DPO_RETURN_IF_ERROR(CheckConsent(src, *options.policy, *listed, described, graph, &result));
      CheckRecipients(*options.policy, &result);
    }
  }

  // Baseline first: an expired acceptance makes a finding count again even
  // when the baseline knows it.
  if (options.baseline != nullptr) ApplyBaseline(*options.baseline, &result);
  if (options.policy != nullptr) ApplyAcceptances(*options.policy, options.as_of, &result);
  std::stable_sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.table != b.table) return a.table < b.table;
    return a.column < b.column;
  });
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace dpo::scan
