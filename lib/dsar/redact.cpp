#include "dsar/redact.h"

#include <algorithm>
#include <vector>

#include "detect/identifier_spans.h"
#include "detect/name_lists.h"
#include "detect/person_names.h"
#include "detect/validators.h"
#include "dsar/identity.h"

namespace dpo::dsar {
namespace {

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && IsSpace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A value longer than this many words is prose (a note), not a name: its
// words may name other people, so they must not become the subject's own.
constexpr int kMaxNameWords = 6;

// Digits and the signs phone numbers are written with, and 6 to 15 digits.
bool PhoneShaped(std::string_view v) {
  int digits = 0;
  for (unsigned char c : v) {
    if (IsDigit(c)) {
      ++digits;
    } else if (c != '+' && c != '-' && c != '(' && c != ')' && c != '.' && c != '/' && !IsSpace(c)) {
      return false;
    }
  }
  return digits >= 6 && digits <= 15;
}

// Digits with BSN separators only, 8 or 9 digits.
bool BsnShaped(std::string_view v) {
  int digits = 0;
  for (unsigned char c : v) {
    if (IsDigit(c)) {
      ++digits;
    } else if (c != '.' && c != '-' && c != ' ') {
      return false;
    }
  }
  return digits == 8 || digits == 9;
}

// Every canonical form `value` has, tagged with its kind so that a phone
// number and a BSN with the same digits stay different values. The same
// function serves the subject's values and the spans found in text, so the
// two sides are always compared the same way.
std::vector<std::string> CanonicalForms(std::string_view value) {
  std::vector<std::string> forms;
  std::string_view t = Trim(value);
  if (t.empty()) return forms;
  // Text: case and runs of spaces do not matter ("Kerkstraat 12" = "kerkstraat  12").
  std::string text = "text:";
  bool space = false;
  for (unsigned char c : t) {
    if (IsSpace(c)) {
      space = true;
      continue;
    }
    if (space) text.push_back(' ');
    space = false;
    text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c));
  }
  forms.push_back(std::move(text));
  if (t.find('@') != std::string_view::npos && detect::IsValidEmail(t))
    forms.push_back("email:" + NormaliseIdentity(IdentityKind::kEmail, t));
  if (PhoneShaped(t)) {
    std::string p = NormaliseIdentity(IdentityKind::kPhone, t);
    if (!p.empty()) forms.push_back("phone:" + p);
  }
  if (BsnShaped(t)) forms.push_back("bsn:" + NormaliseIdentity(IdentityKind::kBsn, t));
  if (detect::IsValidIban(t)) forms.push_back("iban:" + NormaliseIdentity(IdentityKind::kIban, t));
  return forms;
}

// Name parts of a value: runs of letters and digits (bytes >= 0x80 count as
// letters), split at spaces and punctuation; apostrophes stay ("'t").
std::vector<std::string_view> Words(std::string_view v) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < v.size()) {
    auto part = [](unsigned char c) {
      return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '\'';
    };
    while (i < v.size() && !part(static_cast<unsigned char>(v[i]))) ++i;
    size_t j = i;
    while (j < v.size() && part(static_cast<unsigned char>(v[j]))) ++j;
    if (j > i) out.push_back(v.substr(i, j - i));
    i = j;
  }
  return out;
}

// The kinds whose validated hits are another person's identifiers. Of the
// other span kinds, a postcode names an area rather than a person, and IP
// addresses and profile URLs are not redacted in packages so far (the
// access-package tests pin today's set).
bool Redactable(detect::Kind kind) {
  switch (kind) {
    case detect::Kind::kPersonName:
    case detect::Kind::kEmail:
    case detect::Kind::kPhone:
    case detect::Kind::kIban:
    case detect::Kind::kBsn:
    case detect::Kind::kPaymentCard:
    case detect::Kind::kPassportNl:
    case detect::Kind::kIdCardNl:
    case detect::Kind::kStreetAddress:
      return true;
    default:
      return false;
  }
}

}  // namespace

void OwnIdentity::Add(std::string_view value) {
  for (std::string& f : CanonicalForms(value)) values_.insert(std::move(f));
  std::vector<std::string_view> words = Words(value);
  if (static_cast<int>(words.size()) > kMaxNameWords) return;
  for (std::string_view w : words) words_.insert(detect::NameKey(w));
}

bool OwnIdentity::IsOwn(std::string_view span, bool is_name) const {
  if (!is_name) {
    for (const std::string& f : CanonicalForms(span)) {
      if (values_.count(f)) return true;
    }
    return false;
  }
  // A name is the subject's when every word that is not a particle is one of
  // their words: "Roos de Jong" is theirs only if both "roos" and "jong" are.
  // An initial ("J.") must be a word of theirs too (a "J." or "J" column
  // value): "J. de Vries" may be a relative of Jan de Vries, and a package
  // that shows the subject's own initial redacted loses nothing.
  int counted = 0;
  for (std::string_view w : Words(span)) {
    std::string key = detect::NameKey(w);
    if (detect::IsTussenvoegsel(key)) continue;
    ++counted;
    if (!words_.count(key)) return false;
  }
  return counted > 0;
}

int64_t RedactThirdParties(std::string* text, const OwnIdentity& own) {
  if (text == nullptr || text->empty()) return 0;
  const std::string_view view(*text);
  struct Span {
    size_t begin;
    size_t end;
  };
  std::vector<Span> spans;
  // Every hit is judged on its own before merging (not FindIdentifierSpans'
  // merged spans): someone else's name is redacted even where it overlaps
  // the subject's own value.
  std::vector<detect::Span> hits;
  detect::FindIdentifierHits(view, /*include_terms=*/false, &hits);
  for (const detect::Span& h : hits) {
    if (!Redactable(h.kind)) continue;
    bool is_name = h.kind == detect::Kind::kPersonName;
    if (!own.IsOwn(view.substr(h.offset, h.length), is_name)) spans.push_back({h.offset, h.offset + h.length});
  }
  if (spans.empty()) return 0;
  // Overlapping or touching spans ("Jan van Galenstraat 12" found as an
  // address and a name) become one replacement.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (const Span& s : spans) {
    if (!merged.empty() && s.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, s.end);
    } else {
      merged.push_back(s);
    }
  }
  // From the end, so that the offsets of the spans before stay valid.
  for (auto it = merged.rbegin(); it != merged.rend(); ++it)
    text->replace(it->begin, it->end - it->begin, kRedacted);
  return static_cast<int64_t>(merged.size());
}

}  // namespace dpo::dsar
