#include "anonymise/k_anonymity.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

namespace dpo::anonymise {
namespace {

using Value = std::optional<std::string>;
using Tuple = std::vector<Value>;

// An age band's lower bound: "30-39" -> 30, "90+" -> 90.
std::optional<int> BandStart(const std::string& v) {
  int n = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  if (r.ec != std::errc()) return std::nullopt;
  return n;
}

// The value `op` (one step coarser) gives, from the value the previous step
// gave. Every generaliser reads its own output back, except age bands,
// which are re-banded from their lower bound.
Value CoarsenValue(const ExportOperator& op, const Transform& transform, const Value& v) {
  if (!v) return v;
  if (op.kind == ExportOperator::Kind::kAgeBand) {
    std::optional<int> start = BandStart(*v);
    if (!start) return std::nullopt;
    if (*start >= 90) return std::string("90+");
    // As AgeBand writes it: no band reaches past 89 ("80-89", then "90+").
    int lo = *start / op.param * op.param;
    int hi = std::min(lo + op.param - 1, 89);
    return std::to_string(lo) + "-" + std::to_string(hi);
  }
  return transform(v, nullptr);
}

struct Counts {
  std::map<Tuple, int64_t> classes;
  int64_t small_rows = 0;  // rows in classes smaller than k
  int64_t min = 0;
};

Counts Summarise(std::map<Tuple, int64_t> classes, int64_t k) {
  Counts c;
  c.classes = std::move(classes);
  c.min = c.classes.empty() ? 0 : std::numeric_limits<int64_t>::max();
  for (const auto& [t, n] : c.classes) {
    c.min = std::min(c.min, n);
    if (n < k) c.small_rows += n;
  }
  return c;
}

}  // namespace

std::string TupleKey(const std::vector<std::optional<std::string>>& values) {
  std::string key;
  for (const Value& v : values) {
    if (v) {
      key += '\x01';
      key += *v;
    } else {
      key += '\x02';
    }
    key += '\x1f';
  }
  return key;
}

Result<KAnonymity> ApplyKAnonymity(source::Source& source, TablePlan* table, int64_t k_wanted, double max_suppress,
                                   const TransformContext& context) {
  KAnonymity result;
  result.table = table->table.name;
  result.k_wanted = k_wanted;
  std::vector<ColumnChoice*> quasi;
  for (ColumnChoice& c : table->columns)
    if (c.quasi_identifier) {
      quasi.push_back(&c);
      result.columns.push_back(c.column.name);
      result.operators.push_back(c.op.Name());
    }
  if (quasi.empty()) return result;
  for (ColumnChoice* c : quasi)
    if (c->op.kind == ExportOperator::Kind::kDrop)
      return Status::Error(table->table.name + "." + c->column.name +
                           " is a quasi-identifier but is dropped: take it out of anonymise.quasi_identifiers");

  std::vector<Transform> transforms;
  for (ColumnChoice* c : quasi) {
    Result<Transform> t = MakeTransform(c->op, ContextFor(*c, context, source.kind()));
    if (!t.ok()) return t.status().WithContext(table->table.name + "." + c->column.name);
    transforms.push_back(std::move(*t));
  }

  // 1. The combinations the policy's operators give.
  source::ReadRequest request;
  for (ColumnChoice* c : quasi) request.columns.push_back(c->column.name);
  Result<std::unique_ptr<source::RowReader>> reader = source.Read(table->table.name, request);
  if (!reader.ok()) return reader.status();
  std::map<Tuple, int64_t> base;
  source::RowBatch batch;
  Tuple tuple(quasi.size());
  while (true) {
    Result<bool> more = (*reader)->Next(&batch);
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      for (size_t i = 0; i < quasi.size(); ++i)
        tuple[i] = transforms[i](batch.IsNull(r, i) ? Value() : Value(std::string(batch.Cell(r, i))), nullptr);
      ++base[tuple];
      ++result.rows;
    }
  }
  reader->reset();
  Counts current = Summarise(base, std::max<int64_t>(k_wanted, 1));
  result.k_before = current.min;

