#include "detect/column_classifier.h"

#include <algorithm>
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

}  // namespace

ColumnClassifier::ColumnClassifier(std::string column_name)
    : column_name_(std::move(column_name)),
      name_evidence_(KindsFromColumnName(column_name_)),
      current_year_(CurrentYear()) {}

bool ColumnClassifier::Normalise(std::string_view* v) {
  while (!v->empty() && (v->front() == ' ' || v->front() == '\t' || v->front() == '\r' || v->front() == '\n')) {
    v->remove_prefix(1);
  }
  while (!v->empty() && (v->back() == ' ' || v->back() == '\t' || v->back() == '\r' || v->back() == '\n')) {
    v->remove_suffix(1);
  }
  if (v->empty()) return false;
  if (*v == "NULL" || *v == "null" || *v == "\\N" || *v == "None" || *v == "nil") return false;
  return true;
}

void ColumnClassifier::Sample(Kind kind, std::string_view v) {
  std::vector<std::string>& s = counters_[Slot(kind)].samples;
  if (s.size() < 3) s.push_back(MaskValue(v, kind));
}

bool ColumnClassifier::CountWholeValue(std::string_view v) {
  const char* p = v.data();
  const char* e = p + v.size();
  unsigned char c = static_cast<unsigned char>(v[0]);
  bool validated = false;
  bool any = false;
  auto hit = [&](Kind kind, bool is_validated) {
    Counter& k = counters_[Slot(kind)];
    ++k.matched;
    if (is_validated) ++k.validated;
    if (k.samples.size() < 3) Sample(kind, v);
    any = true;
  };
  if (v.find('@') != std::string_view::npos) {
    if (WholeIs(MatchEmail(p, e, &validated), v)) hit(Kind::kEmail, validated);
    return any;
  }
  if (IsDigit(c)) {
    int year = 0;
    if (WholeIs(MatchDate(p, e, &validated, &year), v)) {
      hit(Kind::kDate, true);
      int age = current_year_ - year;
      if (age >= 15 && age <= 100) ++plausible_age_;
      size_t bit = static_cast<size_t>(std::clamp(year - 1800, 0, 447));
      years_seen_[bit / 64] |= uint64_t{1} << (bit % 64);
      return true;
    }
    if (WholeIs(MatchIpv4(p, e, &validated), v)) return hit(Kind::kIpv4, true), true;
    if (WholeIs(MatchPostcode(p, e, &validated), v)) return hit(Kind::kPostcode, true), true;
    int digits = 0;
    if (WholeIs(MatchBsnShape(p, e, &validated, &digits), v)) {
      hit(Kind::kBsn, validated);
      if (digits == 8) hit(Kind::kKvk, false);
    }
    if (WholeIs(MatchCard(p, e, &validated), v)) hit(Kind::kPaymentCard, validated);
    if (WholeIs(MatchPhone(p, e, &validated, true), v)) {
      hit(Kind::kPhone, validated);
      ++lenient_phone_;
    }
    if (WholeIs(MatchIpv6(p, e, &validated), v)) hit(Kind::kIpv6, true);
    if (IsStreetAddress(v)) hit(Kind::kStreetAddress, true);
    // Unix timestamps (seconds or milliseconds, 2001-2033) in a date column.
    if (!any && (v.size() == 10 || v.size() == 13) && v[0] == '1' && IsNumberLike(v)) {
      Counter& k = counters_[Slot(Kind::kDate)];
      ++k.matched;
    }
    return any;
  }
  if (c == '+' || c == '(') {
    if (WholeIs(MatchPhone(p, e, &validated, true), v)) {
      hit(Kind::kPhone, validated);
      ++lenient_phone_;
    }
    return any;
  }
  if (c == ':' || IsHex(c)) {
    if (WholeIs(MatchIpv6(p, e, &validated), v)) return hit(Kind::kIpv6, true), true;
  }
  if (IsAlpha(c)) {
    if (v.size() >= 15 && v.size() <= 42) {
      char up[48];
      size_t n = 0;
      for (char ch : v) up[n++] = IsLower(ch) ? static_cast<char>(ch - 32) : ch;
      if (WholeIs(MatchIban(up, up + n, &validated), v)) return hit(Kind::kIban, validated), true;
    }
    if (v.size() == 14 && WholeIs(MatchVatNl(p, e, &validated), v)) return hit(Kind::kVatNl, validated), true;
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
    if (WholeIs(MatchDate(p, e, &validated, &year), v)) {
      hit(Kind::kDate, true);
      int age = current_year_ - year;
      if (age >= 15 && age <= 100) ++plausible_age_;
      return true;
    }
    if (WholeIs(MatchSocialUrl(p, e, &validated), v)) return hit(Kind::kSocialProfile, true), true;
    if (IsStreetAddress(v)) return hit(Kind::kStreetAddress, true), true;
  }
  return any;
}

