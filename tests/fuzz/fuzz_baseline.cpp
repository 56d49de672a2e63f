// The scan baseline reader (scan/baseline.h), as `dpo scan --baseline FILE`
// reads a file from a repository or a CI artifact: a written baseline, a
// JSON report or a SARIF report. Anything must give a baseline or an error
// naming the file, never a crash or an uncaught exception; an error never
// quotes more of the input than its shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scan/baseline.h"

using namespace dpo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Result<scan::Baseline> parsed = scan::ParseBaseline(text, "fuzz-baseline.json");
  if (!parsed.ok()) {
    if (parsed.status().message().rfind("fuzz-baseline.json", 0) != 0) abort();  // the error names the file first
    return 0;
  }
  return 0;
}
