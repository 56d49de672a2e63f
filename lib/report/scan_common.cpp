#include "report/scan_common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "dpo/version.h"

namespace dpo::report {

using scan::Severity;

SeverityCounts CountBySeverity(const scan::ScanResult& result) {
  SeverityCounts c;
  for (const scan::Finding& f : result.findings) {
    if (f.accepted) {
      ++c.accepted;
      continue;
    }
    if (f.baselined) {
      ++c.baselined;
      continue;
    }
    switch (f.severity) {
      case Severity::kError: ++c.errors; break;
      case Severity::kWarning: ++c.warnings; break;
      case Severity::kNote: ++c.notes; break;
    }
  }
  return c;
}

bool IsDiscovery(const scan::ScanResult& result) { return result.policy_file.empty(); }

std::string ToolVersion(const RenderOptions& options) {
  return options.tool_version.empty() ? std::string(DPO_VERSION) : options.tool_version;
}

std::string Plural(int64_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

Verdict VerdictOf(const scan::ScanResult& result) {
  const SeverityCounts c = CountBySeverity(result);
  if (IsDiscovery(result)) {
    const int64_t cols = PersonalDataColumnCount(result);
    return {"INVENTORY", "No policy given: " + Plural(cols, "column holds", "columns hold") +
                             " personal data in " + Plural(static_cast<int64_t>(result.tables.size()), "table", "tables") +
                             ". Declare them in a policy to check purpose, legal basis and retention."};
  }
  std::string known;
  if (c.baselined > 0 || c.accepted > 0) {
    known = " Not counted: ";
    if (c.baselined > 0) known += Plural(c.baselined, "finding", "findings") + " in the baseline";
    if (c.baselined > 0 && c.accepted > 0) known += ", ";
    if (c.accepted > 0) known += Plural(c.accepted, "finding", "findings") + " accepted in the policy";
    known += ".";
  }
  if (c.errors > 0)
    return {"FAIL", Plural(c.errors, "error", "errors") +
                        ": the data does not match what the policy promises. Each must be fixed." + known};
  if (c.warnings > 0)
    return {"WARN", Plural(c.warnings, "warning", "warnings") +
                        ": no violations, but the policy and the data disagree in places." + known};
  if (!known.empty()) return {"PASS", "No new errors or warnings." + known};
  return {"PASS", "The data matches the policy: no errors or warnings."};
}

std::string FindingLocation(const scan::Finding& finding) {
  if (finding.column.empty()) return finding.table;
  return finding.table + "." + finding.column;
}

int PercentOf(int64_t part, int64_t whole) {
  if (whole <= 0 || part <= 0) return 0;
  if (part >= whole) return 100;
  int p = static_cast<int>(std::lround(100.0 * static_cast<double>(part) / static_cast<double>(whole)));
  return std::clamp(p, 1, 99);
}

std::string ConfidencePercent(double confidence) {
  const double c = std::clamp(confidence, 0.0, 1.0);
  return std::to_string(static_cast<int>(std::lround(c * 100))) + "%";
}

std::string EvidenceSummary(const scan::Evidence& e) {
  std::string out;
  auto sep = [&out](const char* s) {
    if (!out.empty()) out += s;
  };
  if (e.values_seen > 0 && e.values_matched > 0) {
    out += std::to_string(PercentOf(e.values_matched, e.values_seen)) + "% of " +
           Plural(e.values_seen, "value", "values");
    if (e.values_validated > 0) out += ", " + std::to_string(e.values_validated) + " validated";
    if (e.values_containing > 0) out += ", " + std::to_string(e.values_containing) + " more contain a match";
  } else if (e.values_seen > 0 && e.values_containing > 0) {
    out += std::to_string(PercentOf(e.values_containing, e.values_seen)) + "% of " +
           Plural(e.values_seen, "value contains", "values contain") + " a match";
    if (e.values_validated > 0) out += ", " + std::to_string(e.values_validated) + " validated";
  }
  if (e.name_match) {
    sep(", ");
    out += "column name matches";
  }
  if (e.values_matched == 0 && e.values_containing == 0) {
    sep(", ");
    out += "confidence " + ConfidencePercent(e.confidence);
  }
  if (!e.masked_samples.empty()) {
    sep("; ");
    out += "e.g. ";
    for (size_t i = 0; i < e.masked_samples.size() && i < 3; ++i) {
      if (i > 0) out += ", ";
      out += e.masked_samples[i];
    }
  }
  return out;
}

SourceLocation ParseSourceLocation(std::string_view location) {
  SourceLocation loc;
  auto all_digits = [](std::string_view s) {
    return !s.empty() && s.size() < 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::string_view rest = location;
  // Peel up to two trailing ":N" parts: path:line or path:line:column.
  std::vector<int64_t> numbers;
  for (int k = 0; k < 2; ++k) {
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos || !all_digits(rest.substr(colon + 1))) break;
    numbers.insert(numbers.begin(), std::stoll(std::string(rest.substr(colon + 1))));
    rest = rest.substr(0, colon);
  }
  loc.path = std::string(rest);
  if (numbers.size() >= 1) loc.line = numbers[0];
  if (numbers.size() >= 2) loc.column = numbers[1];
  return loc;
}

std::string FormatMegabytes(int64_t bytes) {
  const double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
  char buf[32];
  std::snprintf(buf, sizeof buf, (mb > 0 && mb < 0.1) ? "%.2f MB" : "%.1f MB", mb);
  return buf;
}

std::string FormatSeconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", seconds < 0 ? 0.0 : seconds);
  return buf;
}

namespace {

void Add(GroupCount& g, Severity s) {
  switch (s) {
    case Severity::kError: ++g.errors; break;
    case Severity::kWarning: ++g.warnings; break;
    case Severity::kNote: ++g.notes; break;
  }
}

template <typename KeyFn>
std::vector<GroupCount> GroupFindings(const scan::ScanResult& result, KeyFn key_of) {
  std::vector<GroupCount> groups;
  std::map<std::string, size_t> index;
  for (const scan::Finding& f : result.findings) {
    std::string key = key_of(f);
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.push_back(GroupCount{key});
    Add(groups[it->second], f.severity);
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const GroupCount& a, const GroupCount& b) { return a.total() > b.total(); });
  return groups;
}

}  // namespace

