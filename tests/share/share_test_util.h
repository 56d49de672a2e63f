// What the share suite's tests have in common: the generated sample (300
// candidates, seed 1: the data of samples/staffing.db) as SQLite and CSV with
// the bundled policy, made once per process; a temporary directory; and a
// RowSink that renders what it receives the way `dpo export` writes it (CSV
// and JSON through lib/report), so that tests search the real bytes.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "policy/loader.h"
#include "report/export_report.h"
#include "sample/generator.h"
#include "share/disclosure_scope.h"
#include "share/recipient_export.h"
#include "source/source.h"
#include "util/keyed_hash.h"

namespace dpo::share_test {

namespace fs = std::filesystem;

inline constexpr const char* kAsOf = "2026-11-01";
inline const std::string kPolicyPath = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";

struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "dpo-share-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return path + "/" + name; }
  std::set<std::string> Entries() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.insert(e.path().filename().string());
    return out;
  }
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void Spit(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

inline mode_t Mode(const std::string& path) {
  struct stat st;
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

struct Sample {
  std::string dir, db, csv;
  sample::GroundTruth truth;
  policy::Policy policy;

  Sample() {
    dir = (fs::temp_directory_path() / ("dpo-share-sample-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    fs::create_directories(dir);
    db = dir + "/staffing.db";
    csv = dir + "/csv";
    sample::GenerateOptions options;
    options.sqlite_path = db;
    options.csv_dir = csv;
    options.rows = 300;
    options.seed = 1;
    options.as_of = *util::ParseIsoDate(kAsOf);
    auto generated = sample::GenerateSample(options);
    REQUIRE_MESSAGE(generated.ok(), generated.status().message());
    truth = generated->truth;
    auto loaded = policy::LoadPolicyFile(kPolicyPath);
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    policy = loaded->policy;
  }
  ~Sample() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

inline const Sample& TheSample() {
  static Sample sample;
  return sample;
}

inline const util::SecretKey& Key() {
  static const util::SecretKey key = std::move(util::SecretKey::FromBytes("share-key-0123456789abcdef012345")).value();
  return key;
}

inline std::unique_ptr<source::Source> OpenRead(const std::string& spec) {
  source::OpenOptions options;
  options.read_only = true;
  auto src = source::OpenSource(spec, options);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  return std::move(src).value();
}

inline policy::Policy PolicyFromString(const std::string& text, const std::string& name) {
  auto loaded = policy::LoadPolicyString(text, name);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  return loaded->policy;
}

inline share::DisclosureScope Scope(const policy::Policy& policy, const std::string& recipient,
                                    const std::string& purpose) {
  Result<share::DisclosureScope> scope = share::ResolveScope(policy, recipient, purpose);
  REQUIRE_MESSAGE(scope.ok(), scope.status().message());
  return *scope;
}

inline std::vector<share::ExportTable> Tables(const policy::Policy& policy, source::Source& source,
                                              const share::DisclosureScope& scope, const std::string& only_table = "",
                                              bool include_key = false) {
  share::ColumnOptions options;
  options.only_table = only_table;
  options.include_key = include_key;
  Result<std::vector<share::ExportTable>> tables = share::PlanTables(policy, source, scope, options, nullptr);
  REQUIRE_MESSAGE(tables.ok(), tables.status().message());
  return *tables;
}

// Keeps every row and renders the CSV files and the JSON file an export
// would write.
class CaptureSink : public share::RowSink {
 public:
  explicit CaptureSink(const share::DisclosureScope& scope) : scope_(scope) {}

  Status BeginTable(const share::ExportTable& table) override {
    if (!begun_) json_ = writer_.Begin(scope_, kAsOf, false);
    begun_ = true;
    json_ += writer_.BeginTable(table);
    csv[table.table] = report::RenderExportCsvHeader(table);
    columns[table.table].clear();
    for (const share::ExportColumn& c : table.columns) columns[table.table].push_back(c.name);
    rows[table.table];
    return Status::Ok();
  }
  Status WriteRows(const share::ExportTable& table, const std::vector<share::Row>& batch) override {
    csv[table.table] += report::RenderExportCsvRows(table, batch);
    json_ += writer_.Rows(batch);
    for (const share::Row& r : batch) rows[table.table].push_back(r);
    return Status::Ok();
  }
  Status EndTable(const share::ExportTable&, int64_t n) override {
    json_ += writer_.EndTable(n);
    return Status::Ok();
  }
  std::string Json() { return json_ + writer_.End(); }
  std::string AllBytes() {
    std::string all = Json();
    for (const auto& [t, text] : csv) all += text;
    return all;
  }

  std::map<std::string, std::string> csv;
  std::map<std::string, std::vector<std::string>> columns;
  std::map<std::string, std::vector<share::Row>> rows;

 private:
  const share::DisclosureScope& scope_;
  report::ExportJson writer_;
  std::string json_;
  bool begun_ = false;
};

inline std::vector<share::TableResult> Export(const policy::Policy& policy, source::Source& source,
                                              const std::vector<share::ExportTable>& tables,
                                              const share::Selection& selection, CaptureSink& sink,
                                              const util::SecretKey* key = &Key()) {
  share::RowOptions options;
  options.key = key;
  options.as_of = kAsOf;
  options.batch_rows = 64;  // several batches even on the small sample
  Result<std::vector<share::TableResult>> r = share::ExportRows(policy, source, tables, selection, options, sink);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return *r;
}

}  // namespace dpo::share_test
