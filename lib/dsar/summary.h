// The part of an access package written for the data subject (Art. 15(1)
// and (2)): which categories of their data are held and where they come
// from, for which purposes on which legal basis, who receives them, how long
// each is kept, their rights, and when the answer is due. Built from the
// policy and the subject's data, as plain data; lib/report/dsar_report.h
// renders it in Dutch or English.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dsar/subject_data.h"
#include "policy/policy.h"
#include "util/duration.h"

namespace dpo::dsar {

struct SummaryCategory {
  std::string id;
  std::string description;            // from the policy
  bool special = false;               // Art. 9 special category or Art. 10 criminal data
  std::vector<std::string> datasets;  // where the subject's data of this category is held
  int64_t values = 0;                 // non-NULL values of the subject in this category
};

struct SummaryPurpose {
  std::string id;
  std::string description;
  std::string legal_basis;              // policy::LegalBasis name: consent, contract, legal_obligation, ...
  std::string law;                      // for legal_obligation
  std::string interest;                 // for legitimate_interests
  std::vector<std::string> categories;  // it names and the subject has values of in a dataset it serves
  std::vector<std::string> recipients;  // recipient descriptions
  bool automated_decisions = false;
  // Set only when this purpose covers a special (Art. 9) or criminal
  // (Art. 10) category the subject has data in, so the summary explains the
  // extra condition exactly where it applies.
  std::string art9_condition;  // policy::Art9ConditionName: explicit_consent, employment_law, ...
  std::string art10_basis;     // the policy's art10_basis text
};

struct SummaryRetention {
  std::string dataset;
  std::string keep;    // "2y"; empty when the policy still says TODO
  std::string after;   // "last_active_at"
  std::string action;  // delete | anonymise | restrict
  std::string basis;
  std::string description;
  std::vector<std::string> holds;  // reasons of the rule's legal holds: when rows are kept longer
};

// A consent the subject gave for a purpose resting on consent, from the
// records the policy names for it (purposes.<id>.consent): Art. 7(1) proof
// the subject can check, and withdraw.
struct SummaryConsent {
  std::string purpose;      // id
  std::string description;  // the purpose's description
  std::string given_at;     // as recorded
  std::string withdrawn_at; // empty while it stands
};

struct SummaryTransfer {
  std::string country;
  std::string recipient;
  std::string safeguard;
};

struct Summary {
  std::string controller;  // name
  std::string controller_contact;
  std::string controller_address;
  std::string dpo_name;
  std::string dpo_contact;
  std::string request_contact;  // dsar.contact: where requests go (controller contact when empty)
  std::string supervisory_authority;
  std::string received;  // YYYY-MM-DD the request came in (or identity verified)
  std::string due;       // received + dsar.response_period
  // received + response_period + extension, as one calendar period when both
  // count in months or years (received 2026-01-31: due 2026-02-28, extended
  // 2026-04-30, not 04-28), else one after the other.
  std::string due_extended;
  std::string response_period;  // dsar.response_period, short form: "1m"
  std::string extension;        // dsar.extension, short form: "2m"
  std::string generated_at;     // UTC, ISO 8601
  bool no_data = false;         // nothing found: the package says so
  std::vector<SummaryCategory> categories;
  std::vector<SummaryPurpose> purposes;
  std::vector<SummaryRetention> retention;
  std::vector<SummaryTransfer> transfers;
  std::vector<SummaryConsent> consents;  // in policy order of purposes, then as recorded
  std::vector<std::string> sources;  // dataset descriptions the data came from
  int64_t records = 0;               // rows of the subject (subject + belongs)
  int64_t redacted_spans = 0;        // other people's data removed from text
  int64_t withheld_columns = 0;      // context columns left out
  int64_t unread_rows = 0;           // rows the source could not read (--skip-bad-rows): may be the subject's
};

// Builds the summary. Only rows of role subject and belongs are the
// subject's data; context rows count for nothing but their withheld columns.
// Categories are those of the policy columns (of the datasets the subject has
// rows in) that hold at least one non-NULL value of the subject, in policy
// order. Purposes are the policy purposes of those datasets, each with the
// categories it names among those held in the datasets it serves; a purpose
// left with none is left out, with its recipients and transfers. A purpose's
// Art. 9 condition and Art. 10 basis are given only where its categories
// include a special or criminal one. Retention is the policy rules of those
// datasets. `received` is the day the period starts (the request, or the day
// identity was verified); `generated_at` is passed in so output is
// reproducible in tests.
Summary BuildSummary(const policy::Policy& policy, const SubjectData& data, const util::Date& received,
                     const std::string& generated_at);

}  // namespace dpo::dsar
