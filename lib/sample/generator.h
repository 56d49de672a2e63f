// The sample staffing-agency database: a deterministic generator of fake but
// realistic personal data (candidates, temporary workers, clients, payroll,
// ID documents, conversation notes, website visits) as SQLite and/or CSV, and
// the ground truth the scan and retention tests measure themselves against.
//
// Contract:
//  - Same options -> byte-identical SQLite tables and CSV files. All
//    randomness comes from one seeded xoshiro256** stream (sample/rng.h);
//    dates are relative to options.as_of, never to the clock.
//  - Rows are streamed: memory stays flat in options.rows.
//  - Output files hold (fake) personal data and are created 0600. Existing
//    files are an error unless options.overwrite.
//  - The schema, delimiters and the meaning of every column are described
//    by the GroundTruth (and samples/README.md).
#pragma once

#include <atomic>
#include <functional>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/duration.h"
#include "util/status.h"

namespace dpo::sample {

struct GenerateOptions {
  std::string sqlite_path;  // SQLite file to create; empty: none
  std::string csv_dir;      // directory for one CSV file per table; empty: none
  uint64_t rows = 1000;     // number of candidates; the other tables scale with it
  uint64_t seed = 1;
  util::Date as_of{2026, 11, 1};  // "today" for every date in the data and for the truth
  bool overwrite = false;   // replace existing output files
  // Set (by a signal handler) to stop: generating ends with an error and
  // leaves no output, no .partial file and no directory it created.
  const std::atomic<bool>* cancel = nullptr;
  // Called now and then (every 1,000 candidates and at the end) from the
  // generating thread with the candidates written so far; must be cheap.
  std::function<void(uint64_t candidates_done, uint64_t candidates_total)> progress;
};

// What one column holds, as a perfect classifier would report it.
struct ColumnTruth {
  std::string name;
  std::string sql_type;             // INTEGER, TEXT, REAL
  std::vector<std::string> kinds;   // detector kind names (detect/kind.h); [] when none.
                                    // Free-text columns list free_text plus every kind
                                    // that at least one generated value mentions.
  std::string category;             // policy category id (policies/staffing-agency.yaml); "none" when not personal data
  bool personal = false;            // category != "none"
  bool declared = true;             // mapped in policies/staffing-agency.yaml
  bool identifier = false;          // identifies a data subject (e-mail, BSN)
  std::string references;           // "candidates.id" for a foreign key; empty otherwise
  uint64_t non_null = 0;            // rows with a value (not NULL)
  std::map<std::string, uint64_t> mentions;  // free text: kind -> rows whose value mentions it
};

struct TableTruth {
  std::string name;
  std::string data_subject;      // policy data subject id; empty when not personal data
  bool declared = true;          // dataset in the policy
  uint64_t rows = 0;
  std::string csv_file;          // "candidates.csv"
  char csv_delimiter = ',';
  std::vector<std::string> primary_key;
  std::vector<ColumnTruth> columns;

  const ColumnTruth* FindColumn(const std::string& column) const;
};

// One retention rule of policies/staffing-agency.yaml, evaluated on the data.
// A row is in scope when it matches every `when` test; expired when in scope
// and date(after_column) < cutoff, where cutoff = as_of - keep (a NULL date
// never expires); held when expired and matching any legal hold of the rule,
// or belonging to a row under a legal hold (a parent through a reference that
// is not ON DELETE SET NULL, as far up as it goes). No generated
// date falls on a cutoff day, so "<" and "<=" give the same counts.
struct RetentionTruth {
  std::string rule;          // rule id in the policy
  std::string dataset;
  std::string after_column;
  std::string keep;          // "2y"
  std::string cutoff;        // ISO date
  std::string when_sql;      // the rule's `when` as SQL ("1" when none)
  std::string hold_sql;      // the holds as SQL ("0" when none)
  uint64_t in_scope = 0;
  uint64_t expired = 0;      // including held rows
  uint64_t held = 0;
  uint64_t to_act = 0;       // expired - held: the rows a retention run changes
};

// One consent-based purpose of policies/staffing-agency.yaml: the subjects
// (candidate ids, the key consents are recorded by) whose data is held for it,
// and the planted violations of Art. 7(1): data held without any consent
// record, and data still held after the consent was withdrawn (and not given
// again).
struct ConsentTruth {
  std::string purpose;
  uint64_t held = 0;                     // subjects whose data is held for the purpose
  std::vector<uint64_t> without_record;  // ascending
  std::vector<uint64_t> withdrawn;       // ascending
};

struct GroundTruth {
  uint64_t rows_option = 0;
  uint64_t seed = 0;
  std::string as_of;
  std::vector<TableTruth> tables;
  std::vector<std::string> undeclared;  // "table.column" holding personal data the policy does not declare
  std::vector<RetentionTruth> retention;
  std::vector<ConsentTruth> consent;  // mediation, website_analytics, union_dues
  uint64_t total_rows = 0;

  const TableTruth* FindTable(const std::string& table) const;
};

struct GenerateReport {
  GroundTruth truth;
  double seconds = 0;
};

// Generates the sample. With neither sqlite_path nor csv_dir it only computes
// the truth. Errors (existing output without overwrite, unwritable paths,
// rows == 0) are returned before anything is written.
Result<GenerateReport> GenerateSample(const GenerateOptions& options);

// The ground truth for `options` without writing anything.
Result<GroundTruth> GetGroundTruth(const GenerateOptions& options);

// The truth as pretty-printed JSON (stable key order), and writing it 0600.
std::string GroundTruthToJson(const GroundTruth& truth);
Status WriteGroundTruth(const GroundTruth& truth, const std::string& path, bool overwrite);

}  // namespace dpo::sample
