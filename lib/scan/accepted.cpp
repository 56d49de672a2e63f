#include "scan/accepted.h"

#include <set>
#include <vector>

#include "scan/fingerprint.h"
#include "scan/rules.h"

namespace dpo::scan {

bool AcceptanceMatches(const policy::Acceptance& a, const Finding& f) {
  if (!a.fingerprint.empty()) return a.fingerprint == Fingerprint(f);
  return a.code == f.code && a.table == f.table && a.column == f.column;
}

namespace {

std::string Where(const policy::Location& l) { return l.line > 0 ? l.ToString() : std::string(); }

}  // namespace

void ApplyAcceptances(const policy::Policy& policy, const util::Date& as_of, ScanResult* result) {
  if (policy.accepted.empty()) return;
  std::vector<Finding> expired_notes;
  std::set<size_t> noted;  // one note per entry (code + table may match two rules' findings)
  for (Finding& f : result->findings) {
    const policy::Acceptance* expired = nullptr;
    size_t expired_index = 0;
    for (size_t i = 0; i < policy.accepted.size(); ++i) {
      const policy::Acceptance& a = policy.accepted[i];
      if (!AcceptanceMatches(a, f)) continue;
      if (as_of < a.until || as_of == a.until) {
        f.accepted = Finding::Acceptance{a.reason, a.by, a.until.ToIso(), Where(a.location)};
        expired = nullptr;
        break;
      }
      if (expired == nullptr) {
        expired = &a;
        expired_index = i;
      }
    }
    if (expired == nullptr) continue;
    f.baselined = false;
    if (!noted.insert(expired_index).second) continue;
    // Table, column and rule names only: the note carries no personal data,
    // and neither the reason nor the person who accepted it.
    Finding note;
    SetRule(&note, kCodeAcceptanceExpired);
    note.table = f.table;
    note.column = f.column;
    note.file = f.file;
    note.category = f.category;
    note.message = "the acceptance of " + f.code + " on " + (f.column.empty() ? f.table : f.table + "." + f.column) +
                   " ended on " + expired->until.ToIso() + " (scan as of " + as_of.ToIso() +
                   "); the finding counts again";
    note.hint = "fix the finding, or review it again and move 'until' of the policy's accepted entry to a later date";
    note.policy_rule = "accepted[" + std::to_string(expired_index) + "]";
    note.policy_location = Where(expired->location);
    expired_notes.push_back(std::move(note));
  }
  for (Finding& n : expired_notes) result->findings.push_back(std::move(n));
}

}  // namespace dpo::scan
