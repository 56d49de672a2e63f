// Pieces every subcommand shares: the source flags, loading a policy for use,
// terminal detection, and writing results to stdout or a file.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "policy/loader.h"
#include "policy/policy.h"
#include "policy/validate.h"
#include "source/source.h"
#include "util/output_path.h"
#include "util/status.h"

namespace dpo::cmd {

// Flags that shape how a source is opened (CSV options).
struct SourceFlags {
  std::string delimiter;  // "" = sniff; ",", ";", "tab" or "\t", "|"
  bool no_header = false;
  bool skip_bad_rows = false;
  std::string encoding = "auto";
  int64_t max_columns = 10000;                   // limits against hostile files (source.h CsvOptions)
  int64_t max_record_bytes = int64_t{64} << 20;
};
void AddSourceFlags(CLI::App* app, SourceFlags* flags);
Result<std::unique_ptr<source::Source>> OpenSourceWithFlags(const std::string& spec, const SourceFlags& flags,
                                                            bool read_only);
// Says on stderr, one line per file, the rows `source` skipped under
// --skip-bad-rows so far (count and first lines, never content). Every
// command that reads with the flag calls it once its reading is done.
void WarnSkippedRows(const source::Source& source);
// Calls WarnSkippedRows when it goes out of scope, on every way out of a
// command; declare it after the source it names.
class SkippedRowsWarning {
 public:
  explicit SkippedRowsWarning(const source::Source& source) : source_(source) {}
  ~SkippedRowsWarning() { WarnSkippedRows(source_); }
  SkippedRowsWarning(const SkippedRowsWarning&) = delete;
  SkippedRowsWarning& operator=(const SkippedRowsWarning&) = delete;

 private:
  const source::Source& source_;
};

// "-" for a policy or plan file: read standard input (once; every later read
// of "-" gets the same bytes) into memory, at most kMaxStdinBytes.
inline constexpr size_t kMaxStdinBytes = size_t{64} << 20;
inline constexpr const char* kStdinName = "<stdin>";
// The name of `path` in file:line:column messages: "<stdin>" for "-".
std::string InputName(const std::string& path);
// The bytes of a policy or plan file, or of standard input for "-". `what`
// names it in errors ("policy", "plan").
Result<std::string> ReadInput(const std::string& path, const char* what);
// Loads a policy file, or standard input for "-" (named "<stdin>").
Result<policy::LoadedPolicy> LoadPolicyInput(const std::string& path);

// -q/--quiet and -v/--verbose with one meaning on every command: -q prints
// nothing on success (errors, and warnings that change the outcome, still go
// to stderr); -v says what was done in more detail. Both at once is a usage
// error (exit 2). Empty help texts get the common wording.
struct Verbosity {
  bool quiet = false;
  bool verbose = false;
};
void AddVerbosityFlags(CLI::App* app, Verbosity* v, const std::string& quiet_help = "",
                       const std::string& verbose_help = "");
// The same for a command that keeps its flags elsewhere (plan_apply.h).
void AddVerbosityFlags(CLI::App* app, bool* quiet, bool* verbose, const std::string& quiet_help = "",
                       const std::string& verbose_help = "");

// Loads and validates a policy for a command that uses it (scan, ...). Prints
// its warnings and errors to stderr. Returns an error (exit 2) when the policy
// has errors: commands never act on a policy that `dpo policy check` rejects.
Result<policy::Policy> LoadPolicyForUse(const std::string& path);
// Validation as the CLI runs it: the detector names and anonymise operators
// lib/policy cannot know by itself.
policy::ValidateOptions ValidateOptionsForCli();

bool StderrIsTerminal();
// Colours on stdout for --color MODE: "always", "never", or "auto" (the
// default): only on a terminal that is not TERM=dumb and when NO_COLOR is unset.
bool UseColorOnStdout(const std::string& mode = "auto");

// What a command reads and must never write over: the local file or
// directory of `source_spec` (none for a server URI) and the policy file.
std::vector<util::ProtectedPath> InputsOf(const std::string& source_spec, const std::string& policy_path);

// Checks an output path before the command does any work (see
// util::CheckOutputPath): refuses the command's inputs, directories and
// existing files without --force; a device or FIFO is written in place.
Result<util::OutputTarget> CheckOutput(const std::string& path, bool force,
                                       const std::vector<util::ProtectedPath>& inputs, const char* flag = "-o");

// Writes `content` to a checked target: stdout, a device in place, or a
// regular file atomically with owner-only permissions (results may hold
// personal data).
Status WriteOutput(const util::OutputTarget& target, const std::string& content, mode_t mode = 0600);

}  // namespace dpo::cmd
