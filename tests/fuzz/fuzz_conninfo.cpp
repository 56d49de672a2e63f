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

// The display name never depends on a password: the same parameters with
// every secret replaced give the same name. (It used to look for the
// password's text in the name, which a password equal to part of the host
// list, "postgresql://u:5432,h2:543@h:5432,h2:543", made look like a leak.)
void CheckDisplayName(const std::vector<ConnParam>& params) {
  std::vector<ConnParam> blanked = params;
  bool any_secret = false;
  for (ConnParam& p : blanked)
    if (p.secret) {
      p.value = p.value == "\x01" ? "\x02" : "\x01";
      any_secret = true;
    }
  if (any_secret && PostgresDisplayName(params) != PostgresDisplayName(blanked)) abort();
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
