// Errors as values. Every fallible function in lib/ returns a Status or a
// Result<T>; only cmd/ turns them into exit codes and stderr lines.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

#include "util/exit_codes.h"

namespace dpo {

// A Status is either ok or an error with a one-line message. The message must
// say where (file:line:column, table.column, row number), what is wrong and
// what to do; it must never contain a password or a personal-data value.
class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message, int exit_code = kExitInput) {
    Status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    s.exit_code_ = exit_code;
    return s;
  }

  bool ok() const { return ok_; }
  const std::string& message() const { return message_; }
  // The process exit code cmd/ should use if this error ends the command.
  int exit_code() const { return ok_ ? kExitOk : exit_code_; }

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const {
    if (ok_) return *this;
    return Error(context + ": " + message_, exit_code_);
  }

 private:
  bool ok_ = true;
  std::string message_;
  int exit_code_ = kExitOk;
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
