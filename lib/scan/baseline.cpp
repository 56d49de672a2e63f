#include "scan/baseline.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "scan/fingerprint.h"
#include "util/message.h"

namespace dpo::scan {

namespace {

using Json = nlohmann::json;

constexpr int kBaselineVersion = 1;
constexpr const char* kSarifKey = "dpoFinding/v2";
constexpr const char* kWhatToDo =
    "give a file written by 'dpo scan --write-baseline FILE' or by 'dpo scan --format json|sarif'";

std::string Shown(const std::string& path) { return util::EscapeForMessage(path, std::string_view::npos); }

Status Shape(const std::string& file, const std::string& where, const std::string& what) {
  return Status::Error(Shown(file) + ": " + (where.empty() ? "" : where + ": ") + what + "; " + kWhatToDo);
}

const Json* Member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StringMember(const Json& object, const char* key) {
  const Json* v = Member(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

Status ReadOwnFormat(const Json& j, Baseline* out) {
  const Json* version = Member(j, "dpo_baseline");
  if (!version->is_number_integer() || version->get<int64_t>() != kBaselineVersion)
    return Status::Error(Shown(out->file) + ": dpo_baseline: baseline format " + util::EscapeForMessage(version->dump(), 20) +
                         " is not supported by this dpo (it reads format 1); write it again with 'dpo scan "
                         "--write-baseline'");
  const Json* list = Member(j, "fingerprints");
  if (list == nullptr || !list->is_array()) return Shape(out->file, "fingerprints", "missing, or not a list");
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    std::string fp = item.is_string() ? item.get<std::string>() : StringMember(item, "fingerprint");
    if (fp.empty())
      return Shape(out->file, "fingerprints[" + std::to_string(i) + "]", "has no \"fingerprint\" text");
    out->fingerprints.insert(std::move(fp));
  }
  return Status::Ok();
}

Status ReadJsonReport(const Json& j, Baseline* out) {
  const Json* findings = Member(j, "findings");
  if (!findings->is_array()) return Shape(out->file, "findings", "not a list");
  for (size_t i = 0; i < findings->size(); ++i) {
    const Json& f = (*findings)[i];
    const std::string where = "findings[" + std::to_string(i) + "]";
    if (!f.is_object()) return Shape(out->file, where, "not a finding object");
    const Json* accepted = Member(f, "accepted");
    if (accepted != nullptr && !accepted->is_null()) continue;
    std::string fp = StringMember(f, "fingerprint");
    if (fp.empty()) {
      // A report of an older dpo: the same fingerprint, from its parts.
      std::string code = StringMember(f, "code");
      std::string table = StringMember(f, "table");
      if (code.empty() || table.empty())
        return Shape(out->file, where, "has no \"fingerprint\", nor a \"code\" and \"table\" to make one from");
      fp = Fingerprint(code, table, StringMember(f, "column"), StringMember(f, "policy_rule"));
    }
    out->fingerprints.insert(std::move(fp));
  }
  return Status::Ok();
}

Status ReadSarif(const Json& j, Baseline* out) {
  const Json* runs = Member(j, "runs");
  if (!runs->is_array()) return Shape(out->file, "runs", "not a list");
  for (size_t r = 0; r < runs->size(); ++r) {
    const Json& run = (*runs)[r];
    const std::string run_where = "runs[" + std::to_string(r) + "]";
    const Json* tool = Member(run, "tool");
    const Json* driver = tool ? Member(*tool, "driver") : nullptr;
    if (driver == nullptr || StringMember(*driver, "name") != "dpo")
      return Shape(out->file, run_where + ".tool.driver.name", "not a SARIF report of dpo");
    const Json* results = Member(run, "results");
    if (results == nullptr) continue;
    if (!results->is_array()) return Shape(out->file, run_where + ".results", "not a list");
    for (size_t i = 0; i < results->size(); ++i) {
      const Json& result = (*results)[i];
      const std::string where = run_where + ".results[" + std::to_string(i) + "]";
      const Json* suppressions = Member(result, "suppressions");
      if (suppressions != nullptr && suppressions->is_array() && !suppressions->empty()) continue;
      const Json* partial = Member(result, "partialFingerprints");
      std::string fp = partial ? StringMember(*partial, kSarifKey) : std::string();
      if (fp.empty())
        return Shape(out->file, where,
                     std::string("has no partialFingerprints \"") + kSarifKey +
                         "\" (a SARIF file of an older dpo?)");
      out->fingerprints.insert(std::move(fp));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Baseline> ParseBaseline(std::string_view text, const std::string& file) {
  Baseline out;
  out.file = file;
  Json j;
  try {
    j = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return Status::Error(Shown(file) + ": not a baseline: invalid JSON at byte " + std::to_string(e.byte) + "; " +
                         kWhatToDo);
  } catch (const Json::exception&) {
    return Status::Error(Shown(file) + ": not a baseline: a number in it is out of range; " + kWhatToDo);
  }
  Status status = Status::Ok();
  if (!j.is_object())
    return Shape(file, "", "not a baseline (the JSON is not an object)");
  if (Member(j, "dpo_baseline") != nullptr)
    status = ReadOwnFormat(j, &out);
  else if (Member(j, "findings") != nullptr && Member(j, "schema_version") != nullptr)
    status = ReadJsonReport(j, &out);
  else if (Member(j, "runs") != nullptr)
    status = ReadSarif(j, &out);
  else
    return Shape(file, "", "not a baseline, nor a dpo scan JSON or SARIF report (no \"dpo_baseline\", "
                           "\"findings\" or \"runs\")");
  if (!status.ok()) return status;
  return out;
}

Result<Baseline> ReadBaselineFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Status::Error("cannot read baseline file '" + Shown(path) + "': it is a directory; name the file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::Error("cannot read baseline file '" + Shown(path) + "': " + std::strerror(errno) +
                         " (check the path; 'dpo scan --write-baseline " + Shown(path) + " ...' writes one)");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::Error("cannot read baseline file '" + Shown(path) + "': read error");
  return ParseBaseline(buffer.str(), path);
}

void ApplyBaseline(const Baseline& baseline, ScanResult* result) {
  result->baseline_used = true;
  for (Finding& f : result->findings)
    if (baseline.fingerprints.count(Fingerprint(f))) f.baselined = true;
}

std::string BaselineJson(const ScanResult& result) {
  std::map<std::string, const Finding*> by_fingerprint;
  for (const Finding& f : result.findings)
    if (!f.accepted) by_fingerprint.emplace(Fingerprint(f), &f);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& [fp, f] : by_fingerprint) {
    nlohmann::ordered_json item = nlohmann::ordered_json::object();
    item["fingerprint"] = fp;
    item["code"] = f->code;
    item["location"] = f->column.empty() ? f->table : f->table + "." + f->column;
    list.push_back(std::move(item));
  }
  nlohmann::ordered_json j;
  j["dpo_baseline"] = kBaselineVersion;
  j["fingerprints"] = std::move(list);
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace dpo::scan
