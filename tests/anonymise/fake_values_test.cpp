// Format-preserving fakes (lib/anonymise/fake_values.h): every fake passes
// the repo's own validator for its kind, is deterministic under the key,
// follows the normalisation of the contract and keeps the input's layout.
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "anonymise/fake_values.h"
#include "detect/validators.h"

using namespace dpo;
using anonymise::FakeKind;
using anonymise::Faker;

namespace {

util::SecretKey Key(const char* bytes) {
  auto key = util::SecretKey::FromBytes(bytes);
  REQUIRE(key.ok());
  return std::move(key).value();
}

constexpr FakeKind kKinds[] = {
    FakeKind::kEmail,    FakeKind::kPhone,    FakeKind::kBsn,       FakeKind::kIban,
    FakeKind::kFullName, FakeKind::kFirstName, FakeKind::kLastName, FakeKind::kStreetAddress,
    FakeKind::kPostcode, FakeKind::kCity,     FakeKind::kDocumentNumber,
};

// The validator of a kind, or nullptr for the kinds that have none.
std::function<bool(std::string_view)> ValidatorOf(FakeKind kind) {
  switch (kind) {
    case FakeKind::kEmail: return detect::IsValidEmail;
    case FakeKind::kPhone: return detect::IsValidPhone;
    case FakeKind::kBsn: return detect::IsValidBsn;
    case FakeKind::kIban: return detect::IsValidIban;
    case FakeKind::kPostcode: return detect::IsValidPostcodeNl;
    case FakeKind::kDocumentNumber: return detect::IsValidNlDocumentNumber;
    case FakeKind::kStreetAddress: return detect::IsStreetAddress;
    default: return nullptr;
  }
}

// A small deterministic generator for test inputs.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 33;
  }
  std::string Digits(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + Next() % 10));
    return out;
  }
  std::string Letters(int n, char base = 'A') {
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>(base + Next() % 26));
    return out;
  }
};

// Inputs of every shape a column of `kind` may hold, real and not.
std::vector<std::string> Inputs(FakeKind kind, int n) {
  Rng r{static_cast<uint64_t>(kind) * 7919 + 1};
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    switch (kind) {
      case FakeKind::kEmail:
        out.push_back(r.Letters(5, 'a') + "." + std::to_string(i) + "@" + r.Letters(6, 'a') + ".nl");
        break;
      case FakeKind::kPhone: {
        const std::string shapes[] = {
            "06-" + r.Digits(8),
            "+31 6 " + r.Digits(4) + " " + r.Digits(4),
            "0031" + r.Digits(9),
            "+31 20 " + r.Digits(3) + " " + r.Digits(4),
            "020-" + r.Digits(7),
            "0" + std::to_string(100 + r.Next() % 900) + "-" + r.Digits(6),
            "+31 (0)6 " + r.Digits(8),
            "(" + std::to_string(200 + r.Next() % 800) + ") " + r.Digits(3) + "-" + r.Digits(4),
            "+44 20 " + r.Digits(4) + " " + r.Digits(4),
            "+49 30 " + r.Digits(8),
            "+1 415 555 " + r.Digits(4),
            r.Digits(1 + static_cast<int>(r.Next() % 14)),
            "tel " + r.Digits(10),
            "0800-" + r.Digits(4),
        };
        out.push_back(shapes[i % 14]);
        break;
      }
      case FakeKind::kBsn: {
        std::string d = r.Digits(9);
        const std::string shapes[] = {d, d.substr(0, 3) + "." + d.substr(3, 3) + "." + d.substr(6),
                                      d.substr(1), d.substr(0, 4) + " " + d.substr(4, 2) + " " + d.substr(6),
                                      "0" + d.substr(1), "BSN " + d, d + "1", "n/a"};
        out.push_back(shapes[i % 8]);
        break;
      }
      case FakeKind::kIban: {
        const std::string shapes[] = {
            "NL" + r.Digits(2) + r.Letters(4) + r.Digits(10),
            "NL" + r.Digits(2) + " " + r.Letters(4) + " " + r.Digits(4) + " " + r.Digits(4) + " " + r.Digits(2),
            "nl" + r.Digits(2) + r.Letters(4, 'a') + r.Digits(10),
            "DE" + r.Digits(20),
            "GB" + r.Digits(2) + " " + r.Letters(4) + " " + r.Digits(4) + " " + r.Digits(4) + " " + r.Digits(4) +
                " " + r.Digits(2),
            "FR" + r.Digits(12) + r.Letters(9) + r.Digits(2),
            "BE" + r.Digits(14),
            "XX" + r.Digits(16),
            "DE" + r.Digits(10),
            r.Letters(3) + "-" + r.Digits(5),
        };
        out.push_back(shapes[i % 10]);
        break;
      }
      case FakeKind::kPostcode:
        out.push_back(std::to_string(1000 + r.Next() % 9000) + (i % 2 ? " " : "") + r.Letters(2));
        break;
      case FakeKind::kDocumentNumber:
        out.push_back(r.Letters(2) + r.Digits(6) + r.Digits(1));
        break;
      default: {
        std::string word = r.Letters(1) + r.Letters(1 + static_cast<int>(r.Next() % 9), 'a');
        if (i % 3 == 0) word += " " + r.Letters(1) + r.Letters(5, 'a');
        if (i % 7 == 0) word = "ÉLODIE " + word;
        if (i % 5 == 0)
          for (char& c : word) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        out.push_back(word);
      }
    }
  }
  return out;
}

