// dpo detect [FILE] [--format text|json|jsonl] [--kinds k1,k2] [--all] [--show-values]
//
// Scans a file or stdin line by line (streaming, any size) for personal data
// and prints each hit. Exit code 0 if nothing was found, 1 if something was
// (so it works as a pre-commit hook or CI step), 2 on bad input.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "detect/kind.h"
#include "detect/mask.h"
#include "detect/terms.h"
#include "detect/text_scanner.h"
#include "report/detect_report.h"
#include "util/exit_codes.h"

namespace dpo::cmd {
namespace {

struct DetectOptions {
  std::string file;
  std::string format = "text";
  std::string kinds;
  bool all = false;
  bool show_values = false;
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

int RunDetect(const DetectOptions& opt) {
  Status terms = detect::TermsStatus();
  if (!terms.ok()) return ReportError(terms);
  Result<std::set<detect::Kind>> kinds = ParseKinds(opt.kinds);
  if (!kinds.ok()) return ReportError(kinds.status());
  std::unique_ptr<report::DetectRenderer> renderer = report::MakeDetectRenderer(opt.format, std::cout);
  if (!renderer) {
    return ReportError(Status::Error("--format: unknown format '" + opt.format + "'; use text, json or jsonl"));
  }
  int fd = STDIN_FILENO;
  std::string where = "<stdin>";
  if (!opt.file.empty() && opt.file != "-") {
    fd = ::open(opt.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return ReportError(Status::Error(opt.file + ": cannot open for reading (" + std::strerror(errno) +
                                       "); check the path and permissions"));
    }
    where = opt.file;
  }
  struct CloseFile {
    int fd;
    ~CloseFile() {
      if (fd != STDIN_FILENO) ::close(fd);
    }
  } close_file{fd};

  // A directory or a closed stdin reads as empty: "nothing found" would let a
  // pre-commit hook pass on input it never read.
  struct stat st {};
  const bool from_stdin = fd == STDIN_FILENO;
  if ((from_stdin ? fstat(STDIN_FILENO, &st) : stat(opt.file.c_str(), &st)) != 0)
    return ReportError(Status::Error(where + ": cannot read (" + std::strerror(errno) + "); " +
                                     (from_stdin ? "pipe text in, or pass a FILE" : "check the path")));
  if (S_ISDIR(st.st_mode))
    return ReportError(Status::Error(where + " is a directory; pass a file, or pipe text in (" +
                                     std::string(from_stdin ? "dpo detect < FILE" : "dpo detect FILE") + ")"));
  renderer->Begin();
  std::string line;
  std::vector<detect::Hit> hits;
  int64_t line_no = 0, offset = 0, shown = 0;
  // Stops early when stdout failed (a closed pipe): nobody reads the rest.
  const size_t max_line = static_cast<size_t>(opt.max_record_bytes);
  auto reader = std::make_unique<LineReader>(fd);
  bool read_error = false;
  while (std::cout) {
    LineRead read = reader->Next(&line, max_line);
    if (read == LineRead::kEnd) break;
    if (read == LineRead::kError) {
      read_error = true;
      break;
    }
    ++line_no;
    if (read == LineRead::kTooLong) {
      renderer->End(shown);
      std::cout.flush();
      return ReportError(Status::Error(
          where + ":" + std::to_string(line_no) + ": line longer than " + ShownBytes(opt.max_record_bytes) +
          " (the --max-record-bytes limit); this is not text read line by line (binary data?). If the line "
          "really is this long, raise the limit with --max-record-bytes"));
    }
    size_t raw_length = line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    hits.clear();
    detect::ScanText(line, &hits);
    for (const detect::Hit& h : hits) {
      if (!kinds->empty() && kinds->count(h.kind) == 0) continue;
      if (!h.validated && !opt.all) continue;
      std::string_view value(line.data() + h.offset, h.length);
      report::DetectHitRow row;
      row.line = line_no;
      row.column = static_cast<int64_t>(h.offset) + 1;
      row.offset = offset + static_cast<int64_t>(h.offset);
      row.length = static_cast<int64_t>(h.length);
      row.kind = h.kind;
      row.validated = h.validated;
      row.value = opt.show_values ? std::string(value) : detect::MaskValue(value, h.kind);
      renderer->Hit(row);
      ++shown;
    }
    offset += static_cast<int64_t>(raw_length);
  }
  if (read_error) {
    renderer->End(shown);
    return ReportError(Status::Error(where + ":" + std::to_string(line_no + 1) +
                                     ": read error; check the file and run again"));
  }
  renderer->End(shown);
  std::cout.flush();
  return shown > 0 ? kExitFindings : kExitOk;
}

}  // namespace

void RegisterDetect(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<DetectOptions>();
  CLI::App* sub = app.add_subcommand(
      "detect", "Find personal data (e-mail, phone, IBAN, BSN, ..., special-category terms) in a file or stdin");
  sub->add_option("FILE", opt->file, "File to scan, read line by line ('-' or none: stdin)");
  sub->add_option("--format", opt->format, "Output: text (LINE:COL KIND validated VALUE), json (array), jsonl")
      ->check(CLI::IsMember({"text", "json", "jsonl"}));
  sub->add_option("--kinds", opt->kinds, "Only these kinds, comma-separated (email,iban,bsn,...)");
  sub->add_flag("--all", opt->all, "Also show unvalidated candidates (e.g. 9-digit numbers failing the BSN 11-check)");
  sub->add_option("--max-record-bytes", opt->max_record_bytes,
                  "Longest line read, in bytes (default 64 MiB); a longer one is an error, not unbounded memory")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  sub->add_flag("--show-values", opt->show_values,
                "Print raw values instead of masked ones (local debugging only: output then holds personal data)");
  sub->footer(
      "Values are masked by default (j***@e***.nl, *******82). By default only validated hits are shown\n"
      "for kinds that have a validator (BSN 11-check, IBAN mod-97, Luhn, numbering plans, context for KvK\n"
      "and document numbers); --all adds the unvalidated candidates.\n"
      "Exit codes: 0 nothing found; 1 hits found; 2 input error (missing file, bad option).\n"
      "Pre-commit hook: git diff --cached -U0 | dpo detect || { echo 'personal data staged'; exit 1; }");
  sub->callback([opt, exit_code]() { *exit_code = RunDetect(*opt); });
}

}  // namespace dpo::cmd
