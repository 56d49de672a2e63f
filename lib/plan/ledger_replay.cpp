#include "plan/ledger_replay.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "anonymise/operators.h"
#include "plan/audit_log.h"
#include "plan/cascade.h"
#include "plan/retention_plan.h"
#include "plan/retention_predicate.h"
#include "relations/policy_relations.h"
#include "source/write_guard.h"
#include "util/thread_start.h"

namespace dpo::plan {
namespace {

using source::Predicate;
using source::WriteOp;

// Keys per statement: SQLite binds at most 32,766 parameters, PostgreSQL
// 65,535; 10,000 keeps every statement well inside both and costs a few
// hundred statements per million rows. A CSV statement rewrites the file,
// so CSV takes a table's keys at once (IN is a hash set there).
constexpr size_t kSqlChunk = 10000;
constexpr size_t kCompositeSqlChunk = 500;  // (a = ? AND b = ?) OR ...: a parameter per column
constexpr size_t kCompositeCsvChunk = 2000;

const char* ActionName(policy::RetentionAction a) {
  switch (a) {
    case policy::RetentionAction::kDelete: return "delete";
    case policy::RetentionAction::kAnonymise: return "anonymise";
    case policy::RetentionAction::kRestrict: return "restrict";
  }
  return "?";
}

// Errors of the source or the ledger end the replay; the others (a rule the
// schema cannot carry out now) leave some rows and are reported.
bool Fatal(const Status& s) {
  return s.code() == StatusCode::kInternal || s.code() == StatusCode::kIoError || s.code() == StatusCode::kBusy;
}

std::string Rows(int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

// The keys of some rows of one table: `columns` values per row, row-major,
// in one arena (a million integer keys take about 16 MB). Rows added one
// right after the other in a scan (no row of the table between them) form a
// run; in a scan ordered by an integer key (ordered()), a run is every row
// between its first and last key: a range.
class KeyList {
 public:
  size_t columns = 1;

  size_t size() const { return ends_.size() / columns; }
  // Cell `c` of row `r`; nullopt for NULL.
  std::optional<std::string_view> Cell(size_t r, size_t c) const {
    size_t i = r * columns + c;
    if (nulls_[i]) return std::nullopt;
    size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(arena_).substr(begin, ends_[i] - begin);
  }
  // Adds row `row` of `batch`, the `position`th row its scan read (every
  // scan numbers its rows apart from the others').
  void Add(const source::RowBatch& batch, size_t row, int64_t position) {
    if (position != last_position_ + 1) run_starts_.push_back(size());
    last_position_ = position;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      bool null = batch.IsNull(row, c);
      if (!null) arena_.append(batch.Cell(row, c));
      ends_.push_back(arena_.size());
      nulls_.push_back(null);
    }
  }
  // Whether every scan that added rows read its table in ascending order of
  // one integer key column, with no other writer: then runs are ranges.
  bool ordered() const { return ordered_; }
  void set_unordered() { ordered_ = false; }
  // Run `i` is rows [run_begin(i), run_begin(i + 1)).
  size_t runs() const { return run_starts_.size(); }
  size_t run_begin(size_t i) const { return i < run_starts_.size() ? run_starts_[i] : size(); }

 private:
  std::string arena_;
  std::vector<size_t> ends_;
  std::vector<bool> nulls_;
  std::vector<size_t> run_starts_;
  int64_t last_position_ = -2;
  bool ordered_ = true;
};

// Rows read and hashed while a table's tombstones are still loading, kept
// until they can be matched (about 60 bytes each).
constexpr size_t kMaxWaitingRows = 1 << 19;

// A run this long becomes a range (two parameters, one sequential pass
// inside the database) instead of that many keys in an IN list.
constexpr size_t kMinRange = 16;
// Ranges per statement.
constexpr size_t kMaxRanges = 200;

// The rows of `keys` as predicates on `columns`, each for at most `chunk`
// keys: IN for one column (and ranges for runs, when `keys` is ordered),
// else one AND per row. NULL matches by IS NULL (a key with a NULL was
// recorded that way: CanonicalKey).
std::vector<Predicate> KeyPredicates(const std::vector<std::string>& columns, const KeyList& keys, size_t chunk) {
  std::vector<Predicate> out;
  if (columns.size() > 1) {
    for (size_t begin = 0; begin < keys.size(); begin += chunk) {
      size_t end = std::min(keys.size(), begin + chunk);
      std::vector<Predicate> rows;
      rows.reserve(end - begin);
      for (size_t r = begin; r < end; ++r) {
        std::vector<Predicate> cells;
        for (size_t c = 0; c < columns.size(); ++c) {
          std::optional<std::string_view> v = keys.Cell(r, c);
          cells.push_back(v ? Predicate::Compare(Predicate::Op::kEq, columns[c], std::string(*v))
                            : Predicate::Null(columns[c]));
        }
        rows.push_back(Predicate::All(std::move(cells)));
      }
      out.push_back(Predicate::Any(std::move(rows)));
    }
    return out;
  }
  const std::string& column = columns[0];
  auto empty_in = [&] {
    Predicate p;
    p.op = Predicate::Op::kIn;
    p.column = column;
    return p;
  };
  Predicate in = empty_in();
  bool null = false;
  std::vector<Predicate> ranges;
  auto flush = [&] {
    if (in.values.empty() && !null && ranges.empty()) return;
    std::vector<Predicate> any = std::move(ranges);
    if (null) any.push_back(Predicate::Null(column));
    if (!in.values.empty()) any.push_back(std::move(in));
    out.push_back(any.size() == 1 ? std::move(any[0]) : Predicate::Any(std::move(any)));
    in = empty_in();
    ranges.clear();
    null = false;
  };
  auto add = [&](size_t r) {
    if (std::optional<std::string_view> v = keys.Cell(r, 0)) in.values.emplace_back(*v);
    else null = true;
    if (in.values.size() >= chunk) flush();
  };
  if (!keys.ordered()) {
    for (size_t r = 0; r < keys.size(); ++r) add(r);
  } else {
    for (size_t i = 0; i < keys.runs(); ++i) {
      size_t begin = keys.run_begin(i), end = keys.run_begin(i + 1);
      if (end - begin < kMinRange) {
        for (size_t r = begin; r < end; ++r) add(r);
        continue;
      }
      ranges.push_back(Predicate::All({Predicate::Compare(Predicate::Op::kGe, column, std::string(*keys.Cell(begin, 0))),
                                       Predicate::Compare(Predicate::Op::kLe, column, std::string(*keys.Cell(end - 1, 0)))}));
      if (ranges.size() >= kMaxRanges) flush();
    }
  }
  flush();
  return out;
}

// Reads integer keys in scan order and says whether they only went up.
class OrderCheck {
 public:
  explicit OrderCheck(bool possible) : ordered_(possible) {}
  void See(const source::RowBatch& batch, size_t row) {
    if (!ordered_) return;
    if (batch.IsNull(row, 0)) {
      ordered_ = false;
      return;
    }
    std::string_view text = batch.Cell(row, 0);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || (seen_ && v <= last_)) {
      ordered_ = false;
      return;
    }
    last_ = v;
    seen_ = true;
  }
  bool ordered() const { return ordered_; }

