#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dsar/identity.h"

using namespace dpo::dsar;

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The properties every variant list has: no duplicates, no empty entries, at
// most 32, the given spelling and the canonical form included, and every
// variant normalising to the same canonical form.
void CheckVariants(IdentityKind kind, const std::string& value) {
  INFO(IdentityKindName(kind), " ", value);
  std::vector<std::string> v = SpellingVariants(kind, value);
  CHECK(v.size() <= 32);
  CHECK(std::set<std::string>(v.begin(), v.end()).size() == v.size());
  for (const std::string& s : v) CHECK_FALSE(s.empty());
  if (!value.empty()) CHECK(Contains(v, value));
  std::string canonical = NormaliseIdentity(kind, value);
  if (!canonical.empty()) {
    CHECK(Contains(v, canonical));
    for (const std::string& s : v) {
      INFO(s);
      CHECK(NormaliseIdentity(kind, s) == canonical);
    }
  }
}

}  // namespace

TEST_CASE("ParseSubjectSelector: KEY=VALUE, trimmed, split at the first '='") {
  auto r = ParseSubjectSelector("email=jan@example.com");
  REQUIRE(r.ok());
  CHECK(r->key == "email");
  CHECK(r->value == "jan@example.com");

  r = ParseSubjectSelector("  bsn  =  123456782  ");
  REQUIRE(r.ok());
  CHECK(r->key == "bsn");
  CHECK(r->value == "123456782");

  r = ParseSubjectSelector("candidates.email=a=b");
  REQUIRE(r.ok());
  CHECK(r->key == "candidates.email");
  CHECK(r->value == "a=b");

  r = ParseSubjectSelector("naam=Zoë Öztürk");
  REQUIRE(r.ok());
  CHECK(r->value == "Zoë Öztürk");

  r = ParseSubjectSelector("email==x");
  REQUIRE(r.ok());
  CHECK(r->value == "=x");
}

TEST_CASE("ParseSubjectSelector: errors say what to write and never hold the value") {
  struct Case {
    std::string argument;
    std::string secret;  // must not appear in the message
  };
  const Case cases[] = {
      {"", ""},
      {"jan@example.com", "jan@example.com"},   // '=' missing
      {"email=", ""},                           // KEY=
      {"email=   ", ""},
      {"=jan@example.com", "jan@example.com"},  // =VALUE
      {"   =0612345678", "0612345678"},
      {"=", ""},
      {"email=jan\n@example.com", "jan"},       // a line break in the value
      {std::string("email=jan\0x", 10), "jan"},  // a NUL byte
      {"em\til=jan@example.com", "jan@example.com"},
      {"email=" + std::string(5000, 'x') + "@example.com", std::string(20, 'x')},  // overlong
      // Written the wrong way round: the key is a value, so it is not shown either.
      {"jan@example.com=", "jan@example.com"},
      {"0612345678=", "0612345678"},
  };
  for (const Case& c : cases) {
    INFO(c.argument.substr(0, 40));
    auto r = ParseSubjectSelector(c.argument);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == dpo::StatusCode::kInvalidArgument);
    CHECK(r.status().message().find("--subject") != std::string::npos);
    if (!c.secret.empty()) CHECK(r.status().message().find(c.secret) == std::string::npos);
  }
  // A key that is a plain name is echoed, to help.
  auto r = ParseSubjectSelector("email=");
  CHECK(r.status().message().find("email=VALUE") != std::string::npos);
}

