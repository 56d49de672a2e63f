#include <doctest/doctest.h>

#include <cctype>
#include <string>

#include <string>

#include "detect/validators.h"

using namespace dpo::detect;

TEST_CASE("BSN 11-check") {
  CHECK(IsValidBsn("111222333"));
  CHECK(IsValidBsn("1112.22.333"));
  CHECK(IsValidBsn("123456782"));
  CHECK_FALSE(IsValidBsn("123456789"));
  CHECK_FALSE(IsValidBsn("111222334"));
  CHECK_FALSE(IsValidBsn("000000000"));
  CHECK_FALSE(IsValidBsn("12345678901"));
  CHECK_FALSE(IsValidBsn("11122233a"));
  // 8 digits get a leading zero: 012345672 -> 0*9+1*8+2*7+3*6+4*5+5*4+6*3+7*2 = 112, -2 = 110.
  CHECK(IsValidBsn("12345672"));
  CHECK_FALSE(IsValidBsn("12345673"));
}

namespace {

// "CC" + check digits + bban, the check digits computed as a bank would.
std::string WithCheckDigits(const std::string& cc, const std::string& bban) {
  std::string rearranged = bban + cc + "00";
  int r = 0;
  for (char c : rearranged)
    r = std::isdigit(static_cast<unsigned char>(c)) ? (r * 10 + (c - '0')) % 97 : (r * 100 + (c - 'A' + 10)) % 97;
  const int check = 98 - r;
  return cc + static_cast<char>('0' + check / 10) + static_cast<char>('0' + check % 10) + bban;
}

}  // namespace

// Issue 14: the BBAN structure per country (SWIFT IBAN registry).
TEST_CASE("IBAN: the registry's examples pass, and every BBAN structure adds up to its length") {
  for (const char* iban :
       {"NL91ABNA0417164300", "BE68539007547034", "DE89370400440532013000", "GB29NWBK60161331926819",
        "FR1420041010050500013M02606", "NO9386011117947", "IT60X0542811101000000123456", "ES9121000418450200051332",
        "CH9300762011623852957", "AT611904300234573201", "PL61109010140000071219812874", "SE4550000000058398257466",
        "DK5000400440116243", "FI2112345600000785", "IE29AIBK93115212345678", "PT50000201231234567890154",
        "LU280019400644750000", "CZ6508000000192000145399", "SK3112000000198742637541", "HU42117730161111101800000000",
        "GR1601101250000000012300695", "SI56263300012039086", "HR1210010051863000160", "EE382200221020145685",
        "LT121000011101001000", "LV80BANK0000435195001", "MT84MALT011000012345MTLCAST001S", "CY17002001280000001200527600",
        "BG80BNBG96611020345678", "RO49AAAA1B31007593840000", "IS140159260076545510730339", "LI21088100002324013AA",
        "MC5811222000010123456789030", "SM86U0322509800000000270100", "TR330006100519786457841326",
        "SA0380000000608010167519", "AE070331234567890123456", "IL620108000000099999999", "BR1800360305000010009795493C1",
        "KW81CBKU0000000000001234560101", "QA58DOHB00001234567890ABCDEFG", "GI75NWBK000000007099453",
        "AD1200012030200359100100", "BA391290079401028494", "RS35260005601001611379", "ME25505000012345678951",
        "MK07250120000058984", "AL47212110090000000235698741", "XK051212012345678906", "UA213223130000026007233566001",
        "GE29NB0000000101904917", "AZ21NABZ00000000137010001944", "JO94CBJO0010000000000131000302",
        "PK36SCBL0000001123456702", "FO6264600001631634", "GL8964710001000206", "VA59001123000012345678"}) {
    CHECK_MESSAGE(IsValidIban(iban), iban);
  }
  for (char a = 'A'; a <= 'Z'; ++a)
    for (char b = 'A'; b <= 'Z'; ++b) {
      const std::string cc{a, b};
      const char* format = IbanBbanFormat(cc);
      if (format == nullptr) {
        CHECK(IbanLengthForCountry(cc) == 0);
        continue;
      }
      int bban = 0, run = 0;
      for (const char* f = format; *f; ++f) {
        if (*f >= '0' && *f <= '9') {
          run = run * 10 + (*f - '0');
        } else {
          CHECK_MESSAGE((*f == 'n' || *f == 'a' || *f == 'c'), cc);
          bban += run;
          run = 0;
        }
      }
      CHECK_MESSAGE(4 + bban == IbanLengthForCountry(cc), cc);
    }
}

