#include "detect/text_scanner.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>

#include "detect/matchers.h"
#include "detect/validators.h"
#include "detect/terms.h"

namespace dpo::detect {
namespace {

using namespace internal;

// Bytes that can start a candidate: digits, letters, '+', '(', '@', ':'.
constexpr std::array<bool, 256> MakeStartTable() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  t['+'] = t['('] = t['@'] = t[':'] = true;
  return t;
}
constexpr std::array<bool, 256> kStart = MakeStartTable();

// Case-insensitive search for any of `words` in the `window` bytes before p,
// on p's own line: the classifier joins a column's values with '\n', and one
// row's text must never vouch for a number in the next row.
bool ContextBefore(const char* begin, const char* p, std::initializer_list<std::string_view> words) {
  constexpr size_t kWindow = kContextWindow;
  const char* from = p - begin > static_cast<std::ptrdiff_t>(kWindow) ? p - kWindow : begin;
  for (const char* q = p; q > from; --q) {
    if (q[-1] == '\n') {
      from = q;
      break;
    }
  }
  char buf[kWindow];
  size_t n = static_cast<size_t>(p - from);
  for (size_t i = 0; i < n; ++i) buf[i] = ToLower(static_cast<unsigned char>(from[i]));
  std::string_view window(buf, n);
  for (std::string_view w : words) {
    if (window.find(w) != std::string_view::npos) return true;
  }
  return false;
}

bool KvkContext(const char* b, const char* p) {
  return ContextBefore(b, p, {"kvk", "koophandel", "coc", "chamber of commerce", "handelsregister"});
}
bool BsnContext(const char* b, const char* p) {
  return ContextBefore(b, p, {"bsn", "sofi", "burgerservice", "citizen service"});
}

// A digit after these is part of something else (a decimal, a path, an id).
bool BadBeforeNumber(unsigned char c) {
  return c == '.' || c == '_' || c == '/' || c == '\\' || c == '#' || c == '&' || c == '%' || c == '$' ||
         c == '-';
}

struct Emitter {
  std::vector<Hit>* hits;
  const char* begin;
  void Add(const char* p, size_t n, Kind kind, bool validated) {
    hits->push_back(Hit{static_cast<size_t>(p - begin), n, kind, validated});
  }
};

// Tries the digit-led matchers at p; returns bytes consumed (0: none).
size_t ScanDigits(const char* b, const char* p, const char* e, Emitter& out) {
  size_t run = 0;
  while (p + run < e && IsDigit(p[run])) ++run;
  unsigned char next = p + run < e ? static_cast<unsigned char>(p[run]) : 0;
  bool v = false;
  size_t n;
  if (run <= 4 && (next == '-' || next == '/' || next == '.' || next == ' ')) {
    int year;
    if ((n = MatchDate(p, e, &v, &year)) != 0) return out.Add(p, n, Kind::kDate, v), n;
  }
  if (run <= 3 && next == '.' && (n = MatchIpv4(p, e, &v)) != 0) return out.Add(p, n, Kind::kIpv4, v), n;
  if (run <= 4 && (next == ':' || (IsHex(next) && !IsDigit(next))) && (n = MatchIpv6(p, e, &v)) != 0) {
    return out.Add(p, n, Kind::kIpv6, v), n;
  }
  if (run == 4 && (next == ' ' || IsAlpha(next)) && (n = MatchPostcode(p, e, &v)) != 0) {
    return out.Add(p, n, Kind::kPostcode, v), n;
  }
  if (run <= 5 && (next == ' ' || IsAlpha(next)) && p + run + 1 < e && (IsUpper(p[run + 1]) || IsUpper(next) ||
                                                                      IsLower(p[run + 1])) &&
      (n = MatchAddress(p, e, &v)) != 0) {
    return out.Add(p, n, Kind::kStreetAddress, v), n;
  }
  bool separated_more = (next == ' ' || next == '-' || next == '.') && p + run + 1 < e && IsDigit(p[run + 1]);
  if ((run == 8 || run == 9 || ((run == 3 || run == 4) && next == '.')) && !(run >= 8 && separated_more)) {
    int digits;
    if ((n = MatchBsnShape(p, e, &v, &digits)) != 0) {
      if (digits == 9) {
        out.Add(p, n, Kind::kBsn, v);
      } else if (KvkContext(b, p)) {
        out.Add(p, n, Kind::kKvk, true);
      } else if (v && BsnContext(b, p)) {
        out.Add(p, n, Kind::kBsn, true);
      } else {
        out.Add(p, n, Kind::kKvk, false);
      }
      return n;
    }
  }
  if (*p == '0' && (n = MatchPhone(p, e, &v, false)) != 0) return out.Add(p, n, Kind::kPhone, v), n;
  if ((run >= 13 || (run == 4 && (next == ' ' || next == '-'))) && (n = MatchCard(p, e, &v)) != 0) {
    return out.Add(p, n, Kind::kPaymentCard, v), n;
  }
  if (run == 3 && (next == ' ' || next == '-' || next == '.') && (n = MatchPhone(p, e, &v, false)) != 0) {
    return out.Add(p, n, Kind::kPhone, v), n;
  }
  return 0;
}

// Words a profile URL can start with (scheme, www, a country subdomain, a site name).
bool LooksLikeUrlStart(const char* p, size_t wn) {
  static constexpr std::array<std::string_view, 16> kStarts = {
      "http",   "https",  "www",    "linkedin", "facebook", "fb",       "twitter", "x",
      "instagram", "github", "tiktok", "youtube", "xing",   "mastodon", "threads", "pinterest"};
  if (wn == 2) return true;
  // Every sentence ends in a word before a '.': reject most by their first letter.
  static constexpr std::array<bool, 256> kFirst = [] {
    std::array<bool, 256> t{};
    for (std::string_view w : kStarts) t[static_cast<unsigned char>(w[0])] = true;
    return t;
  }();
  if (!kFirst[static_cast<unsigned char>(ToLower(static_cast<unsigned char>(p[0])))]) return false;
  for (std::string_view w : kStarts) {
    if (w.size() == wn && EqualsLower(p, wn, w)) return true;
  }
  return false;
}

size_t ScanWord(const char* b, const char* p, const char* e, size_t wn, Emitter& out) {
  unsigned char next = p + wn < e ? static_cast<unsigned char>(p[wn]) : 0;
  bool v = false;
  size_t n;
  if (IsUpper(p[0]) && wn >= 4) {
    if (IsUpper(p[1]) && IsDigit(p[2]) && IsDigit(p[3]) && (n = MatchIban(p, e, &v)) != 0) {
      return out.Add(p, n, Kind::kIban, v), n;
    }
  } else if (wn == 2 && IsUpper(p[0]) && IsUpper(p[1]) && e - p > 4 && IsIbanSeparator(p[2]) && IsDigit(p[3])) {
    // "NL 91 ABNA 0417 1643 00": a space after the country code.
    if ((n = MatchIban(p, e, &v)) != 0) return out.Add(p, n, Kind::kIban, v), n;
  }
  if (wn == 14 && (n = MatchVatNl(p, e, &v)) != 0) return out.Add(p, n, Kind::kVatNl, v), n;
  if (wn == 9 && (n = MatchDocumentNumber(p, e, &v)) != 0) {
    bool id_card = ContextBefore(b, p, {"id-kaart", "idkaart", "identiteitskaart", "id kaart", "identity card",
                                        "id card", "id_card"});
    bool passport = ContextBefore(b, p, {"paspoort", "passport", "reisdocument", "document"});
    out.Add(p, n, id_card ? Kind::kIdCardNl : Kind::kPassportNl, id_card || passport);
    return n;
  }
  if (wn <= 4 && (next == ':' || IsHex(next)) && IsHex(p[0]) && (n = MatchIpv6(p, e, &v)) != 0) {
    return out.Add(p, n, Kind::kIpv6, v), n;
  }
  if (next == ' ' && p + wn + 1 < e) {
    unsigned char after = p[wn + 1];
    if (IsDigit(after) && wn >= 3 && wn <= 9 && (n = MatchDate(p, e, &v, nullptr)) != 0) {
      return out.Add(p, n, Kind::kDate, v), n;
    }
    // Street words are checked only where an address can follow: a house
    // number next, or a street prefix word ("Laan van ...", "Calle Mayor 5").
    bool street = IsDigit(after) ? MayStartStreetFirstAddress(p, wn) : IsStreetPrefixWord(p, wn);
    if (street && (n = MatchAddress(p, e, &v)) != 0) {
      return out.Add(p, n, Kind::kStreetAddress, v), n;
    }
  } else if ((next == '.' || next == ':') && LooksLikeUrlStart(p, wn) && (n = MatchSocialUrl(p, e, &v)) != 0) {
    return out.Add(p, n, Kind::kSocialProfile, v), n;
  }
  return 0;
}

}  // namespace

