#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <random>
#include <string>
#include <vector>

#include "anonymise/free_text.h"
#include "detect/identifier_spans.h"
#include "detect/person_names.h"
#include "detect/text_scanner.h"

using namespace dpo::anonymise;
using dpo::detect::Kind;

namespace {

struct Redacted {
  std::string text;
  int64_t spans;
};

Redacted Redact(std::string text, FreeTextCounts* counts = nullptr) {
  int64_t n = RedactFreeText(&text, counts);
  return {text, n};
}

// The text between placeholders, in order: what must be the original's.
std::vector<std::string> Outside(std::string_view text) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '[') {
      size_t close = text.find(']', i);
      if (close != std::string_view::npos && InPlaceholder(text, i + 1, close - i - 1)) {
        parts.emplace_back();
        i = close + 1;
        continue;
      }
    }
    parts.back().push_back(text[i++]);
  }
  return parts;
}

// Nothing but spans changed: the pieces between placeholders appear in the
// original, in order, the first at its start and the last at its end.
bool OnlySpansChanged(std::string_view before, std::string_view after) {
  std::vector<std::string> parts = Outside(after);
  if (parts.size() == 1) return parts[0] == before;
  const std::string& first = parts.front();
  const std::string& last = parts.back();
  if (before.substr(0, first.size()) != first) return false;
  if (before.size() < first.size() + last.size() || before.substr(before.size() - last.size()) != last) return false;
  size_t at = first.size();
  for (size_t k = 1; k + 1 < parts.size(); ++k) {
    size_t found = before.find(parts[k], at);
    if (found == std::string_view::npos) return false;
    at = found + parts[k].size();
  }
  return at <= before.size() - last.size();
}

