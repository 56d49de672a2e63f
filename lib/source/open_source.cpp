// OpenSource: one argument names a source; its spelling (a PostgreSQL URI or
// key=value string, a prefix, another scheme), then the file's first bytes,
// then its extension decide which kind.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "source/conninfo.h"
#include "source/csv/csv_source.h"
#include "source/postgres/postgres_source.h"
#include "source/source.h"
#include "source/sqlite/sqlite_source.h"

namespace dpo::source {

namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool EndsWithNoCase(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  if (s.size() < n) return false;
  return strncasecmp(s.c_str() + s.size() - n, suffix, n) == 0;
}

// A FIFO, socket or device as a source: open() on a FIFO blocks until a
// writer comes (forever, from a CI job), and none of them can be sampled,
// re-read or counted. stat() never blocks, so this is asked before any open.
Status RefuseSpecialFile(const std::string& path, const struct stat& st) {
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return Status::Ok();
  const char* what = S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                    : "not a regular file";
  return Status::Error(RedactSourceSpec(path) + ": is " + what +
                       ", not a file dpo can read as a source; save the data to a regular file first and pass that");
}

}  // namespace

bool HasSqliteHeader(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st{};
  char header[16] = {};
  const bool read = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::read(fd, header, sizeof header) == 16;
  ::close(fd);
  return read && std::memcmp(header, "SQLite format 3\0", 16) == 0;
}

Result<std::unique_ptr<Source>> OpenSource(const std::string& spec, const OpenOptions& options) {
  const SpecForm form = ClassifySourceSpec(spec);
  if (form == SpecForm::kPostgresUri || form == SpecForm::kPostgresKeyValue) return OpenPostgresSource(spec, options);
  if (StartsWith(spec, "sqlite:")) return OpenSqliteSource(spec.substr(7), options);
  if (StartsWith(spec, "csv:")) {
    struct stat st;
    if (::stat(spec.c_str() + 4, &st) == 0) DPO_RETURN_IF_ERROR(RefuseSpecialFile(spec.substr(4), st));
    return OpenCsvSource(spec.substr(4), options);
  }
  if (spec.empty()) return Status::Error("no source given; pass a SQLite file, a CSV file or directory, or a postgresql:// URI");
  // Never a file name: saying "no such file" would echo a password.
  if (form == SpecForm::kOtherUri)
    return Status::Error(RedactSourceSpec(spec) + ": unsupported source scheme '" + UriScheme(spec) +
                         "'; dpo reads SQLite files, CSV files/directories and postgresql:// URIs");

  struct stat st;
  if (::stat(spec.c_str(), &st) != 0) {
    std::string hint;
    if (spec.find('=') != std::string::npos)
      hint = "; a PostgreSQL connection string starts with a libpq keyword (host=, dbname=, user=, ...)";
    if (hint.empty()) hint = "; check the path (a SQLite file, a CSV file or directory), or give a postgresql:// URI";
    return Status::Error("no such file: " + RedactSourceSpec(spec) + hint, StatusCode::kNotFound);
  }
  DPO_RETURN_IF_ERROR(RefuseSpecialFile(spec, st));
  if (S_ISDIR(st.st_mode)) return OpenCsvSource(spec, options);
  if (HasSqliteHeader(spec)) return OpenSqliteSource(spec, options);
  if (EndsWithNoCase(spec, ".db") || EndsWithNoCase(spec, ".sqlite") || EndsWithNoCase(spec, ".sqlite3"))
    return OpenSqliteSource(spec, options);  // reports "not a SQLite database" with what to do
  if (EndsWithNoCase(spec, ".csv") || EndsWithNoCase(spec, ".tsv") || EndsWithNoCase(spec, ".txt"))
    return OpenCsvSource(spec, options);
  return Status::Error(spec + ": cannot tell what kind of source this is (not a SQLite file, not *.csv/*.tsv/*.txt); "
                       "prefix it with sqlite: or csv:");
}

// By parsing the spelling (conninfo.h), never by searching for a value.
std::string RedactSourceSpec(const std::string& spec) { return RedactConnectionSpec(spec); }

}  // namespace dpo::source
