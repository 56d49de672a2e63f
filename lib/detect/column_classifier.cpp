#include "detect/column_classifier.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>

#include "detect/mask.h"
#include "detect/matchers.h"
#include "detect/name_lists.h"
#include "detect/validators.h"

namespace dpo::detect {
namespace {

using namespace internal;

size_t Slot(Kind k) { return static_cast<size_t>(k); }

int CurrentYear() {
  auto now = std::chrono::system_clock::now();
  std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now)};
  return static_cast<int>(ymd.year());
}

bool WholeIs(size_t n, std::string_view v) { return n != 0 && n == v.size(); }

// "12.50", "1.234,56", "€ 2500", "-3", "42": amounts and counts.
bool IsNumberLike(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
  if (v.size() - i >= 3 && static_cast<unsigned char>(v[i]) == 0xE2) i += 3;  // €
  if (i < v.size() && v[i] == '$') ++i;
  while (i < v.size() && v[i] == ' ') ++i;
  int digits = 0;
  for (; i < v.size(); ++i) {
    if (IsDigit(v[i])) ++digits;
    else if (v[i] != '.' && v[i] != ',') return false;
  }
  return digits > 0;
}

bool IsWordy(std::string_view v) {
  if (v.size() > 60) return false;
  bool letter = false;
  for (unsigned char c : v) {
    if (IsAlpha(c) || c >= 0x80) letter = true;
    else if (c != ' ' && c != '-' && c != '\'' && c != '.' && c != '(' && c != ')') return false;
  }
  return letter;
}

// Name-shaped: 1-6 words of letters; *known: a word is a bundled first name or surname.
bool IsNameShaped(std::string_view v, bool* known) {
  *known = false;
  if (v.size() < 2 || v.size() > 60) return false;
  int words = 0;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == '-' || v[i] == ',')) ++i;
    size_t j = i;
    while (j < v.size() && v[j] != ' ' && v[j] != '-' && v[j] != ',') ++j;
    if (j == i) break;
    std::string_view w = v.substr(i, j - i);
    if (w.back() == '.') w.remove_suffix(1);  // initials "J."
    for (unsigned char c : w) {
      if (!(IsAlpha(c) || c >= 0x80 || c == '\'')) return false;
    }
    if (!IsTussenvoegsel(w) && (IsKnownFirstName(w) || IsKnownSurname(w))) *known = true;
    if (++words > 6) return false;
    i = j;
  }
  return words > 0;
}

// "52.3702, 4.8952" or "52.3702;4.8952" or one coordinate with >= 4 decimals.
bool IsCoordinate(std::string_view v) {
  auto one = [](std::string_view s) {
    size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size() && s[i] == '-') ++i;
    int before = 0, after = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++before;
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++after;
    while (i < s.size() && s[i] == ' ') ++i;
    return i == s.size() && before >= 1 && before <= 3 && after >= 4;
  };
  size_t sep = v.find_first_of(",;");
  if (sep == std::string_view::npos) return one(v);
  return one(v.substr(0, sep)) && one(v.substr(sep + 1));
}

bool IsUserAgent(std::string_view v) {
  return v.find("Mozilla/") != std::string_view::npos || v.find("AppleWebKit") != std::string_view::npos ||
         v.find("Dalvik/") != std::string_view::npos || v.find("okhttp") != std::string_view::npos ||
         v.find("curl/") != std::string_view::npos;
}

bool IsUuid(std::string_view v) {
  if (v.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? v[i] != '-' : !IsHex(v[i])) return false;
  }
  return true;
}

// A postal address line in any country's order: letters and a house number
// ("Obere Str. 57", "120 Hanover Sq.", "Avda. de la Constitución 2222",
// "Berguvsvägen  8"), or a post-office box. Only counted towards a column
// whose name says address: in free text, MatchAddress is the judge.
bool IsAddressShaped(std::string_view v) {
  if (v.size() < 4 || v.size() > 120) return false;
  static constexpr std::string_view kBoxes[] = {"P.O. Box", "PO Box", "P.O.Box", "Postbus", "Postfach"};
  for (std::string_view box : kBoxes) {
    if (v.size() >= box.size() && v.substr(0, box.size()) == box) return true;
  }
  // Tokens split on spaces and commas: a word of two letters or more, and a
  // house number token (1-5 digits, then at most a short suffix: "12a",
  // "221B", "4-6", "10bis").
  bool word = false, number = false;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == ',' || v[i] == '\n' || v[i] == '\r')) ++i;
    size_t j = i;
    while (j < v.size() && v[j] != ' ' && v[j] != ',' && v[j] != '\n' && v[j] != '\r') ++j;
    std::string_view t = v.substr(i, j - i);
    i = j;
    if (t.empty()) continue;
    size_t digits = 0;
    while (digits < t.size() && IsDigit(t[digits])) ++digits;
    if (digits >= 1 && digits <= 5 && t.size() - digits <= 4) {
      number = true;
      continue;
    }
    size_t letters = 0;
    for (unsigned char c : t) letters += IsAlpha(c) || c >= 0x80;
    if (letters >= 2 && letters + 1 >= t.size()) word = true;  // "Str." "Sq." "Constitución"
  }
  return word && number;
}

// A pseudonym, hash or token that replaced a value ("anon-e18e4094a3246e5c",
// a SHA-256 in hex, a UUID): one token, mostly digits and letters mixed. A
// column of these says nothing about what its name promises.
bool IsOpaqueToken(std::string_view v) {
  if (v.size() < 12 || v.size() > 128) return false;
  size_t digits = 0;
  for (unsigned char c : v) {
    if (IsDigit(c)) ++digits;
    else if (!(IsAlpha(c) || c == '-' || c == '_' || c == ':' || c == '+' || c == '/' || c == '=')) return false;
  }
  return digits * 10 >= v.size() * 3;
}

