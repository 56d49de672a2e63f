#include "sample/table_writer.h"

#include <sqlite3.h>

#include <cmath>
#include <sstream>

#include "sample/values.h"

namespace dpo::sample {

TableWriter::TableWriter(const TableSpec& spec, sqlite3* db, std::FILE* csv,
                         const std::unordered_set<long>* cutoff_days)
    : spec_(spec),
      db_(db),
      csv_(csv),
      cutoff_days_(cutoff_days),
      fields_(spec.columns.size()),
      non_null_(spec.columns.size(), 0),
      mentions_(spec.columns.size(), std::array<uint64_t, kMentionCount>{}) {
  text_.reserve(4096);
  line_.reserve(4096);
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    std::string_view constraint = spec.columns[i].constraint;
    size_t at = constraint.find("REFERENCES ");
    if (at == std::string_view::npos || constraint.find("SET NULL") != std::string_view::npos ||
        constraint.find("SET DEFAULT") != std::string_view::npos)
      continue;
    std::string_view parent = constraint.substr(at + 11);
    belongs_to_.emplace_back(static_cast<int>(i), std::string(parent.substr(0, parent.find('('))));
  }
}

TableWriter::~TableWriter() { Finish(); }

void TableWriter::Finish() {
  if (insert_ != nullptr) {
    sqlite3_finalize(insert_);
    insert_ = nullptr;
  }
}

Status TableWriter::Open() {
  if (db_ != nullptr) {
    std::string sql = std::string("INSERT INTO \"") + spec_.name + "\" VALUES (";
    for (size_t i = 0; i < spec_.columns.size(); ++i) sql += i == 0 ? "?" : ", ?";
    sql += ")";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &insert_, nullptr) != SQLITE_OK) {
      return Status::Error(std::string("sample: cannot prepare the insert into ") + spec_.name + ": " +
                               sqlite3_errmsg(db_),
                           StatusCode::kInternal);
    }
  }
  if (csv_ != nullptr) {
    line_.clear();
    for (size_t i = 0; i < spec_.columns.size(); ++i) {
      if (i > 0) line_.push_back(spec_.csv_delimiter);
      line_.append(spec_.columns[i].name);
    }
    line_.push_back('\n');
    std::fwrite(line_.data(), 1, line_.size(), csv_);
  }
  return Status::Ok();
}

void TableWriter::AddRule(const RetentionSpec& rule, util::Date as_of) {
  Rule r;
  r.spec = rule;
  r.after = spec_.ColumnIndex(rule.after_column);
  for (const ConditionSpec& c : rule.when) r.when_columns.push_back(spec_.ColumnIndex(c.column));
  for (const ConditionSpec& c : rule.holds) {
    r.hold_columns.push_back(spec_.ColumnIndex(c.column));
    holds_.emplace_back(c, spec_.ColumnIndex(c.column));
  }
  r.cutoff = util::Subtract(as_of, rule.keep).ToIso();
  r.truth.rule = rule.id;
  r.truth.dataset = spec_.name;
  r.truth.after_column = rule.after_column;
  r.truth.keep = rule.keep.ToString();
  r.truth.cutoff = r.cutoff;
  r.truth.when_sql = ConditionsSql(rule.when, " AND ", "1");
  r.truth.hold_sql = ConditionsSql(rule.holds, " OR ", "0");
  rules_.push_back(std::move(r));
}

TableWriter::Field& TableWriter::NextField() { return fields_[used_++]; }

void TableWriter::Null() { NextField().type = Type::kNull; }

void TableWriter::Int(int64_t value) {
  Field& f = NextField();
  f.type = Type::kInt;
  f.i = value;
}

void TableWriter::Real(double value) {
  Field& f = NextField();
  f.type = Type::kReal;
  f.r = std::round(value * 100.0) / 100.0;
}

