#include "share/recipient_export.h"

#include <algorithm>
#include <map>
#include <set>

#include "anonymise/export_operator.h"
#include "anonymise/free_text.h"
#include "detect/column_names.h"
#include "plan/ledger.h"
#include "plan/retention_plan.h"
#include "relations/policy_relations.h"
#include "util/message.h"

namespace dpo::share {
namespace {

bool Has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

std::string ColumnName(const std::string& table, const std::string& column) {
  return util::NameForMessage(table + "." + column);
}

// Why nothing of `dataset` may go to the recipient, for the message that
// refuses --table.
std::string NothingAllowed(const policy::Dataset& dataset, const DisclosureScope& scope) {
  std::vector<std::string> categories;
  for (const policy::ColumnMapping& m : dataset.columns)
    if (!m.category.empty() && !Has(categories, m.category)) categories.push_back(m.category);
  std::string why = "none of its columns is of a category recipient " + scope.recipient + " may receive under " +
                    scope.purpose + " (" + Joined(scope.categories) + "; " + dataset.table + " holds " +
                    Joined(categories) + ")";
  if (!scope.columns.empty())
    why += " among the columns recipients." + scope.recipient + ".columns lists";
  return why;
}

bool IsFreeText(const policy::Policy& policy, const policy::ColumnMapping& mapping, const source::Column& column) {
  if (column.type != source::TypeClass::kText && column.type != source::TypeClass::kUnknown) return false;
  for (const detect::NameEvidence& e : detect::KindsFromColumnName(column.name))
    if (e.kind == detect::Kind::kFreeText) return true;
  if (const policy::Category* c = policy.FindCategory(mapping.category))
    return std::find(c->detectors.begin(), c->detectors.end(), "free_text") != c->detectors.end();
  return false;
}

Status Cancelled(const RowOptions& options) {
  if (options.cancel != nullptr && options.cancel->load())
    return Status::Error("interrupted", StatusCode::kIoError);
  return Status::Ok();
}

// What turns a source row into an exported row: the transforms of
// anonymised columns and the keyed digest of the row keys.
class RowShaper {
 public:
  static Result<RowShaper> Make(const ExportTable& table, const RowOptions& options, source::SourceKind kind) {
    RowShaper s;
    anonymise::TransformContext base;
    base.key = options.key;
    base.as_of = options.as_of;
    for (const ExportColumn& c : table.columns) {
      if (!c.anonymise || !c.anonymise->op.ChangesValues()) {
        if (!c.free_text) {
          s.transforms_.emplace_back();
          continue;
        }
        s.transforms_.push_back(
            [](const std::optional<std::string>& v, anonymise::TransformCounts* counts) -> std::optional<std::string> {
              if (!v) return v;
              std::string text = *v;
              counts->spans += anonymise::RedactFreeText(&text, nullptr);
              return text;
            });
        continue;
      }
      Result<anonymise::Transform> t =
          anonymise::MakeTransform(c.anonymise->op, anonymise::ContextFor(*c.anonymise, base, kind));
      if (!t.ok()) return t.status().WithContext(ColumnName(table.table, c.name));
      s.transforms_.push_back(std::move(*t));
    }
    if (options.key != nullptr) s.keys_.emplace(*options.key, table.table);
    return s;
  }

  // `cells` are the exported columns' values; `key` the row's key.
  void Add(Row cells, const plan::RowKey& key, std::vector<Row>* out) {
    for (size_t i = 0; i < cells.size() && i < transforms_.size(); ++i)
      if (transforms_[i]) cells[i] = transforms_[i](cells[i], &counts_);
    if (keys_) keys_->Add(key);
    ++rows_;
    out->push_back(std::move(cells));
  }

  TableResult Finish(const std::string& table) const {
    TableResult r;
    r.table = table;
    r.rows = rows_;
    r.redacted_spans = counts_.spans;
    if (keys_) r.keys_hmac = keys_->Hex();
    return r;
  }

