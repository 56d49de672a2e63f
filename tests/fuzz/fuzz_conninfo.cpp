// PostgreSQL connection strings (source/conninfo.h), as a user types a
// source argument. The contract checked: no redacted or display form ever
// holds a password that the key=value parser found.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "source/conninfo.h"

using namespace dpo;
using namespace dpo::source;

namespace {

// The display name never shows a password, unless the same text is also
// something it does show (user=abcd password=abcd) or the URI's fixed parts.
void CheckDisplayName(const std::vector<ConnParam>& params) {
  std::string display = PostgresDisplayName(params);
  for (const ConnParam& p : params) {
    if (!p.secret || p.value.size() < 4 || display.find(p.value) == std::string::npos) continue;
    bool explained = std::string("postgresql://").find(p.value) != std::string::npos;
    for (const ConnParam& q : params) explained |= !q.secret && q.value.find(p.value) != std::string::npos;
    if (!explained) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string spec(reinterpret_cast<const char*>(data), size);
  SpecForm form = ClassifySourceSpec(spec);
  (void)UriScheme(spec);
  (void)IsLibpqKeyword(spec);
  std::string redacted = RedactConnectionSpec(spec);
  std::vector<std::string> secrets = RawSecretsOf(spec);

  Result<std::vector<ConnParam>> kv = ParseKeyValueConnInfo(spec);
  if (kv.ok()) CheckDisplayName(*kv);
  if (form == SpecForm::kPostgresUri || form == SpecForm::kPostgresKeyValue) {
    Result<std::vector<ConnParam>> parsed = ParsePostgresConnInfo(spec);
    if (parsed.ok()) CheckDisplayName(*parsed);
  }
  (void)RemoveQuotedInput("invalid connection option \"" + spec + "\"", spec, secrets);
  (void)ContainsSecret(redacted, secrets);
  return 0;
}
