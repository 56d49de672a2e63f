#include "anonymise/export.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "util/thread_start.h"

namespace dpo::anonymise {
namespace {

using Value = std::optional<std::string>;

// The sink's shape of a table: dropped columns left out, types as the
// operators make them, the schema's own keys and foreign keys (relations
// only a policy declares are not constraints of the output).
SinkTable OutputShape(const TablePlan& tp, source::SourceKind source_kind, SinkKind sink_kind, bool suppressed,
                      const std::vector<std::vector<std::string>>& referenced_keys) {
  SinkTable t;
  t.name = tp.table.name;
  std::set<std::string> kept;
  for (const ColumnChoice& c : tp.columns) {
    if (c.op.kind == ExportOperator::Kind::kDrop) continue;
    kept.insert(c.column.name);
    SinkColumn sc;
    sc.name = c.column.name;
    sc.type = c.output_type;
    bool same_kind = (source_kind == source::SourceKind::kSqlite && sink_kind == SinkKind::kSqlite) ||
                     (source_kind == source::SourceKind::kPostgres && sink_kind == SinkKind::kPostgres);
    // A declared type is kept when the values still fit it: unchanged, or
    // changed into the same type class by an operator that keeps lengths
    // within what the type allows (PostgreSQL varchar(n) may not hold a
    // pseudonym, so a changed text column is declared text).
    bool type_kept = c.output_type == c.column.type &&
                     (!c.op.ChangesValues() ||
                      (c.column.type != source::TypeClass::kText && c.op.kind != ExportOperator::Kind::kPseudonym));
    if (same_kind && type_kept) sc.declared_type = c.column.declared_type;
    sc.nullable = c.column.nullable || c.op.kind == ExportOperator::Kind::kNull || (suppressed && c.quasi_identifier);
    t.columns.push_back(std::move(sc));
  }
  t.primary_key = tp.table.primary_key;
  for (const ColumnChoice& c : tp.columns)
    if (c.column.unique && c.column.primary_key_position == 0)
      for (const std::vector<std::string>& index : tp.table.indexes)
        if (index.size() == 1 && index[0] == c.column.name) {
          t.unique.push_back(index);
          break;
        }
  // A key other tables reference (a foreign key to UNIQUE (a, b)) must be
  // declared unique for the database to accept the reference.
  for (const std::vector<std::string>& key : referenced_keys) {
    if (key == t.primary_key || std::find(t.unique.begin(), t.unique.end(), key) != t.unique.end()) continue;
    bool all_kept = true;
    for (const std::string& col : key) all_kept = all_kept && kept.count(col) > 0;
    if (all_kept) t.unique.push_back(key);
  }
  for (const source::ForeignKey& fk : tp.table.foreign_keys) {
    if (fk.origin != "schema") continue;
    bool all_kept = true;
    for (const std::string& col : fk.columns) all_kept = all_kept && kept.count(col) > 0;
    if (all_kept) t.foreign_keys.push_back(fk);
  }
  return t;
}

// A batch on its way from the transformer to the writer.
struct Work {
  source::RowBatch rows;
  bool end = false;
  Status error = Status::Ok();
};

// A bounded queue: the transformer waits when the writer is two batches behind.
class Queue {
 public:
  // False when the writer gave up (the batch is dropped). The end marker
  // is always delivered.
  bool Push(Work w) {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return items_.size() < 3 || closed_ || w.end; });
    if (closed_ && !w.end) return false;
    items_.push_back(std::move(w));
    ready_.notify_one();
    return true;
  }
  Work Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !items_.empty(); });
    Work w = std::move(items_.front());
    items_.pop_front();
    space_.notify_one();
    return w;
  }
  // The writer gave up: the transformer's next Push returns at once.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    space_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<Work> items_;
  bool closed_ = false;
};

class TableCopier {
 public:
  TableCopier(source::Source& source, const TablePlan& tp, const KAnonymity* k, const ExportOptions& options)
      : source_(source), tp_(tp), k_(k), options_(options) {}

