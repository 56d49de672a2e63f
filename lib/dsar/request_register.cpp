#include "dsar/request_register.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "source/source.h"
#include "util/message.h"

namespace dpo::dsar {
namespace {

// The register's identity and schema version: a file without this row is
// not a register, whatever tables it has.
constexpr const char* kFormat = "dpo-request-register";
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE register_version (
  format  TEXT NOT NULL,
  version INTEGER NOT NULL
);
CREATE TABLE requests (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: an id is never reused
  type                 TEXT NOT NULL CHECK (type IN ('access', 'erasure', 'rectification', 'restriction',
                                                     'objection', 'portability')),
  subject              TEXT NOT NULL,
  received             TEXT NOT NULL,                      -- YYYY-MM-DD
  identity_verified_on TEXT,
  extension_months     INTEGER NOT NULL DEFAULT 0,
  extension_reason     TEXT NOT NULL DEFAULT '',
  status               TEXT NOT NULL CHECK (status IN ('open', 'extended', 'closed', 'refused')),
  closed_on            TEXT,
  outcome              TEXT NOT NULL DEFAULT '',
  linked               TEXT NOT NULL DEFAULT '',
  notes                TEXT NOT NULL DEFAULT ''
);
)sql";

constexpr const char* kColumns =
    "id, type, subject, received, identity_verified_on, extension_months, extension_reason, status, closed_on, "
    "outcome, linked, notes";

std::string Lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An SQLite failure as a Status that says which register and what it was doing.
Status SqlError(const std::string& path, const char* doing, const SQLite::Exception& e) {
  int code = e.getErrorCode() & 0xff;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return Status::Error(path + ": the request register is busy (another dpo is writing it); try again",
                         StatusCode::kBusy);
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
    return Status::Error(path + ": is not a request register (not an SQLite file, or damaged); check the path",
                         StatusCode::kInvalidArgument);
  if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM)
    return Status::Error(
        path + ": cannot write the request register while " + doing + ": " + e.what() + "; check its permissions",
        StatusCode::kIoError);
  if (code == SQLITE_CONSTRAINT)
    return Status::Error(
        path + ": the request register refused a value while " + doing + ": " + util::EscapeForMessage(e.what(), 200),
        StatusCode::kInternal);
  return Status::Error(path + ": request register error while " + doing + ": " + util::EscapeForMessage(e.what(), 200),
                       StatusCode::kIoError);
}

std::optional<util::Date> DateColumn(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  Result<util::Date> d = util::ParseIsoDate(column.getString());
  if (!d.ok()) return std::nullopt;
  return *d;
}

void BindDate(SQLite::Statement& s, int index, const std::optional<util::Date>& date) {
  if (date)
    s.bind(index, date->ToIso());
  else
    s.bind(index);  // NULL
}

// The fields of a request after the id, bound from index 1 in kColumns order.
void BindFields(SQLite::Statement& s, const Request& r) {
  s.bind(1, RequestTypeName(r.type));
  s.bind(2, r.subject);
  s.bind(3, r.received.ToIso());
  BindDate(s, 4, r.identity_verified_on);
  s.bind(5, r.extension_months);
  s.bind(6, r.extension_reason);
  s.bind(7, RequestStatusName(r.status));
  BindDate(s, 8, r.closed_on);
  s.bind(9, r.outcome);
  s.bind(10, r.linked);
  s.bind(11, r.notes);
}

// Creates `path` with mode 0600 before SQLite opens it, so that neither the
// file nor its journal (which copies the file's mode) is ever readable by
// others.
Status CreateOwnerOnly(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    return Status::Error(path + ": cannot create the request register: " + std::strerror(errno) +
                             "; check that the directory exists and is writable",
                         StatusCode::kIoError);
  if (fd >= 0) ::close(fd);
  return Status::Ok();
}

}  // namespace

const char* RequestTypeName(RequestType type) {
  switch (type) {
    case RequestType::kAccess:
      return "access";
    case RequestType::kErasure:
      return "erasure";
    case RequestType::kRectification:
      return "rectification";
    case RequestType::kRestriction:
      return "restriction";
    case RequestType::kObjection:
      return "objection";
    case RequestType::kPortability:
      return "portability";
  }
  return "access";
}

