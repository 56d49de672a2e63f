// The renewal notices of `dpo retention notices` as a file (CSV for a mail
// merge, JSON for a script) and the summary for the person who ran it.
//
// The file holds personal data (names, e-mail addresses): the caller writes
// it owner-only. The summary holds rule names, dates and counts only.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "dsar/subject_data.h"
#include "plan/notices.h"
#include "util/status.h"

namespace dpo::report {

enum class NoticesFormat { kCsv, kJson };

// Renders the notices to `out` as ListNotices hands them over, so the list
// never has to fit in memory. Call Finish(result) after ListNotices succeeded.
//
// CSV: the DSAR package's spreadsheet CSV (RenderDatasetCsv: UTF-8 with a
// byte order mark, CRLF, RFC 4180 quoting, a formula-like cell neutralised
// with a leading '). Columns: rule, subject_key, the notify columns of every
// rule (each once, in order of first appearance; empty for a rule that does
// not have it), expires_on. A notify column named rule, subject_key or
// expires_on would make the header ambiguous: Begin refuses it.
//
// JSON: {"format": "dpo-notices/1", "as_of", "window" (--within, or null:
// each rule's notify_before), "rows": [{"rule", "subject_key", "contact":
// {column: value}, "expires_on"}], "rules": [{"rule", "table", "action",
// "subject_key", "notify_columns", "keep", "after", "window", "until",
// "rows", "already_expired", "keys_hmac"}]}. Values are the source's text
// form or null; "rules" comes last because it holds the counts, which are
// known once every row is written.
class NoticesWriter : public plan::NoticeSink {
 public:
  NoticesWriter(NoticesFormat format, std::ostream& out, std::string as_of, std::string within);

  Status Begin(const std::vector<plan::NoticeRule>& rules) override;
  Status Add(size_t rule, const plan::Notice& notice) override;
  // Writes what is left (the last CSV rows; JSON's "rules" and the end).
  Status Finish(const plan::NoticesResult& result);

 private:
  Status FlushCsv();

  NoticesFormat format_;
  std::ostream& out_;
  std::string as_of_;
  std::string within_;
  std::vector<plan::NoticeRule> rules_;
  // CSV: the header, and per rule where each notify column goes.
  dsar::DatasetRows csv_;
  std::string csv_header_;  // RenderDatasetCsv of no rows: what to cut from each batch's rendering
  std::vector<std::vector<size_t>> csv_slot_;
  int64_t json_rows_ = 0;
};

// The summary: per rule the rows listed (with the days they expire between),
// the rows past their period already (the sweep's, not listed), then where
// the list went. `written_to` is the -o path, or "-" for stdout.
std::string RenderNoticesSummary(const plan::NoticesResult& result, const std::string& written_to);

}  // namespace dpo::report
