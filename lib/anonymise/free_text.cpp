#include "anonymise/free_text.h"

#include <algorithm>
#include <array>
#include <vector>

#include "detect/identifier_spans.h"
#include "detect/text_scanner.h"

namespace dpo::anonymise {
namespace {

using detect::Kind;
using detect::Span;

// Every placeholder name, for recognising placeholders in text.
constexpr std::array<std::string_view, 19> kNames = {
    "email",  "phone",    "iban",      "bsn",       "name",      "address", "postcode",
    "id_number", "card",  "url",       "ip",        "health",    "belief",   "origin",
    "political", "union", "sexuality", "physical", "criminal"};
// "[id_number]", "[postcode]", ...: the longest placeholder, brackets included.
constexpr size_t kLongest = 11;

// A replacement can change what the detectors see next to it (see
// free_text.h), so the text is scanned again until a scan finds nothing.
// Each pass replaces bytes outside placeholders and adds none, so this ends;
// the cap only guards against a detector bug looping forever.
constexpr int kMaxPasses = 8;

bool IsAsciiAlnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// True when replacing [begin, end) cannot change which person names the
// text holds outside it. Names are three quarters of the cost of a scan, so
// the scan after a replacement skips them when every span was isolated.
// The name finder (person_names.h) joins the words of a name over spaces
// only, so a placeholder ends every name at its brackets, and it never
// looks further back than one word. What a replacement can change are the
// words touching the span: a letter or digit (or a byte >= 0x80, which may
// be a letter) on either side was part of a word that went into the span;
// a '.', '-' or apostrophe on either side joined the span's word with the
// next one ("zwanger-de heer": once the span is "[health]", "de" is a word
// of its own and makes "heer" a title) or made the word before "glued" (an
// e-mail address, a path), and so not a name, in a way the bracket does
// not. Any other ASCII byte separates words in both texts alike: the words
// outside are the same, and the name finder answers the same for them, or
// found a name that reached into the span and was replaced with it.
bool Joins(unsigned char c) { return c >= 0x80 || IsAsciiAlnum(c) || c == '.' || c == '-' || c == '\''; }
bool Isolated(std::string_view text, size_t begin, size_t end) {
  return (begin == 0 || !Joins(static_cast<unsigned char>(text[begin - 1]))) &&
         (end >= text.size() || !Joins(static_cast<unsigned char>(text[end])));
}

constexpr size_t kKindSlots = static_cast<size_t>(Kind::kCriminalTerm) + 1;

// The placeholder of `text` that holds byte `pos`: true and its bounds
// [*begin, *end) if there is one.
bool PlaceholderAt(std::string_view text, size_t pos, size_t* begin, size_t* end) {
  if (pos >= text.size()) return false;
  // The nearest '[' at or before pos, close enough for pos to be inside.
  const size_t lo = pos >= kLongest - 1 ? pos - (kLongest - 1) : 0;
  size_t b = pos;
  while (text[b] != '[') {
    if (b == lo) return false;
    --b;
  }
  std::string_view rest = text.substr(b + 1);
  for (std::string_view n : kNames) {
    if (rest.size() > n.size() && rest[n.size()] == ']' && rest.compare(0, n.size(), n) == 0) {
      size_t e = b + n.size() + 2;
      if (pos >= e) return false;
      *begin = b;
      *end = e;
      return true;
    }
  }
  return false;
}

// Drops the spans inside placeholders and widens those that reach into one
// to the whole placeholder, so that no half placeholder ("[na") is left to
// be read as text by the next pass or by anyone. Widening can make spans
// overlap; they are merged as FindIdentifierSpans merges (the longer wins).
void KeepPlaceholdersWhole(std::string_view text, std::vector<Span>* spans) {
  size_t w = 0;
  for (size_t r = 0; r < spans->size(); ++r) {
    Span s = (*spans)[r];
    size_t begin = s.offset;
    size_t end = s.offset + s.length;
    size_t pb, pe;
    if (PlaceholderAt(text, begin, &pb, &pe)) {
      if (end <= pe) continue;  // inside it: the context word "bsn" of "[bsn]"
      begin = pb;
    }
    if (PlaceholderAt(text, end - 1, &pb, &pe)) end = std::max(end, pe);
    (*spans)[w++] = Span{begin, end - begin, s.kind};
  }
  spans->resize(w);
  if (w < 2) return;
  std::sort(spans->begin(), spans->end(), [](const Span& a, const Span& b) { return a.offset < b.offset; });
  size_t m = 0;
  for (size_t r = 1; r < spans->size(); ++r) {
    Span& cur = (*spans)[m];
    const Span s = (*spans)[r];
    if (s.offset < cur.offset + cur.length) {
      if (s.length > cur.length) cur.kind = s.kind;
      size_t end = std::max(cur.offset + cur.length, s.offset + s.length);
      cur.offset = std::min(cur.offset, s.offset);
      cur.length = end - cur.offset;
    } else {
      (*spans)[++m] = s;
    }
  }
  spans->resize(m + 1);
}

// True when ScanText finds, outside placeholders, a validated hit of a
// span kind: the cheap part of a scan (no names), for the scan after a
// replacement.
bool ScanFindsSpan(std::string_view text) {
  thread_local std::vector<detect::Hit> hits;
  hits.clear();
  detect::ScanText(text, &hits);
  bool found = false;
  for (const detect::Hit& h : hits) {
    if (h.validated && detect::IsSpanKind(h.kind) && !InPlaceholder(text, h.offset, h.length)) {
      found = true;
      break;
    }
  }
  if (hits.capacity() > 4096) std::vector<detect::Hit>().swap(hits);
  return found;
}

}  // namespace

std::string_view Placeholder(Kind kind) {
  switch (kind) {
    case Kind::kEmail: return "[email]";
    case Kind::kPhone: return "[phone]";
    case Kind::kIban: return "[iban]";
    case Kind::kBsn: return "[bsn]";
    case Kind::kSsnUs: return "[id_number]";
    case Kind::kPersonName: return "[name]";
    case Kind::kStreetAddress: return "[address]";
    case Kind::kPostcode: return "[postcode]";
    case Kind::kPassportNl:
    case Kind::kIdCardNl: return "[id_number]";
    case Kind::kPaymentCard: return "[card]";
    case Kind::kSocialProfile: return "[url]";
    case Kind::kIpv4:
    case Kind::kIpv6: return "[ip]";
    case Kind::kHealthTerm: return "[health]";
    case Kind::kReligionTerm: return "[belief]";
    case Kind::kEthnicityTerm: return "[origin]";
    case Kind::kPoliticalTerm: return "[political]";
    case Kind::kUnionTerm: return "[union]";
    case Kind::kSexualityTerm: return "[sexuality]";
    case Kind::kBiometricTerm: return "[physical]";
    case Kind::kCriminalTerm: return "[criminal]";
    default: return "";
  }
}

bool InPlaceholder(std::string_view text, size_t offset, size_t length) {
  size_t b, e;
  if (length == 0 || offset > text.size() || length > text.size() - offset) return false;
  return PlaceholderAt(text, offset, &b, &e) && offset + length <= e;
}

int64_t RedactFreeText(std::string* text, FreeTextCounts* counts) {
  if (text == nullptr || text->empty()) return 0;
  // Per thread and reused across calls: millions of notes, one vector and
  // one buffer. A huge note's memory is given back after it.
  thread_local std::vector<Span> spans;
  thread_local std::string out;
  constexpr size_t kKeep = 1 << 16;
  std::array<int64_t, kKindSlots> by_kind{};
  int64_t total = 0;
  bool names_may_change = true;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    if (!names_may_change && !ScanFindsSpan(*text)) break;
    detect::FindIdentifierSpans(*text, true, &spans);
    KeepPlaceholdersWhole(*text, &spans);
    if (spans.empty()) break;
    size_t size = text->size();
    names_may_change = false;
    for (const Span& s : spans) {
      size = size - s.length + Placeholder(s.kind).size();
      names_may_change = names_may_change || !Isolated(*text, s.offset, s.offset + s.length);
    }
    out.clear();
    out.reserve(size);
    size_t at = 0;
    for (const Span& s : spans) {
      out.append(*text, at, s.offset - at);
      out.append(Placeholder(s.kind));
      at = s.offset + s.length;
      ++by_kind[static_cast<size_t>(s.kind)];
    }
    out.append(*text, at, std::string::npos);
    // Into the caller's string: no allocation when the text did not grow.
    text->assign(out);
    total += static_cast<int64_t>(spans.size());
  }
  if (spans.capacity() > kKeep) std::vector<Span>().swap(spans);
  if (out.capacity() > kKeep) std::string().swap(out);
  if (counts != nullptr && total > 0) {
    counts->spans += total;
    for (size_t k = 0; k < by_kind.size(); ++k) {
      if (by_kind[k] != 0) counts->by_kind[std::string(detect::KindName(static_cast<Kind>(k)))] += by_kind[k];
    }
  }
  return total;
}

}  // namespace dpo::anonymise
