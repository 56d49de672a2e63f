#include "report/notices_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/dsar_report.h"

namespace dpo::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kCsvBatchRows = 1024;
const char* const kFixedColumns[] = {"rule", "subject_key", "expires_on"};

// Replace, not throw: a source may hold bytes that are not UTF-8, and the
// notice still has to go out.
std::string Dump(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

Json Value(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }

}  // namespace

NoticesWriter::NoticesWriter(NoticesFormat format, std::ostream& out, std::string as_of, std::string within)
    : format_(format), out_(out), as_of_(std::move(as_of)), within_(std::move(within)) {}

Status NoticesWriter::Begin(const std::vector<plan::NoticeRule>& rules) {
  rules_ = rules;
  if (format_ == NoticesFormat::kJson) {
    Json head;
    head["format"] = "dpo-notices/1";
    head["as_of"] = as_of_;
    head["window"] = within_.empty() ? Json(nullptr) : Json(within_);
    std::string text = Dump(head, 2);
    // Open the object again to stream "rows" into it.
    text.pop_back();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    out_ << text << ",\n  \"rows\": [";
    return Status::Ok();
  }
  csv_.columns = {"rule", "subject_key"};
  for (const plan::NoticeRule& r : rules_) {
    std::vector<size_t> slots;
    for (const std::string& c : r.notify_columns) {
      for (const char* fixed : kFixedColumns)
        if (c == fixed)
          return Status::Error("retention rule " + r.rule + ": notify column " + c +
                               " has the name of a column the notices file has itself (rule, subject_key, "
                               "expires_on); use --format json, or rename the column in a view");
      auto it = std::find(csv_.columns.begin(), csv_.columns.end(), c);
      if (it == csv_.columns.end()) it = csv_.columns.insert(csv_.columns.end(), c);
      slots.push_back(static_cast<size_t>(it - csv_.columns.begin()));
    }
    csv_slot_.push_back(std::move(slots));
  }
  csv_.columns.push_back("expires_on");
  csv_header_ = RenderDatasetCsv(csv_);
  out_ << csv_header_;
  return Status::Ok();
}

Status NoticesWriter::Add(size_t rule, const plan::Notice& notice) {
  const plan::NoticeRule& r = rules_[rule];
  std::optional<std::string> expires;
  if (notice.expires_on) expires = notice.expires_on->ToIso();
  if (format_ == NoticesFormat::kJson) {
    Json row;
    row["rule"] = r.rule;
    row["subject_key"] = Value(notice.subject_key);
    Json contact = Json::object();
    for (size_t c = 0; c < r.notify_columns.size() && c < notice.contact.size(); ++c)
      contact[r.notify_columns[c]] = Value(notice.contact[c]);
    row["contact"] = std::move(contact);
    row["expires_on"] = Value(expires);
    out_ << (json_rows_++ == 0 ? "\n    " : ",\n    ") << Dump(row);
    return Status::Ok();
  }
  std::vector<dsar::Cell> cells(csv_.columns.size());
  cells[0] = r.rule;
  cells[1] = notice.subject_key;
  for (size_t c = 0; c < csv_slot_[rule].size() && c < notice.contact.size(); ++c)
    cells[csv_slot_[rule][c]] = notice.contact[c];
  cells.back() = std::move(expires);
  csv_.rows.push_back(std::move(cells));
  if (csv_.rows.size() >= kCsvBatchRows) return FlushCsv();
  return Status::Ok();
}

// The rows so far, rendered by the DSAR package's CSV writer (one rule for
// neutralising formulas and quoting, wherever dpo writes a spreadsheet),
// without the header it puts first every time.
Status NoticesWriter::FlushCsv() {
  if (csv_.rows.empty()) return Status::Ok();
  std::string text = RenderDatasetCsv(csv_);
  csv_.rows.clear();
  if (text.compare(0, csv_header_.size(), csv_header_) != 0)
    return Status::Error("the CSV writer did not start with the header it wrote before", StatusCode::kInternal);
  out_.write(text.data() + csv_header_.size(), static_cast<std::streamsize>(text.size() - csv_header_.size()));
  return Status::Ok();
}

Status NoticesWriter::Finish(const plan::NoticesResult& result) {
  if (format_ == NoticesFormat::kCsv) return FlushCsv();
  Json rules = Json::array();
  for (const plan::NoticeRule& r : result.rules) {
    Json j;
    j["rule"] = r.rule;
    j["table"] = r.table;
    j["action"] = r.action;
    j["subject_key"] = r.subject_key;
    j["notify_columns"] = r.notify_columns;
    j["keep"] = r.keep;
    j["after"] = r.after;
    j["window"] = r.window;
    j["until"] = r.until;
    j["rows"] = r.rows;
    j["already_expired"] = r.already_expired;
    j["keys_hmac"] = r.keys_hmac.empty() ? Json(nullptr) : Json(r.keys_hmac);
    rules.push_back(std::move(j));
  }
  std::string text = Dump(rules, 2);
  // Indent the array one level, as a member of the top object.
  std::string indented;
  for (char c : text) {
    indented += c;
    if (c == '\n') indented += "  ";
  }
  out_ << (json_rows_ == 0 ? "],\n" : "\n  ],\n") << "  \"rules\": " << indented << "\n}\n";
  return Status::Ok();
}

std::string RenderNoticesSummary(const plan::NoticesResult& result, const std::string& written_to) {
  std::ostringstream s;
  for (const plan::NoticeRule& r : result.rules) {
    s << "  " << r.rule << ": " << r.rows << (r.rows == 1 ? " row" : " rows") << " of " << r.table
      << " expire after " << result.as_of << " and by " << r.until << " (" << r.action << " " << r.keep << " after "
      << r.after << "; window " << r.window << ")";
    if (r.already_expired > 0)
      s << "; " << r.already_expired << (r.already_expired == 1 ? " row is" : " rows are")
        << " past the period already, not listed (the sweep's: dpo retention plan)";
    s << "\n";
  }
  const int64_t rows = result.Rows();
  s << (written_to == "-" ? "wrote " : "wrote " + written_to + ": ") << rows << (rows == 1 ? " notice" : " notices")
    << " for " << result.rules.size() << (result.rules.size() == 1 ? " rule" : " rules");
  if (written_to != "-") s << " (mode 0600: it holds personal data)";
  s << "\n";
  return s.str();
}

}  // namespace dpo::report
