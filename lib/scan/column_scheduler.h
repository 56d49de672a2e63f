// Internal to lib/scan: how a table's columns are shared out among the
// scan's worker threads (table_classifier.cpp uses it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "source/row_batch.h"

namespace dpo::scan {

// Hands out the work of classifying a table as (stream, batch) pairs. A
// stream is a column's classifier, or for a heavy column (one that alone
// holds more than a worker's share of the bytes, such as free text) one of
// several: lane l of L takes batches l, l + L, ... and the lanes are merged
// at the end. Each stream gets its batches in order and one at a time, but
// any free worker may take them, so that no worker idles behind a fixed
// split of the columns. The reader blocks while `capacity` batches are in
// flight; finished batches are kept for reuse, so that reading does not
// allocate (and fault in) fresh arenas all the time.
class ColumnScheduler {
 public:
  struct Stream {
    size_t column;
    uint64_t lane, lanes;
  };
  ColumnScheduler(size_t num_columns, std::vector<Stream> streams, size_t capacity)
      : capacity_(capacity), num_columns_(num_columns), streams_(std::move(streams)),
        next_(streams_.size()), busy_(streams_.size(), 0) {
    for (size_t s = 0; s < streams_.size(); ++s) {
      next_[s] = streams_[s].lane;
      Place(s);
    }
  }

  // Reader: an empty batch to fill (a reused one when there is one).
  std::unique_ptr<source::RowBatch> Acquire() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<source::RowBatch>();
    auto batch = std::move(free_.back());
    free_.pop_back();
    return batch;
  }
  // Reader: queues a batch for every column; blocks while the ring is full.
  void Push(std::unique_ptr<source::RowBatch> batch) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return ring_.size() < capacity_; });
    if (num_columns_ == 0) {  // nothing to classify
      free_.push_back(std::move(batch));
      return;
    }
    ring_.push_back(std::move(batch));
    remaining_.push_back(num_columns_);
    auto waiting = waiting_.find(first_ + ring_.size() - 1);
    if (waiting != waiting_.end()) {
      for (size_t s : waiting->second) ready_.emplace(waiting->first, s);
      waiting_.erase(waiting);
    }
    work_.notify_all();
  }
  // Reader: no more batches.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    work_.notify_all();
  }
  // Worker: the next stream and batch (with its number) to classify; false
  // when all is done (or, without `wait`, when nothing can be taken now: the
  // reader classifying on its own thread). The stream is the one furthest
  // behind, so that the oldest batch is released first.
  bool Next(size_t* stream, const source::RowBatch** batch, uint64_t* sequence, bool wait = true) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      // The idle stream with the oldest queued batch (ties: the lowest
      // stream), from an ordered set: a table may have 100,000 columns, and
      // looking at every stream for every pick made a batch cost n^2.
      if (!ready_.empty()) {
        const size_t best = ready_.begin()->second;
        ready_.erase(ready_.begin());
        busy_[best] = 1;
        ++busy_count_;
        *stream = best;
        *sequence = next_[best];
        *batch = ring_[next_[best] - first_].get();
        return true;
      }
      // Idle streams with a queued batch are all in ready_: only busy ones
      // can still have work in the ring.
      const bool pending = busy_count_ > 0;
      if ((closed_ && !pending) || !wait) return false;
      work_.wait(lock);
    }
  }
  // Worker: the batch handed out with `stream` is classified.
  void Done(size_t stream) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t index = next_[stream] - first_;
    next_[stream] += streams_[stream].lanes;
    busy_[stream] = 0;
    --busy_count_;
    Place(stream);
    if (--remaining_[index] == 0 && index == 0) {
      while (!ring_.empty() && remaining_.front() == 0) {
        free_.push_back(std::move(ring_.front()));
        ring_.pop_front();
        remaining_.pop_front();
        ++first_;
      }
      not_full_.notify_one();
    }
    work_.notify_all();
  }

 private:
  const size_t capacity_;
  const size_t num_columns_;
  const std::vector<Stream> streams_;
  std::mutex mu_;
  std::condition_variable not_full_, work_;
  std::deque<std::unique_ptr<source::RowBatch>> ring_;  // batches first_, first_ + 1, ...
  std::deque<size_t> remaining_;                        // per ring batch: columns not yet done with it
  uint64_t first_ = 0;
  std::vector<uint64_t> next_;   // per stream: the next batch it needs
  std::vector<char> busy_;       // per stream: a worker is on it
  std::vector<std::unique_ptr<source::RowBatch>> free_;
  bool closed_ = false;
  // An idle stream is in ready_ when its next batch is queued, else in
  // waiting_ under that batch's number (Push moves it over).
  std::set<std::pair<uint64_t, size_t>> ready_;
  std::map<uint64_t, std::vector<size_t>> waiting_;
  size_t busy_count_ = 0;

  void Place(size_t s) {
    if (next_[s] < first_ + ring_.size()) ready_.emplace(next_[s], s);
    else waiting_[next_[s]].push_back(s);
  }
};

}  // namespace dpo::scan
