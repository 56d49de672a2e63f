#include <doctest/doctest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "detect/identifier_spans.h"

using namespace dpo::detect;

namespace {

// "kind:text" of every span, in order.
std::vector<std::string> Spans(std::string_view text, bool terms = true) {
  std::vector<std::string> out;
  for (const Span& s : FindIdentifierSpans(text, terms)) {
    REQUIRE(s.length > 0);
    REQUIRE(s.offset + s.length <= text.size());
    out.push_back(std::string(KindName(s.kind)) + ":" + std::string(text.substr(s.offset, s.length)));
  }
  return out;
}

using V = std::vector<std::string>;

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Sorted, non-overlapping, inside the text, never 0 bytes, span kinds only.
void CheckWellFormed(std::string_view text, const std::vector<Span>& spans) {
  size_t prev_end = 0;
  for (const Span& s : spans) {
    REQUIRE(s.length > 0);
    REQUIRE(s.offset <= text.size());
    REQUIRE(s.length <= text.size() - s.offset);
    REQUIRE(s.offset >= prev_end);
    REQUIRE(IsSpanKind(s.kind));
    prev_end = s.offset + s.length;
  }
}

}  // namespace

TEST_CASE("a Dutch note: name, phone, e-mail and, with terms, health and union") {
  const std::string note = "Gesprek met Jan de Vries, 06-12345678, jan@example.nl; is zwanger en lid van de FNV";
  CHECK(Spans(note) == V{"person_name:Jan de Vries", "phone:06-12345678", "email:jan@example.nl",
                         "health_term:zwanger", "union_term:FNV"});
  CHECK(Spans(note, false) == V{"person_name:Jan de Vries", "phone:06-12345678", "email:jan@example.nl"});
}

TEST_CASE("an English note") {
  CHECK(Spans("spoke to Maria Garcia about her burn-out") == V{"person_name:Maria Garcia", "health_term:burn-out"});
  CHECK(Spans("spoke to Maria Garcia about her burn-out", false) == V{"person_name:Maria Garcia"});
  CHECK(Spans("Candidate has a criminal record; VOG refused") ==
        V{"criminal_term:criminal record", "criminal_term:VOG"});
}

TEST_CASE("every identifier kind") {
  CHECK(Spans("iban NL91 ABNA 0417 1643 00") == V{"iban:NL91 ABNA 0417 1643 00"});
  CHECK(Spans("bsn 123456782") == V{"bsn:123456782"});
  CHECK(Spans("kaart 4111 1111 1111 1111") == V{"payment_card:4111 1111 1111 1111"});
  CHECK(Spans("paspoort AB1234567") == V{"passport_nl:AB1234567"});
  CHECK(Spans("id-kaart AB1234567") == V{"id_card_nl:AB1234567"});
  CHECK(Spans("Woont op Kerkstraat 12a in Utrecht") == V{"street_address:Kerkstraat 12a"});
  CHECK(Spans("postcode 1234 AB") == V{"postcode:1234 AB"});
  CHECK(Spans("profiel https://www.linkedin.com/in/jan-de-vries") ==
        V{"social_profile:https://www.linkedin.com/in/jan-de-vries"});
  CHECK(Spans("vanaf 192.168.1.10 en 2001:db8::1") == V{"ipv4:192.168.1.10", "ipv6:2001:db8::1"});
  CHECK(Spans("Spoke to Mrs Groen yesterday") == V{"person_name:Groen"});
}

TEST_CASE("no spans: unvalidated candidates, dates, company numbers, plain sentences") {
  CHECK(Spans("klantnummer 123456789") == V{});          // fails the 11-check
  CHECK(Spans("iban NL91 ABNA 0417 1643 01") == V{});    // bad check sum
  CHECK(Spans("referentie AB1234567") == V{});           // a document number needs its context
  CHECK(Spans("gesprek op 2024-05-01") == V{});          // a date names no one
  CHECK(Spans("kvk 12345678, btw NL123456782B01") == V{});
  CHECK(Spans("Candidate called back, interested in the Kok role.") == V{});
  CHECK(Spans("") == V{});
}

