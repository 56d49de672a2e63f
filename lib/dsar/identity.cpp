#include "dsar/identity.h"

#include <algorithm>
#include <array>

#include "detect/column_names.h"
#include "detect/kind.h"

namespace dpo::dsar {
namespace {

// A --subject argument longer than this is not a typed identifier (an IBAN
// has 34 characters, an e-mail address at most 254): refuse it rather than
// carry it into lookups.
constexpr size_t kMaxArgument = 1024;

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
char Lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c); }
char Upper(unsigned char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : static_cast<char>(c); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && IsSpace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

std::string Digits(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (IsDigit(c)) out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string NormaliseEmail(std::string_view value) {
  // An address has no spaces; "jan @ example.com" typed with them is the same one.
  std::string out;
  for (unsigned char c : value) {
    if (!IsSpace(c)) out.push_back(Lower(c));
  }
  return out;
}

// Dutch numbers are written with a trunk 0 and 9 digits after it; that is the
// only national form we may give a country code.
std::string NormalisePhone(std::string_view value) {
  std::string_view v = Trim(value);
  size_t first = v.find_first_not_of(" \t(");
  bool plus = first != std::string_view::npos && v[first] == '+';
  std::string d = Digits(v);
  if (d.empty()) return "";
  bool international = plus || (d.size() > 2 && d[0] == '0' && d[1] == '0');
  if (international) {
    // "+31 (0)6 ...": the (0) is the trunk prefix, written for people who dial nationally.
    d.clear();
    for (size_t i = 0; i < v.size(); ++i) {
      if (v.compare(i, 3, "(0)") == 0) {
        i += 2;
      } else if (IsDigit(static_cast<unsigned char>(v[i]))) {
        d.push_back(v[i]);
      }
    }
    if (!plus && d.size() >= 2) d.erase(0, 2);
    if (d.empty()) return "";
  }
  if (international) {
    if (d.size() > 2 && d[0] == '3' && d[1] == '1') {
      std::string rest = d.substr(2);
      // "+31 06 ...", written with the trunk 0. A Dutch number never starts
      // with 0 after the country code, so every leading 0 goes: removing only
      // one would leave a canonical form ("+3106...") that normalises again
      // to another ("+316..."), and the two spellings would not match.
      rest.erase(0, rest.find_first_not_of('0'));
      return "+31" + rest;
    }
    return "+" + d;
  }
  if (d.size() == 10 && d[0] == '0') return "+31" + d.substr(1);
  // Spreadsheet damage: a mobile number stored as a number loses its 0
  // (612345678) or its + (31612345678).
  if (d.size() == 9 && d[0] == '6') return "+31" + d;
  if (d.size() == 11 && d[0] == '3' && d[1] == '1' && d[2] == '6') return "+" + d;
  return d;
}

// A BSN is a number: leading zeros carry nothing (an INTEGER column drops
// them), so every spelling is padded to 9 digits. Only digits and the
// separators people write ('.', ' ', '-') may occur; anything else is not a BSN.
std::string NormaliseBsn(std::string_view value) {
  std::string d;
  for (unsigned char c : Trim(value)) {
    if (IsDigit(c)) {
      d.push_back(static_cast<char>(c));
    } else if (c != '.' && c != '-' && !IsSpace(c)) {
      return "";
    }
  }
  if (d.empty()) return "";
  if (d.size() < 9) d.insert(0, 9 - d.size(), '0');
  return d;
}

std::string NormaliseIban(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (!IsSpace(c) && c != '-') out.push_back(Upper(c));
  }
  return out;
}

// The Dutch area codes of two digits after the trunk 0 (010 Rotterdam, 020
// Amsterdam, 085/088 company numbers); every other area code has three.
bool TwoDigitAreaCode(std::string_view national) {
  static constexpr std::array<std::string_view, 32> kCodes = {
      "10", "13", "15", "20", "23", "24", "26", "30", "33", "35", "36", "38", "40", "43", "45", "46",
      "50", "53", "55", "58", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "85", "88"};
  for (std::string_view c : kCodes) {
    if (national.substr(0, 2) == c) return true;
  }
  return false;
}

// The key as it may appear in a message: a column or category name. A key
// that could be a value (an argument written the wrong way round,
// "jan@example.com=email", or one with a long number) is not shown.
std::string Shown(std::string_view key) {
  int run = 0;
  bool letter = false;
  for (unsigned char c : key) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && !IsDigit(c) && c != '_' && c != '.' && c != '-') return "KEY";
    letter = letter || alpha;
    run = IsDigit(c) ? run + 1 : 0;
    if (run > 3) return "KEY";
  }
  return letter && key.size() <= 64 ? std::string(key) : "KEY";
}