const char* RequestTypeArticle(RequestType type) {
  switch (type) {
    case RequestType::kAccess:
      return "Art. 15";
    case RequestType::kErasure:
      return "Art. 17";
    case RequestType::kRectification:
      return "Art. 16";
    case RequestType::kRestriction:
      return "Art. 18";
    case RequestType::kObjection:
      return "Art. 21";
    case RequestType::kPortability:
      return "Art. 20";
  }
  return "";
}

Result<RequestType> ParseRequestType(std::string_view text) {
  std::string name = Lower(text);
  for (RequestType t : kAllRequestTypes)
    if (name == RequestTypeName(t)) return t;
  return Status::Error("'" + util::EscapeForMessage(text, 40) +
                       "' is not a request type; use access, erasure, rectification, restriction, objection or "
                       "portability");
}

const char* RequestStatusName(RequestStatus status) {
  switch (status) {
    case RequestStatus::kOpen:
      return "open";
    case RequestStatus::kExtended:
      return "extended";
    case RequestStatus::kClosed:
      return "closed";
    case RequestStatus::kRefused:
      return "refused";
  }
  return "open";
}

Result<RequestStatus> ParseRequestStatus(std::string_view text) {
  std::string name = Lower(text);
  for (RequestStatus s :
       {RequestStatus::kOpen, RequestStatus::kExtended, RequestStatus::kClosed, RequestStatus::kRefused})
    if (name == RequestStatusName(s)) return s;
  return Status::Error("'" + util::EscapeForMessage(text, 40) +
                       "' is not a request status; use open, extended, closed or refused");
}

int MaxExtensionMonths(const util::Duration& extension) {
  switch (extension.unit) {
    case util::Duration::Unit::kMonths:
      return extension.amount;
    case util::Duration::Unit::kYears:
      return 12 * extension.amount;
    case util::Duration::Unit::kWeeks:
      return 7 * extension.amount / 30;
    case util::Duration::Unit::kDays:
      return extension.amount / 30;
  }
  return 0;
}

std::optional<util::Date> DueDate(const Request& request, const util::Duration& response_period,
                                  const util::Duration& extension, bool identity_check) {
  std::optional<util::Date> start = identity_check ? request.identity_verified_on : request.received;
  if (!start) return std::nullopt;
  // An extension counts only with its reason: Art. 12(3) lets the controller
  // extend, but it must tell the subject why.
  int months = 0;
  if (request.extension_months > 0 && !request.extension_reason.empty())
    months = std::min(request.extension_months, MaxExtensionMonths(extension));
  if (months <= 0) return util::Add(*start, response_period);
  // One period from the start, as the access package's summary counts it
  // (dsar/summary.cpp): 2026-01-31 + 1 + 2 months is 2026-04-30, not
  // 2026-02-28 + 2 months.
  if (response_period.unit == util::Duration::Unit::kMonths || response_period.unit == util::Duration::Unit::kYears) {
    int first = response_period.unit == util::Duration::Unit::kYears ? 12 * response_period.amount : response_period.amount;
    return util::Add(*start, util::Duration::Months(first + months));
  }
  return util::Add(util::Add(*start, response_period), util::Duration::Months(months));
}

Deadline DeadlineOf(const Request& request, const DeadlineRules& rules, const util::Date& as_of) {
  Deadline d;
  d.due = DueDate(request, rules.response_period, rules.extension, rules.identity_check);
  if (!d.due) {
    d.identity_pending = true;
    return d;
  }
  d.days_left = util::DaysFromCivil(*d.due) - util::DaysFromCivil(as_of);
  if (IsFinished(request.status)) {
    d.answered_late = request.closed_on && *d.due < *request.closed_on;
  } else {
    d.overdue = d.days_left < 0;
  }
  return d;
}

