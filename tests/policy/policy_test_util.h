// Helpers shared by the policy tests: a minimal valid policy to mutate, and
// a way to name an exact line:column by the text found there.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "policy/loader.h"
#include "policy/validate.h"

namespace policy_test {

using dpo::policy::Diagnostic;

inline const std::vector<std::string>& Detectors() {
  static const std::vector<std::string> kDetectors = {
      "email", "phone", "iban", "bsn", "postcode", "date", "birth_date", "ipv4", "ipv6", "payment_card", "kvk",
      "vat_nl", "passport_nl", "id_card_nl", "person_name", "street_address", "social_profile", "city", "gender",
      "nationality", "marital_status", "salary", "free_text", "device_id", "geolocation", "health_term",
      "religion_term", "ethnicity_term", "political_term", "union_term", "sexuality_term", "biometric_term",
      "criminal_term"};
  return kDetectors;
}

// Valid and clean: no diagnostic at all.
inline const char* kBase = R"(version: 1
controller:
  name: Acme Uitzend B.V.
  contact: privacy@acme.example
data_subjects:
  candidate: { description: Candidates }
categories:
  contact: { description: Contact details, detectors: [email, phone] }
purposes:
  mediation:
    legal_basis: consent
    data_subjects: [candidate]
    categories: [contact]
    consent: { dataset: candidates, given_at: consent_given_at, withdrawn_at: consent_withdrawn_at }
datasets:
  candidates:
    data_subject: candidate
    subject_key: id
    purposes: [mediation]
    columns:
      id: none
      email: { category: contact, identifier: true }
      consent_given_at: none
      consent_withdrawn_at: none
      last_active_at: none
retention:
  candidates:
    dataset: candidates
    keep: 2y after last_active_at
)";

// `text` with the first `from` replaced by `to`; `from` must occur.
inline std::string With(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "test bug: '" << from << "' not in the policy text");
  text.replace(at, from.size(), to);
  return text;
}

// 1-based line and column of the first `needle` in `text` (after skipping
// `skip` earlier occurrences).
struct LineCol {
  int line = 0;
  int column = 0;
};
inline LineCol Position(const std::string& text, const std::string& needle, int skip = 0) {
  size_t at = text.find(needle);
  while (skip-- > 0 && at != std::string::npos) at = text.find(needle, at + 1);
  REQUIRE_MESSAGE(at != std::string::npos, "test bug: '" << needle << "' not in the policy text");
  LineCol lc{1, 1};
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else {
      ++lc.column;
    }
  }
  return lc;
}

// Loader and validator diagnostics of `text` (loaded as "t.yaml"); the text must be YAML.
inline std::vector<Diagnostic> Check(const std::string& text) {
  auto loaded = dpo::policy::LoadPolicyString(text, "t.yaml");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  std::vector<Diagnostic> all = loaded->diagnostics;
  dpo::policy::ValidateOptions options;
  options.known_detectors = Detectors();
  for (Diagnostic& d : dpo::policy::ValidatePolicy(loaded->policy, options)) all.push_back(d);
  return all;
}

inline std::string Dump(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const Diagnostic& d : ds)
    out += d.location.ToString() + ": " + dpo::policy::SeverityName(d.severity) + ": " + d.message + " [" +
           d.code + "] hint: " + d.hint + "\n";
  return out;
}

// Asserts that exactly one diagnostic with `code` exists, at the position of
// `needle` in `text`, with the severity given and a message and hint holding
// the fragments given. Returns it.
inline Diagnostic Expect(const std::string& text, const std::string& code, const std::string& needle,
                         Diagnostic::Severity severity, const std::string& message_part,
                         const std::string& hint_part, int skip = 0) {
  std::vector<Diagnostic> all = Check(text);
  std::vector<Diagnostic> hits;
  for (const Diagnostic& d : all)
    if (d.code == code) hits.push_back(d);
  INFO("diagnostics:\n" << Dump(all));
  REQUIRE(hits.size() == 1);
  const Diagnostic& d = hits[0];
  LineCol want = Position(text, needle, skip);
  CHECK(d.location.file == "t.yaml");
  CHECK(d.location.line == want.line);
  CHECK(d.location.column == want.column);
  CHECK(d.severity == severity);
  CHECK_MESSAGE(d.message.find(message_part) != std::string::npos, d.message);
  CHECK_MESSAGE(d.hint.find(hint_part) != std::string::npos, d.hint);
  return d;
}

inline constexpr Diagnostic::Severity kError = Diagnostic::Severity::kError;
inline constexpr Diagnostic::Severity kWarning = Diagnostic::Severity::kWarning;

}  // namespace policy_test
