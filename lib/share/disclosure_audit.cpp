#include "share/disclosure_audit.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/audit_log.h"

namespace dpo::share {
namespace {

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string DisclosureNote(const DisclosureScope& scope, const ExportTable& table, const TableResult& result,
                           const DisclosureFacts& facts) {
  std::vector<std::string> columns;
  for (const ExportColumn& c : table.columns)
    columns.push_back(c.name + " (" + c.category +
                      (c.anonymise && c.anonymise->op.ChangesValues() ? ", " + c.anonymise->op.Name()
                       : c.free_text                                  ? std::string(", free text redacted")
                                                                      : std::string()) +
                      ")");
  std::string note = "disclosed to recipient " + scope.recipient;
  if (!scope.recipient_type.empty() || !scope.country.empty())
    note += " (" + scope.recipient_type + (scope.recipient_type.empty() ? "" : ", ") + scope.country + ")";
  note += "; purpose " + scope.purpose + "; legal basis " + scope.legal_basis;
  if (scope.transfer) note += "; transfer to " + scope.transfer->country + " under " + scope.transfer->safeguard;
  note += "; categories " + Joined(scope.categories) + "; columns " + Joined(columns);
  if (!facts.selection.empty()) note += "; rows chosen by " + facts.selection;
  if (table.consent)
    note += "; only people whose consent for " + table.consent->purpose + " stands (" +
            std::to_string(result.without_consent) + " row(s) kept back)";
  if (result.redacted_spans > 0)
    note += "; " + std::to_string(result.redacted_spans) + " identifier(s) or term(s) in free text replaced";
  note += "; format " + facts.format;
  if (facts.anonymised) note += "; anonymised";
  if (result.keys_hmac.empty()) note += "; no key given, so keys_hmac is empty";
  return note;
}

Status CheckAuditLog(const std::string& path) {
  if (path.empty())
    return Status::Error("--audit-log FILE is required: a disclosure must be recorded (Art. 30(1)(d), Art. 5(2)); "
                         "give the audit log to append to (created 0600 if missing)",
                         StatusCode::kInvalidArgument);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return Status::Error("--audit-log " + path + ": " + std::strerror(errno) + "; check the path and its permissions",
                           StatusCode::kIoError);
    std::filesystem::path p(path);
    std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      return Status::Error("--audit-log " + path + ": cannot create it in " + dir + " (" + std::strerror(errno) +
                               "); give a log in a directory you can write",
                           StatusCode::kIoError);
    return Status::Ok();
  }
  if (!S_ISREG(st.st_mode))
    return Status::Error("--audit-log " + path + " is not a regular file; give the path of an audit log",
                         StatusCode::kInvalidArgument);
  if (::access(path.c_str(), W_OK) != 0)
    return Status::Error("--audit-log " + path + ": " + std::strerror(errno) + "; give a log you can append to",
                         StatusCode::kIoError);
  Result<plan::VerifyReport> verified = plan::VerifyAuditLog(path);
  if (!verified.ok()) return verified.status().WithContext("--audit-log");
  if (!verified->ok)
    return Status::Error("--audit-log " + path + " is damaged at line " + std::to_string(verified->bad_line) + " (" +
                             verified->problem + "); run 'dpo audit verify " + path +
                             "' and start a new log rather than append to a damaged one",
                         StatusCode::kInvalidArgument);
  return Status::Ok();
}

Status AppendDisclosureAudit(const std::string& path, const DisclosureScope& scope,
                             const std::vector<ExportTable>& tables, const std::vector<TableResult>& results,
                             const DisclosureFacts& facts) {
  for (size_t i = 0; i < tables.size() && i < results.size(); ++i) {
    plan::AuditEntry e;
    e.command = "export";
    e.policy_sha256 = facts.policy_sha256;
    e.source = facts.source;
    e.rule = scope.recipient;
    e.table = tables[i].table;
    e.action = "disclose";
    e.rows = results[i].rows;
    e.keys_hmac = results[i].keys_hmac;
    e.note = DisclosureNote(scope, tables[i], results[i], facts);
    DPO_RETURN_IF_ERROR(plan::AppendAudit(path, std::move(e)));
  }
  return Status::Ok();
}

}  // namespace dpo::share