 private:
  bool ordered_;
  bool seen_ = false;
  int64_t last_ = 0;
};

// Reads `reader` to the end and hands each batch to `process` on a second
// thread: hashing a row's key costs about what reading it does, so both
// cores work. `process` sees the batches in order, one at a time, and must
// not fail; the caller's state is its own until this returns.
Status ReadOnTwoThreads(source::RowReader& reader, const std::function<void(const source::RowBatch&)>& process) {
  constexpr size_t kDepth = 4;
  std::vector<source::RowBatch> batches(kDepth);
  std::mutex mu;
  std::condition_variable changed;
  std::deque<size_t> full, empty;
  for (size_t i = 0; i < kDepth; ++i) empty.push_back(i);
  bool done = false;
  auto consume = [&] {
    for (;;) {
      size_t i;
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] { return !full.empty() || done; });
        if (full.empty()) return;
        i = full.front();
        full.pop_front();
      }
      process(batches[i]);
      {
        std::lock_guard<std::mutex> lock(mu);
        empty.push_back(i);
      }
      changed.notify_all();
    }
  };
  std::thread worker;
  if (!util::TryStartThread(&worker, consume)) {
    // The system gives no second thread (ulimit -u): read and process here.
    for (;;) {
      Result<bool> more = reader.Next(&batches[0]);
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
      process(batches[0]);
    }
  }
  Status status;
  for (;;) {
    size_t i;
    {
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return !empty.empty(); });
      i = empty.front();
      empty.pop_front();
    }
    Result<bool> more = reader.Next(&batches[i]);
    if (!more.ok()) status = more.status();
    if (!more.ok() || !*more) break;
    {
      std::lock_guard<std::mutex> lock(mu);
      full.push_back(i);
    }
    changed.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  changed.notify_all();
  worker.join();
  return status;
}

// An anonymise or restrict rule of a table, as replay applies it.
struct UpdateRule {
  const policy::RetentionRule* rule = nullptr;
  std::optional<WriteOp> op;  // bound; nullopt when `error`
  Status error;               // why the rule cannot run on this table now
  std::vector<std::string> key_columns;
};

// The rows of one table found in the ledger, by what their tombstones say.
struct Found {
  std::map<std::string, KeyList> deletes;  // by rule
  std::map<std::string, KeyList> updates;  // by rule
  std::map<std::string, std::string> first_date;  // rule -> its earliest tombstone here
  std::map<std::string, std::string> recorded;    // rule -> the action its tombstones say
};

class Replayer {
 public:
  Replayer(const policy::Policy& policy, source::Source& source, source::Transaction& tx, Ledger& ledger,
           const util::SecretKey& key, const ReplayOptions& options, SchemaGraph graph, int64_t ledger_tombstones)
      : policy_(policy), source_(source), tx_(tx), ledger_(ledger), key_(key), options_(options),
        graph_(std::move(graph)), ledger_tombstones_(ledger_tombstones) {}

