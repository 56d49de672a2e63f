// Applying a plan file: shared by 'dpo retention apply' and 'dpo erase apply'
// (an erasure is a plan of the same form; cmd/retention.cpp holds the code).
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "common.h"

namespace dpo::cmd {

struct ApplyArgs {
  std::string plan;
  std::string source;
  std::string policy;  // default: the file the plan names
  bool dry_run = false;
  int64_t max_rows = -1;
  double max_percent = 50;
  std::string ledger;
  std::string audit_log;
  std::string key_file;
  bool quiet = false;
  bool verbose = false;
  SourceFlags source_flags;
  // sweep only
  std::string as_of;
};


// The flags of an apply: --dry-run, limits, ledger, audit log, key, CSV options.
void AddApplyFlags(CLI::App* sub, ApplyArgs* args);

// Loads the plan, refuses one of another kind ("retention" or "erasure"),
// loads its policy, opens the source for writing and applies it in one
// transaction (plan::ApplyRetentionPlan). Returns the exit code.
int RunApply(const ApplyArgs& args, const char* command, const char* kind);

}  // namespace dpo::cmd