 private:
  std::vector<anonymise::Transform> transforms_;  // empty function: the value as it is
  anonymise::TransformCounts counts_;
  std::optional<plan::KeySetHmac> keys_;
  int64_t rows_ = 0;
};

int IndexOf(const std::vector<std::string>& names, const std::string& name) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

std::optional<source::Predicate> Combined(const std::optional<source::Predicate>& where,
                                          const std::optional<ConsentFilter>& consent) {
  if (!consent) return where;
  if (!where) return consent->Rows();
  return source::Predicate::All({*where, consent->Rows()});
}

Result<TableResult> StreamTable(source::Source& source, const ExportTable& table, const Selection& selection,
                                const RowOptions& options, RowSink& sink) {
  Result<RowShaper> shaper = RowShaper::Make(table, options, source.kind());
  if (!shaper.ok()) return shaper.status();
  source::ReadRequest request;
  for (const ExportColumn& c : table.columns) request.columns.push_back(c.name);
  std::vector<int> key_at;
  for (const std::string& k : table.key_columns) {
    int i = IndexOf(request.columns, k);
    if (i < 0) {
      i = static_cast<int>(request.columns.size());
      request.columns.push_back(k);
    }
    key_at.push_back(i);
  }
  request.batch_rows = options.batch_rows;
  request.where = Combined(selection.where, table.consent);
  DPO_RETURN_IF_ERROR(sink.BeginTable(table));
  Result<std::unique_ptr<source::RowReader>> reader = source.Read(table.table, request);
  if (!reader.ok()) return reader.status();
  source::RowBatch batch;
  std::vector<Row> rows;
  const size_t exported = table.columns.size();
  while (true) {
    DPO_RETURN_IF_ERROR(Cancelled(options));
    Result<bool> more = (*reader)->Next(&batch);
    if (!more.ok()) return more.status();
    if (!*more) break;
    rows.clear();
    rows.reserve(batch.num_rows());
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      Row cells(exported);
      for (size_t c = 0; c < exported; ++c)
        if (!batch.IsNull(r, c)) cells[c] = std::string(batch.Cell(r, c));
      plan::RowKey key;
      for (int k : key_at) key.push_back(batch.IsNull(r, k) ? Cell() : Cell(std::string(batch.Cell(r, k))));
      shaper->Add(std::move(cells), key, &rows);
    }
    DPO_RETURN_IF_ERROR(sink.WriteRows(table, rows));
  }
  reader->reset();  // finished before the count below reads the source again
  TableResult result = shaper->Finish(table.table);
  if (table.consent) {
    Result<int64_t> all = source.Count(table.table, selection.where);
    if (!all.ok()) return all.status();
    result.without_consent = *all - result.rows;
  }
  DPO_RETURN_IF_ERROR(sink.EndTable(table, result.rows));
  return result;
}

// The subject's own rows of one table (roles subject and belongs, never
// context), with the positions of `names` in them.
struct SubjectRows {
  std::vector<const dsar::DatasetRows*> parts;
};

SubjectRows OwnRows(const dsar::SubjectData& data, const std::string& table) {
  SubjectRows out;
  for (const dsar::DatasetRows& d : data.datasets)
    if (d.table == table && d.role != dsar::RowRole::kContext) out.parts.push_back(&d);
  return out;
}

// Which of the subject's rows of `table` may go: all of them, or under a
// consent purpose those whose link has a standing consent. Calls `each`
// with the dataset and the row.
template <typename Fn>
Result<int64_t> ForEachAllowedRow(source::Source& source, const ExportTable& table, const SubjectRows& own,
                                  Fn&& each) {
  std::set<std::string> standing;
  if (table.consent) {
    std::set<std::string> links;
    for (const dsar::DatasetRows* d : own.parts) {
      int i = IndexOf(d->columns, table.consent->link_column);
      if (i < 0) continue;
      for (const Row& row : d->rows)
        if (row[i]) links.insert(*row[i]);
    }
    Result<std::set<std::string>> found =
        StandingConsents(source, *table.consent, std::vector<std::string>(links.begin(), links.end()));
    if (!found.ok()) return found.status();
    standing = std::move(*found);
  }
  int64_t withheld = 0;
  for (const dsar::DatasetRows* d : own.parts) {
    int link = table.consent ? IndexOf(d->columns, table.consent->link_column) : -1;
    for (const Row& row : d->rows) {
      if (table.consent && (link < 0 || !row[link] || standing.count(*row[link]) == 0)) {
        ++withheld;
        continue;
      }
      DPO_RETURN_IF_ERROR(each(*d, row));
    }
  }
  return withheld;
}

Result<dsar::SubjectData> FindOwnRows(const policy::Policy& policy, source::Source& source,
                                      const Selection& selection) {
  return dsar::FindSubject(policy, source, selection.subject, selection.find);
}

}  // namespace

