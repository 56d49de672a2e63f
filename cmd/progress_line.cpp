#include "progress_line.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dpo::cmd {

namespace {

// 1234567 -> "1,234,567": row counts are read at a glance.
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  return std::to_string(s / 3600) + " h " + std::to_string((s % 3600) / 60) + " min";
}

// Names come from the data: no control character may reach the terminal.
std::string Printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  return out;
}

}  // namespace

std::string FormatProgress(const ProgressLine::State& st, double seconds) {
  std::string line = st.verb + " " + Printable(st.item);
  if (st.item_count > 1)
    line += " (table " + std::to_string(st.item_number) + " of " + std::to_string(st.item_count) + ")";
  line += ": " + Grouped(st.done);
  if (st.total > 0) line += "/" + Grouped(st.total);
  line += " " + st.unit;
  std::string run;
  if (st.run_total > 0) {
    const double share = std::min(1.0, static_cast<double>(st.run_done) / static_cast<double>(st.run_total));
    run += std::to_string(static_cast<int>(share * 100.0)) + "% of " + Grouped(st.run_total) + " " + st.unit;
  }
  if (seconds >= 0.5 && st.run_done > 0) {
    const double rate = static_cast<double>(st.run_done) / seconds;
    if (!run.empty()) run += ", ";
    run += Grouped(static_cast<int64_t>(rate)) + " " + st.unit + "/s";
    if (st.run_total > st.run_done && rate > 0)
      run += ", about " + Duration(static_cast<double>(st.run_total - st.run_done) / rate) + " left";
  }
  if (!run.empty()) line += "; " + run;
  return line;
}

void ProgressLine::Update(const State& state) {
  const auto now = std::chrono::steady_clock::now();
  if (!shown_ && started_ == std::chrono::steady_clock::time_point{}) started_ = now;
  if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  std::fprintf(stderr, "\r\033[K%s", FormatProgress(state, seconds).c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::Clear() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace dpo::cmd