std::vector<GroupCount> FindingsByCategory(const scan::ScanResult& result) {
  std::vector<GroupCount> groups =
      GroupFindings(result, [](const scan::Finding& f) { return f.category; });
  // Findings about a retention rule, a purpose's consent or a whole table
  // concern no one category: a "(none)" bar would read as a category.
  groups.erase(std::remove_if(groups.begin(), groups.end(), [](const GroupCount& g) { return g.key.empty(); }),
               groups.end());
  return groups;
}

int64_t FindingsWithoutCategory(const scan::ScanResult& result) {
  int64_t n = 0;
  for (const scan::Finding& f : result.findings) n += f.category.empty() ? 1 : 0;
  return n;
}

std::vector<GroupCount> FindingsByTable(const scan::ScanResult& result) {
  return GroupFindings(result, [](const scan::Finding& f) { return f.table.empty() ? "(none)" : f.table; });
}

std::vector<GroupCount> ColumnsByCategory(const scan::ScanResult& result) {
  std::vector<GroupCount> groups;
  std::map<std::string, size_t> index;
  for (const scan::TableReport& t : result.tables)
    for (const scan::ColumnReport& c : t.columns) {
      if (c.discovered_category.empty()) continue;
      auto [it, inserted] = index.emplace(c.discovered_category, groups.size());
      if (inserted) groups.push_back(GroupCount{c.discovered_category});
      ++groups[it->second].notes;
    }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const GroupCount& a, const GroupCount& b) { return a.total() > b.total(); });
  return groups;
}

int64_t PersonalDataColumnCount(const scan::ScanResult& result) {
  int64_t n = 0;
  for (const scan::TableReport& t : result.tables)
    for (const scan::ColumnReport& c : t.columns)
      if (!c.discovered_category.empty()) ++n;
  return n;
}

}  // namespace dpo::report
