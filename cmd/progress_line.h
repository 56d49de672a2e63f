// A one-line progress display on stderr for the long commands (scan,
// anonymise, sample generate): what is being worked on, its place among the
// items (table 3 of 9), how far it is, the whole run's percentage, the rate
// and an estimate of the time left. Only for a terminal: callers create one
// when stderr is a terminal and -q is not given.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dpo::cmd {

class ProgressLine {
 public:
  struct State {
    std::string verb = "scanning";  // "scanning", "writing", ...
    std::string item;               // the table (printed escaped)
    int item_number = 1;            // 1-based, of item_count
    int item_count = 1;
    int64_t done = 0;               // rows of this item
    int64_t total = -1;             // -1: unknown
    int64_t run_done = 0;           // rows of the whole run
    int64_t run_total = -1;         // -1: unknown (no percentage, no ETA)
    std::string unit = "rows";      // what done and total count
  };

  // Redraws the line, at most ten times a second.
  void Update(const State& state);
  // Erases the line; call it before printing anything else to the terminal
  // (a report on stdout would otherwise be glued to it). Safe to call twice.
  void Clear();
  ~ProgressLine() { Clear(); }

 private:
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

// The line for `state` after `seconds` of running, without terminal control
// characters (Update adds them): "scanning consents (table 3 of 9): 680/1,000
// rows; 45% of 12,400 rows, 21,000 rows/s, about 1 s left".
std::string FormatProgress(const ProgressLine::State& state, double seconds);

}  // namespace dpo::cmd