void AddUnique(std::vector<std::string>* out, std::string s) {
  if (s.empty() || out->size() >= 32) return;
  if (std::find(out->begin(), out->end(), s) == out->end()) out->push_back(std::move(s));
}

void PhoneVariants(const std::string& canonical, std::vector<std::string>* out) {
  if (canonical.rfind("+31", 0) == 0 && canonical.size() == 12) {
    std::string n = canonical.substr(3);  // 9 digits after the trunk 0
    size_t area = n[0] == '6' ? 1 : TwoDigitAreaCode(n) ? 2 : 3;
    std::string a = n.substr(0, area);
    std::string s = n.substr(area);
    AddUnique(out, "0" + n);
    AddUnique(out, "0" + a + "-" + s);
    AddUnique(out, "0" + a + " " + s);
    AddUnique(out, "+31" + n);
    AddUnique(out, "+31 " + a + " " + s);
    AddUnique(out, "0031" + n);
    AddUnique(out, "(0" + a + ") " + s);
    AddUnique(out, "+31 (0)" + a + " " + s);
    AddUnique(out, "+31 (0)" + n);
    AddUnique(out, "+31-" + a + "-" + s);
    AddUnique(out, "+31" + a + "-" + s);
    AddUnique(out, "0031 " + a + " " + s);
    if (area == 1) {  // mobile: 06 1234 5678, 06 12 34 56 78; stored as a number
      AddUnique(out, "31" + n);
      AddUnique(out, n);
      std::string four = s.substr(0, 4) + " " + s.substr(4);
      AddUnique(out, "06 " + four);
      AddUnique(out, "06-" + four);
      AddUnique(out, "+31 6 " + four);
      AddUnique(out, "06 " + s.substr(0, 2) + " " + s.substr(2, 2) + " " + s.substr(4, 2) + " " + s.substr(6, 2));
    }
    return;
  }
  AddUnique(out, canonical);
  if (canonical[0] == '+') AddUnique(out, "00" + canonical.substr(1));
}

void BsnVariants(const std::string& c, std::vector<std::string>* out) {
  AddUnique(out, c);
  if (c.size() != 9) return;
  if (c[0] == '0') AddUnique(out, c.substr(1));
  AddUnique(out, c.substr(0, 4) + "." + c.substr(4, 2) + "." + c.substr(6));
  AddUnique(out, c.substr(0, 2) + "." + c.substr(2, 2) + "." + c.substr(4, 2) + "." + c.substr(6));
  AddUnique(out, c.substr(0, 3) + " " + c.substr(3, 3) + " " + c.substr(6));
  AddUnique(out, c.substr(0, 3) + "-" + c.substr(3, 3) + "-" + c.substr(6));
  AddUnique(out, c.substr(0, 3) + "." + c.substr(3, 3) + "." + c.substr(6));
}

void IbanVariants(const std::string& c, std::vector<std::string>* out) {
  std::string grouped;
  for (size_t i = 0; i < c.size(); ++i) {
    if (i > 0 && i % 4 == 0) grouped.push_back(' ');
    grouped.push_back(c[i]);
  }
  auto lower = [](std::string s) {
    for (char& ch : s) ch = Lower(static_cast<unsigned char>(ch));
    return s;
  };
  AddUnique(out, c);
  AddUnique(out, grouped);
  AddUnique(out, lower(c));
  AddUnique(out, lower(grouped));
}

}  // namespace

const char* IdentityKindName(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::kEmail: return "email";
    case IdentityKind::kPhone: return "phone";
    case IdentityKind::kBsn: return "bsn";
    case IdentityKind::kIban: return "iban";
    case IdentityKind::kText: return "text";
  }
  return "text";
}

