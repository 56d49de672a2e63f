// Inputs the fuzz targets (tests/fuzz, docs/fuzzing.md) found to break the
// identity normaliser's promises, kept as regression tests.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dsar/identity.h"

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
