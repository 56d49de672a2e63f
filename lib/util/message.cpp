#include "util/message.h"

#include <cstdio>

namespace dpo::util {

namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr int kDigitRunIsValue = 6;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiLetter(char c) { return IsUpper(c) || (c >= 'a' && c <= 'z'); }
bool IsAsciiAlnum(char c) { return IsDigit(c) || IsAsciiLetter(c); }

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at text[i] (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF) and its code point,
// or 0 if the bytes there are not valid UTF-8.
size_t DecodeUtf8(std::string_view text, size_t i, char32_t* code_point) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  const auto b1 = static_cast<unsigned char>(text[i + 1]);
  if (b1 < lo || b1 > hi) return 0;
  char32_t cp = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if (!IsContinuation(b)) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  *code_point = cp;
  return len;
}

// Code points that are valid text but can move the cursor, break the line or
// reorder what the reader sees.
bool IsInvisibleControl(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

std::string Hex(const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

// 6+ digits in a run; spaces and the punctuation of phone numbers, dates and
// account numbers between digits do not end it.
bool HasLongDigitRun(std::string_view s) {
  int run = 0;
  for (char c : s) {
    if (IsDigit(c)) {
      if (++run >= kDigitRunIsValue) return true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '/' && c != '(' && c != ')') {
      run = 0;
    }
  }
  return false;
}

// CC99 followed by letters and digits, 15 to 34 in all; spaces ignored.
bool LooksIban(std::string_view s) {
  std::string compact;
  for (char c : s) {
    if (c == ' ') continue;
    if (!IsAsciiAlnum(c)) return false;
    compact.push_back(c);
  }
  return compact.size() >= 15 && compact.size() <= 34 && IsAsciiLetter(compact[0]) && IsAsciiLetter(compact[1]) &&
         IsDigit(compact[2]) && IsDigit(compact[3]);
}

// "1234 AB" or "1234AB" as a word of its own.
bool HasDutchPostcode(std::string_view s) {
  for (size_t i = 0; i + 6 <= s.size(); ++i) {
    if (i > 0 && IsAsciiAlnum(s[i - 1])) continue;
    if (s[i] < '1' || s[i] > '9' || !IsDigit(s[i + 1]) || !IsDigit(s[i + 2]) || !IsDigit(s[i + 3])) continue;
    size_t j = i + 4;
    if (j < s.size() && s[j] == ' ') ++j;
    if (j + 2 > s.size() || !IsUpper(s[j]) || !IsUpper(s[j + 1])) continue;
    if (j + 2 == s.size() || !IsAsciiAlnum(s[j + 2])) return true;
  }
  return false;
}

}  // namespace

std::string EscapeForMessage(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(text.size() < 128 ? text.size() + 8 : 128);
  std::string piece;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t used = 1;
    if (c == '\n') {
      piece = "\\n";
    } else if (c == '\r') {
      piece = "\\r";
    } else if (c == '\t') {
      piece = "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      piece = Hex("\\x%02x", c);
    } else if (c < 0x80) {
      piece.assign(1, static_cast<char>(c));
    } else {
      char32_t cp = 0;
      size_t len = DecodeUtf8(text, i, &cp);
      if (len == 0) {
        piece = Hex("\\x%02x", c);
      } else {
        used = len;
        piece = IsInvisibleControl(cp) ? Hex("\\u%04x", static_cast<unsigned>(cp)) : std::string(text.substr(i, len));
      }
    }
    if (max_bytes != std::string_view::npos && out.size() + piece.size() > max_bytes) {
      out += "...";
      return out;
    }
    out += piece;
    i += used;
  }
  return out;
}

bool LooksLikeDataValue(std::string_view name) {
  if (name.size() > kMaxNameBytes) return true;
  if (name.find('@') != std::string_view::npos) return true;
  return HasLongDigitRun(name) || LooksIban(name) || HasDutchPostcode(name);
}

std::string NameForMessage(std::string_view name) {
  if (LooksLikeDataValue(name)) return "(name withheld: it looks like a data value)";
  return "'" + EscapeForMessage(name) + "'";
}

}  // namespace dpo::util
