// Hand-built scan results, shaped like what the scan engine produces for the
// bundled staffing-agency sample: one in policy mode (SQLite), one in
// discovery mode (CSV export), and one whose names are hostile markup.
// Sample values are already masked, as the engine masks them.
#pragma once

#include <string>

#include "scan/finding.h"

namespace dpo::report::testing {

inline scan::Evidence MakeEvidence(std::string kind, double confidence, int64_t seen, int64_t matched,
                                   int64_t validated, std::vector<std::string> samples, bool name_match = false,
                                   int64_t containing = 0) {
  scan::Evidence e;
  e.kind = std::move(kind);
  e.confidence = confidence;
  e.values_seen = seen;
  e.values_matched = matched;
  e.values_validated = validated;
  e.values_containing = containing;
  e.name_match = name_match;
  e.masked_samples = std::move(samples);
  return e;
}

inline scan::ColumnReport MakeColumn(std::string name, std::string type, std::string declared, std::string discovered,
                                     int64_t seen, std::vector<scan::Evidence> evidence = {}, bool free_text = false) {
  scan::ColumnReport c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.declared_category = std::move(declared);
  c.discovered_category = std::move(discovered);
  c.values_seen = seen;
  c.evidence = std::move(evidence);
  c.free_text = free_text;
  return c;
}

inline scan::Finding MakeFinding(std::string code, scan::Severity severity, std::string table, std::string column,
                                 std::string category, std::string message, std::string hint) {
  scan::Finding f;
  f.code = std::move(code);
  f.severity = severity;
  f.table = std::move(table);
  f.column = std::move(column);
  f.category = std::move(category);
  f.message = std::move(message);
  f.hint = std::move(hint);
  return f;
}

// Policy mode over a SQLite database: every kind of finding the engine makes.
inline scan::ScanResult PolicyModeResult() {
  using scan::Severity;
  scan::ScanResult r;
  r.source = "samples/staffing.db";
  r.source_kind = "sqlite";
  r.policy_file = "policies/staffing.yaml";
  r.as_of = "2026-03-01";
  r.mode = "full";
  r.stats = {12840, 3400000, 1.84, 2};

  const auto email = MakeEvidence("email", 0.97, 300, 291, 291, {"j***@e***.nl", "m***@g***.com"});
  const auto bsn = MakeEvidence("bsn", 0.99, 120, 120, 118, {"1****782", "2****310"}, true);
  const auto health = MakeEvidence("health_term", 0.7, 800, 0, 0, {"... b***-o** ..."}, false, 37);
  const auto phone_in_text = MakeEvidence("phone", 0.6, 800, 0, 52, {"06-****5678"}, false, 61);
  const auto iban = MakeEvidence("iban", 0.95, 120, 119, 119, {"NL** ABNA **** **** 12"}, true);

  scan::TableReport candidates;
  candidates.name = "candidates";
  candidates.row_count = 300;
  candidates.row_count_exact = true;
  candidates.rows_scanned = 300;
  candidates.columns = {
      MakeColumn("id", "integer", "none", "", 300),
      MakeColumn("full_name", "text", "contact", "contact", 300,
                 {MakeEvidence("person_name", 0.92, 300, 284, 0, {"J*** d* V***"}, true)}),
      MakeColumn("email", "text", "contact", "contact", 300, {email}),
      MakeColumn("private_email_2", "text", "", "contact", 300, {email}),
      MakeColumn("date_of_birth", "date", "contact", "identity", 298,
                 {MakeEvidence("birth_date", 0.9, 298, 298, 298, {"19**-**-**"}, true)}),
      MakeColumn("last_active", "date", "none", "", 300),
  };
  scan::TableReport notes;
  notes.name = "candidate_notes";
  notes.row_count = 800;
  notes.row_count_exact = true;
  notes.rows_scanned = 800;
  notes.columns = {
      MakeColumn("id", "integer", "none", "", 800),
      MakeColumn("body", "text", "career", "special_health", 800, {health, phone_in_text}, true),
  };
  scan::TableReport employees;
  employees.name = "employees";
  employees.row_count = 120;
  employees.row_count_exact = true;
  employees.rows_scanned = 120;
  employees.columns = {
      MakeColumn("bsn", "text", "identity", "identity", 120, {bsn}),
      MakeColumn("iban", "text", "payroll", "payroll", 120, {iban}),
  };
  scan::TableReport placements;
  placements.name = "placements";
  placements.row_count = 11620;
  placements.row_count_exact = false;
  placements.rows_scanned = 11620;
  placements.columns = {MakeColumn("client_contact", "text", "none", "contact", 11620,
                                   {MakeEvidence("email", 0.88, 11620, 10400, 10400, {"h***@a***.nl"})})};
  r.tables = {candidates, notes, employees, placements};

  auto f1 = MakeFinding(scan::kCodeUndeclared, Severity::kError, "candidates", "private_email_2", "contact",
                        "Column holds e-mail addresses (contact) that the policy does not declare.",
                        "Declare it under datasets.candidates.columns with a category, or drop the column.");
  f1.evidence = {email};
  f1.policy_rule = "datasets.candidates";
  f1.policy_location = "policies/staffing.yaml:14:5";
  auto f2 = MakeFinding(scan::kCodeNoArt9Condition, Severity::kError, "candidate_notes", "body", "special_health",
                        "Notes mention health conditions, but the policy names no Art. 9(2) condition.",
                        "Add an art9_condition (e.g. explicit_consent) to the category, or stop recording it.");
  f2.evidence = {health};
  f2.count = 37;
  f2.policy_rule = "datasets.candidate_notes.columns.body";
  f2.policy_location = "policies/staffing.yaml:31:9";
  auto f3 = MakeFinding(scan::kCodeNationalIdWithoutLaw, Severity::kError, "employees", "bsn", "identity",
                        "BSN stored without a legal obligation in the policy.",
                        "Name the law that requires it (legal_basis: legal_obligation, law: Wet LB 1964).");
  f3.evidence = {bsn};
  f3.policy_rule = "categories.identity";
  f3.policy_location = "policies/staffing.yaml:52:3";
  auto f4 = MakeFinding(scan::kCodeRetentionExpired, Severity::kError, "candidates", "", "contact",
                        "42 candidates inactive for more than 2 years are still stored.",
                        "Run 'dpo retention plan' and apply it, after review.");
  f4.count = 42;
  f4.policy_rule = "retention.candidate_inactive";
  f4.policy_location = "policies/staffing.yaml:70:7";
  auto f5 = MakeFinding(scan::kCodeCategoryMismatch, Severity::kWarning, "candidates", "date_of_birth", "identity",
                        "Declared as contact, but the values look like identity data (birth dates).",
                        "Change the declared category to identity.");
  f5.evidence = {MakeEvidence("birth_date", 0.9, 298, 298, 298, {"19**-**-**"}, true)};
  f5.policy_location = "policies/staffing.yaml:19:9";
  auto f6 = MakeFinding(scan::kCodeFreeText, Severity::kWarning, "candidate_notes", "body", "contact",
                        "Free-text notes contain phone numbers.",
                        "Move contact details to structured columns; minimise notes.");
  f6.evidence = {phone_in_text};
  f6.count = 61;
  auto f7 = MakeFinding(scan::kCodeMissingColumn, Severity::kWarning, "candidates", "linkedin_url", "career",
                        "The policy declares candidates.linkedin_url, but the table has no such column.",
                        "Fix the column name in the policy or remove the declaration.");
  f7.policy_rule = "datasets.candidates.columns.linkedin_url";
  f7.policy_location = "policies/staffing.yaml:22:9";
  auto f8 = MakeFinding(scan::kCodeUndeclared, Severity::kError, "placements", "client_contact", "contact",
                        "Column declared as not personal holds e-mail addresses.",
                        "Declare it as contact data of client contact persons.");
  f8.evidence = {placements.columns[0].evidence};
  r.findings = {f2, f4, f1, f3, f8, f6, f5, f7};  // severity desc, then table, column
  return r;
}

// Discovery mode (no policy) over a CSV export, sampled.
inline scan::ScanResult DiscoveryResult() {
  using scan::Severity;
  scan::ScanResult r;
  r.source = "exports/";
  r.source_kind = "csv";
  r.as_of = "2026-03-01";
  r.mode = "sample";
  r.sample_rows = 1000;
  r.stats = {1800, 250000, 0.31, 1};

  scan::TableReport people;
  people.name = "people";
  people.file = "exports/people.csv";
  people.row_count = 1000;
  people.row_count_exact = true;
  people.rows_scanned = 1000;
  people.columns = {
      MakeColumn("naam", "text", "", "contact", 1000, {MakeEvidence("person_name", 0.9, 1000, 951, 0, {"P*** J*****"}, true)}),
      MakeColumn("telefoon", "text", "", "contact", 990,
                 {MakeEvidence("phone", 0.96, 990, 978, 978, {"06-****1234", "+31 ** *** **12"}, true)}),
      MakeColumn("iban", "text", "", "payroll", 1000, {MakeEvidence("iban", 0.99, 1000, 1000, 1000, {"NL** INGB **** **** 34"})}),
      MakeColumn("status", "text", "", "", 1000),
  };
  scan::TableReport visits;
  visits.name = "visits";
  visits.file = "exports/visits.csv";
  visits.row_count = 800;
  visits.row_count_exact = true;
  visits.rows_scanned = 800;
  visits.columns = {
      MakeColumn("ip", "text", "", "technical", 800, {MakeEvidence("ipv4", 0.98, 800, 800, 800, {"192.168.*.*"})}),
      MakeColumn("page", "text", "", "", 800),
  };
  r.tables = {people, visits};

  for (const scan::TableReport& t : r.tables)
    for (const scan::ColumnReport& c : t.columns) {
      if (c.discovered_category.empty()) continue;
      auto f = MakeFinding(scan::kCodePersonalData, Severity::kNote, t.name, c.name, c.discovered_category,
                           "Column holds " + c.discovered_category + " data.",
                           "Declare it in a policy with a purpose, legal basis and retention period.");
      f.file = t.file;
      f.line = 2;
      f.evidence = c.evidence;
      r.findings.push_back(f);
    }
  return r;
}

inline constexpr const char* kHostileTable = "<script>alert(1)</script>";
inline constexpr const char* kHostileColumn = "\"a\"b";
inline constexpr const char* kHostileFile = "exports/<img src=x onerror=alert(2)>.csv";

// Names chosen to break out of every medium: HTML tags, quotes, Markdown
// table pipes and emphasis, terminal escape sequences, invalid UTF-8.
inline scan::ScanResult HostileResult() {
  scan::ScanResult r = DiscoveryResult();
  r.source = "exports/<b>x</b>";
  r.tables[0].name = kHostileTable;
  r.tables[0].file = kHostileFile;
  r.tables[0].columns[0].name = kHostileColumn;
  r.tables[0].columns[1].name = "pipe|col*_`[x](javascript:alert(3))";
  r.tables[0].columns[2].name = "esc\x1b]0;pwned\x07\x1b[31mred";
  r.tables[1].name = "bad\xff\xfeutf8";
  for (scan::Finding& f : r.findings) {
    if (f.table == "people") {
      if (f.column == "naam") f.column = kHostileColumn;
      else if (f.column == "telefoon") f.column = "pipe|col*_`[x](javascript:alert(3))";
      else if (f.column == "iban") f.column = "esc\x1b]0;pwned\x07\x1b[31mred";
      f.table = kHostileTable;
      f.file = kHostileFile;
    } else {
      f.table = "bad\xff\xfeutf8";
    }
  }
  // Policy mode too, so the policy location is rendered.
  r.policy_file = "policies/<i>p</i>.yaml";
  r.findings[0].code = scan::kCodeUndeclared;
  r.findings[0].severity = scan::Severity::kError;
  r.findings[0].policy_location = "policies/<i>p</i>.yaml:3:1";
  return r;
}

}  // namespace dpo::report::testing
