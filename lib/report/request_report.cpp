#include "report/request_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/message.h"

namespace dpo::report {
namespace {

using dsar::Deadline;
using dsar::Request;

// Text the admin typed (labels, reasons, notes) on one terminal line: no
// control byte, no bidirectional override, line breaks shown as \n.
std::string Line(const std::string& text, size_t max_bytes = std::string::npos) {
  return util::EscapeForMessage(text, max_bytes);
}

std::string Days(long n) { return std::to_string(n) + (n == 1 ? " day" : " days"); }

std::string IdentityText(const Request& r, const dsar::DeadlineRules& rules) {
  if (r.identity_verified_on) return r.identity_verified_on->ToIso();
  if (!rules.identity_check) return "not needed";
  return dsar::IsFinished(r.status) ? "never" : "pending";
}

// How much time is left, in the words a DPO scans for.
std::string LeftText(const Request& r, const Deadline& d) {
  if (dsar::IsFinished(r.status)) {
    if (!d.due) return "-";
    return d.answered_late ? "late" : "on time";
  }
  if (d.identity_pending) return "waiting for identity";
  if (d.overdue) return "OVERDUE " + Days(-d.days_left);
  if (d.days_left == 0) return "due today";
  return Days(d.days_left);
}

std::string RulesText(const dsar::DeadlineRules& rules) {
  return "answer within " + rules.response_period.ToHuman() +
         (rules.identity_check ? " of identity verification" : " of receipt") + ", extension up to " +
         rules.extension.ToHuman();
}

nlohmann::ordered_json DateOrNull(const std::optional<util::Date>& d) {
  return d ? nlohmann::ordered_json(d->ToIso()) : nlohmann::ordered_json(nullptr);
}
nlohmann::ordered_json TextOrNull(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

nlohmann::ordered_json RequestObject(const Request& r, const RequestRenderOptions& options) {
  Deadline d = dsar::DeadlineOf(r, options.rules, options.as_of);
  nlohmann::ordered_json o = nlohmann::ordered_json::object();
  o["id"] = r.id;
  o["type"] = dsar::RequestTypeName(r.type);
  o["article"] = dsar::RequestTypeArticle(r.type);
  if (!options.hide_subject) o["subject"] = r.subject;
  o["status"] = dsar::RequestStatusName(r.status);
  o["received"] = r.received.ToIso();
  o["identity_verified_on"] = DateOrNull(r.identity_verified_on);
  o["identity_pending"] = d.identity_pending;
  o["extension_months"] = r.extension_months;
  o["extension_reason"] = TextOrNull(r.extension_reason);
  o["due"] = DateOrNull(d.due);
  o["days_left"] =
      d.due && !dsar::IsFinished(r.status) ? nlohmann::ordered_json(d.days_left) : nlohmann::ordered_json(nullptr);
  o["overdue"] = d.overdue;
  o["closed_on"] = DateOrNull(r.closed_on);
  o["answered_late"] = d.answered_late;
  o["outcome"] = TextOrNull(r.outcome);
  o["linked"] = TextOrNull(r.linked);
  o["notes"] = TextOrNull(r.notes);
  return o;
}

nlohmann::ordered_json Envelope(const char* format, const RequestRenderOptions& options) {
  return {{"format", format},
          {"format_version", 1},
          {"register", options.register_path},
          {"as_of", options.as_of.ToIso()},
          {"response_period", options.rules.response_period.ToString()},
          {"extension", options.rules.extension.ToString()},
          {"identity_check", options.rules.identity_check}};
}

std::string Dump(const nlohmann::ordered_json& j) {
  // Invalid UTF-8 typed into a label becomes U+FFFD rather than an exception.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string RenderRequestListText(const std::vector<Request>& requests, const RequestRenderOptions& options,
                                  const std::string& empty_note) {
  std::ostringstream out;
  out << "request register " << Line(options.register_path, 512) << ", as of " << options.as_of.ToIso() << " ("
      << RulesText(options.rules) << ")\n";
  if (requests.empty()) {
    out << "  " << empty_note << "\n";
    return out.str();
  }
  std::vector<std::string> head = {"id", "type", "status", "received", "identity", "due", "left"};
  if (!options.hide_subject) head.push_back("subject");
  std::vector<std::vector<std::string>> rows = {head};
  int overdue = 0, pending = 0, unfinished = 0;
  for (const Request& r : requests) {
    Deadline d = dsar::DeadlineOf(r, options.rules, options.as_of);
    if (!dsar::IsFinished(r.status)) {
      ++unfinished;
      overdue += d.overdue ? 1 : 0;
      pending += d.identity_pending ? 1 : 0;
    }
    std::vector<std::string> row = {
        std::to_string(r.id), dsar::RequestTypeName(r.type),  dsar::RequestStatusName(r.status),
        r.received.ToIso(),   IdentityText(r, options.rules), d.due ? d.due->ToIso() : "-",
        LeftText(r, d)};
    if (!options.hide_subject) row.push_back(Line(r.subject, 60));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(head.size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line = " ";
    for (size_t i = 0; i < row.size(); ++i) {
      line += " ";
      // Ids right-aligned; the last column (the subject, of any width) unpadded.
      if (i == 0)
        line += std::string(width[i] - row[i].size(), ' ') + row[i];
      else if (i + 1 == row.size())
        line += row[i];
      else
        line += row[i] + std::string(width[i] - row[i].size(), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  out << requests.size() << (requests.size() == 1 ? " request" : " requests");
  if (unfinished > 0) {
    out << ": " << unfinished << " open, " << overdue << " overdue";
    if (pending > 0) out << ", " << pending << " waiting for identity verification";
  }
  out << "\n";
  return out.str();
}

std::string RenderRequestListJson(const std::vector<Request>& requests, const RequestRenderOptions& options) {
  nlohmann::ordered_json j = Envelope("dpo-requests", options);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  int overdue = 0;
  for (const Request& r : requests) {
    list.push_back(RequestObject(r, options));
    overdue += list.back()["overdue"].get<bool>() ? 1 : 0;
  }
  j["overdue"] = overdue;
  j["requests"] = std::move(list);
  return Dump(j);
}

std::string RenderRequestText(const Request& r, const RequestRenderOptions& options) {
  Deadline d = dsar::DeadlineOf(r, options.rules, options.as_of);
  std::ostringstream out;
  auto field = [&](const char* name, const std::string& value) {
    std::string label = std::string(name) + ":";
    out << "  " << label << std::string(label.size() < 20 ? 20 - label.size() : 1, ' ') << value << "\n";
  };
  out << "request " << r.id << "\n";
  field("type", std::string(dsar::RequestTypeName(r.type)) + " (" + dsar::RequestTypeArticle(r.type) + ")");
  if (!options.hide_subject) field("subject", Line(r.subject));
  field("status", dsar::RequestStatusName(r.status));
  field("received", r.received.ToIso());
  const bool finished = dsar::IsFinished(r.status);
  if (r.identity_verified_on)
    field("identity verified", r.identity_verified_on->ToIso());
  else if (options.rules.identity_check && finished)
    field("identity verified", "never");
  else if (options.rules.identity_check)
    field("identity verified", "not yet: the deadline starts when it is (dpo requests update " + std::to_string(r.id) +
                                   " --identity-verified DATE)");
  else
    field("identity verified", "not needed (policy dsar.identity_check is false)");
  if (r.extension_months > 0)
    field("extension", std::to_string(r.extension_months) + (r.extension_months == 1 ? " month: " : " months: ") +
                           Line(r.extension_reason));
  std::string due;
  if (!d.due) {
    due = finished ? "none (the identity was never verified)" : "not yet (waiting for identity verification)";
  } else {
    due = d.due->ToIso();
    if (finished)
      due += d.answered_late ? " (answered late)" : " (answered on time)";
    else if (d.overdue)
      due += " (OVERDUE " + Days(-d.days_left) + ")";
    else if (d.days_left == 0)
      due += " (today)";
    else
      due += " (" + Days(d.days_left) + " left)";
  }
  field("due", due);
  if (r.closed_on) field(r.status == dsar::RequestStatus::kRefused ? "refused on" : "closed on", r.closed_on->ToIso());
  if (!r.outcome.empty()) field("outcome", Line(r.outcome));
  if (!r.linked.empty()) field("linked", Line(r.linked));
  if (!r.notes.empty()) field("notes", Line(r.notes));
  return out.str();
}

std::string RenderRequestJson(const Request& request, const RequestRenderOptions& options) {
  nlohmann::ordered_json j = Envelope("dpo-request", options);
  j["request"] = RequestObject(request, options);
  return Dump(j);
}

}  // namespace dpo::report
