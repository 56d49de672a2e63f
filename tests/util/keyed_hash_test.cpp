#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "util/keyed_hash.h"

using dpo::util::SecretKey;

TEST_CASE("HMAC-SHA256 matches the openssl CLI and SHA-256 the FIPS 180 example") {
  auto key = SecretKey::FromBytes("0123456789abcdef0123456789abcdef");
  REQUIRE(key.ok());
  // printf 'what do ya want for nothing?' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
  CHECK(dpo::util::HmacSha256Hex(*key, "what do ya want for nothing?") ==
        "137e6557c3c13a1ca5dc7e52a389a0f86be8cb4db4ae61c62396058b00acacd0");
  CHECK(dpo::util::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(key->Id().size() == 8);
}

TEST_CASE("PrefixedHmac is HMAC-SHA256 of prefix + message, for short, block-sized and long keys") {
  for (size_t size : {16, 32, 64, 65, 100}) {
    std::string bytes;
    for (size_t i = 0; i < size; ++i) bytes.push_back(static_cast<char>('a' + i % 26));
    auto key = SecretKey::FromBytes(bytes);
    REQUIRE(key.ok());
    CAPTURE(size);
    for (std::string prefix : {std::string(), std::string("dpo-ledger-key\x1f" "10:candidates"), std::string(200, 'p')}) {
      dpo::util::PrefixedHmac hasher(*key, prefix);
      dpo::util::PrefixedHmac copy = hasher;
      for (std::string message : {std::string(), std::string("42"), std::string("a\x1f\0b", 4), std::string(300, 'm')}) {
        CHECK(hasher.Of(message) == dpo::util::HmacSha256(*key, prefix + message));
        CHECK(copy.Of(message) == hasher.Of(message));
      }
    }
  }
}

TEST_CASE("keys: refused without one, too short, or readable by others; hex and raw forms") {
  ::unsetenv("DPO_KEY");
  auto none = SecretKey::Load("");
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message().find("--key-file") != std::string::npos);
  CHECK_FALSE(SecretKey::FromBytes("short").ok());

  std::string dir = std::filesystem::temp_directory_path() / ("dpo-key-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir + "/dpo.key";
  std::ofstream(path) << "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
  ::chmod(path.c_str(), 0644);
  auto open = SecretKey::Load(path);
  REQUIRE_FALSE(open.ok());
  CHECK(open.status().message().find("chmod 600") != std::string::npos);
  ::chmod(path.c_str(), 0600);
  auto hex = SecretKey::Load(path);
  REQUIRE_MESSAGE(hex.ok(), hex.status().message());
  CHECK(hex->bytes().size() == 32);
  ::setenv("DPO_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
  auto env = SecretKey::Load("");
  REQUIRE(env.ok());
  CHECK(dpo::util::HmacSha256Hex(*env, "x") == dpo::util::HmacSha256Hex(*hex, "x"));
  ::setenv("DPO_KEY", "a raw passphrase of some length", 1);
  auto raw = SecretKey::Load("");
  REQUIRE(raw.ok());
  CHECK(raw->bytes() == "a raw passphrase of some length");
  // The key never appears in an error message.
  ::setenv("DPO_KEY", "tooshort", 1);
  auto shortkey = SecretKey::Load("");
  REQUIRE_FALSE(shortkey.ok());
  CHECK(shortkey.status().message().find("tooshort") == std::string::npos);
  ::unsetenv("DPO_KEY");
  std::filesystem::remove_all(dir);
}