bool HasLower(const std::string& s) {
  for (char c : s)
    if (c >= 'a' && c <= 'z') return true;
  return false;
}

std::string DigitsOf(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c >= '0' && c <= '9') out.push_back(c);
  return out;
}

// Each non-digit where it was; digits where digits were.
bool SameLayout(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    bool da = a[i] >= '0' && a[i] <= '9', db = b[i] >= '0' && b[i] <= '9';
    if (da != db || (!da && a[i] != b[i])) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("fake kind names read back, others do not") {
  for (FakeKind kind : kKinds) {
    auto back = anonymise::FakeKindFromName(anonymise::FakeKindName(kind));
    REQUIRE(back.has_value());
    CHECK(*back == kind);
  }
  CHECK(std::string(anonymise::FakeKindName(FakeKind::kFullName)) == "name");
  CHECK(std::string(anonymise::FakeKindName(FakeKind::kStreetAddress)) == "street");
  CHECK_FALSE(anonymise::FakeKindFromName("Email").has_value());
  CHECK_FALSE(anonymise::FakeKindFromName("").has_value());
  CHECK_FALSE(anonymise::FakeKindFromName("full_name").has_value());
}

TEST_CASE("every fake passes its kind's validator, whatever the input") {
  util::SecretKey key = Key("0123456789abcdef-validity");
  Faker faker(key);
  for (FakeKind kind : kKinds) {
    auto valid = ValidatorOf(kind);
    int n = 0;
    for (const std::string& in : Inputs(kind, 3000)) {
      std::string fake = faker.Fake(kind, in);
      std::string kind_name = anonymise::FakeKindName(kind);
    CAPTURE(kind_name);
      CAPTURE(in);
      CAPTURE(fake);
      REQUIRE_FALSE(fake.empty());
      if (valid) REQUIRE(valid(fake));
      ++n;
    }
    CHECK(n == 3000);
  }
}

TEST_CASE("every embedded street, name and city comes out over a few thousand inputs") {
  util::SecretKey key = Key("0123456789abcdef-lists");
  Faker faker(key);
  for (FakeKind kind : {FakeKind::kStreetAddress, FakeKind::kCity, FakeKind::kFirstName, FakeKind::kLastName}) {
    std::unordered_set<std::string> seen;
    for (int i = 0; i < 4000; ++i) {
      std::string fake = faker.Fake(kind, "value " + std::to_string(i));
      if (kind == FakeKind::kStreetAddress) {
        CAPTURE(fake);
        REQUIRE(detect::IsStreetAddress(fake));
        REQUIRE(detect::IsStreetAddress(fake + ", 1234 AB Utrecht"));
        fake = fake.substr(0, fake.rfind(' '));  // the street without its number
      }
      seen.insert(fake);
    }
    std::string kind_name = anonymise::FakeKindName(kind);
    CAPTURE(kind_name);
    CHECK(seen.size() >= (kind == FakeKind::kStreetAddress || kind == FakeKind::kCity ? 40u : 100u));
  }
}

TEST_CASE("fakes are deterministic: same key, kind and value, in any Faker or copy") {
  util::SecretKey key = Key("0123456789abcdef-determinism");
  util::SecretKey same = Key("0123456789abcdef-determinism");
  Faker a(key);
  Faker b(same);
  Faker copy = a;
  Faker assigned(Key("another key, 16+ bytes"));
  assigned = a;
  for (FakeKind kind : kKinds) {
    for (const std::string& in : Inputs(kind, 200)) {
      std::string fake = a.Fake(kind, in);
      CHECK(a.Fake(kind, in) == fake);
      CHECK(b.Fake(kind, in) == fake);
      CHECK(copy.Fake(kind, in) == fake);
      CHECK(assigned.Fake(kind, in) == fake);
    }
  }
}

TEST_CASE("another key gives other fakes") {
  Faker a(Key("0123456789abcdef-key-A"));
  Faker b(Key("0123456789abcdef-key-B"));
  for (FakeKind kind : kKinds) {
    int differ = 0, total = 0;
    for (const std::string& in : Inputs(kind, 300)) {
      differ += a.Fake(kind, in) != b.Fake(kind, in);
      ++total;
    }
    std::string kind_name = anonymise::FakeKindName(kind);
    CAPTURE(kind_name);
    // Cities come from 41 names, first names from 100: a few agree by chance.
    CHECK(differ >= total * 9 / 10);
  }
  CHECK(a.Fake(FakeKind::kEmail, "jan@example.nl") != b.Fake(FakeKind::kEmail, "jan@example.nl"));
}

TEST_CASE("each kind chooses on its own: a value's first name says nothing of its last name") {
  Faker f(Key("0123456789abcdef-kinds"));
  // Both kinds read the same value; with one HMAC label for both, the pairs
  // would repeat the same 100 combinations.
  std::unordered_set<std::string> pairs;
  for (int i = 0; i < 500; ++i) {
    std::string v = "person " + std::to_string(i);
    pairs.insert(f.Fake(FakeKind::kFirstName, v) + "|" + f.Fake(FakeKind::kLastName, v));
  }
  CHECK(pairs.size() > 400);
}

TEST_CASE("normalised spellings give the same fake") {
  Faker f(Key("0123456789abcdef-normalise"));

  SUBCASE("e-mail: trimmed and case-folded") {
    std::string fake = f.Fake(FakeKind::kEmail, "jan.jansen@example.com");
    CHECK(f.Fake(FakeKind::kEmail, "  Jan.Jansen@EXAMPLE.com\t") == fake);
    CHECK(f.Fake(FakeKind::kEmail, "JAN.JANSEN@EXAMPLE.COM") == fake);
    CHECK(f.Fake(FakeKind::kEmail, "jan.jansen@example.nl") != fake);
  }
  SUBCASE("phone: +31, 0031 and 0 are one number, in its own layout") {
    std::string national = f.Fake(FakeKind::kPhone, "06-12345678");
    std::string tail = DigitsOf(national).substr(2);  // after "06"
    REQUIRE(tail.size() == 8);
    for (const char* spelling : {"0612345678", "06 12 34 56 78", "+31 6 12345678", "+31612345678", "0031 6 1234 5678",
                                 "+31 (0)6 12345678", "+31 (0)6-1234 5678"}) {
      std::string fake = f.Fake(FakeKind::kPhone, spelling);
      CAPTURE(spelling);
      CAPTURE(fake);
      std::string digits = DigitsOf(fake);
      CHECK(digits.substr(digits.size() - 8) == tail);
      CHECK(detect::IsValidPhone(fake));
    }
    CHECK(f.Fake(FakeKind::kPhone, "06-12345679") != national);
    // Foreign numbers: 00CC is +CC.
    std::string plus = f.Fake(FakeKind::kPhone, "+44 20 7946 0958");
    std::string zeros = f.Fake(FakeKind::kPhone, "0044 20 7946 0958");
    CHECK(DigitsOf(zeros) == "00" + DigitsOf(plus));
  }
  SUBCASE("bsn: separators and the leading 0 of an 8-digit BSN do not count") {
    std::string fake = f.Fake(FakeKind::kBsn, "123456782");
    CHECK(f.Fake(FakeKind::kBsn, "123.456.782") == fake.substr(0, 3) + "." + fake.substr(3, 3) + "." + fake.substr(6));
    CHECK(f.Fake(FakeKind::kBsn, " 1234 56 782 ") == fake.substr(0, 4) + " " + fake.substr(4, 2) + " " + fake.substr(6));
    std::string eight = f.Fake(FakeKind::kBsn, "12345672");
    std::string nine = f.Fake(FakeKind::kBsn, "012345672");
    CHECK(eight.size() == 8);
    CHECK(nine == "0" + eight);
  }
  SUBCASE("iban: spaces and case do not count") {
    std::string fake = f.Fake(FakeKind::kIban, "NL91ABNA0417164300");
    std::string spaced = f.Fake(FakeKind::kIban, "NL91 ABNA 0417 1643 00");
    std::string lower = f.Fake(FakeKind::kIban, "nl91abna0417164300");
    std::string compact;
    for (char c : spaced)
      if (c != ' ') compact.push_back(c);
    CHECK(compact == fake);
    std::string upper = lower;
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    CHECK(upper == fake);
  }
  SUBCASE("names, cities, postcodes: case and spacing do not count") {
    std::string name = f.Fake(FakeKind::kFullName, "Jan Jansen");
    std::string caps = f.Fake(FakeKind::kFullName, "JAN  JANSEN");
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    CHECK(caps == upper);
    CHECK(f.Fake(FakeKind::kCity, " Utrecht ") == f.Fake(FakeKind::kCity, "Utrecht"));
    std::string pc = f.Fake(FakeKind::kPostcode, "1234 AB");
    std::string pc2 = f.Fake(FakeKind::kPostcode, "1234ab");
    CHECK(pc.substr(0, 4) + pc.substr(5) == pc2);
    std::string doc = f.Fake(FakeKind::kDocumentNumber, "XR1234567");
    std::string lower_doc = doc;
    for (char& c : lower_doc) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    CHECK(f.Fake(FakeKind::kDocumentNumber, "xr1234567") == lower_doc);
    CHECK(f.Fake(FakeKind::kDocumentNumber, "XR 123 456 7") == doc);
  }
}

TEST_CASE("fakes keep the shape of the input") {
  Faker f(Key("0123456789abcdef-shape"));
  Rng r{42};

  SUBCASE("e-mail: first.last.<6 hex>@example.org in lower case") {
    for (int i = 0; i < 500; ++i) {
      std::string fake = f.Fake(FakeKind::kEmail, "someone" + std::to_string(i) + "@Example.com");
      CAPTURE(fake);
      REQUIRE(fake.size() > 20);
      CHECK(fake.substr(fake.size() - 12) == "@example.org");
      std::string local = fake.substr(0, fake.size() - 12);
      size_t dot1 = local.find('.'), dot2 = local.rfind('.');
      REQUIRE(dot1 != std::string::npos);
      REQUIRE(dot2 != dot1);
      CHECK(local.size() - dot2 - 1 == 6);
      for (char c : local) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'));
    }
  }
  SUBCASE("phone: separators, country code and Dutch prefix stay") {
    for (int i = 0; i < 300; ++i) {
      std::string mobile = "06-" + r.Digits(8);
      std::string fake = f.Fake(FakeKind::kPhone, mobile);
      CHECK(SameLayout(fake, mobile));
      CHECK(fake.substr(0, 3) == "06-");
      CHECK(fake != mobile);

      std::string amsterdam = "+31 20 " + r.Digits(3) + " " + r.Digits(4);
      fake = f.Fake(FakeKind::kPhone, amsterdam);
      CHECK(SameLayout(fake, amsterdam));
      CHECK(fake.substr(0, 7) == "+31 20 ");

      std::string zeros = "0031 6 " + r.Digits(8);
      fake = f.Fake(FakeKind::kPhone, zeros);
      CHECK(SameLayout(fake, zeros));
      CHECK(fake.substr(0, 7) == "0031 6 ");

      std::string trunk = "+31 (0)6 " + r.Digits(8);
      fake = f.Fake(FakeKind::kPhone, trunk);
      CHECK(SameLayout(fake, trunk));
      CHECK(fake.substr(0, 9) == "+31 (0)6 ");

      std::string town = "0111-" + r.Digits(6);  // a three-digit area code stays whole
      fake = f.Fake(FakeKind::kPhone, town);
      CHECK(SameLayout(fake, town));
      CHECK(fake.substr(0, 5) == "0111-");

      std::string us = "(" + std::to_string(200 + r.Next() % 800) + ") " + std::to_string(200 + r.Next() % 800) +
                       "-" + r.Digits(4);
      fake = f.Fake(FakeKind::kPhone, us);
      CHECK(SameLayout(fake, us));

      std::string uk = "+44 20 " + r.Digits(4) + " " + r.Digits(4);
      fake = f.Fake(FakeKind::kPhone, uk);
      CHECK(SameLayout(fake, uk));
      CHECK(fake.substr(0, 4) == "+44 ");
    }
  }
  SUBCASE("phone: a layout the validator rejects becomes 06- and 8 digits") {
    for (const char* in : {"12345", "n/a", "tel 0612345678", "0800-1234", "06-1234567890123"}) {
      std::string fake = f.Fake(FakeKind::kPhone, in);
      CAPTURE(fake);
      CHECK(fake.size() == 11);
      CHECK(fake.substr(0, 3) == "06-");
      CHECK(detect::IsValidPhone(fake));
    }
  }
  SUBCASE("bsn: as many digits, the same separators") {
    for (int i = 0; i < 300; ++i) {
      std::string d = r.Digits(9);
      for (const std::string& in : {d, d.substr(1), d.substr(0, 3) + "." + d.substr(3, 3) + "." + d.substr(6),
                                    d.substr(0, 4) + "-" + d.substr(4)}) {
        std::string fake = f.Fake(FakeKind::kBsn, in);
        CAPTURE(in);
        CAPTURE(fake);
        CHECK(SameLayout(fake, in));
        CHECK(detect::IsValidBsn(fake));
      }
    }
    CHECK(f.Fake(FakeKind::kBsn, "not a bsn").size() == 9);
  }
  SUBCASE("iban: Dutch banks, foreign layout, grouping and case") {
    const char* banks[] = {"ABNA", "INGB", "RABO", "SNSB", "ASNB", "TRIO", "KNAB", "BUNQ", "RBRB"};
    for (int i = 0; i < 300; ++i) {
      std::string in = "NL" + r.Digits(2) + " RABO " + r.Digits(4) + " " + r.Digits(4) + " " + r.Digits(2);
      std::string fake = f.Fake(FakeKind::kIban, in);
      CAPTURE(fake);
      REQUIRE(fake.size() == in.size());
      CHECK(fake.substr(0, 2) == "NL");
      for (size_t k = 0; k < in.size(); ++k) CHECK((in[k] == ' ') == (fake[k] == ' '));
      bool known = false;
      for (const char* b : banks) known = known || fake.substr(5, 4) == b;
      CHECK(known);
      CHECK(detect::IsValidIban(fake));
    }
    std::string gb = "GB29 NWBK 6016 1331 9268 19";
    std::string fake = f.Fake(FakeKind::kIban, gb);
    REQUIRE(fake.size() == gb.size());
    CHECK(fake.substr(0, 2) == "GB");
    for (size_t k = 4; k < gb.size(); ++k) {
      auto letter = [](char c) { return c >= 'A' && c <= 'Z'; };
      CHECK(letter(gb[k]) == letter(fake[k]));
      CHECK((gb[k] == ' ') == (fake[k] == ' '));
    }
    std::string lower = f.Fake(FakeKind::kIban, "de89370400440532013000");
    CHECK(lower.size() == 22);
    CHECK(lower.substr(0, 2) == "de");
    CHECK(detect::IsValidIban(lower));
    // An unknown country becomes a Dutch IBAN; an odd layout is grouped by 4.
    std::string unknown = f.Fake(FakeKind::kIban, "XX12 3456 7890 1234");
    CHECK(unknown.substr(0, 2) == "NL");
    CHECK(unknown.size() == 22);
    CHECK(f.Fake(FakeKind::kIban, "NL91ABNA0417164300").size() == 18);
  }
  SUBCASE("names and cities keep the case style") {
    for (int i = 0; i < 200; ++i) {
      std::string caps = f.Fake(FakeKind::kFullName, "JOHN SMITH " + std::to_string(i));
      CHECK_FALSE(HasLower(caps));
      std::string lower = f.Fake(FakeKind::kLastName, "smith" + std::to_string(i));
      for (char c : lower) CHECK_FALSE((c >= 'A' && c <= 'Z'));
      std::string mixed = f.Fake(FakeKind::kFirstName, "John" + std::to_string(i));
      CHECK((mixed[0] >= 'A' && mixed[0] <= 'Z'));
      CHECK(HasLower(mixed));
      std::string full = f.Fake(FakeKind::kFullName, "John Smith" + std::to_string(i));
      CHECK(full.find(' ') != std::string::npos);
      CHECK_FALSE(HasLower(f.Fake(FakeKind::kCity, "AMSTERDAM " + std::to_string(i))));
      std::string street = f.Fake(FakeKind::kStreetAddress, "KERKSTRAAT " + std::to_string(i));
      CHECK_FALSE(HasLower(street));
      CHECK(detect::IsStreetAddress(street));
    }
  }
  SUBCASE("postcode keeps its space; document number its shape") {
    for (int i = 0; i < 300; ++i) {
      std::string spaced = f.Fake(FakeKind::kPostcode, "1234 AB" + std::to_string(i));
      std::string tight = f.Fake(FakeKind::kPostcode, "1234AB" + std::to_string(i));
      CHECK(spaced.size() == 7);
      CHECK(spaced[4] == ' ');
      CHECK(tight.size() == 6);
      CHECK(detect::IsValidPostcodeNl(spaced));
      CHECK(detect::IsValidPostcodeNl(tight));
      std::string doc = f.Fake(FakeKind::kDocumentNumber, "SPECI2014" + std::to_string(i));
      CHECK(doc.size() == 9);
      CHECK(doc.find('O') == std::string::npos);
    }
  }
}

TEST_CASE("distinct addresses get distinct e-mail fakes over 100k inputs") {
  Faker f(Key("0123456789abcdef-distinct"));
  std::unordered_set<std::string> fakes;
  fakes.reserve(200000);
  const int n = 100000;
  for (int i = 0; i < n; ++i) fakes.insert(f.Fake(FakeKind::kEmail, "user" + std::to_string(i) + "@example.com"));
  CHECK(fakes.size() == static_cast<size_t>(n));
}

TEST_CASE("edge inputs never crash and still give valid fakes") {
  Faker f(Key("0123456789abcdef-edges"));
  std::string huge(1 << 20, '7');
  std::string huge_text(1 << 20, 'x');
  std::string with_nul("06-1234\0" "5678", 12);
  std::vector<std::string> inputs = {
      "x", "@", "+", "00", "0", "(0)", "+31", "+31 (0)", "0031", "NL", "NL00", "\xff\xfe\xfd", "\xc3", "é",
      "😀😀😀", with_nul, huge, huge_text, "1234 SA", "---...", "\t\n06-12345678\r\n", "+999 123456789",
      "+0 123456789", "0000000000", "000000000", "00000000", "NL00 0000 0000 0000 00", "LC55" + std::string(28, 'A'),
      "LC55" + std::string(28, '1'),
  };
  for (FakeKind kind : kKinds) {
    CHECK(f.Fake(kind, "") == "");
    CHECK(f.Fake(kind, "   ") == "   ");
    CHECK(f.Fake(kind, "\t \n") == "\t \n");
    auto valid = ValidatorOf(kind);
    for (const std::string& in : inputs) {
      std::string fake = f.Fake(kind, in);
      std::string kind_name = anonymise::FakeKindName(kind);
    CAPTURE(kind_name);
      CAPTURE(fake);
      CHECK_FALSE(fake.empty());
      CHECK(fake.size() < 100);
      if (valid) CHECK(valid(fake));
    }
  }
  // Surrounding whitespace is dropped: the fake is a clean value.
  std::string phone = f.Fake(FakeKind::kPhone, "\t\n06-12345678\r\n");
  CHECK(phone == f.Fake(FakeKind::kPhone, "06-12345678"));
}
