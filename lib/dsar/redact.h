// Other people inside the subject's text: a conversation note that says
// "reference: Roos de Jong, 06-53190840" is the subject's record, but the
// name and number are someone else's personal data and must not leave in an
// access package (Art. 15(4)). The detectors find identifiers and names in
// the text; every span that is not the subject's own value is replaced.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace dpo::dsar {

// The subject's own values, so that their own e-mail or name in a note stays.
class OwnIdentity {
 public:
  // Adds a value of the subject's own record (any column of their matched
  // rows): identity-shaped values are remembered in their canonical form
  // (identity.h; under every kind whose shape it has, and always as text,
  // case and spaces ignored), and every word of it as a possible name part
  // (diacritics folded, detect::NameKey). A value of more than six words is
  // prose, not a name: it adds no words, since the people it names are not
  // the subject.
  void Add(std::string_view value);
  // True when a detected span is the subject's own: an identifier whose
  // canonical form was added, or a name every word of which (ignoring
  // tussenvoegsels such as "de", "van der") was added. An initial is a word
  // too: "J. de Vries" is not Jan de Vries's unless "J" was added (it may be
  // a relative; redacting the subject's own initial loses nothing).
  bool IsOwn(std::string_view span, bool is_name) const;

 private:
  std::set<std::string> values_;  // canonical forms, each kind's
  std::set<std::string> words_;   // lower-case words
};

// The text that replaces a redacted span.
inline constexpr std::string_view kRedacted = "[redacted]";

// Replaces, in *text, every span the detectors find of an e-mail address,
// phone number, IBAN, BSN, payment card, Dutch ID or passport number, street
// address or person name (detect/person_names.h) that is not `own`'s, with
// kRedacted. Only validated hits count (a 9-digit number failing the 11-check
// stays). Returns the number of spans replaced. Any bytes in, valid output.
int64_t RedactThirdParties(std::string* text, const OwnIdentity& own);

}  // namespace dpo::dsar