void TableWriter::Text(std::string_view value) {
  Field& f = NextField();
  f.type = Type::kText;
  f.offset = static_cast<uint32_t>(text_.size());
  f.length = static_cast<uint32_t>(value.size());
  text_.append(value);
}

void TableWriter::FreeText(std::string_view value, uint32_t mention_mask) {
  size_t column = used_;
  Text(value);
  for (int m = 0; m < kMentionCount; ++m) {
    if (mention_mask & (1u << m)) ++mentions_[column][static_cast<size_t>(m)];
  }
}

long TableWriter::AvoidCutoff(long days) const {
  while (cutoff_days_ != nullptr && cutoff_days_->count(days) != 0) ++days;
  return days;
}

void TableWriter::Date(long days) {
  Field& f = NextField();
  f.type = Type::kText;
  f.offset = static_cast<uint32_t>(text_.size());
  AppendDate(AvoidCutoff(days), text_);
  f.length = static_cast<uint32_t>(text_.size() - f.offset);
}

void TableWriter::Timestamp(long days, int second_of_day) {
  Field& f = NextField();
  f.type = Type::kText;
  f.offset = static_cast<uint32_t>(text_.size());
  AppendTimestamp(AvoidCutoff(days), second_of_day, text_);
  f.length = static_cast<uint32_t>(text_.size() - f.offset);
}

std::string_view TableWriter::FieldText(const Field& f) const {
  return std::string_view(text_).substr(f.offset, f.length);
}

bool TableWriter::Matches(const ConditionSpec& c, int column) const {
  const Field& f = fields_[static_cast<size_t>(column)];
  if (c.op == ConditionSpec::Op::kEqualsInt) return f.type == Type::kInt && f.i == c.int_value;
  return f.type == Type::kText && FieldText(f) == c.text_value;
}

void TableWriter::WriteCsvRow() {
  line_.clear();
  const char delimiter = spec_.csv_delimiter;
  char number[32];
  for (size_t i = 0; i < used_; ++i) {
    if (i > 0) line_.push_back(delimiter);
    const Field& f = fields_[i];
    switch (f.type) {
      case Type::kNull:
        break;
      case Type::kInt:
        line_.append(number, static_cast<size_t>(std::snprintf(number, sizeof(number), "%lld",
                                                               static_cast<long long>(f.i))));
        break;
      case Type::kReal:
        line_.append(number, static_cast<size_t>(std::snprintf(number, sizeof(number), "%.2f", f.r)));
        break;
      case Type::kText: {
        std::string_view v = FieldText(f);
        bool quote = v.find_first_of("\"\n\r") != std::string_view::npos || v.find(delimiter) != std::string_view::npos;
        if (!quote) {
          line_.append(v);
        } else {
          line_.push_back('"');
          for (char c : v) {
            if (c == '"') line_.push_back('"');
            line_.push_back(c);
          }
          line_.push_back('"');
        }
        break;
      }
    }
  }
  line_.push_back('\n');
  std::fwrite(line_.data(), 1, line_.size(), csv_);
}

