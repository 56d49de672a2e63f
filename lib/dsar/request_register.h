// The request register: every data subject request received (Art. 15-21),
// when it came in, when the subject's identity was verified, whether the
// deadline was extended and why, and how it was closed. The DPO's answer to
// "which requests are open, and when is each due?" (Art. 12(3)), and the
// record that shows each was answered in time (Art. 5(2) accountability).
//
// A small SQLite file (mode 0600: it names data subjects) with a version
// table, so that a later dpo can recognise and migrate it and no other
// SQLite database is ever mistaken for one.
//
// The subject reference is a free-text label the admin chooses ("ticket
// 123", "J. Jansen"). It is personal data: no message of this module ever
// repeats it; only the renderers print it, to the user who asked.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/duration.h"
#include "util/status.h"

namespace dpo::dsar {

// The right a request invokes. Stored and printed by its name ("erasure").
enum class RequestType { kAccess, kErasure, kRectification, kRestriction, kObjection, kPortability };
inline constexpr RequestType kAllRequestTypes[] = {RequestType::kAccess,        RequestType::kErasure,
                                                   RequestType::kRectification, RequestType::kRestriction,
                                                   RequestType::kObjection,     RequestType::kPortability};
const char* RequestTypeName(RequestType type);     // "access", "erasure", ...
const char* RequestTypeArticle(RequestType type);  // "Art. 15", "Art. 17", ...
// Parses a type name (case-insensitive). The error lists the valid names.
Result<RequestType> ParseRequestType(std::string_view text);

// open: being worked on; extended: open, with a recorded extension;
// closed: answered; refused: refused with reasons (Art. 12(4), 12(5)).
enum class RequestStatus { kOpen, kExtended, kClosed, kRefused };
const char* RequestStatusName(RequestStatus status);
Result<RequestStatus> ParseRequestStatus(std::string_view text);
// Closed or refused: nothing is due any more.
inline bool IsFinished(RequestStatus status) {
  return status == RequestStatus::kClosed || status == RequestStatus::kRefused;
}

// One request, as plain data.
struct Request {
  int64_t id = 0;  // given by the register (Add); never reused
  RequestType type = RequestType::kAccess;
  std::string subject;  // the admin's label for the subject: personal data, never in a message
  util::Date received;
  std::optional<util::Date> identity_verified_on;  // unset: not verified (yet)
  int extension_months = 0;                        // 0: not extended
  std::string extension_reason;                    // required when extension_months > 0 (Art. 12(3))
  RequestStatus status = RequestStatus::kOpen;
  std::optional<util::Date> closed_on;  // set exactly when closed or refused
  std::string outcome;                  // what was done, or why it was refused; set when closed
  std::string linked;                   // the access package or erasure plan it produced (a path)
  std::string notes;
};

// The policy's dsar settings that decide a deadline (policy.h DsarSettings).
struct DeadlineRules {
  util::Duration response_period = util::Duration::Months(1);  // dsar.response_period
  util::Duration extension = util::Duration::Months(2);        // dsar.extension: the most it may be extended
  bool identity_check = true;                                  // dsar.identity_check
};

// The most whole months a request may be extended by under `extension`
// (months and years as they are; days and weeks as the whole 30-day months
// they hold).
int MaxExtensionMonths(const util::Duration& extension);

// The day the answer is due: the day the period starts (identity verified,
// or received when `identity_check` is false) + `response_period`, + the
// request's extension when one is recorded with its reason (never more than
// `extension`, even if the policy shrank since it was recorded). Calendar
// months: 2026-01-31 + 1 month is 2026-02-28. No date while the identity
// check is required and not yet done: the clock has not started.
std::optional<util::Date> DueDate(const Request& request, const util::Duration& response_period,
                                  const util::Duration& extension, bool identity_check = true);

// Where a request stands on a given day.
struct Deadline {
  std::optional<util::Date> due;  // DueDate
  bool identity_pending = false;  // no due date: waiting for the identity check
  bool overdue = false;           // not finished, and `as_of` is after `due`
  bool answered_late = false;     // finished after `due`
  long days_left = 0;             // due - as_of, negative when overdue; 0 without a due date
};
Deadline DeadlineOf(const Request& request, const DeadlineRules& rules, const util::Date& as_of);

// Checks a request before it is stored: a subject label; received and the
// identity and closing dates not after `today`, not before received; an
// extension within the rules and with its reason; closed_on and outcome
// exactly when closed or refused. The message names the field (by its
// command-line flag) and says what to do; it never repeats the subject.
Status ValidateRequest(const Request& request, const DeadlineRules& rules, const util::Date& today);

// Which requests List returns. Filters narrow: a request must pass all.
struct RequestFilter {
  std::vector<RequestStatus> statuses;  // empty: any status
  // Only unfinished requests due on or before as_of + due_within (overdue
  // ones included: they are due soonest).
  std::optional<util::Duration> due_within;
  bool overdue_only = false;  // only unfinished requests past their due date
  util::Date as_of;           // the day "overdue" and "due within" count from
};

class RequestRegister {
 public:
  // Opens the register at `path`. With `create`, a missing (or empty) file
  // becomes a new register, created with mode 0600. Errors: missing without
  // `create` (kNotFound); a directory, not an SQLite file, an SQLite database
  // that is not a register, or a register of a newer dpo (kInvalidArgument);
  // cannot be opened or created (kIoError). A busy register is waited for up
  // to 10 s, then kBusy.
  static Result<RequestRegister> Open(const std::string& path, bool create);

  RequestRegister(RequestRegister&&) noexcept;
  RequestRegister& operator=(RequestRegister&&) noexcept;
  ~RequestRegister();

  // Stores a new request and returns it with its id. `request.id` is
  // ignored; status becomes open, or extended when it has an extension; a
  // request cannot be added closed. Validated first (ValidateRequest):
  // nothing is stored on an error.
  Result<Request> Add(Request request, const DeadlineRules& rules, const util::Date& today);

  // The requests that pass `filter`, by id; deadlines follow `rules`.
  Result<std::vector<Request>> List(const RequestFilter& filter, const DeadlineRules& rules);

  // The request with this id; kNotFound when there is none.
  Result<Request> Get(int64_t id);

  // Replaces the stored fields of request `updated.id` with `updated`'s
  // (Get, change, Update). The status follows the extension while the
  // request is unfinished (open or extended); a finished request keeps its
  // stored status and closing date, and its outcome may be corrected but not
  // emptied. An unfinished request cannot be closed here (Close does that).
  // Validated first; nothing changes on an error.
  Result<Request> Update(Request updated, const DeadlineRules& rules, const util::Date& today);

  // Finishes request `id` on `closed_on` with `outcome` (what was done, or
  // why it was refused): `final_status` is closed or refused. An already
  // finished request is refused (kInvalidArgument), as is an invalid date
  // or an empty outcome; nothing changes on an error.
  Result<Request> Close(int64_t id, RequestStatus final_status, const util::Date& closed_on, std::string outcome,
                        const DeadlineRules& rules, const util::Date& today);

  const std::string& path() const;

 private:
  struct Impl;
  explicit RequestRegister(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dpo::dsar
