// Writing and checking an access package: a directory (or a zip file) that
// is complete or absent, readable by its owner only, with a manifest that
// lets anyone check later that nothing in it was changed or lost.
//
// Layout (names are chosen by dpo, never from the subject's value):
//   manifest.json   format, tool version, created_at, policy SHA-256, source
//                   kind, record counts per dataset, and the SHA-256 and size
//                   of every other file
//   data.json, summary.html, summary.md, tables/<table>.csv ...
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace dpo::dsar {

struct PackageFile {
  std::string name;     // relative path: letters, digits, '.', '_', '-', '%', one optional "dir/"
  std::string content;
};

struct PackageInfo {
  std::string tool_version;
  std::string created_at;      // UTC, ISO 8601
  std::string policy_sha256;
  std::string source_kind;
  std::string language;        // of the summary: en | nl
  std::string received;        // YYYY-MM-DD
  std::string due;             // YYYY-MM-DD
  std::map<std::string, int64_t> records;  // "candidates" / "context:client_companies" -> rows
  // Rows per table the source could not read (--skip-bad-rows): the package
  // may be incomplete there. Written only when not empty.
  std::map<std::string, int64_t> unread_rows;
};

// The file name of a table's CSV inside the package: every byte other than
// a letter, digit or '_' becomes "%XX" (hex), so a table called "../x" is
// "tables/%2E%2E%2Fx.csv" and no two tables share a name; `prefix` (which
// may use '-', never produced by the escaping) goes before ("context-").
std::string TableFileName(const std::string& table, const std::string& prefix = "");

// Writes `files` and a manifest.json into `out` atomically:
//  - as a directory: everything is written into a new sibling directory
//    (mode 0700, files 0600, each fsynced), which is renamed to `out` last;
//  - with `zip`, `out` is a zip file (mode 0600) written to a temporary name
//    and renamed.
// An existing `out` is refused (choose another name, or remove it): a
// package is never merged into or over another. Nothing is left behind on
// error.
Status WritePackage(const std::string& out, const std::vector<PackageFile>& files, const PackageInfo& info, bool zip);

struct VerifyReport {
  int files = 0;                      // files the manifest lists
  std::vector<std::string> problems;  // "data.json: SHA-256 differs", "extra file x", "missing y"
  std::string policy_sha256;
  std::string created_at;
  bool ok() const { return problems.empty(); }
};

// Checks a package directory or zip file against its manifest: every listed
// file present with its SHA-256 and size, no file the manifest does not list.
// Errors (not problems): no manifest, a manifest that is not one.
Result<VerifyReport> VerifyPackage(const std::string& path);

}  // namespace dpo::dsar