Status TableWriter::EndRow() {
  if (used_ != spec_.columns.size()) {
    return Status::Error(std::string("sample: internal error: row of ") + spec_.name + " has " +
                             std::to_string(used_) + " values for " + std::to_string(spec_.columns.size()) +
                             " columns",
                         StatusCode::kInternal);
  }
  for (size_t i = 0; i < used_; ++i) {
    if (fields_[i].type != Type::kNull) ++non_null_[i];
  }
  bool inherited = false;
  if (held_ids_ != nullptr) {
    for (const auto& [column, parent] : belongs_to_) {
      const Field& f = fields_[static_cast<size_t>(column)];
      auto it = held_ids_->find(parent);
      if (f.type == Type::kInt && it != held_ids_->end() && it->second.count(f.i)) inherited = true;
    }
    bool own = false;
    for (const auto& [condition, column] : holds_) own = own || Matches(condition, column);
    const Field& id = fields_[0];
    if ((own || inherited) && id.type == Type::kInt) (*held_ids_)[spec_.name].insert(id.i);
  }
  for (Rule& r : rules_) {
    bool in_scope = true;
    for (size_t k = 0; k < r.spec.when.size() && in_scope; ++k) in_scope = Matches(r.spec.when[k], r.when_columns[k]);
    if (!in_scope) continue;
    ++r.truth.in_scope;
    const Field& after = fields_[static_cast<size_t>(r.after)];
    if (after.type != Type::kText) continue;
    if (FieldText(after).substr(0, 10) >= std::string_view(r.cutoff)) continue;
    ++r.truth.expired;
    bool held = false;
    for (size_t k = 0; k < r.spec.holds.size() && !held; ++k) held = Matches(r.spec.holds[k], r.hold_columns[k]);
    if (held || inherited) {
      ++r.truth.held;
    } else {
      ++r.truth.to_act;
    }
  }
  if (insert_ != nullptr) {
    for (size_t i = 0; i < used_; ++i) {
      const Field& f = fields_[i];
      int index = static_cast<int>(i) + 1;
      switch (f.type) {
        case Type::kNull: sqlite3_bind_null(insert_, index); break;
        case Type::kInt: sqlite3_bind_int64(insert_, index, f.i); break;
        case Type::kReal: sqlite3_bind_double(insert_, index, f.r); break;
        case Type::kText:
          sqlite3_bind_text(insert_, index, text_.data() + f.offset, static_cast<int>(f.length), SQLITE_STATIC);
          break;
      }
    }
    int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) {
      return Status::Error(std::string("sample: insert into ") + spec_.name + " row " + std::to_string(rows_ + 1) +
                               " failed: " + sqlite3_errmsg(db_) + "; is the disk full?",
                           StatusCode::kInvalidArgument);
    }
  }
  if (csv_ != nullptr) WriteCsvRow();
  ++rows_;
  used_ = 0;
  text_.clear();
  return Status::Ok();
}

TableTruth TableWriter::Truth() const {
  TableTruth t;
  t.name = spec_.name;
  t.data_subject = spec_.data_subject;
  t.declared = spec_.declared;
  t.rows = rows_;
  t.csv_file = std::string(spec_.name) + ".csv";
  t.csv_delimiter = spec_.csv_delimiter;
  for (size_t i = 0; i < spec_.columns.size(); ++i) {
    const ColumnSpec& c = spec_.columns[i];
    ColumnTruth col;
    col.name = c.name;
    col.sql_type = c.type;
    std::istringstream kinds(c.kinds);
    for (std::string kind; kinds >> kind;) col.kinds.push_back(kind);
    if (c.free_text) {
      for (int m = 0; m < kMentionCount; ++m) {
        uint64_t n = mentions_[i][static_cast<size_t>(m)];
        if (n == 0) continue;
        col.mentions[kMentionNames[m]] = n;
        col.kinds.push_back(kMentionNames[m]);
      }
    }
    col.category = c.category;
    col.personal = col.category != "none";
    col.declared = c.declared;
    col.identifier = c.identifier;
    std::string constraint = c.constraint;
    if (constraint == "PRIMARY KEY") t.primary_key.push_back(c.name);
    size_t ref = constraint.find("REFERENCES ");
    if (ref != std::string::npos) {
      size_t open = constraint.find('(', ref);
      size_t close = constraint.find(')', open);
      col.references = constraint.substr(ref + 11, open - ref - 11) + "." + constraint.substr(open + 1, close - open - 1);
    }
    col.non_null = non_null_[i];
    t.columns.push_back(std::move(col));
  }
  return t;
}

std::vector<RetentionTruth> TableWriter::RetentionTruths() const {
  std::vector<RetentionTruth> out;
  for (const Rule& r : rules_) out.push_back(r.truth);
  return out;
}

}  // namespace dpo::sample
