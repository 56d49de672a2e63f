// Recording a disclosure in the audit log (Art. 30(1)(d): the recipients
// personal data is disclosed to; Art. 5(2): being able to show it): one
// hash-chained entry per exported table (plan/audit_log.h), command
// "export", action "disclose", rule = the recipient's id, the row count, the
// keyed digest of the rows' keys, and a note naming recipient, purpose,
// legal basis, categories, columns, how the rows were chosen and the format.
// Never a value: no --where literal, no --subject value, no output path
// (a file may be named after the person it is about).
#pragma once

#include <string>
#include <vector>

#include "share/disclosure_scope.h"
#include "share/recipient_export.h"
#include "util/status.h"

namespace dpo::share {

struct DisclosureFacts {
  std::string policy_sha256;  // of the policy file's bytes
  std::string source;         // Source::DisplayName(): never a password
  std::string format;         // json | csv
  std::string selection;      // "--table candidates, conditions on status" / "--subject email"; no values
  bool anonymised = false;
};

// The note of `table`'s entry.
std::string DisclosureNote(const DisclosureScope& scope, const ExportTable& table, const TableResult& result,
                           const DisclosureFacts& facts);

// Before anything is written: the log at `path` can take an entry (it
// exists as a regular, intact log, or can be created in an existing
// directory). Errors say what to do; a damaged log is not appended to.
Status CheckAuditLog(const std::string& path);

// Appends one entry per table, in order. The first failure stops and is
// returned (entries already appended stay: the chain is append-only).
Status AppendDisclosureAudit(const std::string& path, const DisclosureScope& scope,
                             const std::vector<ExportTable>& tables, const std::vector<TableResult>& results,
                             const DisclosureFacts& facts);

}  // namespace dpo::share