Result<std::vector<ExportTable>> PlanTables(const policy::Policy& policy, source::Source& source,
                                            const DisclosureScope& scope, const ColumnOptions& options,
                                            std::vector<std::string>* warnings) {
  const policy::Purpose* purpose = policy.FindPurpose(scope.purpose);
  if (purpose == nullptr)
    return Status::Error("purpose " + scope.purpose + " is not in the policy (a bug in the caller)",
                         StatusCode::kInternal);
  std::vector<ExportTable> out;
  bool named_found = false;
  for (const policy::Dataset& ds : policy.datasets) {
    if (!options.only_table.empty() && ds.table != options.only_table) continue;
    named_found = true;
    const bool named = !options.only_table.empty();
    const std::string at = policy.LocationOf("datasets." + ds.table, ds.location).ToString();
    if (!Has(ds.purposes, scope.purpose)) {
      if (named)
        return Status::Error(at + ": dataset " + ds.table + " does not list purpose " + scope.purpose +
                                 " under purposes:, so none of it may go to " + scope.recipient +
                                 " for that purpose; it lists " + Joined(ds.purposes),
                             StatusCode::kInvalidArgument);
      continue;
    }
    Result<source::Table> described = source.DescribeShape(ds.table);
    if (!described.ok()) {
      if (named || described.status().code() != StatusCode::kNotFound) return described.status();
      if (warnings != nullptr)
        warnings->push_back("the policy's dataset " + ds.table + " is not in the source; nothing of it is exported");
      continue;
    }
    ExportTable t;
    t.table = ds.table;
    t.shape = std::move(*described);
    relations::MergePolicyRelations(policy, &t.shape);
    t.key_columns = plan::KeyColumnsOf(t.shape, &ds, source::WriteOp{});
    for (const source::Column& c : t.shape.columns) {
      const policy::ColumnMapping* m = ds.FindColumn(c.name);
      const bool allowed = m != nullptr && !m->category.empty() && Has(scope.categories, m->category) &&
                           (scope.columns.empty() || Has(scope.columns, ds.table + "." + c.name));
      if (allowed) {
        t.columns.push_back({c.name, m->category, c.type, false, IsFreeText(policy, *m, c), std::nullopt});
        continue;
      }
      if (!options.include_key || !Has(t.key_columns, c.name)) continue;
      // The key goes only when it says nothing the recipient may not know:
      // declared `none` (a row number), or of a category it may receive.
      if (m == nullptr)
        return Status::Error(at + ": --include-key: the key column " + ColumnName(ds.table, c.name) +
                                 " is not declared in the policy, and an undeclared column is never exported; "
                                 "declare it (none if it holds no personal data)",
                             StatusCode::kInvalidArgument);
      if (!m->category.empty())
        return Status::Error(at + ": --include-key: the key column " + ColumnName(ds.table, c.name) +
                                 " holds " + m->category + " data, which recipient " + scope.recipient +
                                 " may not receive under " + scope.purpose + "; export without --include-key",
                             StatusCode::kInvalidArgument);
      t.columns.push_back({c.name, "none", c.type, true, false, std::nullopt});
    }
    const bool any = std::any_of(t.columns.begin(), t.columns.end(), [](const ExportColumn& c) { return !c.key; });
    if (!any) {
      if (named)
        return Status::Error(at + ": nothing of " + ds.table + " may go to recipient " + scope.recipient + ": " +
                                 NothingAllowed(ds, scope),
                             StatusCode::kInvalidArgument);
      continue;
    }
    std::string warning;
    Result<std::optional<ConsentFilter>> consent = ConsentFilterFor(policy, source, *purpose, ds, t.shape, &warning);
    if (!consent.ok()) return consent.status();
    if (!warning.empty() && warnings != nullptr) warnings->push_back(warning);
    t.consent = std::move(*consent);
    out.push_back(std::move(t));
  }
  if (!options.only_table.empty() && !named_found) {
    std::vector<std::string> tables;
    for (const policy::Dataset& ds : policy.datasets)
      if (Has(ds.purposes, scope.purpose)) tables.push_back(ds.table);
    return Status::Error("--table " + util::NameForMessage(options.only_table) +
                             ": the policy has no dataset for it, and a table the policy does not describe is never "
                             "exported; datasets of purpose " + scope.purpose + ": " + Joined(tables),
                         StatusCode::kInvalidArgument);
  }
  if (out.empty())
    return Status::Error("nothing may go to recipient " + scope.recipient + " under purpose " + scope.purpose +
                             ": no dataset listing the purpose has a column of " + Joined(scope.categories) +
                             (scope.columns.empty() ? std::string() : " among recipients." + scope.recipient + ".columns"),
                         StatusCode::kInvalidArgument);
  return out;
}

