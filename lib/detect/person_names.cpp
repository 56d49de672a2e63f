#include "detect/person_names.h"

#include <array>
#include <cstring>

#include "detect/matchers.h"
#include "detect/name_lists.h"

namespace dpo::detect {
namespace {

using internal::IsDigit;
using internal::IsLower;
using internal::IsUpper;
using internal::IsWordByte;

// Latin-1 Supplement U+00C0..U+00FF (UTF-8 C3 80..C3 BF) folded to ASCII; the
// case of the letter is kept so that "Öztürk" is still capitalised. "" for
// the two signs in the block (multiplication and division).
constexpr std::array<const char*, 64> kLatin1 = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "",  "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y"};

// Latin Extended-A U+0100..U+017F (UTF-8 C4 80..C5 BF): Polish, Czech,
// Hungarian, Turkish, Romanian letters. One byte each; 1 2 3 4 stand for the
// ligatures IJ ij OE oe.
constexpr std::string_view kLatinExtA =
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi12JjKkkLlLlLlLlLlNnNnNnnNnOoOoOo34RrRrRrSsSsSsSsTtTtTt"
    "UuUuUuUuUuUuWwYyYZzZzZzs";
static_assert(kLatinExtA.size() == 128, "one byte per code point U+0100..U+017F");

// Appends the ASCII folding of the character at s[i] (case kept) and
// returns its byte length. Bytes that are not a folded letter are appended as
// they are; a truncated sequence never reads past the end.
size_t FoldChar(std::string_view s, size_t i, std::string* out) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80 || i + 1 >= s.size()) {
    out->push_back(static_cast<char>(c));
    return 1;
  }
  unsigned char d = static_cast<unsigned char>(s[i + 1]);
  if ((d & 0xC0) != 0x80) {
    out->push_back(static_cast<char>(c));
    return 1;
  }
  if (c == 0xC3) {
    out->append(kLatin1[d - 0x80]);
    return 2;
  }
  if (c == 0xC4 || c == 0xC5) {
    char f = kLatinExtA[(c - 0xC4) * 64 + (d - 0x80)];
    switch (f) {
      case '1': out->append("IJ"); break;
      case '2': out->append("ij"); break;
      case '3': out->append("OE"); break;
      case '4': out->append("oe"); break;
      default: out->push_back(f);
    }
    return 2;
  }
  // The typographic apostrophe of "in ’t Veld".
  if (c == 0xE2 && d == 0x80 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 2]) == 0x99) {
    out->push_back('\'');
    return 3;
  }
  out->push_back(static_cast<char>(c));
  return 1;
}

std::string Fold(std::string_view word) {
  std::string out;
  out.reserve(word.size());
  for (size_t i = 0; i < word.size();) i += FoldChar(word, i, &out);
  return out;
}

// A word of the text: letters (any byte >= 0x80 that is not punctuation
// counts as one), digits and inner '-', '\'' and '.' ("Gert-Jan",
// "O'Brien", "J.P", "noa.maas72").
struct Token {
  size_t begin = 0;
  size_t end = 0;     // exclusive; a trailing '.' is not part of the token
  bool dot = false;   // a '.' follows directly ("J." or the end of a sentence)
  bool glued = false; // touches '@', '/', '_', ... : part of an address, URL or handle
  std::string folded; // Fold() of the token
};

bool IsGlueByte(unsigned char c) { return c != 0 && std::strchr("@/\\_#&=+%~|", c) != nullptr; }

// The byte length of the apostrophe at t[i] ("'" or the typographic U+2019), 0 if none.
size_t ApostropheLen(std::string_view t, size_t i) {
  if (t[i] == '\'') return 1;
  if (i + 2 < t.size() && static_cast<unsigned char>(t[i]) == 0xE2 && static_cast<unsigned char>(t[i + 1]) == 0x80 &&
      static_cast<unsigned char>(t[i + 2]) == 0x99)
    return 3;
  return 0;
}

