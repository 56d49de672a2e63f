// Throughput of the text scanner (all patterns: structured kinds + terms) and
// of the column classifier on synthetic mixed CSV-like text.
//   make -C build bench_detect && build/bench/bench_detect [MB]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "detect/column_classifier.h"
#include "detect/text_scanner.h"

namespace {

struct Lcg {
  uint64_t s = 88172645463325252ULL;
  uint32_t Next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  }
};

const char* kFirst[] = {"Jan", "Maria", "Piet", "Sanne", "Mohammed", "Emma", "Lucas", "Anna"};
const char* kLast[] = {"Jansen", "de Vries", "van der Berg", "Bakker", "El Amrani", "Visser", "Smit"};
const char* kCity[] = {"Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Zwolle"};
const char* kNotes[] = {
    "Gesprek gehad over beschikbaarheid, volgt nog",
    "Kandidaat is per direct beschikbaar voor 32 uur per week",
    "Heeft ziekmelding doorgegeven, arbo-arts ingeschakeld",
    "Wil graag in de logistiek werken; rijbewijs B aanwezig",
    "Called back about the offer, will start on Monday",
    "",
};

std::string MakeLine(Lcg& r, int id) {
  char buf[512];
  snprintf(buf, sizeof buf,
           "%d,%s,%s,%s.%s%u@example.nl,06-%08u,NL%02uABNA%010u,%09u,%04u %c%c,19%02u-%02u-%02u,"
           "Kerkstraat %u,%s,%u.%02u,\"%s\"\n",
           id, kFirst[r.Next() % 8], kLast[r.Next() % 7], kFirst[r.Next() % 8], "x", r.Next() % 1000,
           r.Next() % 100000000, r.Next() % 100, r.Next() % 1000000000, 100000000 + r.Next() % 899999999,
           1000 + r.Next() % 9000, 'A' + static_cast<char>(r.Next() % 26), 'B' + static_cast<char>(r.Next() % 24),
           50 + r.Next() % 50, 1 + r.Next() % 12, 1 + r.Next() % 28, 1 + r.Next() % 200, kCity[r.Next() % 6],
           r.Next() % 5000, r.Next() % 100, kNotes[r.Next() % 6]);
  return buf;
}

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  size_t mb = argc > 1 ? static_cast<size_t>(std::atoi(argv[1])) : 64;
  Lcg r;
  std::string text;
  text.reserve(mb << 20);
  int id = 0;
  while (text.size() < (mb << 20)) text += MakeLine(r, ++id);
  double size_mb = static_cast<double>(text.size()) / (1 << 20);

  // Warm up (compiles the term database, allocates scratch).
  std::vector<dpo::detect::Hit> hits;
  dpo::detect::ScanText(std::string_view(text).substr(0, 4096), &hits);

  // Whole buffer, one call.
  hits.clear();
  auto t0 = std::chrono::steady_clock::now();
  dpo::detect::ScanText(text, &hits);
  auto t1 = std::chrono::steady_clock::now();
  std::printf("ScanText, one buffer:      %.1f MB in %.3f s = %.0f MB/s, %zu hits\n", size_mb, Seconds(t0, t1),
              size_mb / Seconds(t0, t1), hits.size());

  // The two halves: structured matchers, and the Hyperscan term pass.
  hits.clear();
  t0 = std::chrono::steady_clock::now();
  dpo::detect::ScanStructured(text, &hits);
  t1 = std::chrono::steady_clock::now();
  std::printf("  structured matchers only: %.0f MB/s\n", size_mb / Seconds(t0, t1));

  // Line by line, as `dpo detect` does.
  size_t line_hits = 0;
  t0 = std::chrono::steady_clock::now();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    hits.clear();
    dpo::detect::ScanText(std::string_view(text).substr(start, end - start), &hits);
    line_hits += hits.size();
    start = end + 1;
  }
  t1 = std::chrono::steady_clock::now();
  std::printf("ScanText, line by line:    %.1f MB in %.3f s = %.0f MB/s, %zu hits\n", size_mb, Seconds(t0, t1),
              size_mb / Seconds(t0, t1), line_hits);

  // Column classifier: split into 13 columns, feed in batches of 1024 values.
  std::vector<dpo::detect::ColumnClassifier> columns;
  for (int c = 0; c < 13; ++c) columns.emplace_back("col" + std::to_string(c));
  std::vector<std::vector<std::string_view>> batches(13);
  t0 = std::chrono::steady_clock::now();
  start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = std::string_view(text).substr(start, end - start);
    size_t c = 0, f = 0;
    for (size_t i = 0; i <= line.size() && c < 13; ++i) {
      if (i == line.size() || (line[i] == ',' && line[f] != '"')) {
        batches[c].push_back(line.substr(f, i - f));
        ++c;
        f = i + 1;
      }
    }
    if (batches[0].size() >= 1024) {
      for (size_t k = 0; k < 13; ++k) {
        columns[k].AddValues(batches[k]);
        batches[k].clear();
      }
    }
    start = end + 1;
  }
  for (size_t k = 0; k < 13; ++k) columns[k].AddValues(batches[k]);
  for (auto& col : columns) {
    auto verdict = col.Finish();
    std::printf("  %-6s %-16s %.2f\n", col.column_name().c_str(),
                verdict.kinds.empty() ? "-" : std::string(dpo::detect::KindName(verdict.kinds[0].kind)).c_str(),
                verdict.kinds.empty() ? 0.0 : verdict.kinds[0].confidence);
  }
  t1 = std::chrono::steady_clock::now();
  std::printf("ColumnClassifier:          %.1f MB in %.3f s = %.0f MB/s\n", size_mb, Seconds(t0, t1),
              size_mb / Seconds(t0, t1));
  return 0;
}
