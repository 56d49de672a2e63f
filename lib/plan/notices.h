// Renewal notices (`dpo retention notices`): the subjects of a retention rule
// with `notify_before` whose rows will expire within a window, so that they
// can be told before (a renewal e-mail they can react to).
//
// Which rows: rows of the rule's dataset that the sweep would act on as of
// as_of + window (RetentionRows at that day: `when` conditions, legal holds
// and undated rows exactly as the sweep treats them) and that are not past
// their period as of as_of (held or not: those are the sweep's already, and
// counted apart). Rows an anonymise or restrict rule has already changed are
// left out, as the sweep leaves them. Computed inside the database; rows are
// streamed to a NoticeSink in batches, so memory stays flat.
//
// What a notice holds: the dataset's subject_key value, the rule's
// notify_columns values and the day the row expires. Nothing else of the
// subject goes into it (the date and the row key are read, for expires_on
// and keys_hmac, and dropped). Rule summaries and audit entries hold counts
// and a keyed digest only, never a value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "source/source.h"
#include "util/duration.h"
#include "util/keyed_hash.h"
#include "util/status.h"

namespace dpo::plan {

struct NoticesOptions {
  util::Date as_of;
  // The window; nullopt: each rule's own notify_before.
  std::optional<util::Duration> within;
  // Only this rule (it needs notify_before unless `within` is set); empty:
  // every rule with notify_before.
  std::string rule;
  // With a key, each rule gets keys_hmac over its listed rows (as retention's
  // audit entries have); without one, none.
  const util::SecretKey* key = nullptr;
  size_t batch_rows = 4096;
};

// One rule's part of the list. Everything but the counts and the digest is
// known before the first row.
struct NoticeRule {
  std::string rule;
  std::string table;
  std::string action;                       // delete | anonymise | restrict: what happens at expiry
  std::string subject_key;                  // the dataset's column that names the subject
  std::vector<std::string> notify_columns;  // the contact columns, in the policy's order
  std::string keep;                         // "1y"
  std::string after;                        // "last_active_at"
  std::string window;                       // "30d"
  std::string until;                        // as_of + window, YYYY-MM-DD: listed rows expire on or before it
  int64_t rows = 0;                         // listed
  int64_t already_expired = 0;              // past the period as of as_of and not held: the sweep's, not listed
  std::vector<std::string> key_columns;     // what keys_hmac covers: the row key retention records (KeyColumnsOf)
  std::string keys_hmac;                    // KeySetHmac of the listed rows; empty without a key
};

// One row to notify.
struct Notice {
  std::optional<std::string> subject_key;             // the subject_key value (text form); nullopt: NULL
  std::vector<std::optional<std::string>> contact;    // notify_columns' values, in order
  // The first day the rule treats the row as expired (the --as-of at which
  // the sweep acts on it). nullopt when its date cannot be read as one.
  std::optional<util::Date> expires_on;
};

// Receives the list as it is read. An error from any call ends the listing
// and is returned by ListNotices.
class NoticeSink {
 public:
  virtual ~NoticeSink() = default;
  // Once, before any row: every rule that will be listed, in policy order.
  virtual Status Begin(const std::vector<NoticeRule>& rules) = 0;
  // One listed row of rules[rule] (the vector given to Begin).
  virtual Status Add(size_t rule, const Notice& notice) = 0;
};

struct NoticesResult {
  std::string as_of;                // YYYY-MM-DD
  std::string within;               // --within as given in canonical form ("30d"); empty: each rule's notify_before
  std::string source;               // display name, never a password
  std::vector<NoticeRule> rules;    // with counts and digests

  int64_t Rows() const;
  int64_t AlreadyExpired() const;
};

// Checks the selection and every selected rule against the source before any
// row is read, then lists. Errors (kInvalidArgument, nothing given to the
// sink) say where and what to do: an unknown --rule; a rule without
// notify_before and no `within`; no rule with notify_before; a window that is
// not positive; a rule whose period counts from another table (notices need
// a date on the row itself to say when it expires); a dataset without
// subject_key; a subject_key, notify column or date column missing from the
// table (with the policy's file:line:column).
Result<NoticesResult> ListNotices(const policy::Policy& policy, source::Source& source, const NoticesOptions& options,
                                  NoticeSink& sink);

// The first day on which a row dated `dated` is past `rule`'s period, the way
// RetentionRows decides it (dated before as_of minus keep, months clamped
// to the month's last day): usually dated + keep + 1 day.
util::Date ExpiryDay(const policy::RetentionRule& rule, const util::Date& dated);

// Appends one audit entry per rule of `result` (action "notify", its rows
// and keys_hmac; a note with the window, no value). Stops at the first error.
Status AppendNoticesAudit(const NoticesResult& result, const std::string& audit_log, const std::string& command,
                          const std::string& policy_sha256);

}  // namespace dpo::plan
