// Renderers for `dpo detect`: one hit per line of text, JSON lines, or one
// JSON array. Streaming: Begin, any number of Hit, End. They print the data
// they are given; masking is the caller's choice (the value field is either
// already masked or, with --show-values, the raw value).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "detect/kind.h"

namespace dpo::report {

struct DetectHitRow {
  int64_t line = 0;    // 1-based line number
  int64_t column = 0;  // 1-based byte offset in the line
  int64_t offset = 0;  // 0-based byte offset in the whole input
  int64_t length = 0;  // bytes
  detect::Kind kind = detect::Kind::kEmail;
  bool validated = false;
  std::string value;   // masked unless the user asked for raw values
};

class DetectRenderer {
 public:
  virtual ~DetectRenderer() = default;
  virtual void Begin() {}
  virtual void Hit(const DetectHitRow& row) = 0;
  // `hits` is the number of rows rendered.
  virtual void End(int64_t hits) { (void)hits; }
};

// format: "text", "json" (one array) or "jsonl" (one object per line);
// nullptr for an unknown format.
std::unique_ptr<DetectRenderer> MakeDetectRenderer(std::string_view format, std::ostream& out);

}  // namespace dpo::report