  // Reads every table that has tombstones and keeps the keys of the rows found.
  Status Match() {
    for (const source::Table& table : graph_.tables) {
      Result<int64_t> n = ledger_.CountInTable(key_, table.name);
      if (!n.ok()) return n.status();
      if (*n == 0) continue;
      Table(table.name).tombstones = *n;
      DPO_RETURN_IF_ERROR(MatchTable(table));
    }
    return Status::Ok();
  }

  // Deletes (children first), then updates (in the order their rules were
  // first recorded).
  Status Write(ReplayReport* report) {
    DPO_RETURN_IF_ERROR(PrepareKeep());
    for (const std::string& name : ChildFirst()) {
      auto found = found_.find(name);
      if (found == found_.end()) continue;
      for (const auto& [rule, keys] : found->second.deletes) DPO_RETURN_IF_ERROR(Delete(name, rule, keys));
    }
    struct Group {
      std::string first_date;
      size_t policy_order;
      std::string table, rule;
    };
    std::vector<Group> groups;
    for (const auto& [table, found] : found_)
      for (const auto& [rule, keys] : found.updates) {
        size_t order = policy_.retention.size();
        for (size_t i = 0; i < policy_.retention.size(); ++i)
          if (policy_.retention[i].id == rule) order = i;
        groups.push_back({found.first_date.at(rule), order, table, rule});
      }
    std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
      return std::tie(a.first_date, a.policy_order, a.table, a.rule) <
             std::tie(b.first_date, b.policy_order, b.table, b.rule);
    });
    for (const Group& g : groups) DPO_RETURN_IF_ERROR(Update(g.table, g.rule, found_[g.table].updates.at(g.rule)));

    for (auto& [name, t] : tables_) report->tables.push_back(t);
    for (const Step& s : steps_) {
      report->steps.push_back(s.step);
      report->total += s.step.rows;
    }
    report->blocked = blocked_;
    report->skipped = skipped_;
    return Status::Ok();
  }

  // --max-rows and --max-percent, on what the transaction did.
  Status CheckLimits(const ReplayReport& report) const {
    if (options_.max_rows >= 0 && report.total > options_.max_rows)
      return Status::Error("the replay changes " + std::to_string(report.total) + " rows, more than --max-rows " +
                           std::to_string(options_.max_rows) +
                           "; nothing was changed; check that this ledger belongs to this database (--dry-run shows "
                           "what it finds), then raise the limit");
    for (const ReplayTable& t : report.tables) {
      auto it = table_rows_.find(t.table);
      if (it == table_rows_.end() || it->second <= 0) continue;
      int64_t rows = std::max(t.deleted, t.anonymised + t.restricted + t.unlinked);
      double percent = 100.0 * static_cast<double>(rows) / static_cast<double>(it->second);
      if (percent > options_.max_percent + 1e-9) {
        char share[32];
        std::snprintf(share, sizeof share, "%.1f%%", percent);
        return Status::Error("the replay " + std::string(t.deleted >= rows ? "deletes " : "changes ") +
                             std::to_string(rows) + " of " + std::to_string(it->second) + " rows of " + t.table + " (" +
                             share + "), more than --max-percent " +
                             std::to_string(static_cast<int>(options_.max_percent)) +
                             "; nothing was changed; check that this ledger belongs to this database (--dry-run "
                             "shows what it finds), then raise the limit");
      }
    }
    return Status::Ok();
  }

  // The keyed digest of each step's rows (empty without an audit log).
  std::vector<std::string> Digests() const {
    std::vector<std::string> out;
    for (const Step& s : steps_) out.push_back(s.keys ? s.keys->Hex() : "");
    return out;
  }

  const std::map<std::string, ReplayTable>& tables() const { return tables_; }

 private:
  struct Step {
    ReplayStep step;
    std::optional<KeySetHmac> keys;
  };

  ReplayTable& Table(const std::string& name) {
    auto [it, added] = tables_.try_emplace(name);
    if (added) it->second.table = name;
    return it->second;
  }

  void Block(const std::string& what) {
    if (std::find(blocked_.begin(), blocked_.end(), what) == blocked_.end()) blocked_.push_back(what);
  }

  size_t ChunkRows(size_t key_columns) const {
    if (options_.chunk_rows > 0) return options_.chunk_rows;
    bool csv = source_.kind() == source::SourceKind::kCsv;
    if (key_columns > 1) return csv ? kCompositeCsvChunk : kCompositeSqlChunk;
    return csv ? std::numeric_limits<size_t>::max() : kSqlChunk;
  }

  // The update rules of `table`, each with its key columns (those apply
  // recorded the rule's tombstones under).
  std::map<std::string, UpdateRule> UpdateRules(const source::Table& table) {
    std::map<std::string, UpdateRule> out;
    const policy::Dataset* dataset = policy_.FindDataset(table.name);
    UpdateContext context;
    context.source_kind = source_.kind();
    context.policy = &policy_;
    context.references = source::ReferencesTo(table.name, graph_.tables, graph_.declared);
    for (const policy::RetentionRule& rule : policy_.retention) {
      if (rule.todo || rule.dataset != table.name || rule.action == policy::RetentionAction::kDelete) continue;
      UpdateRule u;
      u.rule = &rule;
      Result<WriteOp> op = RuleUpdateOp(rule, table, context);
      if (op.ok()) {
        // The single place where replay binds computed assignments (keyed
        // pseudonyms) to the key, before anything is executed.
        Status bound = anonymise::BindOperators(&*op, &key_);
        if (bound.ok()) {
          u.key_columns = KeyColumnsOf(table, dataset, *op);
          u.op = std::move(*op);
        } else {
          u.error = bound;
        }
      } else {
        u.error = op.status();
      }
      if (!u.op) u.key_columns = KeyColumnsOf(table, dataset, WriteOp{});
      out.emplace(rule.id, std::move(u));
    }
    return out;
  }

  Status MatchTable(const source::Table& table) {
    const policy::Dataset* dataset = policy_.FindDataset(table.name);
    WriteOp del;
    del.kind = WriteOp::Kind::kDelete;
    del.table = table.name;
    const std::vector<std::string> delete_columns = KeyColumnsOf(table, dataset, del);
    update_rules_[table.name] = UpdateRules(table);
    const std::map<std::string, UpdateRule>& rules = update_rules_[table.name];

    // The key columns each tombstone was recorded under: the delete's, or
    // its rule's (a rule gone from the policy: the delete's, the usual case).
    std::vector<std::vector<std::string>> key_sets = {delete_columns};
    auto key_set_of = [&](const std::vector<std::string>& columns) {
      for (size_t i = 0; i < key_sets.size(); ++i)
        if (key_sets[i] == columns) return i;
      key_sets.push_back(columns);
      return key_sets.size() - 1;
    };
    std::map<std::string, size_t> rule_key_set;
    for (const auto& [id, u] : rules) rule_key_set[id] = key_set_of(u.key_columns);

    ReplayTable& report = Table(table.name);
    // This table's tombstones are a good share of the ledger: read it whole.
    const bool whole_ledger = report.tombstones * 4 >= ledger_tombstones_;
    std::optional<util::Digest> after;
    for (bool first_slice = true;; first_slice = false) {
      // The first slice loads while the table is read under the delete's
      // key columns (the usual ones): ledger and source at the same time.
      Loading loading;
      auto load = [&] {
        Result<TableTombstones> loaded = ledger_.LoadTable(key_, table.name, options_.max_tombstones_in_memory,
                                                           after ? &*after : nullptr, whole_ledger);
        loading.Done(std::move(loaded));
      };
      std::thread loader;
      if (!util::TryStartThread(&loader, load)) load();  // no second thread to be had: load, then read
      Status early = Status::Ok();
      std::set<size_t> scanned;
      if (first_slice) {
        early = Scan(table, key_sets, rule_key_set, 0, loading);
        scanned.insert(0);
      }
      if (loader.joinable()) loader.join();
      DPO_RETURN_IF_ERROR(early);
      if (!loading.result->ok()) return loading.result->status();
      const TableTombstones& slice = **loading.result;
      if (slice.size() == 0) break;
      // Other key sets the slice's tombstones were recorded under.
      std::set<size_t> needed;
      for (const TableTombstones::Entry& e : slice.entries()) needed.insert(SetOf(e, slice, rule_key_set));
      for (size_t ks : needed)
        if (!scanned.count(ks)) DPO_RETURN_IF_ERROR(Scan(table, key_sets, rule_key_set, ks, loading));
      report.not_found += std::count(loading.hit.begin(), loading.hit.end(), false);
      if (!slice.more()) break;
      after = slice.entries().back().key;
    }
    return Status::Ok();
  }

  // A slice of tombstones on its way from the ledger (another thread), and
  // which of its tombstones found a row.
  struct Loading {
    std::mutex mu;
    std::condition_variable done;
    std::atomic<bool> ready{false};
    std::optional<Result<TableTombstones>> result;
    std::vector<bool> hit;

    void Done(Result<TableTombstones> loaded) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (loaded.ok()) hit.assign(loaded->size(), false);
        result.emplace(std::move(loaded));
      }
      ready = true;
      done.notify_all();
    }
    // The slice, once loaded; nullptr if loading failed.
    const TableTombstones* Wait() {
      std::unique_lock<std::mutex> lock(mu);
      done.wait(lock, [&] { return result.has_value(); });
      return result->ok() ? &**result : nullptr;
    }
  };

  // The key set a tombstone was recorded under (KeyColumnsOf of its delete,
  // or of its rule's update).
  static size_t SetOf(const TableTombstones::Entry& e, const TableTombstones& slice,
                      const std::map<std::string, size_t>& rule_key_set) {
    if (e.action == 0) return 0;
    auto it = rule_key_set.find(slice.rules()[e.rule]);
    return it == rule_key_set.end() ? 0 : it->second;
  }

  // Reads `table` under key set `ks`, hashes every row's key and keeps the
  // rows whose tombstones (recorded under `ks`) are in the slice `loading`
  // brings. Rows read before the slice is there wait, hashed, in memory.
  Status Scan(const source::Table& table, const std::vector<std::vector<std::string>>& key_sets,
              const std::map<std::string, size_t>& rule_key_set, size_t ks, Loading& loading) {
    source::ReadRequest request;
    request.columns = key_sets[ks];
    Result<std::unique_ptr<source::RowReader>> reader = tx_.Read(table.name, request);
    if (!reader.ok()) return reader.status();
    Found& found = found_[table.name];
    ReplayTable& report = Table(table.name);
    KeyHasher hasher(key_, table.name);
    // A scan of an SQLite table by its integer primary key comes in key
    // order, and no one else writes while the transaction holds the
    // database: runs of rows found are ranges (see KeyList).
    const source::Column* key_column = key_sets[ks].size() == 1 ? table.FindColumn(key_sets[ks][0]) : nullptr;
    OrderCheck order(source_.kind() == source::SourceKind::kSqlite && key_column != nullptr &&
                     key_column->type == source::TypeClass::kInteger);
    std::set<KeyList*> filled;
    position_ += 2;  // never adjacent to the last scan's rows

    struct Hashed {
      source::RowBatch batch;
      std::vector<util::Digest> digests;
    };
    std::deque<Hashed> waiting;  // read and hashed before the slice was there
    const TableTombstones* slice = nullptr;
    std::vector<std::pair<const TableTombstones::Entry*, const TableTombstones::Entry*>> hits;
    std::string canonical;

    auto hash = [&](const source::RowBatch& batch, std::vector<util::Digest>* digests) {
      digests->resize(batch.num_rows());
      for (size_t row = 0; row < batch.num_rows(); ++row) {
        if (batch.num_columns() == 1 && !batch.IsNull(row, 0)) {  // the key is its canonical form
          (*digests)[row] = hasher.OfCanonical(batch.Cell(row, 0));
          continue;
        }
        canonical.clear();
        for (size_t c = 0; c < batch.num_columns(); ++c) {
          if (c > 0) canonical.push_back('\x1f');
          if (batch.IsNull(row, c)) canonical.push_back('\0');
          else canonical.append(batch.Cell(row, c));
        }
        (*digests)[row] = hasher.OfCanonical(canonical);
      }
    };
    auto collect = [&](const source::RowBatch& batch, const std::vector<util::Digest>& digests) {
      hits.resize(batch.num_rows());
      slice->FindMany(digests.data(), batch.num_rows(), hits.data());
      for (size_t row = 0; row < batch.num_rows(); ++row) {
        const int64_t position = ++position_;
        order.See(batch, row);
        auto [first, last] = hits[row];
        if (first == last) continue;
        const TableTombstones::Entry* deleted = nullptr;
        bool any = false;
        for (const TableTombstones::Entry* e = first; e != last; ++e) {
          if (SetOf(*e, *slice, rule_key_set) != ks) continue;
          any = true;
          loading.hit[static_cast<size_t>(e - slice->entries().data())] = true;
          if (e->action == 0) deleted = e;
        }
        if (!any) continue;
        ++report.found;
        if (deleted != nullptr) {
          KeyList& keys = found.deletes[slice->rules()[deleted->rule]];
          keys.columns = batch.num_columns();
          keys.Add(batch, row, position);
          filled.insert(&keys);
          continue;
        }
        for (const TableTombstones::Entry* e = first; e != last; ++e) {
          if (SetOf(*e, *slice, rule_key_set) != ks) continue;
          const std::string& rule = slice->rules()[e->rule];
          KeyList& keys = found.updates[rule];
          keys.columns = batch.num_columns();
          keys.Add(batch, row, position);
          filled.insert(&keys);
          const std::string& date = slice->dates()[e->date];
          auto [d, added] = found.first_date.try_emplace(rule, date);
          if (!added && date < d->second) d->second = date;
          found.recorded[rule] = kLedgerActions[e->action];
        }
      }
    };
    // Once the slice is there: the rows that waited, in order, then on.
    bool failed = false;
    auto drain = [&](const TableTombstones* loaded) {
      slice = loaded;
      if (slice == nullptr) {
        failed = true;
        waiting.clear();
        return;
      }
      for (const Hashed& h : waiting) collect(h.batch, h.digests);
      waiting.clear();
    };
    std::vector<util::Digest> digests;
    size_t waiting_rows = 0;
    auto process = [&](const source::RowBatch& batch) {
      if (failed) return;
      // At most about 30 MB wait; then the scan waits for the slice.
      if (slice == nullptr && !loading.ready && waiting_rows < kMaxWaitingRows) {
        Hashed& h = waiting.emplace_back();
        h.batch = batch;
        hash(batch, &h.digests);
        waiting_rows += batch.num_rows();
        return;
      }
      if (slice == nullptr) drain(loading.Wait());
      if (failed) return;
      hash(batch, &digests);
      collect(batch, digests);
    };
    DPO_RETURN_IF_ERROR(ReadOnTwoThreads(**reader, process));
    if (slice == nullptr && !failed) drain(loading.Wait());
    if (failed) return Status::Ok();  // the caller reports the ledger's error
    if (!order.ordered())
      for (KeyList* keys : filled) keys->set_unordered();
    return Status::Ok();
  }

  // The legal holds of every table, for ExpandDelete: a child row under a
  // hold is never deleted by cascade. A hold that cannot be evaluated on
  // this schema blocks every delete (replay cannot tell which rows it keeps).
  Status PrepareKeep() {
    for (const source::Table& t : graph_.tables) {
      Result<std::optional<Predicate>> kept = LegalHoldRows(policy_, t.name, graph_, options_.as_of);
      if (!kept.ok()) {
        if (Fatal(kept.status())) return kept.status();
        keep_error_ = kept.status().message();
        continue;
      }
      holds_[t.name] = *kept;
      if (*kept) keep_.push_back({t.name, **kept, "a legal hold on " + t.name + " (or on a row it belongs to)"});
    }
    return Status::Ok();
  }

  // Counts the rows of `table` before the first write to it (--max-percent).
  Status CountBeforeWrite(const std::string& table) {
    if (options_.max_percent >= 100 || table_rows_.count(table)) return Status::Ok();
    Result<int64_t> n = tx_.Count(table, std::nullopt);
    if (!n.ok()) return n.status();
    table_rows_[table] = *n;
    return Status::Ok();
  }

  // Runs one operation; its rows go to the step (rule, table, action, depth, via).
  Status Run(const std::string& rule, const std::string& action, int depth, const std::string& via, const WriteOp& op,
             int64_t* rows) {
    DPO_RETURN_IF_ERROR(CountBeforeWrite(op.table));
    Step* step = nullptr;
    for (Step& s : steps_)
      if (s.step.rule == rule && s.step.table == op.table && s.step.action == action && s.step.depth == depth &&
          s.step.via == via)
        step = &s;
    if (step == nullptr) {
      steps_.push_back({{rule, op.table, action, depth, via, 0}, std::nullopt});
      step = &steps_.back();
      if (!options_.audit_log.empty()) step->keys.emplace(key_, op.table);
    }
    Result<int64_t> n = int64_t{0};
    if (step->keys) {
      const source::Table* table = graph_.Find(op.table);
      std::vector<std::string> columns = KeyColumnsOf(*table, policy_.FindDataset(op.table), op);
      KeySetHmac* keys = &*step->keys;
      source::ReturnRows returning{columns, [keys](const std::vector<std::optional<std::string>>& key) {
                                     keys->Add(key);
                                     return Status::Ok();
                                   }};
      n = tx_.Execute(op, &returning);
    } else {
      n = tx_.Execute(op);
    }
    if (!n.ok())
      return n.status().WithContext("ledger replay, " + action + " " + op.table + " (rule " + rule +
                                    "); nothing was changed");
    step->step.rows += *n;
    *rows = *n;
    return Status::Ok();
  }

  Status Delete(const std::string& name, const std::string& rule, const KeyList& keys) {
    ReplayTable& report = Table(name);
    const source::Table* table = graph_.Find(name);
    if (!keep_error_.empty()) {
      report.blocked += static_cast<int64_t>(keys.size());
      Block("delete " + Rows(static_cast<int64_t>(keys.size())) + " of " + name + " (rule " + rule +
            "): a legal hold cannot be evaluated: " + keep_error_);
      return Status::Ok();
    }
    const std::optional<Predicate>& hold = holds_[name];
    // Rows whose children are held wait, as in a plan.
    const std::vector<source::Reference> referenced = source::ReferencesTo(name, graph_.tables, graph_.declared);
    std::vector<Predicate> keep_children;
    for (const source::Reference& ref : referenced) {
      if (ref.child == name) continue;
      auto child_hold = holds_.find(ref.child);
      if (child_hold == holds_.end() || !child_hold->second) continue;
      std::vector<Predicate> sub = {*child_hold->second};
      for (const std::string& c : ref.key.columns) sub.push_back(Predicate::Null(c, false));
      keep_children.push_back(Predicate::Negate(
          Predicate::InSelect(ref.key.referenced_columns, ref.child, ref.key.columns, Predicate::All(std::move(sub)))));
    }
    const std::vector<std::string> columns = KeyColumnsOf(*table, policy_.FindDataset(name), WriteOp{});
    for (Predicate& these : KeyPredicates(columns, keys, ChunkRows(columns.size()))) {
      std::vector<Predicate> parts = {these};
      if (hold) {
        Result<int64_t> held = tx_.Count(name, Predicate::All({these, *hold}));
        if (!held.ok()) return held.status();
        report.held += *held;
        parts.push_back(Predicate::Negate(*hold));
      }
      if (!keep_children.empty()) {
        Result<int64_t> free = tx_.Count(name, Predicate::All(parts));
        if (!free.ok()) return free.status();
        parts.insert(parts.end(), keep_children.begin(), keep_children.end());
        Result<int64_t> acting = tx_.Count(name, Predicate::All(parts));
        if (!acting.ok()) return acting.status();
        report.kept_for_children += *free - *acting;
      }
      WriteOp del;
      del.kind = WriteOp::Kind::kDelete;
      del.table = name;
      del.where = parts.size() == 1 ? std::move(parts[0]) : Predicate::All(std::move(parts));
      if (referenced.empty()) {  // nothing to expand (a log table): one statement
        int64_t n = 0;
        DPO_RETURN_IF_ERROR(Run(rule, "delete", 0, "", del, &n));
        report.deleted += n;
        continue;
      }
      Result<std::vector<CascadeStep>> expanded = ExpandDelete(tx_, graph_, del, keep_);
      if (!expanded.ok()) {
        if (Fatal(expanded.status())) return expanded.status();
        Result<int64_t> left = tx_.Count(name, del.where);
        if (!left.ok()) return left.status();
        report.blocked += *left;
        Block("delete " + Rows(*left) + " of " + name + " (rule " + rule + "): " + expanded.status().message());
        continue;
      }
      for (const CascadeStep& c : *expanded) {
        if (c.rows == 0 && c.depth > 0) continue;
        bool unlink = c.op.kind == WriteOp::Kind::kUpdate;
        int64_t n = 0;
        DPO_RETURN_IF_ERROR(Run(rule, unlink ? "unlink" : "delete", c.depth, c.via, c.op, &n));
        (unlink ? Table(c.op.table).unlinked : Table(c.op.table).deleted) += n;
      }
    }
    return Status::Ok();
  }

  Status Update(const std::string& name, const std::string& rule_id, const KeyList& keys) {
    ReplayTable& report = Table(name);
    const int64_t count = static_cast<int64_t>(keys.size());
    const std::string recorded = found_[name].recorded[rule_id];
    const std::map<std::string, UpdateRule>& rules = update_rules_[name];
    auto it = rules.find(rule_id);
    if (it == rules.end()) {
      // Not an anonymise or restrict rule of this table (any more).
      const policy::RetentionRule* now = nullptr;
      for (const policy::RetentionRule& r : policy_.retention)
        if (r.id == rule_id) now = &r;
      report.skipped += count;
      std::string why = now == nullptr             ? "is not in the policy any more"
                        : now->dataset != name     ? "now applies to " + now->dataset + ", not " + name
                        : now->todo                ? "is TODO in the policy"
                                                   : std::string("now says ") + ActionName(now->action);
      skipped_.push_back("rule " + rule_id + " (" + recorded + " " + Rows(count) + " of " + name + ") " + why +
                         ": the rows are left as they are; restore the rule in the policy and replay again, or "
                         "handle them by hand");
      return Status::Ok();
    }
    const UpdateRule& u = it->second;
    if (!u.op) {
      report.blocked += count;
      Block(std::string(ActionName(u.rule->action)) + " " + Rows(count) + " of " + name + " (rule " + rule_id +
            "): " + u.error.message());
      return Status::Ok();
    }
    const std::optional<Predicate>& hold = holds_[name];
    const std::string action = ActionName(u.rule->action);
    for (Predicate& these : KeyPredicates(u.key_columns, keys, ChunkRows(u.key_columns.size()))) {
      Result<int64_t> present = tx_.Count(name, these);
      if (!present.ok()) return present.status();
      int64_t held = 0;
      WriteOp op = *u.op;
      std::vector<Predicate> parts = {these, u.op->where};
      if (hold) {
        Result<int64_t> h = tx_.Count(name, Predicate::All({these, *hold}));
        if (!h.ok()) return h.status();
        held = *h;
        parts.push_back(Predicate::Negate(*hold));
      }
      op.where = Predicate::All(std::move(parts));
      int64_t n = 0;
      DPO_RETURN_IF_ERROR(Run(rule_id, action, 0, "", op, &n));
      report.held += held;
      (u.rule->action == policy::RetentionAction::kAnonymise ? report.anonymised : report.restricted) += n;
      report.already += *present - held - n;
    }
    return Status::Ok();
  }

  // Table names with every table after the tables that reference it: a
  // child's own tombstones run before its parent's cascade reaches it.
  std::vector<std::string> ChildFirst() const {
    std::vector<std::string> out;
    std::set<std::string> done, active;
    std::function<void(const std::string&)> visit = [&](const std::string& name) {
      if (done.count(name) || active.count(name)) return;
      active.insert(name);
      for (const source::Reference& ref : source::ReferencesTo(name, graph_.tables, graph_.declared))
        if (ref.child != name) visit(ref.child);
      active.erase(name);
      done.insert(name);
      out.push_back(name);
    };
    for (const source::Table& t : graph_.tables) visit(t.name);
    return out;
  }

  const policy::Policy& policy_;
  source::Source& source_;
  source::Transaction& tx_;
  Ledger& ledger_;
  const util::SecretKey& key_;
  const ReplayOptions& options_;
  SchemaGraph graph_;
  const int64_t ledger_tombstones_;

  std::map<std::string, Found> found_;
  int64_t position_ = 0;  // rows read by all scans, with gaps between scans
  std::map<std::string, std::map<std::string, UpdateRule>> update_rules_;
  std::map<std::string, std::optional<Predicate>> holds_;
  std::vector<KeepRule> keep_;
  std::string keep_error_;
  std::map<std::string, ReplayTable> tables_;
  std::map<std::string, int64_t> table_rows_;
  std::vector<Step> steps_;
  std::vector<std::string> blocked_;
  std::vector<std::string> skipped_;
};

}  // namespace

