// `dpo detect --format sarif`: SARIF 2.1.0 for code-scanning tools, like
// `dpo scan`'s (scan_sarif.cpp). One rule per detector kind, named as in
// --kinds; one result per hit, at PATH line:column. Streaming: the rules are
// known before the first hit, so results are written as they come and a
// big log never sits in memory. The value, masked or not, is never written:
// SARIF is made to be uploaded, and a code-scanning UI shows the line from
// the repository anyway.
#include <nlohmann/json.hpp>

#include "detect/kind.h"
#include "dpo/version.h"
#include "report/detect_report.h"
#include "report/escape.h"

namespace dpo::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char* kInformationUri = "man:dpo-detect(1)";

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string Describe(detect::Kind kind) {
  const std::string name(detect::KindName(kind));
  if (detect::IsCriminalTerm(kind)) return "Criminal-offence data (GDPR Art. 10): " + name;
  if (detect::IsSpecialCategoryTerm(kind)) return "Special-category personal data (GDPR Art. 9): " + name;
  return "Personal data: " + name;
}

Json RuleJson(detect::Kind kind) {
  const std::string name(detect::KindName(kind));
  Json j;
  j["id"] = name;
  j["name"] = name;
  j["shortDescription"] = Json{{"text", Describe(kind)}};
  j["fullDescription"] = Json{{"text", Describe(kind) + ", found by dpo detect in text. Remove it, or replace it "
                                                        "with an obviously fake value."}};
  j["helpUri"] = kInformationUri;
  j["defaultConfiguration"] = Json{{"level", "error"}};
  j["properties"] = Json{{"tags", Json::array({"privacy", "gdpr"})}};
  return j;
}

class SarifRenderer : public DetectRenderer {
 public:
  SarifRenderer(std::ostream& out, const DetectRenderOptions& options) : out_(out), options_(options) {}

  void Begin() override {
    const std::string version = options_.tool_version.empty() ? std::string(DPO_VERSION) : options_.tool_version;
    Json rules = Json::array();
    for (detect::Kind k : detect::AllKinds()) rules.push_back(RuleJson(k));
    Json driver;
    driver["name"] = "dpo";
    driver["version"] = version;
    driver["semanticVersion"] = version;
    driver["informationUri"] = kInformationUri;
    driver["rules"] = std::move(rules);
    // The document is written around the results: everything up to
    // "results": [ now, the rest in End.
    out_ << "{\n  \"$schema\": " << Dump(kSarifSchema) << ",\n  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
         << "    \"tool\": {\"driver\": " << Dump(driver) << "},\n"
         << "    \"invocations\": [{\"executionSuccessful\": true}],\n"
         << "    \"results\": [";
  }

  void Hit(const DetectHitRow& r) override {
    int index = 0;
    for (detect::Kind k : detect::AllKinds()) {
      if (k == r.kind) break;
      ++index;
    }
    const std::string kind(detect::KindName(r.kind));
    Json result;
    result["ruleId"] = kind;
    result["ruleIndex"] = index;
    result["level"] = r.validated ? "error" : "warning";
    std::string where = "line " + std::to_string(r.line) + ", column " + std::to_string(r.column);
    result["message"] = Json{{"text", Describe(r.kind) + (r.validated ? "" : " (unvalidated candidate)") + " at " +
                                          where + ". Remove it, or replace it with an obviously fake value."}};
    if (!r.path.empty()) {
      Json region;
      region["startLine"] = r.line;
      region["startColumn"] = r.column;
      region["endColumn"] = r.column + r.length;
      Json physical;
      physical["artifactLocation"] = Json{{"uri", UriFromPath(r.path)}};
      physical["region"] = std::move(region);
      result["locations"] = Json::array({Json{{"physicalLocation", std::move(physical)}}});
    }
    // Stable across runs of the same content, one per hit, and no trace of
    // the value: not even a hash, since a BSN's hash is found by trying all
    // 10^9 of them.
    result["partialFingerprints"] =
        Json{{"dpoDetect/v1", kind + ":" + r.path + ":" + std::to_string(r.line) + ":" + std::to_string(r.column)}};
    result["properties"] = Json{{"kind", kind}, {"validated", r.validated}, {"length", r.length}};
    out_ << (first_ ? "\n      " : ",\n      ") << Dump(result);
    first_ = false;
  }

  void End(int64_t hits) override {
    out_ << (first_ ? "],\n" : "\n    ],\n") << "    \"properties\": " << Dump(Json{{"hits", hits}}) << "\n  }]\n}\n";
  }

 private:
  std::ostream& out_;
  DetectRenderOptions options_;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<DetectRenderer> MakeDetectSarifRenderer(std::ostream& out, const DetectRenderOptions& options) {
  return std::make_unique<SarifRenderer>(out, options);
}

}  // namespace dpo::report
