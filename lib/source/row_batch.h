// A batch of rows read from a source: cells live in one arena so that reading
// a table costs one allocation per batch, not one per cell.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace dpo::source {

class RowBatch {
 public:
  // Empties the batch for `num_columns` columns, keeping its capacity.
  void Reset(size_t num_columns) {
    num_columns_ = num_columns;
    arena_used_ = 0;
    ends_.clear();
    nulls_.clear();
    row_numbers_.clear();
    lines_.clear();
  }

  // Appends a cell to the current row. A row is complete after num_columns cells.
  void AddCell(std::string_view text) {
    const size_t need = arena_used_ + text.size();
    if (need > arena_.size()) Grow(need);
    if (!text.empty()) std::memcpy(arena_.data() + arena_used_, text.data(), text.size());
    arena_used_ = need;
    ends_.push_back(static_cast<uint32_t>(arena_used_));
    nulls_.push_back(0);
  }
  void AddNull() {
    ends_.push_back(static_cast<uint32_t>(arena_used_));
    nulls_.push_back(1);
  }
  // Records where the row that was just completed came from: its 1-based data
  // row number in the table, and for CSV its 1-based physical line (0 if none).
  void EndRow(int64_t row_number, int64_t line = 0) {
    row_numbers_.push_back(row_number);
    lines_.push_back(line);
  }
  // Removes the cells of an incomplete current row (used when a row is skipped).
  void DropPartialRow() {
    size_t keep = row_numbers_.size() * num_columns_;
    ends_.resize(keep);
    nulls_.resize(keep);
    arena_used_ = keep == 0 ? 0 : ends_.back();
  }

  size_t num_rows() const { return row_numbers_.size(); }
  size_t num_columns() const { return num_columns_; }
  size_t byte_size() const { return arena_used_; }
  bool empty() const { return row_numbers_.empty(); }

  std::string_view Cell(size_t row, size_t column) const {
    size_t i = row * num_columns_ + column;
    uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(arena_.data() + begin, ends_[i] - begin);
  }
  bool IsNull(size_t row, size_t column) const { return nulls_[row * num_columns_ + column] != 0; }
  int64_t RowNumber(size_t row) const { return row_numbers_[row]; }
  int64_t Line(size_t row) const { return lines_[row]; }

 private:
  size_t num_columns_ = 0;
  // Grows the arena to hold at least `need` bytes (doubling, so that cells
  // cost an amortised memcpy each; it keeps its size across Reset).
  void Grow(size_t need) { arena_.resize(std::max(need, arena_.size() * 2 + 4096)); }

  // The cells' bytes: arena_[0, arena_used_). Its size is its capacity, not
  // a std::string append per cell (a length check, a terminator, a call).
  std::string arena_;
  size_t arena_used_ = 0;
  std::vector<uint32_t> ends_;  // end offset in arena_ of each cell, row-major
  std::vector<uint8_t> nulls_;  // bytes, not vector<bool>: a push per cell is the reader's hot path
  std::vector<int64_t> row_numbers_;
  std::vector<int64_t> lines_;
};

}  // namespace dpo::source