namespace {

// Scans [p, e); b <= p is where the text (and any context) begins.
void ScanStructuredFrom(const char* b, const char* p, const char* e, std::vector<Hit>* hits) {
  Emitter out{hits, b};
  const size_t first = hits->size();
  // An e-mail's local part is part of the hit, not context: it may not start
  // before the range, or ScanTextRange would report a hit outside it.
  const char* const range_start = p;
  while (p < e) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (!kStart[c]) {
      ++p;
      continue;
    }
    if (c == '@') {
      const char* local = EmailLocalStart(p - range_start > 64 ? p - 64 : range_start, p);
      bool v;
      size_t n = local < p ? MatchEmail(local, e, &v) : 0;
      if (n != 0) {
        // Drop what we took from the local part ("jan.123456782@x.nl").
        while (hits->size() > first && b + hits->back().offset >= local) hits->pop_back();
        out.Add(local, n, Kind::kEmail, v);
        p = local + n;
      } else {
        ++p;
      }
      continue;
    }
    unsigned char prev = p > b ? static_cast<unsigned char>(p[-1]) : ' ';
    if (IsWordByte(prev)) {
      ++p;
      continue;
    }
    size_t n = 0;
    if (IsDigit(c)) {
      if (!BadBeforeNumber(prev)) n = ScanDigits(b, p, e, out);
    } else if (c == '+' || c == '(') {
      bool v;
      if (p + 1 < e && (IsDigit(p[1]) || p[1] == ' ') && (n = MatchPhone(p, e, &v, false)) != 0) {
        out.Add(p, n, Kind::kPhone, v);
      }
    } else if (c == ':') {
      bool v;
      if (p + 2 < e && p[1] == ':' && IsHex(p[2]) && (n = MatchIpv6(p, e, &v)) != 0) out.Add(p, n, Kind::kIpv6, v);
    } else {
      size_t wn = static_cast<size_t>(WordEnd(p + 1, e) - p);
      n = ScanWord(b, p, e, wn, out);
      if (n == 0) n = wn;  // skip the rest of the word
      p += n;
      continue;
    }
    if (n != 0) {
      p += n;
    } else {
      ++p;  // always progress, whatever the byte
      while (p < e && IsWordByte(static_cast<unsigned char>(*p))) ++p;
    }
  }
}

}  // namespace

