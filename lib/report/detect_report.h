// Renderers for `dpo detect`: one hit per line of text, JSON lines, one
// JSON array, or SARIF 2.1.0. Streaming: Begin, any number of Hit, End. They
// print the data they are given; masking is the caller's choice (the value
// field is either already masked or, with --show-values, the raw value).
// SARIF never prints the value at all: it is made to be uploaded.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "detect/kind.h"

namespace dpo::report {

struct DetectHitRow {
  std::string path;    // the file it is in; empty for stdin
  int64_t line = 0;    // 1-based line number (in the new file, for a diff)
  int64_t column = 0;  // 1-based byte offset in the line
  int64_t offset = 0;  // 0-based byte offset in the whole file; -1: unknown (a diff)
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

struct DetectRenderOptions {
  // Text: "PATH:LINE:COL" instead of "LINE:COL" (more than one file, a diff).
  bool with_path = false;
  // Shown as the producing dpo version (SARIF); empty means this build's.
  std::string tool_version;
};

// format: "text", "json" (one array), "jsonl" (one object per line) or
// "sarif"; nullptr for an unknown format.
std::unique_ptr<DetectRenderer> MakeDetectRenderer(std::string_view format, std::ostream& out,
                                                   const DetectRenderOptions& options = {});

// The SARIF one (detect_sarif.cpp).
std::unique_ptr<DetectRenderer> MakeDetectSarifRenderer(std::ostream& out, const DetectRenderOptions& options);

}  // namespace dpo::report
