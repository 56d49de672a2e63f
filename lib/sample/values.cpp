#include "sample/values.h"

#include <cstring>

#include "util/duration.h"

namespace dpo::sample {
namespace {

void AppendDigits(uint64_t value, int width, std::string& out) {
  char buf[24];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

void AppendUint(uint64_t value, std::string& out) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out.push_back(buf[--n]);
}

// Letters used in Dutch postcodes and document numbers (never O; postcodes
// also avoid the letters that are easily misread).
constexpr char kPostcodeLetters[] = "ABCDEGHJKLMNPRTVWXZS";
constexpr char kDocumentLetters[] = "ABCDEFGHIJKLMNPQRSTUVWXYZ";
constexpr char kDocumentAlnum[] = "ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789";

struct Bank {
  const char* code;
};
constexpr Bank kBanks[] = {{"ABNA"}, {"INGB"}, {"RABO"}, {"SNSB"}, {"TRIO"}, {"ASNB"}, {"KNAB"}, {"BUNQ"},
                           {"INGB"}, {"RABO"}, {"ABNA"}, {"INGB"}};

// Remainder mod 97 of the decimal number that an IBAN's characters spell
// (digits as themselves, letters as 10..35), continued from `acc`.
int Mod97Append(int acc, std::string_view chars) {
  for (char c : chars) {
    if (c >= '0' && c <= '9') {
      acc = (acc * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      acc = (acc * 100 + (c - 'A' + 10)) % 97;
    } else if (c >= 'a' && c <= 'z') {
      acc = (acc * 100 + (c - 'a' + 10)) % 97;
    }
  }
  return acc;
}

// Nine digits passing the BSN 11-check (weights 9..2 and -1); d9 = sum mod 11.
void NineDigitsElevenCheck(Rng& rng, int first_low, int first_high, bool last_zero, std::string& out) {
  for (;;) {
    int d[9];
    d[0] = static_cast<int>(rng.Between(first_low, first_high));
    for (int i = 1; i < 8; ++i) d[i] = static_cast<int>(rng.Below(10));
    int sum = 0;
    for (int i = 0; i < 8; ++i) sum += (9 - i) * d[i];
    if (last_zero) {
      // d9 = 0 satisfies the -1 weighted check and the all-positive one alike;
      // pick d8 so that the sum is a multiple of 11.
      int partial = sum - 2 * d[7];
      int d8 = -1;
      for (int c = 0; c <= 9; ++c) {
        if ((partial + 2 * c) % 11 == 0) d8 = c;
      }
      if (d8 < 0) continue;
      d[7] = d8;
      d[8] = 0;
    } else {
      int d9 = sum % 11;
      if (d9 == 10) continue;
      d[8] = d9;
    }
    for (int i = 0; i < 9; ++i) out.push_back(static_cast<char>('0' + d[i]));
    return;
  }
}

}  // namespace

void AppendBsn(Rng& rng, std::string& out) { NineDigitsElevenCheck(rng, 1, 6, false, out); }

void AppendIban(Rng& rng, std::string& out) {
  const char* bank = rng.Pick(kBanks).code;
  char account[10];
  account[0] = '0';  // Dutch account numbers in IBANs are zero-padded to ten digits
  for (int i = 1; i < 10; ++i) account[i] = static_cast<char>('0' + rng.Below(10));
  if (account[1] == '0') account[1] = '1';
  int acc = Mod97Append(0, bank);
  acc = Mod97Append(acc, std::string_view(account, 10));
  acc = Mod97Append(acc, "NL00");
  int check = 98 - acc;
  out.append("NL");
  AppendDigits(static_cast<uint64_t>(check), 2, out);
  out.append(bank);
  out.append(account, 10);
}

void AppendPostcode(Rng& rng, const City& city, std::string& out) {
  AppendDigits(static_cast<uint64_t>(rng.Between(city.postcode_low, city.postcode_high)), 4, out);
  out.push_back(' ');
  for (;;) {
    char a = kPostcodeLetters[rng.Below(sizeof(kPostcodeLetters) - 1)];
    char b = kPostcodeLetters[rng.Below(sizeof(kPostcodeLetters) - 1)];
    if (a == 'S' && (b == 'A' || b == 'D' || b == 'S')) continue;
    out.push_back(a);
    out.push_back(b);
    return;
  }
}

void AppendMobile(Rng& rng, std::string& out) {
  uint64_t subscriber = static_cast<uint64_t>(rng.Between(10000000, 58999999));
  switch (rng.Below(4)) {
    case 0:
    case 1:
      out.append("06-");
      AppendDigits(subscriber, 8, out);
      break;
    case 2:
      out.append("+31 6 ");
      AppendDigits(subscriber, 8, out);
      break;
    default:
      out.append("06");
      AppendDigits(subscriber, 8, out);
      break;
  }
}

void AppendLandline(Rng& rng, const City& city, std::string& out) {
  uint64_t subscriber = static_cast<uint64_t>(rng.Between(2000000, 9999999));
  if (rng.Below(4) == 0) {
    out.append("+31 ");
    out.append(city.area_code + 1);
    out.push_back(' ');
  } else {
    out.append(city.area_code);
    out.push_back('-');
  }
  AppendDigits(subscriber, 7, out);
}

void AppendKvk(Rng& rng, std::string& out) { AppendDigits(static_cast<uint64_t>(rng.Between(10000000, 99999999)), 8, out); }

void AppendVatNl(Rng& rng, std::string& out) {
  out.append("NL");
  NineDigitsElevenCheck(rng, 0, 9, true, out);
  out.append("B01");
}

void AppendDocumentNumber(Rng& rng, std::string& out) {
  out.push_back(kDocumentLetters[rng.Below(sizeof(kDocumentLetters) - 1)]);
  out.push_back(kDocumentLetters[rng.Below(sizeof(kDocumentLetters) - 1)]);
  for (int i = 0; i < 6; ++i) out.push_back(kDocumentAlnum[rng.Below(sizeof(kDocumentAlnum) - 1)]);
  out.push_back(static_cast<char>('0' + rng.Below(10)));
}

void AppendIpv4(Rng& rng, std::string& out) {
  static constexpr int kFirstOctets[] = {31, 37, 45, 62, 77, 78, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89,
                                         94, 145, 146, 176, 178, 185, 188, 194, 195, 212, 213, 217};
  AppendUint(static_cast<uint64_t>(rng.Pick(kFirstOctets)), out);
  for (int i = 0; i < 3; ++i) {
    out.push_back('.');
    AppendUint(i == 2 ? static_cast<uint64_t>(rng.Between(1, 254)) : rng.Below(256), out);
  }
}

void AppendHex(Rng& rng, int digits, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < digits; ++i) out.push_back(kHex[rng.Below(16)]);
}

void AppendIpv6(Rng& rng, std::string& out) {
  static constexpr const char* kPrefixes[] = {"2a02:a45f", "2a02:a46b", "2001:1c00", "2a10:3781", "2a01:7c8", "2001:985"};
  out.append(rng.Pick(kPrefixes));
  auto group = [&]() {
    static constexpr char kHex[] = "0123456789abcdef";
    uint64_t v = rng.Below(0x10000);
    char buf[4];
    int n = 0;
    do {
      buf[n++] = kHex[v & 0xf];
      v >>= 4;
    } while (v != 0);
    out.push_back(':');
    while (n > 0) out.push_back(buf[--n]);
  };
  if (rng.Below(3) == 0) {
    group();
    out.append(":");  // "::" compression of the zero groups in the middle
    group();
    group();
  } else {
    for (int i = 0; i < 6; ++i) group();
  }
}

void AppendDate(long days, std::string& out) {
  util::Date d = util::CivilFromDays(days);
  AppendDigits(static_cast<uint64_t>(d.year), 4, out);
  out.push_back('-');
  AppendDigits(static_cast<uint64_t>(d.month), 2, out);
  out.push_back('-');
  AppendDigits(static_cast<uint64_t>(d.day), 2, out);
}

void AppendTimestamp(long days, int second_of_day, std::string& out) {
  AppendDate(days, out);
  out.push_back(' ');
  AppendDigits(static_cast<uint64_t>(second_of_day / 3600), 2, out);
  out.push_back(':');
  AppendDigits(static_cast<uint64_t>(second_of_day / 60 % 60), 2, out);
  out.push_back(':');
  AppendDigits(static_cast<uint64_t>(second_of_day % 60), 2, out);
}

void AppendAsciiSlug(std::string_view name, char separator, std::string& out) {
  struct Fold {
    const char* utf8;
    char ascii;
  };
  static constexpr Fold kFolds[] = {{"é", 'e'}, {"ë", 'e'}, {"è", 'e'}, {"ê", 'e'}, {"á", 'a'}, {"ã", 'a'},
                                    {"ó", 'o'}, {"ö", 'o'}, {"ő", 'o'}, {"ü", 'u'}, {"ú", 'u'}, {"ı", 'i'},
                                    {"ï", 'i'}, {"í", 'i'}, {"ş", 's'}, {"ś", 's'}, {"ç", 'c'}, {"ł", 'l'},
                                    {"ń", 'n'}, {"ż", 'z'}, {"Ö", 'o'}, {"Ş", 's'}, {"Ł", 'l'}, {"É", 'e'}};
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') {
        out.push_back(static_cast<char>(c - 'A' + 'a'));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.push_back(static_cast<char>(c));
      } else if (separator != 0 && (c == ' ' || c == '-') && !out.empty() && out.back() != separator) {
        out.push_back(separator);
      }
      ++i;
      continue;
    }
    bool folded = false;
    for (const Fold& f : kFolds) {
      size_t len = std::strlen(f.utf8);
      if (name.compare(i, len, f.utf8) == 0) {
        out.push_back(f.ascii);
        i += len;
        folded = true;
        break;
      }
    }
    if (!folded) {
      ++i;  // an unknown multi-byte letter: skip its bytes
      while (i < name.size() && (static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) ++i;
    }
  }
}

bool BsnElevenCheck(std::string_view digits) {
  if (digits.size() != 9) return false;
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) {
    if (digits[i] < '0' || digits[i] > '9') return false;
    int w = i == 8 ? -1 : static_cast<int>(9 - i);
    sum += w * (digits[i] - '0');
  }
  return sum % 11 == 0 && digits != "000000000";
}

bool IbanMod97(std::string_view iban) {
  if (iban.size() < 15) return false;
  int acc = Mod97Append(0, iban.substr(4));
  acc = Mod97Append(acc, iban.substr(0, 4));
  return acc == 1;
}

}  // namespace dpo::sample
