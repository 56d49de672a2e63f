#include "anonymise/generalise.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace dpo::anonymise {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Exactly `n` digits at s[pos...]; -1 if not.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool IsCalendarDate(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= (m == 2 && leap ? 29 : kDays[m - 1]);
}

struct DateTime {
  int year = 0, month = 0, day = 0;
  bool timed = false;
  char separator = ' ';
  std::string_view zone;  // as written: "", "Z", "+02:00"...
};

// ISO "YYYY-MM-DD[( |T)HH:MM[:SS[.f]][zone]]".
std::optional<DateTime> ParseDateTime(std::string_view s) {
  DateTime t;
  t.year = Digits(s, 0, 4);
  t.month = Digits(s, 5, 2);
  t.day = Digits(s, 8, 2);
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || t.year < 0 || t.month < 0 || t.day < 0 ||
      !IsCalendarDate(t.year, t.month, t.day))
    return std::nullopt;
  if (s.size() == 10) return t;
  t.timed = true;
  t.separator = s[10];
  if (t.separator != ' ' && t.separator != 'T') return std::nullopt;
  int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2);
  if (hour < 0 || hour > 23 || s.size() < 16 || s[13] != ':' || minute < 0 || minute > 59) return std::nullopt;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    int second = Digits(s, pos + 1, 2);
    if (second < 0 || second > 60) return std::nullopt;  // 60: a leap second
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t start = ++pos;
      while (pos < s.size() && IsDigit(s[pos])) ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  t.zone = s.substr(pos);
  std::string_view z = t.zone;
  if (z.empty() || z == "Z") return t;
  if (z[0] != '+' && z[0] != '-') return std::nullopt;
  int zh = Digits(z, 1, 2);
  bool ok = zh >= 0 && zh <= 14 &&
            (z.size() == 3 || (z.size() == 6 && z[3] == ':' && Digits(z, 4, 2) >= 0 && Digits(z, 4, 2) <= 59) ||
             (z.size() == 5 && Digits(z, 3, 2) >= 0 && Digits(z, 3, 2) <= 59));
  if (!ok) return std::nullopt;
  return t;
}

std::string Year4(int year) {
  std::string y = std::to_string(year);
  return std::string(y.size() < 4 ? 4 - y.size() : 0, '0') + y;
}

// Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF): the
// length of the sequence at s[i], 0 if invalid.
size_t Utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (b(i + k) & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

// Decimal number grammar: [+-] (digits [. digits] | . digits) [(e|E) [+-] digits].
// `integer` says whether it had neither fraction nor exponent.
bool IsDecimalNumber(std::string_view s, bool* integer) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  bool point = i < s.size() && s[i] == '.';
  if (point) {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  bool exponent = i < s.size() && (s[i] == 'e' || s[i] == 'E');
  if (exponent) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  *integer = !point && !exponent;
  return i == s.size();
}

std::string Int128Text(__int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string out;
  while (u > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (negative) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

// Decimals in the shortest fixed-point text of `width` ("0.25" -> 2).
int DecimalsOf(double width) {
  char buf[512];
  auto r = std::to_chars(buf, buf + sizeof buf, width, std::chars_format::fixed);
  if (r.ec != std::errc()) return 0;
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  size_t point = text.find('.');
  return point == std::string_view::npos ? 0 : static_cast<int>(text.size() - point - 1);
}

std::optional<std::string> FixedText(double v, int decimals) {
  char buf[1024];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (r.ec != std::errc()) return std::nullopt;
  return std::string(buf, static_cast<size_t>(r.ptr - buf));
}

}  // namespace

std::optional<std::string> GeneraliseDate(std::string_view value, int years) {
  if (years < 1) return std::nullopt;
  std::optional<DateTime> t = ParseDateTime(Trim(value));
  if (!t) return std::nullopt;
  int start = t->year - t->year % years;
  if (start < 1) return std::nullopt;  // year 0 is not a date a database takes
  std::string out = Year4(start) + "-01-01";
  if (t->timed) {
    out.push_back(t->separator);
    out += "00:00:00";
    out += t->zone;
  }
  return out;
}

std::optional<std::string> AgeBand(std::string_view value, std::string_view as_of, int width) {
  if (width < 1) return std::nullopt;
  std::optional<DateTime> born = ParseDateTime(Trim(value));
  std::optional<DateTime> on = ParseDateTime(Trim(as_of));
  if (!born || !on) return std::nullopt;
  int age = on->year - born->year;
  if (on->month < born->month || (on->month == born->month && on->day < born->day)) --age;
  if (age < 0) return std::nullopt;  // born after the as-of date
  if (age >= 90) return "90+";
  int low = age - age % width;
  int high = std::min(low + width - 1, 89);
  return low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high);
}

std::optional<std::string> GeneralisePostcode(std::string_view value, int digits) {
  if (digits < 1) return std::nullopt;
  std::string_view v = Trim(value);
  // Dutch: 4 digits (1000-9999), an optional space, 2 letters.
  bool dutch = (v.size() == 6 || (v.size() == 7 && v[4] == ' ')) && Digits(v, 0, 4) >= 1000 &&
               IsAlpha(v[v.size() - 2]) && IsAlpha(v[v.size() - 1]);
  if (dutch) return std::string(v.substr(0, static_cast<size_t>(std::min(digits, 4))));
  // Another country's shape: groups of letters and digits, single separators.
  std::string alnum;
  bool has_digit = false;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (IsAlnum(c)) {
      alnum.push_back(c);
      has_digit = has_digit || IsDigit(c);
    } else if (c == ' ' || c == '-') {
      if (i == 0 || !IsAlnum(v[i - 1])) return std::nullopt;  // leading or doubled separator
    } else {
      return std::nullopt;
    }
    if (alnum.size() > 10) return std::nullopt;
  }
  if (alnum.size() < 3 || !has_digit || alnum.size() <= static_cast<size_t>(digits)) return std::nullopt;
  return alnum.substr(0, static_cast<size_t>(digits));
}