// What a check of the output must not find: a validated identifier or term
// outside placeholders, or a person name.
std::vector<std::string> Leftovers(std::string_view text) {
  std::vector<std::string> out;
  for (const dpo::detect::Hit& h : dpo::detect::ScanText(text)) {
    if (h.validated && dpo::detect::IsSpanKind(h.kind) && !InPlaceholder(text, h.offset, h.length))
      out.emplace_back(text.substr(h.offset, h.length));
  }
  for (const dpo::detect::Hit& h : dpo::detect::FindPersonNames(text)) out.emplace_back(text.substr(h.offset, h.length));
  return out;
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("a Dutch note keeps its sentence; only the spans are replaced") {
  FreeTextCounts counts;
  Redacted r = Redact("Gesprek met Jan de Vries, 06-12345678, jan@example.nl; is zwanger en lid van de FNV", &counts);
  CHECK(r.text == "Gesprek met [name], [phone], [email]; is [health] en lid van de [union]");
  CHECK(r.spans == 5);
  CHECK(counts.spans == 5);
  CHECK(counts.by_kind == std::map<std::string, int64_t>{
                              {"person_name", 1}, {"phone", 1}, {"email", 1}, {"health_term", 1}, {"union_term", 1}});
}

TEST_CASE("an English note") {
  FreeTextCounts counts;
  Redacted r = Redact("spoke to Maria Garcia about her burn-out", &counts);
  CHECK(r.text == "spoke to [name] about her [health]");
  CHECK(r.spans == 2);
  // Counts add up over calls.
  Redact("Referentie opgegeven: Roos de Jong, bereikbaar op 06-53190840.", &counts);
  CHECK(counts.spans == 4);
  CHECK(counts.by_kind["person_name"] == 2);
  CHECK(counts.by_kind["phone"] == 1);
  CHECK(counts.by_kind["health_term"] == 1);
}

TEST_CASE("every placeholder") {
  CHECK(Redact("iban NL91 ABNA 0417 1643 00, bsn 123456782, kaart 4111 1111 1111 1111").text ==
        "iban [iban], bsn [bsn], kaart [card]");
  CHECK(Redact("paspoort AB1234567; id-kaart CD1234567").text == "paspoort [id_number]; id-kaart [id_number]");
  CHECK(Redact("Woont op Kerkstraat 12a, postcode 3511 AB.").text == "Woont op [address], postcode [postcode].");
  CHECK(Redact("Profiel: https://www.linkedin.com/in/jan-de-vries (via 10.0.0.1 of ::1)").text ==
        "Profiel: [url] (via [ip] of [ip])");
  CHECK(Redact("Spoke to Mrs Groen; Getekend: J. de Vries").text == "Spoke to Mrs [name]; Getekend: [name]");
  CHECK(Redact("ziek, moslim, etniciteit, politieke partij, vakbond, homoseksueel, vingerafdruk, strafblad").text ==
        "[health], [belief], [origin], [political], [union], [sexuality], [physical], [criminal]");
  for (Kind k : dpo::detect::AllKinds()) {
    std::string_view p = Placeholder(k);
    CHECK(p.empty() != dpo::detect::IsSpanKind(k));
    if (p.empty()) continue;
    CHECK(p.front() == '[');
    CHECK(p.back() == ']');
    CHECK(InPlaceholder(p, 1, p.size() - 2));
    // `dpo scan` of an export must not report a special category for a placeholder.
    for (const dpo::detect::Hit& h : dpo::detect::ScanText(p))
      CHECK_MESSAGE(!(dpo::detect::IsSpecialCategoryTerm(h.kind) || dpo::detect::IsCriminalTerm(h.kind)), p);
    CHECK(InPlaceholder(p, 0, p.size()));
    const std::string around = "a" + std::string(p) + "b";
    CHECK_FALSE(InPlaceholder(around, 0, 2));  // reaching in from before
    CHECK_FALSE(InPlaceholder(around, 2, p.size()));  // reaching out after
    CHECK_FALSE(InPlaceholder(std::string(p).substr(0, p.size() - 1), 1, 2));  // no closing bracket
  }
}

TEST_CASE("text with no spans is unchanged") {
  for (const char* s : {"", "Klant was tevreden over de eerste week, verlenging besproken.",
                        "Candidate called back, interested in the Kok role.",
                        "Intake:\n- motivatie goed\n- wil max. 32 uur per week\n- eigen vervoer",
                        "klantnummer 123456789, gesprek op 2024-05-01, kvk 12345678",
                        "[name] [belief] [origin] [physical] [id_number] [bsn]"}) {
    Redacted r = Redact(s);
    CHECK(r.spans == 0);
    CHECK(r.text == s);
  }
  CHECK(RedactFreeText(nullptr, nullptr) == 0);
}

TEST_CASE("a placeholder is never found again: twice changes nothing the second time") {
  for (const char* s :
       {"Gesprek met Jan de Vries, 06-12345678, jan@example.nl; is zwanger en lid van de FNV",
        "spoke to Maria Garcia about her burn-out",
        "Observes Ramadan; religion and ethnicity noted; biometric data: fingerprint",
        "Naam: Hindoe Jansen, trade union member, Mevrouw Moslim",
        "bsn 123456782 van Jan Jansen en 12345672", "Pieter Jacobs 06-11111111 en Sanne Kramer 06-22222222"}) {
    Redacted once = Redact(s);
    CHECK(once.spans > 0);
    Redacted twice = Redact(once.text);
    CHECK(twice.spans == 0);
    CHECK(twice.text == once.text);
    CHECK(OnlySpansChanged(s, once.text));
  }
  // "[bsn]" holds the context word of a BSN; no placeholder holds a term.
  CHECK(Redact("Observes Ramadan").text == "Observes [belief]");
  CHECK(Redact("[belief]").spans == 0);
  CHECK(Redact("religion [bsn] 12345672").text == "[belief] [bsn] [bsn]");
}

TEST_CASE("overlapping spans become one, named by the longer") {
  CHECK(Redact("Naam: Hindoe Jansen").text == "Naam: [name]");
  CHECK(Redact("Is a trade union member.").text == "Is a [union].");
  CHECK(Redact("Mevrouw Moslim belde").text == "Mevrouw [name] belde");
}

TEST_CASE("a replacement that changes what the detectors see is scanned again") {
  // "BSN" is more than 48 bytes before the number, too far to vouch for an
  // 8-digit number, until the name between them is replaced.
  FreeTextCounts counts;
  Redacted r = Redact("BSN van de partner, Anna Maria van der Berg-Jansen en Jan, nummer 12345672", &counts);
  CHECK(r.text == "BSN van de partner, [name] en Jan, nummer [bsn]");
  CHECK(r.spans == 2);
  CHECK(counts.by_kind == std::map<std::string, int64_t>{{"person_name", 1}, {"bsn", 1}});
  CHECK(Redact(r.text).spans == 0);
  // "Zwanger-de" is one word, until "[health]-de" makes "de heer" a title
  // and Jansen a name.
  r = Redact("Zwanger-de heer Jansen belde.");
  CHECK(r.text == "[health]-de heer [name] belde.");
  CHECK(r.spans == 2);
}

TEST_CASE("any bytes: no crash, nothing else changes, idempotent, valid UTF-8 stays valid") {
  std::mt19937 rng(41);
  const std::vector<std::string> pieces = {
      "Jan de Vries", " ", ", ", "06-12345678", "jan@example.nl", "zwanger", "FNV", "Kerkstraat 12a",
      "1234 AB", "NL91ABNA0417164300", "123456782", "12345672", "bsn", "Zo\xC3\xAB \xC3\x96zt\xC3\xBCrk",
      "\xE2\x80\x99t", "\xC3\xA9", "\xF0\x9F\x98\x80", "Mr ", "burn-out", "192.168.1.1", "[religion]",
      "[name]", "[", "]", "\n", ".", "-", "'", "@", "::", "Maria Garcia", "Anna Maria van der Berg",
      "de heer ", "Pieter", "Jansen", "paspoort ", "AB1234567", "+31 6 12345678", "(", "/"};
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    bool valid_utf8 = round % 2 == 0;
    size_t n = rng() % 16;
    for (size_t i = 0; i < n; ++i) {
      if (!valid_utf8 && rng() % 4 == 0) {
        s.push_back(static_cast<char>(rng() % 256));
      } else {
        s += pieces[rng() % pieces.size()];
      }
    }
    std::string before = s;
    int64_t k = RedactFreeText(&s, nullptr);
    CHECK(k >= 0);
    if (k == 0) CHECK(s == before);
    if (valid_utf8) CHECK(ValidUtf8(s));
    std::string again = s;
    CHECK(RedactFreeText(&again, nullptr) == 0);
    CHECK(again == s);
    CHECK(Leftovers(s).empty());
  }
}

