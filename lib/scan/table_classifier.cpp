#include "scan/table_classifier.h"

#include <algorithm>
#include <memory>
#include <thread>

#include "scan/column_scheduler.h"
#include "util/thread_start.h"

namespace dpo::scan {

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

int64_t ExpectedRows(const source::Table& table, const ScanOptions& options) {
  if (table.row_count.rows < 0) return -1;
  return options.full ? table.row_count.rows : std::min(table.row_count.rows, options.sample_rows);
}

Status ClassifyTable(source::Source& src, const source::Table& table, const ScanOptions& options,
                     std::vector<detect::ColumnClassifier>* classifiers, TableReport* report,
                     ScanStats* stats, ScanProgress progress) {
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
      if (!util::TryStartThread(&threads, [&work] {
            // The reader is the one producer: on two cores two workers took
            // turns with it, and everything waited while it did
            // (bench/scan_bench.sh, consents: 0.45 -> 0.42 s).
            util::YieldToProducer();
            work(true);
          }))
        break;
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
      ScanProgress p = progress;  // the table's place in the scan, from the caller
      p.rows_done = rows;
      p.bytes_done = bytes;
      p.scan_rows_done = progress.scan_rows_done + rows;
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

}  // namespace dpo::scan
