#include "common.h"

#include "anonymise/export_operator.h"
#include "commands.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <iostream>
#include <unistd.h>

#include "detect/kind.h"
#include "policy/loader.h"
#include "policy/validate.h"
#include "report/skipped_rows.h"
#include "source/conninfo.h"
#include "util/atomic_file.h"
#include "util/message.h"

namespace dpo::cmd {

void AddSourceFlags(CLI::App* app, SourceFlags* flags) {
  app->add_option("--delimiter", flags->delimiter, "CSV delimiter: , ; tab | (default: sniffed)");
  app->add_flag("--no-header", flags->no_header, "CSV files have no header row (columns are col1, col2, ...)");
  app->add_flag("--skip-bad-rows", flags->skip_bad_rows, "Skip CSV rows with the wrong number of fields (counted)");
  app->add_option("--encoding", flags->encoding, "CSV encoding: auto, utf-8 or windows-1252")
      ->check(CLI::IsMember({"auto", "utf-8", "windows-1252"}));
  app->add_option("--max-columns", flags->max_columns,
                  "Most columns a CSV file may have (default 10000); a wider one is an error")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  app->add_option("--max-record-bytes", flags->max_record_bytes,
                  "Longest CSV record in bytes (default 64 MiB; usually an unclosed quote); a longer one is an error")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
}

Result<std::unique_ptr<source::Source>> OpenSourceWithFlags(const std::string& spec, const SourceFlags& flags,
                                                            bool read_only) {
  // A CSV source is read twice (the delimiter and header are sniffed, then
  // the rows streamed), a database is seeked: neither works on a pipe.
  if (spec == "-")
    return Status::Error("'-' as the source: reading a source from stdin is not supported; write it to a file and "
                         "pass its name (stdin is for a policy or a plan)");
  source::OpenOptions options;
  options.read_only = read_only;
  options.csv.header = !flags.no_header;
  options.csv.skip_bad_rows = flags.skip_bad_rows;
  options.csv.encoding = flags.encoding;
  options.csv.max_columns = flags.max_columns;
  options.csv.max_record_bytes = flags.max_record_bytes;
  const std::string& d = flags.delimiter;
  if (d.empty()) {
    options.csv.delimiter = 0;
  } else if (d == "tab" || d == "\\t" || d == "\t") {
    options.csv.delimiter = '\t';
  } else if (d.size() == 1 && d != "\"" && d != "\n" && d != "\r") {
    options.csv.delimiter = d[0];
  } else {
    return Status::Error("--delimiter '" + d + "' is not a single character; use , ; | or tab");
  }
  Result<std::unique_ptr<source::Source>> opened = source::OpenSource(spec, options);
  // What the source did or found on opening (an interrupted change finished
  // or pending) is said once, on stderr, before any output.
  if (opened.ok())
    for (const std::string& notice : (*opened)->Notices()) ReportWarning(notice);
  return opened;
}

void WarnSkippedRows(const source::Source& source) {
  for (const source::SkippedRows& s : source.Skipped())
    ReportWarning(util::EscapeForMessage(s.location.empty() ? s.table : s.location, 4096) + ": " +
                  report::SkippedRowsSentence(s.count, s.first_lines) + "; the results leave them out");
}

policy::ValidateOptions ValidateOptionsForCli() {
  policy::ValidateOptions options;
  for (detect::Kind k : detect::AllKinds()) options.known_detectors.emplace_back(detect::KindName(k));
  options.check_anonymise_operator = [](const std::string& name) {
    Result<anonymise::ExportOperator> op = anonymise::ParseExportOperator(name);
    return op.ok() ? std::string() : op.status().message();
  };
  return options;
}

std::string InputName(const std::string& path) { return path == "-" ? kStdinName : path; }

namespace {

// Standard input, read once: a policy and its digest (or a plan) are read
// from it more than once by some commands.
const Result<std::string>& StdinBytes() {
  static const Result<std::string> bytes = []() -> Result<std::string> {
    std::string data;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::Error(std::string(kStdinName) + ": cannot read: " + std::strerror(errno) +
                                 "; pipe the file in, or pass its name",
                             StatusCode::kIoError);
      }
      if (n == 0) break;
      if (data.size() + static_cast<size_t>(n) > kMaxStdinBytes)
        return Status::Error(std::string(kStdinName) + ": more than " + std::to_string(kMaxStdinBytes >> 20) +
                                 " MiB; a policy or plan is far smaller: write it to a file and pass its name",
                             StatusCode::kInvalidArgument);
      data.append(buf, static_cast<size_t>(n));
    }
    return data;
  }();
  return bytes;
}

}  // namespace