// Digits only, for the short-number fast path of Analyse.
constexpr size_t kMaxPlainDigits = 7;
bool IsAllDigits(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

bool IsShortCode(std::string_view v) {
  if (v.size() < 3 || v.size() > 10) return false;
  bool digit = false;
  for (unsigned char c : v) {
    if (IsDigit(c)) digit = true;
    else if (!IsAlpha(c) && c != ' ' && c != '-') return false;
  }
  return digit;
}

enum class Family { kChecksum, kStructural, kNamed, kTerm };

// A column name weight at or above this says exactly what the column holds
// ("email", "address", "postcode"), not just suggests it ("mail", "name").
constexpr double kExactNameWeight = 0.9;
// Reported on its name alone when the values do not look like it: a mailbox
// column holding "SKING" is still where the e-mail addresses are; a DPO must
// look at it, so it is reported just above the floor, never as certain.
constexpr double kNameAloneConfidence = 0.55;
// Share of values holding a known first name or surname for a generic name
// column ("name") to be about people.
constexpr double kKnownNameShare = 0.3;

// How a kind's values alone make a verdict, without the column name: once
// the share of values that match the kind's shape (kMatched) or also pass its
// checksum or structure (kValidated) reaches `min_share`, the confidence is
// base + slope * share. Kinds not listed here are judged in Finish() (dates
// of birth, IP families, ID cards, person names, gender, free text) or not by
// content at all (KvK numbers, salaries, terms).
enum class Measure { kMatched, kValidated };
struct ContentRule {
  Kind kind;
  Measure measure;
  double min_share;
  double base;
  double slope;
};
// Why each threshold is where it is:
//  - e-mail: the shape (local@domain.tld) is almost never chance, so a third
//    of the values is enough (mixed contact columns hold phones too);
//  - IBAN, VAT: mod-97 (and the BBAN structure) make chance hits rare: half;
//  - BSN: 1 in 11 random 9-digit numbers passes the 11-check, so a column of
//    ids validates about 9% by chance: only nearly all validating (0.9), and
//    no base, so that 90% is not enough to be certain;
//  - payment cards and US SSNs: Luhn or the assignment rules catch 9 in 10 of
//    random numbers, but card-length ids exist: 0.8;
//  - phones: validated numbering plans, most of the column (0.6);
//  - postcodes, dates, social profiles: shapes other values share, so most of
//    the column (0.6); passports: a 9-character shape shared with codes, so
//    nearly all (0.9) and never more than 0.6;
//  - streets and cities: lists and shapes that partly match other words: half;
//  - nationality, marital status: word lists, most of the column, and at
//    most 0.8 (a list of words is weaker evidence than a checksum);
//  - geolocation: coordinate pairs look like other number pairs: 0.8;
//  - device ids: validated cookie/device id shapes, most of the column.
constexpr ContentRule kContentRules[] = {
    {Kind::kEmail, Measure::kMatched, 0.3, 0.6, 0.4},
    {Kind::kPhone, Measure::kValidated, 0.6, 0.5, 0.45},
    {Kind::kIban, Measure::kValidated, 0.5, 0.6, 0.4},
    {Kind::kVatNl, Measure::kValidated, 0.5, 0.6, 0.4},
    {Kind::kBsn, Measure::kValidated, 0.9, 0.0, 0.95},
    {Kind::kPaymentCard, Measure::kValidated, 0.8, 0.5, 0.45},
    {Kind::kSsnUs, Measure::kValidated, 0.8, 0.5, 0.45},
    {Kind::kPostcode, Measure::kMatched, 0.6, 0.5, 0.45},
    {Kind::kDate, Measure::kValidated, 0.6, 0.5, 0.45},
    {Kind::kSocialProfile, Measure::kMatched, 0.6, 0.5, 0.45},
    {Kind::kPassportNl, Measure::kMatched, 0.9, 0.6, 0.0},
    {Kind::kStreetAddress, Measure::kMatched, 0.5, 0.5, 0.45},
    {Kind::kCity, Measure::kMatched, 0.5, 0.5, 0.4},
    {Kind::kMaritalStatus, Measure::kMatched, 0.6, 0.5, 0.3},
    {Kind::kNationality, Measure::kMatched, 0.6, 0.5, 0.3},
    {Kind::kGeolocation, Measure::kMatched, 0.8, 0.5, 0.4},
    {Kind::kDeviceId, Measure::kValidated, 0.6, 0.5, 0.4},
};

// The content-only confidence of `kind` from its shares of matching and
// validating values; 0 for kinds without a rule or below its threshold.
double ContentScore(Kind kind, double matched, double validated) {
  for (const ContentRule& r : kContentRules) {
    if (r.kind != kind) continue;
    const double share = r.measure == Measure::kMatched ? matched : validated;
    return share >= r.min_share ? r.base + r.slope * share : 0;
  }
  return 0;
}

// A column's name and its values together (Finish): how far the values
// support what the name says.
constexpr double kValuesAgree = 0.5;     // at least half the values look like the name's kind
constexpr double kValuesPartly = 0.1;    // some do: the name is believed, with less confidence
constexpr double kNameWithoutValues = 0.6;  // an empty column: the name's weight times this
constexpr double kNameContradicted = 0.3;   // the values contradict the name: weight times this
// Hits inside values: in free text a few hits already say what it holds; in
// short columns a third of the values must contain one.
constexpr double kContainingBase = 0.6;
constexpr double kContainingCap = 0.95;
constexpr double kContainingShortMin = 0.3;

// Effect flags.
constexpr uint16_t kProse = 1 << 0;
constexpr uint16_t kWhole = 1 << 1;
constexpr uint16_t kNumberLike = 1 << 2;
constexpr uint16_t kShortCode = 1 << 3;
constexpr uint16_t kWordy = 1 << 4;
constexpr uint16_t kLenientPhone = 1 << 5;
constexpr uint16_t kPlausibleAge = 1 << 6;
constexpr uint16_t kDistinct = 1 << 7;  // short non-matching value: counts towards distinct_small_
constexpr uint16_t kScanned = 1 << 8;   // scanned for hits inside
constexpr uint16_t kAddressShaped = 1 << 9;
constexpr uint16_t kOpaque = 1 << 10;

// Values longer than this are rarely repeated (free text, addresses): not cached.
constexpr size_t kMaxCachedLength = 64;

uint64_t Load64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
uint32_t Load32(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// The bytes of a value as words: overlapping loads cover the tail, so that
// there is no byte loop and no library call.
uint64_t HashBytes(std::string_view v) {
  const char* p = v.data();
  const size_t n = v.size();
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      h = (h ^ Load64(p + i)) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 29;
    }
    h ^= Load64(p + n - 8);
  } else if (n >= 4) {
    h ^= uint64_t{Load32(p)} << 32 | Load32(p + n - 4);
  } else if (n > 0) {
    h ^= uint64_t{static_cast<unsigned char>(p[0])} << 16 | uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
         static_cast<unsigned char>(p[n - 1]);
  }
  h = h * 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}