TEST_CASE("IBAN: a mod-97-valid string with a letter where the account is numeric is rejected") {
  // NL: 4 letters (the bank), 10 digits (the account).
  const std::string good = WithCheckDigits("NL", "ABNA0417164300");
  CHECK(good == "NL91ABNA0417164300");
  const std::string letter_in_account = WithCheckDigits("NL", "ABNA04171643O0");
  const std::string digit_in_bank = WithCheckDigits("NL", "AB1A0417164300");
  const std::string de_letter = WithCheckDigits("DE", "37040044053201300X");
  for (const std::string& s : {letter_in_account, digit_in_bank, de_letter}) CHECK_FALSE_MESSAGE(IsValidIban(s), s);
  // The same strings pass where the registry allows a letter (IT: the CIN
  // check letter, then 22 digits and letters).
  CHECK(IsValidIban(WithCheckDigits("IT", "X0542811101000000123456")));
  // Spellings: dashes and dots as separators, a space after the country code.
  CHECK(IsValidIban("NL91-ABNA-0417-1643-00"));
  CHECK(IsValidIban("NL 91 ABNA 0417 1643 00"));
  CHECK(IsValidIban("NO93 8601.11.17947"));
  CHECK_FALSE(IsValidIban("NL91_ABNA_0417_1643_00"));
}

TEST_CASE("IBAN mod-97 and country length") {
  CHECK(IsValidIban("NL91ABNA0417164300"));
  CHECK(IsValidIban("NL91 ABNA 0417 1643 00"));
  CHECK(IsValidIban("nl91abna0417164300"));
  CHECK(IsValidIban("BE68539007547034"));
  CHECK(IsValidIban("DE89370400440532013000"));
  CHECK(IsValidIban("GB29NWBK60161331926819"));
  CHECK(IsValidIban("FR1420041010050500013M02606"));
  CHECK_FALSE(IsValidIban("NL91ABNA0417164301"));  // one digit changed
  CHECK_FALSE(IsValidIban("NL92ABNA0417164300"));
  CHECK_FALSE(IsValidIban("NL91ABNA041716430"));   // too short for NL
  CHECK_FALSE(IsValidIban("XX91ABNA0417164300"));  // unknown country
  CHECK(IbanLengthForCountry("NL") == 18);
  CHECK(IbanLengthForCountry("BE") == 16);
  CHECK(IbanLengthForCountry("DE") == 22);
  CHECK(IbanLengthForCountry("FR") == 27);
  CHECK(IbanLengthForCountry("GB") == 22);
  CHECK(IbanLengthForCountry("ZZ") == 0);
}

TEST_CASE("payment cards: Luhn and issuer") {
  CHECK(IsValidPaymentCard("4111111111111111"));
  CHECK(IsValidPaymentCard("4111 1111 1111 1111"));
  CHECK(IsValidPaymentCard("5555555555554444"));
  CHECK(IsValidPaymentCard("378282246310005"));
  CHECK(IsValidPaymentCard("6011111111111117"));
  CHECK(IsValidPaymentCard("2223003122003222"));
  CHECK_FALSE(IsValidPaymentCard("4111111111111112"));
  CHECK_FALSE(IsValidPaymentCard("1234567812345670"));  // Luhn ok, no issuer
  CHECK(PassesLuhn("1234567812345670"));
  CHECK_FALSE(IsValidPaymentCard("411111111111"));
}

