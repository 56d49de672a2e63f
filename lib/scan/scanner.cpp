#include "scan/scanner.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "detect/column_classifier.h"
#include "detect/kind.h"
#include "detect/table_context.h"
#include "detect/vocabulary.h"
#include "scan/accepted.h"
#include "scan/policy_checks.h"
#include "scan/table_classifier.h"

// The scan as a whole: list and describe the tables, classify each
// (table_classifier), label the columns, then check them and the source
// against the policy (policy_checks), and apply baseline and acceptances.

namespace dpo::scan {

using detect::Kind;

std::string CategoryForKind(const std::string& kind, const policy::Policy* policy) {
  std::optional<Kind> k = detect::KindFromName(kind);
  if (policy != nullptr) {
    // Several categories may list a kind (health terms in "health" and in
    // "conversation_notes"): prefer the one whose sensitivity fits the kind.
    policy::Sensitivity fitting = policy::Sensitivity::kOrdinary;
    if (k && detect::IsSpecialCategoryTerm(*k)) fitting = policy::Sensitivity::kSpecial;
    if (k && detect::IsCriminalTerm(*k)) fitting = policy::Sensitivity::kCriminal;
    if (k && (*k == Kind::kBsn || *k == Kind::kSsnUs)) fitting = policy::Sensitivity::kNationalId;
    const policy::Category* first = nullptr;
    for (const policy::Category& c : policy->categories) {
      if (std::find(c.detectors.begin(), c.detectors.end(), kind) == c.detectors.end()) continue;
      if (c.sensitivity == fitting) return c.id;
      if (first == nullptr) first = &c;
    }
    if (first != nullptr) return first->id;
  }
  if (!k) return "";
  const detect::BuiltinCategory* builtin = detect::BuiltinCategoryOf(*k);
  return builtin == nullptr ? "" : std::string(builtin->id);
}

namespace {

// The category a column is labelled with. A column of values is what its
// strongest evidence says. Free text may hold several kinds at once, and a
// note that mentions an illness, a conviction and an e-mail address is
// special-category data, not contact data: it is labelled by the most
// sensitive kind it holds (the stronger evidence among equals), or "notes"
// when what it holds is too rare to name.
std::string DiscoveredCategory(const detect::ColumnVerdict& verdict, const ScanOptions& options) {
  const detect::KindEvidence* chosen = nullptr;
  for (const detect::KindEvidence& k : verdict.kinds) {  // strongest first
    if (!IsPersonalKind(k.kind) || k.confidence < options.min_confidence) continue;
    if (!verdict.free_text) {
      chosen = &k;
      break;
    }
    if (chosen == nullptr || detect::SensitivityRank(k.kind) > detect::SensitivityRank(chosen->kind)) chosen = &k;
  }
  if (chosen != nullptr) return CategoryForKind(std::string(detect::KindName(chosen->kind)), options.policy);
  if (verdict.free_text)
    for (const detect::KindEvidence& k : verdict.kinds)
      if (k.values_containing > 0 && IsPersonalKind(k.kind))
        return CategoryForKind(std::string(detect::KindName(Kind::kFreeText)), options.policy);
  return "";
}

}  // namespace

Result<ScanResult> RunScan(source::Source& src, const ScanOptions& options) {
  auto started = std::chrono::steady_clock::now();
  ScanResult result;
  result.source = src.DisplayName();
  result.source_kind = source::SourceKindName(src.kind());
  result.policy_file = options.policy ? options.policy->file : "";
  result.as_of = options.as_of.ToIso();
  result.mode = options.full ? "full" : "sample";
  result.sample_rows = options.full ? 0 : options.sample_rows;
  result.stats.threads = 1;  // the reader; ClassifyTable adds the workers it got

  Result<std::vector<std::string>> listed = src.ListTables();
  if (!listed.ok()) return listed.status();
  std::set<std::string> present(listed->begin(), listed->end());
  std::vector<std::string> names;
  for (const std::string& t : *listed)
    if (options.tables.empty() || std::find(options.tables.begin(), options.tables.end(), t) != options.tables.end())
      names.push_back(t);
  for (const std::string& t : options.tables)
    if (!present.count(t))
      return Status::Error("no table '" + t + "' in " + src.DisplayName() + "; run 'dpo inspect " +
                           src.DisplayName() + "' to list the tables");

  std::map<std::string, source::Table> described;
  // Every table described first, so that progress can say how far the whole
  // scan is, not only the table being read.
  int64_t scan_rows_total = 0;
  for (const std::string& name : names) {
    Result<source::Table> table = src.Describe(name);
    if (!table.ok()) return table.status();
    const int64_t expected = ExpectedRows(*table, options);
    scan_rows_total = (expected < 0 || scan_rows_total < 0) ? -1 : scan_rows_total + expected;
    described[name] = std::move(*table);
  }
  ScanProgress progress;
  progress.table_count = static_cast<int>(names.size());
  progress.scan_rows_total = scan_rows_total;
  for (const std::string& name : names) {
    const source::Table* table = &described.at(name);
    progress.table = name;
    progress.rows_total = ExpectedRows(*table, options);
    TableReport report;
    report.name = name;
    report.file = table->location;
    report.row_count = table->row_count.rows;
    report.row_count_exact = table->row_count.exact;
    std::vector<detect::ColumnClassifier> classifiers;
    classifiers.reserve(table->columns.size());
    for (const source::Column& c : table->columns) classifiers.emplace_back(c.name);
    DPO_RETURN_IF_ERROR(ClassifyTable(src, *table, options, &classifiers, &report, &result.stats, progress));
    progress.scan_rows_done += report.rows_scanned;
    ++progress.table_number;

    const policy::Dataset* ds = options.policy ? options.policy->FindDataset(name) : nullptr;
    std::vector<detect::ColumnVerdict> verdicts;
    std::vector<std::string> column_names;
    for (size_t i = 0; i < table->columns.size(); ++i) {
      verdicts.push_back(classifiers[i].Finish());
      column_names.push_back(table->columns[i].name);
    }
    report.holds_people = detect::ApplyTableContext(name, column_names, &verdicts);
    for (size_t i = 0; i < table->columns.size(); ++i) {
      const detect::ColumnVerdict& verdict = verdicts[i];
      ColumnReport column;
      column.name = table->columns[i].name;
      column.type = source::TypeClassName(table->columns[i].type);
      column.free_text = verdict.free_text;
      column.values_seen = verdict.values_seen;
      for (const detect::KindEvidence& k : verdict.kinds) {
        if (k.confidence < options.min_confidence && k.values_containing == 0) continue;
        column.evidence.push_back(ToEvidence(k));
      }
      column.discovered_category = DiscoveredCategory(verdict, options);
      CheckColumnAgainstPolicy(options, report, &column, ds, verdict, &result);
      report.columns.push_back(std::move(column));
    }
    result.tables.push_back(std::move(report));
  }

  if (options.policy != nullptr) {
    std::set<std::string> scanned(names.begin(), names.end());
    CheckDeclaredShape(src.DisplayName(), *options.policy, options, scanned, present, described, &result);
    std::optional<plan::SchemaGraph> graph;
    DPO_RETURN_IF_ERROR(CheckRetention(src, *options.policy, scanned, *listed, described, options, graph, &result));
    // Consent and recipients concern the whole policy: not for a scan of some tables only.
    if (options.tables.empty()) {
      DPO_RETURN_IF_ERROR(CheckConsent(src, *options.policy, *listed, described, graph, &result));
      CheckRecipients(*options.policy, &result);
    }
  }

  // Baseline first: an expired acceptance makes a finding count again even
  // when the baseline knows it.
  if (options.baseline != nullptr) ApplyBaseline(*options.baseline, &result);
  if (options.policy != nullptr) ApplyAcceptances(*options.policy, options.as_of, &result);
  std::stable_sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.table != b.table) return a.table < b.table;
    return a.column < b.column;
  });
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace dpo::scan