// a == b for n <= kMaxCachedLength bytes.
bool SameBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8)
      if (Load64(a + i) != Load64(b + i)) return false;
    return Load64(a + n - 8) == Load64(b + n - 8);
  }
  if (n >= 4) return Load32(a) == Load32(b) && Load32(a + n - 4) == Load32(b + n - 4);
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace

// A direct-mapped table of recent distinct values and their effects. A
// column whose values hardly repeat (e-mail addresses) turns it off after a
// while, so that it costs nothing there.
//
// One is about 190 KB: a column gets one only once it has shown a repeated
// value (CacheOnRepeat), and the caches alive in the process are capped, so
// that a table of 200,000 columns does not take 38 GB. A column without one
// is classified the same, only without the shortcut.
class ColumnClassifier::ValueCache {
 public:
  static constexpr size_t kSlots = 1024;
  static constexpr int64_t kTrial = 16384;

  // Null once the caches alive in the process would pass kBudgetBytes.
  static std::unique_ptr<ValueCache> Create() {
    if (live_.fetch_add(1, std::memory_order_relaxed) >= kMaxLive) {
      live_.fetch_sub(1, std::memory_order_relaxed);
      return nullptr;
    }
    return std::unique_ptr<ValueCache>(new ValueCache);
  }
  ~ValueCache() { live_.fetch_sub(1, std::memory_order_relaxed); }

  Effect* Find(std::string_view v, uint64_t hash) {
    Entry& e = entries_[hash & (kSlots - 1)];
    if (e.hash == hash && e.length == v.size() && SameBytes(e.key, v.data(), v.size())) {
      ++hits_;
      return &e.effect;
    }
    return nullptr;
  }
  void Insert(std::string_view v, uint64_t hash, const Effect& effect) {
    Entry& e = entries_[hash & (kSlots - 1)];
    e.hash = hash;
    e.length = static_cast<uint8_t>(v.size());
    std::memcpy(e.key, v.data(), v.size());
    e.effect = effect;
  }
  // Counts a lookup; false once the cache has shown it does not pay.
  bool Worthwhile() {
    if (++lookups_ < kTrial) return true;
    if (hits_ * 4 >= lookups_) {  // keep going, judge the next stretch afresh
      lookups_ = hits_ = 0;
      return true;
    }
    return false;
  }

 private:
  ValueCache() = default;
  static constexpr int64_t kBudgetBytes = int64_t{128} << 20;
  struct Entry {
    uint64_t hash = 0;
    uint8_t length = 0xFF;  // no value
    char key[kMaxCachedLength];
    Effect effect;
  };
  Entry entries_[kSlots];
  int64_t lookups_ = 0, hits_ = 0;

  static const int64_t kMaxLive;
  static inline std::atomic<int64_t> live_{0};
};

const int64_t ColumnClassifier::ValueCache::kMaxLive =
    std::max<int64_t>(1, kBudgetBytes / static_cast<int64_t>(sizeof(ValueCache)));

// Remembers a tag of the last value seen in each of a few slots; a value
// whose tag is already in its slot has repeated, and the column gets its
// cache. After kTrial values without a repeat the column never will.
ColumnClassifier::ValueCache* ColumnClassifier::CacheOnRepeat(uint64_t hash) {
  uint32_t& slot = probe_[hash & (kProbeSlots - 1)];
  const uint32_t tag = static_cast<uint32_t>(hash >> 32) | 1;
  if (slot != tag) {
    slot = tag;
    if (++probe_lookups_ >= ValueCache::kTrial) cache_disabled_ = true;
    return nullptr;
  }
  cache_.cache = ValueCache::Create();
  if (cache_.cache == nullptr) cache_disabled_ = true;  // the budget is spent: classify without
  return cache_.cache.get();
}

ColumnClassifier::CacheHolder::CacheHolder() = default;
ColumnClassifier::CacheHolder::CacheHolder(const CacheHolder&) {}
ColumnClassifier::CacheHolder::CacheHolder(CacheHolder&&) noexcept = default;
ColumnClassifier::CacheHolder& ColumnClassifier::CacheHolder::operator=(const CacheHolder&) {
  cache.reset();
  return *this;
}
ColumnClassifier::CacheHolder& ColumnClassifier::CacheHolder::operator=(CacheHolder&&) noexcept = default;
ColumnClassifier::CacheHolder::~CacheHolder() = default;

ColumnClassifier::ColumnClassifier(std::string column_name)
    : column_name_(std::move(column_name)),
      name_evidence_(KindsFromColumnName(column_name_)),
      current_year_(CurrentYear()) {
  // Two value shapes matter only for what the name claims: count them only
  // then (most columns pay nothing for them).
  for (const NameEvidence& ne : name_evidence_) {
    if (ne.kind == Kind::kStreetAddress) count_address_shape_ = true;
    if (ne.whole && ne.weight >= kExactNameWeight) count_opaque_ = true;
  }
}