// The byte length of the letter or digit at t[i], 0 if it is none. Latin-1
// signs (U+0080..U+00BF: no-break space, guillemets) and general punctuation
// (U+2000..U+206F: dashes, curly quotes) separate words like ASCII
// punctuation does; other non-ASCII bytes, valid or not, count as letters so
// that names in any script stay whole.
size_t WordCharLen(std::string_view t, size_t i) {
  unsigned char c = static_cast<unsigned char>(t[i]);
  if (c < 0x80) return IsWordByte(c) ? 1 : 0;
  if (c == 0xC2 && i + 1 < t.size() && (static_cast<unsigned char>(t[i + 1]) & 0xC0) == 0x80) return 0;
  if (c == 0xE2 && i + 2 < t.size()) {
    unsigned char d = static_cast<unsigned char>(t[i + 1]);
    if ((d == 0x80 || d == 0x81) && (static_cast<unsigned char>(t[i + 2]) & 0xC0) == 0x80) return 0;
  }
  return 1;
}

// Spaces that may stand between the words of one name: ' ', tab, no-break space.
size_t SpaceLen(std::string_view t, size_t i) {
  if (t[i] == ' ' || t[i] == '\t') return 1;
  if (i + 1 < t.size() && static_cast<unsigned char>(t[i]) == 0xC2 && static_cast<unsigned char>(t[i + 1]) == 0xA0)
    return 2;
  return 0;
}

std::vector<Token> Tokenize(std::string_view t) {
  std::vector<Token> tokens;
  const size_t n = t.size();
  size_t i = 0;
  while (i < n) {
    size_t len = WordCharLen(t, i);
    size_t apo = len == 0 ? ApostropheLen(t, i) : 0;
    // A token starts at a letter, or at an apostrophe before one ("'t").
    if (len == 0 && (apo == 0 || i + apo >= n || WordCharLen(t, i + apo) == 0)) {
      // Skip a multi-byte sign whole: its continuation bytes are no letters.
      unsigned char c = static_cast<unsigned char>(t[i]);
      i += c == 0xC2 ? 2 : c == 0xE2 ? 3 : 1;
      continue;
    }
    size_t j = i + (len != 0 ? len : apo);
    while (j < n) {
      size_t l = WordCharLen(t, j);
      if (l != 0) {
        j += l;
        continue;
      }
      size_t joiner = (t[j] == '-' || t[j] == '.') ? 1 : ApostropheLen(t, j);
      if (joiner != 0 && j + joiner < n && WordCharLen(t, j + joiner) != 0) {
        j += joiner;
        continue;
      }
      break;
    }
    Token tok;
    tok.begin = i;
    tok.end = j;
    tok.dot = j < n && t[j] == '.';
    size_t after = tok.dot ? j + 1 : j;
    unsigned char before = i > 0 ? static_cast<unsigned char>(t[i - 1]) : ' ';
    tok.glued = IsGlueByte(before) || before == '.' || before == '-' ||
                (after < n && IsGlueByte(static_cast<unsigned char>(t[after])));
    tok.folded = Fold(t.substr(i, j - i));
    tokens.push_back(std::move(tok));
    i = j;
  }
  return tokens;
}

// True when only spaces stand between a and b (at least one), and a has no
// full stop (unless a_may_have_dot: initials, "Dhr."): the two may be words
// of one name.
bool Joined(std::string_view t, const Token& a, const Token& b, bool a_may_have_dot) {
  if (a.dot && !a_may_have_dot) return false;
  size_t from = a.end + (a.dot ? 1 : 0);
  if (from >= b.begin) return false;
  for (size_t k = from; k < b.begin;) {
    size_t s = SpaceLen(t, k);
    if (s == 0) return false;
    k += s;
  }
  return true;
}

bool Capitalised(const Token& tok) { return !tok.folded.empty() && IsUpper(static_cast<unsigned char>(tok.folded[0])); }

