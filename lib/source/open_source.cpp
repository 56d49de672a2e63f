// OpenSource: one argument names a source; its spelling (a PostgreSQL URI or
// key=value string, a prefix, another scheme), then the file's first bytes,
// then its extension decide which kind.
#include <sys/stat.h>

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

bool HasSqliteHeader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  if (!in.read(header, sizeof header)) return false;
  return std::memcmp(header, "SQLite format 3\0", 16) == 0;
}

}  // namespace

Result<std::unique_ptr<Source>> OpenSource(const std::string& spec, const OpenOptions& options) {
  const SpecForm form = ClassifySourceSpec(spec);
  if (form == SpecForm::kPostgresUri || form == SpecForm::kPostgresKeyValue) return OpenPostgresSource(spec, options);
  if (StartsWith(spec, "sqlite:")) return OpenSqliteSource(spec.substr(7), options);
  if (StartsWith(spec, "csv:")) return OpenCsvSource(spec.substr(4), options);
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
    return Status::Error("no such file: " + RedactSourceSpec(spec) + hint, StatusCode::kNotFound);
  }
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