bool ColumnClassifier::Normalise(std::string_view* v) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  if (v->empty()) return false;
  if (space(v->front()) || space(v->back())) {
    while (!v->empty() && space(v->front())) v->remove_prefix(1);
    while (!v->empty() && space(v->back())) v->remove_suffix(1);
    if (v->empty()) return false;
  }
  if (v->size() <= 4) {
    if (*v == "NULL" || *v == "null" || *v == "\\N" || *v == "None" || *v == "nil") return false;
  }
  return true;
}

bool ColumnClassifier::CountWholeValue(std::string_view v, Effect* e) const {
  const char* p = v.data();
  const char* end = p + v.size();
  unsigned char c = static_cast<unsigned char>(v[0]);
  bool validated = false;
  bool any = false;
  auto hit = [&](Kind kind, bool is_validated) {
    e->Add(kind, is_validated, true);
    any = true;
  };
  if (std::memchr(p, '@', v.size()) != nullptr) {
    if (WholeIs(MatchEmail(p, end, &validated), v)) hit(Kind::kEmail, validated);
    return any;
  }
  if (IsDigit(c)) {
    int year = 0;
    if (WholeIs(MatchDate(p, end, &validated, &year), v)) {
      hit(Kind::kDate, true);
      int age = current_year_ - year;
      if (age >= 15 && age <= 100) e->flags |= kPlausibleAge;
      e->year_bit = static_cast<int16_t>(std::clamp(year - 1800, 0, 447));
      return true;
    }
    if (WholeIs(MatchIpv4(p, end, &validated), v)) return hit(Kind::kIpv4, true), true;
    if (v.size() == 11 && (v[3] == '-' || v[3] == ' ') && v[6] == v[3]) {
      bool ssn = IsValidSsnUs(v);
      if (ssn || (IsDigit(v[0]) && IsDigit(v[10]))) return hit(Kind::kSsnUs, ssn), true;
    }
    if (WholeIs(MatchPostcode(p, end, &validated), v)) return hit(Kind::kPostcode, true), true;
    int digits = 0;
    if (WholeIs(MatchBsnShape(p, end, &validated, &digits), v)) {
      hit(Kind::kBsn, validated);
      if (digits == 8) hit(Kind::kKvk, false);
    }
    if (WholeIs(MatchCard(p, end, &validated), v)) hit(Kind::kPaymentCard, validated);
    if (WholeIs(MatchPhone(p, end, &validated, true), v)) {
      hit(Kind::kPhone, validated);
      e->flags |= kLenientPhone;
    }
    if (WholeIs(MatchIpv6(p, end, &validated), v)) hit(Kind::kIpv6, true);
    if (IsStreetAddress(v)) hit(Kind::kStreetAddress, true);
    // Unix timestamps (seconds or milliseconds, 2001-2033) in a date column.
    if (!any && (v.size() == 10 || v.size() == 13) && v[0] == '1' && IsNumberLike(v)) {
      e->Add(Kind::kDate, false, false);
    }
    return any;
  }
  if (c == '+' || c == '(') {
    if (WholeIs(MatchPhone(p, end, &validated, true), v)) {
      hit(Kind::kPhone, validated);
      e->flags |= kLenientPhone;
    }
    return any;
  }
  if (c == ':' || IsHex(c)) {
    if (WholeIs(MatchIpv6(p, end, &validated), v)) return hit(Kind::kIpv6, true), true;
  }
  if (IsAlpha(c)) {
    if (v.size() >= 15 && v.size() <= 42) {
      char up[48];
      size_t n = 0;
      for (char ch : v) up[n++] = IsLower(ch) ? static_cast<char>(ch - 32) : ch;
      if (WholeIs(MatchIban(up, up + n, &validated), v)) return hit(Kind::kIban, validated), true;
    }
    if (v.size() == 14 && WholeIs(MatchVatNl(p, end, &validated), v)) return hit(Kind::kVatNl, validated), true;
    if (v.size() == 9) {
      char up[9];
      for (size_t i = 0; i < 9; ++i) up[i] = IsLower(v[i]) ? static_cast<char>(v[i] - 32) : v[i];
      if (WholeIs(MatchDocumentNumber(up, up + 9, &validated), v)) {
        hit(Kind::kPassportNl, true);
        hit(Kind::kIdCardNl, true);
        return true;
      }
    }
    int year = 0;
    if (WholeIs(MatchDate(p, end, &validated, &year), v)) {
      hit(Kind::kDate, true);
      int age = current_year_ - year;
      if (age >= 15 && age <= 100) e->flags |= kPlausibleAge;
      return true;
    }
    // Every profile host has a dot ("linkedin.com/").
    if (std::memchr(p, '.', v.size()) != nullptr && WholeIs(MatchSocialUrl(p, end, &validated), v))
      return hit(Kind::kSocialProfile, true), true;
    if (IsStreetAddress(v)) return hit(Kind::kStreetAddress, true), true;
  }
  return any;
}

