// The request register (dsar/request_register.h) for people (a table, one
// request's card) and for programs (JSON). These print the subject label:
// the user asked for the register, and a DPO needs to know whose request is
// due; `hide_subject` leaves it out (a mail to a shared mailbox).
#pragma once

#include <string>
#include <vector>

#include "dsar/request_register.h"
#include "util/duration.h"

namespace dpo::report {

struct RequestRenderOptions {
  std::string register_path;  // named in the heading and the JSON
  dsar::DeadlineRules rules;  // how due dates are computed
  util::Date as_of;           // the day days-left and overdue count from
  bool hide_subject = false;
};

// One line per request: id, type, status, received, identity verified,
// due, days left (or "overdue N days", "on time", "late"), subject; a
// heading with the rules and a closing count of the open, overdue and
// identity-pending ones. `empty_note` is the line printed when there are
// no requests ("no overdue requests").
std::string RenderRequestListText(const std::vector<dsar::Request>& requests, const RequestRenderOptions& options,
                                  const std::string& empty_note);
// {"format": "dpo-requests", "format_version": 1, "register", "as_of",
//  "response_period", "extension", "identity_check", "overdue": N,
//  "requests": [RequestJson...]}
std::string RenderRequestListJson(const std::vector<dsar::Request>& requests, const RequestRenderOptions& options);

// One request, field by field, with its deadline explained.
std::string RenderRequestText(const dsar::Request& request, const RequestRenderOptions& options);
// {"format": "dpo-request", "format_version": 1, "register", "as_of",
//  "request": {...}}: the fields of a request (unset dates and texts as null)
// and its deadline: "due", "days_left", "overdue", "identity_pending",
// "answered_late".
std::string RenderRequestJson(const dsar::Request& request, const RequestRenderOptions& options);

}  // namespace dpo::report
