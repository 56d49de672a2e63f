#include <doctest/doctest.h>

#include <random>
#include <string>

#include "dsar/redact.h"

using namespace dpo::dsar;

namespace {

struct Redacted {
  std::string text;
  int64_t spans;
};

Redacted Redact(std::string text, const OwnIdentity& own = OwnIdentity()) {
  int64_t n = RedactThirdParties(&text, own);
  return {text, n};
}

// The subject of most cases: Lisa de Vries, with her e-mail, phone, BSN and IBAN.
OwnIdentity Lisa() {
  OwnIdentity own;
  for (const char* v : {"Lisa", "de", "Vries", "Lisa.deVries@Example.nl", "06-12345678", "123456782",
                        "NL91ABNA0417164300", "Kerkstraat 12a", "Utrecht"})
    own.Add(v);
  return own;
}

}  // namespace

TEST_CASE("a reference in a note loses name and phone") {
  Redacted r = Redact("Referentie opgegeven: Roos de Jong, bereikbaar op 06-53190840.", Lisa());
  CHECK(r.text == "Referentie opgegeven: [redacted], bereikbaar op [redacted].");
  CHECK(r.spans == 2);
  r = Redact("Reference: Wim in 't Veld (former team lead), wintveld96@ziggo.nl.", Lisa());
  CHECK(r.text == "Reference: [redacted] (former team lead), [redacted].");
  CHECK(r.spans == 2);
  r = Redact("Reference: Zsófia Öztürk (former team lead), zozturk5@ziggo.nl.");
  CHECK(r.text == "Reference: [redacted] (former team lead), [redacted].");
  CHECK(r.spans == 2);
}

TEST_CASE("the subject's own values in a note stay") {
  OwnIdentity own = Lisa();
  // Her e-mail in another case, her phone in another spelling, her name.
  Redacted r = Redact("Nieuw e-mailadres: lisa.devries@example.NL, het oude adres werkt niet meer.", own);
  CHECK(r.spans == 0);
  CHECK(r.text == "Nieuw e-mailadres: lisa.devries@example.NL, het oude adres werkt niet meer.");
  r = Redact("Kandidaat belt terug op +31 6 12345678.", own);
  CHECK(r.spans == 0);
  r = Redact("Gesproken met Lisa de Vries over haar BSN 1234.56.782 en IBAN NL91 ABNA 0417 1643 00.", own);
  CHECK(r.spans == 0);
  r = Redact("Gesproken met Lisa De Vries", own);  // the particle's case does not matter
  CHECK(r.spans == 0);
  r = Redact("Woont op kerkstraat 12a", own);
  CHECK(r.spans == 0);
}

TEST_CASE("someone else's values are redacted, the subject's stay, in one text") {
  OwnIdentity own = Lisa();
  Redacted r = Redact("Lisa de Vries (lisa.devries@example.nl) noemde Jan Jansen, jan.jansen@example.com, 06-87654321.", own);
  CHECK(r.text == "Lisa de Vries (lisa.devries@example.nl) noemde [redacted], [redacted], [redacted].");
  CHECK(r.spans == 3);
  // Another person with her first name, or with her surname, is another person.
  r = Redact("Collega: Lisa Jansen en Emma de Vries", own);
  CHECK(r.text == "Collega: [redacted] en [redacted]");
  CHECK(r.spans == 2);
  // An e-mail address that differs from hers in one character.
  r = Redact("Please send the contract to lisa.devries@example.com.", own);
  CHECK(r.text == "Please send the contract to [redacted].");
  CHECK(r.spans == 1);
}

TEST_CASE("every redactable kind") {
  Redacted r = Redact("iban NL91 ABNA 0417 1643 00");
  CHECK(r.text == "iban [redacted]");
  r = Redact("bsn 123456782");
  CHECK(r.text == "bsn [redacted]");
  r = Redact("kaart 4111 1111 1111 1111");
  CHECK(r.text == "kaart [redacted]");
  r = Redact("Woont op Kerkstraat 12a in Utrecht");
  CHECK(r.text == "Woont op [redacted] in Utrecht");
  r = Redact("Spoke to Mrs Groen yesterday");
  CHECK(r.text == "Spoke to Mrs [redacted] yesterday");
  r = Redact("Getekend: J. de Vries");
  CHECK(r.text == "Getekend: [redacted]");
  // Only validated hits: a 9-digit number failing the 11-check stays.
  r = Redact("klantnummer 123456789");
  CHECK(r.spans == 0);
  CHECK(r.text == "klantnummer 123456789");
  // Not redacted: special-category terms, dates, postcodes (not another person's identifier).
  r = Redact("Ziek gemeld op 2024-05-01, postcode 1234 AB.");
  CHECK(r.spans == 0);
}

