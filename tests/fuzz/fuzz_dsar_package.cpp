// The DSAR package verifier (dsar/package.h), as `dpo dsar verify` reads a
// package a user names and may have received from anyone: the first byte
// chooses a directory whose manifest.json is the rest of the fuzzer's bytes
// (beside one data file it may list), or a zip file made of them (libzip
// reading a hostile archive). Either must give a report or an error, never
// a crash, and never write anything.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dsar/package.h"
#include "fuzz_util.h"

using namespace dpo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool zip = (data[0] & 1) != 0;
  if (zip) {
    const std::string path = dpo_fuzz::WriteScratch("package.zip", data + 1, size - 1);
    (void)dsar::VerifyPackage(path);
    return 0;
  }
  const std::string dir = dpo_fuzz::ScratchDir() + "/package";
  ::mkdir(dir.c_str(), 0700);  // exists after the first input
  dpo_fuzz::WriteScratch("package/manifest.json", data + 1, size - 1);
  static const char kData[] = "{\"candidates\": []}\n";
  dpo_fuzz::WriteScratch("package/data.json", reinterpret_cast<const uint8_t*>(kData), sizeof kData - 1);
  (void)dsar::VerifyPackage(dir);
  return 0;
}