TEST_CASE("Dutch VAT id") {
  CHECK(IsValidVatNl("NL123456782B01"));  // 11-check on 123456782
  CHECK(IsValidVatNl("nl123456782b01"));
  CHECK_FALSE(IsValidVatNl("NL123456789B01"));
  CHECK_FALSE(IsValidVatNl("NL123456782C01"));
  CHECK_FALSE(IsValidVatNl("NL12345678B01"));
  CHECK_FALSE(IsValidVatNl("NL000000000B01"));
  // The 2020+ mod-97 rule: find an id that passes mod 97 but not the 11-check.
  int found = 0;
  for (int n = 100000000; n < 100002000 && found == 0; ++n) {
    std::string id = "NL" + std::to_string(n) + "B01";
    std::string digits = std::to_string(n);
    if (!IsValidBsn(digits) && IsValidVatNl(id)) found = n;
  }
  CHECK(found != 0);
}

TEST_CASE("KvK and Dutch document numbers") {
  CHECK(IsValidKvkFormat("12345678"));
  CHECK_FALSE(IsValidKvkFormat("1234567"));
  CHECK_FALSE(IsValidKvkFormat("1234567a"));
  CHECK(IsValidNlDocumentNumber("NW3T8R4H1"));
  CHECK(IsValidNlDocumentNumber("XR1234567"));
  CHECK_FALSE(IsValidNlDocumentNumber("XO1234567"));  // no letter O
  CHECK_FALSE(IsValidNlDocumentNumber("X11234567"));
  CHECK_FALSE(IsValidNlDocumentNumber("XR123456A"));
  CHECK_FALSE(IsValidNlDocumentNumber("XR12345678"));
}

TEST_CASE("Dutch postcode") {
  CHECK(IsValidPostcodeNl("1234 AB"));
  CHECK(IsValidPostcodeNl("1234AB"));
  CHECK(IsValidPostcodeNl("9999ZZ"));
  CHECK_FALSE(IsValidPostcodeNl("0123 AB"));
  CHECK_FALSE(IsValidPostcodeNl("1234 SA"));
  CHECK_FALSE(IsValidPostcodeNl("1234 SS"));
  CHECK_FALSE(IsValidPostcodeNl("1234 SD"));
  CHECK_FALSE(IsValidPostcodeNl("123 AB"));
  CHECK_FALSE(IsValidPostcodeNl("1234 ABC"));
}

TEST_CASE("e-mail") {
  CHECK(IsValidEmail("jan.jansen@example.nl"));
  CHECK(IsValidEmail("j+tag@sub.example.co.uk"));
  CHECK_FALSE(IsValidEmail("jan@localhost"));
  CHECK_FALSE(IsValidEmail("@example.nl"));
  CHECK_FALSE(IsValidEmail("jan@@example.nl"));
  CHECK_FALSE(IsValidEmail("jan@example.1"));
}

TEST_CASE("phone numbers of several countries") {
  CHECK(IsValidPhone("06-12345678"));
  CHECK(IsValidPhone("0612345678"));
  CHECK(IsValidPhone("06 1234 5678"));
  CHECK(IsValidPhone("+31 6 1234 5678"));
  CHECK(IsValidPhone("+31612345678"));
  CHECK(IsValidPhone("0031612345678"));
  CHECK(IsValidPhone("+31 (0)6 12345678"));
  CHECK(IsValidPhone("020-1234567"));
  CHECK(IsValidPhone("010 123 4567"));
  CHECK(IsValidPhone("+44 20 7946 0958"));
  CHECK(IsValidPhone("+49 30 12345678"));
  CHECK(IsValidPhone("+32 2 123 45 67"));
  CHECK(IsValidPhone("+1 (555) 234-5678"));
  CHECK(IsValidPhone("(555) 234-5678"));
  CHECK(IsValidPhone("555-234-5678"));
  CHECK_FALSE(IsValidPhone("06-1234567"));      // too short
  CHECK_FALSE(IsValidPhone("+31 6 1234 56789"));
  CHECK_FALSE(IsValidPhone("123456789"));
  CHECK_FALSE(IsValidPhone("0800-1234567"));   // service number
  CHECK_FALSE(IsValidPhone("+99 1234"));
}

