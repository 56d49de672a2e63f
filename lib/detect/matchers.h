// Internal to lib/detect: anchored matchers shared by the text scanner, the
// validators and the column classifier. Each Match* looks at [p, end) and
// returns the length of the candidate that starts exactly at p (0 if none);
// *validated says whether it also passed the kind's validator (checksum,
// calendar, numbering plan). They never read before p and never past end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "detect/kind.h"

namespace dpo::detect::internal {

constexpr bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
constexpr bool IsUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsAlpha(unsigned char c) { return IsUpper(c) || IsLower(c); }
constexpr bool IsAlnum(unsigned char c) { return IsDigit(c) || IsAlpha(c); }
// Letters including UTF-8 continuation/lead bytes (names like "Müller").
// A table: the scanners ask this of nearly every byte.
struct WordByteTable {
  bool is[256] = {};
  constexpr WordByteTable() {
    for (int c = 0; c < 256; ++c) is[c] = IsAlnum(static_cast<unsigned char>(c)) || c >= 0x80;
  }
};
inline constexpr WordByteTable kWordBytes{};
inline bool IsWordByte(unsigned char c) { return kWordBytes.is[c]; }

// The first byte at or after p that is not a word byte, or e. Sixteen bytes
// at a time where that many are left: in prose, finding where each word ends
// was the text scanner's hottest loop (a mispredicted branch per word).
inline const char* WordEnd(const char* p, const char* e) {
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  while (e - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    const __m128i l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    const __m128i alpha = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l);
    const __m128i high = _mm_cmplt_epi8(v, zero);  // bytes >= 0x80
    const unsigned word = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, alpha), high)));
    if (word != 0xFFFF) return p + __builtin_ctz(~word & 0xFFFF);
    p += 16;
  }
#endif
  while (p < e && IsWordByte(static_cast<unsigned char>(*p))) ++p;
  return p;
}
constexpr bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char ToLower(unsigned char c) { return IsUpper(c) ? static_cast<char>(c + 32) : static_cast<char>(c); }

// True if the lower-cased word [p, p+n) equals `lower_word`.
bool EqualsLower(const char* p, size_t n, std::string_view lower_word);

size_t MatchEmail(const char* p, const char* end, bool* validated);
// The start of the e-mail local part that ends just before the '@' at `at`
// (begin is the first byte we may look at); returns `at` if there is none.
const char* EmailLocalStart(const char* begin, const char* at);
size_t MatchDate(const char* p, const char* end, bool* validated, int* year);
size_t MatchIpv4(const char* p, const char* end, bool* validated);
size_t MatchIpv6(const char* p, const char* end, bool* validated);
size_t MatchPostcode(const char* p, const char* end, bool* validated);
// `strict_start`: in running text a national number must start with 0, + or (.
size_t MatchPhone(const char* p, const char* end, bool* validated, bool lenient);
size_t MatchCard(const char* p, const char* end, bool* validated);
size_t MatchIban(const char* p, const char* end, bool* validated);
size_t MatchVatNl(const char* p, const char* end, bool* validated);
// 8 or 9 digits, optionally written 1234.56.782; *digits gets the digit count.
size_t MatchBsnShape(const char* p, const char* end, bool* validated, int* digits);
size_t MatchDocumentNumber(const char* p, const char* end, bool* validated);
size_t MatchSocialUrl(const char* p, const char* end, bool* validated);
// Street-name-first ("Kerkstraat 12a") and number-first ("12 Baker Street").
size_t MatchAddress(const char* p, const char* end, bool* validated);
// Cheap gate for running text: the word [p, p+n) is a street word
// ("Kerkstraat", "Laan", "Calle") that a street-first address can start with.
bool MayStartStreetFirstAddress(const char* p, size_t n);
bool IsStreetPrefixWord(const char* p, size_t n);

}  // namespace dpo::detect::internal
