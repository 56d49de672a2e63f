#include "report/detect_report.h"

#include <nlohmann/json.hpp>

#include "report/escape.h"

namespace dpo::report {
namespace {

nlohmann::json ToJson(const DetectHitRow& r) {
  nlohmann::json j;
  if (!r.path.empty()) j["path"] = r.path;
  j["line"] = r.line;
  j["column"] = r.column;
  if (r.offset >= 0) j["offset"] = r.offset;
  j["length"] = r.length;
  j["kind"] = std::string(detect::KindName(r.kind));
  j["validated"] = r.validated;
  j["value"] = r.value;
  return j;
}

// Values come from arbitrary input; never let invalid UTF-8 break the JSON.
std::string Dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

class TextRenderer : public DetectRenderer {
 public:
  TextRenderer(std::ostream& out, bool with_path) : out_(out), with_path_(with_path) {}
  void Hit(const DetectHitRow& r) override {
    // A file name is the one thing here not made by dpo: no escape
    // sequences from it reach the terminal.
    if (with_path_) out_ << TerminalSafe(r.path.empty() ? "<stdin>" : r.path) << ':';
    out_ << r.line << ':' << r.column << "  " << detect::KindName(r.kind) << "  "
         << (r.validated ? "validated" : "unvalidated") << "  " << r.value << '\n';
  }

 private:
  std::ostream& out_;
  bool with_path_;
};

class JsonLinesRenderer : public DetectRenderer {
 public:
  explicit JsonLinesRenderer(std::ostream& out) : out_(out) {}
  void Hit(const DetectHitRow& r) override { out_ << Dump(ToJson(r)) << '\n'; }

 private:
  std::ostream& out_;
};

class JsonArrayRenderer : public DetectRenderer {
 public:
  explicit JsonArrayRenderer(std::ostream& out) : out_(out) {}
  void Begin() override { out_ << '['; }
  void Hit(const DetectHitRow& r) override {
    out_ << (first_ ? "\n  " : ",\n  ") << Dump(ToJson(r));
    first_ = false;
  }
  void End(int64_t) override { out_ << (first_ ? "]\n" : "\n]\n"); }

 private:
  std::ostream& out_;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<DetectRenderer> MakeDetectRenderer(std::string_view format, std::ostream& out,
                                                   const DetectRenderOptions& options) {
  if (format == "text") return std::make_unique<TextRenderer>(out, options.with_path);
  if (format == "sarif") return MakeDetectSarifRenderer(out, options);
  if (format == "json") return std::make_unique<JsonArrayRenderer>(out);
  if (format == "jsonl") return std::make_unique<JsonLinesRenderer>(out);
  return nullptr;
}

}  // namespace dpo::report