Result<ReplayReport> ReplayLedger(const policy::Policy& policy, source::Source& source, Ledger& ledger,
                                  const util::SecretKey& key, const ReplayOptions& options) {
  ReplayReport report;
  report.dry_run = options.dry_run;
  report.key_id = key.Id();

  // A key that made none of the tombstones would find nothing and say
  // nothing: refuse it.
  Result<int64_t> total = ledger.Count();
  if (!total.ok()) return total.status();
  report.ledger_tombstones = *total;
  Result<bool> known = ledger.HasKeyId(report.key_id);
  if (!known.ok()) return known.status();
  if (*total > 0 && !*known) {
    Result<std::vector<std::pair<std::string, int64_t>>> by_key = ledger.CountByKeyId();
    if (!by_key.ok()) return by_key.status();
    std::string others;
    for (const auto& [id, n] : *by_key) others += (others.empty() ? "" : ", ") + id;
    return Status::Error(ledger.path() + ": none of the ledger's " + std::to_string(*total) +
                         " tombstones were made with this key (key id " + report.key_id + "; the ledger's: " + others +
                         "); nothing was changed; pass the key the sweeps used (--key-file FILE or DPO_KEY)");
  }

  std::vector<std::pair<std::string, source::ForeignKey>> declared = relations::PolicyRelations(policy);
  source.DeclareRelations(declared);
  Result<SchemaGraph> graph = LoadSchemaGraph(source, declared);
  if (!graph.ok()) return graph.status();

  Result<std::unique_ptr<source::Transaction>> tx = source.Begin({.dry_run = options.dry_run});
  if (!tx.ok()) return tx.status();
  Replayer replayer(policy, source, **tx, ledger, key, options, std::move(*graph), *total);
  auto fail = [&](Status s) {
    (*tx)->Rollback();
    return s;
  };
  Status matched = replayer.Match();
  if (!matched.ok()) return fail(matched);
  // Tombstones that no table of this source accounts for: another key's,
  // or a table this source does not have. Told apart only when there are
  // any (it reads the whole ledger).
  int64_t accounted = 0;
  for (const auto& t : replayer.tables()) accounted += t.second.tombstones;
  if (accounted < *total) {
    Result<std::vector<std::pair<std::string, int64_t>>> by_key = ledger.CountByKeyId();
    if (!by_key.ok()) return fail(by_key.status());
    int64_t mine = 0;
    for (const auto& [id, n] : *by_key)
      if (id == report.key_id) mine = n;
    report.other_key_tombstones = *total - mine;
    report.unknown_table_tombstones = mine - accounted;
  }
  Status written = replayer.Write(&report);
  if (!written.ok()) return fail(written);
  Status limits = replayer.CheckLimits(report);
  if (!limits.ok()) return fail(limits);

  // Written ahead, as retention apply's: the intent before the commit.
  AuditEntry common;
  common.command = options.command;
  common.policy_sha256 = options.policy_sha256;
  common.source = source.DisplayName();
  common.dry_run = options.dry_run;
  ApplyAudit audit(options.audit_log, std::move(common));
  Status intended = audit.Intent(report.total, report.steps.size());
  if (!intended.ok()) return fail(intended.WithContext("the audit log could not be written, so nothing was changed"));
  Status committed = (*tx)->Commit();
  if (!committed.ok())  // uncertain (a lost connection): the intent stays open, as retention apply's
    return committed.WithContext(audit.enabled() && !options.dry_run
                                     ? "the commit failed; whether it took effect is not certain, so the audit "
                                       "log's intent for replay " + audit.id() + " stays open: check the source"
                                     : "the commit failed");

  if (audit.enabled()) {
    std::vector<std::string> digests = replayer.Digests();
    auto append = [&](AuditEntry e) -> Status {
      Status appended = audit.Step(std::move(e));
      if (!appended.ok())
        return appended.WithContext(options.dry_run ? "the dry run finished but the audit log could not be written"
                                                    : "the replay was committed but the audit log could not be "
                                                      "written; record this run by hand");
      return Status::Ok();
    };
    for (size_t i = 0; i < report.steps.size(); ++i) {
      const ReplayStep& s = report.steps[i];
      AuditEntry e;
      e.rule = s.rule;
      e.table = s.table;
      e.action = s.action;
      e.rows = s.rows;
      e.keys_hmac = digests[i];
      DPO_RETURN_IF_ERROR(append(std::move(e)));
    }
    // One entry for the replay as a whole, also when it found nothing.
    int64_t found = 0, held = 0, left = 0;
    for (const ReplayTable& t : report.tables) {
      found += t.found;
      held += t.held + t.kept_for_children;
      left += t.blocked + t.skipped;
    }
    AuditEntry e;
    e.action = "replay";
    e.rows = report.total;
    e.note = "ledger replay: " + std::to_string(found) + " rows found in the ledger (key id " + report.key_id + "), " +
             std::to_string(report.total) + " rows changed, " + std::to_string(held) + " kept by legal holds, " +
             std::to_string(left) + " left (blocked or rule not in the policy)";
    DPO_RETURN_IF_ERROR(append(std::move(e)));
    report.audit_entries = audit.appended();
  }
  report.unread = source.Skipped();
  return report;
}

}  // namespace dpo::plan
