#include "report/scan_common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "dpo/version.h"

namespace dpo::report {

using scan::Severity;

const std::vector<RuleInfo>& AllRules() {
  static const std::vector<RuleInfo> kRules = {
      {scan::kCodeUndeclared, "Undeclared personal data",
       "The column holds personal data that the policy does not declare, so no purpose, legal basis or "
       "retention period covers it. Declare it in the policy (category, purpose, legal basis, retention) "
       "or stop storing it.",
       "GDPR Art. 5(1)(b), Art. 30", "https://gdpr-info.eu/art-30-gdpr/", Severity::kError},
      {scan::kCodeNoArt9Condition, "Special-category data without an Art. 9(2) condition",
       "The column holds special-category data (health, religion, ethnicity, political opinion, union "
       "membership, sex life, biometric or genetic data). Processing it is forbidden unless the policy "
       "names one of the Art. 9(2) conditions for it, such as explicit consent.",
       "GDPR Art. 9", "https://gdpr-info.eu/art-9-gdpr/", Severity::kError},
      {scan::kCodeNoArt10Basis, "Criminal data without a basis",
       "The column holds data about criminal convictions or offences (e.g. a VOG or criminal record). "
       "It may only be processed under official authority or where a law allows it; the policy must "
       "name that basis.",
       "GDPR Art. 10", "https://gdpr-info.eu/art-10-gdpr/", Severity::kError},
      {scan::kCodeNationalIdWithoutLaw, "National identification number without a legal obligation",
       "The column holds a BSN (Dutch citizen service number). A BSN may only be processed where a law "
       "requires it (payroll, tax); the policy must name that legal obligation.",
       "GDPR Art. 87, UAVG art. 46", "https://gdpr-info.eu/art-87-gdpr/", Severity::kError},
      {scan::kCodeRetentionExpired, "Rows kept past their retention period",
       "Rows are older than the retention period the policy promises. Delete or anonymise them "
       "(dpo retention plan / apply), or correct the retention rule if a law requires keeping them "
       "longer.",
       "GDPR Art. 5(1)(e)", "https://gdpr-info.eu/art-5-gdpr/", Severity::kError},
      {scan::kCodeConsentMissing, "Data held for a consent-based purpose without a consent record",
       "The policy says this purpose rests on consent, but these subjects' data is held for it and the "
       "consent records hold no consent of theirs for it. The controller must be able to prove consent. "
       "Record the consent, or stop processing the data for this purpose (erase or restrict it).",
       "GDPR Art. 7(1), Art. 6(1)(a)", "https://gdpr-info.eu/art-7-gdpr/", Severity::kError},
      {scan::kCodeConsentWithdrawn, "Data still held after consent was withdrawn",
       "These subjects withdrew their consent for the purpose, and did not give it again, but the data "
       "held only for that purpose is still there. Withdrawal must be as easy as giving consent and has "
       "effect: erase or restrict the data (dpo erase plan), unless another legal basis covers it.",
       "GDPR Art. 7(3), Art. 17(1)(b)", "https://gdpr-info.eu/art-7-gdpr/", Severity::kError},
      {scan::kCodeConsentUnchecked, "Consent records cannot be checked",
       "The policy names where the consents of this purpose are recorded, but dpo could not link them to "
       "the data held for it on this source (a missing table or column, or no reference from the data to "
       "the subject). Fix the policy's consent records or relations.",
       "GDPR Art. 7(1)", "https://gdpr-info.eu/art-7-gdpr/", Severity::kWarning},
      {scan::kCodeConsentUnlinked, "Data held for a consent-based purpose that names no subject",
       "Rows hold data for a consent-based purpose but do not link to a subject (their subject key is "
       "empty), so their consent cannot be looked up. If these are anonymous visitors, their consent is "
       "recorded elsewhere (a cookie banner); otherwise link the rows.",
       "GDPR Art. 7(1)", "https://gdpr-info.eu/art-7-gdpr/", Severity::kNote},
      {scan::kCodeSpecialToRecipient, "Special category shared with a recipient without an Art. 9 ground",
       "The policy lets a recipient receive special-category (or criminal) data, but no purpose that shares "
       "data with that recipient lists the category with an Art. 9(2) condition (Art. 10 basis). Remove the "
       "category from the recipient, or ground the disclosure in the purpose.",
       "GDPR Art. 9, Art. 10, Art. 13(1)(e)", "https://gdpr-info.eu/art-9-gdpr/", Severity::kWarning},
      {scan::kCodeCategoryMismatch, "Column holds a different category than declared",
       "The data in the column looks like another category than the policy declares for it. Correct the "
       "declaration, or move the data to where it is declared.",
       "GDPR Art. 30(1)(c)", "https://gdpr-info.eu/art-30-gdpr/", Severity::kWarning},
      {scan::kCodeFreeText, "Personal data in free text",
       "A free-text column (notes, remarks, comments) contains personal data. Free text escapes "
       "retention and access rules that apply to structured columns; minimise it, or declare the "
       "categories it holds.",
       "GDPR Art. 5(1)(c)", "https://gdpr-info.eu/art-5-gdpr/", Severity::kWarning},
      {scan::kCodeMissingTable, "Declared table is missing",
       "The policy declares a table or CSV file that the source does not have. The record of processing "
       "should describe reality: fix the name in the policy or remove the declaration.",
       "GDPR Art. 30", "https://gdpr-info.eu/art-30-gdpr/", Severity::kWarning},
      {scan::kCodeMissingColumn, "Declared column is missing",
       "The policy declares a column that the table does not have. Fix the name in the policy or remove "
       "the declaration.",
       "GDPR Art. 30", "https://gdpr-info.eu/art-30-gdpr/", Severity::kWarning},
      {scan::kCodeAcceptanceExpired, "An accepted finding's acceptance has expired",
       "The policy accepted this finding until a date that has passed, so the finding counts again. Fix "
       "it, or review it again and move the date of the policy's accepted entry.",
       "GDPR Art. 5(2)", "https://gdpr-info.eu/art-5-gdpr/", Severity::kWarning},
      {scan::kCodePersonalData, "Personal data found",
       "Discovery mode (no policy): the column holds personal data of the named category. Inventory it "
       "and declare it in a policy with a purpose, legal basis and retention period.",
       "GDPR Art. 4(1), Art. 30", "https://gdpr-info.eu/art-4-gdpr/", Severity::kNote},
  };
  return kRules;
}

const RuleInfo* FindRule(std::string_view code) {
  for (const RuleInfo& r : AllRules())
    if (code == r.code) return &r;
  return nullptr;
}

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
  return GroupFindings(result, [](const scan::Finding& f) { return f.category.empty() ? "(none)" : f.category; });
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
