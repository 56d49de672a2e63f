// Discovery and `policy init` on databases nobody here designed: the public
// sample sources of ../shared/corpus, each with a per-column ground truth
// (ground_truth_columns.csv: must / may / must_not). The bar, per source:
// recall of the `must` columns >= 0.95, and at most one `must_not` column
// flagged (discovery) or drafted as personal data (policy init).
// These sources are for finding the kinds of mistakes the detectors make;
// the fixes are kinds (tables of things, compound names, name-only columns),
// never their values.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "policy/loader.h"
#include "scan/draft_policy.h"
#include "scan/scanner.h"
#include "source/source.h"

namespace {

namespace fs = std::filesystem;

struct Truth {
  std::string detect;  // must | may | must_not
  std::string kind;
};
using Key = std::pair<std::string, std::string>;  // table, column

// A small CSV reader for the ground truth: quoted fields with "" and commas.
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

fs::path CorpusDir() { return fs::path(DPO_SOURCE_DIR) / ".." / "shared" / "corpus"; }

std::map<std::string, std::map<Key, Truth>> LoadTruth() {
  std::map<std::string, std::map<Key, Truth>> truth;
  std::ifstream in(CorpusDir() / "ground_truth_columns.csv");
  REQUIRE_MESSAGE(in.good(), "no " << (CorpusDir() / "ground_truth_columns.csv").string()
                                   << ": the corpus lives in ../shared beside the repository");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f = SplitCsvLine(line);
    REQUIRE(f.size() >= 6);
    truth[f[0]][{f[1], f[2]}] = Truth{f[4], f[5]};
  }
  return truth;
}

struct Score {
  int must = 0, must_found = 0, must_not_flagged = 0;
  std::string misses, false_positives;
  double recall() const { return must == 0 ? 1.0 : double(must_found) / must; }
};

Score ScoreColumns(const std::map<Key, Truth>& truth, const std::set<Key>& flagged) {
  Score s;
  for (const auto& [key, t] : truth) {
    bool f = flagged.count(key) > 0;
    if (t.detect == "must") {
      ++s.must;
      if (f) ++s.must_found;
      else s.misses += " " + key.first + "." + key.second + "(" + t.kind + ")";
    } else if (t.detect == "must_not" && f) {
      ++s.must_not_flagged;
      s.false_positives += " " + key.first + "." + key.second;
    }
  }
  return s;
}

std::string SourceSpec(const std::string& rel) { return (CorpusDir() / rel).string(); }

}  // namespace

TEST_CASE("discovery and policy init on the public corpus: must recall >= 0.95, at most one must_not per source") {
  auto truth = LoadTruth();
  REQUIRE(truth.size() >= 6);
  int total_must = 0, total_found = 0, total_fp = 0, draft_found = 0, draft_fp = 0;
  for (const auto& source_entry : truth) {
    // Named, not structured bindings: clang 14 cannot capture those in doctest's macros.
    const std::string& source_name = source_entry.first;
    const auto& columns = source_entry.second;
    CAPTURE(source_name);
    dpo::source::OpenOptions open;
    auto src = dpo::source::OpenSource(SourceSpec(source_name), open);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    dpo::scan::ScanOptions options;  // what `dpo scan SOURCE` does
    auto result = dpo::scan::RunScan(**src, options);
    REQUIRE_MESSAGE(result.ok(), result.status().message());

    std::set<Key> discovered;
    for (const auto& t : result->tables)
      for (const auto& c : t.columns)
        if (!c.discovered_category.empty()) discovered.insert({t.name, c.name});
    for (const auto& column_entry : columns) {  // every column of the truth was scanned
      const auto& key = column_entry.first;
      CHECK_MESSAGE(std::any_of(result->tables.begin(), result->tables.end(),
                                [&](const auto& tr) { return tr.name == key.first; }),
                    "table not scanned: " << key.first);
    }
    Score scan = ScoreColumns(columns, discovered);
    MESSAGE(source_name << " discovery: must " << scan.must_found << "/" << scan.must << ", must_not flagged "
                        << scan.must_not_flagged << (scan.misses.empty() ? std::string() : "; missed:") << scan.misses
                        << (scan.false_positives.empty() ? std::string() : "; flagged:") << scan.false_positives);
    CHECK(scan.recall() >= 0.95);
    CHECK(scan.must_not_flagged <= 1);

    // The draft `dpo policy init` writes from the same discovery.
    dpo::scan::DraftOptions draft_options;
    draft_options.discovery = &*result;
    draft_options.date = "2026-01-01";
    auto yaml = dpo::scan::DraftPolicyYaml(**src, draft_options);
    REQUIRE_MESSAGE(yaml.ok(), yaml.status().message());
    auto loaded = dpo::policy::LoadPolicyString(*yaml, "draft");
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    std::set<Key> drafted;
    for (const auto& ds : loaded->policy.datasets)
      for (const auto& m : ds.columns)
        if (!m.category.empty()) drafted.insert({ds.table, m.column});
    Score draft = ScoreColumns(columns, drafted);
    MESSAGE(source_name << " policy init: must " << draft.must_found << "/" << draft.must << ", must_not drafted "
                        << draft.must_not_flagged << (draft.misses.empty() ? std::string() : "; missed:") << draft.misses
                        << (draft.false_positives.empty() ? std::string() : "; drafted:") << draft.false_positives);
    CHECK(draft.recall() >= 0.95);
    CHECK(draft.must_not_flagged <= 1);

    total_must += scan.must;
    total_found += scan.must_found;
    total_fp += scan.must_not_flagged;
    draft_found += draft.must_found;
    draft_fp += draft.must_not_flagged;
  }
  MESSAGE("corpus: discovery must " << total_found << "/" << total_must << ", must_not " << total_fp
                                    << "; policy init must " << draft_found << "/" << total_must << ", must_not "
                                    << draft_fp);
}