void ColumnClassifier::CountContained(std::string_view v, const Hit* hits, size_t n) {
  uint64_t seen_kinds = 0;
  for (size_t i = 0; i < n; ++i) {
    const Hit& h = hits[i];
    if (!h.validated) continue;
    uint64_t bit = uint64_t{1} << Slot(h.kind);
    if (seen_kinds & bit) continue;
    seen_kinds |= bit;
    Counter& k = counters_[Slot(h.kind)];
    ++k.containing;
    if (k.samples.size() < 3) k.samples.push_back(MaskValue(v.substr(h.offset, h.length), h.kind));
  }
}

void ColumnClassifier::AddValue(std::string_view value) {
  std::vector<std::string_view> one{value};
  AddValues(one);
}

void ColumnClassifier::AddValues(const std::vector<std::string_view>& values) {
  // Values not wholly one kind are scanned for hits inside, all in one pass.
  std::string batch;
  std::vector<size_t> starts;
  std::vector<std::string_view> scanned;
  for (std::string_view raw : values) {
    std::string_view v = raw;
    if (!Normalise(&v)) continue;
    ++seen_;
    total_length_ += static_cast<int64_t>(v.size());
    size_t spaces = static_cast<size_t>(std::count(v.begin(), v.end(), ' '));
    bool prose = (v.size() >= 40 && spaces >= 4) || v.size() >= 200;
    if (prose) ++long_text_;
    bool whole = !prose && CountWholeValue(v);
    if (!whole && !prose) {
      if (IsNumberLike(v)) ++number_like_;
      if (IsShortCode(v)) ++short_code_;
      if (IsWordy(v)) {
        ++wordy_;
        bool known = false;
        if (IsNameShaped(v, &known)) {
          Counter& k = counters_[Slot(Kind::kPersonName)];
          ++k.matched;
          if (known) ++k.validated;
          if (k.samples.size() < 3) Sample(Kind::kPersonName, v);
        }
        auto count = [&](Kind kind) {
          Counter& k = counters_[Slot(kind)];
          ++k.matched;
          ++k.validated;
          if (k.samples.size() < 3) Sample(kind, v);
        };
        if (IsKnownCity(v)) count(Kind::kCity);
        if (IsGenderValue(v)) count(Kind::kGender);
        if (IsMaritalStatusValue(v)) count(Kind::kMaritalStatus);
        if (IsNationalityValue(v)) count(Kind::kNationality);
      }
      if (IsCoordinate(v)) {
        Counter& k = counters_[Slot(Kind::kGeolocation)];
        ++k.matched;
        ++k.validated;
      }
      if (IsUserAgent(v) || IsUuid(v)) {
        Counter& k = counters_[Slot(Kind::kDeviceId)];
        ++k.matched;
        if (IsUserAgent(v)) ++k.validated;
      }
      if (v.size() <= 16 && !distinct_overflow_) {
        std::string lower(v);
        for (char& ch : lower) ch = ToLower(static_cast<unsigned char>(ch));
        if (std::find(distinct_small_.begin(), distinct_small_.end(), lower) == distinct_small_.end()) {
          if (distinct_small_.size() < 8) distinct_small_.push_back(lower);
          else distinct_overflow_ = true;
        }
      }
    }
    if (!whole && v.size() >= 3) {
      starts.push_back(batch.size());
      scanned.push_back(v);
      batch.append(v);
      batch.push_back('\n');
    }
  }
  if (scanned.empty()) return;
  std::vector<Hit> hits;
  ScanText(batch, &hits);
  size_t h = 0;
  for (size_t i = 0; i < scanned.size(); ++i) {
    size_t begin = starts[i], end = begin + scanned[i].size();
    size_t first = h;
    while (h < hits.size() && hits[h].offset < end) {
      hits[h].offset -= begin;
      ++h;
    }
    // Only hits wholly inside this value (a hit cannot cross the '\n').
    CountContained(scanned[i], hits.data() + first, h - first);
    while (h < hits.size() && hits[h].offset < end + 1) ++h;
  }
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
  bool name_says_date = name_weight(Kind::kDate) > 0;

  for (Kind kind : AllKinds()) {
    const Counter& k = counters_[Slot(kind)];
    double w = name_weight(kind);
    double m = share(k.matched), val = share(k.validated), cont = share(k.containing);
    // Passport and ID-card numbers share one format: an ID-card verdict can
    // rest on the passport-shaped matches (see below).
    const Counter& document = counters_[Slot(Kind::kPassportNl)];
    bool ambiguous_document = kind == Kind::kIdCardNl && w == 0 && name_weight(Kind::kPassportNl) == 0 &&
                              document.matched > 0;
    if (w == 0 && k.matched == 0 && k.containing == 0 && kind != Kind::kBirthDate && kind != Kind::kFreeText &&
        !ambiguous_document)
      continue;

    // How far the values agree with the name, and the content-only score.
    double support = m;
    double content = 0;
    switch (kind) {
      case Kind::kEmail:
        content = m >= 0.3 ? 0.6 + 0.4 * m : 0;
        break;
      case Kind::kPhone:
        support = share(lenient_phone_);
        content = val >= 0.6 ? 0.5 + 0.45 * val : 0;
        break;
      case Kind::kIban:
      case Kind::kVatNl:
        content = val >= 0.5 ? 0.6 + 0.4 * val : 0;
        break;
      case Kind::kBsn:
        // 1 in 11 random numbers passes the 11-check: ids are not BSNs.
        content = val >= 0.9 ? 0.95 * val : 0;
        support = val >= 0.5 ? m : val;
        break;
      case Kind::kPaymentCard:
        content = val >= 0.8 ? 0.5 + 0.45 * val : 0;
        support = val >= 0.5 ? m : val;
        break;
      case Kind::kKvk:
        content = 0;  // 8 digits say nothing without a name
        break;
      case Kind::kPostcode:
        content = m >= 0.6 ? 0.5 + 0.45 * m : 0;
        support = std::max(m, share(short_code_));
        break;
      case Kind::kDate:
        content = val >= 0.6 ? 0.5 + 0.45 * val : 0;
        break;
      case Kind::kBirthDate: {
        const Counter& d = counters_[Slot(Kind::kDate)];
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
        double ip = share(counters_[Slot(Kind::kIpv4)].matched + counters_[Slot(Kind::kIpv6)].matched);
        content = ip >= 0.6 && m >= 0.05 ? 0.5 + 0.45 * ip : 0;
        support = m >= 0.05 ? ip : m;
        break;
      }
      case Kind::kSocialProfile:
        content = m >= 0.6 ? 0.5 + 0.45 * m : 0;
        break;
      case Kind::kPassportNl:
        content = m >= 0.9 ? 0.6 : 0;
        break;
      case Kind::kIdCardNl:
        // Same format as passports: the name tells them apart. A neutral name
        // ("document_number") over passport-shaped values may hold either.
        content = ambiguous_document && share(document.matched) >= 0.9 ? 0.6 : 0;
        break;
      case Kind::kPersonName:
        content = (m >= 0.8 && val >= 0.5) ? 0.5 + 0.4 * val : 0;
        break;
      case Kind::kStreetAddress:
        content = m >= 0.5 ? 0.5 + 0.45 * m : 0;
        support = std::max(m, share(wordy_ + short_code_ + number_like_));
        break;
      case Kind::kCity:
        content = m >= 0.5 ? 0.5 + 0.4 * m : 0;
        support = std::max(m, share(wordy_));
        break;
      case Kind::kGender:
        content = (m >= 0.95 && distinct_small_.size() >= 2 && !distinct_overflow_ && avg_len <= 8) ? 0.6 : 0;
        support = m >= 0.5 ? m : share(wordy_);
        break;
      case Kind::kMaritalStatus:
      case Kind::kNationality:
        content = m >= 0.6 ? 0.5 + 0.3 * m : 0;
        support = std::max(m, share(wordy_));
        break;
      case Kind::kSalary:
        support = share(number_like_);
        break;
      case Kind::kGeolocation:
        content = m >= 0.8 ? 0.5 + 0.4 * m : 0;
        support = std::max(m, share(number_like_));
        break;
      case Kind::kDeviceId:
        content = val >= 0.6 ? 0.5 + 0.4 * val : 0;
        support = 1.0;
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
      if (seen_ == 0) by_name = 0.6 * w;
      else if (support >= 0.5) by_name = (0.75 + 0.25 * support) * (0.85 + 0.15 * w);
      else if (support >= 0.1) by_name = 0.4 * w + 0.3 * support;
      else by_name = 0.3 * w;  // the values contradict the name
    }
    // Hits inside text: strong in free text, weaker in short columns.
    double by_containing = 0;
    if (k.containing > 0) {
      if (verdict.free_text) by_containing = std::min(0.95, 0.6 + cont);
      else if (cont >= 0.3) by_containing = 0.5 + 0.4 * cont;
    }
    double confidence = std::max({by_name, content, by_containing});
    if (confidence < kConfidenceFloor) continue;
    KindEvidence ev;
    ev.kind = kind;
    ev.confidence = std::min(confidence, 1.0);
    ev.values_seen = seen_;
    const Counter& counted = kind == Kind::kBirthDate ? counters_[Slot(Kind::kDate)] : ambiguous_document ? document : k;
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