void ColumnClassifier::Analyse(std::string_view v, Effect* e) const {
  // Short runs of digits (ids, counts, foreign keys: the commonest values of
  // all) are too short for every numeric kind (phones 9+, BSN and KvK 8+,
  // cards 13+ digits; dates, IPs, postcodes and codes need separators or
  // letters), and hold nothing inside: what the full path below would
  // conclude, without trying each matcher. Many short values per row is
  // where the CSV scan spends its time (bench/scan_bench.sh, consents).
  if (v.size() <= kMaxPlainDigits && IsAllDigits(v)) {
    e->flags |= kNumberLike | kDistinct;
    if (v.size() >= 3) e->flags |= kShortCode;
    return;
  }
  // Binary (a JPEG in a BLOB, a serialised object): no text to read, and
  // 200 bytes of it are not prose.
  if (std::memchr(v.data(), '\0', v.size()) != nullptr) return;
  // Prose: at least 40 bytes with 4 spaces, or 200 bytes.
  // 200 bytes without a space, a line break or a non-ASCII letter are a
  // token, not text: a BLOB read as hex, base64, a hash.
  bool prose = false;
  if (v.size() >= 40) {
    int spaces = 0;
    bool text_like = false;
    for (size_t i = 0; i < v.size() && spaces < 4; ++i) {
      unsigned char c = static_cast<unsigned char>(v[i]);
      spaces += c == ' ';
      text_like = text_like || c == ' ' || c == '\n' || c == '\t' || c >= 0x80;
    }
    prose = spaces >= 4 || (v.size() >= 200 && text_like);
  }
  if (prose) e->flags |= kProse;
  bool whole = !prose && CountWholeValue(v, e);
  if (whole) e->flags |= kWhole;
  if (!whole && !prose) {
    if (IsNumberLike(v)) e->flags |= kNumberLike;
    if (IsShortCode(v)) e->flags |= kShortCode;
    if (count_address_shape_ && IsAddressShaped(v)) e->flags |= kAddressShaped;
    if (count_opaque_ && IsOpaqueToken(v)) e->flags |= kOpaque;
    if (IsWordy(v)) {
      e->flags |= kWordy;
      bool known = false;
      if (IsNameShaped(v, &known)) e->Add(Kind::kPersonName, known, true);
      if (IsKnownCity(v)) e->Add(Kind::kCity, true, true);
      if (IsGenderValue(v)) e->Add(Kind::kGender, true, true);
      if (IsMaritalStatusValue(v)) e->Add(Kind::kMaritalStatus, true, true);
      if (IsNationalityValue(v)) e->Add(Kind::kNationality, true, true);
    }
    if (IsCoordinate(v)) e->Add(Kind::kGeolocation, true, false);
    bool user_agent = IsUserAgent(v);
    if (user_agent || IsUuid(v)) e->Add(Kind::kDeviceId, user_agent, false);
    if (v.size() <= 16) e->flags |= kDistinct;
  }
  if (!whole && v.size() >= 3) e->flags |= kScanned;
}

void ColumnClassifier::ApplyWhole(const Effect& e, std::string_view v) {
  ++seen_;
  total_length_ += static_cast<int64_t>(v.size());
  if (e.flags & kProse) ++long_text_;
  for (size_t i = 0; i < e.num_ops; ++i) {
    const Effect::Op& op = e.ops[i];
    Counter& k = MutableCounter(op.slot);
    ++k.matched;
    k.validated += op.validated;
    if (op.sample && k.samples.size() < 3) TakeSample(k, MaskValue(v, static_cast<Kind>(op.slot)));
  }
  if (e.flags & kPlausibleAge) ++plausible_age_;
  if (e.year_bit >= 0) years_seen_[e.year_bit / 64] |= uint64_t{1} << (e.year_bit % 64);
  if (e.flags & kLenientPhone) ++lenient_phone_;
  if (e.flags & kNumberLike) ++number_like_;
  if (e.flags & kShortCode) ++short_code_;
  if (e.flags & kWordy) ++wordy_;
  if (e.flags & kAddressShaped) ++address_shaped_;
  if (e.flags & kOpaque) ++opaque_;
  if ((e.flags & kDistinct) && !distinct_overflow_) {
    char lower[16];
    for (size_t i = 0; i < v.size(); ++i) lower[i] = ToLower(static_cast<unsigned char>(v[i]));
    std::string_view l(lower, v.size());
    if (std::find(distinct_small_.begin(), distinct_small_.end(), l) == distinct_small_.end()) {
      if (distinct_small_.size() < 8) distinct_small_.emplace_back(l);
      else distinct_overflow_ = true;
    }
  }
}

bool ColumnClassifier::ContainedOf(const Hit* hits, size_t n, Effect* e) {
  uint64_t seen_kinds = 0;
  e->num_contained = 0;
  bool cacheable = true;
  for (size_t i = 0; i < n; ++i) {
    const Hit& h = hits[i];
    if (h.kind == Kind::kBsn || h.kind == Kind::kKvk || h.kind == Kind::kPassportNl || h.kind == Kind::kIdCardNl)
      cacheable = false;
    if (!h.validated) continue;
    uint64_t bit = uint64_t{1} << Slot(h.kind);
    if (seen_kinds & bit) continue;
    seen_kinds |= bit;
    if (e->num_contained == Effect::kMaxContained) return false;  // too many to hold
    e->contained[e->num_contained++] =
        Effect::Contained{static_cast<uint8_t>(h.kind), static_cast<uint32_t>(h.offset), static_cast<uint32_t>(h.length)};
  }
  return cacheable;
}

void ColumnClassifier::ApplyContained(const Effect::Contained* c, size_t n, std::string_view v) {
  for (size_t i = 0; i < n; ++i) {
    Counter& k = MutableCounter(c[i].slot);
    ++k.containing;
    if (k.samples.size() < 3) TakeSample(k, MaskValue(v.substr(c[i].offset, c[i].length), static_cast<Kind>(c[i].slot)));
  }
}

void ColumnClassifier::CountContained(std::string_view v, const Hit* hits, size_t n) {
  uint64_t seen_kinds = 0;
  for (size_t i = 0; i < n; ++i) {
    const Hit& h = hits[i];
    if (!h.validated) continue;
    uint64_t bit = uint64_t{1} << Slot(h.kind);
    if (seen_kinds & bit) continue;
    seen_kinds |= bit;
    Counter& k = MutableCounter(Slot(h.kind));
    ++k.containing;
    if (k.samples.size() < 3) TakeSample(k, MaskValue(v.substr(h.offset, h.length), h.kind));
  }
}

