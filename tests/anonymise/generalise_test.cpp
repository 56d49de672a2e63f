// Generalisation and masking (lib/anonymise/generalise.h): the documented
// examples, the edges of each band, and NULL (std::nullopt) for everything
// that cannot be read.
#include <doctest/doctest.h>

#include <limits>
#include <optional>
#include <string>

#include "anonymise/generalise.h"

using namespace dpo::anonymise;
using Text = std::optional<std::string>;

// Failures show the text, or NULL.
namespace doctest {
template <>
struct StringMaker<Text> {
  static String convert(const Text& t) { return t ? ("\"" + *t + "\"").c_str() : "NULL"; }
};
}  // namespace doctest

namespace {
const Text kNull = std::nullopt;
}

TEST_CASE("GeneraliseDate: the first day of the band") {
  CHECK(GeneraliseDate("1987-06-12", 1) == Text("1987-01-01"));
  CHECK(GeneraliseDate("1987-06-12", 5) == Text("1985-01-01"));
  CHECK(GeneraliseDate("1987-06-12", 10) == Text("1980-01-01"));
  CHECK(GeneraliseDate("1980-01-01", 10) == Text("1980-01-01"));
  CHECK(GeneraliseDate("1989-12-31", 10) == Text("1980-01-01"));
  CHECK(GeneraliseDate("2000-02-29", 1) == Text("2000-01-01"));
  CHECK(GeneraliseDate(" 1987-06-12 ", 1) == Text("1987-01-01"));

  SUBCASE("timestamps get midnight, keeping separator and zone") {
    CHECK(GeneraliseDate("1987-06-12 08:30:00", 1) == Text("1987-01-01 00:00:00"));
    CHECK(GeneraliseDate("1987-06-12T08:30:00", 5) == Text("1985-01-01T00:00:00"));
    CHECK(GeneraliseDate("1987-06-12 08:30", 1) == Text("1987-01-01 00:00:00"));
    CHECK(GeneraliseDate("1987-06-12 08:30:00.123456", 1) == Text("1987-01-01 00:00:00"));
    CHECK(GeneraliseDate("1987-06-12T08:30:00Z", 1) == Text("1987-01-01T00:00:00Z"));
    CHECK(GeneraliseDate("1987-06-12 08:30:00+02", 1) == Text("1987-01-01 00:00:00+02"));
    CHECK(GeneraliseDate("1987-06-12 08:30:00-05:30", 1) == Text("1987-01-01 00:00:00-05:30"));
  }
  SUBCASE("unreadable or invalid: NULL") {
    for (const char* bad : {"", "  ", "1987", "1987-6-12", "12-06-1987", "1987-02-29", "1987-13-01", "1987-00-10",
                            "1987-06-31", "1987/06/12", "1987-06-12x", "1987-06-12 25:00:00", "1987-06-12 08:61",
                            "1987-06-12 08:30:00+2", "1987-06-12 08:30:00 CET", "1987-06-12 08:30:00.", "Jan Jansen",
                            "0000-01-01", "\xff\xfe"}) {
      CAPTURE(bad);
      CHECK(GeneraliseDate(bad, 1) == kNull);
    }
    CHECK(GeneraliseDate("1987-06-12", 0) == kNull);
    CHECK(GeneraliseDate("1987-06-12", -5) == kNull);
    CHECK(GeneraliseDate("0007-06-12", 10) == kNull);  // the band would start in year 0
    CHECK(GeneraliseDate("0007-06-12", 1) == Text("0007-01-01"));
  }
}

TEST_CASE("AgeBand: the age on the as-of date, in bands") {
  CHECK(AgeBand("1990-06-15", "2024-06-15", 10) == Text("30-39"));  // 34
  CHECK(AgeBand("1990-06-15", "2024-06-15", 5) == Text("30-34"));
  CHECK(AgeBand("1994-06-15", "2024-06-15", 10) == Text("30-39"));  // 30 on the day
  CHECK(AgeBand("1994-06-16", "2024-06-15", 10) == Text("20-29"));  // 29, one day short
  CHECK(AgeBand("1994-06-16 23:59:00", "2024-06-15", 5) == Text("25-29"));
  CHECK(AgeBand("2024-06-15", "2024-06-15", 10) == Text("0-9"));
  CHECK(AgeBand("1990-06-15", "2024-06-15", 1) == Text("34"));
  CHECK(AgeBand("1934-06-15", "2024-06-15", 10) == Text("90+"));
  CHECK(AgeBand("1834-06-15", "2024-06-15", 5) == Text("90+"));
  CHECK(AgeBand("1935-06-16", "2024-06-15", 10) == Text("80-89"));
  CHECK(AgeBand("1936-06-15", "2024-06-15", 7) == Text("84-89"));  // 88: the band stops at 89
  SUBCASE("born on 29 February: a year older on 1 March") {
    CHECK(AgeBand("2000-02-29", "2010-02-28", 1) == Text("9"));
    CHECK(AgeBand("2000-02-29", "2010-03-01", 1) == Text("10"));
  }
  SUBCASE("unreadable, future or bad width: NULL") {
    CHECK(AgeBand("2024-06-16", "2024-06-15", 10) == kNull);
    CHECK(AgeBand("2030-01-01", "2024-06-15", 10) == kNull);
    CHECK(AgeBand("15-06-1990", "2024-06-15", 10) == kNull);
    CHECK(AgeBand("1990-06-15", "yesterday", 10) == kNull);
    CHECK(AgeBand("1990-06-15", "", 10) == kNull);
    CHECK(AgeBand("", "2024-06-15", 10) == kNull);
    CHECK(AgeBand("1990-06-15", "2024-06-15", 0) == kNull);
    CHECK(AgeBand("1990-06-15", "2024-06-15", -10) == kNull);
  }
}

