// dpo detect [FILE|DIR...] [--diff [FILE] | --staged] [--format text|json|jsonl|sarif]
//            [--kinds k1,k2] [--all] [--show-values]
//
// Scans files, directories (walked) or stdin line by line (streaming, any
// size) for personal data and prints each hit; with --diff or --staged only
// the lines a diff adds, at their line in the new file. Exit code 0 if
// nothing was found, 1 if something was (so it works as a pre-commit hook
// or CI step), 2 on bad input.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "detect/kind.h"
#include "detect/mask.h"
#include "detect/terms.h"
#include "detect/text_scanner.h"
#include "detect/unified_diff.h"
#include "report/detect_report.h"
#include "util/child_process.h"
#include "util/exit_codes.h"

namespace dpo::cmd {
namespace {

struct DetectOptions {
  std::vector<std::string> files;
  bool diff = false;
  bool staged = false;
  std::string format = "text";
  std::string kinds;
  bool all = false;
  bool show_values = false;
  bool quiet = false;
  bool verbose = false;
  int64_t max_record_bytes = int64_t{64} << 20;
};

enum class LineRead { kLine, kEnd, kTooLong, kError };

// Lines of a file descriptor, read in blocks. Unlike std::getline on
// std::cin (unbuffered while synced with stdio: about 10 MB/s), it is fast,
// and it never holds more than `max` bytes of a line: input without line
// breaks (a binary file, /dev/zero) ends in kTooLong, not in all the memory.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // The next line, without its '\n', into *line; a last line without one
  // counts. kError leaves errno set.
  LineRead Next(std::string* line, size_t max) {
    line->clear();
    bool any = false;
    for (;;) {
      if (pos_ == len_) {
        if (eof_) return any ? LineRead::kLine : LineRead::kEnd;
        ssize_t n = ::read(fd_, buf_, sizeof buf_);
        if (n < 0) {
          if (errno == EINTR) continue;
          return LineRead::kError;
        }
        if (n == 0) eof_ = true;
        pos_ = 0;
        len_ = static_cast<size_t>(n);
        continue;
      }
      const char* start = buf_ + pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
      const size_t take = nl != nullptr ? static_cast<size_t>(nl - start) : len_ - pos_;
      // + 1: room for the CR of a CRLF line end, as the CSV reader allows.
      if (line->size() + take > max + 1) return LineRead::kTooLong;
      line->append(start, take);
      pos_ += take;
      any = true;
      if (nl != nullptr) {
        ++pos_;
        return LineRead::kLine;
      }
    }
  }

