#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sample/generator.h"

namespace dpo::sample {

std::string GroundTruthToJson(const GroundTruth& truth) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["generator"] = "dpo sample generate";
  j["truth_version"] = 1;
  j["options"] = {{"rows", truth.rows_option}, {"seed", truth.seed}, {"as_of", truth.as_of}};
  j["total_rows"] = truth.total_rows;
  ordered_json tables = ordered_json::array();
  for (const TableTruth& t : truth.tables) {
    ordered_json jt;
    jt["name"] = t.name;
    jt["data_subject"] = t.data_subject;
    jt["declared"] = t.declared;
    jt["rows"] = t.rows;
    jt["primary_key"] = t.primary_key;
    jt["csv_file"] = t.csv_file;
    jt["csv_delimiter"] = std::string(1, t.csv_delimiter);
    ordered_json columns = ordered_json::array();
    for (const ColumnTruth& c : t.columns) {
      ordered_json jc;
      jc["name"] = c.name;
      jc["type"] = c.sql_type;
      jc["kinds"] = c.kinds;
      jc["category"] = c.category;
      jc["personal"] = c.personal;
      jc["declared"] = c.declared;
      jc["identifier"] = c.identifier;
      if (!c.references.empty()) jc["references"] = c.references;
      jc["non_null"] = c.non_null;
      if (!c.mentions.empty()) jc["mentions"] = c.mentions;
      columns.push_back(std::move(jc));
    }
    jt["columns"] = std::move(columns);
    tables.push_back(std::move(jt));
  }
  j["tables"] = std::move(tables);
  j["undeclared"] = truth.undeclared;
  ordered_json retention = ordered_json::array();
  for (const RetentionTruth& r : truth.retention) {
    retention.push_back({{"rule", r.rule},
                         {"dataset", r.dataset},
                         {"after_column", r.after_column},
                         {"keep", r.keep},
                         {"cutoff", r.cutoff},
                         {"when_sql", r.when_sql},
                         {"hold_sql", r.hold_sql},
                         {"in_scope", r.in_scope},
                         {"expired", r.expired},
                         {"held", r.held},
                         {"to_act", r.to_act}});
  }
  j["retention"] = std::move(retention);
  ordered_json consent = ordered_json::array();
  for (const ConsentTruth& c : truth.consent)
    consent.push_back(
        {{"purpose", c.purpose}, {"held", c.held}, {"without_record", c.without_record}, {"withdrawn", c.withdrawn}});
  j["consent"] = std::move(consent);
  return j.dump(2) + "\n";
}

Status WriteGroundTruth(const GroundTruth& truth, const std::string& path, bool overwrite) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !overwrite) {
    return Status::Error("sample: " + path + " already exists; use --force to replace it");
  }
  std::string json = GroundTruthToJson(truth);
  std::string partial = path + ".partial";
  ::unlink(partial.c_str());
  int fd = ::open(partial.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error("sample: cannot create " + partial + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < json.size()) {
    ssize_t n = ::write(fd, json.data() + done, json.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(partial.c_str());
      return Status::Error("sample: writing " + path + " failed: " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    ::unlink(partial.c_str());
    return Status::Error("sample: cannot rename " + partial + " to " + path + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace dpo::sample