TEST_CASE("GeneralisePostcode: the first digits of a Dutch postcode, a prefix of others") {
  CHECK(GeneralisePostcode("1234 AB", 4) == Text("1234"));
  CHECK(GeneralisePostcode("1234AB", 4) == Text("1234"));
  CHECK(GeneralisePostcode("1234ab", 2) == Text("12"));
  CHECK(GeneralisePostcode("1234 AB", 1) == Text("1"));
  CHECK(GeneralisePostcode("1234 AB", 6) == Text("1234"));  // never the letters
  CHECK(GeneralisePostcode(" 1234 AB ", 3) == Text("123"));
  CHECK(GeneralisePostcode("SW1A 1AA", 3) == Text("SW1"));
  CHECK(GeneralisePostcode("SW1A 1AA", 4) == Text("SW1A"));
  CHECK(GeneralisePostcode("10115", 2) == Text("10"));
  CHECK(GeneralisePostcode("K1A-0B1", 3) == Text("K1A"));
  CHECK(GeneralisePostcode("10115", 5) == kNull);  // all of it: not generalised
  CHECK(GeneralisePostcode("10115", 9) == kNull);
  for (const char* bad : {"", "   ", "AB", "12", "abcdef", "1234  AB", "12-", "-1234", "12345678901", "1234\nAB",
                          "Kerkstraat 1", "\xc3\xa9" "1234"}) {
    CAPTURE(bad);
    CHECK(GeneralisePostcode(bad, 2) == kNull);
  }
  CHECK(GeneralisePostcode("1234 AB", 0) == kNull);
}

TEST_CASE("GeneraliseIpv4 and GeneraliseIpv6: the network of the prefix") {
  CHECK(GeneraliseIpv4("192.168.17.42", 24) == Text("192.168.17.0"));
  CHECK(GeneraliseIpv4("192.168.17.42", 16) == Text("192.168.0.0"));
  CHECK(GeneraliseIpv4("192.168.17.42", 20) == Text("192.168.16.0"));
  CHECK(GeneraliseIpv4("192.168.17.42", 32) == Text("192.168.17.42"));
  CHECK(GeneraliseIpv4("192.168.17.42", 0) == Text("0.0.0.0"));
  CHECK(GeneraliseIpv4(" 10.1.2.3\n", 8) == Text("10.0.0.0"));
  for (const char* bad : {"", "192.168.17", "192.168.17.256", "192.168.17.42/24", "::1", "1.2.3.4.5", "a.b.c.d",
                          "192.168.017.042x", "1.2.3.4 5"}) {
    CAPTURE(bad);
    CHECK(GeneraliseIpv4(bad, 24) == kNull);
  }
  CHECK(GeneraliseIpv4(std::string_view("1.2.3.4\0junk", 12), 24) == kNull);
  CHECK(GeneraliseIpv4("1.2.3.4", 33) == kNull);
  CHECK(GeneraliseIpv4("1.2.3.4", -1) == kNull);

  CHECK(GeneraliseIpv6("2001:db8:1234:5678::1", 48) == Text("2001:db8:1234::"));
  CHECK(GeneraliseIpv6("2001:0DB8:1234:5678:0000:0000:0000:0001", 64) == Text("2001:db8:1234:5678::"));
  CHECK(GeneraliseIpv6("2001:db8:1234:5678::1", 128) == Text("2001:db8:1234:5678::1"));
  CHECK(GeneraliseIpv6("2001:db8:1234:5678::1", 0) == Text("::"));
  CHECK(GeneraliseIpv6("2001:db8:ffff:5678::1", 36) == Text("2001:db8:f000::"));
  CHECK(GeneraliseIpv6("::1", 48) == Text("::"));
  CHECK(GeneraliseIpv6("2001:0:0:1:0:0:0:1", 128) == Text("2001:0:0:1::1"));  // the longer zero run
  CHECK(GeneraliseIpv6("2001:db8:0:1:1:1:1:1", 128) == Text("2001:db8:0:1:1:1:1:1"));  // one zero group stays
  for (const char* bad : {"", "192.168.1.1", "2001:db8::1::2", "fe80::1%eth0", "[2001:db8::1]", "2001:db8::g",
                          "2001:db8:1234:5678:9abc:def0:1234:5678:9"}) {
    CAPTURE(bad);
    CHECK(GeneraliseIpv6(bad, 48) == kNull);
  }
  CHECK(GeneraliseIpv6("::1", 129) == kNull);
}