TEST_CASE("IdentityKindFor: the category's detectors, then the column name") {
  CHECK(IdentityKindFor("email", {}) == IdentityKind::kEmail);
  CHECK(IdentityKindFor("private_email_2", {}) == IdentityKind::kEmail);
  CHECK(IdentityKindFor("telefoonnummer", {}) == IdentityKind::kPhone);
  CHECK(IdentityKindFor("mobile", {}) == IdentityKind::kPhone);
  CHECK(IdentityKindFor("bsn", {}) == IdentityKind::kBsn);
  CHECK(IdentityKindFor("burgerservicenummer", {}) == IdentityKind::kBsn);
  CHECK(IdentityKindFor("iban", {}) == IdentityKind::kIban);
  CHECK(IdentityKindFor("rekeningnummer", {}) == IdentityKind::kIban);
  // Neither says: text.
  CHECK(IdentityKindFor("candidate_number", {}) == IdentityKind::kText);
  CHECK(IdentityKindFor("id", {}) == IdentityKind::kText);
  CHECK(IdentityKindFor("last_name", {"person_name"}) == IdentityKind::kText);
  CHECK(IdentityKindFor("", {}) == IdentityKind::kText);
  // The category's detectors win over the name.
  CHECK(IdentityKindFor("contact", {"phone"}) == IdentityKind::kPhone);
  CHECK(IdentityKindFor("col7", {"email"}) == IdentityKind::kEmail);
  CHECK(IdentityKindFor("col7", {"bsn"}) == IdentityKind::kBsn);
  CHECK(IdentityKindFor("col7", {"iban"}) == IdentityKind::kIban);
  CHECK(IdentityKindFor("email", {"phone"}) == IdentityKind::kPhone);
  // Several declared: the name chooses among them; if it cannot, text.
  CHECK(IdentityKindFor("contact_email", {"email", "phone"}) == IdentityKind::kEmail);
  CHECK(IdentityKindFor("contact_phone", {"email", "phone"}) == IdentityKind::kPhone);
  CHECK(IdentityKindFor("contact", {"email", "phone"}) == IdentityKind::kText);
  CHECK(IdentityKindFor("bsn", {"email", "phone"}) == IdentityKind::kText);
  // Unknown or non-identity detector names are ignored.
  CHECK(IdentityKindFor("email", {"no_such_kind", "health_term"}) == IdentityKind::kEmail);
  CHECK(IdentityKindFor("email", {"email", "email"}) == IdentityKind::kEmail);
}

TEST_CASE("IdentityKindName") {
  CHECK(std::string(IdentityKindName(IdentityKind::kEmail)) == "email");
  CHECK(std::string(IdentityKindName(IdentityKind::kPhone)) == "phone");
  CHECK(std::string(IdentityKindName(IdentityKind::kBsn)) == "bsn");
  CHECK(std::string(IdentityKindName(IdentityKind::kIban)) == "iban");
  CHECK(std::string(IdentityKindName(IdentityKind::kText)) == "text");
}

TEST_CASE("NormaliseIdentity: the header's examples") {
  CHECK(NormaliseIdentity(IdentityKind::kEmail, " Jan.Jansen@Example.COM ") == "jan.jansen@example.com");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "06-12345678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+31 6 12345678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "0031612345678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "(06) 1234 5678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "12.34.56.782") == "123456782");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "012345678") == "012345678");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "12345678") == "012345678");
  CHECK(NormaliseIdentity(IdentityKind::kIban, "nl91 abna 0417 1643 00") == "NL91ABNA0417164300");
  CHECK(NormaliseIdentity(IdentityKind::kText, "  R-00017 ") == "R-00017");
}

TEST_CASE("NormaliseIdentity: phone numbers") {
  // Dutch: mobile, landlines with 2- and 3-digit area codes, trunk (0) in international form.
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "0612345678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "06 12 34 56 78") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+31 (0)6 12345678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+31 06 12345678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "0031 (0)20 1234567") == "+31201234567");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "020-1234567") == "+31201234567");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+31 36 8056474") == "+31368056474");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "0577-846065") == "+31577846065");
  // Spreadsheet damage: the 0 or the + lost.
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "612345678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "31612345678") == "+31612345678");
  // Other countries: + and digits, from + or 00.
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+44 20 7946 0958") == "+442079460958");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "0044 20 7946 0958") == "+442079460958");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+32 470 12 34 56") == "+32470123456");
  // Not Dutch-shaped and no country code: the digits.
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "(555) 123-4567") == "5551234567");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "112") == "112");
  // Nothing of the kind.
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "") == "");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "geen") == "");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+") == "");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "00") == "00");
}