  // Reads and transforms the table, handing each output batch to `emit` in
  // the source's order. With threads > 1 the operators run on that many
  // workers, each with its own transforms (they are not thread-safe), while
  // this thread reads.
  Status Run(const std::function<Status(Work)>& emit) {
    Layout();
    bool all_kept = std::all_of(keep_.begin(), keep_.end(), [](bool k) { return k; });
    const int workers = all_kept ? 1 : std::max(1, options_.threads);
    std::vector<Lane> lanes(static_cast<size_t>(workers));
    for (Lane& lane : lanes)
      if (Status s = MakeLane(&lane); !s.ok()) return s;
    source::ReadRequest request;
    request.batch_rows = 2048;
    Result<std::unique_ptr<source::RowReader>> reader = source_.Read(tp_.table.name, request);
    if (!reader.ok()) return reader.status();
    Status result = workers == 1 ? RunInline(**reader, lanes[0], emit) : RunPool(**reader, lanes, emit);
    counts_.assign(out_columns_.size(), TransformCounts());
    for (const Lane& lane : lanes)
      for (size_t o = 0; o < counts_.size(); ++o) {
        counts_[o].changed += lane.counts[o].changed;
        counts_[o].nulled += lane.counts[o].nulled;
        counts_[o].spans += lane.counts[o].spans;
      }
    return result;
  }

  // The same copy made inside the output database (Sink::CopyFromSqlite):
  // for SQLite to SQLite, without k-anonymity suppression in this table.
  Status RunInside(Sink& sink, const std::string& source_path) {
    Layout();
    Lane lane;  // alive until the copy returns: the SQL function calls into it
    if (Status s = MakeLane(&lane); !s.ok()) return s;
    std::vector<CopyColumn> columns;
    for (size_t o = 0; o < out_columns_.size(); ++o) {
      const ColumnChoice& c = tp_.columns[out_columns_[o]];
      CopyColumn cc;
      cc.source_column = c.column.name;
      cc.type = c.output_type;
      if (!keep_[o]) {
        Transform* t = &lane.transforms[o];
        TransformCounts* counts = &lane.counts[o];
        cc.transform = [t, counts](const Value& v) -> Value { return (*t)(v, counts); };
      }
      columns.push_back(std::move(cc));
    }
    Result<int64_t> copied =
        sink.CopyFromSqlite(source_path, tp_.table.name, columns, [this] { return Cancelled(); });
    counts_ = std::move(lane.counts);
    if (!copied.ok()) return copied.status();
    rows_ = *copied;
    return Status::Ok();
  }

  // Which input column each output column comes from (dropped ones left
  // out), which are kept as they are, and where the quasi-identifiers are.
  void Layout() {
    out_columns_.clear();
    keep_.clear();
    quasi_.clear();
    for (size_t i = 0; i < tp_.columns.size(); ++i) {
      const ColumnChoice& c = tp_.columns[i];
      if (c.op.kind == ExportOperator::Kind::kDrop) continue;
      if (c.quasi_identifier) quasi_.push_back(out_columns_.size());
      keep_.push_back(c.op.kind == ExportOperator::Kind::kKeep);
      out_columns_.push_back(i);
    }
  }

  // One worker's transforms and counts.
  struct Lane {
    std::vector<Transform> transforms;
    std::vector<TransformCounts> counts;
  };

  Status MakeLane(Lane* lane) {
    TransformContext base;
    base.key = options_.key;
    base.as_of = options_.as_of;
    for (size_t o = 0; o < out_columns_.size(); ++o) {
      const ColumnChoice& c = tp_.columns[out_columns_[o]];
      Result<Transform> t = MakeTransform(c.op, ContextFor(c, base, source_.kind()));
      if (!t.ok()) return t.status().WithContext(tp_.table.name + "." + c.column.name);
      lane->transforms.push_back(std::move(*t));
    }
    lane->counts.assign(out_columns_.size(), TransformCounts());
    return Status::Ok();
  }