  // 2. Raise one step at a time while too many rows would be suppressed.
  std::vector<ExportOperator> levels;
  for (ColumnChoice* c : quasi) levels.push_back(c->op);
  auto recount = [&](const std::vector<ExportOperator>& ops) {
    std::vector<Transform> step(ops.size());
    std::vector<bool> raised(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      raised[i] = ops[i].Name() != quasi[i]->op.Name();
      if (raised[i]) {
        Result<Transform> t = MakeTransform(ops[i], ContextFor(*quasi[i], context, source.kind()));
        if (t.ok()) step[i] = std::move(*t);
      }
    }
    std::map<Tuple, int64_t> out;
    for (const auto& [t, n] : base) {
      Tuple coarse = t;
      for (size_t i = 0; i < ops.size(); ++i)
        if (raised[i] && step[i]) coarse[i] = CoarsenValue(ops[i], step[i], t[i]);
      out[coarse] += n;
    }
    return Summarise(std::move(out), std::max<int64_t>(k_wanted, 1));
  };
  if (k_wanted > 1) {
    const double allowed = max_suppress * static_cast<double>(result.rows);
    while (static_cast<double>(current.small_rows) > allowed) {
      int best = -1;
      Counts best_counts;
      for (size_t i = 0; i < levels.size(); ++i) {
        std::optional<ExportOperator> next = Coarser(levels[i]);
        if (!next) continue;
        std::vector<ExportOperator> trial = levels;
        trial[i] = *next;
        Counts c = recount(trial);
        if (best < 0 || c.small_rows < best_counts.small_rows ||
            (c.small_rows == best_counts.small_rows && c.classes.size() > best_counts.classes.size())) {
          best = static_cast<int>(i);
          best_counts = std::move(c);
        }
      }
      if (best < 0) break;
      levels[static_cast<size_t>(best)] = *Coarser(levels[static_cast<size_t>(best)]);
      current = std::move(best_counts);
    }
  }

  // 3. Suppress what is still too small.
  for (size_t i = 0; i < quasi.size(); ++i) {
    quasi[i]->op = levels[i];
    result.final_operators.push_back(levels[i].Name());
  }
  for (const auto& [t, n] : current.classes)
    if (k_wanted > 1 && n < k_wanted) {
      result.suppressed.insert(TupleKey(t));
      result.suppressed_rows += n;
    }
  // Suppressed rows are one more combination (all NULL), merged with the
  // rows whose quasi-identifiers were NULL already; that group too must reach
  // k: the smallest other groups join it until it does (or nothing is left).
  const std::string null_key = TupleKey(Tuple(quasi.size()));
  if (k_wanted > 1 && result.suppressed_rows > 0) {
    auto null_it = current.classes.find(Tuple(quasi.size()));
    int64_t null_group = result.suppressed_rows +
                         (null_it != current.classes.end() && !result.suppressed.count(null_key) ? null_it->second : 0);
    while (null_group < k_wanted) {
      const Tuple* smallest = nullptr;
      int64_t size = 0;
      for (const auto& [t, n] : current.classes) {
        if (result.suppressed.count(TupleKey(t)) || TupleKey(t) == null_key) continue;
        if (smallest == nullptr || n < size) smallest = &t, size = n;
      }
      if (smallest == nullptr) break;
      result.suppressed.insert(TupleKey(*smallest));
      result.suppressed_rows += size;
      null_group += size;
    }
  }
  int64_t k_out = std::numeric_limits<int64_t>::max();
  int64_t null_class = result.suppressed_rows;
  for (const auto& [t, n] : current.classes) {
    std::string key = TupleKey(t);
    if (result.suppressed.count(key)) continue;
    if (key == null_key) null_class += n;
    else k_out = std::min(k_out, n);
  }
  if (null_class > 0) k_out = std::min(k_out, null_class);
  bool null_present = current.classes.count(Tuple(quasi.size())) > 0 && !result.suppressed.count(null_key);
  result.classes = static_cast<int64_t>(current.classes.size() - result.suppressed.size()) +
                   (result.suppressed_rows > 0 && !null_present ? 1 : 0);
  result.k = result.rows == 0 ? 0 : k_out;
  return result;
}

}  // namespace dpo::anonymise