Result<std::string> ReadInput(const std::string& path, const char* what) {
  if (path == "-") return StdinBytes();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::Error(path + ": cannot read the " + std::string(what) + ": " + std::strerror(errno),
                         StatusCode::kNotFound);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<policy::LoadedPolicy> LoadPolicyInput(const std::string& path) {
  if (path != "-") return policy::LoadPolicyFile(path);
  const Result<std::string>& text = StdinBytes();
  if (!text.ok()) return text.status();
  return policy::LoadPolicyString(*text, kStdinName);
}

void AddVerbosityFlags(CLI::App* app, bool* quiet, bool* verbose, const std::string& quiet_help,
                       const std::string& verbose_help) {
  CLI::Option* q = app->add_flag("-q,--quiet", *quiet,
                                 quiet_help.empty() ? "Print nothing on success (errors still go to stderr)"
                                                    : quiet_help);
  CLI::Option* v = app->add_flag("-v,--verbose", *verbose,
                                 verbose_help.empty() ? "Say what was done in more detail (nothing more to say here "
                                                        "yet: accepted for scripts)"
                                                      : verbose_help);
  q->excludes(v);
  v->excludes(q);
}

void AddVerbosityFlags(CLI::App* app, Verbosity* v, const std::string& quiet_help, const std::string& verbose_help) {
  AddVerbosityFlags(app, &v->quiet, &v->verbose, quiet_help, verbose_help);
}

Result<policy::Policy> LoadPolicyForUse(const std::string& path) {
  Result<policy::LoadedPolicy> loaded = LoadPolicyInput(path);
  if (!loaded.ok()) return loaded.status();
  std::vector<policy::Diagnostic> diagnostics = loaded->diagnostics;
  policy::ValidateOptions options = ValidateOptionsForCli();
  for (policy::Diagnostic& d : policy::ValidatePolicy(loaded->policy, options)) diagnostics.push_back(std::move(d));
  policy::SortDiagnostics(&diagnostics);
  // A draft from `dpo policy init` is usable before its TODOs are filled in:
  // `policy check` fails on them, but other commands only warn and skip the
  // rules marked TODO. Every other error stops the command.
  size_t errors = 0;
  size_t todos = 0;
  for (const policy::Diagnostic& d : diagnostics) {
    if (d.severity != policy::Diagnostic::Severity::kError) continue;
    if (d.code == "todo") {
      ++todos;
      continue;
    }
    ++errors;
    std::cerr << util::EscapeForMessage(d.location.ToString(), 4096) << ": error: "
              << util::EscapeForMessage(d.message, 4096) << "\n";
    if (!d.hint.empty()) std::cerr << "    hint: " << util::EscapeForMessage(d.hint, 4096) << "\n";
  }
  if (errors > 0)
    return Status::Error(InputName(path) + " has " + std::to_string(errors) +
                         " error(s); fix them first (run 'dpo policy check " + path + "')");
  if (todos > 0)
    ReportWarning(InputName(path) + " still has " + std::to_string(todos) +
                  " TODO(s); rules marked TODO are skipped (run 'dpo policy check " + path + "' to list them)");
  return std::move(loaded->policy);
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

bool UseColorOnStdout(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  // A dumb terminal (Emacs shell, some CI logs) shows escape codes as text.
  const bool dumb = term != nullptr && std::string(term) == "dumb";
  return isatty(STDOUT_FILENO) == 1 && !dumb && (no_color == nullptr || *no_color == '\0');
}

std::vector<util::ProtectedPath> InputsOf(const std::string& source_spec, const std::string& policy_path) {
  std::vector<util::ProtectedPath> inputs;
  std::string local = source_spec;
  if (local.rfind("sqlite:", 0) == 0) local = local.substr(7);
  else if (local.rfind("csv:", 0) == 0) local = local.substr(4);
  // A server (postgresql://..., host=... key=value strings) has no local file:
  // taking a conninfo for a path would name files (the sweep lock) after it,
  // password and all.
  // "-" is refused as a source (OpenSourceWithFlags) and names no file.
  if (!local.empty() && local != "-" && local.find("://") == std::string::npos &&
      source::ClassifySourceSpec(source_spec) != source::SpecForm::kPostgresKeyValue)
    inputs.push_back({local, "the source"});
  if (!policy_path.empty() && policy_path != "-") inputs.push_back({policy_path, "the policy"});
  return inputs;
}

Result<util::OutputTarget> CheckOutput(const std::string& path, bool force,
                                       const std::vector<util::ProtectedPath>& inputs, const char* flag) {
  util::OutputRules rules;
  rules.overwrite = force;
  rules.flag = flag;
  return util::CheckOutputPath(path, inputs, rules);
}

Status WriteOutput(const util::OutputTarget& target, const std::string& content, mode_t mode) {
  return util::WriteOutputTarget(target, content, mode);
}

}  // namespace dpo::cmd