TEST_CASE("NormaliseIdentity: e-mail, BSN, IBAN, text edge cases") {
  CHECK(NormaliseIdentity(IdentityKind::kEmail, "") == "");
  CHECK(NormaliseIdentity(IdentityKind::kEmail, "   ") == "");
  CHECK(NormaliseIdentity(IdentityKind::kEmail, "jan @ Example.com") == "jan@example.com");
  CHECK(NormaliseIdentity(IdentityKind::kEmail, "\tJAN@X.NL\n") == "jan@x.nl");
  // Non-ASCII is kept as it is (only ASCII letters change case).
  CHECK(NormaliseIdentity(IdentityKind::kEmail, "Zoë@Example.nl") == "zoë@example.nl");

  CHECK(NormaliseIdentity(IdentityKind::kBsn, "1234.56.782") == "123456782");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "123 456 782") == "123456782");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, " 123-456-782 ") == "123456782");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "1234567") == "001234567");  // an INTEGER column drops zeros
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "1234567890") == "1234567890");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "") == "");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "...") == "");
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "NL123456782") == "");  // letters: not a BSN

  CHECK(NormaliseIdentity(IdentityKind::kIban, "NL91ABNA0417164300") == "NL91ABNA0417164300");
  CHECK(NormaliseIdentity(IdentityKind::kIban, " NL91-ABNA-0417-1643-00 ") == "NL91ABNA0417164300");
  CHECK(NormaliseIdentity(IdentityKind::kIban, "") == "");

  CHECK(NormaliseIdentity(IdentityKind::kText, "") == "");
  CHECK(NormaliseIdentity(IdentityKind::kText, " \t ") == "");
  CHECK(NormaliseIdentity(IdentityKind::kText, " Jan  Jansen ") == "Jan  Jansen");  // exact otherwise
}

TEST_CASE("two spellings of one identity share the canonical form") {
  const std::vector<std::pair<std::string, std::string>> phone = {
      {"06-12345678", "+31 6 12345678"}, {"0612345678", "0031612345678"}, {"(06) 1234 5678", "+31 (0)6 1234 5678"},
      {"033-3735853", "+31 33 3735853"}, {"0643305339", "+31643305339"}};
  for (const auto& [a, b] : phone) CHECK(NormaliseIdentity(IdentityKind::kPhone, a) == NormaliseIdentity(IdentityKind::kPhone, b));
  CHECK(NormaliseIdentity(IdentityKind::kBsn, "12345672") == NormaliseIdentity(IdentityKind::kBsn, "012345672"));
  CHECK(NormaliseIdentity(IdentityKind::kIban, "NL91 ABNA 0417 1643 00") ==
        NormaliseIdentity(IdentityKind::kIban, "nl91abna0417164300"));
  CHECK(NormaliseIdentity(IdentityKind::kEmail, "Ilse.Bos88@Live.nl") == NormaliseIdentity(IdentityKind::kEmail, "ilse.bos88@live.nl"));
  // Different people stay different.
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "06-12345678") != NormaliseIdentity(IdentityKind::kPhone, "06-12345679"));
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "020-1234567") != NormaliseIdentity(IdentityKind::kPhone, "+32 20 1234567"));
}

