#include "anonymise/fake_values.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "detect/validators.h"

namespace dpo::anonymise {
namespace {

// ---------------------------------------------------------------------------
// Embedded lists. ASCII only: a fake e-mail address is built from them, and
// the case styles (ALL CAPS) are applied byte by byte.

constexpr std::array<const char*, 100> kFirstNames = {
    // Dutch
    "Jan", "Pieter", "Kees", "Henk", "Willem", "Johannes", "Cornelis", "Hendrik", "Gerrit", "Dirk",
    "Bram", "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Jesse", "Thijs", "Ruben",
    "Lars", "Bas", "Joost", "Maarten", "Sander", "Niels", "Koen", "Wouter", "Jeroen", "Stijn",
    "Anna", "Emma", "Sophie", "Julia", "Tess", "Sara", "Eva", "Lotte", "Fleur", "Anouk",
    "Femke", "Iris", "Lisa", "Sanne", "Marieke", "Ingrid", "Annemieke", "Willemijn", "Maaike", "Noor",
    "Mila", "Saar", "Roos", "Esther", "Judith", "Karin", "Monique", "Petra", "Els", "Hanneke",
    // International
    "Mohammed", "Ahmed", "Fatima", "Aisha", "Youssef", "Mehmet", "Ayse", "Emre", "Elif", "Priya",
    "Raj", "Wei", "Mei", "Hiroshi", "Yuki", "Carlos", "Maria", "Jose", "Ana", "Luis",
    "Sofia", "Giulia", "Marco", "Pierre", "Claire", "Lukas", "Hannah", "Olga", "Ivan", "Katarzyna",
    "Piotr", "James", "Olivia", "Michael", "Sarah", "David", "Grace", "Kwame", "Amara", "Omar",
};

struct Surname {
  const char* tussenvoegsel;  // "" for none; only with the Dutch names that take one
  const char* name;
};

constexpr std::array<Surname, 100> kSurnames = {{
    // Dutch, with their usual tussenvoegsel
    {"de", "Jong"}, {"de", "Vries"}, {"van", "Dijk"}, {"van den", "Berg"}, {"van der", "Meer"},
    {"de", "Bruijn"}, {"de", "Boer"}, {"de", "Graaf"}, {"van", "Leeuwen"}, {"van", "Wijk"},
    {"van der", "Veen"}, {"van den", "Heuvel"}, {"van den", "Brink"}, {"de", "Haan"}, {"de", "Groot"},
    {"de", "Wit"}, {"van", "Beek"}, {"van", "Vliet"}, {"van der", "Linden"}, {"van der", "Laan"},
    // Dutch, without
    {"", "Jansen"}, {"", "Bakker"}, {"", "Visser"}, {"", "Smit"}, {"", "Meijer"},
    {"", "Mulder"}, {"", "Bos"}, {"", "Vos"}, {"", "Peters"}, {"", "Hendriks"},
    {"", "Dekker"}, {"", "Brouwer"}, {"", "Dijkstra"}, {"", "Smits"}, {"", "Vermeulen"},
    {"", "Kok"}, {"", "Jacobs"}, {"", "Willems"}, {"", "Hoekstra"}, {"", "Koster"},
    {"", "Prins"}, {"", "Huisman"}, {"", "Kuipers"}, {"", "Postma"}, {"", "Blom"},
    {"", "Verhoeven"}, {"", "Kramer"}, {"", "Schouten"}, {"", "Maas"}, {"", "Janssen"},
    {"", "Timmermans"}, {"", "Veenstra"}, {"", "Groen"}, {"", "Bosman"}, {"", "Kuiper"},
    {"", "Wouters"}, {"", "Evers"}, {"", "Verbeek"}, {"", "Hermans"}, {"", "Gerritsen"},
    {"", "Boersma"}, {"", "Molenaar"}, {"", "Scholten"}, {"", "Koning"}, {"", "Dijkman"},
    // International
    {"", "Yilmaz"}, {"", "Kaya"}, {"", "Demir"}, {"", "Sahin"}, {"", "Benali"},
    {"", "Bouzid"}, {"", "Haddad"}, {"", "Khan"}, {"", "Singh"}, {"", "Patel"},
    {"", "Nguyen"}, {"", "Chen"}, {"", "Wang"}, {"", "Kim"}, {"", "Tanaka"},
    {"", "Garcia"}, {"", "Rodriguez"}, {"", "Martinez"}, {"", "Silva"}, {"", "Santos"},
    {"", "Rossi"}, {"", "Bianchi"}, {"", "Dubois"}, {"", "Martin"}, {"", "Muller"},
    {"", "Schmidt"}, {"", "Nowak"}, {"", "Kowalski"}, {"", "Ivanov"}, {"", "Smith"},
    {"", "Johnson"}, {"", "Brown"}, {"", "Williams"}, {"", "Okafor"}, {"", "Mensah"},
}};

// Each passes detect::IsStreetAddress with a house number after it (the
// tests check every one).
constexpr std::array<const char*, 40> kStreets = {
    "Kerkstraat", "Dorpsstraat", "Hoofdstraat", "Molenweg", "Stationsweg", "Schoolstraat",
    "Julianalaan", "Beatrixlaan", "Wilhelminastraat", "Nieuwstraat", "Marktplein", "Prinsengracht",
    "Keizersgracht", "Herengracht", "Oranjestraat", "Parallelweg", "Kastanjelaan", "Eikenlaan",
    "Lindenlaan", "Beukenlaan", "Sportlaan", "Industrieweg", "Havenstraat", "Emmastraat",
    "Irisstraat", "Rozenstraat", "Tulpstraat", "Prins Hendrikkade", "Laan van Meerdervoort", "Vondelstraat",
    "Rembrandtlaan", "Westersingel", "Zeedijk", "Dorpsplein", "Veldweg", "Kanaalweg",
    "Spoorlaan", "Burgemeester de Withstraat", "Van Goghstraat", "Oudegracht",
};

constexpr std::array<const char*, 41> kCities = {
    "Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Enschede",
    "Amersfoort", "Zaandam", "Zwolle", "Leiden", "Maastricht", "Dordrecht", "Zoetermeer",
    "Ede", "Deventer", "Delft", "Alkmaar", "Leeuwarden", "Venlo", "Hilversum",
    "Heerlen", "Roosendaal", "Oss", "Purmerend", "Schiedam", "Gouda", "Vlaardingen",
    "Assen", "Hoorn", "Middelburg", "Harderwijk", "Veenendaal", "'s-Hertogenbosch",
};

constexpr std::array<const char*, 9> kDutchBanks = {"ABNA", "INGB", "RABO", "SNSB", "ASNB",
                                                    "TRIO", "KNAB", "BUNQ", "RBRB"};

// Dutch geographic area codes of two digits after the trunk 0 (010, 020...);
// the others are three (0111, 0582...).
constexpr std::array<const char*, 30> kTwoDigitAreas = {
    "10", "13", "15", "20", "23", "24", "26", "30", "33", "35", "36", "38", "40", "43", "45",
    "46", "50", "53", "55", "58", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79"};

// ITU E.164 two-digit country codes, as detect's phone matcher knows them
// (1 and 7 are one digit, every other code three): the fake keeps exactly
// the digits the validator reads as the country.
constexpr std::array<int, 44> kTwoDigitCountries = {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46,
                                                    47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63,
                                                    64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98};

// ---------------------------------------------------------------------------
// Bytes and text helpers.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
char Lower(char c) { return IsUpper(c) ? static_cast<char>(c + 32) : c; }
char Upper(char c) { return IsLower(c) ? static_cast<char>(c - 32) : c; }

std::string_view Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

// Trimmed, runs of whitespace as one space, ASCII lower case: "JAN  Jansen "
// and "jan jansen" are one name.
std::string FoldWords(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : Trim(s)) {
    if (IsSpace(c)) {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(Lower(c));
  }
  return out;
}

// Letters and digits only, upper case: "nl91 abna 0417.1643.00" is
// "NL91ABNA0417164300".
std::string FoldAlnum(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (IsAlnum(c)) out.push_back(Upper(c));
  return out;
}

enum class CaseStyle { kAsListed, kUpper, kLower };

// ALL CAPS when the value has letters and none is lower case, all lower case
// the other way round, else the lists' own capitalisation.
CaseStyle StyleOf(std::string_view s) {
  bool upper = false, lower = false;
  for (char c : s) {
    upper = upper || IsUpper(c);
    lower = lower || IsLower(c);
  }
  if (upper && !lower) return CaseStyle::kUpper;
  if (lower && !upper) return CaseStyle::kLower;
  return CaseStyle::kAsListed;
}

std::string Styled(std::string s, CaseStyle style) {
  if (style == CaseStyle::kUpper)
    for (char& c : s) c = Upper(c);
  if (style == CaseStyle::kLower)
    for (char& c : s) c = Lower(c);
  return s;
}

// The HMAC's bytes as a stream of choices. One digest is 32 bytes; the rare
// fake that needs more (a long foreign IBAN) continues with SHA-256(digest,
// counter), which is as unpredictable without the key as the digest itself.
class Choices {
 public:
  explicit Choices(const util::Digest& seed) : seed_(seed), block_(seed) {}

  uint8_t Byte() {
    if (used_ == block_.size()) {
      std::string input(reinterpret_cast<const char*>(seed_.data()), seed_.size());
      input.push_back(static_cast<char>(++counter_));
      block_ = util::Sha256(input);
      used_ = 0;
    }
    return block_[used_++];
  }
  // Uniform in [0, n) for n <= 65536, from 16 bits: the bias is below
  // n / 65536, invisible in a fake.
  uint32_t Below(uint32_t n) {
    uint32_t v = static_cast<uint32_t>(Byte()) << 8 | Byte();
    return (v * n) >> 16;
  }
  char Digit() { return static_cast<char>('0' + Below(10)); }
  char DigitFrom(int low) { return static_cast<char>('0' + low + static_cast<int>(Below(static_cast<uint32_t>(10 - low)))); }
  char Letter() { return static_cast<char>('A' + Below(26)); }

 private:
  util::Digest seed_;
  util::Digest block_;
  size_t used_ = 0;
  int counter_ = 0;
};

// ---------------------------------------------------------------------------
// Names.

std::string SurnameText(const Surname& s) {
  std::string out = s.tussenvoegsel;
  if (!out.empty()) out.push_back(' ');
  return out + s.name;
}

// Letters and digits of a name, lower case: the e-mail form ("vandenberg").
std::string MailWord(std::string_view s) {
  std::string out;
  for (char c : s)
    if (IsAlnum(c)) out.push_back(Lower(c));
  return out;
}

std::string FakeEmail(Choices& ch) {
  const char* first = kFirstNames[ch.Below(kFirstNames.size())];
  const Surname& last = kSurnames[ch.Below(kSurnames.size())];
  uint8_t hex[3] = {ch.Byte(), ch.Byte(), ch.Byte()};
  return MailWord(first) + "." + MailWord(SurnameText(last)) + "." + util::ToHex(hex, 3) + "@example.org";
}

std::string FakeFullName(Choices& ch, CaseStyle style) {
  std::string first = kFirstNames[ch.Below(kFirstNames.size())];
  const Surname& last = kSurnames[ch.Below(kSurnames.size())];
  return Styled(first + " " + SurnameText(last), style);
}

// ---------------------------------------------------------------------------
// Phone numbers.

int CountryCodeLength(std::string_view d) {
  if (d.empty()) return 0;
  if (d[0] == '1' || d[0] == '7') return 1;
  if (d.size() < 2) return 0;
  int two = (d[0] - '0') * 10 + (d[1] - '0');
  for (int c : kTwoDigitCountries)
    if (c == two) return 2;
  if (d[0] == '0') return 0;
  return d.size() >= 3 ? 3 : 0;
}

// How many digits of a Dutch national significant number (after 31 or the
// trunk 0) stay: the mobile 6, a geographic area code (20, 111), or the two
// digits of a non-geographic prefix (85, 88, 91).
size_t DutchKeptDigits(std::string_view nsn) {
  if (nsn.empty()) return 0;
  char first = nsn[0];
  if (first == '6') return 1;
  if (first == '8' || first == '9') return 2;
  if (first == '0') return 1;  // not a valid number: the validator decides
  if (nsn.size() >= 2) {
    for (const char* area : kTwoDigitAreas)
      if (nsn[0] == area[0] && nsn[1] == area[1]) return 2;
  }
  return 3;
}

// The digits of a phone number and where they are. "(0)" after an
// international prefix is the trunk zero people write but never dial; like
// detect's matcher, it is part of the layout, not of the number.
struct PhoneLayout {
  std::string digits;          // every digit of the number, the "00" of 00CC excluded
  std::vector<size_t> where;   // position of each in the value
  bool international = false;  // +CC or 00CC
  bool malformed = false;      // too many digits to be any number
};

PhoneLayout ReadPhone(std::string_view v) {
  PhoneLayout p;
  size_t i = 0;
  if (!v.empty() && v[0] == '+') {
    p.international = true;
    i = 1;
  } else if (v.size() >= 3 && v[0] == '0' && v[1] == '0' && IsDigit(v[2]) && v[2] != '0') {
    p.international = true;
    i = 2;
  }
  for (; i < v.size(); ++i) {
    if (p.international && v.substr(i, 3) == "(0)") {
      i += 2;
      continue;
    }
    if (!IsDigit(v[i])) continue;
    if (p.digits.size() >= 20) {  // no phone number has more: do not hash a megabyte of digits
      p.malformed = true;
      break;
    }
    p.digits.push_back(v[i]);
    p.where.push_back(i);
  }
  return p;
}

// The normalised number (the HMAC input) and how many of its leading digits
// stay in the fake: "31" + the Dutch national number for any of +31, 0031
// and 0; the digits with the country code for another international number;
// the digits for anything else.
struct PhoneKey {
  std::string key;
  size_t kept = 0;      // leading digits of PhoneLayout::digits that stay
  bool dutch = false;
  bool nanp = false;    // national North American: (555) 123-4567
};

PhoneKey NormalisePhone(const PhoneLayout& p) {
  PhoneKey k;
  const std::string& d = p.digits;
  if (p.international) {
    if (d.size() >= 2 && d[0] == '3' && d[1] == '1') {
      std::string_view nsn = std::string_view(d).substr(2);
      size_t trunk = !nsn.empty() && nsn[0] == '0' ? 1 : 0;  // "+31 06..." as people write it
      nsn.remove_prefix(trunk);
      k.key = "31" + std::string(nsn);
      k.kept = 2 + trunk + DutchKeptDigits(nsn);
      k.dutch = true;
    } else {
      k.key = d;
      k.kept = static_cast<size_t>(CountryCodeLength(d));
    }
  } else if (!d.empty() && d[0] == '0') {
    std::string_view nsn = std::string_view(d).substr(1);
    k.key = "31" + std::string(nsn);
    k.kept = 1 + DutchKeptDigits(nsn);
    k.dutch = true;
  } else {
    k.key = d;
    k.nanp = true;
  }
  return k;
}

std::string FakePhone(std::string_view v, Choices& ch, const PhoneLayout& p, const PhoneKey& k) {
  if (!p.malformed && p.digits.size() >= 7 && k.kept < p.digits.size()) {
    std::string out(v);
    for (size_t i = k.kept; i < p.digits.size(); ++i) {
      size_t n = i - k.kept;
      char digit;
      if (k.nanp && (n == 0 || n == 3)) {
        digit = ch.DigitFrom(2);  // area code and exchange start with 2-9
      } else if (n == 0) {
        // Subscriber numbers (and the rest of a national number after the
        // country code) do not start with 0; "0800 0..." would also be a
        // service number the validator rejects.
        digit = ch.DigitFrom(1);
      } else {
        digit = ch.Digit();
      }
      out[p.where[i]] = digit;
    }
    if (detect::IsValidPhone(out)) return out;
  }
  // A layout the validator would not accept even with other digits: the
  // plain Dutch mobile shape.
  std::string out = "06-";
  out.push_back(ch.DigitFrom(1));
  for (int i = 0; i < 7; ++i) out.push_back(ch.Digit());
  return out;
}

// ---------------------------------------------------------------------------
// BSN.

// 9 digits passing the 11-check; the first is 0 when `leading_zero` (an
// 8-digit BSN is a 9-digit one with a leading 0), else 1-9.
std::string BsnDigits(Choices& ch, bool leading_zero) {
  std::string d(9, '0');
  if (!leading_zero) d[0] = ch.DigitFrom(1);
  for (int i = 1; i < 8; ++i) d[static_cast<size_t>(i)] = ch.Digit();
  // The check digit is the weighted sum mod 11; 10 cannot be written, and
  // all zeros is not a number. Stepping the 8th digit (weight 2) moves the
  // sum by 2 mod 11, so within two steps the check digit is 0-9.
  for (;;) {
    int sum = 0;
    bool zero = true;
    for (int i = 0; i < 8; ++i) {
      sum += (d[static_cast<size_t>(i)] - '0') * (9 - i);
      zero = zero && d[static_cast<size_t>(i)] == '0';
    }
    int check = sum % 11;
    if (check < 10 && !zero) {
      d[8] = static_cast<char>('0' + check);
      return d;
    }
    d[7] = static_cast<char>('0' + (d[7] - '0' + 1) % 10);
  }
}

// ---------------------------------------------------------------------------
// IBAN.

int Mod97(std::string_view s) {
  int r = 0;
  for (char c : s) r = IsDigit(c) ? (r * 10 + (c - '0')) % 97 : (r * 100 + (Upper(c) - 'A' + 10)) % 97;
  return r;
}

// "CC00" + bban with its check digits (upper case, no spaces).
std::string WithCheckDigits(std::string_view country, std::string_view bban) {
  std::string rearranged = std::string(bban) + std::string(country) + "00";
  int check = 98 - Mod97(rearranged);
  std::string out(country);
  out.push_back(static_cast<char>('0' + check / 10));
  out.push_back(static_cast<char>('0' + check % 10));
  return out + std::string(bban);
}

std::string FakeIban(std::string_view v, const std::string& folded, Choices& ch) {
  int length = folded.size() >= 4 && IsAlpha(folded[0]) && IsAlpha(folded[1]) && IsDigit(folded[2]) &&
                       IsDigit(folded[3])
                   ? detect::IbanLengthForCountry(std::string_view(folded).substr(0, 2))
                   : 0;
  std::string iban;
  if (length == 0 || folded.compare(0, 2, "NL") == 0) {
    std::string bban = kDutchBanks[ch.Below(kDutchBanks.size())];
    for (int i = 0; i < 10; ++i) bban.push_back(ch.Digit());
    iban = WithCheckDigits("NL", bban);
  } else {
    // The registry's length and BBAN structure: letters and digits where the
    // country's banks put them; where either may stand, the input's kind
    // (digits past its end).
    const char* format = detect::IbanBbanFormat(std::string_view(folded).substr(0, 2));
    std::string bban;
    size_t i = 4;
    for (const char* f = format; f != nullptr && *f != '\0';) {
      int run = 0;
      while (*f >= '0' && *f <= '9') run = run * 10 + (*f++ - '0');
      const char cls = *f++;
      for (int k = 0; k < run; ++k, ++i) {
        const bool letter = cls == 'a' || (cls == 'c' && i < folded.size() && IsAlpha(folded[i]));
        bban.push_back(letter ? ch.Letter() : ch.Digit());
      }
    }
    iban = WithCheckDigits(folded.substr(0, 2), bban);
  }
  if (StyleOf(v) == CaseStyle::kLower) iban = LowerAscii(iban);
  // Layout: the input's spaces where they were when only spaces separate
  // characters of the same count; else groups of 4 when it had any
  // separator; else compact.
  size_t alnum = 0;
  bool only_spaces = true, separated = false;
  for (char c : v) {
    if (IsAlnum(c)) ++alnum;
    else if (c == ' ') separated = true;
    else only_spaces = false, separated = true;
  }
  if (only_spaces && alnum == iban.size()) {
    std::string out;
    size_t next = 0;
    for (char c : v) out.push_back(c == ' ' ? ' ' : iban[next++]);
    return out;
  }
  if (!separated) return iban;
  std::string out;
  for (size_t i = 0; i < iban.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back(' ');
    out.push_back(iban[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------

std::string FakePostcode(std::string_view v, Choices& ch) {
  std::string out = std::to_string(1000 + ch.Below(9000));
  if (v.find(' ') != std::string_view::npos || v.find('\t') != std::string_view::npos) out.push_back(' ');
  char a = ch.Letter(), b = ch.Letter();
  // SA, SD and SS are not issued (their connotations); move to ST, SE, SR.
  if (a == 'S' && (b == 'A' || b == 'D' || b == 'S')) b = b == 'A' ? 'T' : b == 'D' ? 'E' : 'R';
  out.push_back(a);
  out.push_back(b);
  return out;
}

std::string FakeDocumentNumber(Choices& ch, CaseStyle style) {
  // Letters without O (never used: it reads as 0).
  static constexpr char kLetters[] = "ABCDEFGHIJKLMNPQRSTUVWXYZ";
  std::string out;
  out.push_back(kLetters[ch.Below(25)]);
  out.push_back(kLetters[ch.Below(25)]);
  bool digit = false;
  for (int i = 0; i < 6; ++i) {
    // Half letters, half digits, as on current passports and ID cards.
    bool letter = ch.Below(2) == 0;
    char c = letter ? kLetters[ch.Below(25)] : ch.Digit();
    digit = digit || !letter;
    out.push_back(c);
  }
  if (!digit) out[7] = ch.Digit();  // at least one digit among the six
  out.push_back(ch.Digit());
  return style == CaseStyle::kLower ? LowerAscii(out) : out;
}

std::string FakeStreet(Choices& ch, CaseStyle style) {
  std::string out = kStreets[ch.Below(kStreets.size())];
  out.push_back(' ');
  out += std::to_string(1 + ch.Below(250));
  if (ch.Below(8) == 0) out.push_back(static_cast<char>('a' + ch.Below(4)));
  // Only ALL CAPS: all lower case would make "laan van meerdervoort" no
  // longer read as an address.
  return style == CaseStyle::kUpper ? Styled(out, style) : out;
}

}  // namespace

const char* FakeKindName(FakeKind kind) {
  switch (kind) {
    case FakeKind::kEmail: return "email";
    case FakeKind::kPhone: return "phone";
    case FakeKind::kBsn: return "bsn";
    case FakeKind::kIban: return "iban";
    case FakeKind::kFullName: return "name";
    case FakeKind::kFirstName: return "first_name";
    case FakeKind::kLastName: return "last_name";
    case FakeKind::kStreetAddress: return "street";
    case FakeKind::kPostcode: return "postcode";
    case FakeKind::kCity: return "city";
    case FakeKind::kDocumentNumber: return "document_number";
  }
  return "unknown";
}

namespace {
constexpr std::array<FakeKind, 11> kAllKinds = {
    FakeKind::kEmail,    FakeKind::kPhone,    FakeKind::kBsn,           FakeKind::kIban,
    FakeKind::kFullName, FakeKind::kFirstName, FakeKind::kLastName,     FakeKind::kStreetAddress,
    FakeKind::kPostcode, FakeKind::kCity,     FakeKind::kDocumentNumber,
};
}  // namespace

std::optional<FakeKind> FakeKindFromName(std::string_view name) {
  for (FakeKind kind : kAllKinds)
    if (name == FakeKindName(kind)) return kind;
  return std::nullopt;
}

Faker::Faker(const util::SecretKey& key) {
  hmacs_.reserve(kAllKinds.size());
  for (FakeKind kind : kAllKinds) {
    // "dpo fake <kind>\0": a label per kind, so that a phone number and a
    // BSN with the same digits get unrelated choices, and none of them is a
    // pseudonym or ledger hash made with the same key.
    std::string prefix = std::string("dpo fake ") + FakeKindName(kind);
    prefix.push_back('\0');
    hmacs_.emplace_back(key, prefix);
  }
}

std::string Faker::Fake(FakeKind kind, std::string_view value) const {
  std::string_view v = Trim(value);
  if (v.empty()) return std::string(value);
  size_t index = static_cast<size_t>(kind);
  if (index >= hmacs_.size()) return std::string();  // not a FakeKind: nothing, never the value
  const util::PrefixedHmac& hmac = hmacs_[index];
  switch (kind) {
    case FakeKind::kEmail: {
      Choices ch(hmac.Of(LowerAscii(v)));
      return FakeEmail(ch);
    }
    case FakeKind::kPhone: {
      PhoneLayout layout = ReadPhone(v);
      PhoneKey key = NormalisePhone(layout);
      // No digits at all ("unknown", "n/a"): the text is the key, marked so
      // that it never equals a number's.
      std::string message = layout.digits.empty() || layout.malformed ? "text:" + LowerAscii(v) : key.key;
      Choices ch(hmac.Of(message));
      return FakePhone(v, ch, layout, key);
    }
    case FakeKind::kBsn: {
      // The shape is kept when it is 8 or 9 digits with BSN separators.
      std::string digits;
      bool shaped = true;
      for (char c : v) {
        if (IsDigit(c)) digits.push_back(c);
        else if (c != '.' && c != ' ' && c != '-') shaped = false;
        if (digits.size() > 9) shaped = false;
        if (!shaped) break;
      }
      shaped = shaped && digits.size() >= 8;
      if (!shaped) {
        Choices ch(hmac.Of("text:" + FoldAlnum(v)));
        return BsnDigits(ch, false);
      }
      // An 8-digit BSN is the 9-digit one with a leading 0: both spellings
      // get the same fake, written with as many digits as the input.
      size_t next = digits.size() == 8 ? 1 : 0;
      if (next == 1) digits.insert(digits.begin(), '0');
      Choices ch(hmac.Of(digits));
      std::string fake = BsnDigits(ch, digits[0] == '0');
      std::string out(v);
      for (char& c : out)
        if (IsDigit(c)) c = fake[next++];
      return detect::IsValidBsn(out) ? out : fake;
    }
    case FakeKind::kIban: {
      std::string folded = FoldAlnum(v);
      Choices ch(hmac.Of(folded));
      return FakeIban(v, folded, ch);
    }
    case FakeKind::kFullName: {
      Choices ch(hmac.Of(FoldWords(v)));
      return FakeFullName(ch, StyleOf(v));
    }
    case FakeKind::kFirstName: {
      Choices ch(hmac.Of(FoldWords(v)));
      return Styled(kFirstNames[ch.Below(kFirstNames.size())], StyleOf(v));
    }
    case FakeKind::kLastName: {
      // Without tussenvoegsel: Dutch records keep it in a column of its own.
      Choices ch(hmac.Of(FoldWords(v)));
      return Styled(kSurnames[ch.Below(kSurnames.size())].name, StyleOf(v));
    }
    case FakeKind::kStreetAddress: {
      Choices ch(hmac.Of(FoldWords(v)));
      return FakeStreet(ch, StyleOf(v));
    }
    case FakeKind::kPostcode: {
      Choices ch(hmac.Of(FoldAlnum(v)));
      return FakePostcode(v, ch);
    }
    case FakeKind::kCity: {
      Choices ch(hmac.Of(FoldWords(v)));
      return Styled(kCities[ch.Below(kCities.size())], StyleOf(v));
    }
    case FakeKind::kDocumentNumber: {
      Choices ch(hmac.Of(FoldAlnum(v)));
      return FakeDocumentNumber(ch, StyleOf(v));
    }
  }
  return std::string();
}

}  // namespace dpo::anonymise