Status ValidateRequest(const Request& r, const DeadlineRules& rules, const util::Date& today) {
  auto bad = [](std::string message) { return Status::Error(std::move(message)); };
  // Whitespace alone is no label: the register would hold a request nobody
  // can tell from another.
  if (std::all_of(r.subject.begin(), r.subject.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
    return bad("--subject is empty; give a label you can find the subject by, e.g. \"ticket 123\"");
  if (r.subject.size() > 500) return bad("--subject is longer than 500 bytes; give a short label, e.g. \"ticket 123\"");
  const std::string received = r.received.ToIso();
  if (today < r.received)
    return bad("--received " + received + " is after today (" + today.ToIso() + "); give the day the request came in");
  if (r.identity_verified_on) {
    const std::string verified = r.identity_verified_on->ToIso();
    if (*r.identity_verified_on < r.received)
      return bad("--identity-verified " + verified + " is before the request was received (" + received +
                 "); check both dates");
    if (today < *r.identity_verified_on)
      return bad("--identity-verified " + verified + " is after today (" + today.ToIso() +
                 "); record it once identity has been verified");
  }
  int max_months = MaxExtensionMonths(rules.extension);
  if (r.extension_months < 0)
    return bad("--extend " + std::to_string(r.extension_months) + " is negative; give whole months, or 0 to undo");
  if (r.extension_months > max_months)
    return bad("--extend " + std::to_string(r.extension_months) +
               " months is more than the policy allows (dsar.extension: " + rules.extension.ToHuman() +
               "); Art. 12(3) allows at most two further months");
  if (r.extension_months > 0 && std::all_of(r.extension_reason.begin(), r.extension_reason.end(),
                                            [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
    return bad("--extend needs --reason: Art. 12(3) requires telling the subject why the answer takes longer");
  bool finished = IsFinished(r.status);
  if (finished != r.closed_on.has_value())
    return Status::Error(finished ? "a finished request needs its closing date" : "an open request has no closing date",
                         StatusCode::kInternal);
  if (r.closed_on) {
    const std::string closed = r.closed_on->ToIso();
    if (*r.closed_on < r.received)
      return bad("--on " + closed + " is before the request was received (" + received + "); check both dates");
    if (today < *r.closed_on)
      return bad("--on " + closed + " is after today (" + today.ToIso() + "); close it on the day");
    if (std::all_of(r.outcome.begin(), r.outcome.end(),
                    [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
      return bad("--outcome is empty; say what was done (or, when refused, why: Art. 12(4))");
  }
  return Status::Ok();
}

struct RequestRegister::Impl {
  std::string path;
  std::unique_ptr<SQLite::Database> db;

  Request ReadRow(SQLite::Statement& s) const {
    Request r;
    r.id = s.getColumn(0).getInt64();
    Result<RequestType> type = ParseRequestType(s.getColumn(1).getString());
    r.type = type.ok() ? *type : RequestType::kAccess;
    r.subject = s.getColumn(2).getString();
    std::optional<util::Date> received = DateColumn(s.getColumn(3));
    if (received) r.received = *received;
    r.identity_verified_on = DateColumn(s.getColumn(4));
    r.extension_months = s.getColumn(5).getInt();
    r.extension_reason = s.getColumn(6).getString();
    Result<RequestStatus> status = ParseRequestStatus(s.getColumn(7).getString());
    r.status = status.ok() ? *status : RequestStatus::kOpen;
    r.closed_on = DateColumn(s.getColumn(8));
    r.outcome = s.getColumn(9).getString();
    r.linked = s.getColumn(10).getString();
    r.notes = s.getColumn(11).getString();
    return r;
  }

  Result<Request> Get(int64_t id) {
    try {
      SQLite::Statement s(*db, std::string("SELECT ") + kColumns + " FROM requests WHERE id = ?1");
      s.bind(1, static_cast<int64_t>(id));
      if (!s.executeStep())
        return Status::Error(
            path + ": no request " + std::to_string(id) + " in this register; 'dpo requests list --all' shows the ids",
            StatusCode::kNotFound);
      return ReadRow(s);
    } catch (const SQLite::Exception& e) {
      return SqlError(path, "reading a request", e);
    }
  }

  // Writes every field of `r` (by id) in one statement: a request is
  // changed whole or not at all.
  Status Store(const Request& r) {
    try {
      SQLite::Statement s(*db,
                          "UPDATE requests SET type = ?1, subject = ?2, received = ?3, identity_verified_on = ?4, "
                          "extension_months = ?5, extension_reason = ?6, status = ?7, closed_on = ?8, outcome = ?9, "
                          "linked = ?10, notes = ?11 WHERE id = ?12");
      BindFields(s, r);
      s.bind(12, static_cast<int64_t>(r.id));
      if (s.exec() != 1)
        return Status::Error(path + ": no request " + std::to_string(r.id) +
                                 " in this register; 'dpo requests list --all' shows the ids",
                             StatusCode::kNotFound);
      return Status::Ok();
    } catch (const SQLite::Exception& e) {
      return SqlError(path, "updating a request", e);
    }
  }

  // Creates the schema in an empty database, or checks that an existing one
  // is a register this dpo can read.
  Status CheckOrCreateSchema(bool create) {
    try {
      bool has_version = db->tableExists("register_version");
      if (!has_version) {
        SQLite::Statement tables(*db, "SELECT count(*) FROM sqlite_master");
        tables.executeStep();
        if (tables.getColumn(0).getInt64() != 0)
          return Status::Error(path +
                               ": is an SQLite database but not a dpo request register; give the register's "
                               "path (a new file is created by 'dpo requests add')");
        if (!create)
          return Status::Error(path + ": is an empty file, not a request register; 'dpo requests add' makes one",
                               StatusCode::kNotFound);
        SQLite::Transaction tx(*db);
        db->exec(kSchema);
        SQLite::Statement version(*db, "INSERT INTO register_version (format, version) VALUES (?1, ?2)");
        version.bind(1, kFormat);
        version.bind(2, kSchemaVersion);
        version.exec();
        tx.commit();
        return Status::Ok();
      }
      SQLite::Statement version(*db, "SELECT format, version FROM register_version");
      if (!version.executeStep() || version.getColumn(0).getString() != kFormat)
        return Status::Error(path + ": is an SQLite database but not a dpo request register; give the register's path");
      int v = version.getColumn(1).getInt();
      if (v > kSchemaVersion)
        return Status::Error(path + ": is a request register of a newer dpo (schema version " + std::to_string(v) +
                             ", this dpo reads " + std::to_string(kSchemaVersion) + "); use a newer dpo");
      return Status::Ok();
    } catch (const SQLite::Exception& e) {
      return SqlError(path, "opening", e);
    }
  }
};

RequestRegister::RequestRegister(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RequestRegister::RequestRegister(RequestRegister&&) noexcept = default;
RequestRegister& RequestRegister::operator=(RequestRegister&&) noexcept = default;
RequestRegister::~RequestRegister() = default;

const std::string& RequestRegister::path() const { return impl_->path; }

Result<RequestRegister> RequestRegister::Open(const std::string& path, bool create) {
  if (path.empty()) return Status::Error("--register is empty; give the path of the request register file");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return Status::Error(path + ": cannot open the request register: " + std::strerror(errno), StatusCode::kIoError);
    if (!create)
      return Status::Error(path + ": no such request register; check the path ('dpo requests add' creates it)",
                           StatusCode::kNotFound);
    DPO_RETURN_IF_ERROR(CreateOwnerOnly(path));
  } else if (S_ISDIR(st.st_mode)) {
    return Status::Error(path + ": is a directory; give the path of the request register file");
  } else if (!S_ISREG(st.st_mode)) {
    return Status::Error(path + ": is not a regular file; give the path of the request register file");
  } else if (st.st_size > 0 && !source::HasSqliteHeader(path)) {
    return Status::Error(path + ": is not a request register (not an SQLite file); check the path");
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  try {
    impl->db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE);
    impl->db->setBusyTimeout(10000);
    // Every change is one statement in its own transaction; FULL makes it
    // durable before the command says it is done.
    impl->db->exec("PRAGMA synchronous = FULL");
  } catch (const SQLite::Exception& e) {
    return SqlError(path, "opening", e);
  }
  DPO_RETURN_IF_ERROR(impl->CheckOrCreateSchema(create));
  return RequestRegister(std::move(impl));
}

Result<Request> RequestRegister::Add(Request request, const DeadlineRules& rules, const util::Date& today) {
  if (IsFinished(request.status) || request.closed_on)
    return Status::Error("a request is added open; close it afterwards with 'dpo requests close'");
  request.status = request.extension_months > 0 ? RequestStatus::kExtended : RequestStatus::kOpen;
  DPO_RETURN_IF_ERROR(ValidateRequest(request, rules, today));
  try {
    SQLite::Statement s(*impl_->db,
                        "INSERT INTO requests (type, subject, received, identity_verified_on, extension_months, "
                        "extension_reason, status, closed_on, outcome, linked, notes) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    BindFields(s, request);
    s.exec();
    request.id = impl_->db->getLastInsertRowid();
    return request;
  } catch (const SQLite::Exception& e) {
    return SqlError(impl_->path, "adding a request", e);
  }
}

Result<std::vector<Request>> RequestRegister::List(const RequestFilter& filter, const DeadlineRules& rules) {
  std::vector<Request> out;
  std::optional<util::Date> due_limit;
  if (filter.due_within) due_limit = util::Add(filter.as_of, *filter.due_within);
  try {
    SQLite::Statement s(*impl_->db, std::string("SELECT ") + kColumns + " FROM requests ORDER BY id");
    while (s.executeStep()) {
      Request r = impl_->ReadRow(s);
      if (!filter.statuses.empty() &&
          std::find(filter.statuses.begin(), filter.statuses.end(), r.status) == filter.statuses.end())
        continue;
      if (filter.due_within || filter.overdue_only) {
        if (IsFinished(r.status)) continue;
        Deadline d = DeadlineOf(r, rules, filter.as_of);
        if (!d.due) continue;  // the clock has not started: nothing is due yet
        if (filter.overdue_only && !d.overdue) continue;
        if (due_limit && *due_limit < *d.due) continue;
      }
      out.push_back(std::move(r));
    }
  } catch (const SQLite::Exception& e) {
    return SqlError(impl_->path, "listing requests", e);
  }
  return out;
}

Result<Request> RequestRegister::Get(int64_t id) { return impl_->Get(id); }

Result<Request> RequestRegister::Update(Request updated, const DeadlineRules& rules, const util::Date& today) {
  Result<Request> stored = impl_->Get(updated.id);
  if (!stored.ok()) return stored.status();
  if (IsFinished(stored->status)) {
    // Finishing is Close's job; an update keeps how a request was finished.
    updated.status = stored->status;
    updated.closed_on = stored->closed_on;
  } else {
    if (IsFinished(updated.status) || updated.closed_on)
      return Status::Error("use 'dpo requests close " + std::to_string(updated.id) + "' to close a request");
    updated.status = updated.extension_months > 0 ? RequestStatus::kExtended : RequestStatus::kOpen;
  }
  // An extension recorded under an older, longer dsar.extension stays valid:
  // only a changed extension is checked against the policy as it is now.
  DeadlineRules check = rules;
  if (updated.extension_months == stored->extension_months &&
      MaxExtensionMonths(check.extension) < stored->extension_months)
    check.extension = util::Duration::Months(stored->extension_months);
  DPO_RETURN_IF_ERROR(ValidateRequest(updated, check, today));
  DPO_RETURN_IF_ERROR(impl_->Store(updated));
  return updated;
}

Result<Request> RequestRegister::Close(int64_t id, RequestStatus final_status, const util::Date& closed_on,
                                       std::string outcome, const DeadlineRules& rules, const util::Date& today) {
  if (!IsFinished(final_status))
    return Status::Error("a request is closed as closed or refused", StatusCode::kInternal);
  Result<Request> stored = impl_->Get(id);
  if (!stored.ok()) return stored.status();
  if (IsFinished(stored->status))
    return Status::Error("request " + std::to_string(id) + " was already " + RequestStatusName(stored->status) +
                         " on " + (stored->closed_on ? stored->closed_on->ToIso() : std::string("an unknown day")) +
                         "; change its notes or outcome with 'dpo requests update " + std::to_string(id) + "'");
  Request closed = std::move(stored).value();
  closed.status = final_status;
  closed.closed_on = closed_on;
  closed.outcome = std::move(outcome);
  // The extension was checked when it was recorded; closing does not judge it again.
  DeadlineRules check = rules;
  if (MaxExtensionMonths(check.extension) < closed.extension_months)
    check.extension = util::Duration::Months(closed.extension_months);
  DPO_RETURN_IF_ERROR(ValidateRequest(closed, check, today));
  DPO_RETURN_IF_ERROR(impl_->Store(closed));
  return closed;
}

}  // namespace dpo::dsar