Status ApplyAnonymisePlan(const anonymise::ExportPlan& plan, bool have_key, std::vector<ExportTable>* tables) {
  for (ExportTable& t : *tables) {
    const anonymise::TablePlan* tp = nullptr;
    for (const anonymise::TablePlan& p : plan.tables)
      if (p.table.name == t.table) tp = &p;
    if (tp == nullptr)
      return Status::Error("the anonymise plan has no table " + t.table + " (a bug in dpo)", StatusCode::kInternal);
    std::vector<ExportColumn> kept;
    for (ExportColumn& c : t.columns) {
      const anonymise::ColumnChoice* choice = nullptr;
      for (const anonymise::ColumnChoice& ch : tp->columns)
        if (ch.column.name == c.name) choice = &ch;
      if (choice == nullptr)
        return Status::Error("the anonymise plan has no column " + ColumnName(t.table, c.name) + " (a bug in dpo)",
                             StatusCode::kInternal);
      if (choice->op.kind == anonymise::ExportOperator::Kind::kDrop) continue;
      if (choice->op.NeedsKey() && !have_key)
        return Status::Error("--anonymise: " + ColumnName(t.table, c.name) + " gets " + choice->op.Name() +
                                 " (" + choice->reason + "), which needs the secret key; refusing to run without a "
                                 "key: pass --key-file FILE or set DPO_KEY",
                             StatusCode::kInvalidArgument);
      c.anonymise = *choice;
      c.type = choice->output_type;
      kept.push_back(std::move(c));
    }
    if (!std::any_of(kept.begin(), kept.end(), [](const ExportColumn& c) { return !c.key; }))
      return Status::Error("--anonymise: every column of " + t.table + " that may go to the recipient is dropped by "
                           "the policy's anonymise: section; nothing of it would be left",
                           StatusCode::kInvalidArgument);
    t.columns = std::move(kept);
  }
  return Status::Ok();
}