TEST_CASE("text with no hits is unchanged") {
  for (const char* s : {"", "Klant was tevreden over de eerste week, verlenging besproken.",
                        "Candidate called back, interested in the Kok role.",
                        "Intake:\n- motivatie goed\n- wil max. 32 uur per week\n- eigen vervoer",
                        "Heeft een burn-out gehad en wil voorlopig parttime beginnen."}) {
    Redacted r = Redact(s, Lisa());
    CHECK(r.spans == 0);
    CHECK(r.text == s);
  }
}

TEST_CASE("overlapping and touching spans become one; counts") {
  // A street named after a person: found as an address (and its name part).
  Redacted r = Redact("Adres: Jan van Galenstraat 108, 1056 CC Amsterdam");
  CHECK(r.text.find("Galenstraat") == std::string::npos);
  CHECK(r.spans == 1);
  // Two names and two numbers.
  r = Redact("Pieter Jacobs 06-11111111 en Sanne Kramer 06-22222222");
  CHECK(r.text == "[redacted] [redacted] en [redacted] [redacted]");
  CHECK(r.spans == 4);
}

TEST_CASE("OwnIdentity: canonical forms and name words") {
  OwnIdentity own;
  own.Add(" Jan.Jansen@Example.COM ");
  own.Add("0612345678");
  own.Add("12345672");                 // an 8-digit BSN
  own.Add("nl91abna0417164300");
  own.Add("Gert-Jan van der Berg");
  CHECK(own.IsOwn("jan.jansen@example.com", false));
  CHECK(own.IsOwn("+31 6 12345678", false));
  CHECK(own.IsOwn("06-12345678", false));
  CHECK(own.IsOwn("012345672", false));
  CHECK(own.IsOwn("0123.45.672", false));
  CHECK(own.IsOwn("NL91 ABNA 0417 1643 00", false));
  CHECK_FALSE(own.IsOwn("06-12345679", false));
  CHECK_FALSE(own.IsOwn("piet@example.com", false));
  CHECK_FALSE(own.IsOwn("", false));
  CHECK(own.IsOwn("Gert-Jan van der Berg", true));
  CHECK(own.IsOwn("Gert-Jan Van Der Berg", true));
  CHECK(own.IsOwn("Jan Berg", true));  // every word is one of his
  CHECK(own.IsOwn("Gert-Jan Jansen", true));  // "jansen" is a word of his e-mail address
  CHECK_FALSE(own.IsOwn("Piet van der Berg", true));
  CHECK_FALSE(own.IsOwn("G. van der Berg", true));  // an initial is not a word of his
  CHECK_FALSE(own.IsOwn("van der", true));          // particles alone are nobody
  CHECK_FALSE(own.IsOwn("", true));
  // Diacritics: "Zoë" in the record, "Zoe" in the note.
  own.Add("Zoë Öztürk");
  CHECK(own.IsOwn("Zoe Ozturk", true));
  // A long value (a note) gives no name words: the people it names stay others.
  OwnIdentity noted;
  noted.Add("Referentie opgegeven: Roos de Jong, bereikbaar op 06-53190840.");
  CHECK_FALSE(noted.IsOwn("Roos de Jong", true));
  CHECK_FALSE(noted.IsOwn("06-53190840", false));
}

TEST_CASE("any bytes in, offsets valid") {
  std::mt19937 rng(15);
  const std::string alphabet = "Jan de Vries 06-12345678 a@b.nl NL91ABNA0417164300 Kerkstraat 12 \xC3\xB6\x80\xFF\n.";
  OwnIdentity own = Lisa();
  for (int round = 0; round < 1500; ++round) {
    std::string s;
    size_t len = rng() % 80;
    for (size_t i = 0; i < len; ++i) s.push_back(rng() % 6 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()]);
    std::string before = s;
    int64_t n = RedactThirdParties(&s, own);
    CHECK(n >= 0);
    if (n == 0) CHECK(s == before);
    own.Add(before.substr(0, 20));
  }
  CHECK(RedactThirdParties(nullptr, own) == 0);
}
