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
#include <memory>
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
  // The same for batch number `sequence` of the column (0, 1, 2, ...), so
  // that classifiers of one column fed different batches (one per worker
  // thread) can be merged: sample values are kept in batch order.
  void AddValues(const std::vector<std::string_view>& values, uint64_t sequence);

  // Adds the counts of `other`, a classifier of the same column fed other
  // batches through AddValues(values, sequence). The result is what one
  // classifier fed all those batches in sequence order would hold.
  void Merge(const ColumnClassifier& other);

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
    std::vector<uint64_t> sample_keys;  // where each sample was taken (see sample_key_)
  };

  // What one value adds to the counts, so that a value seen again (most
  // columns hold few distinct values) is counted without matching it again.
  // Applying an effect to a value gives exactly what matching it would.
  struct Effect {
    // One counter update, in the order matching makes them (samples are
    // taken in that order while a kind has fewer than 3).
    struct Op {
      uint8_t slot;
      uint8_t validated;  // 0 or 1; matched is always incremented
      uint8_t sample;     // take the whole value as a sample
    };
    // A kind found inside the value: [offset, offset + length) of the value.
    struct Contained {
      uint8_t slot;
      uint32_t offset, length;
    };
    static constexpr size_t kMaxOps = 10;
    static constexpr size_t kMaxContained = 6;
    uint16_t flags = 0;
    int16_t year_bit = -1;  // a date's year bit in years_seen_, or -1
    uint8_t num_ops = 0;
    uint8_t num_contained = 0;
    Op ops[kMaxOps];
    Contained contained[kMaxContained];
    void Add(Kind kind, bool validated, bool sample) {
      ops[num_ops++] = Op{static_cast<uint8_t>(kind), static_cast<uint8_t>(validated ? 1 : 0),
                          static_cast<uint8_t>(sample ? 1 : 0)};
    }
  };
  class ValueCache;
  // Owns the cache; a copy of a classifier starts with an empty cache.
  struct CacheHolder {
    std::unique_ptr<ValueCache> cache;
    CacheHolder();
    CacheHolder(const CacheHolder&);
    CacheHolder(CacheHolder&&) noexcept;
    CacheHolder& operator=(const CacheHolder&);
    CacheHolder& operator=(CacheHolder&&) noexcept;
    ~CacheHolder();
  };

  // The whole-value part of a value's effect (all but the hits inside it).
  void Analyse(std::string_view v, Effect* e) const;
  // Records whole-value matches; false if the value is not wholly any
  // structured kind (it should then be scanned for hits inside).
  bool CountWholeValue(std::string_view v, Effect* e) const;
  void ApplyWhole(const Effect& e, std::string_view v);
  void ApplyContained(const Effect::Contained* c, size_t n, std::string_view v);
  void CountContained(std::string_view v, const Hit* hits, size_t n);
  // Collects the kinds of the validated hits; false if they do not fit in
  // an Effect or depend on the text before the value (KvK/BSN/document
  // numbers look for words such as "kvk" there), so it cannot be cached.
  static bool ContainedOf(const Hit* hits, size_t n, Effect* e);
  // Trims and filters NULL markers; false if the value is to be skipped.
  static bool Normalise(std::string_view* v);

  std::string column_name_;
  std::vector<NameEvidence> name_evidence_;
  // Only the counters of kinds seen (a column matches one to three of the
  // kSlots kinds; all of them would be 2.9 KB, and a table may have 200,000
  // columns). counter_at_[slot] indexes counters_, kNoCounter if none yet.
  // A reference from MutableCounter lasts until the next call.
  static constexpr uint8_t kNoCounter = 0xFF;
  std::vector<Counter> counters_;
  std::array<uint8_t, kSlots> counter_at_ = MakeNoCounters();
  static constexpr std::array<uint8_t, kSlots> MakeNoCounters() {
    std::array<uint8_t, kSlots> a{};
    for (uint8_t& x : a) x = kNoCounter;
    return a;
  }
  const Counter& CounterOf(size_t slot) const;
  Counter& MutableCounter(size_t slot);
  int64_t seen_ = 0;
  int64_t long_text_ = 0;       // values that read as prose
  int64_t total_length_ = 0;
  int64_t plausible_age_ = 0;   // dates with an age of 15..100 years
  int64_t number_like_ = 0;     // amounts and plain numbers
  int64_t short_code_ = 0;      // short alphanumeric codes with a digit (zip codes abroad)
  int64_t wordy_ = 0;           // letters and spaces only (cities, names, statuses)
  int64_t lenient_phone_ = 0;   // 7-15 digits with phone punctuation
  int64_t address_shaped_ = 0;  // letters and a house number, or a P.O. box
  int64_t opaque_ = 0;          // pseudonyms, hashes, tokens
  bool count_address_shape_ = false;  // the name says address
  bool count_opaque_ = false;         // the name says exactly one kind
  std::array<uint64_t, 7> years_seen_{};  // bitset of years 1800..2247 seen in dates
  std::vector<std::string> distinct_small_;  // up to 8 distinct lower-cased short values
  bool distinct_overflow_ = false;
  int current_year_;
  // Takes `sample` (masked) if the kind has fewer than 3.
  void TakeSample(Counter& k, std::string sample);

  CacheHolder cache_;
  // Tags of recent values, to see a repeat before paying for a cache.
  static constexpr size_t kProbeSlots = 16;
  std::array<uint32_t, kProbeSlots> probe_{};
  int32_t probe_lookups_ = 0;
  ValueCache* CacheOnRepeat(uint64_t hash);
  uint64_t next_sequence_ = 0;  // for AddValues without a sequence
  // The position of the value being counted: batch sequence << 32, phase
  // (0: whole values, 1: hits inside) << 31, index in the batch.
  uint64_t sample_key_ = 0;
  bool cache_disabled_ = false;  // the values hardly repeat
};

}  // namespace dpo::detect
