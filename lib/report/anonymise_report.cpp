#include "report/anonymise_report.h"
#include "report/skipped_rows.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "report/escape.h"

namespace dpo::report {
namespace {

using anonymise::ExportOperator;

std::string Plural(int64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

void KText(std::ostringstream& o, const anonymise::KAnonymity& k) {
  std::string cols;
  for (size_t i = 0; i < k.columns.size(); ++i) {
    cols += (i ? ", " : "") + TerminalSafe(k.columns[i]);
    if (i < k.final_operators.size() && i < k.operators.size() && k.final_operators[i] != k.operators[i])
      cols += " (" + k.operators[i] + " -> " + k.final_operators[i] + ")";
  }
  o << "  " << TerminalSafe(k.table) << ": k = " << k.k << " over " << Plural(k.rows, "row") << " in "
    << Plural(k.classes, "combination") << " of " << cols;
  if (k.k_wanted > 1) {
    o << "; wanted " << k.k_wanted << " (k was " << k.k_before << " with the policy's operators)";
    if (k.suppressed_rows > 0) o << ", " << Plural(k.suppressed_rows, "row") << " suppressed";
  }
  o << "\n";
}

}  // namespace

std::string RenderExportPlanText(const anonymise::ExportPlan& plan) {
  std::ostringstream o;
  int64_t kept = 0;
  for (const anonymise::TablePlan& t : plan.tables) {
    std::ostringstream lines;
    for (const anonymise::ColumnChoice& c : t.columns) {
      if (c.op.kind == ExportOperator::Kind::kKeep && !c.undeclared && !c.quasi_identifier) {
        ++kept;
        continue;
      }
      lines << "    " << TerminalSafe(c.column.name) << ": " << TerminalSafe(c.op.Name()) << "  ("
            << TerminalSafe(c.reason) << (c.quasi_identifier ? "; quasi-identifier" : "") << ")\n";
    }
    std::string body = lines.str();
    o << TerminalSafe(t.table.name) << (body.empty() ? ": every column kept\n" : ":\n") << body;
  }
  o << "\n" << Plural(kept, "column") << " kept as they are (declared none, or nothing personal found); "
    << Plural(plan.undeclared_columns, "undeclared personal column") << " treated by default\n";
  for (const std::string& w : plan.warnings) o << "warning: " << TerminalSafe(w) << "\n";
  return o.str();
}

std::string RenderExportSummaryText(const anonymise::ExportSummary& summary) {
  std::ostringstream o;
  o << "wrote " << TerminalSafe(summary.destination) << ": " << Plural(static_cast<int64_t>(summary.tables.size()), "table")
    << ", " << Plural(summary.rows, "row") << "\n";
  for (const anonymise::TableSummary& t : summary.tables) {
    o << "  " << TerminalSafe(t.table) << ": " << Plural(t.rows, "row");
    std::string parts;
    for (const anonymise::ColumnSummary& c : t.columns) {
      if (c.op == "keep") continue;
      parts += "\n    " + TerminalSafe(c.column) + ": " + TerminalSafe(c.op);
      if (c.op == "drop") {
        parts += " (column left out)";
        continue;
      }
      std::string counts = std::to_string(c.counts.changed) + " changed";
      if (c.counts.nulled > 0) counts += ", " + std::to_string(c.counts.nulled) + " set to NULL";
      if (c.counts.spans > 0) counts += ", " + Plural(c.counts.spans, "span") + " redacted";
      parts += " (" + counts + (c.undeclared ? "; not in the policy" : "") + ")";
    }
    o << parts << "\n";
  }
  o << Plural(summary.undeclared_columns, "column") << " the policy does not mention held personal data and "
    << (summary.undeclared_columns == 1 ? "was" : "were") << " anonymised by default\n";
  if (!summary.k_anonymity.empty()) {
    o << "k-anonymity:\n";
    for (const anonymise::KAnonymity& k : summary.k_anonymity) KText(o, k);
  }
  for (const std::string& w : summary.warnings) o << "warning: " << TerminalSafe(w) << "\n";
  for (const source::SkippedRows& s : summary.skipped)
    o << "not exported: " << TerminalSafe(s.table) << ": " << SkippedRowsSentence(s.count, s.first_lines)
      << "; the export leaves them out\n";
  return o.str();
}

std::string RenderExportSummaryJson(const anonymise::ExportSummary& summary) {
  using nlohmann::json;
  json j = {{"format", "dpo-anonymise-summary/1"},
            {"destination", summary.destination},
            {"rows", summary.rows},
            {"undeclared_columns", summary.undeclared_columns}};
  json tables = json::array();
  for (const anonymise::TableSummary& t : summary.tables) {
    json cols = json::array();
    for (const anonymise::ColumnSummary& c : t.columns)
      cols.push_back({{"column", c.column},
                      {"operator", c.op},
                      {"reason", c.reason},
                      {"undeclared", c.undeclared},
                      {"changed", c.counts.changed},
                      {"nulled", c.counts.nulled},
                      {"spans", c.counts.spans}});
    tables.push_back({{"table", t.table}, {"rows", t.rows}, {"columns", cols}});
  }
  j["tables"] = tables;
  json ks = json::array();
  for (const anonymise::KAnonymity& k : summary.k_anonymity)
    ks.push_back({{"table", k.table},
                  {"columns", k.columns},
                  {"operators", k.operators},
                  {"final_operators", k.final_operators},
                  {"rows", k.rows},
                  {"classes", k.classes},
                  {"k_before", k.k_before},
                  {"k", k.k},
                  {"k_wanted", k.k_wanted},
                  {"suppressed_rows", k.suppressed_rows}});
  j["k_anonymity"] = ks;
  j["warnings"] = summary.warnings;
  if (!summary.skipped.empty()) {
    json skipped = json::array();
    for (const source::SkippedRows& s : summary.skipped)
      skipped.push_back({{"table", s.table}, {"file", s.location}, {"rows", s.count}, {"first_lines", s.first_lines}});
    j["skipped_rows"] = skipped;
  }
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string RenderExportPlanJson(const anonymise::ExportPlan& plan) {
  using nlohmann::json;
  json tables = json::array();
  for (const anonymise::TablePlan& t : plan.tables) {
    json cols = json::array();
    for (const anonymise::ColumnChoice& c : t.columns)
      cols.push_back({{"column", c.column.name},
                      {"operator", c.op.Name()},
                      {"reason", c.reason},
                      {"kind", c.kind},
                      {"category", c.category},
                      {"undeclared", c.undeclared},
                      {"quasi_identifier", c.quasi_identifier}});
    tables.push_back({{"table", t.table.name}, {"columns", cols}});
  }
  json j = {{"format", "dpo-anonymise-plan/1"},
            {"tables", tables},
            {"undeclared_columns", plan.undeclared_columns},
            {"warnings", plan.warnings}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace dpo::report