// Letters only (after folding), inner hyphens and apostrophes allowed, at
// least two letters: what an unknown surname after a title may look like.
bool NameShaped(const Token& tok) {
  if (tok.folded.size() < 2 || tok.glued) return false;
  for (unsigned char c : tok.folded) {
    if (IsDigit(c) || c == '.' || c == '_') return false;
  }
  return true;
}

// Every '-'-separated part satisfies pred (and there is at least one).
template <typename Pred>
bool AllParts(std::string_view w, Pred pred) {
  if (w.empty()) return false;
  size_t i = 0;
  while (true) {
    size_t j = w.find('-', i);
    std::string_view part = w.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (part.empty() || !pred(part)) return false;
    if (j == std::string_view::npos) return true;
    i = j + 1;
  }
}

bool IsFirst(const Token& tok) {
  return !tok.glued && Capitalised(tok) && AllParts(tok.folded, [](std::string_view p) { return IsKnownFirstName(p); });
}

bool IsSurname(const Token& tok) {
  return !tok.glued && Capitalised(tok) && AllParts(tok.folded, [](std::string_view p) { return IsKnownSurname(p); });
}

bool IsParticle(const Token& tok) { return !tok.glued && !tok.dot && IsTussenvoegsel(tok.folded); }

// Particles that in Dutch stand only before a family name; "in", "op", "te",
// "la", "el" alone are also ordinary words ("Jan in Amsterdam", "geboren te
// Delft"), so an unknown capitalised word after them is not evidence enough.
bool IsStrongParticle(const Token& tok) {
  static constexpr std::array<std::string_view, 12> kStrong = {"van", "de", "der", "den", "ter", "ten",
                                                               "von", "'t", "t'", "het", "vande", "vander"};
  for (std::string_view s : kStrong) {
    if (internal::EqualsLower(tok.folded.data(), tok.folded.size(), s)) return true;
  }
  return false;
}

// "Galenstraat", "Grootstraat", "Meerdervoortlaan": the last word of a street
// name, not a surname (the address detector takes those). Short suffixes that
// are surnames too (Dijk, Hof, Veld, Dam) are not listed.
bool StreetShaped(const Token& tok) {
  static constexpr std::array<std::string_view, 19> kSuffixes = {
      "straat", "laan",  "weg",   "plein", "gracht", "kade",   "singel",    "steeg",   "markt",  "dreef",
      "park",   "baan",  "haven", "burgwal", "plantsoen", "boulevard", "strasse", "allee", "street"};
  const std::string& w = tok.folded;
  for (std::string_view s : kSuffixes) {
    if (w.size() > s.size() &&
        internal::EqualsLower(w.data() + w.size() - s.size(), s.size(), s))
      return true;
  }
  return internal::IsStreetPrefixWord(w.data(), w.size()) || IsKnownCity(w);
}

// "J", "J.P", "A.B.C" followed by a '.': upper-case single letters.
bool IsInitials(const Token& tok) {
  if (!tok.dot || tok.glued || tok.folded.empty()) return false;
  const std::string& w = tok.folded;
  for (size_t k = 0; k < w.size(); ++k) {
    bool letter_pos = k % 2 == 0;
    if (letter_pos ? !IsUpper(static_cast<unsigned char>(w[k])) : w[k] != '.') return false;
  }
  return w.size() % 2 == 1;
}

// Titles, written "Mr", "mr", "Mevr." but not "MS" (multiple sclerosis,
// Microsoft): the first letter in either case, the rest lower case.
bool IsTitle(const std::vector<Token>& tokens, size_t i, std::string_view t) {
  const Token& tok = tokens[i];
  if (tok.glued) return false;
  const std::string& w = tok.folded;
  for (size_t k = 1; k < w.size(); ++k) {
    if (!IsLower(static_cast<unsigned char>(w[k]))) return false;
  }
  static constexpr std::array<std::string_view, 12> kTitles = {"mevrouw", "meneer", "mevr", "mw",  "mvr",  "dhr",
                                                               "mr",      "mrs",    "ms",   "miss", "dr", "heer"};
  for (std::string_view s : kTitles) {
    if (!internal::EqualsLower(w.data(), w.size(), s)) continue;
    // "de heer Jansen"; "Heer" alone is also the Lord.
    if (s == "heer") return i > 0 && tokens[i - 1].folded == "de" && Joined(t, tokens[i - 1], tok, false);
    return true;
  }
  return false;
}