void ScanStructured(std::string_view text, std::vector<Hit>* hits) {
  ScanStructuredFrom(text.data(), text.data(), text.data() + text.size(), hits);
}

void ScanText(std::string_view text, std::vector<Hit>* hits) { ScanTextRange(text, 0, text.size(), hits); }

void ScanTextRange(std::string_view text, size_t from, size_t to, std::vector<Hit>* hits) {
  size_t first = hits->size();
  ScanStructuredFrom(text.data(), text.data() + from, text.data() + to, hits);
  size_t structured_end = hits->size();
  ScanTerms(text.substr(from, to - from), hits);
  if (from != 0)
    for (size_t i = structured_end; i < hits->size(); ++i) (*hits)[i].offset += from;
  auto by_offset = [](const Hit& a, const Hit& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.length > b.length;
  };
  // The structured hits come out in offset order, one per offset; the terms
  // are sorted here, so that merging the two runs sorts them all.
  auto begin_terms = hits->begin() + static_cast<std::ptrdiff_t>(structured_end);
  std::sort(begin_terms, hits->end(), by_offset);
  // Terms inside a structured hit (an e-mail address, a URL, a street name)
  // are part of that value, not separate findings. Both runs are sorted by
  // offset, so one sweep does it.
  if (hits->size() > structured_end && structured_end > first) {
    size_t s = first;
    size_t covered_to = 0;  // end of the structured hits that start at or before the term
    auto inside = [&](const Hit& t) {
      while (s < structured_end && (*hits)[s].offset <= t.offset) {
        covered_to = std::max(covered_to, (*hits)[s].offset + (*hits)[s].length);
        ++s;
      }
      return t.offset < covered_to;
    };
    hits->erase(std::remove_if(begin_terms, hits->end(), inside), hits->end());
    if (hits->size() > structured_end) {
      thread_local std::vector<Hit> merged;
      merged.clear();
      std::merge(hits->begin() + static_cast<std::ptrdiff_t>(first), hits->begin() + static_cast<std::ptrdiff_t>(structured_end),
                 hits->begin() + static_cast<std::ptrdiff_t>(structured_end), hits->end(), std::back_inserter(merged),
                 by_offset);
      std::copy(merged.begin(), merged.end(), hits->begin() + static_cast<std::ptrdiff_t>(first));
    }
  }
  auto same = [](const Hit& a, const Hit& b) { return a.offset == b.offset && a.kind == b.kind; };
  hits->erase(std::unique(hits->begin() + static_cast<std::ptrdiff_t>(first), hits->end(), same), hits->end());
}

std::vector<Hit> ScanText(std::string_view text) {
  std::vector<Hit> hits;
  ScanText(text, &hits);
  return hits;
}

bool KindHasValidator(Kind kind) {
  switch (kind) {
    case Kind::kBsn:
    case Kind::kSsnUs:
    case Kind::kIban:
    case Kind::kPaymentCard:
    case Kind::kVatNl:
    case Kind::kPhone:
    case Kind::kKvk:
    case Kind::kPassportNl:
    case Kind::kIdCardNl:
      return true;
    default:
      return false;
  }
}

}  // namespace dpo::detect
