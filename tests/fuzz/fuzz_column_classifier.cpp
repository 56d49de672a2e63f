// The column classifier (detect/column_classifier.h): the first line of the
// input is the column name, every further line a value, fed one by one to
// one classifier, in two batches to another, and one batch each to two more
// that are then merged, as the scan engine's threads do. The verdicts must
// agree (Merge: exactly, samples included).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "detect/column_classifier.h"

using namespace dpo::detect;

namespace {

// `samples`: compare the masked samples too. AddValue one by one and
// AddValues of a batch count the same, but a batch takes the samples of
// whole values before those of hits inside values, so only counts compare.
bool SameVerdict(const ColumnVerdict& a, const ColumnVerdict& b, bool samples) {
  if (a.values_seen != b.values_seen || a.free_text != b.free_text || a.kinds.size() != b.kinds.size()) return false;
  for (size_t i = 0; i < a.kinds.size(); ++i) {
    const KindEvidence& x = a.kinds[i];
    const KindEvidence& y = b.kinds[i];
    if (x.kind != y.kind || x.values_matched != y.values_matched || x.values_validated != y.values_validated ||
        x.values_containing != y.values_containing || (samples && x.masked_samples != y.masked_samples)) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t eol = text.find('\n');
  std::string name(text.substr(0, eol));
  std::vector<std::string_view> values;
  if (eol != std::string_view::npos) {
    std::string_view rest = text.substr(eol + 1);
    while (!rest.empty()) {
      size_t end = rest.find('\n');
      values.push_back(rest.substr(0, end));
      if (end == std::string_view::npos) break;
      rest = rest.substr(end + 1);
    }
  }

  ColumnClassifier one(name);
  for (std::string_view v : values) one.AddValue(v);
  ColumnVerdict verdict = one.Finish();
  for (const KindEvidence& k : verdict.kinds) {
    if (k.confidence < ColumnClassifier::kConfidenceFloor || k.confidence > 1 || k.masked_samples.size() > 3) abort();
  }

  size_t half = values.size() / 2;
  std::vector<std::string_view> first(values.begin(), values.begin() + half);
  std::vector<std::string_view> second(values.begin() + half, values.end());
  ColumnClassifier sequential(name);
  sequential.AddValues(first, 0);
  sequential.AddValues(second, 1);
  ColumnVerdict in_batches = sequential.Finish();
  if (!SameVerdict(verdict, in_batches, false)) abort();
  ColumnClassifier a(name), b(name);
  b.AddValues(second, 1);  // the later batch first, as a faster thread may finish
  a.AddValues(first, 0);
  a.Merge(b);
  if (!SameVerdict(in_batches, a.Finish(), true)) abort();  // Merge promises what one classifier would hold
  return 0;
}
