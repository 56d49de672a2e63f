// The column classifier: the scan engine feeds it one column's name and
// values (NULL and empty values skipped) and gets back which kinds of
// personal data the column holds, with a confidence and the counts behind it.
//
// Evidence combined: the column name (column_names.h), the share of values
// that are wholly a kind (validated matches - checksums, numbering plans,
// calendars - count more), hits inside longer text (free text), and
// column-level checks (plausible ages for birth dates, value sets for
// gender). A column whose name says nothing ("col7") is judged by content
// alone, with stricter thresholds for kinds that random data can imitate
// (a random 9-digit number passes the BSN 11-check 1 time in 11).
//
// Not thread-safe: one classifier per column per thread. Memory is constant
// in the number of values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detect/column_names.h"
#include "detect/kind.h"
#include "detect/text_scanner.h"

namespace dpo::detect {

struct KindEvidence {
  Kind kind = Kind::kEmail;
  double confidence = 0;         // 0..1
  int64_t values_seen = 0;       // non-empty values of the column
  int64_t values_matched = 0;    // values that are wholly this kind
  int64_t values_validated = 0;  // ... and passed its validator
  int64_t values_containing = 0; // values with a (validated) hit of this kind inside longer text
  bool name_match = false;       // the column name suggests this kind
  std::vector<std::string> masked_samples;  // <= 3, masked (mask.h), never whole values
};

struct ColumnVerdict {
  std::vector<KindEvidence> kinds;  // confidence >= kConfidenceFloor, highest first
  bool free_text = false;           // long values with spaces: hits are inside text
  int64_t values_seen = 0;
};

class ColumnClassifier {
 public:
  // Kinds below this confidence are left out of the verdict.
  static constexpr double kConfidenceFloor = 0.5;

  explicit ColumnClassifier(std::string column_name);

  // Adds one value; NULL markers ("", "NULL", "\N") and whitespace-only values
  // are skipped. Cheap: whole-value matchers first, the text scanner only
  // for values that are not wholly one kind.
  void AddValue(std::string_view value);
  // Same as calling AddValue on each, with one text-scanner pass for the
  // whole batch (faster for many short values).
  void AddValues(const std::vector<std::string_view>& values);

  // The verdict so far; may be called more than once.
  ColumnVerdict Finish() const;

  const std::string& column_name() const { return column_name_; }

 private:
  static constexpr size_t kSlots = 40;  // > number of Kind values
  struct Counter {
    int64_t matched = 0;
    int64_t validated = 0;
    int64_t containing = 0;
    std::vector<std::string> samples;
  };

  // Counts whole-value matches; returns false if the value is not wholly
  // any structured kind (it should then be scanned for hits inside).
  bool CountWholeValue(std::string_view v);
  void CountContained(std::string_view v, const Hit* hits, size_t n);
  void Sample(Kind kind, std::string_view v);
  // Trims and filters NULL markers; false if the value is to be skipped.
  static bool Normalise(std::string_view* v);

  std::string column_name_;
  std::vector<NameEvidence> name_evidence_;
  std::array<Counter, kSlots> counters_{};
  int64_t seen_ = 0;
  int64_t long_text_ = 0;       // values that read as prose
  int64_t total_length_ = 0;
  int64_t plausible_age_ = 0;   // dates with an age of 15..100 years
  int64_t number_like_ = 0;     // amounts and plain numbers
  int64_t short_code_ = 0;      // short alphanumeric codes with a digit (zip codes abroad)
  int64_t wordy_ = 0;           // letters and spaces only (cities, names, statuses)
  int64_t lenient_phone_ = 0;   // 7-15 digits with phone punctuation
  std::array<uint64_t, 7> years_seen_{};  // bitset of years 1800..2247 seen in dates
  std::vector<std::string> distinct_small_;  // up to 8 distinct lower-cased short values
  bool distinct_overflow_ = false;
  int current_year_;
};

}  // namespace dpo::detect
