// Deciding, before any work, whether a command may write where the user asked
// (-o, --out, --csv, --truth), and writing there without destroying anything
// that is not ours to replace.
//
// Why this exists: an atomic write renames a temporary file over the target.
// Renamed over /dev/null that replaces a device (as root); renamed over the
// source database or the policy it destroys the command's own input. A
// read-only command must never do either.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "util/status.h"

namespace dpo::util {

// A path the command reads and must therefore never write: the source (a
// SQLite file, a CSV file, a directory of CSV files) or the policy.
struct ProtectedPath {
  std::string path;
  std::string role;  // how to name it in a message: "the source", "the policy"
};

enum class OutputKind {
  kStdout,       // "" or "-": written to standard output
  kRegularFile,  // a new or existing regular file: written atomically (temp + rename)
  kDevice,       // an existing character device or FIFO: written in place, never replaced
};

struct OutputTarget {
  OutputKind kind = OutputKind::kStdout;
  std::string path;  // as the user gave it (used in messages)
  // Where the bytes go: for a symbolic link to a regular file, the file it
  // points at (the link stays a link); otherwise `path`.
  std::string write_path;
};

struct OutputRules {
  bool overwrite = false;     // --force: an existing regular file may be replaced
  bool allow_device = true;   // false for outputs that must be files (a SQLite database)
  const char* flag = "-o";    // the flag that named the path, for messages
};

// Checks `path` against the rules and the protected paths. Refused, with a
// message that says why and what to do (exit code 2): a directory, a block
// device, a socket, a dangling symbolic link, an existing file without
// --force, a path that is (the same file as) a protected path or one of the
// SQLite side files next to it (-wal, -shm, -journal), and a path inside a
// protected directory. Reads nothing but metadata; changes nothing.
Result<OutputTarget> CheckOutputPath(const std::string& path, const std::vector<ProtectedPath>& protected_paths,
                                     const OutputRules& rules);

// Writes `content` to a checked target: stdout (through std::cout), a device
// or FIFO in place (a FIFO without a reader is an error, never a hang), or a
// regular file atomically with permission bits `mode`.
// Whether one of two paths is, contains or is inside the other, after
// resolving symbolic links and "..". A path that cannot be resolved (a key
// given as /dev/fd/63 by process substitution) is compared as written, never
// as the empty path (which would be "inside" everything). An empty argument
// nests with nothing.
bool PathsNest(const std::string& a, const std::string& b);

Status WriteOutputTarget(const OutputTarget& target, std::string_view content, mode_t mode);

}  // namespace dpo::util
