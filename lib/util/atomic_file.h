// Writing files that must never be seen half-written (reports, policies,
// plans): the content goes to a temporary file in the same directory, is
// fsynced, then renamed over the target, and the directory is fsynced.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "util/status.h"

namespace dpo::util {

// Writes `content` to `path` atomically with permission bits `mode` (0600 for
// anything holding personal data). With `overwrite` false an existing file is
// an error that says to pass --force.
Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode, bool overwrite);

}  // namespace dpo::util