void ColumnClassifier::AddValue(std::string_view value) {
  std::vector<std::string_view> one{value};
  AddValues(one);
}

const ColumnClassifier::Counter& ColumnClassifier::CounterOf(size_t slot) const {
  static const Counter kNone;
  return counter_at_[slot] == kNoCounter ? kNone : counters_[counter_at_[slot]];
}

ColumnClassifier::Counter& ColumnClassifier::MutableCounter(size_t slot) {
  if (counter_at_[slot] == kNoCounter) {
    counter_at_[slot] = static_cast<uint8_t>(counters_.size());
    counters_.emplace_back();
  }
  return counters_[counter_at_[slot]];
}

void ColumnClassifier::TakeSample(Counter& k, std::string sample) {
  k.samples.push_back(std::move(sample));
  k.sample_keys.push_back(sample_key_);
}

void ColumnClassifier::AddValues(const std::vector<std::string_view>& values) {
  AddValues(values, next_sequence_);
}

void ColumnClassifier::Merge(const ColumnClassifier& other) {
  for (size_t i = 0; i < kSlots; ++i) {
    if (other.counter_at_[i] == kNoCounter) continue;  // nothing counted there
    const Counter& o = other.counters_[other.counter_at_[i]];
    Counter& k = MutableCounter(i);
    k.matched += o.matched;
    k.validated += o.validated;
    k.containing += o.containing;
    // The first 3 samples of both, in the order one classifier would have taken them.
    std::vector<std::string> samples;
    std::vector<uint64_t> keys;
    size_t a = 0, b = 0;
    while (samples.size() < 3 && (a < k.samples.size() || b < o.samples.size())) {
      bool mine = b == o.samples.size() || (a < k.samples.size() && k.sample_keys[a] < o.sample_keys[b]);
      samples.push_back(mine ? k.samples[a] : o.samples[b]);
      keys.push_back(mine ? k.sample_keys[a++] : o.sample_keys[b++]);
    }
    k.samples = std::move(samples);
    k.sample_keys = std::move(keys);
  }
  seen_ += other.seen_;
  long_text_ += other.long_text_;
  total_length_ += other.total_length_;
  plausible_age_ += other.plausible_age_;
  number_like_ += other.number_like_;
  short_code_ += other.short_code_;
  wordy_ += other.wordy_;
  address_shaped_ += other.address_shaped_;
  opaque_ += other.opaque_;
  lenient_phone_ += other.lenient_phone_;
  for (size_t i = 0; i < years_seen_.size(); ++i) years_seen_[i] |= other.years_seen_[i];
  // Only how many distinct short values there are matters (up to 8, or more).
  for (const std::string& d : other.distinct_small_) {
    if (distinct_overflow_) break;
    if (std::find(distinct_small_.begin(), distinct_small_.end(), d) == distinct_small_.end()) {
      if (distinct_small_.size() < 8) distinct_small_.push_back(d);
      else distinct_overflow_ = true;
    }
  }
  distinct_overflow_ = distinct_overflow_ || other.distinct_overflow_;
  next_sequence_ = std::max(next_sequence_, other.next_sequence_);
}

void ColumnClassifier::AddValues(const std::vector<std::string_view>& values, uint64_t sequence) {
  next_sequence_ = sequence + 1;
  const uint64_t batch_key = sequence << 32;
  constexpr uint64_t kPhaseInside = uint64_t{1} << 31;
  // Values not wholly one kind are scanned for hits inside. They used to be
  // scanned as one text, each value on a line; the context checks (a "kvk"
  // before an 8-digit number) could look back into the lines before. Values
  // the cache knows are not scanned again, and each run of unknown values is
  // scanned with the text of the values before it as context, so that every
  // check sees what it always saw.
  struct Scanned {
    std::string_view value;
    uint64_t hash;      // 0: not to be cached
    int32_t fresh;      // index into fresh_effects, or -1: known from the cache
    uint32_t known;     // the known hits inside: known_contained[known, known + num_known)
    uint8_t num_known;
    uint32_t index;     // in values
  };
  thread_local std::vector<Scanned> scanned;
  thread_local std::vector<Effect> fresh_effects;
  thread_local std::vector<Effect::Contained> known_contained;
  thread_local std::string text;
  thread_local std::vector<Hit> hits;
  scanned.clear();
  fresh_effects.clear();
  known_contained.clear();
  ValueCache* cache = cache_.cache.get();
  bool use_cache = !cache_disabled_;
  for (size_t index = 0; index < values.size(); ++index) {
    // The values of one column lie far apart in a row batch: fetch ahead.
    if (index + 8 < values.size()) __builtin_prefetch(values[index + 8].data());
    std::string_view v = values[index];
    if (!Normalise(&v)) continue;
    Effect* known = nullptr;
    uint64_t hash = 0;
    if (use_cache && v.size() <= kMaxCachedLength) {
      const uint64_t value_hash = HashBytes(v) | 1;
      if (cache == nullptr) {
        cache = CacheOnRepeat(value_hash);
        use_cache = !cache_disabled_;
      }
      if (cache != nullptr) {
        hash = value_hash;  // not 0: the value goes into the cache below
        known = cache->Find(v, hash);
        if (!cache->Worthwhile()) {
          cache_disabled_ = true;
          use_cache = false;
        }
      }
    }
    sample_key_ = batch_key | index;
    if (known != nullptr) {
      ApplyWhole(*known, v);
      known->flags &= static_cast<uint16_t>(~kDistinct);  // see below
      if (known->flags & kScanned) {
        scanned.push_back(Scanned{v, 0, -1, static_cast<uint32_t>(known_contained.size()), known->num_contained,
                                  static_cast<uint32_t>(index)});
        known_contained.insert(known_contained.end(), known->contained, known->contained + known->num_contained);
      }
      continue;
    }
    Effect fresh;
    Analyse(v, &fresh);
    ApplyWhole(fresh, v);
    // The value is now among the distinct short values (or there are too
    // many to track): applying its effect again changes nothing there.
    fresh.flags &= static_cast<uint16_t>(~kDistinct);
    if (fresh.flags & kScanned) {
      scanned.push_back(Scanned{v, hash, static_cast<int32_t>(fresh_effects.size()), 0, 0, static_cast<uint32_t>(index)});
      fresh_effects.push_back(fresh);
    } else if (hash != 0 && use_cache) {
      cache->Insert(v, hash, fresh);
    }
  }
  size_t i = 0;
  while (i < scanned.size()) {
    if (scanned[i].fresh < 0) {
      sample_key_ = batch_key | kPhaseInside | scanned[i].index;
      ApplyContained(known_contained.data() + scanned[i].known, scanned[i].num_known, scanned[i].value);
      ++i;
      continue;
    }
    // A run of unknown values [i, j), after enough of the values before it
    // (each on its own line) to cover the context window.
    size_t j = i + 1;
    while (j < scanned.size() && scanned[j].fresh >= 0) ++j;
    // Context never crosses a value boundary (text_scanner.cpp), so no value
    // before the run is needed.
    size_t context_from = i, context_bytes = 0;
    text.clear();
    for (size_t k = context_from; k < j; ++k) {
      text.append(scanned[k].value);
      text.push_back('\n');
    }
    hits.clear();
    ScanTextRange(text, context_bytes, text.size(), &hits);
    size_t h = 0;
    size_t begin = context_bytes;
    for (size_t k = i; k < j; ++k) {
      Scanned& s = scanned[k];
      size_t end = begin + s.value.size();
      size_t first = h;
      while (h < hits.size() && hits[h].offset < end) {
        hits[h].offset -= begin;
        ++h;
      }
      // Only hits wholly inside this value (a hit cannot cross the '\n').
      sample_key_ = batch_key | kPhaseInside | s.index;
      CountContained(s.value, hits.data() + first, h - first);
      Effect& e = fresh_effects[static_cast<size_t>(s.fresh)];
      if (s.hash != 0 && !cache_disabled_ && ContainedOf(hits.data() + first, h - first, &e))
        cache_.cache->Insert(s.value, s.hash, e);
      while (h < hits.size() && hits[h].offset < end + 1) ++h;
      begin = end + 1;
    }
    i = j;
  }
  if (cache_disabled_) cache_.cache.reset();
}

