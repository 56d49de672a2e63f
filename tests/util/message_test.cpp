#include <doctest/doctest.h>

#include <random>
#include <string>

#include "util/message.h"

using dpo::util::EscapeForMessage;
using dpo::util::LooksLikeDataValue;
using dpo::util::NameForMessage;

namespace {

constexpr size_t kNoCut = std::string_view::npos;
const std::string kWithheld = "(name withheld: it looks like a data value)";

// True if `s` is valid UTF-8 without C0/C1 controls, DEL, line separators or
// bidi controls: what a one-line message may contain.
bool SafeForOneLine(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || i + len > s.size()) return false;
    char32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp <= 0x9F || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += len;
  }
  return true;
}

}  // namespace

TEST_CASE("EscapeForMessage keeps text and shows control characters") {
  CHECK(EscapeForMessage("email") == "email");
  CHECK(EscapeForMessage("Geboortedatum (dd-mm-jjjj)") == "Geboortedatum (dd-mm-jjjj)");
  CHECK(EscapeForMessage("straße café 日本 🙂") == "straße café 日本 🙂");
  CHECK(EscapeForMessage("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(EscapeForMessage(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(EscapeForMessage("\x1b[31mred") == "\\x1b[31mred");
  CHECK(EscapeForMessage("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  CHECK(EscapeForMessage("del\x7f") == "del\\x7f");
  // C1 controls as UTF-8: U+009B is a one-character CSI on some terminals.
  CHECK(EscapeForMessage("\xc2\x9b" "31m") == "\\u009b31m");
  CHECK(EscapeForMessage("\xc2\x85") == "\\u0085");
  // Line separators and bidi overrides ("Trojan Source") are shown.
  CHECK(EscapeForMessage("a\xe2\x80\xa8" "b") == "a\\u2028b");
  CHECK(EscapeForMessage("\xe2\x80\xae" "txt.exe") == "\\u202etxt.exe");
  CHECK(EscapeForMessage("\xe2\x81\xa6x") == "\\u2066x");
  // Invalid UTF-8: each bad byte on its own.
  CHECK(EscapeForMessage("caf\xe9") == "caf\\xe9");
  CHECK(EscapeForMessage("\xff\xfe") == "\\xff\\xfe");
  CHECK(EscapeForMessage("\x9b") == "\\x9b");                   // a lone C1 byte
  CHECK(EscapeForMessage("\xc0\xaf") == "\\xc0\\xaf");          // overlong '/'
  CHECK(EscapeForMessage("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(EscapeForMessage("\xe2\x82") == "\\xe2\\x82");          // cut short
  CHECK(EscapeForMessage("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST_CASE("EscapeForMessage cuts long text, never inside an escape or a character") {
  std::string long_text(200, 'x');
  std::string cut = EscapeForMessage(long_text);
  CHECK(cut == std::string(dpo::util::kMessageSnippetBytes, 'x') + "...");
  CHECK(EscapeForMessage(long_text, kNoCut) == long_text);
  CHECK(EscapeForMessage("abcdef", 6) == "abcdef");
  CHECK(EscapeForMessage("abcdefg", 6) == "abcdef...");
  CHECK(EscapeForMessage("ab\x1b", 4) == "ab...");       // "\x1b" would not fit whole
  CHECK(EscapeForMessage("ab\xc3\xa9", 3) == "ab...");   // nor would half of é
  CHECK(EscapeForMessage("", 0) == "");
}

TEST_CASE("EscapeForMessage: any bytes give one safe line, and escaping twice changes nothing") {
  std::mt19937 rng(7);
  const std::string interesting[] = {"\x1b", "\n", "\r", std::string(1, '\0'), "\xc2\x9b", "\xe2\x80\xae",
                                     "\xff", "\xc3\xa9", "@", "a", "\\", "\xf0\x9f\x99\x82"};
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) {
      if (rng() % 2) s += interesting[rng() % std::size(interesting)];
      else s.push_back(static_cast<char>(rng() % 256));
    }
    std::string once = EscapeForMessage(s, kNoCut);
    CHECK(SafeForOneLine(once));
    CHECK(EscapeForMessage(once, kNoCut) == once);
    std::string cut = EscapeForMessage(s, 10);
    CHECK(SafeForOneLine(cut));
    CHECK(cut.size() <= 13);
    std::string name = NameForMessage(s);
    CHECK(SafeForOneLine(name));
  }
}

TEST_CASE("LooksLikeDataValue: names stay, values are withheld") {
  for (const char* name : {"email", "e_mail", "first name", "Geboortedatum", "address_line_2", "col12",
                           "Q1 2023", "sales_2023_2024", "postcode", "IBAN", "iban_nr", "telefoon (mobiel)",
                           "bedrag €", "straße", "id", "", "x1b[31m", "1234", "top 1000 is"}) {
    INFO(name);
    CHECK_FALSE(LooksLikeDataValue(name));
  }
  for (const char* value : {"jan.devries@example.nl", "@handle", "0612345678", "06-12345678", "+31 6 1234 5678",
                            "020 123 4567", "(020) 1234567", "123456782", "1990-04-17", "17/04/1990",
                            "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "DE89370400440532013000",
                            "1234 AB", "1234AB", "Kerkstraat 1, 3511 LX Utrecht", "1.234.567,89"}) {
    INFO(value);
    CHECK(LooksLikeDataValue(value));
  }
  CHECK_FALSE(LooksLikeDataValue(std::string(64, 'a')));
  CHECK(LooksLikeDataValue(std::string(65, 'a')));  // longer than any identifier: a sentence
  CHECK_FALSE(LooksLikeDataValue("NL91ABNA"));       // too short for an IBAN
  CHECK_FALSE(LooksLikeDataValue("1234 ABC"));       // not a postcode word
}

TEST_CASE("NameForMessage quotes names and withholds values") {
  CHECK(NameForMessage("email") == "'email'");
  CHECK(NameForMessage("voornaam klant") == "'voornaam klant'");
  CHECK(NameForMessage("\x1b[31memail") == "'\\x1b[31memail'");
  CHECK(NameForMessage("first\nname") == "'first\\nname'");
  CHECK(NameForMessage("\x1b]0;title\x07") == "'\\x1b]0;title\\x07'");
  CHECK(NameForMessage("") == "''");
  for (const char* value : {"jan.devries@example.nl", "NL91ABNA0417164300", "0612345678", "123456782", "1234 AB"}) {
    INFO(value);
    CHECK(NameForMessage(value) == kWithheld);
  }
  // A withheld name never shows a part of the value.
  CHECK(NameForMessage("jan@x.nl").find("jan") == std::string::npos);
}
