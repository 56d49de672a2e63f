// What a scan produces: plain data. The scan engine (scan/scanner.h) fills a
// ScanResult; renderers in lib/report print it as text, JSON, SARIF, Markdown
// or HTML and never look anywhere else. The JSON rendering of these structs
// is a public, stable interface (CI scripts parse it; schema in man/dpo-scan.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dpo::scan {

enum class Severity { kNote, kWarning, kError };
const char* SeverityName(Severity s);  // "note", "warning", "error"

// Stable finding codes (the `code` of a Finding):
inline constexpr const char* kCodePersonalData = "personal-data";                   // discovery (no policy): note
inline constexpr const char* kCodeUndeclared = "undeclared-personal-data";          // error
inline constexpr const char* kCodeNoArt9Condition = "special-category-without-condition";  // error
inline constexpr const char* kCodeNoArt10Basis = "criminal-data-without-basis";      // error
inline constexpr const char* kCodeNationalIdWithoutLaw = "national-id-without-law";  // error
inline constexpr const char* kCodeCategoryMismatch = "category-mismatch";            // warning
inline constexpr const char* kCodeRetentionExpired = "retention-expired";            // error
inline constexpr const char* kCodeMissingTable = "declared-table-missing";           // warning
inline constexpr const char* kCodeMissingColumn = "declared-column-missing";         // warning
inline constexpr const char* kCodeFreeText = "free-text-personal-data";              // warning
inline constexpr const char* kCodeConsentMissing = "consent-missing";                // error: held without a consent record
inline constexpr const char* kCodeConsentWithdrawn = "consent-withdrawn";            // error: held after withdrawal
inline constexpr const char* kCodeConsentUnchecked = "consent-unchecked";            // warning: records not checkable
inline constexpr const char* kCodeConsentUnlinked = "consent-unlinked";              // note: rows with no subject to check
inline constexpr const char* kCodeSpecialToRecipient = "special-category-to-recipient";  // warning
inline constexpr const char* kCodeAcceptanceExpired = "acceptance-expired";    // warning: a policy `accepted:` entry ran out

// Why the engine believes a column holds a kind of personal data.
struct Evidence {
  std::string kind;             // detector kind name (lib/detect/kind.h)
  double confidence = 0;        // 0..1
  int64_t values_seen = 0;      // non-empty values looked at
  int64_t values_matched = 0;   // whole value matched the kind
  int64_t values_validated = 0; // ... and passed its checksum/structure validator
  int64_t values_containing = 0;  // value contains a hit inside longer text
  bool name_match = false;      // the column name suggests this kind
  std::vector<std::string> masked_samples;  // at most 3, masked (j***@e***.nl); never whole values
};

struct Finding {
  std::string code;        // one of the kCode* above
  Severity severity = Severity::kWarning;
  std::string table;       // table or CSV file stem
  std::string column;      // empty for table-level findings
  std::string file;        // CSV: path of the file; empty for databases
  int64_t line = 0;        // CSV: 1-based line of the first offending row, when one is known
  std::string category;    // policy category concerned, or the discovered category
  std::string message;     // one line for a person; never contains personal data
  std::string hint;        // what to do about it
  int64_t count = 0;       // rows concerned (retention), or values with hits (free text)
  std::vector<Evidence> evidence;
  std::string policy_rule;      // "retention.candidate_inactive", "datasets.candidates.columns.email", ...
  std::string policy_location;  // "policies/x.yaml:12:7" of that rule, when there is one

  // Triage (scan/baseline.h, scan/accepted.h): a finding already in the
  // --baseline, or accepted in the policy until a date, is still reported but
  // no longer decides the exit code. Only findings that Count() do.
  struct Acceptance {
    std::string reason;
    std::string by;
    std::string until;     // YYYY-MM-DD, the last day it is accepted
    std::string location;  // "policies/x.yaml:40:5" of the `accepted:` entry
  };
  bool baselined = false;
  std::optional<Acceptance> accepted;
  bool Counts() const { return !baselined && !accepted.has_value(); }
};

// Everything the engine learned about one column, whether or not it produced a finding.
struct ColumnReport {
  std::string name;
  std::string type;                 // TypeClassName
  std::string declared_category;    // from the policy; "none" if declared not personal; empty if undeclared
  std::string discovered_category;  // best category from the evidence; empty if none
  bool free_text = false;
  int64_t values_seen = 0;
  std::vector<Evidence> evidence;   // sorted by confidence, above the reporting floor
};

struct TableReport {
  std::string name;
  std::string file;        // CSV path
  int64_t row_count = -1;  // as the source reports it
  bool row_count_exact = false;
  int64_t rows_scanned = 0;
  // CSV rows with the wrong number of fields skipped under --skip-bad-rows:
  // how many, and the lines of the first few (never their content).
  int64_t rows_skipped = 0;
  std::vector<int64_t> skipped_lines;
  // False for a table of things (detect/table_context.h): kinds that are
  // personal data only about a person were left out of its columns.
  bool holds_people = true;
  std::vector<ColumnReport> columns;
};

struct ScanStats {
  int64_t rows = 0;
  int64_t bytes = 0;
  double seconds = 0;
  int threads = 1;
};

struct ScanResult {
  std::string source;        // display name (no password)
  std::string source_kind;   // sqlite | csv | postgresql
  std::string policy_file;   // empty in discovery mode
  std::string as_of;         // YYYY-MM-DD retention was evaluated against
  std::string mode;          // "full" or "sample"
  int64_t sample_rows = 0;   // rows per table in sample mode
  std::vector<TableReport> tables;
  std::vector<Finding> findings;  // sorted: severity desc, then table, column
  bool baseline_used = false;     // findings were compared with a --baseline
  ScanStats stats;

  // Findings at or above `s` that count (neither baselined nor accepted).
  int64_t CountAtLeast(Severity s) const;
};

}  // namespace dpo::scan
