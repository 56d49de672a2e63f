#include "report/inspect_report.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "report/escape.h"
#include "report/skipped_rows.h"

namespace dpo::report {

namespace {

// Names are data: escape C0 and C1 control characters and DEL so they print
// on one line and never drive the terminal (U+009B is a one-character CSI).
std::string Printable(const std::string& s) { return TerminalSafe(s); }

// Display width in terminal columns, counting UTF-8 code points.
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

std::string Pad(const std::string& s, size_t width) {
  size_t w = Width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string RowCountText(const source::RowCount& count) {
  if (count.rows < 0) return "? rows";
  std::string text = (count.exact ? "" : "~") + Grouped(count.rows) + (count.rows == 1 ? " row" : " rows");
  return text;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + Printable(names[i]);
  return out;
}

}  // namespace

static const source::SkippedRows* SkippedOf(const InspectReport& report, const std::string& table) {
  for (const source::SkippedRows& s : report.skipped)
    if (s.table == table && s.count > 0) return &s;
  return nullptr;
}

std::string RenderInspectText(const InspectReport& report) {
  std::string out = "Source: " + Printable(report.source_name) + " (" + report.source_kind + "), " +
                    std::to_string(report.tables.size()) + (report.tables.size() == 1 ? " table\n" : " tables\n");
  for (const source::Table& table : report.tables) {
    out += "\n" + Printable(table.name) + "  (" + RowCountText(table.row_count) + ")";
    if (!table.location.empty()) out += "  " + Printable(table.location);
    out += "\n";
    std::vector<std::vector<std::string>> rows = {{"column", "type", "declared", "null", "key"}};
    for (const source::Column& c : table.columns) {
      std::string type = source::TypeClassName(c.type);
      if (c.type_inferred) type += " (inferred)";
      std::string key = c.primary_key_position > 0
                            ? (table.primary_key.size() > 1 ? "PK" + std::to_string(c.primary_key_position) : "PK")
                            : "";
      for (const source::ForeignKey& fk : table.foreign_keys)
        if (std::find(fk.columns.begin(), fk.columns.end(), c.name) != fk.columns.end()) {
          key += key.empty() ? "FK" : ",FK";
          break;
        }
      // CSV declares nothing: say what the rows read showed, marked as a guess.
      std::string null = c.empty_values_seen ? (*c.empty_values_seen ? "yes (seen)" : "no (none seen)")
                                             : (c.nullable ? "yes" : "no");
      rows.push_back({Printable(c.name), type, Printable(c.declared_type), null, key});
    }
    std::vector<size_t> widths(5, 0);
    for (const auto& row : rows)
      for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
    for (const auto& row : rows) {
      std::string line = "  ";
      for (size_t i = 0; i < row.size(); ++i) line += (i + 1 < row.size() ? Pad(row[i], widths[i] + 2) : row[i]);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    if (!table.primary_key.empty()) out += "  primary key: " + JoinNames(table.primary_key) + "\n";
    for (const source::ForeignKey& fk : table.foreign_keys) {
      out += "  relation: (" + JoinNames(fk.columns) + ") -> " + Printable(fk.referenced_table) + "(" +
             JoinNames(fk.referenced_columns) + ")";
      if (fk.origin != "schema") out += "  [" + Printable(fk.origin) + "]";
      out += "\n";
    }
    if (const source::SkippedRows* s = SkippedOf(report, table.name))
      out += "  warning: " + SkippedRowsSentence(s->count, s->first_lines) + "; they are not counted\n";
  }
  return out;
}

std::string RenderInspectJson(const InspectReport& report) {
  using json = nlohmann::ordered_json;  // keys in the documented order
  json tables = json::array();
  for (const source::Table& table : report.tables) {
    json columns = json::array();
    for (const source::Column& c : table.columns)
      columns.push_back({{"name", c.name},
                         {"declared_type", c.declared_type},
                         {"type", source::TypeClassName(c.type)},
                         {"type_inferred", c.type_inferred},
                         {"nullable", c.empty_values_seen ? *c.empty_values_seen : c.nullable},
                         {"nullable_inferred", c.empty_values_seen.has_value()},
                         {"primary_key_position", c.primary_key_position}});
    json fks = json::array();
    for (const source::ForeignKey& fk : table.foreign_keys)
      fks.push_back({{"columns", fk.columns},
                     {"referenced_table", fk.referenced_table},
                     {"referenced_columns", fk.referenced_columns},
                     {"origin", fk.origin}});
    json count = {{"rows", table.row_count.rows < 0 ? json(nullptr) : json(table.row_count.rows)},
                  {"exact", table.row_count.exact}};
    const source::SkippedRows* skipped = SkippedOf(report, table.name);
    tables.push_back({{"name", table.name},
                      {"location", table.location},
                      {"row_count", count},
                      {"primary_key", table.primary_key},
                      {"columns", columns},
                      {"foreign_keys", fks},
                      {"rows_skipped", skipped ? skipped->count : 0},
                      {"skipped_lines", skipped ? skipped->first_lines : std::vector<int64_t>{}}});
  }
  json doc = {{"schema", "dpo.inspect/1"},
              {"source", {{"kind", report.source_kind}, {"name", report.source_name}}},
              {"tables", tables}};
  // Names from a database need not be valid UTF-8; replace bad bytes rather than throw.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace dpo::report