TEST_CASE("raw hits may overlap; spans: the longer wins and covers both") {
  // A name that is also a term: two hits at one offset.
  std::vector<Span> hits;
  FindIdentifierHits("Naam: Hindoe Jansen", true, &hits);
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].offset == hits[1].offset);
  CHECK(hits[0].length > hits[1].length);  // longer first
  CHECK(Spans("Naam: Hindoe Jansen") == V{"person_name:Hindoe Jansen"});
  CHECK(Spans("Naam: Hindoe Jansen", false) == V{"person_name:Hindoe Jansen"});
  // Two terms overlapping partly: the longer names the span, which also
  // covers the part of the shorter one outside it.
  hits.clear();
  FindIdentifierHits("trade union member", true, &hits);
  REQUIRE(hits.size() == 2);
  CHECK(Spans("trade union member") == V{"union_term:trade union member"});
  // Equal lengths: the identifier before the term.
  CHECK(Spans("Mevrouw Moslim belde") == V{"person_name:Moslim"});
  // Hits appended after what *hits held, which stays.
  std::vector<Span> more = {Span{0, 1, Kind::kEmail}};
  FindIdentifierHits("bel 06-12345678", false, &more);
  REQUIRE(more.size() == 2);
  CHECK(more[0].length == 1);
  CHECK(more[1].kind == Kind::kPhone);
}

TEST_CASE("touching spans stay apart; the out-parameter is cleared and reused") {
  std::vector<Span> spans = {Span{99, 99, Kind::kIban}};
  FindIdentifierSpans("Pieter Jacobs 06-11111111 en Sanne Kramer 06-22222222", false, &spans);
  REQUIRE(spans.size() == 4);
  CHECK(spans[0].kind == Kind::kPersonName);
  CHECK(spans[1].kind == Kind::kPhone);
  FindIdentifierSpans("geen gegevens", true, &spans);
  CHECK(spans.empty());
  FindIdentifierSpans("a", true, nullptr);  // no crash
}

TEST_CASE("any bytes: sorted, non-overlapping, inside, whole UTF-8 characters") {
  std::mt19937 rng(23);
  const std::vector<std::string> pieces = {
      "Jan de Vries", " ", ", ", "06-12345678", "jan@example.nl", "zwanger", "FNV", "Kerkstraat 12a",
      "1234 AB", "NL91ABNA0417164300", "123456782", "Zo\xC3\xAB \xC3\x96zt\xC3\xBCrk", "\xE2\x80\x99t",
      "\xC3\xA9", "\xF0\x9F\x98\x80", "Mr ", "burn-out", "192.168.1.1", "[religion]", "\n", "."};
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    bool valid_utf8 = round % 2 == 0;
    size_t n = rng() % 14;
    for (size_t i = 0; i < n; ++i) {
      if (!valid_utf8 && rng() % 4 == 0) {
        s.push_back(static_cast<char>(rng() % 256));
      } else {
        s += pieces[rng() % pieces.size()];
      }
    }
    std::vector<Span> spans = FindIdentifierSpans(s, round % 3 != 0);
    CheckWellFormed(s, spans);
    if (valid_utf8) {
      for (const Span& sp : spans) {
        CHECK_FALSE(IsContinuation(static_cast<unsigned char>(s[sp.offset])));
        if (sp.offset + sp.length < s.size())
          CHECK_FALSE(IsContinuation(static_cast<unsigned char>(s[sp.offset + sp.length])));
      }
    }
  }
}

TEST_CASE("huge inputs") {
  std::string note = "Gesprek met Jan de Vries, 06-12345678, jan@example.nl; is zwanger en lid van de FNV.\n";
  std::string big;
  while (big.size() < (1u << 20)) big += note;
  std::vector<Span> spans = FindIdentifierSpans(big, true);
  CheckWellFormed(big, spans);
  CHECK(spans.size() == 5 * (big.size() / note.size()));
  // A megabyte of one byte, and of stray UTF-8 continuation bytes.
  for (char c : {'a', '9', '@', '\x80', ' '}) {
    std::string same(1u << 20, c);
    CheckWellFormed(same, FindIdentifierSpans(same, true));
  }
}
