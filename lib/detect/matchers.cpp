#include "detect/matchers.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "detect/validators.h"

namespace dpo::detect::internal {
namespace {

bool IsEmailLocalChar(unsigned char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// Reads 1..max_digits digits; returns the count (0 if none) and the value.
int ReadNumber(const char* p, const char* end, int max_digits, int* value) {
  int n = 0, v = 0;
  while (p + n < end && n < max_digits && IsDigit(p[n])) {
    v = v * 10 + (p[n] - '0');
    ++n;
  }
  *value = v;
  return n;
}

size_t WordLength(const char* p, const char* end) { return static_cast<size_t>(WordEnd(p, end) - p); }

// Three bytes as one integer, for comparing a word's start with a month's.
constexpr uint32_t MonthKey(char a, char b, char c) {
  return static_cast<uint32_t>(static_cast<unsigned char>(a)) | static_cast<uint32_t>(static_cast<unsigned char>(b)) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(c)) << 16;
}

int MonthFromWord(const char* p, size_t n) {
  struct Month {
    std::string_view word;  // lower case
    int month;
  };
  // Dutch and English names and abbreviations ("mei", "may", "mrt", "sept").
  static constexpr std::array<Month, 34> kMonths = {{
      {"januari", 1},  {"january", 1},  {"jan", 1},      {"februari", 2}, {"february", 2}, {"feb", 2},
      {"maart", 3},    {"march", 3},    {"mrt", 3},      {"mar", 3},      {"april", 4},    {"apr", 4},
      {"mei", 5},      {"may", 5},      {"juni", 6},     {"june", 6},     {"jun", 6},      {"juli", 7},
      {"july", 7},     {"jul", 7},      {"augustus", 8}, {"august", 8},   {"aug", 8},      {"september", 9},
      {"sep", 9},      {"sept", 9},     {"oktober", 10}, {"october", 10}, {"okt", 10},     {"oct", 10},
      {"november", 11}, {"nov", 11},    {"december", 12}, {"dec", 12},
  }};
  if (n < 3 || n > 9) return 0;
  char first = ToLower(static_cast<unsigned char>(p[0]));
  if (first != 'j' && first != 'f' && first != 'm' && first != 'a' && first != 's' && first != 'o' &&
      first != 'n' && first != 'd')
    return 0;
  // Every month word starts with one of these three letters: most words of
  // prose ("met 11 jaar", "sinds 2015") stop here, after three compares of
  // one integer each.
  static constexpr std::array<std::string_view, 16> kStarts = {"jan", "feb", "maa", "mar", "mrt", "apr", "mei", "may",
                                                               "jun", "jul", "aug", "sep", "okt", "oct", "nov", "dec"};
  static constexpr auto kStartKeys = [] {
    std::array<uint32_t, kStarts.size()> keys{};
    for (size_t i = 0; i < kStarts.size(); ++i) keys[i] = MonthKey(kStarts[i][0], kStarts[i][1], kStarts[i][2]);
    return keys;
  }();
  const uint32_t start = MonthKey(ToLower(static_cast<unsigned char>(p[0])), ToLower(static_cast<unsigned char>(p[1])),
                             ToLower(static_cast<unsigned char>(p[2])));
  bool known = false;
  for (uint32_t k : kStartKeys) known |= k == start;
  if (!known) return 0;
  char lower[9];
  for (size_t i = 0; i < n; ++i) lower[i] = ToLower(static_cast<unsigned char>(p[i]));
  std::string_view w(lower, n);
  for (const Month& m : kMonths) {
    if (m.word.size() == n && m.word[0] == first && m.word == w) return m.month;
  }
  return 0;
}

// Optional time after a date: [T ]hh:mm[:ss[.fff]][Z|+hh[:mm]].
size_t MatchTimeSuffix(const char* p, const char* end) {
  if (p >= end || (*p != 'T' && *p != ' ')) return 0;
  const char* q = p + 1;
  int h, m;
  if (ReadNumber(q, end, 2, &h) != 2 || h > 23) return 0;
  q += 2;
  if (q >= end || *q != ':') return 0;
  ++q;
  if (ReadNumber(q, end, 2, &m) != 2 || m > 59) return 0;
  q += 2;
  if (q + 2 < end && *q == ':' && IsDigit(q[1]) && IsDigit(q[2])) {
    q += 3;
    if (q + 1 < end && *q == '.' && IsDigit(q[1])) {
      ++q;
      while (q < end && IsDigit(*q)) ++q;
    }
  }
  if (q < end && *q == 'Z') {
    ++q;
  } else if (q + 2 < end && (*q == '+' || *q == '-') && IsDigit(q[1]) && IsDigit(q[2])) {
    q += 3;
    if (q + 2 < end && *q == ':' && IsDigit(q[1]) && IsDigit(q[2])) q += 3;
    else if (q + 1 < end && IsDigit(q[0]) && IsDigit(q[1])) q += 2;
  }
  return static_cast<size_t>(q - p);
}

bool Boundary(const char* q, const char* end) { return q >= end || !IsAlnum(static_cast<unsigned char>(*q)); }

int CountryCodeLength(const char* d, int n) {
  // ITU E.164 country codes: 1 and 7 are one digit; these two-digit codes are
  // assigned; every other code is three digits.
  static constexpr std::array<int, 44> kTwo = {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46,
                                              47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63,
                                              64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98};
  if (n < 1) return 0;
  if (d[0] == '1' || d[0] == '7') return 1;
  if (n < 2) return 0;
  int two = (d[0] - '0') * 10 + (d[1] - '0');
  for (int c : kTwo) {
    if (c == two) return 2;
  }
  if (d[0] == '0') return 0;
  return n >= 3 ? 3 : 0;
}

bool IsPhoneSeparator(unsigned char c) { return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')'; }

constexpr std::array<std::string_view, 31> kDutchStreetSuffixes = {
    "straat", "laan",   "weg",     "plein",  "gracht",  "kade",    "singel", "dijk",
    "steeg",  "pad",    "hof",     "markt",  "dreef",   "park",    "baan",   "wal",
    "haven",  "burgwal", "plantsoen", "erf", "boulevard", "kwartier", "hage", "straße",
    "strasse", "allee", "gasse",   "ring",   "dam",     "veld",    "dreef"};
constexpr std::array<std::string_view, 40> kEnglishStreetSuffixes = {
    "street", "st",     "road",    "rd",     "avenue",   "ave",      "lane",    "ln",
    "drive",  "dr",     "boulevard", "blvd", "court",    "ct",       "place",   "pl",
    "square", "sq",     "way",     "close",  "crescent", "terrace",  "gardens", "parkway",
    "pkwy",   "highway", "hwy",    "row",    "hill",     "grove",    "mews",    "walk",
    "circle", "cir",    "trail",   "parade", "esplanade", "broadway", "alley",  "quay"};
constexpr std::array<std::string_view, 16> kStreetPrefixes = {
    "rue",   "avenue", "boulevard", "chemin", "place", "via",  "calle", "avenida",
    "rua",   "piazza", "plaza",     "laan",   "viale", "corso", "paseo", "allee"};
constexpr std::array<std::string_view, 22> kParticles = {
    "de", "van", "der", "den", "het", "ter", "ten", "la", "le", "les", "du",
    "des", "del", "di", "da", "dos", "das", "von", "am", "an", "of", "the"};

// First and last (lower-case) bytes that occur in a list: a cheap filter
// before the string compares, since most words are in no list.
// Lengths, first and last (lower-case) bytes, and last two bytes that occur
// in a list: a cheap filter before the string compares, since most words are
// in no list.
template <size_t N>
struct ByteFilter {
  std::array<bool, 256> first{}, last{};
  std::array<bool, 64> length{};
  std::array<uint64_t, 1024> last_two{};  // bitset over the 65536 byte pairs
  // Per word of the list: its last two bytes (Pair) and its size, so that a
  // word that passes the filters is compared only with the few list words
  // that end the same way (Dutch words ending in -en, -de, -el pass the
  // street-suffix filter all the time).
  std::array<uint16_t, N> pair_of{};
  std::array<uint8_t, N> size_of{};
  constexpr explicit ByteFilter(const std::array<std::string_view, N>& list) {
    for (size_t i = 0; i < N; ++i) {
      const std::string_view w = list[i];
      size_of[i] = static_cast<uint8_t>(std::min<size_t>(w.size(), 255));
      if (w.size() >= 2) pair_of[i] = static_cast<uint16_t>(Pair(w[w.size() - 2], w[w.size() - 1]));
    }
    for (std::string_view w : list) {
      first[static_cast<unsigned char>(w.front())] = true;
      last[static_cast<unsigned char>(w.back())] = true;
      if (w.size() < length.size()) length[w.size()] = true;
      if (w.size() >= 2) {
        unsigned pair = Pair(w[w.size() - 2], w[w.size() - 1]);
        last_two[pair / 64] |= uint64_t{1} << (pair % 64);
      }
    }
  }
  static constexpr unsigned Pair(char a, char b) {
    return static_cast<unsigned>(static_cast<unsigned char>(ToLower(static_cast<unsigned char>(a)))) << 8 |
           static_cast<unsigned char>(ToLower(static_cast<unsigned char>(b)));
  }
  constexpr bool MayEndWith(const char* p, size_t n) const {
    unsigned pair = Pair(p[n - 2], p[n - 1]);
    return (last_two[pair / 64] >> (pair % 64)) & 1;
  }
};

// The list is a template argument so that its filter is built at compile
// time (a static built at run time costs a guard check per call).
template <const auto& list>
bool InList(const char* p, size_t n) {
  constexpr size_t N = list.size();
  static constexpr ByteFilter<N> filter(list);
  if (n == 0 || n >= filter.length.size() || !filter.length[n] ||
      !filter.first[static_cast<unsigned char>(ToLower(static_cast<unsigned char>(p[0])))] ||
      !filter.last[static_cast<unsigned char>(ToLower(static_cast<unsigned char>(p[n - 1])))])
    return false;
  const uint16_t pair = n >= 2 ? static_cast<uint16_t>(ByteFilter<N>::Pair(p[n - 2], p[n - 1])) : 0;
  for (size_t i = 0; i < N; ++i) {
    if (filter.size_of[i] == n && (n < 2 || filter.pair_of[i] == pair) && EqualsLower(p, n, list[i])) return true;
  }
  return false;
}

bool EndsWithDutchSuffix(const char* p, size_t n) {
  static constexpr ByteFilter<kDutchStreetSuffixes.size()> filter(kDutchStreetSuffixes);
  // Every suffix has at least 3 bytes.
  if (n < 3 || !filter.MayEndWith(p, n)) return false;
  const uint16_t pair = static_cast<uint16_t>(ByteFilter<kDutchStreetSuffixes.size()>::Pair(p[n - 2], p[n - 1]));
  for (size_t i = 0; i < kDutchStreetSuffixes.size(); ++i) {
    const std::string_view s = kDutchStreetSuffixes[i];
    if (filter.pair_of[i] == pair && n >= s.size() && EqualsLower(p + n - s.size(), s.size(), s)) return true;
  }
  return false;
}

// House number: 1-5 digits (not starting with 0), optional letter or
// -digits/-letters addition ("12a", "12-3", "12 A", "221B", "12-II").
size_t MatchHouseNumber(const char* p, const char* end) {
  if (p >= end || !IsDigit(*p) || *p == '0') return 0;
  const char* q = p;
  while (q < end && IsDigit(*q) && q - p < 5) ++q;
  if (q < end && IsDigit(*q)) return 0;
  if (q < end && IsAlpha(*q) && (q + 1 >= end || !IsAlpha(q[1]))) {
    ++q;
  } else if (q + 1 < end && *q == '-' && IsAlnum(q[1])) {
    const char* r = q + 1;
    while (r < end && IsAlnum(*r) && r - q <= 4) ++r;
    if (Boundary(r, end)) q = r;
  } else if (q + 2 <= end && *q == ' ' && q + 1 < end && IsUpper(q[1]) && (q + 2 >= end || !IsAlnum(q[2]))) {
    q += 2;
  }
  if (!Boundary(q, end)) return 0;
  return static_cast<size_t>(q - p);
}

bool IsCapitalizedWord(const char* p, size_t n) {
  return n >= 1 && (IsUpper(static_cast<unsigned char>(*p)) || static_cast<unsigned char>(*p) >= 0x80);
}

}  // namespace

bool IsStreetPrefixWord(const char* p, size_t n) { return InList<kStreetPrefixes>(p, n); }

bool MayStartStreetFirstAddress(const char* p, size_t n) {
  return EndsWithDutchSuffix(p, n) || InList<kStreetPrefixes>(p, n);
}

bool EqualsLower(const char* p, size_t n, std::string_view lower_word) {
  if (n != lower_word.size()) return false;
  for (size_t i = 0; i < n; ++i) {
    if (ToLower(static_cast<unsigned char>(p[i])) != lower_word[i]) return false;
  }
  return true;
}

const char* EmailLocalStart(const char* begin, const char* at) {
  const char* q = at;
  while (q > begin && at - q < 64 && IsEmailLocalChar(static_cast<unsigned char>(q[-1]))) --q;
  while (q < at && !IsAlnum(static_cast<unsigned char>(*q))) ++q;
  return q;
}

size_t MatchEmail(const char* p, const char* end, bool* validated) {
  *validated = false;
  const char* q = p;
  while (q < end && IsEmailLocalChar(static_cast<unsigned char>(*q)) && q - p <= 64) ++q;
  if (q == p || q >= end || *q != '@' || !IsAlnum(static_cast<unsigned char>(*p))) return 0;
  const char* d = q + 1;
  const char* r = d;
  const char* last_label = d;
  const char* good_end = nullptr;
  while (r < end) {
    const char* label = r;
    while (r < end && (IsAlnum(static_cast<unsigned char>(*r)) || *r == '-') && r - label < 63) ++r;
    if (r == label || label[0] == '-' || r[-1] == '-') break;
    last_label = label;
    if (label != d) {
      bool alpha_tld = r - label >= 2;
      for (const char* t = label; t < r && alpha_tld; ++t) alpha_tld = IsAlpha(static_cast<unsigned char>(*t));
      good_end = alpha_tld ? r : nullptr;
    }
    if (r + 1 < end && *r == '.' && IsAlnum(static_cast<unsigned char>(r[1]))) {
      ++r;
      continue;
    }
    break;
  }
  (void)last_label;
  if (good_end == nullptr) return 0;
  if (good_end < end && (IsAlnum(static_cast<unsigned char>(*good_end)) || *good_end == '@')) return 0;
  *validated = true;
  return static_cast<size_t>(good_end - p);
}

size_t MatchDate(const char* p, const char* end, bool* validated, int* year_out) {
  *validated = false;
  int a, b, c;
  if (p < end && IsDigit(*p)) {
    int na = ReadNumber(p, end, 4, &a);
    const char* q = p + na;
    if (q >= end) return 0;
    char sep = *q;
    if (na == 4 && (sep == '-' || sep == '/')) {
      int nb = ReadNumber(q + 1, end, 2, &b);
      if (nb == 0) return 0;
      const char* r = q + 1 + nb;
      if (r >= end || *r != sep) return 0;
      int nc = ReadNumber(r + 1, end, 2, &c);
      if (nc == 0) return 0;
      r += 1 + nc;
      if (r < end && IsDigit(*r)) return 0;
      if (!IsCalendarDate(a, b, c)) return 0;
      r += MatchTimeSuffix(r, end);
      if (!Boundary(r, end)) return 0;
      *validated = true;
      if (year_out) *year_out = a;
      return static_cast<size_t>(r - p);
    }
    if (na <= 2 && (sep == '-' || sep == '/' || sep == '.')) {
      int nb = ReadNumber(q + 1, end, 2, &b);
      if (nb == 0) return 0;
      const char* r = q + 1 + nb;
      if (r >= end || *r != sep) return 0;
      int nc = ReadNumber(r + 1, end, 4, &c);
      if (nc != 4) return 0;
      r += 1 + nc;
      if (r < end && IsDigit(*r)) return 0;
      if (!IsCalendarDate(c, b, a) && !IsCalendarDate(c, a, b)) return 0;
      r += MatchTimeSuffix(r, end);
      if (!Boundary(r, end)) return 0;
      *validated = true;
      if (year_out) *year_out = c;
      return static_cast<size_t>(r - p);
    }
    if (na <= 2 && sep == ' ') {
      const char* w = q + 1;
      size_t wn = WordLength(w, end);
      int month = MonthFromWord(w, wn);
      if (month == 0) return 0;
      const char* r = w + wn;
      if (r < end && *r == '.') ++r;
      if (r >= end || *r != ' ') return 0;
      int nc = ReadNumber(r + 1, end, 4, &c);
      if (nc != 4) return 0;
      r += 1 + nc;
      if (!Boundary(r, end) || !IsCalendarDate(c, month, a)) return 0;
      *validated = true;
      if (year_out) *year_out = c;
      return static_cast<size_t>(r - p);
    }
    return 0;
  }
  // "March 12, 2020", "mei 3 2021"
  size_t wn = WordLength(p, end);
  int month = MonthFromWord(p, wn);
  if (month == 0) return 0;
  const char* r = p + wn;
  if (r < end && *r == '.') ++r;
  if (r >= end || *r != ' ') return 0;
  int nb = ReadNumber(r + 1, end, 2, &b);
  if (nb == 0) return 0;
  r += 1 + nb;
  if (r + 1 < end && (EqualsLower(r, 2, "st") || EqualsLower(r, 2, "nd") || EqualsLower(r, 2, "rd") ||
                      EqualsLower(r, 2, "th"))) {
    r += 2;
  }
  if (r < end && *r == ',') ++r;
  if (r >= end || *r != ' ') return 0;
  int nc = ReadNumber(r + 1, end, 4, &c);
  if (nc != 4) return 0;
  r += 1 + nc;
  if (!Boundary(r, end) || !IsCalendarDate(c, month, b)) return 0;
  *validated = true;
  if (year_out) *year_out = c;
  return static_cast<size_t>(r - p);
}

size_t MatchIpv4(const char* p, const char* end, bool* validated) {
  *validated = false;
  const char* q = p;
  for (int i = 0; i < 4; ++i) {
    int v;
    int n = ReadNumber(q, end, 3, &v);
    if (n == 0 || v > 255) return 0;
    q += n;
    if (q < end && IsDigit(*q)) return 0;
    if (i < 3) {
      if (q >= end || *q != '.') return 0;
      ++q;
    }
  }
  if (q < end && (IsAlnum(*q) || (*q == '.' && q + 1 < end && IsDigit(q[1])))) return 0;
  *validated = true;
  return static_cast<size_t>(q - p);
}

size_t MatchIpv6(const char* p, const char* end, bool* validated) {
  *validated = false;
  const char* q = p;
  int groups = 0, hex_digits = 0;
  bool compressed = false;
  if (q + 1 < end && q[0] == ':' && q[1] == ':') {
    compressed = true;
    q += 2;
  }
  while (q < end) {
    const char* g = q;
    while (q < end && IsHex(*q) && q - g < 5) ++q;
    size_t len = static_cast<size_t>(q - g);
    if (len == 0) break;
    if (len > 4) return 0;
    // An IPv4 tail ("::ffff:192.0.2.1") ends the address.
    if (q < end && *q == '.') {
      bool v4;
      size_t n4 = MatchIpv4(g, end, &v4);
      if (n4 == 0) return 0;
      groups += 2;
      hex_digits += 4;
      q = g + n4;
      break;
    }
    ++groups;
    hex_digits += static_cast<int>(len);
    if (q + 1 < end && q[0] == ':' && q[1] == ':') {
      if (compressed) return 0;
      compressed = true;
      q += 2;
      continue;
    }
    if (q + 1 < end && q[0] == ':' && IsHex(q[1])) {
      ++q;
      continue;
    }
    break;
  }
  if (q < end && (IsHex(*q) || *q == ':' || IsAlnum(*q))) return 0;
  bool ok = compressed ? (groups <= 7 && (hex_digits >= 4 || (groups == 1 && p[0] == ':'))) : groups == 8;
  if (!ok) return 0;
  *validated = true;
  return static_cast<size_t>(q - p);
}

size_t MatchPostcode(const char* p, const char* end, bool* validated) {
  *validated = false;
  if (end - p < 6 || p[0] < '1' || p[0] > '9' || !IsDigit(p[1]) || !IsDigit(p[2]) || !IsDigit(p[3])) return 0;
  const char* q = p + 4;
  bool space = *q == ' ';
  if (space) ++q;
  if (end - q < 2) return 0;
  unsigned char l1 = q[0], l2 = q[1];
  bool upper = IsUpper(l1) && IsUpper(l2);
  bool lower = IsLower(l1) && IsLower(l2);
  if (!(upper || (lower && !space))) return 0;
  q += 2;
  if (q < end && IsWordByte(static_cast<unsigned char>(*q))) return 0;
  char a = ToLower(l1), b = ToLower(l2);
  if (a == 's' && (b == 'a' || b == 'd' || b == 's')) return 0;
  *validated = true;
  return static_cast<size_t>(q - p);
}

size_t MatchPhone(const char* p, const char* end, bool* validated, bool lenient) {
  *validated = false;
  const char* q = p;
  bool intl = false;
  if (q < end && *q == '+') {
    intl = true;
    ++q;
    if (q < end && *q == ' ') ++q;
  } else if (end - q >= 3 && q[0] == '0' && q[1] == '0' && IsDigit(q[2]) && q[2] != '0') {
    intl = true;
    q += 2;
  }
  char digits[20];
  const char* ends[20];
  int groups[20];
  int n = 0, group_count = 0, group_len = 0;
  bool had_sep = false;
  int seps_in_row = 0;
  while (q < end && n < 20) {
    unsigned char c = *q;
    if (IsDigit(c)) {
      digits[n] = static_cast<char>(c);
      ends[n] = q + 1;
      ++n;
      ++group_len;
      seps_in_row = 0;
      ++q;
      continue;
    }
    // "+31 (0)6 ..." : the trunk zero in brackets is not dialled.
    if (intl && end - q >= 3 && q[0] == '(' && q[1] == '0' && q[2] == ')') {
      q += 3;
      if (q < end && *q == ' ') ++q;
      continue;
    }
    if (IsPhoneSeparator(c) && seps_in_row < 2 && (n > 0 || c == '(')) {
      if (c == '(' && n > 0 && seps_in_row == 0) break;
      if (group_len > 0) groups[group_count++] = group_len;
      group_len = 0;
      had_sep = true;
      ++seps_in_row;
      ++q;
      if (group_count >= 19) break;
      continue;
    }
    break;
  }
  if (group_len > 0 && group_count < 20) groups[group_count++] = group_len;
  if (n < 7) return 0;
  auto at_boundary = [&](int k) { return Boundary(ends[k - 1], end); };
  if (intl) {
    int cc = CountryCodeLength(digits, n);
    if (cc == 0) return 0;
    if (cc == 2 && digits[0] == '3' && digits[1] == '1') {
      if (n >= 11 && digits[2] != '0' && at_boundary(11)) {
        *validated = true;
        return static_cast<size_t>(ends[10] - p);
      }
      return 0;
    }
    for (int k = std::min(n, 15); k >= cc + 6 && k >= 8; --k) {
      if (at_boundary(k)) {
        *validated = true;
        return static_cast<size_t>(ends[k - 1] - p);
      }
    }
    return 0;
  }
  if (digits[0] == '0') {
    if (n >= 10 && digits[1] != '0' && at_boundary(10)) {
      // 0800/0900 are service numbers, not people; 097 is machine-to-machine.
      bool service = digits[1] == '8' && digits[2] == '0' && digits[3] == '0';
      service = service || (digits[1] == '9' && digits[2] == '0' && digits[3] == '0');
      *validated = !service;
      return static_cast<size_t>(ends[9] - p);
    }
    for (int k = std::min(n, 12); k >= 9; --k) {
      if (at_boundary(k)) return static_cast<size_t>(ends[k - 1] - p);
    }
    return 0;
  }
  // North American (555) 123-4567 / 555-123-4567.
  if (n >= 10 && had_sep && group_count >= 3 && groups[0] == 3 && groups[1] == 3 && groups[2] == 4 &&
      at_boundary(10)) {
    *validated = digits[0] >= '2' && digits[3] >= '2';
    return static_cast<size_t>(ends[9] - p);
  }
  if (!lenient) return 0;
  for (int k = std::min(n, 15); k >= 7; --k) {
    if (at_boundary(k)) return static_cast<size_t>(ends[k - 1] - p);
  }
  return 0;
}

size_t MatchCard(const char* p, const char* end, bool* validated) {
  *validated = false;
  if (p >= end || *p < '2' || *p > '6') return 0;
  char digits[20];
  const char* ends[20];
  int n = 0;
  const char* q = p;
  while (q < end && n < 20) {
    if (IsDigit(*q)) {
      digits[n] = *q;
      ends[n++] = ++q;
      continue;
    }
    if ((*q == ' ' || *q == '-') && n > 0 && q + 1 < end && IsDigit(q[1])) {
      ++q;
      continue;
    }
    break;
  }
  if (n < 13) return 0;
  const char* best_unvalidated = nullptr;
  for (int k = std::min(n, 19); k >= 13; --k) {
    if (!Boundary(ends[k - 1], end)) continue;
    if (k < n && !(ends[k - 1] < end && (*ends[k - 1] == ' ' || *ends[k - 1] == '-'))) continue;
    std::string_view v(digits, static_cast<size_t>(k));
    if (IsValidPaymentCard(v)) {
      *validated = true;
      return static_cast<size_t>(ends[k - 1] - p);
    }
    if (best_unvalidated == nullptr && k == n) best_unvalidated = ends[k - 1];
  }
  return best_unvalidated ? static_cast<size_t>(best_unvalidated - p) : 0;
}

size_t MatchIban(const char* p, const char* end, bool* validated) {
  *validated = false;
  if (end - p < 15 || !IsUpper(p[0]) || !IsUpper(p[1])) return 0;
  if (!(IsDigit(p[2]) && IsDigit(p[3])) && !(IsIbanSeparator(p[2]) && IsDigit(p[3]) && IsDigit(p[4]))) return 0;
  int len = IbanLengthForCountry(std::string_view(p, 2));
  if (len == 0) return 0;
  char buf[40];
  int n = 0;
  const char* q = p;
  while (q < end && n < len) {
    unsigned char c = *q;
    if (IsDigit(c) || IsUpper(c)) {
      buf[n++] = static_cast<char>(c);
      ++q;
    } else if (IsIbanSeparator(static_cast<char>(c)) && n >= 2 && q + 1 < end && IsAlnum(q[1])) {
      // One separator between groups (a sentence's final '.' is not taken:
      // it has no letter or digit after it).
      ++q;
    } else {
      break;
    }
  }
  if (n != len || !Boundary(q, end)) return 0;
  *validated = IsValidIban(std::string_view(buf, static_cast<size_t>(n)));
  return static_cast<size_t>(q - p);
}

size_t MatchVatNl(const char* p, const char* end, bool* validated) {
  *validated = false;
  if (end - p < 14) return 0;
  if (ToLower(p[0]) != 'n' || ToLower(p[1]) != 'l') return 0;
  for (int i = 2; i < 11; ++i) {
    if (!IsDigit(p[i])) return 0;
  }
  if (ToLower(p[11]) != 'b' || !IsDigit(p[12]) || !IsDigit(p[13])) return 0;
  if (!Boundary(p + 14, end)) return 0;
  *validated = IsValidVatNl(std::string_view(p, 14));
  return 14;
}

size_t MatchBsnShape(const char* p, const char* end, bool* validated, int* digits) {
  *validated = false;
  *digits = 0;
  const char* q = p;
  while (q < end && IsDigit(*q) && q - p < 10) ++q;
  int n = static_cast<int>(q - p);
  // 1234.56.782 and 123.456.782 are how BSNs are often written by hand.
  if ((n == 4 || n == 3) && q < end && *q == '.') {
    int second = n == 4 ? 2 : 3;
    const char* r = q + 1;
    int a = 0;
    while (r < end && IsDigit(*r) && a <= second) ++r, ++a;
    if (a == second && r < end && *r == '.') {
      const char* s = r + 1;
      int b = 0;
      while (s < end && IsDigit(*s) && b <= 3) ++s, ++b;
      if (b == 3) {
        q = s;
        n = 9;
      }
    }
  }
  if (n != 8 && n != 9) return 0;
  if (q < end && (IsAlnum(*q) || (*q == '.' && q + 1 < end && IsDigit(q[1])))) return 0;
  // "123456782,50" is an amount; "111222333,1234 AB" is the next CSV field.
  if (q + 1 < end && *q == ',' && IsDigit(q[1]) && (q + 2 >= end || !IsDigit(q[2]) || q + 3 >= end || !IsDigit(q[3]))) {
    return 0;
  }
  *digits = n;
  *validated = IsValidBsn(std::string_view(p, static_cast<size_t>(q - p)));
  return static_cast<size_t>(q - p);
}

size_t MatchDocumentNumber(const char* p, const char* end, bool* validated) {
  *validated = false;
  if (end - p < 9) return 0;
  auto letter = [](unsigned char c) { return IsUpper(c) && c != 'O'; };
  if (!letter(p[0]) || !letter(p[1])) return 0;
  int digits = 0;
  for (int i = 2; i < 8; ++i) {
    unsigned char c = p[i];
    if (IsDigit(c)) ++digits;
    else if (!letter(c)) return 0;
  }
  if (!IsDigit(p[8]) || digits == 0 || !Boundary(p + 9, end)) return 0;
  *validated = true;
  return 9;
}

size_t MatchSocialUrl(const char* p, const char* end, bool* validated) {
  *validated = false;
  const char* q = p;
  auto starts = [&](std::string_view s) {
    return static_cast<size_t>(end - q) >= s.size() && EqualsLower(q, s.size(), s);
  };
  if (starts("https://")) q += 8;
  else if (starts("http://")) q += 7;
  if (starts("www.")) q += 4;
  else if (end - q > 3 && IsLower(q[0]) && IsLower(q[1]) && q[2] == '.' && starts("xx.linkedin.com") == false) {
    // country subdomains: nl.linkedin.com
    const char* save = q;
    q += 3;
    if (!starts("linkedin.com/")) q = save;
  }
  struct Site {
    std::string_view host;
    std::string_view path_prefix;
  };
  static constexpr std::array<Site, 14> kSites = {{
      {"linkedin.com/", "in/"},      {"linkedin.com/", "pub/"},   {"facebook.com/", ""},
      {"fb.com/", ""},               {"twitter.com/", ""},        {"x.com/", ""},
      {"instagram.com/", ""},        {"github.com/", ""},         {"tiktok.com/", "@"},
      {"youtube.com/", "@"},         {"xing.com/", "profile/"},   {"mastodon.social/", "@"},
      {"threads.net/", "@"},         {"pinterest.com/", ""},
  }};
  for (const Site& site : kSites) {
    if (!starts(site.host)) continue;
    const char* r = q + site.host.size();
    if (static_cast<size_t>(end - r) < site.path_prefix.size() ||
        !EqualsLower(r, site.path_prefix.size(), site.path_prefix)) {
      continue;
    }
    r += site.path_prefix.size();
    const char* user = r;
    while (r < end && (IsWordByte(static_cast<unsigned char>(*r)) || *r == '-' || *r == '_' || *r == '.' ||
                       *r == '%')) {
      ++r;
    }
    while (r > user && (r[-1] == '.' || r[-1] == '-')) --r;
    if (r - user < 2) return 0;
    std::string_view name(user, static_cast<size_t>(r - user));
    // Share/login/help pages are not anybody's profile.
    static constexpr std::array<std::string_view, 15> kGeneric = {
        "sharer", "share", "login", "home", "intent", "help", "search", "pages",
        "company", "groups", "watch", "jobs", "feed", "explore", "about"};
    for (std::string_view generic : kGeneric) {
      if (name.size() >= generic.size() && EqualsLower(user, generic.size(), generic) &&
          (name.size() == generic.size() || !IsAlnum(name[generic.size()]))) {
        return 0;
      }
    }
    // Keep a trailing slash, then stop.
    if (r < end && *r == '/') ++r;
    *validated = true;
    return static_cast<size_t>(r - p);
  }
  return 0;
}

size_t MatchAddress(const char* p, const char* end, bool* validated) {
  *validated = false;
  if (p >= end) return 0;
  if (IsDigit(*p)) {
    // Number first: "12 Baker Street", "221B Baker St", "10 rue de Rivoli".
    size_t hn = MatchHouseNumber(p, end);
    if (hn == 0) return 0;
    const char* q = p + hn;
    if (q >= end || *q != ' ') return 0;
    ++q;
    size_t wn = WordLength(q, end);
    if (wn == 0) return 0;
    if (InList<kStreetPrefixes>(q, wn)) {
      const char* r = q + wn;
      const char* name_end = nullptr;  // trailing particles ("rue de") are not a name
      for (int words = 0; words < 4 && r + 1 < end && *r == ' '; ++words) {
        size_t n2 = WordLength(r + 1, end);
        bool particle = n2 > 0 && InList<kParticles>(r + 1, n2);
        if (n2 == 0 || !(IsCapitalizedWord(r + 1, n2) || particle)) break;
        r += 1 + n2;
        if (!particle) name_end = r;
      }
      if (name_end == nullptr) return 0;
      *validated = true;
      return static_cast<size_t>(name_end - p);
    }
    const char* r = q;
    for (int words = 0; words < 5; ++words) {
      size_t n2 = WordLength(r, end);
      if (n2 == 0 || !IsCapitalizedWord(r, n2)) return 0;
      if (words > 0 && InList<kEnglishStreetSuffixes>(r, n2)) {
        r += n2;
        if (r < end && *r == '.') ++r;
        if (r < end && IsAlnum(*r)) return 0;
        *validated = true;
        return static_cast<size_t>(r - p);
      }
      r += n2;
      if (r + 1 >= end || *r != ' ') return 0;
      ++r;
    }
    return 0;
  }
  // Street first: "Kerkstraat 12a", "Prins Hendrikkade 12", "Laan van Meerdervoort 52", "Calle Mayor 5".
  const char* q = p;
  bool street_seen = false;
  for (int words = 0; words < 5; ++words) {
    size_t wn = WordLength(q, end);
    if (wn == 0) return 0;
    bool capitalized = IsCapitalizedWord(q, wn);
    bool particle = InList<kParticles>(q, wn);
    if (words == 0 && !capitalized && !EndsWithDutchSuffix(q, wn)) return 0;
    if (!street_seen && (EndsWithDutchSuffix(q, wn) || InList<kStreetPrefixes>(q, wn))) {
      street_seen = true;
    } else if (!capitalized && !particle) {
      return 0;
    }
    const char* r = q + wn;
    if (r < end && *r == '.') ++r;  // "Hauptstr. 5"
    if (r + 1 >= end || *r != ' ') return 0;
    if (IsDigit(r[1])) {
      if (!street_seen) return 0;
      size_t hn = MatchHouseNumber(r + 1, end);
      if (hn == 0) return 0;
      *validated = true;
      return static_cast<size_t>(r + 1 + hn - p);
    }
    q = r + 1;
  }
  return 0;
}

}  // namespace dpo::detect::internal
