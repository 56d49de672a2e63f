// The audit log verifier (plan/audit_log.h) on a file of the fuzzer's bytes,
// as `dpo audit verify LOG` reads it; and the appender, which must refuse a
// damaged log rather than chain onto it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_util.h"
#include "plan/audit_log.h"

using namespace dpo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = dpo_fuzz::WriteScratch("audit.log", data, size);
  Result<plan::VerifyReport> report = plan::VerifyAuditLog(path);
  if (!report.ok()) return 0;
  if (report->ok != (report->bad_line == 0)) abort();
  if (!report->ok && report->problem.empty()) abort();

  plan::AuditEntry entry;
  entry.user = "fuzz";
  entry.host = "fuzz";
  entry.tool_version = "0";
  entry.command = "retention sweep";
  entry.rule = "r";
  entry.table = "t";
  entry.action = "delete";
  Status appended = plan::AppendAudit(path, entry);
  if (appended.ok()) {
    // Appending to a log whose last line is a sound entry: the result must verify
    // as far as the original did, plus one entry when it was whole.
    Result<plan::VerifyReport> after = plan::VerifyAuditLog(path);
    if (!after.ok()) abort();
    if (report->ok && !after->ok) abort();
  }
  return 0;
}
