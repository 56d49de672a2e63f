// Checks for flags several subcommands share, attached with ->check() so that
// every command that takes the flag refuses the same bad values with the same
// words (exit 2, before any work): a day for --as-of, a row count for
// --sample, a thread count for --threads.
#pragma once

#include <cstdint>

#include <CLI/CLI.hpp>

namespace dpo::cmd {

// The range of --as-of days: before 1900 no retention period or age band
// makes sense, and four-digit years end at 9999.
inline constexpr const char* kEarliestAsOf = "1900-01-01";
inline constexpr const char* kLatestAsOf = "9999-12-31";
// The most rows --sample takes per table; for more, --full reads every row.
inline constexpr int64_t kMaxSampleRows = 1000000000;

// YYYY-MM-DD from kEarliestAsOf to kLatestAsOf; an empty value is an error,
// not "today" (leave the flag out for today).
CLI::Validator AsOfDay();
// A whole number of rows from 1 to kMaxSampleRows (no silent clamping of
// 99999999999999999999).
CLI::Validator SampleRows();
// A whole number of threads from 1 to `max`.
CLI::Validator ThreadCount(int max);

}  // namespace dpo::cmd
