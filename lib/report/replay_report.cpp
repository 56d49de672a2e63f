#include "report/replay_report.h"
#include "report/skipped_rows.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "util/message.h"

namespace dpo::report {
namespace {

std::string Rows(int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

}  // namespace

std::string RenderReplayText(const plan::ReplayReport& report, const std::string& source, bool steps) {
  std::ostringstream out;
  out << (report.dry_run ? "ledger replay (dry run) of " : "ledger replay of ") << util::EscapeForMessage(source, 512)
      << " (key id " << report.key_id << ")\n";
  if (report.tables.empty()) {
    out << "  no row of this source is in the ledger\n";
  } else {
    const std::vector<std::string> head = {"table",      "tombstones", "found", "deleted", "anonymised",
                                           "restricted", "unlinked",   "held",  "done",    "left"};
    std::vector<std::vector<std::string>> rows = {head};
    for (const plan::ReplayTable& t : report.tables) {
      rows.push_back({util::EscapeForMessage(t.table, 128), std::to_string(t.tombstones), std::to_string(t.found),
                      std::to_string(t.deleted), std::to_string(t.anonymised), std::to_string(t.restricted),
                      std::to_string(t.unlinked), std::to_string(t.held + t.kept_for_children),
                      std::to_string(t.already), std::to_string(t.blocked + t.skipped)});
    }
    std::vector<size_t> width(head.size(), 0);
    for (const auto& row : rows)
      for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : rows) {
      out << "  ";
      for (size_t i = 0; i < row.size(); ++i) {
        if (i == 0) {
          out << row[i] << std::string(width[i] - row[i].size(), ' ');
        } else {
          out << "  " << std::string(width[i] - row[i].size(), ' ') << row[i];
        }
      }
      out << "\n";
    }
  }
  if (steps && !report.steps.empty()) {
    out << "\n";
    for (const plan::ReplayStep& s : report.steps)
      out << "  " << std::string(static_cast<size_t>(s.depth) * 2, ' ') << s.action << " " << Rows(s.rows) << " of "
          << util::EscapeForMessage(s.table, 128) << "  [" << util::EscapeForMessage(s.rule, 128) << "]"
          << (s.via.empty() ? "" : "  via " + util::EscapeForMessage(s.via, 256)) << "\n";
  }
  int64_t found = 0, held = 0, left = 0, not_found = 0, deleted = 0, anonymised = 0, restricted = 0, unlinked = 0;
  for (const plan::ReplayTable& t : report.tables) {
    found += t.found;
    held += t.held + t.kept_for_children;
    left += t.blocked + t.skipped;
    not_found += t.not_found;
    deleted += t.deleted;
    anonymised += t.anonymised;
    restricted += t.restricted;
    unlinked += t.unlinked;
  }
  out << (report.dry_run ? "dry run: " : "") << Rows(found) << " found in the ledger; "
      << (report.dry_run ? "would change " : "changed ") << Rows(report.total);
  if (report.total > 0) {
    std::string parts;
    for (const auto& [n, what] : {std::pair<int64_t, const char*>{deleted, "deleted"}, {anonymised, "anonymised"},
                                  {restricted, "restricted"}, {unlinked, "unlinked"}})
      if (n > 0) parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + what;
    out << " (" << parts << ")";
  }
  if (held > 0) out << "; " << Rows(held) << " kept by legal holds";
  if (left > 0) out << "; " << Rows(left) << " left (see the warnings)";
  if (not_found > 0)
    out << "; " << not_found << (not_found == 1 ? " tombstone names" : " tombstones name") << " no row here (gone)";
  if (report.dry_run) out << "; rolled back, nothing was changed";
  if (report.audit_entries > 0) out << "; " << report.audit_entries << " audit entries";
  out << "\n";
  for (const source::SkippedRows& s : report.unread)
    out << "not read: " << util::EscapeForMessage(s.table, 256) << ": " << SkippedRowsSentence(s.count, s.first_lines)
        << "; an erased row among them cannot be recognised: repair them and replay again\n";
  return out.str();
}

std::string RenderReplayJson(const plan::ReplayReport& report, const std::string& source) {
  using nlohmann::json;
  json tables = json::array();
  for (const plan::ReplayTable& t : report.tables)
    tables.push_back({{"table", t.table},
                      {"tombstones", t.tombstones},
                      {"found", t.found},
                      {"not_found", t.not_found},
                      {"deleted", t.deleted},
                      {"anonymised", t.anonymised},
                      {"restricted", t.restricted},
                      {"unlinked", t.unlinked},
                      {"held", t.held},
                      {"kept_for_children", t.kept_for_children},
                      {"already", t.already},
                      {"blocked", t.blocked},
                      {"skipped", t.skipped}});
  json steps = json::array();
  for (const plan::ReplayStep& s : report.steps)
    steps.push_back({{"rule", s.rule},
                     {"table", s.table},
                     {"action", s.action},
                     {"depth", s.depth},
                     {"via", s.via},
                     {"rows", s.rows}});
  json out = {{"format", "dpo-ledger-replay"},
              {"format_version", 1},
              {"source", source},
              {"dry_run", report.dry_run},
              {"key_id", report.key_id},
              {"ledger_tombstones", report.ledger_tombstones},
              {"other_key_tombstones", report.other_key_tombstones},
              {"unknown_table_tombstones", report.unknown_table_tombstones},
              {"tables", tables},
              {"steps", steps},
              {"blocked", report.blocked},
              {"skipped", report.skipped},
              {"total", report.total},
              {"audit_entries", report.audit_entries}};
  json unread = json::array();
  for (const source::SkippedRows& s : report.unread)
    unread.push_back({{"table", s.table}, {"file", s.location}, {"rows", s.count}, {"first_lines", s.first_lines}});
  out["skipped_rows"] = unread;
  // Replace invalid UTF-8 (a table name from the data) rather than throw.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace dpo::report
