// Internal to lib/scan: a scan's checks against its policy. Each adds its
// findings to the result (codes and severities from scan/rules.h) and
// changes nothing in the source; the queries they run are read-only.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "detect/column_classifier.h"
#include "plan/cascade.h"
#include "policy/policy.h"
#include "scan/finding.h"
#include "scan/scanner.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::scan {

// A policy location as findings carry it ("policy.yaml:12:5"); "" when the
// policy was not read from a file.
std::string PolicyLocation(const policy::Location& location);

// One classified column against its dataset's declarations (dataset may be
// null: a table the policy does not declare; in discovery mode, with no
// policy, a note per column with personal data): undeclared personal data,
// special-category, criminal and BSN data without their legal ground, a
// category other than the declared one, personal data in free text.
void CheckColumnAgainstPolicy(const ScanOptions& options, const TableReport& table, ColumnReport* column,
                              const policy::Dataset* dataset, const detect::ColumnVerdict& verdict,
                              ScanResult* result);

// Datasets and column mappings of the policy that the source lacks (of the
// scanned tables only, when the scan was limited to some).
void CheckDeclaredShape(const std::string& source_name, const policy::Policy& policy, const ScanOptions& options,
                        const std::set<std::string>& scanned, const std::set<std::string>& present,
                        const std::map<std::string, source::Table>& described, ScanResult* result);

// Every table of the source, described (those the scan described are
// reused), with the relations the policy declares: a rule may count from
// another table, and a legal hold reaches the rows that belong to a held row.
Result<plan::SchemaGraph> SchemaOf(source::Source& src, const policy::Policy& policy,
                                   const std::vector<std::string>& all_tables,
                                   const std::map<std::string, source::Table>& described);

// Rows past each retention rule of a scanned dataset, counted in the
// database as of options.as_of (legal holds excepted). `graph` is loaded on
// first need and shared with CheckConsent.
Status CheckRetention(source::Source& src, const policy::Policy& policy, const std::set<std::string>& tables,
                      const std::vector<std::string>& all_tables,
                      const std::map<std::string, source::Table>& described, const ScanOptions& options,
                      std::optional<plan::SchemaGraph>& graph, ScanResult* result);

// Data held for consent-based purposes without a standing consent
// (consent_check.h computes them; this turns them into findings).
Status CheckConsent(source::Source& src, const policy::Policy& policy, const std::vector<std::string>& all_tables,
                    const std::map<std::string, source::Table>& described, std::optional<plan::SchemaGraph>& graph,
                    ScanResult* result);

// Recipients that may receive special-category or criminal data no purpose
// grounds for them.
void CheckRecipients(const policy::Policy& policy, ScanResult* result);

}  // namespace dpo::scan
