#include <doctest/doctest.h>

#include <random>
#include <string>

#include "detect/terms.h"
#include "detect/text_scanner.h"

using namespace dpo::detect;

namespace {

// The hits of one kind, as (text, validated) pairs.
std::vector<std::pair<std::string, bool>> Find(std::string_view text, Kind kind) {
  std::vector<std::pair<std::string, bool>> out;
  for (const Hit& h : ScanText(text)) {
    if (h.kind == kind) out.emplace_back(std::string(text.substr(h.offset, h.length)), h.validated);
  }
  return out;
}

bool HasValidated(std::string_view text, Kind kind, std::string_view value) {
  for (const auto& [v, ok] : Find(text, kind)) {
    if (v == value && ok) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("structured kinds in a CSV line") {
  std::string line =
      "17,Jan Jansen,jan.jansen@example.nl,06-12345678,NL91ABNA0417164300,111222333,1234 AB,1990-05-17,"
      "192.168.10.1,4111 1111 1111 1111,NL123456782B01,Kerkstraat 12a,https://www.linkedin.com/in/jan-jansen";
  CHECK(HasValidated(line, Kind::kEmail, "jan.jansen@example.nl"));
  CHECK(HasValidated(line, Kind::kPhone, "06-12345678"));
  CHECK(HasValidated(line, Kind::kIban, "NL91ABNA0417164300"));
  CHECK(HasValidated(line, Kind::kBsn, "111222333"));
  CHECK(HasValidated(line, Kind::kPostcode, "1234 AB"));
  CHECK(HasValidated(line, Kind::kDate, "1990-05-17"));
  CHECK(HasValidated(line, Kind::kIpv4, "192.168.10.1"));
  CHECK(HasValidated(line, Kind::kPaymentCard, "4111 1111 1111 1111"));
  CHECK(HasValidated(line, Kind::kVatNl, "NL123456782B01"));
  CHECK(HasValidated(line, Kind::kStreetAddress, "Kerkstraat 12a"));
  CHECK(HasValidated(line, Kind::kSocialProfile, "https://www.linkedin.com/in/jan-jansen"));
  // The id 17 is nothing.
  for (const Hit& h : ScanText(line)) CHECK(h.offset != 0);
}

TEST_CASE("a 9-digit number is a BSN only if it validates") {
  auto hits = Find("klantnummer 123456789", Kind::kBsn);
  REQUIRE(hits.size() == 1);
  CHECK_FALSE(hits[0].second);
  CHECK(HasValidated("bsn: 123456782", Kind::kBsn, "123456782"));
  CHECK(HasValidated("BSN 1234.56.782", Kind::kBsn, "1234.56.782"));
  // Part of a longer number or a decimal: not a candidate at all.
  CHECK(Find("1234567820", Kind::kBsn).empty());
  CHECK(Find("123456782.50", Kind::kBsn).empty());
  CHECK(Find("order-123456782", Kind::kBsn).empty());
}

TEST_CASE("IBAN with spaces and a changed digit") {
  CHECK(HasValidated("rekening NL91 ABNA 0417 1643 00 graag", Kind::kIban, "NL91 ABNA 0417 1643 00"));
  auto bad = Find("NL91ABNA0417164301", Kind::kIban);
  REQUIRE(bad.size() == 1);
  CHECK_FALSE(bad[0].second);
}

// Issue 14: the spellings people write in free text.
TEST_CASE("IBAN spellings: a space after the country code, dashes, Norwegian dots") {
  CHECK(HasValidated("rekening NL 91 ABNA 0417 1643 00 graag", Kind::kIban, "NL 91 ABNA 0417 1643 00"));
  CHECK(HasValidated("IBAN: NL91-ABNA-0417-1643-00.", Kind::kIban, "NL91-ABNA-0417-1643-00"));
  CHECK(HasValidated("konto NO93 8601.11.17947 takk", Kind::kIban, "NO93 8601.11.17947"));
  // A sentence's full stop is not part of the number.
  CHECK(HasValidated("Mijn IBAN is NL91ABNA0417164300.", Kind::kIban, "NL91ABNA0417164300"));
  // Two letters and a space do not start an IBAN search by themselves.
  CHECK(Find("NL is een land, 91 procent", Kind::kIban).empty());
}

TEST_CASE("KvK and document numbers need context") {
  CHECK(HasValidated("KvK-nummer: 12345678", Kind::kKvk, "12345678"));
  auto plain = Find("code 12345678", Kind::kKvk);
  REQUIRE(plain.size() == 1);
  CHECK_FALSE(plain[0].second);
  CHECK(HasValidated("paspoortnummer NW3T8R4H1", Kind::kPassportNl, "NW3T8R4H1"));
  CHECK(HasValidated("identiteitskaart: NW3T8R4H1", Kind::kIdCardNl, "NW3T8R4H1"));
}

TEST_CASE("phones of several countries in text") {
  CHECK(HasValidated("bel 0612345678 aub", Kind::kPhone, "0612345678"));
  CHECK(HasValidated("tel. +31 6 1234 5678.", Kind::kPhone, "+31 6 1234 5678"));
  CHECK(HasValidated("kantoor 020-1234567", Kind::kPhone, "020-1234567"));
  CHECK(HasValidated("call +44 20 7946 0958 today", Kind::kPhone, "+44 20 7946 0958"));
  CHECK(HasValidated("US office (555) 234-5678", Kind::kPhone, "(555) 234-5678"));
  CHECK(HasValidated("Büro +49 30 12345678", Kind::kPhone, "+49 30 12345678"));
  CHECK(Find("total 1234567 items", Kind::kPhone).empty());
}

TEST_CASE("addresses, dates in words, IPv6") {
  CHECK(HasValidated("Woont op de Kerkstraat 12a te Utrecht", Kind::kStreetAddress, "Kerkstraat 12a"));
  CHECK(HasValidated("lives at 12 Baker Street, London", Kind::kStreetAddress, "12 Baker Street"));
  CHECK(HasValidated("geboren op 12 maart 1985 in Delft", Kind::kDate, "12 maart 1985"));
  CHECK(HasValidated("born March 12, 1985", Kind::kDate, "March 12, 1985"));
  CHECK(HasValidated("from 2001:db8::8a2e:370:7334 at", Kind::kIpv6, "2001:db8::8a2e:370:7334"));
  CHECK(Find("price 12.50 and 31-02-2020", Kind::kDate).empty());
  CHECK(Find("the time is 12:34:56", Kind::kIpv6).empty());
}

TEST_CASE("e-mail local parts are not scanned as numbers") {
  std::string text = "mail 123456782@example.com now";
  CHECK(HasValidated(text, Kind::kEmail, "123456782@example.com"));
  CHECK(Find(text, Kind::kBsn).empty());
}

TEST_CASE("special-category and criminal terms, Dutch and English") {
  REQUIRE(TermsStatus().ok());
  CHECK(TermCount() > 150);
  CHECK(HasValidated("Ziekmelding ontvangen, burn-out", Kind::kHealthTerm, "Ziekmelding"));
  CHECK(HasValidated("Ziekmelding ontvangen, burn-out", Kind::kHealthTerm, "burn-out"));
  CHECK(HasValidated("zij is zwanger", Kind::kHealthTerm, "zwanger"));
  CHECK(HasValidated("zwangerschapsverlof tot mei", Kind::kHealthTerm, "zwangerschapsverlof"));
  CHECK(HasValidated("afspraak met de arbo-arts", Kind::kHealthTerm, "arbo-arts"));
  CHECK(HasValidated("She is PREGNANT", Kind::kHealthTerm, "PREGNANT"));
  CHECK(HasValidated("on sick leave since May", Kind::kHealthTerm, "sick leave"));
  CHECK(HasValidated("gaat elke vrijdag naar de moskee", Kind::kReligionTerm, "moskee"));
  CHECK(HasValidated("vrij tijdens ramadan", Kind::kReligionTerm, "ramadan"));
  CHECK(HasValidated("lid van de FNV", Kind::kUnionTerm, "FNV"));
  CHECK(HasValidated("vakbondslid sinds 2010", Kind::kUnionTerm, "vakbondslid"));
  CHECK(HasValidated("union member", Kind::kUnionTerm, "union member"));
  CHECK(HasValidated("partijlid van een politieke partij", Kind::kPoliticalTerm, "partijlid"));
  CHECK(HasValidated("VOG aangevraagd", Kind::kCriminalTerm, "VOG"));
  CHECK(HasValidated("verklaring omtrent het gedrag ontbreekt", Kind::kCriminalTerm,
                     "verklaring omtrent het gedrag"));
  CHECK(HasValidated("has a criminal record", Kind::kCriminalTerm, "criminal record"));
  CHECK(HasValidated("heeft een strafblad", Kind::kCriminalTerm, "strafblad"));
  CHECK(HasValidated("vingerafdruk opgeslagen", Kind::kBiometricTerm, "vingerafdruk"));
  CHECK(HasValidated("DNA sample", Kind::kBiometricTerm, "DNA"));
  CHECK(HasValidated("seksuele geaardheid", Kind::kSexualityTerm, "seksuele geaardheid"));
  CHECK(HasValidated("etnische afkomst", Kind::kEthnicityTerm, "afkomst"));
  // Word boundaries: no term inside unrelated words or street names.
  CHECK(Find("Kerkstraat 12", Kind::kReligionTerm).empty());
  CHECK(Find("vogel", Kind::kCriminalTerm).empty());
  CHECK(Find("goodness", Kind::kBiometricTerm).empty());
  CHECK(Find("jan@kerk.nl", Kind::kReligionTerm).empty());
}

TEST_CASE("random bytes never crash the scanner") {
  std::mt19937 rng(12345);
  const std::string alphabet = "0123456789 +-()@.:/NLBabcdefABCDEF\n,;\t\xc3\xa9\xff";
  for (int round = 0; round < 3000; ++round) {
    size_t len = rng() % 200;
    std::string s;
    for (size_t i = 0; i < len; ++i) {
      s += (round % 2 == 0) ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()];
    }
    auto hits = ScanText(s);
    for (const Hit& h : hits) {
      CHECK(h.offset + h.length <= s.size());
      CHECK(h.length > 0);
    }
  }
  // Truncations of a rich line at every length.
  std::string rich = "NL91 ABNA 0417 1643 00 +31 6 1234 5678 jan@x.nl 2001:db8::1 12 maart 1985 Kerkstraat 12a";
  for (size_t n = 0; n <= rich.size(); ++n) {
    std::string cut = rich.substr(0, n);
    for (const Hit& h : ScanText(cut)) CHECK(h.offset + h.length <= cut.size());
  }
}