TEST_CASE("huge inputs") {
  const std::string note = "Gesprek met Jan de Vries, 06-12345678, jan@example.nl; is zwanger en lid van de FNV.\n";
  std::string big;
  while (big.size() < (1u << 20)) big += note;
  size_t notes = big.size() / note.size();
  FreeTextCounts counts;
  CHECK(RedactFreeText(&big, &counts) == static_cast<int64_t>(5 * notes));
  CHECK(counts.by_kind["email"] == static_cast<int64_t>(notes));
  CHECK(big.find("Vries") == std::string::npos);
  std::string garbage(1u << 20, '\0');
  std::mt19937 rng(5);
  for (char& c : garbage) c = static_cast<char>(rng() % 256);
  RedactFreeText(&garbage, nullptr);
  std::string again = garbage;
  CHECK(RedactFreeText(&again, nullptr) == 0);
}

TEST_CASE("the sample's conversation notes: nothing found remains") {
  SQLite::Database db(std::string(DPO_SOURCE_DIR) + "/samples/staffing.db", SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT note FROM conversation_notes WHERE note IS NOT NULL ORDER BY id LIMIT 500");
  int notes = 0, changed = 0;
  FreeTextCounts counts;
  while (q.executeStep()) {
    const std::string note = q.getColumn(0).getString();
    ++notes;
    std::string text = note;
    int64_t n = RedactFreeText(&text, &counts);
    if (n == 0) {
      CHECK(text == note);
      continue;
    }
    ++changed;
    INFO(note);
    CHECK(Leftovers(text) == std::vector<std::string>{});
    CHECK(OnlySpansChanged(note, text));
    std::string again = text;
    CHECK(RedactFreeText(&again, nullptr) == 0);
  }
  CHECK(notes >= 300);
  // The sample's notes mention phones, e-mail addresses, names and health,
  // religion, union and criminal matters (samples/README.md).
  CHECK(changed >= notes / 3);
  for (const char* kind : {"phone", "email", "person_name", "health_term", "religion_term", "union_term",
                           "criminal_term"})
    CHECK(counts.by_kind[kind] > 0);
}