  // One input batch through the operators (and k-anonymity's suppression).
  void TransformBatch(const source::RowBatch& in, Lane& lane, source::RowBatch* out) const {
    const bool suppress = k_ != nullptr && !k_->suppressed.empty();
    std::vector<Value> row(out_columns_.size());
    std::vector<Value> tuple(quasi_.size());
    out->Reset(out_columns_.size());
    for (size_t r = 0; r < in.num_rows(); ++r) {
      for (size_t o = 0; o < out_columns_.size(); ++o) {
        size_t c = out_columns_[o];
        if (keep_[o] && !suppress) continue;  // copied straight from the input below
        Value v = in.IsNull(r, c) ? Value() : Value(std::string(in.Cell(r, c)));
        row[o] = lane.transforms[o](v, &lane.counts[o]);
      }
      if (suppress) {
        for (size_t q = 0; q < quasi_.size(); ++q) tuple[q] = row[quasi_[q]];
        if (k_->suppressed.count(TupleKey(tuple)))
          for (size_t q : quasi_) row[q].reset();
      }
      for (size_t o = 0; o < row.size(); ++o) {
        if (keep_[o] && !suppress) {
          if (in.IsNull(r, out_columns_[o])) out->AddNull();
          else out->AddCell(in.Cell(r, out_columns_[o]));
        } else if (row[o]) {
          out->AddCell(*row[o]);
        } else {
          out->AddNull();
        }
      }
      out->EndRow(in.RowNumber(r));
    }
  }

  bool Cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }

  Status RunInline(source::RowReader& reader, Lane& lane, const std::function<Status(Work)>& emit) {
    source::RowBatch in;
    while (true) {
      if (Cancelled()) return Status::Error("interrupted");
      Result<bool> more = reader.Next(&in);
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
      Work w;
      TransformBatch(in, lane, &w.rows);
      rows_ += static_cast<int64_t>(in.num_rows());
      if (Status s = emit(std::move(w)); !s.ok()) return s;
    }
  }

  // Batches go to the workers in turn and come back in the order they were read.
  Status RunPool(source::RowReader& reader, std::vector<Lane>& lanes, const std::function<Status(Work)>& emit) {
    struct Slot {
      source::RowBatch in;
      Work out;
      bool done = false;
    };
    std::mutex mu;
    std::condition_variable changed;
    std::deque<std::shared_ptr<Slot>> pending;   // read, not yet taken by a worker
    std::deque<std::shared_ptr<Slot>> in_order;  // every slot not yet emitted, in read order
    bool stop = false;
    std::vector<std::thread> threads;
    for (Lane& lane : lanes) {
      // As many workers as the system grants (ulimit -u); with none, the
      // batches are transformed on this thread, in order.
      const bool started = util::TryStartThread(&threads, [&, lane_ptr = &lane] {
        while (true) {
          std::shared_ptr<Slot> slot;
          {
            std::unique_lock<std::mutex> lock(mu);
            changed.wait(lock, [&] { return stop || !pending.empty(); });
            if (pending.empty()) return;
            slot = pending.front();
            pending.pop_front();
          }
          TransformBatch(slot->in, *lane_ptr, &slot->out.rows);
          std::lock_guard<std::mutex> lock(mu);
          slot->done = true;
          changed.notify_all();
        }
      });
      if (!started) break;
    }
    if (threads.empty()) return RunInline(reader, lanes.front(), emit);
    const size_t max_in_flight = lanes.size() * 2;
    Status result = Status::Ok();
    // Emits finished slots from the front; with `all`, waits for every one.
    auto drain = [&](bool all) -> Status {
      while (true) {
        std::shared_ptr<Slot> front;
        {
          std::unique_lock<std::mutex> lock(mu);
          changed.wait(lock, [&] {
            return in_order.empty() || in_order.front()->done || (!all && in_order.size() < max_in_flight);
          });
          if (in_order.empty() || !in_order.front()->done) return Status::Ok();
          front = in_order.front();
          in_order.pop_front();
        }
        rows_ += static_cast<int64_t>(front->out.rows.num_rows());
        if (Status s = emit(std::move(front->out)); !s.ok()) return s;
      }
    };
    while (result.ok()) {
      if (Cancelled()) {
        result = Status::Error("interrupted");
        break;
      }
      auto slot = std::make_shared<Slot>();
      Result<bool> more = reader.Next(&slot->in);
      if (!more.ok()) {
        result = more.status();
        break;
      }
      if (!*more) break;
      {
        std::lock_guard<std::mutex> lock(mu);
        pending.push_back(slot);
        in_order.push_back(slot);
        changed.notify_all();
      }
      result = drain(false);
    }
    if (result.ok()) result = drain(true);
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
      pending.clear();
      changed.notify_all();
    }
    for (std::thread& t : threads) t.join();
    return result;
  }

  TableSummary Summary() const {
    TableSummary s;
    s.table = tp_.table.name;
    s.rows = rows_;
    size_t o = 0;
    for (const ColumnChoice& c : tp_.columns) {
      ColumnSummary cs;
      cs.column = c.column.name;
      cs.op = c.op.Name();
      cs.reason = c.reason;
      cs.undeclared = c.undeclared;
      if (c.op.kind != ExportOperator::Kind::kDrop && o < counts_.size()) cs.counts = counts_[o++];
      s.columns.push_back(std::move(cs));
    }
    return s;
  }

 private:
  source::Source& source_;
  const TablePlan& tp_;
  const KAnonymity* k_;
  const ExportOptions& options_;
  std::vector<TransformCounts> counts_;
  std::vector<size_t> out_columns_;    // input index of each output column
  std::vector<size_t> quasi_;          // output positions of quasi-identifiers
  std::vector<bool> keep_;             // per output column: copied as it is
  int64_t rows_ = 0;
};

}  // namespace