TEST_CASE("Band: rounded down to the start of the band") {
  CHECK(Band("2345", 1000) == Text("2000"));
  CHECK(Band("2345.67", 1000) == Text("2000.0"));
  CHECK(Band("2345.5", 1000) == Text("2000.0"));
  CHECK(Band("-1", 1000) == Text("-1000"));
  CHECK(Band("-1000", 1000) == Text("-1000"));
  CHECK(Band("-1001", 1000) == Text("-2000"));
  CHECK(Band("-0.5", 1) == Text("-1.0"));
  CHECK(Band("0", 1000) == Text("0"));
  CHECK(Band("-0", 1000) == Text("0"));
  CHECK(Band("-0.0", 1000) == Text("0.0"));
  CHECK(Band("+7", 5) == Text("5"));
  CHECK(Band(" 999 ", 1000) == Text("0"));
  CHECK(Band("1e3", 1000) == Text("1000.0"));
  CHECK(Band(".5", 1) == Text("0.0"));
  CHECK(Band("0.37", 0.1) == Text("0.3"));
  CHECK(Band("0.3", 0.1) == Text("0.3"));  // not 0.2: 0.3 / 0.1 is 2.9999999999999996
  CHECK(Band("0.37", 0.25) == Text("0.25"));
  CHECK(Band("3", 0.5) == Text("3.0"));  // a width with a fraction: decimal text
  CHECK(Band("-9223372036854775808", 1000) == Text("-9223372036854776000"));
  CHECK(Band("9223372036854775807", 1000) == Text("9223372036854775000"));
  CHECK(Band("123456789012345678901234", 1000000) == Text("123456789012345685803008"));  // past 64 bits: a double
  for (const char* bad : {"", " ", "abc", "1,5", "0x10", "inf", "-inf", "nan", "1e", "1.2.3", "--1", "+", ".", "e5",
                          "12 34", "1e999"}) {
    CAPTURE(bad);
    CHECK(Band(bad, 1000) == kNull);
  }
  CHECK(Band("2345", 0) == kNull);
  CHECK(Band("2345", -10) == kNull);
  CHECK(Band("2345", std::numeric_limits<double>::infinity()) == kNull);
  CHECK(Band("2345", std::numeric_limits<double>::quiet_NaN()) == kNull);
}

TEST_CASE("Mask: all but the last characters, counted in code points") {
  CHECK(Mask("0612345678", 4) == Text("******5678"));
  CHECK(Mask("0612345678", 0) == Text("**********"));
  CHECK(Mask("0612345678", -3) == Text("**********"));
  CHECK(Mask("René Dupré", 3) == Text("*******pré"));  // 10 characters, 12 bytes
  CHECK(Mask("日本語テキスト", 2) == Text("*****スト"));
  CHECK(Mask("😀abc", 3) == Text("*abc"));
  CHECK(Mask("1234", 4) == Text("****"));  // shown whole it would leak: all masked
  CHECK(Mask("1234", 10) == Text("****"));
  CHECK(Mask("é", 1) == Text("*"));
  CHECK(Mask("", 4) == Text(""));
  CHECK(Mask("secret", 2, '#') == Text("####et"));
  CHECK(Mask(" ab ", 1) == Text("*** "));  // the value as given
  for (const char* bad : {"\xff", "abc\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ab\x80" "cd"}) {
    CAPTURE(bad);
    CHECK(Mask(bad, 2) == kNull);
  }
  CHECK(Mask("abc", 1, '\n') == kNull);
  CHECK(Mask("abc", 1, static_cast<char>(0xC3)) == kNull);
  std::string huge(1 << 20, 'x');
  auto masked = Mask(huge, 3);
  REQUIRE(masked.has_value());
  CHECK(masked->size() == huge.size());
}
