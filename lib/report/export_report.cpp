#include "report/export_report.h"

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dsar/subject_data.h"
#include "report/dsar_report.h"
#include "report/escape.h"

namespace dpo::report {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& j) {
  // Replace, not throw: a source may hold bytes that are not UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

dsar::DatasetRows AsDataset(const share::ExportTable& table) {
  dsar::DatasetRows d;
  d.table = table.table;
  for (const share::ExportColumn& c : table.columns) {
    d.columns.push_back(c.name);
    d.types.push_back(c.type);
  }
  return d;
}

std::string Plural(int64_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + TerminalSafe(s);
  return out;
}

}  // namespace

std::string RenderExportCsvHeader(const share::ExportTable& table) { return RenderDatasetCsv(AsDataset(table)); }

std::string RenderExportCsvRows(const share::ExportTable& table, const std::vector<share::Row>& rows) {
  // The access package's CSV writer, without its header row: one rule for
  // every CSV dpo hands to a person.
  dsar::DatasetRows d = AsDataset(table);
  const size_t header = RenderDatasetCsv(d).size();
  d.rows = rows;
  return RenderDatasetCsv(d).substr(header);
}

std::string ExportJson::Begin(const share::DisclosureScope& scope, const std::string& as_of, bool anonymised) {
  Json head = Json::object();
  head["format"] = "dpo-export/1";
  head["recipient"] = Json{{"id", scope.recipient},
                           {"description", scope.recipient_description},
                           {"type", scope.recipient_type},
                           {"country", scope.country}};
  head["purpose"] = Json{{"id", scope.purpose}, {"description", scope.purpose_description}};
  head["legal_basis"] = scope.legal_basis;
  head["transfer"] = scope.transfer ? Json{{"country", scope.transfer->country}, {"safeguard", scope.transfer->safeguard}}
                                    : Json(nullptr);
  head["as_of"] = as_of;
  head["categories"] = scope.categories;
  head["anonymised"] = anonymised;
  std::string text = Dump(head);
  text.pop_back();  // the closing brace: tables follow
  first_table_ = true;
  return text + ",\n\"tables\":[";
}

std::string ExportJson::BeginTable(const share::ExportTable& table) {
  Json columns = Json::array();
  for (const share::ExportColumn& c : table.columns)
    columns.push_back(Json{{"name", c.name}, {"type", source::TypeClassName(c.type)}, {"category", c.category}});
  std::string text = first_table_ ? "\n" : ",\n";
  first_table_ = false;
  first_row_ = true;
  return text + "{\"table\":" + Dump(table.table) + ",\"columns\":" + Dump(columns) + ",\n\"rows\":[";
}

std::string ExportJson::Rows(const std::vector<share::Row>& rows) {
  std::string out;
  for (const share::Row& row : rows) {
    Json r = Json::array();
    for (const share::Cell& c : row) r.push_back(c ? Json(*c) : Json(nullptr));
    out += first_row_ ? "\n" : ",\n";
    first_row_ = false;
    out += Dump(r);
  }
  return out;
}

std::string ExportJson::EndTable(int64_t rows) { return "\n],\"row_count\":" + std::to_string(rows) + "}"; }

std::string ExportJson::End() { return "\n]}\n"; }

std::string RenderExportText(const share::DisclosureScope& scope, const std::vector<share::ExportTable>& tables,
                             const std::vector<share::TableResult>& results) {
  std::ostringstream o;
  o << "recipient " << TerminalSafe(scope.recipient);
  if (!scope.recipient_type.empty() || !scope.country.empty())
    o << " (" << TerminalSafe(scope.recipient_type) << (scope.recipient_type.empty() ? "" : ", ")
      << TerminalSafe(scope.country) << ")";
  o << ", purpose " << TerminalSafe(scope.purpose) << " (legal basis " << TerminalSafe(scope.legal_basis) << ")";
  if (scope.transfer)
    o << ", transfer to " << TerminalSafe(scope.transfer->country) << " under " << TerminalSafe(scope.transfer->safeguard);
  o << "\ncategories: " << Joined(scope.categories) << "\n";
  for (size_t i = 0; i < tables.size(); ++i) {
    const share::ExportTable& t = tables[i];
    const share::TableResult* r = i < results.size() ? &results[i] : nullptr;
    o << TerminalSafe(t.table) << ": " << Plural(static_cast<int64_t>(t.columns.size()), "column");
    if (r != nullptr) {
      o << ", " << Plural(r->rows, "row");
      if (t.consent && r->without_consent > 0)
        o << " (" << Plural(r->without_consent, "row") << " kept back: no standing consent for "
          << TerminalSafe(t.consent->purpose) << ")";
      else if (t.consent)
        o << " (each with a standing consent for " << TerminalSafe(t.consent->purpose) << ")";
      if (r->redacted_spans > 0)
        o << "; " << r->redacted_spans << " identifier(s) or term(s) in free text replaced";
    }
    o << "\n";
    // Columns by category, in the scope's order; the key (none) last.
    std::vector<std::string> order = scope.categories;
    order.push_back("none");
    for (const std::string& category : order) {
      std::vector<std::string> names;
      for (const share::ExportColumn& c : t.columns) {
        if (c.category != category) continue;
        std::string name = c.name;
        if (c.anonymise && c.anonymise->op.ChangesValues()) name += " -> " + c.anonymise->op.Name();
        else if (c.free_text) name += " (free text, redacted)";
        names.push_back(name);
      }
      if (!names.empty())
        o << "  " << TerminalSafe(category == "none" ? std::string("key (none)") : category) << ": " << Joined(names)
          << "\n";
    }
  }
  return o.str();
}

}  // namespace dpo::report