struct Span {
  size_t first;  // token indexes, inclusive
  size_t last;
};

// A name after the title at token i: initials, first names, particles and
// capitalised words; it ends at the last capitalised word that is not a
// particle ("mevrouw De Vries", "Mr J. Smith", "dhr. van Dijk").
bool MatchAfterTitle(std::string_view t, const std::vector<Token>& tokens, size_t i, Span* span) {
  size_t prev = i;
  bool prev_may_dot = true;  // "Dhr. Jansen"
  size_t last_word = 0;
  for (size_t k = i + 1; k < tokens.size() && k <= i + 6; ++k) {
    const Token& tok = tokens[k];
    if (!Joined(t, tokens[prev], tok, prev_may_dot)) break;
    bool initials = IsInitials(tok);
    bool particle = !initials && IsParticle(tok);
    bool word = !initials && !particle && Capitalised(tok) && NameShaped(tok) && !StreetShaped(tok) &&
                !IsTitle(tokens, k, t);
    if (!initials && !particle && !word) break;
    if (word) last_word = k;
    prev = k;
    prev_may_dot = initials;
  }
  if (last_word == 0) return false;
  *span = {i + 1, last_word};
  return true;
}

// Capitalised words that begin sentences or precede names without being one
// ("Kandidaat Bakker belde", "Dear Visser"), days and months: never taken as
// a name word the lists do not know.
bool IsStopWord(const Token& tok) {
  static constexpr std::array<std::string_view, 78> kStop = {
      "de", "het", "een", "the", "an", "dear", "geachte", "beste", "hallo", "hello", "hi", "hoi",
      "kandidaat", "candidate", "klant", "client", "referentie", "reference", "contact", "contactpersoon",
      "collega", "colleague", "status", "functie", "rol", "role", "team", "teamleider", "senior", "junior",
      "hoofd", "chef", "manager", "afdeling", "department", "nieuw", "new", "oud", "oude", "old", "ik", "wij",
      "we", "hij", "zij", "ze", "he", "she", "they", "it", "dit", "dat", "this", "that", "geen", "no", "yes",
      "ja", "nee", "per", "via", "met", "with", "for", "voor", "maandag", "dinsdag", "woensdag", "donderdag",
      "vrijdag", "zaterdag", "zondag", "monday", "tuesday", "wednesday", "thursday", "friday"};
  static constexpr std::array<std::string_view, 26> kStop2 = {
      "saturday", "sunday", "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
      "september", "oktober", "november", "december", "january", "february", "march", "may", "june", "july",
      "august", "october", "mr", "dhr", "mevr", "mevrouw"};
  const std::string& w = tok.folded;
  for (std::string_view s : kStop) {
    if (internal::EqualsLower(w.data(), w.size(), s)) return true;
  }
  for (std::string_view s : kStop2) {
    if (internal::EqualsLower(w.data(), w.size(), s)) return true;
  }
  return false;
}

// A name word the lists need not know: capitalised with lower case after
// ("Yasmin", not "VOG"), letters only, not a particle, title, street, city
// or stop word.
bool IsOpenNameWord(const std::vector<Token>& tokens, size_t k, std::string_view t) {
  const Token& tok = tokens[k];
  if (!Capitalised(tok) || !NameShaped(tok) || tok.folded.size() < 2) return false;
  bool lower = false;
  for (size_t c = 1; c < tok.folded.size(); ++c) lower = lower || IsLower(static_cast<unsigned char>(tok.folded[c]));
  return lower && !IsParticle(tok) && !StreetShaped(tok) && !IsStopWord(tok) && !IsTitle(tokens, k, t);
}

