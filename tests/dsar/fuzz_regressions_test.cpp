// Inputs the fuzz targets (tests/fuzz, docs/fuzzing.md) found to break the
// identity normaliser's promises, kept as regression tests.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dsar/identity.h"
#include "dsar/package.h"

using namespace dpo::dsar;

TEST_CASE("fuzz_identity: a phone's canonical form normalises to itself (+31 with several trunk zeros)") {
  // "+31 0 0332" lost one 0 to "+310332", which normalised again lost the
  // next: "+31332". A variant of the list then missed the canonical form,
  // and a stored "+31 00 6..." and "+31 6..." did not match.
  for (const char* written : {"+31 0 0332", "+31 00 612345678", "0031 00 612345678", "+3100", "+31 (0)0 6 12345678"}) {
    std::string canonical = NormaliseIdentity(IdentityKind::kPhone, written);
    CAPTURE(written);
    CHECK(NormaliseIdentity(IdentityKind::kPhone, canonical) == canonical);
    for (const std::string& v : SpellingVariants(IdentityKind::kPhone, written)) {
      CAPTURE(v);
      CHECK(NormaliseIdentity(IdentityKind::kPhone, v) == canonical);
    }
  }
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+31 00 612345678") == "+31612345678");
  CHECK(NormaliseIdentity(IdentityKind::kPhone, "+31 06 12345678") == "+31612345678");  // as before
}

// fuzz_dsar_package: a zip whose entry cannot be opened made VerifyPackage
// build its error message from the entry's name after libzip had freed it
// (AddressSanitizer: heap-use-after-free). The name is copied first now; the
// package is an error, said clearly. The input is the fuzzer's, from the
// seed corpus (first byte 1: the rest is the zip file).
TEST_CASE("fuzz_dsar_package: an entry libzip cannot open is an error, not a read of freed memory") {
  const std::string seed = std::string(DPO_SOURCE_DIR) + "/tests/fuzz/corpus/dsar_package/crash_zip_name_after_free";
  std::ifstream in(seed, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string zip_bytes = bytes.str().substr(1);
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("dpo-fuzz-zip-" + std::to_string(::getpid()) + ".zip")).string();
  std::ofstream(path, std::ios::binary) << zip_bytes;
  dpo::Result<VerifyReport> report = VerifyPackage(path);
  std::filesystem::remove(path);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().message().find("cannot read") != std::string::npos);
}

// A zip's sizes are claims: an entry that inflates past the limit is an
// error naming it, whatever size the archive claims, and memory stays bounded.
TEST_CASE("dsar verify: a package file over the size limit is refused, not read into memory") {
  const auto dir = std::filesystem::temp_directory_path() / ("dpo-big-pkg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream manifest(dir / "manifest.json");
    manifest << R"({"format": "dpo-dsar-package/1", "files": []})";
    std::ofstream big(dir / "data.json", std::ios::binary);
    big.seekp((int64_t{256} << 20) + 1);  // sparse: 256 MiB + 2 bytes, nothing written
    big.put('x');
  }
  dpo::Result<VerifyReport> report = VerifyPackage(dir.string());
  std::filesystem::remove_all(dir);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().message().find("larger than 256 MiB") != std::string::npos);
}

// Found by the CI run of fe9b342 (5 s of fuzz_dsar_package): a manifest whose
// "format" (or policy_sha256, created_at) is not a string made json::value
// throw, and `dpo dsar verify` ended in std::terminate. Now: not a manifest.
TEST_CASE("fuzz_dsar_package: manifest fields of the wrong type are an error, not an uncaught exception") {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("dpo-fuzz-manifest-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  const std::string seed =
      std::string(DPO_SOURCE_DIR) + "/tests/fuzz/corpus/dsar_package/crash_manifest_format_not_string";
  std::ifstream in(seed, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::ofstream(dir + "/manifest.json", std::ios::binary) << bytes.str().substr(1);
  dpo::Result<VerifyReport> report = VerifyPackage(dir);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().message().find("not a dpo package manifest") != std::string::npos);
  // The right format, other fields of the wrong type: a report, not a throw.
  std::ofstream(dir + "/manifest.json", std::ios::binary)
      << R"({"format":"dpo-dsar-package/1","policy_sha256":[1],"created_at":{"a":1},"files":[]})";
  dpo::Result<VerifyReport> odd = VerifyPackage(dir);
  std::filesystem::remove_all(dir);
  REQUIRE(odd.ok());
  CHECK(odd->created_at.empty());
}
