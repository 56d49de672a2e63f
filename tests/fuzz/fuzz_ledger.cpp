// The erasure ledger reader (plan/ledger.h) on a file of the fuzzer's bytes,
// as `dpo ledger stats` and `dpo ledger replay` open one a user names: not
// an SQLite file, a damaged one or another program's database must give an
// error, never a crash. Opened read-only (create = false).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_util.h"
#include "plan/ledger.h"
#include "util/keyed_hash.h"

using namespace dpo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const util::SecretKey* key = [] {
    Result<util::SecretKey> k = util::SecretKey::FromBytes(std::string(32, 'k'));
    if (!k.ok()) abort();
    return new util::SecretKey(std::move(*k));
  }();
  std::string path = dpo_fuzz::WriteScratch("ledger.db", data, size);
  Result<plan::Ledger> ledger = plan::Ledger::Open(path, false);
  if (!ledger.ok()) return 0;
  (void)ledger->Count();
  (void)ledger->Stats();
  (void)ledger->CountByKeyId();
  (void)ledger->CountTables();
  (void)ledger->HasKeyId("0123456789abcdef");
  (void)ledger->Contains(std::string(64, 'a'));
  (void)ledger->CountInTable(*key, "candidates");
  (void)ledger->ForTable(*key, "candidates");
  (void)ledger->Match(*key, "candidates", {{std::string("1")}, {std::nullopt}});
  (void)ledger->LoadTable(*key, "candidates", 0, nullptr, false);
  (void)ledger->LoadTable(*key, "candidates", 2, nullptr, true);
  return 0;
}