Result<std::vector<TableResult>> CountRows(const policy::Policy& policy, source::Source& source,
                                           const std::vector<ExportTable>& tables, const Selection& selection) {
  std::vector<TableResult> out;
  if (selection.subject.empty()) {
    for (const ExportTable& t : tables) {
      TableResult r;
      r.table = t.table;
      Result<int64_t> n = source.Count(t.table, Combined(selection.where, t.consent));
      if (!n.ok()) return n.status();
      r.rows = *n;
      if (t.consent) {
        Result<int64_t> all = source.Count(t.table, selection.where);
        if (!all.ok()) return all.status();
        r.without_consent = *all - r.rows;
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  Result<dsar::SubjectData> data = FindOwnRows(policy, source, selection);
  if (!data.ok()) return data.status();
  for (const ExportTable& t : tables) {
    TableResult r;
    r.table = t.table;
    Result<int64_t> withheld =
        ForEachAllowedRow(source, t, OwnRows(*data, t.table), [&](const dsar::DatasetRows&, const Row&) {
          ++r.rows;
          return Status::Ok();
        });
    if (!withheld.ok()) return withheld.status();
    r.without_consent = *withheld;
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<TableResult>> ExportRows(const policy::Policy& policy, source::Source& source,
                                            const std::vector<ExportTable>& tables, const Selection& selection,
                                            const RowOptions& options, RowSink& sink) {
  std::vector<TableResult> out;
  if (selection.subject.empty()) {
    for (const ExportTable& t : tables) {
      Result<TableResult> r = StreamTable(source, t, selection, options, sink);
      if (!r.ok()) return r.status();
      out.push_back(std::move(*r));
    }
    return out;
  }
  Result<dsar::SubjectData> data = FindOwnRows(policy, source, selection);
  if (!data.ok()) return data.status();
  for (const ExportTable& t : tables) {
    DPO_RETURN_IF_ERROR(Cancelled(options));
    Result<RowShaper> shaper = RowShaper::Make(t, options, source.kind());
    if (!shaper.ok()) return shaper.status();
    DPO_RETURN_IF_ERROR(sink.BeginTable(t));
    std::vector<Row> rows;
    // Positions per part: the finder reads every column of the subject's rows.
    std::map<const dsar::DatasetRows*, std::pair<std::vector<int>, std::vector<int>>> at;
    Status flushed = Status::Ok();
    Result<int64_t> withheld = ForEachAllowedRow(
        source, t, OwnRows(*data, t.table), [&](const dsar::DatasetRows& d, const Row& row) -> Status {
          auto found = at.find(&d);
          if (found == at.end()) {
            std::pair<std::vector<int>, std::vector<int>> p;
            for (const ExportColumn& c : t.columns) p.first.push_back(IndexOf(d.columns, c.name));
            for (const std::string& k : t.key_columns) p.second.push_back(IndexOf(d.columns, k));
            for (int i : p.first)
              if (i < 0)
                return Status::Error("the subject's rows of " + t.table + " lack an exported column (a bug in dpo)",
                                     StatusCode::kInternal);
            found = at.emplace(&d, std::move(p)).first;
          }
          Row cells;
          for (int i : found->second.first) cells.push_back(row[i]);
          plan::RowKey key;
          for (int i : found->second.second) key.push_back(i < 0 ? Cell() : row[i]);
          shaper->Add(std::move(cells), key, &rows);
          if (rows.size() >= options.batch_rows) {
            DPO_RETURN_IF_ERROR(sink.WriteRows(t, rows));
            rows.clear();
          }
          return Status::Ok();
        });
    if (!withheld.ok()) return withheld.status();
    if (!rows.empty()) DPO_RETURN_IF_ERROR(sink.WriteRows(t, rows));
    TableResult r = shaper->Finish(t.table);
    r.without_consent = *withheld;
    DPO_RETURN_IF_ERROR(sink.EndTable(t, r.rows));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace dpo::share