TEST_CASE("SpellingVariants: the header's lists") {
  std::vector<std::string> v = SpellingVariants(IdentityKind::kPhone, "06-12345678");
  for (const char* s : {"0612345678", "06-12345678", "06 12345678", "+31612345678", "+31 6 12345678", "0031612345678"})
    CHECK(Contains(v, s));
  v = SpellingVariants(IdentityKind::kPhone, "+31 36 8056474");
  for (const char* s : {"+31 36 8056474", "036-8056474", "036 8056474", "0368056474", "+31368056474", "0031368056474"})
    CHECK(Contains(v, s));
  v = SpellingVariants(IdentityKind::kPhone, "057-7846065");  // a 3-digit area code
  for (const char* s : {"0577-846065", "0577 846065", "+31 577 846065"}) CHECK(Contains(v, s));

  v = SpellingVariants(IdentityKind::kEmail, " Jan.Jansen@Example.COM ");
  CHECK(Contains(v, " Jan.Jansen@Example.COM "));
  CHECK(Contains(v, "Jan.Jansen@Example.COM"));
  CHECK(Contains(v, "jan.jansen@example.com"));
  CHECK(Contains(v, "Jan.Jansen@example.com"));

  v = SpellingVariants(IdentityKind::kBsn, "12345672");
  CHECK(Contains(v, "12345672"));
  CHECK(Contains(v, "012345672"));
  CHECK(Contains(v, "0123.45.672"));
  v = SpellingVariants(IdentityKind::kBsn, "1234.56.782");
  CHECK(Contains(v, "123456782"));
  CHECK_FALSE(Contains(v, "23456782"));  // only a leading zero may be dropped

  v = SpellingVariants(IdentityKind::kIban, "nl91abna0417164300");
  for (const char* s : {"NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300", "nl91 abna 0417 1643 00"})
    CHECK(Contains(v, s));

  v = SpellingVariants(IdentityKind::kText, " R-17 ");
  CHECK(v == std::vector<std::string>{" R-17 ", "R-17"});
}

TEST_CASE("SpellingVariants: properties for many values") {
  const std::pair<IdentityKind, std::string> values[] = {
      {IdentityKind::kPhone, "06-12345678"},   {IdentityKind::kPhone, "+31 6 12345678"},
      {IdentityKind::kPhone, "020-1234567"},   {IdentityKind::kPhone, "+44 20 7946 0958"},
      {IdentityKind::kPhone, "(555) 123-4567"}, {IdentityKind::kPhone, "geen"},
      {IdentityKind::kPhone, "0612345678"},    {IdentityKind::kPhone, "+31 (0)6 12345678"},
      {IdentityKind::kEmail, "Jan@Example.com"}, {IdentityKind::kEmail, "  x@y.nl"},
      {IdentityKind::kBsn, "123456782"},       {IdentityKind::kBsn, "12345672"},
      {IdentityKind::kBsn, "abc"},             {IdentityKind::kIban, "NL91 ABNA 0417 1643 00"},
      {IdentityKind::kIban, "DE89370400440532013000"}, {IdentityKind::kText, "Jan Jansen"},
      {IdentityKind::kText, "Zoë"},            {IdentityKind::kText, "\xFF\xFE"},
  };
  for (const auto& [kind, value] : values) CheckVariants(kind, value);
  // Empty in, nothing out.
  for (IdentityKind k : {IdentityKind::kEmail, IdentityKind::kPhone, IdentityKind::kBsn, IdentityKind::kIban,
                         IdentityKind::kText}) {
    CHECK(SpellingVariants(k, "").empty());
    CHECK(SpellingVariants(k, "   ") == std::vector<std::string>{"   "});
  }
}

TEST_CASE("any bytes: no crash, variants bounded") {
  std::mt19937 rng(10);
  const std::string alphabet = "0123456789+-() .@NLnl \xC3\xAB\x80\xFF\t=";
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    size_t len = rng() % 48;
    for (size_t i = 0; i < len; ++i) s.push_back(rng() % 5 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()]);
    for (IdentityKind k : {IdentityKind::kEmail, IdentityKind::kPhone, IdentityKind::kBsn, IdentityKind::kIban,
                           IdentityKind::kText}) {
      (void)NormaliseIdentity(k, s);
      std::vector<std::string> v = SpellingVariants(k, s);
      REQUIRE(v.size() <= 32);
      REQUIRE(std::set<std::string>(v.begin(), v.end()).size() == v.size());
    }
    auto r = ParseSubjectSelector(s);
    if (r.ok()) {
      CHECK_FALSE(r->key.empty());
      CHECK_FALSE(r->value.empty());
    }
  }
  // An overlong value normalises without trouble.
  std::string big(1 << 20, '6');
  CHECK(NormaliseIdentity(IdentityKind::kPhone, big) == big);
  CHECK(SpellingVariants(IdentityKind::kPhone, big).size() <= 32);
}
