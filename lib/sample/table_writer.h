// Writes the rows of one table to SQLite (a prepared INSERT, bound and
// stepped per row) and/or a CSV file, and keeps the per-column and
// per-retention-rule counts the ground truth reports. A row is built by one
// call per column, in schema order, then EndRow().
//
// CSV: header row, `spec.csv_delimiter` between fields, "\n" line ends,
// fields quoted ("...", "" for a quote) when they hold the delimiter, a quote
// or a line break; NULL is an empty field; reals have two decimals.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "sample/generator.h"
#include "sample/schema.h"
#include "util/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace dpo::sample {

// Ids of the rows under a legal hold, per table, shared by the writers of
// one sample: a hold on a row also holds the rows that belong to it (through
// references that are not ON DELETE SET NULL), as the retention plan says,
// so a child row's truth needs its parent's. Parents are written first.
using HeldIds = std::map<std::string, std::unordered_set<int64_t>>;

class TableWriter {
 public:
  // `db` and `csv` may be null (no such output). `cutoff_days` are the days
  // no generated date may fall on (retention cutoffs); dates on them move a day later.
  TableWriter(const TableSpec& spec, sqlite3* db, std::FILE* csv, const std::unordered_set<long>* cutoff_days);
  ~TableWriter();
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  // Prepares the INSERT and writes the CSV header.
  Status Open();
  // Evaluate this rule on every row (its table must be this one).
  void AddRule(const RetentionSpec& rule, util::Date as_of);
  // Where held rows are recorded and looked up; null: holds are not inherited.
  void SetHeldIds(HeldIds* held) { held_ids_ = held; }

  void Null();
  void Int(int64_t value);
  void Real(double value);  // rounded to cents
  void Text(std::string_view value);
  void TextOrNull(std::string_view value) { value.empty() ? Null() : Text(value); }
  // Free text that mentions the kinds in `mention_mask` (schema.h Mention bits).
  void FreeText(std::string_view value, uint32_t mention_mask);
  void Date(long days);                        // "YYYY-MM-DD"
  void Timestamp(long days, int second_of_day);  // "YYYY-MM-DD hh:mm:ss"

  Status EndRow();
  // Resets the prepared statement; call before closing the database.
  void Finish();

  uint64_t rows() const { return rows_; }
  TableTruth Truth() const;
  std::vector<RetentionTruth> RetentionTruths() const;

 private:
  enum class Type : uint8_t { kNull, kInt, kReal, kText };
  struct Field {
    Type type = Type::kNull;
    int64_t i = 0;
    double r = 0;
    uint32_t offset = 0;
    uint32_t length = 0;
  };
  struct Rule {
    RetentionSpec spec;
    int after = -1;
    std::vector<int> when_columns;
    std::vector<int> hold_columns;
    std::string cutoff;  // ISO date
    RetentionTruth truth;
  };

  Field& NextField();
  std::string_view FieldText(const Field& f) const;
  bool Matches(const ConditionSpec& c, int column) const;
  void WriteCsvRow();
  long AvoidCutoff(long days) const;

  const TableSpec& spec_;
  sqlite3* db_;
  std::FILE* csv_;
  const std::unordered_set<long>* cutoff_days_;
  sqlite3_stmt* insert_ = nullptr;
  std::vector<Field> fields_;
  size_t used_ = 0;
  std::string text_;    // this row's text values
  std::string line_;    // this row's CSV line
  uint64_t rows_ = 0;
  std::vector<uint64_t> non_null_;
  std::vector<std::array<uint64_t, kMentionCount>> mentions_;
  std::vector<Rule> rules_;
  HeldIds* held_ids_ = nullptr;
  std::vector<std::pair<ConditionSpec, int>> holds_;        // every hold of every rule on this table
  std::vector<std::pair<int, std::string>> belongs_to_;     // column -> parent table it belongs to
};

}  // namespace dpo::sample