Result<SubjectSelector> ParseSubjectSelector(std::string_view argument) {
  if (argument.size() > kMaxArgument)
    return Status::Error("--subject is longer than " + std::to_string(kMaxArgument) +
                         " bytes; give one identifier as KEY=VALUE, e.g. --subject email=...");
  size_t eq = argument.find('=');
  if (eq == std::string_view::npos)
    return Status::Error("--subject needs KEY=VALUE (an identifier column or category and its value), "
                         "e.g. --subject email=... or --subject bsn=...");
  std::string_view key = Trim(argument.substr(0, eq));
  std::string_view value = Trim(argument.substr(eq + 1));
  if (key.empty())
    return Status::Error("--subject has no KEY before '='; write KEY=VALUE with KEY an identifier column "
                         "(email, bsn, TABLE.COLUMN) or a category of the policy");
  if (HasControl(key)) return Status::Error("--subject KEY contains a control character; write KEY=VALUE");
  if (value.empty())
    return Status::Error("--subject " + Shown(key) + "= has no value; write " + Shown(key) + "=VALUE");
  if (HasControl(value))
    return Status::Error("--subject " + Shown(key) +
                         ": the value contains a control character (a line break, a tab, a NUL byte); "
                         "give the value on one line");
  return SubjectSelector{std::string(key), std::string(value)};
}

IdentityKind IdentityKindFor(std::string_view column_name, const std::vector<std::string>& detector_names) {
  auto identity = [](detect::Kind k, IdentityKind* out) {
    switch (k) {
      case detect::Kind::kEmail: *out = IdentityKind::kEmail; return true;
      case detect::Kind::kPhone: *out = IdentityKind::kPhone; return true;
      case detect::Kind::kBsn: *out = IdentityKind::kBsn; return true;
      case detect::Kind::kIban: *out = IdentityKind::kIban; return true;
      default: return false;
    }
  };
  // The category's detectors say what its values are; the name only decides
  // between several (a "contact" category with [email, phone]).
  std::vector<IdentityKind> declared;
  for (const std::string& name : detector_names) {
    std::optional<detect::Kind> k = detect::KindFromName(name);
    IdentityKind id;
    if (k && identity(*k, &id) && std::find(declared.begin(), declared.end(), id) == declared.end())
      declared.push_back(id);
  }
  if (declared.size() == 1) return declared[0];
  for (const detect::NameEvidence& e : detect::KindsFromColumnName(column_name)) {
    IdentityKind id;
    if (e.weight < 0.5 || !identity(e.kind, &id)) continue;
    if (declared.empty() || std::find(declared.begin(), declared.end(), id) != declared.end()) return id;
  }
  // Several declared kinds and a name that does not choose: normalising as
  // the wrong kind could make two different values equal, text cannot.
  return IdentityKind::kText;
}

std::string NormaliseIdentity(IdentityKind kind, std::string_view value) {
  switch (kind) {
    case IdentityKind::kEmail: return NormaliseEmail(value);
    case IdentityKind::kPhone: return NormalisePhone(value);
    case IdentityKind::kBsn: return NormaliseBsn(value);
    case IdentityKind::kIban: return NormaliseIban(value);
    case IdentityKind::kText: return std::string(Trim(value));
  }
  return std::string(Trim(value));
}

std::vector<std::string> SpellingVariants(IdentityKind kind, std::string_view value) {
  std::vector<std::string> out;
  AddUnique(&out, std::string(value));
  std::string trimmed(Trim(value));
  AddUnique(&out, trimmed);
  std::string canonical = NormaliseIdentity(kind, value);
  AddUnique(&out, canonical);
  if (canonical.empty()) return out;
  switch (kind) {
    case IdentityKind::kEmail: {
      // Stored with the local part as the person typed it and the domain in lower case.
      size_t at = trimmed.rfind('@');
      if (at != std::string::npos) {
        std::string mixed = trimmed;
        for (size_t i = at; i < mixed.size(); ++i) mixed[i] = Lower(static_cast<unsigned char>(mixed[i]));
        AddUnique(&out, mixed);
      }
      break;
    }
    case IdentityKind::kPhone: PhoneVariants(canonical, &out); break;
    case IdentityKind::kBsn: BsnVariants(canonical, &out); break;
    case IdentityKind::kIban: IbanVariants(canonical, &out); break;
    case IdentityKind::kText: break;
  }
  return out;
}

}  // namespace dpo::dsar
