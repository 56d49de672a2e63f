// The unified diff reader (detect/unified_diff.h) on arbitrary bytes, fed
// line by line as `dpo detect --diff` does: it must never read outside the
// line it is given, every added line is a 1-based line with the text after
// its '+', line numbers within one hunk go up by one, and the quoted-path
// decoder never grows a name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "detect/unified_diff.h"

using namespace dpo::detect;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  UnifiedDiffReader reader;
  int64_t fed = 0, last_line = 0;
  std::string last_path;
  bool last_was_added = false;
  size_t start = 0;
  while (start < input.size()) {
    size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    // A copy, so that ASan sees any read past the line's end.
    const std::string line(input.substr(start, nl - start));
    start = nl + 1;
    auto added = reader.Feed(line);
    if (reader.lines_read() != ++fed) abort();
    if (!added.ok()) {
      if (added.status().message().empty()) abort();
      break;
    }
    if (!added->has_value()) {
      last_was_added = false;
      continue;
    }
    const AddedLine& a = **added;
    if (a.line < 1) abort();
    if (line.empty() || line[0] != '+') abort();
    // The text is the line after '+', less a CR at its end.
    std::string_view body = std::string_view(line).substr(1);
    if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
    if (a.text != body) abort();
    if (last_was_added && a.path == last_path && a.line != last_line + 1) abort();
    last_was_added = true;
    last_path.assign(a.path);
    last_line = a.line;
  }
  (void)reader.Finish();

  auto path = DiffHeaderPath(input);
  if (path.ok() && path->size() > input.size()) abort();
  return 0;
}