ColumnVerdict ColumnClassifier::Finish() const {
  ColumnVerdict verdict;
  verdict.values_seen = seen_;
  double seen = static_cast<double>(std::max<int64_t>(seen_, 1));
  auto share = [&](int64_t x) { return static_cast<double>(x) / seen; };
  double avg_len = static_cast<double>(total_length_) / seen;
  verdict.free_text = seen_ > 0 && share(long_text_) >= 0.3;
  bool name_free_text = false;
  for (const NameEvidence& ne : name_evidence_) name_free_text |= ne.kind == Kind::kFreeText;
  if (name_free_text && seen_ > 0 && avg_len >= 15) verdict.free_text = true;

  int distinct_years = 0;
  for (uint64_t w : years_seen_) distinct_years += __builtin_popcountll(w);

  auto name_weight = [&](Kind kind) {
    for (const NameEvidence& ne : name_evidence_) {
      if (ne.kind == kind) return ne.weight;
    }
    return 0.0;
  };
  auto name_is_whole = [&](Kind kind) {
    for (const NameEvidence& ne : name_evidence_) {
      if (ne.kind == kind) return ne.whole;
    }
    return false;
  };
  bool name_says_date = name_weight(Kind::kDate) > 0;

  for (Kind kind : AllKinds()) {
    const Counter& k = CounterOf(Slot(kind));
    double w = name_weight(kind);
    double m = share(k.matched), val = share(k.validated), cont = share(k.containing);
    // Passport and ID-card numbers share one format: an ID-card verdict can
    // rest on the passport-shaped matches (see below).
    const Counter& document = CounterOf(Slot(Kind::kPassportNl));
    bool ambiguous_document = kind == Kind::kIdCardNl && w == 0 && name_weight(Kind::kPassportNl) == 0 &&
                              document.matched > 0;
    if (w == 0 && k.matched == 0 && k.containing == 0 && kind != Kind::kBirthDate && kind != Kind::kFreeText &&
        !ambiguous_document)
      continue;

    // How far the values agree with the name, and the content-only score.
    double support = m;
    double content = ContentScore(kind, m, val);
    switch (kind) {
      case Kind::kEmail:
      case Kind::kIban:
      case Kind::kVatNl:
      case Kind::kSsnUs:
      case Kind::kDate:
      case Kind::kSocialProfile:
      case Kind::kPassportNl:
        break;  // the table's content score; support: the share of matching values
      case Kind::kKvk:
        break;  // 8 digits say nothing without a name: no content score
      case Kind::kPhone:
        support = share(lenient_phone_);
        break;
      case Kind::kBsn:
      case Kind::kPaymentCard:
        // Checksums pass by chance on some ids: the name needs the checksum too.
        support = val >= kValuesAgree ? m : val;
        break;
      case Kind::kPostcode:
        support = std::max(m, share(short_code_));
        break;
      case Kind::kBirthDate: {
        const Counter& d = CounterOf(Slot(Kind::kDate));
        double dm = share(d.matched);
        double ages = d.matched > 0 ? static_cast<double>(plausible_age_) / static_cast<double>(d.matched) : 0;
        support = dm;
        // No birth in the name: only a date column of adult ages over many years.
        if (name_evidence_.empty() && !name_says_date && dm >= 0.8 && ages >= 0.95 && distinct_years >= 10) {
          content = 0.6;
        }
        if (w > 0 && ages < 0.5 && d.matched > 0) w *= 0.7;
        break;
      }
      case Kind::kIpv4:
      case Kind::kIpv6: {
        // Logs mix both families in one column: judge the addresses together,
        // and report each family that is really there (at least 5%).
        double ip = share(CounterOf(Slot(Kind::kIpv4)).matched + CounterOf(Slot(Kind::kIpv6)).matched);
        content = ip >= 0.6 && m >= 0.05 ? 0.5 + 0.45 * ip : 0;
        support = m >= 0.05 ? ip : m;
        break;
      }
      case Kind::kIdCardNl:
        // Same format as passports: the name tells them apart. A neutral name
        // ("document_number") over passport-shaped values may hold either.
        content = ambiguous_document && share(document.matched) >= 0.9 ? 0.6 : 0;
        break;
      case Kind::kPersonName:
        content = (m >= 0.8 && val >= 0.5) ? 0.5 + 0.4 * val : 0;
        // A generic name ("name", "naam", "title") is said of things as often
        // as of people: region and category names are name-shaped too, so
        // the values must hold known first names or surnames.
        if (w < kExactNameWeight) support = val >= kKnownNameShare ? m : val;
        break;
      case Kind::kStreetAddress:
        support = std::max({m, share(address_shaped_), share(wordy_ + short_code_ + number_like_)});
        break;
      case Kind::kCity:
        support = std::max(m, share(wordy_));
        break;
      case Kind::kGender:
        content = (m >= 0.95 && distinct_small_.size() >= 2 && !distinct_overflow_ && avg_len <= 8) ? 0.6 : 0;
        support = m >= 0.5 ? m : share(wordy_);
        break;
      case Kind::kMaritalStatus:
      case Kind::kNationality:
        support = std::max(m, share(wordy_));
        break;
      case Kind::kSalary:
        support = share(number_like_);
        break;
      case Kind::kGeolocation:
        support = std::max(m, share(number_like_));
        break;
      case Kind::kDeviceId:
        support = 1.0;  // ids of any shape: the name decides
        break;
      case Kind::kFreeText:
        content = verdict.free_text ? 0.6 + 0.3 * share(long_text_) : 0;
        support = verdict.free_text ? 1.0 : 0.5;
        break;
      default:  // terms: a name like "religie" holds them whatever the wording
        support = 1.0;
        break;
    }
    double by_name = 0;
    if (w > 0) {
      if (seen_ == 0) by_name = kNameWithoutValues * w;
      else if (support >= kValuesAgree) by_name = (0.75 + 0.25 * support) * (0.85 + 0.15 * w);
      else if (support >= kValuesPartly) by_name = 0.4 * w + 0.3 * support;
      else by_name = kNameContradicted * w;
      // Person names are judged by their values (see kPersonName above).
      // Not when the values are pseudonyms or hashes: they replaced what the
      // name promises (an anonymised export keeps its column names).
      if (w >= kExactNameWeight && name_is_whole(kind) && kind != Kind::kPersonName && share(opaque_) < 0.5)
        by_name = std::max(by_name, kNameAloneConfidence);
    }
    // Hits inside text: strong in free text, weaker in short columns.
    double by_containing = 0;
    if (k.containing > 0) {
      if (verdict.free_text) by_containing = std::min(kContainingCap, kContainingBase + cont);
      else if (cont >= kContainingShortMin) by_containing = 0.5 + 0.4 * cont;
    }
    double confidence = std::max({by_name, content, by_containing});
    if (confidence < kConfidenceFloor) continue;
    KindEvidence ev;
    ev.kind = kind;
    ev.confidence = std::min(confidence, 1.0);
    ev.values_seen = seen_;
    const Counter& counted = kind == Kind::kBirthDate ? CounterOf(Slot(Kind::kDate)) : ambiguous_document ? document : k;
    ev.values_matched = counted.matched;
    ev.values_validated = counted.validated;
    ev.values_containing = k.containing;
    ev.name_match = w > 0;
    ev.masked_samples = counted.samples;
    verdict.kinds.push_back(std::move(ev));
  }
  // A birth date is a date: report the specific kind only. A passport number
  // column is not also an ID-card column unless the name says so.
  auto has = [&](Kind kind) {
    return std::any_of(verdict.kinds.begin(), verdict.kinds.end(), [&](const KindEvidence& e) { return e.kind == kind; });
  };
  auto drop = [&](Kind kind) {
    verdict.kinds.erase(std::remove_if(verdict.kinds.begin(), verdict.kinds.end(),
                                       [&](const KindEvidence& e) { return e.kind == kind; }),
                        verdict.kinds.end());
  };
  if (has(Kind::kBirthDate)) drop(Kind::kDate);
  if (has(Kind::kIdCardNl) && name_weight(Kind::kPassportNl) == 0) drop(Kind::kPassportNl);
  // A column the name calls a phone is not also a BSN/card by its digits alone.
  if (name_weight(Kind::kPhone) > 0 && name_weight(Kind::kBsn) == 0) drop(Kind::kBsn);
  if (name_weight(Kind::kKvk) > 0 && name_weight(Kind::kBsn) == 0) drop(Kind::kBsn);
  if (verdict.free_text && !has(Kind::kFreeText)) {
    KindEvidence ev;
    ev.kind = Kind::kFreeText;
    ev.confidence = 0.6 + 0.3 * share(long_text_);
    ev.values_seen = seen_;
    ev.values_matched = long_text_;
    verdict.kinds.push_back(ev);
  }
  std::stable_sort(verdict.kinds.begin(), verdict.kinds.end(),
                   [](const KindEvidence& a, const KindEvidence& b) { return a.confidence > b.confidence; });
  return verdict;
}

}  // namespace dpo::detect