  // Before the first Next: whether the first block holds a NUL byte, which
  // is how git and ripgrep tell a binary file. The block is kept for Next;
  // a read error is left for Next to report.
  bool LooksBinary() {
    while (len_ == 0 && !eof_) {
      ssize_t n = ::read(fd_, buf_, sizeof buf_);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (n == 0) eof_ = true;
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    return std::memchr(buf_, 0, len_) != nullptr;
  }

 private:
  int fd_;
  char buf_[64 * 1024];
  size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
};

std::string ShownBytes(int64_t bytes) {
  if (bytes >= (int64_t{1} << 20) && bytes % (int64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

Result<std::set<detect::Kind>> ParseKinds(const std::string& list) {
  std::set<detect::Kind> kinds;
  std::stringstream ss(list);
  std::string name;
  while (std::getline(ss, name, ',')) {
    if (name.empty()) continue;
    std::optional<detect::Kind> kind = detect::KindFromName(name);
    if (!kind) {
      std::string known;
      for (detect::Kind k : detect::AllKinds()) known += (known.empty() ? "" : ", ") + std::string(detect::KindName(k));
      return Status::Error("--kinds: unknown kind '" + name + "'; use one of: " + known);
    }
    kinds.insert(*kind);
  }
  return kinds;
}

// Scans lines and hands the hits that --kinds and --all keep to the
// renderer. The renderer's Begin waits for the first hit or the end, so an
// error found before any hit (git outside a repository, a damaged diff)
// leaves stdout empty instead of half a JSON document.
class HitPrinter {
 public:
  HitPrinter(const DetectOptions& opt, std::set<detect::Kind> kinds, report::DetectRenderer* renderer)
      : opt_(opt), kinds_(std::move(kinds)), renderer_(renderer) {}

  // `offset`: of the line in its file, -1 when unknown (a diff).
  void Line(const std::string& path, int64_t line_no, int64_t offset, std::string_view text) {
    hits_.clear();
    detect::ScanText(text, &hits_);
    for (const detect::Hit& h : hits_) {
      if (!kinds_.empty() && kinds_.count(h.kind) == 0) continue;
      if (!h.validated && !opt_.all) continue;
      std::string_view value(text.data() + h.offset, h.length);
      report::DetectHitRow row;
      row.path = path;
      row.line = line_no;
      row.column = static_cast<int64_t>(h.offset) + 1;
      row.offset = offset < 0 ? -1 : offset + static_cast<int64_t>(h.offset);
      row.length = static_cast<int64_t>(h.length);
      row.kind = h.kind;
      row.validated = h.validated;
      row.value = opt_.show_values ? std::string(value) : detect::MaskValue(value, h.kind);
      Begin();
      renderer_->Hit(row);
      ++shown_;
    }
  }

  // Completes the output; the exit code for what was found.
  int Finish() {
    Begin();
    renderer_->End(shown_);
    std::cout.flush();
    // -q (as grep -q): no hits on stdout; what failed the run is one line.
    if (opt_.quiet && shown_ > 0)
      std::cerr << "dpo: " << shown_ << (shown_ == 1 ? " hit" : " hits")
                << " of personal data; run without -q to see where\n";
    return shown_ > 0 ? kExitFindings : kExitOk;
  }

  // Completes what was printed (a JSON array stays valid JSON), then reports.
  int Fail(const Status& status) {
    if (begun_) renderer_->End(shown_);
    std::cout.flush();
    return ReportError(status);
  }

 private:
  void Begin() {
    if (!begun_) renderer_->Begin();
    begun_ = true;
  }

  const DetectOptions& opt_;
  std::set<detect::Kind> kinds_;
  report::DetectRenderer* renderer_;
  std::vector<detect::Hit> hits_;
  int64_t shown_ = 0;
  bool begun_ = false;
};

Status LineTooLong(const std::string& where, int64_t line_no, int64_t limit) {
  return Status::Error(where + ":" + std::to_string(line_no) + ": line longer than " + ShownBytes(limit) +
                       " (the --max-record-bytes limit); this is not text read line by line (binary data?). If the "
                       "line really is this long, raise the limit with --max-record-bytes");
}

// A directory or a closed stdin reads as empty: "nothing found" would let a
// pre-commit hook pass on input it never read.
Status CheckStdin(const char* instead) {
  struct stat st {};
  if (fstat(STDIN_FILENO, &st) != 0)
    return Status::Error(std::string("<stdin>: cannot read (") + std::strerror(errno) + "); pipe text in, or " + instead);
  if (S_ISDIR(st.st_mode))
    return Status::Error(std::string("<stdin> is a directory; pipe text in, or ") + instead);
  return Status::Ok();
}

// Scans the lines of `fd`; `where` names it in messages, `path` in hits.
// With `skip_binary`, a file whose first block holds a NUL is left out.
Status ScanLines(int fd, const std::string& where, const std::string& path, bool skip_binary,
                 const DetectOptions& opt, HitPrinter* printer) {
  auto reader = std::make_unique<LineReader>(fd);
  if (skip_binary && reader->LooksBinary()) return Status::Ok();
  const size_t max_line = static_cast<size_t>(opt.max_record_bytes);
  std::string line;
  int64_t line_no = 0, offset = 0;
  // Stops early when stdout failed (a closed pipe): nobody reads the rest.
  while (std::cout) {
    LineRead read = reader->Next(&line, max_line);
    if (read == LineRead::kEnd) break;
    if (read == LineRead::kError)
      return Status::Error(where + ":" + std::to_string(line_no + 1) + ": read error (" + std::strerror(errno) +
                           "); check the file and run again");
    ++line_no;
    if (read == LineRead::kTooLong) return LineTooLong(where, line_no, opt.max_record_bytes);
    const int64_t raw_length = static_cast<int64_t>(line.size()) + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    printer->Line(path, line_no, offset, line);
    offset += raw_length;
  }
  return Status::Ok();
}

// Scans the lines a unified diff read from `fd` adds, at their line in the
// new file.
Status ScanDiff(int fd, const std::string& where, const DetectOptions& opt, HitPrinter* printer) {
  auto reader = std::make_unique<LineReader>(fd);
  detect::UnifiedDiffReader diff;
  const size_t max_line = static_cast<size_t>(opt.max_record_bytes);
  std::string line, path;
  while (std::cout) {
    LineRead read = reader->Next(&line, max_line);
    if (read == LineRead::kEnd) break;
    if (read == LineRead::kError)
      return Status::Error(where + ":" + std::to_string(diff.lines_read() + 1) + ": read error (" +
                           std::strerror(errno) + "); check the input and run again");
    if (read == LineRead::kTooLong) return LineTooLong(where, diff.lines_read() + 1, opt.max_record_bytes);
    Result<std::optional<detect::AddedLine>> added = diff.Feed(line);
    if (!added.ok()) return added.status().WithContext(where + ":" + std::to_string(diff.lines_read()));
    if (!added->has_value()) continue;
    const detect::AddedLine& a = **added;
    if (path != a.path) path.assign(a.path);
    printer->Line(path, a.line, -1, a.text);
  }
  if (!std::cout) return Status::Ok();
  return diff.Finish().WithContext(where + ":" + std::to_string(diff.lines_read()));
}

// Outside a repository `git diff` turns into `git diff --no-index`, which
// only says "unknown option `cached'": ask git where the repository is
// first, for an error that says what is wrong.
Status CheckInsideGitRepository() {
  Result<std::unique_ptr<util::ChildProcess>> child = util::ChildProcess::Start({"git", "rev-parse", "--git-dir"});
  if (!child.ok()) return child.status();
  char buf[4096];
  while (::read((*child)->stdout_fd(), buf, sizeof buf) > 0) {
  }
  Result<util::ChildProcess::Exit> exit = (*child)->Wait();
  if (!exit.ok()) return exit.status();
  if (exit->code == 0) return Status::Ok();
  std::string said = exit->error_text.substr(0, exit->error_text.find('\n'));
  return Status::Error("the current directory is not inside a git repository (git: " +
                       (said.empty() ? "exit status " + std::to_string(exit->code) : said) +
                       "); run dpo detect --staged in your repository, or pass a diff with --diff FILE");
}

// `dpo detect --staged`: what `git commit` would add, from git itself. The
// flags make the output independent of the user's git configuration: no
// pager, colour, external diff or textconv program (their output is not the
// file), the default a/ b/ prefixes, and paths from the top of the
// repository even under diff.relative. -U0: context lines are not scanned
// anyway.
int RunStaged(const DetectOptions& opt, HitPrinter* printer) {
  Status inside = CheckInsideGitRepository();
  if (!inside.ok()) return printer->Fail(inside.WithContext("--staged"));
  const std::vector<std::string> argv = {"git",           "--no-pager",     "diff",          "--cached",
                                         "-U0",           "--no-color",     "--no-ext-diff", "--no-textconv",
                                         "--no-relative", "--src-prefix=a/", "--dst-prefix=b/"};
  Result<std::unique_ptr<util::ChildProcess>> child = util::ChildProcess::Start(argv);
  if (!child.ok()) return printer->Fail(child.status().WithContext("--staged"));
  Status scanned = ScanDiff((*child)->stdout_fd(), "git diff --cached", opt, printer);
  Result<util::ChildProcess::Exit> exit = (*child)->Wait();
  if (!exit.ok()) return printer->Fail(exit.status().WithContext("--staged"));
  // Stopped reading because stdout failed (| head): git then died of
  // SIGPIPE, which is ours, not git's, failure.
  if (!std::cout) return printer->Finish();
  if (exit->code != 0) {
    std::string said = exit->error_text.substr(0, exit->error_text.find('\n'));
    if (exit->code < 0) said = "stopped by signal " + std::to_string(exit->signal);
    return printer->Fail(Status::Error("--staged: git diff --cached failed (" +
                                       (said.empty() ? "exit status " + std::to_string(exit->code) : said) +
                                       "); run it yourself to see why"));
  }
  if (!scanned.ok()) return printer->Fail(scanned);
  return printer->Finish();
}

int RunDiff(const DetectOptions& opt, HitPrinter* printer) {
  if (opt.files.size() > 1)
    return printer->Fail(Status::Error("--diff reads one diff: pass one FILE, or '-' or none for stdin"));
  const std::string file = opt.files.empty() ? "-" : opt.files.front();
  int fd = STDIN_FILENO;
  std::string where = "<stdin>";
  if (file == "-") {
    Status ok = CheckStdin("pass the diff as FILE (git diff --cached | dpo detect --diff)");
    if (!ok.ok()) return printer->Fail(ok);
  } else {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return printer->Fail(Status::Error(file + " is a directory; --diff reads a diff file (git diff > FILE)"));
    fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return printer->Fail(Status::Error(file + ": cannot open for reading (" + std::strerror(errno) +
                                         "); check the path and permissions"));
    where = file;
  }
  Status scanned = ScanDiff(fd, where, opt, printer);
  if (fd != STDIN_FILENO) ::close(fd);
  if (!scanned.ok()) return printer->Fail(scanned);
  return printer->Finish();
}

struct Input {
  std::string path;     // "-": stdin
  bool walked = false;  // found in a directory: skipped if binary, never through a link
};

// The regular files under `dir`, sorted by name at each level (the same
// order on every machine). Skips .git (a directory, or the file of a
// worktree or submodule); does not follow symbolic links, so a walk never
// leaves the tree or loops; skips FIFOs, sockets and devices, whose reads
// can block or never end.
Status Walk(const std::string& dir, std::vector<Input>* out) {
  std::error_code ec;
  std::vector<std::pair<std::string, std::filesystem::file_type>> entries;
  std::filesystem::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name == ".git") continue;
    std::error_code type_ec;
    std::filesystem::file_status st = it->symlink_status(type_ec);
    if (type_ec) {
      ec = type_ec;
      break;
    }
    entries.emplace_back(std::move(name), st.type());
  }
  if (ec)
    return Status::Error(dir + ": cannot read the directory (" + ec.message() +
                         "); check its permissions, or leave it out");
  std::sort(entries.begin(), entries.end());
  const std::string prefix = !dir.empty() && dir.back() == '/' ? dir : dir + "/";
  for (const auto& [name, type] : entries) {
    if (type == std::filesystem::file_type::directory) {
      DPO_RETURN_IF_ERROR(Walk(prefix + name, out));
    } else if (type == std::filesystem::file_type::regular) {
      out->push_back(Input{prefix + name, true});
    }
  }
  return Status::Ok();
}

int RunFiles(const DetectOptions& opt, HitPrinter* printer) {
  // Every input is found before the first is read: a typo in the last
  // argument is an error before any output.
  std::vector<Input> inputs;
  for (const std::string& arg : opt.files.empty() ? std::vector<std::string>{"-"} : opt.files) {
    if (arg == "-") {
      inputs.push_back(Input{arg, false});
      continue;
    }
    struct stat st {};
    if (::stat(arg.c_str(), &st) != 0)
      return printer->Fail(Status::Error(arg + ": cannot open for reading (" + std::strerror(errno) +
                                         "); check the path and permissions"));
    if (S_ISDIR(st.st_mode)) {
      Status walked = Walk(arg, &inputs);
      if (!walked.ok()) return printer->Fail(walked);
    } else {
      inputs.push_back(Input{arg, false});
    }
  }
  for (const Input& in : inputs) {
    if (!std::cout) break;
    int fd = STDIN_FILENO;
    if (in.path == "-") {
      Status ok = CheckStdin("pass a FILE");
      if (!ok.ok()) return printer->Fail(ok);
    } else {
      // O_NOFOLLOW: a walked file replaced by a link since the walk is not
      // followed either.
      fd = ::open(in.path.c_str(), O_RDONLY | O_CLOEXEC | (in.walked ? O_NOFOLLOW : 0));
      if (fd < 0)
        return printer->Fail(Status::Error(in.path + ": cannot open for reading (" + std::strerror(errno) +
                                           "); check the path and permissions"));
    }
    const std::string where = in.path == "-" ? "<stdin>" : in.path;
    Status scanned = ScanLines(fd, where, in.path == "-" ? "" : in.path, in.walked, opt, printer);
    if (fd != STDIN_FILENO) ::close(fd);
    if (!scanned.ok()) return printer->Fail(scanned);
  }
  return printer->Finish();
}

int RunDetect(const DetectOptions& opt) {
  Status terms = detect::TermsStatus();
  if (!terms.ok()) return ReportError(terms);
  Result<std::set<detect::Kind>> kinds = ParseKinds(opt.kinds);
  if (!kinds.ok()) return ReportError(kinds.status());
  if (opt.diff && opt.staged) return ReportError(Status::Error("--diff and --staged: pass one of them"));
  if (opt.staged && !opt.files.empty())
    return ReportError(Status::Error("--staged reads what git has staged and takes no FILE; to scan files, "
                                     "leave out --staged"));
  if (opt.show_values && opt.format == "sarif")
    return ReportError(Status::Error("--show-values with --format sarif: SARIF never holds values (it is made "
                                     "to be uploaded); leave out --show-values, or use --format json"));
  // "PATH:" in text output wherever more than one file can show up; a
  // single FILE or stdin keeps the short "LINE:COL" form.
  bool with_path = opt.diff || opt.staged || opt.files.size() > 1;
  for (const std::string& f : opt.files) {
    struct stat st {};
    if (f != "-" && ::stat(f.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) with_path = true;
  }
  report::DetectRenderOptions render_options;
  render_options.with_path = with_path;
  // -q: the hits are counted, not printed.
  struct NullBuffer : std::streambuf {
    int overflow(int c) override { return traits_type::not_eof(c); }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
  };
  static NullBuffer null_buffer;
  static std::ostream discard(&null_buffer);
  std::unique_ptr<report::DetectRenderer> renderer =
      report::MakeDetectRenderer(opt.format, opt.quiet ? discard : std::cout, render_options);
  if (!renderer) {
    return ReportError(
        Status::Error("--format: unknown format '" + opt.format + "'; use text, json, jsonl or sarif"));
  }
  HitPrinter printer(opt, std::move(*kinds), renderer.get());
  if (opt.staged) return RunStaged(opt, &printer);
  if (opt.diff) return RunDiff(opt, &printer);
  return RunFiles(opt, &printer);
}

}  // namespace

void RegisterDetect(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<DetectOptions>();
  CLI::App* sub = app.add_subcommand(
      "detect",
      "Find personal data (e-mail, phone, IBAN, BSN, ..., special-category terms) in files, directories, stdin "
      "or the lines a diff adds");
  sub->add_option("FILE", opt->files,
                  "Files and directories to scan, read line by line ('-' or none: stdin); directories are walked "
                  "(skipping .git, binary files and symbolic links). With --diff: the diff file");
  sub->add_flag("--diff", opt->diff,
                "Read a unified diff (git diff) from FILE or stdin; scan only the lines it adds, reported as "
                "PATH:LINE of the new file");
  sub->add_flag("--staged", opt->staged,
                "Scan the lines staged for the next commit (runs git diff --cached in the current directory); "
                "for a pre-commit hook");
  sub->add_option("--format", opt->format,
                  "Output: text ([PATH:]LINE:COL KIND validated VALUE), json (array), jsonl, sarif (SARIF 2.1.0, "
                  "without values)")
      ->check(CLI::IsMember({"text", "json", "jsonl", "sarif"}));
  sub->add_option("--kinds", opt->kinds, "Only these kinds, comma-separated (email,iban,bsn,...)");
  sub->add_flag("--all", opt->all, "Also show unvalidated candidates (e.g. 9-digit numbers failing the BSN 11-check)");
  sub->add_option("--max-record-bytes", opt->max_record_bytes,
                  "Longest line read, in bytes (default 64 MiB); a longer one is an error, not unbounded memory")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  sub->add_flag("--show-values", opt->show_values,
                "Print raw values instead of masked ones (local debugging only: output then holds personal data)");
  AddVerbosityFlags(sub, &opt->quiet, &opt->verbose,
                    "Print no hits (as grep -q): nothing when none is found, one line on stderr with the count when "
                    "some are (exit 1)",
                    "Accepted for scripts: every hit is already printed");
  sub->footer(
      "Values are masked by default (j***@e***.nl, *******82). By default only validated hits are shown\n"
      "for kinds that have a validator (BSN 11-check, IBAN mod-97, Luhn, numbering plans, context for KvK\n"
      "and document numbers); --all adds the unvalidated candidates.\n"
      "Examples:\n  dpo detect logs/ --kinds email,iban\n  git diff main | dpo detect --diff\n"
      "  dpo detect --staged --format sarif > detect.sarif\n"
      "  dpo detect --staged -q   # a pre-commit hook that says only how many\n"
      "Exit codes: 0 nothing found; 1 hits found; 2 input error (missing file, bad option, damaged diff,\n"
      "--staged outside a git repository, -q with -v).\n"
      "Pre-commit hook: dpo detect --staged (only the lines the commit adds; scripts/pre-commit-hook.sh,\n"
      "docs/pre-commit.md).");
  sub->callback([opt, exit_code]() { *exit_code = RunDetect(*opt); });
}

}  // namespace dpo::cmd
