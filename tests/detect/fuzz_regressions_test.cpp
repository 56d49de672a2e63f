// Inputs the fuzz targets (tests/fuzz, docs/fuzzing.md) found to break the
// detectors' promises, kept as regression tests.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "detect/kind.h"
#include "detect/mask.h"
#include "detect/text_scanner.h"

using namespace dpo::detect;

TEST_CASE("fuzz_text_scanner: ScanTextRange reports no e-mail starting before the range") {
  // The local part of an address was searched back to the start of the
  // whole text, so a range starting inside "roos.dejong@example.nl" gave a
  // hit at an offset before `from` (the header: ScanText of the substring).
  const std::string text = "Referentie: mail roos.dejong@example.nl. BSN 1";
  const size_t from = text.find("jong@");
  std::vector<Hit> hits;
  ScanTextRange(text, from, text.size(), &hits);
  std::vector<Hit> alone = ScanText(std::string_view(text).substr(from));
  REQUIRE(hits.size() == alone.size());
  for (size_t i = 0; i < hits.size(); ++i) {
    CHECK(hits[i].offset >= from);
    CHECK(hits[i].offset == alone[i].offset + from);
    CHECK(hits[i].length == alone[i].length);
    CHECK(hits[i].kind == alone[i].kind);
  }
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].kind == Kind::kEmail);
  CHECK(text.substr(hits[0].offset, hits[0].length) == "jong@example.nl");
  // The whole text still finds the whole address.
  std::vector<Hit> whole = ScanText(text);
  REQUIRE_FALSE(whole.empty());
  CHECK(text.substr(whole[0].offset, whole[0].length) == "roos.dejong@example.nl");
}

TEST_CASE("fuzz_mask: an e-mail mask never shows a run of digits after the last dot") {
  // The "top-level domain" was shown whole, digits and all.
  CHECK(MaskValue("a@b.123456", Kind::kEmail) == "a***@b***.******");
  CHECK(MaskValue("jan@example.nl0612345678", Kind::kEmail).find("123") == std::string::npos);
  CHECK(MaskValue("jan.jansen@example.nl", Kind::kEmail) == "j***@e***.nl");  // letters stay
}

TEST_CASE("fuzz_mask: a stray UTF-8 lead byte does not carry the digits after it into the mask") {
  // FirstChar took the 4 bytes of "\xf3" + "121" as one character and
  // showed them: three digits of the value in the mask.
  const std::string value = "\xf3" "1211-311)33";
  for (Kind kind : {Kind::kPersonName, Kind::kStreetAddress, Kind::kCity}) {
    std::string masked = MaskValue("m-" + value, kind);
    CAPTURE(masked);
    CHECK(masked.find("121") == std::string::npos);
    CHECK(masked.find("211") == std::string::npos);
  }
  CHECK(MaskValue("\xc3\xa9mile Zola", Kind::kPersonName) == "\xc3\xa9*** Z***");  // a whole character stays
}
