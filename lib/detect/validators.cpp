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
};

// SWIFT IBAN registry (release 2024): country code and total IBAN length.
constexpr std::array<IbanCountry, 89> kIbanCountries = {{
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20},
    {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25},
    {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
    {"YE", 30},
}};

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
  if (cc.size() != 2) return 0;
  char a = static_cast<char>(IsUpper(cc[0]) ? cc[0] : cc[0] - 32);
  char b = static_cast<char>(IsUpper(cc[1]) ? cc[1] : cc[1] - 32);
  for (const IbanCountry& c : kIbanCountries) {
    if (c.code[0] == a && c.code[1] == b) return c.length;
  }
  return 0;
}

bool IsValidIban(std::string_view value) {
  char buf[40];
  int n = 0;
  for (char c : value) {
    if (c == ' ') continue;
    if (!IsAlnum(c) || n >= 34) return false;
    buf[n++] = c;
  }
  if (n < 15 || !IsAlpha(buf[0]) || !IsAlpha(buf[1]) || !IsDigit(buf[2]) || !IsDigit(buf[3])) return false;
  if (IbanLengthForCountry(std::string_view(buf, 2)) != n) return false;
  std::string_view s(buf, static_cast<size_t>(n));
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
