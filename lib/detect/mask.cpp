#include "detect/mask.h"

#include "detect/matchers.h"

namespace dpo::detect {
namespace {

using internal::IsAlnum;
using internal::IsAlpha;
using internal::IsDigit;

std::string MaskShape(std::string_view v);

// Length of the UTF-8 character starting with byte c (1 for invalid bytes).
size_t Utf8Len(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
  if (c >= 0xC0) return 2;
  return 1;
}

std::string FirstChar(std::string_view v) {
  if (v.empty()) return "";
  size_t n = Utf8Len(static_cast<unsigned char>(v[0]));
  if (n > v.size()) n = 1;
  // A digit is never shown: digits are what identify people.
  if (IsDigit(v[0])) return "*";
  // Only whole UTF-8 characters: a lead byte followed by ASCII ("\xf3" then
  // "121...") would otherwise show the digits after it as "its" character.
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(v[i]) & 0xC0) != 0x80) return "*";
  }
  return std::string(v.substr(0, n));
}

std::string MaskTail(std::string_view v, size_t keep) {
  size_t alnum = 0;
  for (char c : v) alnum += IsAlnum(static_cast<unsigned char>(c)) ? 1 : 0;
  // Short values would be shown almost whole: star them all.
  if (alnum <= keep * 3) keep = 0;
  std::string out;
  size_t seen = 0;
  for (char c : v) {
    if (IsAlnum(static_cast<unsigned char>(c))) {
      ++seen;
      out += seen > alnum - keep ? c : '*';
    } else if (static_cast<unsigned char>(c) < 0x80) {
      out += c;
    } else {
      out += '*';
    }
  }
  return out;
}

std::string MaskEmail(std::string_view v) {
  size_t at = v.rfind('@');
  if (at == std::string_view::npos) return FirstChar(v) + "***";
  std::string_view local = v.substr(0, at), domain = v.substr(at + 1);
  size_t dot = domain.rfind('.');
  std::string tld = dot == std::string_view::npos ? "" : std::string(domain.substr(dot));
  // A top-level domain is letters; anything else after the last dot (an
  // address ending in ".123456" or a mistyped "@x.nl0612345678") may be part
  // of a number and is masked like the rest.
  for (size_t i = 1; i < tld.size(); ++i) {
    if (!IsAlpha(static_cast<unsigned char>(tld[i]))) {
      tld = MaskShape(tld);
      break;
    }
  }
  return FirstChar(local) + "***@" + FirstChar(domain) + "***" + tld;
}

std::string MaskWords(std::string_view v) {
  std::string out;
  size_t i = 0;
  while (i < v.size()) {
    if (v[i] == ' ' || v[i] == '-' || v[i] == ',') {
      out += v[i++];
      continue;
    }
    size_t j = i;
    while (j < v.size() && v[j] != ' ' && v[j] != '-' && v[j] != ',') ++j;
    out += FirstChar(v.substr(i, j - i));
    out += "***";
    i = j;
  }
  return out;
}

std::string MaskShape(std::string_view v) {
  std::string out;
  for (char c : v) out += IsAlnum(static_cast<unsigned char>(c)) ? '*' : (static_cast<unsigned char>(c) < 0x80 ? c : '*');
  return out;
}

}  // namespace

std::string MaskValue(std::string_view value, Kind kind) {
  if (value.empty()) return "";
  std::string out;
  switch (kind) {
    case Kind::kEmail:
      out = MaskEmail(value);
      break;
    case Kind::kPhone:
    case Kind::kBsn:
    case Kind::kSsnUs:
    case Kind::kIban:
    case Kind::kPaymentCard:
    case Kind::kKvk:
    case Kind::kVatNl:
    case Kind::kPassportNl:
    case Kind::kIdCardNl:
    case Kind::kPostcode:
    case Kind::kSalary:
      out = MaskTail(value, 2);
      break;
    case Kind::kDate:
    case Kind::kBirthDate:
    case Kind::kIpv4:
    case Kind::kIpv6:
    case Kind::kGeolocation:
      out = MaskShape(value);
      break;
    case Kind::kPersonName:
    case Kind::kStreetAddress:
    case Kind::kCity:
      out = MaskWords(value);
      break;
    case Kind::kFreeText:
      out = FirstChar(value) + "*** (" + std::to_string(value.size()) + " bytes)";
      break;
    default:
      out = FirstChar(value) + "***";
      break;
  }
  if (out == value) out = std::string(value.size() > 8 ? 8 : value.size(), '*');
  return out;
}

}  // namespace dpo::detect