Status CheckKey(const ExportPlan& plan, const util::SecretKey* key) {
  if (key != nullptr) return Status::Ok();
  for (const TablePlan& tp : plan.tables)
    for (const ColumnChoice& c : tp.columns)
      if (c.op.NeedsKey())
        return Status::Error(tp.table.name + "." + c.column.name + " gets " + c.op.Name() +
                             ", which is keyed: refusing to run without a key (pass --key-file FILE or set DPO_KEY; "
                             "`openssl rand -hex 32 > dpo.key && chmod 600 dpo.key` makes one)");
  return Status::Ok();
}

Result<ExportSummary> RunExport(source::Source& source, ExportPlan* plan, Sink& sink, const ExportOptions& options) {
  auto fail = [&](Status s) -> Result<ExportSummary> {
    sink.Abandon();
    return s;
  };
  if (Status s = CheckKey(*plan, options.key); !s.ok()) return fail(s);
  // Writing into the schema being read would drop the source (with --force)
  // and wait forever on our own reads: refused before anything is read.
  if (const std::string schema = sink.TargetSchema(); !schema.empty() && source.kind() == source::SourceKind::kPostgres)
    for (const TablePlan& tp : plan->tables) {
      size_t dot = tp.table.name.find('.');
      std::string table_schema = dot == std::string::npos ? "public" : tp.table.name.substr(0, dot);
      if (table_schema == schema)
        return fail(Status::Error("--schema " + schema + " is a schema the source is read from (table " +
                                  tp.table.name + "): choose a new schema for the anonymised copy"));
    }
  ExportSummary summary;
  summary.destination = sink.DisplayName();
  summary.undeclared_columns = plan->undeclared_columns;
  summary.warnings = plan->warnings;

  TransformContext base;
  base.key = options.key;
  base.as_of = options.as_of;
  std::vector<const KAnonymity*> k_of(plan->tables.size(), nullptr);
  for (TablePlan& tp : plan->tables) {
    bool has_quasi = false;
    for (const ColumnChoice& c : tp.columns) has_quasi = has_quasi || c.quasi_identifier;
    if (!has_quasi) continue;
    Result<KAnonymity> k = ApplyKAnonymity(source, &tp, options.k, options.max_suppress, base);
    if (!k.ok()) return fail(k.status());
    summary.k_anonymity.push_back(std::move(*k));
  }
  for (size_t i = 0; i < plan->tables.size(); ++i)
    for (const KAnonymity& k : summary.k_anonymity)
      if (k.table == plan->tables[i].table.name) k_of[i] = &k;

  for (size_t i = 0; i < plan->tables.size(); ++i) {
    const KAnonymity* k = k_of[i];
    std::vector<std::vector<std::string>> referenced_keys;
    for (const TablePlan& other : plan->tables)
      for (const source::ForeignKey& fk : other.table.foreign_keys)
        if (fk.origin == "schema" && fk.referenced_table == plan->tables[i].table.name && !fk.referenced_columns.empty())
          referenced_keys.push_back(fk.referenced_columns);
    if (Status s = sink.CreateTable(OutputShape(plan->tables[i], source.kind(), sink.kind(),
                                                k != nullptr && k->suppressed_rows > 0, referenced_keys));
        !s.ok())
      return fail(s);
  }

  for (size_t i = 0; i < plan->tables.size(); ++i) {
    const TablePlan& tp = plan->tables[i];
    TableCopier copier(source, tp, k_of[i], options);
    int64_t written = 0;
    auto write = [&](Work w) -> Status {
      if (Status s = sink.WriteRows(tp.table.name, w.rows); !s.ok()) return s;
      written += static_cast<int64_t>(w.rows.num_rows());
      if (options.progress) options.progress(tp.table.name, written, -1);
      return Status::Ok();
    };
    Status result = Status::Ok();
    const bool suppressing = k_of[i] != nullptr && !k_of[i]->suppressed.empty();
    // Inside SQLite one core does everything. Free text (the name finder)
    // costs more than the copy itself, so a table with it streams through
    // the workers instead. (Keyed operators do not: measured, the streamed
    // copy's reading and binding cost more than their HMACs.)
    bool heavy = false;
    for (const ColumnChoice& c : tp.columns) heavy = heavy || c.op.kind == ExportOperator::Kind::kRedact;
    const bool inside = !options.sqlite_source_path.empty() && sink.CanCopyFromSqlite() && !suppressing &&
                        !(heavy && options.threads > 1);
    if (options.progress) options.progress(tp.table.name, 0, -1);
    if (inside) {
      result = copier.RunInside(sink, options.sqlite_source_path);
      if (result.ok() && options.progress) options.progress(tp.table.name, copier.Summary().rows, -1);
    } else if (options.threads <= 1) {
      result = copier.Run(write);
    } else {
      // Reading and the operators on one core, the sink on the other.
      Queue queue;
      Status produced = Status::Ok();
      std::thread producer;
      const bool started = util::TryStartThread(&producer, [&] {
        produced = copier.Run([&](Work w) {
          return queue.Push(std::move(w)) ? Status::Ok() : Status::Error("the writer stopped");
        });
        Work end;
        end.end = true;
        queue.Push(std::move(end));
      });
      // No second thread to be had (ulimit -u): read, transform and write here.
      if (!started) result = copier.Run(write);
      while (started) {
        Work w = queue.Pop();
        if (w.end) break;
        if (result.ok()) {
          result = write(std::move(w));
          if (!result.ok()) queue.Close();
        }
      }
      if (started) {
        producer.join();
        if (result.ok()) result = produced;
      }
    }
    if (!result.ok()) return fail(result.WithContext(tp.table.name));
    TableSummary ts = copier.Summary();
    // A generaliser writes NULL for what it cannot read (never the value):
    // said once per column, since a whole column of 1958/04/21 dates would
    // otherwise vanish with only a count to show for it.
    for (const ColumnSummary& c : ts.columns)
      if (c.counts.nulled > 0 && c.op.rfind("generalise:", 0) == 0)
        summary.warnings.push_back(tp.table.name + "." + c.column + ": " + std::to_string(c.counts.nulled) +
                                   " value(s) " + c.op + " could not read were written as NULL (as '' in a NOT NULL text column)");
    summary.rows += ts.rows;
    summary.tables.push_back(std::move(ts));
  }
  if (options.cancel != nullptr && options.cancel->load()) return fail(Status::Error("interrupted"));
  if (Status s = sink.Finish(); !s.ok()) return fail(s);
  summary.skipped = source.Skipped();
  return summary;
}

}  // namespace dpo::anonymise
