// Errors as values. Every fallible function in lib/ returns a Status or a
// Result<T>; only cmd/ turns them into exit codes and stderr lines.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>


namespace dpo {

// What kind of failure an error is. The libraries say what went wrong; only
// cmd/ decides what that means for the process (ExitCodeFor in cmd/).
enum class StatusCode {
  kOk,
  kInvalidArgument,  // bad input: a flag, a policy, a value, a plan; the user fixes it
  kNotFound,         // a file, table, column or subject that does not exist
  kBusy,             // locked by someone else; retry later
  kIoError,          // reading or writing failed (disk full, permissions, lost connection)
  kConflict,         // the data or the policy changed since a plan was made; re-plan
  kInternal,         // a bug in dpo
};
const char* StatusCodeName(StatusCode code);  // "invalid argument", ...

// A Status is either ok or an error with a code and a one-line message. The
// message must say where (file:line:column, table.column, row number), what
// is wrong and what to do; it must never contain a password or a
// personal-data value.
class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message, StatusCode code = StatusCode::kInvalidArgument) {
    Status s;
    s.message_ = std::move(message);
    s.code_ = code == StatusCode::kOk ? StatusCode::kInternal : code;
    return s;
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Error(context + ": " + message_, code_);
  }

 private:
  std::string message_;
  StatusCode code_ = StatusCode::kOk;
};

// A value or an error. Accessing value() of an error is a programming bug.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Status error) : status_(std::move(error)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace dpo

// Early return of an error Status from a function returning Status or Result.
#define DPO_RETURN_IF_ERROR(expr)            \
  do {                                       \
    ::dpo::Status dpo_status_ = (expr);      \
    if (!dpo_status_.ok()) return dpo_status_; \
  } while (0)
