#include "detect/validators.h"

#include <array>

#include "detect/matchers.h"

namespace dpo::detect {
namespace {

using internal::IsAlnum;
using internal::IsAlpha;
using internal::IsDigit;
using internal::IsUpper;
using internal::ToLower;

struct IbanCountry {
  char code[3];
  int length;
  // The BBAN (what follows "CCkk") as the SWIFT IBAN registry writes it:
  // runs of n digits, a upper-case letters, c letters or digits ("4a10n":
  // four letters, ten digits).
  const char* bban;
};

// SWIFT IBAN registry (release 2024): country code, total IBAN length and
// BBAN structure. The test checks that each structure adds up to its length.
constexpr std::array<IbanCountry, 89> kIbanCountries = {{
    {"AD", 24, "8n12c"},      {"AE", 23, "19n"},        {"AL", 28, "8n16c"},       {"AT", 20, "16n"},
    {"AZ", 28, "4a20c"},      {"BA", 20, "16n"},        {"BE", 16, "12n"},         {"BG", 22, "4a6n8c"},
    {"BH", 22, "4a14c"},      {"BI", 27, "23n"},        {"BR", 29, "23n1a1c"},     {"BY", 28, "4c4n16c"},
    {"CH", 21, "5n12c"},      {"CR", 22, "18n"},        {"CY", 28, "8n16c"},       {"CZ", 24, "20n"},
    {"DE", 22, "18n"},        {"DJ", 27, "23n"},        {"DK", 18, "14n"},         {"DO", 28, "4c20n"},
    {"EE", 20, "16n"},        {"EG", 29, "25n"},        {"ES", 24, "20n"},         {"FI", 18, "14n"},
    {"FK", 18, "2a12n"},      {"FO", 18, "14n"},        {"FR", 27, "10n11c2n"},    {"GB", 22, "4a14n"},
    {"GE", 22, "2a16n"},      {"GI", 23, "4a15c"},      {"GL", 18, "14n"},         {"GR", 27, "7n16c"},
    {"GT", 28, "4c20c"},      {"HN", 28, "4a20n"},      {"HR", 21, "17n"},         {"HU", 28, "24n"},
    {"IE", 22, "4a14n"},      {"IL", 23, "19n"},        {"IQ", 23, "4a15n"},       {"IS", 26, "22n"},
    {"IT", 27, "1a10n12c"},   {"JO", 30, "4a4n18c"},    {"KW", 30, "4a22c"},       {"KZ", 20, "3n13c"},
    {"LB", 28, "4n20c"},      {"LC", 32, "4a24c"},      {"LI", 21, "5n12c"},       {"LT", 20, "16n"},
    {"LU", 20, "3n13c"},      {"LV", 21, "4a13c"},      {"LY", 25, "21n"},         {"MC", 27, "10n11c2n"},
    {"MD", 24, "2c18c"},      {"ME", 22, "18n"},        {"MK", 19, "3n10c2n"},     {"MN", 20, "16n"},
    {"MR", 27, "23n"},        {"MT", 31, "4a5n18c"},    {"MU", 30, "4a19n3a"},     {"NI", 28, "4a20n"},
    {"NL", 18, "4a10n"},      {"NO", 15, "11n"},        {"OM", 23, "3n16c"},       {"PK", 24, "4a16c"},
    {"PL", 28, "24n"},        {"PS", 29, "4a21c"},      {"PT", 25, "21n"},         {"QA", 29, "4a21c"},
    {"RO", 24, "4a16c"},      {"RS", 22, "18n"},        {"RU", 33, "14n15c"},      {"SA", 24, "2n18c"},
    {"SC", 31, "4a20n3a"},    {"SD", 18, "14n"},        {"SE", 24, "20n"},         {"SI", 19, "15n"},
    {"SK", 24, "20n"},        {"SM", 27, "1a10n12c"},   {"SO", 23, "19n"},         {"ST", 25, "21n"},
    {"SV", 28, "4a20n"},      {"TL", 23, "19n"},        {"TN", 24, "20n"},         {"TR", 26, "6n16c"},
    {"UA", 29, "6n19c"},      {"VA", 22, "18n"},        {"VG", 24, "4a16n"},       {"XK", 20, "16n"},
    {"YE", 30, "4a4n18c"},
}};

const IbanCountry* FindIbanCountry(std::string_view cc) {
  if (cc.size() != 2) return nullptr;
  char a = static_cast<char>(IsUpper(cc[0]) ? cc[0] : cc[0] - 32);
  char b = static_cast<char>(IsUpper(cc[1]) ? cc[1] : cc[1] - 32);
  for (const IbanCountry& c : kIbanCountries) {
    if (c.code[0] == a && c.code[1] == b) return &c;
  }
  return nullptr;
}

// Whether `bban` (upper or lower case) has the registry's structure: a
// mod-97-valid string with a letter where the account number must be digits
// is no IBAN.
bool MatchesBban(std::string_view bban, const char* format) {
  size_t at = 0;
  for (const char* f = format; *f != '\0';) {
    int run = 0;
    while (IsDigit(*f)) run = run * 10 + (*f++ - '0');
    const char cls = *f++;
    for (int i = 0; i < run; ++i, ++at) {
      if (at >= bban.size()) return false;
      const char c = bban[at];
      if (cls == 'n' && !IsDigit(c)) return false;
      if (cls == 'a' && !IsAlpha(c)) return false;
      if (cls == 'c' && !IsAlnum(c)) return false;
    }
  }
  return at == bban.size();
}

// Digits of `value`, skipping the separators people write; false if anything
// else occurs or there are more than `max` digits.
bool CollectDigits(std::string_view value, std::string_view separators, char* out, int max, int* n) {
  *n = 0;
  for (char c : value) {
    if (IsDigit(c)) {
      if (*n >= max) return false;
      out[(*n)++] = c;
    } else if (separators.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool ElevenCheck(const char* d) {
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (d[i] - '0') * (9 - i);
  sum -= d[8] - '0';
  return sum % 11 == 0;
}

// Mod 97 of a string of digits and letters (A=10 .. Z=35).
int Mod97(std::string_view s) {
  int r = 0;
  for (char c : s) {
    if (IsDigit(c)) {
      r = (r * 10 + (c - '0')) % 97;
    } else {
      int v = ToLower(c) - 'a' + 10;
      r = (r * 100 + v) % 97;
    }
  }
  return r;
}

bool WholeMatch(std::string_view v, size_t (*fn)(const char*, const char*, bool*)) {
  bool validated = false;
  return !v.empty() && fn(v.data(), v.data() + v.size(), &validated) == v.size() && validated;
}

}  // namespace

bool IsValidBsn(std::string_view value) {
  char d[10];
  int n;
  if (!CollectDigits(value, ". -", d, 9, &n)) return false;
  if (n == 8) {
    for (int i = 8; i > 0; --i) d[i] = d[i - 1];
    d[0] = '0';
    n = 9;
  }
  if (n != 9) return false;
  bool all_zero = true;
  for (int i = 0; i < 9; ++i) all_zero = all_zero && d[i] == '0';
  return !all_zero && ElevenCheck(d);
}

bool IsValidSsnUs(std::string_view v) {
  if (v.size() != 11 || !(v[3] == '-' || v[3] == ' ') || v[6] != v[3]) return false;
  int area = 0, group = 0, serial = 0;
  for (size_t i = 0; i < 11; ++i) {
    if (i == 3 || i == 6) continue;
    if (!IsDigit(v[i])) return false;
    int d = v[i] - '0';
    if (i < 3) area = area * 10 + d;
    else if (i < 6) group = group * 10 + d;
    else serial = serial * 10 + d;
  }
  return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

int IbanLengthForCountry(std::string_view cc) {
  const IbanCountry* c = FindIbanCountry(cc);
  return c == nullptr ? 0 : c->length;
}

const char* IbanBbanFormat(std::string_view cc) {
  const IbanCountry* c = FindIbanCountry(cc);
  return c == nullptr ? nullptr : c->bban;
}

bool IsValidIban(std::string_view value) {
  char buf[40];
  int n = 0;
  for (char c : value) {
    if (IsIbanSeparator(c) && n >= 2) continue;
    if (!IsAlnum(c) || n >= 34) return false;
    buf[n++] = c;
  }
  if (n < 15 || !IsAlpha(buf[0]) || !IsAlpha(buf[1]) || !IsDigit(buf[2]) || !IsDigit(buf[3])) return false;
  const IbanCountry* country = FindIbanCountry(std::string_view(buf, 2));
  if (country == nullptr || country->length != n) return false;
  std::string_view s(buf, static_cast<size_t>(n));
  if (!MatchesBban(s.substr(4), country->bban)) return false;
  // Move the first four characters to the end, then mod 97 must be 1.
  int r = Mod97(s.substr(4));
  for (char c : s.substr(0, 4)) {
    r = IsDigit(c) ? (r * 10 + (c - '0')) % 97 : (r * 100 + (ToLower(c) - 'a' + 10)) % 97;
  }
  return r == 1;
}

bool PassesLuhn(std::string_view value) {
  int sum = 0, n = 0;
  for (size_t i = value.size(); i-- > 0;) {
    char c = value[i];
    if (c == ' ' || c == '-') continue;
    if (!IsDigit(c)) return false;
    int d = c - '0';
    if (n % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    ++n;
  }
  return n > 0 && sum % 10 == 0;
}

bool IsValidPaymentCard(std::string_view value) {
  char d[20];
  int n;
  if (!CollectDigits(value, " -", d, 19, &n) || n < 13) return false;
  auto prefix = [&](int len) {
    int v = 0;
    for (int i = 0; i < len; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  int p1 = prefix(1), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6);
  bool known = false;
  if (p1 == 4) known = n == 13 || n == 16 || n == 19;                                      // Visa
  else if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) known = n == 16;           // Mastercard
  else if (p2 == 34 || p2 == 37) known = n == 15;                                           // Amex
  else if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925))
    known = n >= 16;                                                                        // Discover
  else if (p2 == 62) known = n >= 16;                                                       // UnionPay
  else if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) known = n >= 14;   // Diners
  else if (p4 >= 3528 && p4 <= 3589) known = n >= 16;                                       // JCB
  else if (p2 == 50 || (p2 >= 56 && p2 <= 58) || p1 == 6) known = n >= 12;                  // Maestro
  return known && PassesLuhn(std::string_view(d, static_cast<size_t>(n)));
}

bool IsValidVatNl(std::string_view v) {
  if (v.size() != 14) return false;
  if (ToLower(v[0]) != 'n' || ToLower(v[1]) != 'l' || ToLower(v[11]) != 'b') return false;
  for (int i : {2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13}) {
    if (!IsDigit(v[i])) return false;
  }
  if (v.substr(2, 9) == "000000000") return false;
  if (ElevenCheck(v.data() + 2)) return true;
  // Since 2020 sole traders get an id that passes mod 97 over "NL" + digits + "B" + digits.
  return Mod97(v) == 1;
}

bool IsValidKvkFormat(std::string_view v) {
  if (v.size() != 8) return false;
  for (char c : v) {
    if (!IsDigit(c)) return false;
  }
  return v != "00000000";
}

bool IsValidNlDocumentNumber(std::string_view v) {
  if (v.size() != 9) return false;
  char up[9];
  for (int i = 0; i < 9; ++i) up[i] = static_cast<char>(internal::IsLower(v[i]) ? v[i] - 32 : v[i]);
  bool validated;
  return internal::MatchDocumentNumber(up, up + 9, &validated) == 9;
}

bool IsValidPostcodeNl(std::string_view v) { return WholeMatch(v, internal::MatchPostcode); }
bool IsValidEmail(std::string_view v) { return WholeMatch(v, internal::MatchEmail); }
bool IsValidIpv4(std::string_view v) { return WholeMatch(v, internal::MatchIpv4); }
bool IsValidIpv6(std::string_view v) { return WholeMatch(v, internal::MatchIpv6); }
bool IsSocialProfileUrl(std::string_view v) { return WholeMatch(v, internal::MatchSocialUrl); }

bool IsValidPhone(std::string_view v) {
  bool validated = false;
  return !v.empty() && internal::MatchPhone(v.data(), v.data() + v.size(), &validated, false) == v.size() &&
         validated;
}

bool IsCalendarDate(int year, int month, int day) {
  if (year < 1800 || year > 2199 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[month - 1];
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && leap) max = 29;
  return day <= max;
}

bool IsValidDate(std::string_view v, int* year) {
  bool validated = false;
  int y = 0;
  if (v.empty() || internal::MatchDate(v.data(), v.data() + v.size(), &validated, &y) != v.size() || !validated) {
    return false;
  }
  if (year) *year = y;
  return true;
}

bool IsStreetAddress(std::string_view v) {
  bool validated = false;
  size_t n = internal::MatchAddress(v.data(), v.data() + v.size(), &validated);
  if (n == 0 || !validated) return false;
  // Allow ", 1234 AB Amsterdam" or " Amsterdam" after the street and number.
  return n == v.size() || v[n] == ',' || v[n] == ' ';
}

}  // namespace dpo::detect