// How a name starts: initials ("J."), a first name of the lists, or an open
// name word ("Yasmin") that then needs a known surname.
enum class Start { kNone, kInitials, kFirst, kOpen };

// A name starting at token i.
bool MatchFromName(std::string_view t, const std::vector<Token>& tokens, size_t i, Span* span) {
  const Token& start_tok = tokens[i];
  Start start = IsInitials(start_tok) ? Start::kInitials
                : IsFirst(start_tok)  ? Start::kFirst
                : !start_tok.dot && IsOpenNameWord(tokens, i, t) ? Start::kOpen
                                                                 : Start::kNone;
  if (start == Start::kNone) return false;
  bool initials = start == Start::kInitials;
  // "Morgen Thomas de Vries": the name starts at the first name, not at the word before it.
  if (start == Start::kOpen && i + 1 < tokens.size() && Joined(t, start_tok, tokens[i + 1], false) &&
      (IsFirst(tokens[i + 1]) || IsInitials(tokens[i + 1])))
    return false;
  // More first names ("Anna Maria") or more initials ("J. P.").
  size_t f_end = i;
  while (start != Start::kOpen && f_end + 1 < tokens.size() && f_end - i < 3) {
    const Token& next = tokens[f_end + 1];
    if (!Joined(t, tokens[f_end], next, initials)) break;
    if (initials ? !IsInitials(next) : !IsFirst(next)) break;
    ++f_end;
  }
  // Particles, then the surname.
  size_t k = f_end + 1;
  size_t prev = f_end;
  size_t particles = 0;
  while (k < tokens.size() && particles < 4 && Joined(t, tokens[prev], tokens[k], initials && prev == f_end) &&
         IsParticle(tokens[k])) {
    prev = k++;
    ++particles;
  }
  if (k < tokens.size() && Joined(t, tokens[prev], tokens[k], initials && prev == f_end)) {
    const Token& s = tokens[k];
    bool strong = particles == 0 || IsStrongParticle(tokens[k - 1]);
    bool surname = false;
    switch (start) {
      case Start::kInitials:
        surname = IsSurname(s);
        break;
      case Start::kOpen:
        // "Yasmin Schmidt", "Nienke van der Wal": the surname is the evidence.
        surname = strong && IsSurname(s);
        break;
      case Start::kFirst:
        // A known surname; or any name word after a particle only names
        // take ("Wim in 't Veld") or right after the first name ("Kees Groen").
        surname = IsSurname(s) || (strong && IsOpenNameWord(tokens, k, t));
        break;
      case Start::kNone:
        break;
    }
    if (surname) {
      *span = {i, k};
      return true;
    }
  }
  // Two or more known first names: "Ahmed Mohamed".
  if (start == Start::kFirst && f_end > i) {
    *span = {i, f_end};
    return true;
  }
  return false;
}

}  // namespace

std::string NameKey(std::string_view word) {
  std::string out = Fold(word);
  for (char& c : out) c = internal::ToLower(static_cast<unsigned char>(c));
  return out;
}

std::vector<Hit> FindPersonNames(std::string_view text) {
  std::vector<Hit> hits;
  std::vector<Token> tokens = Tokenize(text);
  for (size_t i = 0; i < tokens.size();) {
    Span span{};
    bool ok = false;
    if (IsTitle(tokens, i, text) && i + 1 < tokens.size()) {
      ok = MatchAfterTitle(text, tokens, i, &span);
      if (!ok) {
        ++i;
        continue;
      }
    } else {
      ok = MatchFromName(text, tokens, i, &span);
    }
    if (!ok) {
      ++i;
      continue;
    }
    Hit h;
    h.offset = tokens[span.first].begin;
    h.length = tokens[span.last].end - h.offset;
    h.kind = Kind::kPersonName;
    h.validated = true;
    hits.push_back(h);
    i = span.last + 1;
  }
  return hits;
}

}  // namespace dpo::detect
