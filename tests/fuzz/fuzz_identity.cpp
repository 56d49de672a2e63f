// The subject/identity normaliser (dsar/identity.h): --subject arguments and
// stored values of every identity kind. The header's promises are checked:
// normalising is idempotent for the canonical form, every spelling variant
// normalises to the same canonical form, no variant is empty or repeated,
// at most 32; an error never repeats the value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "dsar/identity.h"

using namespace dpo;
using namespace dpo::dsar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  Result<SubjectSelector> selector = ParseSubjectSelector(text);
  if (selector.ok()) {
    if (selector->key.empty() || selector->value.empty()) abort();
  } else {
    size_t eq = text.find('=');
    if (eq != std::string_view::npos) {
      std::string_view value = text.substr(eq + 1);
      // A value of a few bytes may appear in the message by chance ("email"),
      // and a longer one may be text the message holds anyway ("=subject h"
      // in "--subject has no key"): a leak is a value that appears because
      // it was given, so the same input with another value must not show it.
      if (value.size() >= 8 && selector.status().message().find(value) != std::string::npos) {
        std::string other(text.substr(0, eq + 1));
        other.append(value.size(), '\x01');
        Result<SubjectSelector> again = ParseSubjectSelector(other);
        if (again.ok() || again.status().message().find(value) == std::string::npos) abort();
      }
    }
  }
  (void)IdentityKindFor(text, {"email", "phone"});

  for (IdentityKind kind : {IdentityKind::kEmail, IdentityKind::kPhone, IdentityKind::kBsn, IdentityKind::kIban,
                            IdentityKind::kText}) {
    (void)IdentityKindName(kind);
    std::string canonical = NormaliseIdentity(kind, text);
    std::vector<std::string> variants = SpellingVariants(kind, text);
    if (variants.size() > 32) abort();
    std::set<std::string> distinct(variants.begin(), variants.end());
    if (distinct.size() != variants.size() || distinct.count("")) abort();
    for (const std::string& v : variants) {
      if (NormaliseIdentity(kind, v) != canonical) abort();
    }
  }
  return 0;
}