TEST_CASE("IP addresses") {
  CHECK(IsValidIpv4("192.168.1.1"));
  CHECK(IsValidIpv4("255.255.255.255"));
  CHECK_FALSE(IsValidIpv4("256.1.1.1"));
  CHECK_FALSE(IsValidIpv4("1.2.3"));
  CHECK(IsValidIpv6("2001:0db8:85a3:0000:0000:8a2e:0370:7334"));
  CHECK(IsValidIpv6("2001:db8::8a2e:370:7334"));
  CHECK(IsValidIpv6("::1"));
  CHECK(IsValidIpv6("fe80::1ff:fe23:4567:890a"));
  CHECK(IsValidIpv6("::ffff:192.0.2.1"));
  CHECK_FALSE(IsValidIpv6("12:34:56"));
  CHECK_FALSE(IsValidIpv6("2001:db8::1::2"));
  CHECK_FALSE(IsValidIpv6("12345::1"));
}

TEST_CASE("dates are real calendar dates") {
  int year = 0;
  CHECK(IsValidDate("2024-02-29", &year));
  CHECK(year == 2024);
  CHECK(IsValidDate("2024-01-31T12:30:00Z"));
  CHECK(IsValidDate("2024-01-31 12:30:00"));
  CHECK(IsValidDate("31-12-1990"));
  CHECK(IsValidDate("31/12/1990"));
  CHECK(IsValidDate("1.2.1990"));
  CHECK(IsValidDate("12 maart 1985"));
  CHECK(IsValidDate("1 January 2001"));
  CHECK(IsValidDate("3 mrt. 2001"));
  CHECK(IsValidDate("March 12, 2020"));
  CHECK_FALSE(IsValidDate("2023-02-29"));
  CHECK_FALSE(IsValidDate("31-04-2020"));
  CHECK_FALSE(IsValidDate("12.50"));
  CHECK_FALSE(IsValidDate("1234.56"));
  CHECK_FALSE(IsValidDate("12 mars 2020"));
  CHECK_FALSE(IsValidDate("2020-13-01"));
}

TEST_CASE("social profiles") {
  CHECK(IsSocialProfileUrl("https://www.linkedin.com/in/jan-jansen-123"));
  CHECK(IsSocialProfileUrl("linkedin.com/in/janjansen/"));
  CHECK(IsSocialProfileUrl("https://nl.linkedin.com/in/janjansen"));
  CHECK(IsSocialProfileUrl("https://github.com/janjansen"));
  CHECK(IsSocialProfileUrl("https://x.com/janjansen"));
  CHECK_FALSE(IsSocialProfileUrl("https://www.linkedin.com/company/acme"));
  CHECK_FALSE(IsSocialProfileUrl("https://www.facebook.com/sharer/sharer.php"));
  CHECK_FALSE(IsSocialProfileUrl("https://example.com/in/jan"));
}

TEST_CASE("street addresses") {
  CHECK(IsStreetAddress("Kerkstraat 12a"));
  CHECK(IsStreetAddress("Kerkstraat 12"));
  CHECK(IsStreetAddress("Prins Hendrikkade 12-3"));
  CHECK(IsStreetAddress("Laan van Meerdervoort 52"));
  CHECK(IsStreetAddress("Kerkstraat 12a, 1234 AB Amsterdam"));
  CHECK(IsStreetAddress("12 Baker Street"));
  CHECK(IsStreetAddress("221B Baker St"));
  CHECK(IsStreetAddress("10 rue de Rivoli"));
  CHECK(IsStreetAddress("Calle Mayor 5"));
  CHECK(IsStreetAddress("Hauptstraße 5"));
  CHECK_FALSE(IsStreetAddress("Kerkstraat"));
  CHECK_FALSE(IsStreetAddress("12 apples and pears"));
  CHECK_FALSE(IsStreetAddress("Jan Jansen"));
  CHECK_FALSE(IsStreetAddress("Ordered 12 boxes"));
}