std::optional<std::string> GeneraliseIpv4(std::string_view value, int prefix_bits) {
  if (prefix_bits < 0 || prefix_bits > 32) return std::nullopt;
  std::string_view v = Trim(value);
  // inet_pton reads a C string: a value with a NUL or anything but digits
  // and dots must not be cut short into an address.
  if (v.empty() || v.size() > 15) return std::nullopt;
  for (char c : v)
    if (!IsDigit(c) && c != '.') return std::nullopt;
  char text[INET_ADDRSTRLEN] = {};
  std::memcpy(text, v.data(), v.size());
  unsigned char addr[4];
  if (inet_pton(AF_INET, text, addr) != 1) return std::nullopt;
  for (int i = 0; i < 4; ++i) {
    int bits = std::clamp(prefix_bits - 8 * i, 0, 8);
    addr[i] &= static_cast<unsigned char>(0xFF00 >> bits);
  }
  char out[INET_ADDRSTRLEN];
  if (inet_ntop(AF_INET, addr, out, sizeof out) == nullptr) return std::nullopt;
  return std::string(out);
}

std::optional<std::string> GeneraliseIpv6(std::string_view value, int prefix_bits) {
  if (prefix_bits < 0 || prefix_bits > 128) return std::nullopt;
  std::string_view v = Trim(value);
  if (v.empty() || v.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  for (char c : v)
    if (!IsDigit(c) && !IsAlpha(c) && c != ':' && c != '.') return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  std::memcpy(text, v.data(), v.size());
  unsigned char addr[16];
  if (inet_pton(AF_INET6, text, addr) != 1) return std::nullopt;
  for (int i = 0; i < 16; ++i) {
    int bits = std::clamp(prefix_bits - 8 * i, 0, 8);
    addr[i] &= static_cast<unsigned char>(0xFF00 >> bits);
  }
  // glibc writes RFC 5952's form: lower case, no leading zeros, the longest
  // run of two or more zero groups (the first of equals) as "::".
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, addr, out, sizeof out) == nullptr) return std::nullopt;
  return std::string(out);
}

std::optional<std::string> Band(std::string_view value, double width) {
  if (!(width > 0) || !std::isfinite(width)) return std::nullopt;
  std::string_view v = Trim(value);
  bool integer = false;
  if (!IsDecimalNumber(v, &integer)) return std::nullopt;
  std::string_view unsigned_part = !v.empty() && v[0] == '+' ? v.substr(1) : v;  // from_chars takes no '+'
  bool whole_width = width == std::floor(width);

  if (integer && whole_width && width < 9.2e18) {
    int64_t x = 0;
    auto r = std::from_chars(unsigned_part.data(), unsigned_part.data() + unsigned_part.size(), x);
    if (r.ec == std::errc() && r.ptr == unsigned_part.data() + unsigned_part.size()) {
      // Exact: floor division in integers, in 128 bits so that
      // INT64_MIN's band (below INT64_MIN) still has a value.
      __int128 w = static_cast<int64_t>(width);
      __int128 q = x / w;
      if (x % w != 0 && x < 0) --q;
      return Int128Text(q * w);
    }
  }

  double x = 0;
  auto r = std::from_chars(unsigned_part.data(), unsigned_part.data() + unsigned_part.size(), x);
  if (r.ec != std::errc() || r.ptr != unsigned_part.data() + unsigned_part.size() || !std::isfinite(x))
    return std::nullopt;
  double q = x / width;
  if (!std::isfinite(q)) return std::nullopt;
  // 0.3 / 0.1 is 2.9999999999999996 in binary: a quotient a few ulps below
  // a whole number is that number, or 0.3 would fall into the band of 0.2.
  double nearest = std::nearbyint(q);
  if (std::fabs(q - nearest) <= 1e-12 * std::max(1.0, std::fabs(q))) q = nearest;
  double start = std::floor(q) * width + 0.0;  // + 0.0: no "-0.0"
  if (!std::isfinite(start)) return std::nullopt;
  if (integer && whole_width) return FixedText(start, 0);  // an integer beyond 64 bits
  return FixedText(start, std::max(1, DecimalsOf(width)));
}

std::optional<std::string> Mask(std::string_view value, int keep_last, char mask) {
  if (mask < 0x20 || mask > 0x7E) return std::nullopt;
  // Where each character starts.
  std::vector<size_t> starts;
  starts.reserve(value.size());
  for (size_t i = 0; i < value.size();) {
    size_t n = Utf8Length(value, i);
    if (n == 0) return std::nullopt;
    starts.push_back(i);
    i += n;
  }
  size_t chars = starts.size();
  size_t keep = keep_last < 0 ? 0 : static_cast<size_t>(keep_last);
  if (keep >= chars) return std::string(chars, mask);
  size_t masked = chars - keep;
  std::string out(masked, mask);
  if (masked < chars) out.append(value.substr(starts[masked]));
  return out;
}

}  // namespace dpo::anonymise
