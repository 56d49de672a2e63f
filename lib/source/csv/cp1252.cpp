#include "source/csv/cp1252.h"

#include <cstdint>

namespace dpo::source {
namespace {

// Code points of bytes 0x80..0x9F; 0xA0..0xFF equal their Latin-1 code point.
constexpr uint16_t kHigh[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

void AppendWindows1252AsUtf8(std::string_view text, std::string* out) {
  out->reserve(out->size() + text.size() + text.size() / 8);
  size_t i = 0;
  while (i < text.size()) {
    size_t run = i;
    while (run < text.size() && static_cast<unsigned char>(text[run]) < 0x80) ++run;
    out->append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    unsigned char b = static_cast<unsigned char>(text[i++]);
    AppendCodePoint(b < 0xA0 ? kHigh[b - 0x80] : b, out);
  }
}

int Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  unsigned char b = p[0];
  if (b < 0x80) return 1;
  int n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;        // no overlong forms
    if (b == 0xED) hi = 0x9F;        // no surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;        // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (int k = 1; k < n; ++k) {
    if (p + k >= end) return -1;
    unsigned char c = p[k];
    if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 0;
  }
  return n;
}

bool AppendUtf8AsWindows1252(std::string_view text, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    if (*p < 0x80) {
      out->push_back(static_cast<char>(*p++));
      continue;
    }
    int n = Utf8SequenceLength(p, end);
    if (n <= 0) return false;
    uint32_t cp = n == 2 ? ((p[0] & 0x1F) << 6) | (p[1] & 0x3F)
                : n == 3 ? ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)
                         : 0x110000;
    p += n;
    if (cp >= 0xA0 && cp <= 0xFF) {
      out->push_back(static_cast<char>(cp));
      continue;
    }
    bool found = false;
    for (int k = 0; k < 32; ++k) {
      if (kHigh[k] == cp) {
        out->push_back(static_cast<char>(0x80 + k));
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace dpo::source
