// OpenSource: one argument names a source; the prefix, then the file's first
// bytes, then its extension decide which kind.
#include <sys/stat.h>

#include <cstring>
#include <fstream>

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
  if (StartsWith(spec, "postgresql://") || StartsWith(spec, "postgres://"))
    return OpenPostgresSource(spec, options);
  if (StartsWith(spec, "sqlite:")) return OpenSqliteSource(spec.substr(7), options);
  if (StartsWith(spec, "csv:")) return OpenCsvSource(spec.substr(4), options);
  if (spec.empty()) return Status::Error("no source given; pass a SQLite file, a CSV file or directory, or a postgresql:// URI");

  struct stat st;
  if (::stat(spec.c_str(), &st) != 0) return Status::Error("no such file: " + spec);
  if (S_ISDIR(st.st_mode)) return OpenCsvSource(spec, options);
  if (HasSqliteHeader(spec)) return OpenSqliteSource(spec, options);
  if (EndsWithNoCase(spec, ".db") || EndsWithNoCase(spec, ".sqlite") || EndsWithNoCase(spec, ".sqlite3"))
    return OpenSqliteSource(spec, options);  // reports "not a SQLite database" with what to do
  if (EndsWithNoCase(spec, ".csv") || EndsWithNoCase(spec, ".tsv") || EndsWithNoCase(spec, ".txt"))
    return OpenCsvSource(spec, options);
  return Status::Error(spec + ": cannot tell what kind of source this is (not a SQLite file, not *.csv/*.tsv/*.txt); "
                       "prefix it with sqlite: or csv:");
}

// Removes the password from a postgresql:// URI (user:password@ and a
// password= query parameter) and from key=value connection strings.
std::string RedactSourceSpec(const std::string& spec) {
  std::string out = spec;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t authority = scheme + 3;
    size_t end = out.find_first_of("/?#", authority);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= authority) {
      size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  // password=... as a query parameter (&password=) or a conninfo keyword.
  for (size_t pos = 0; (pos = out.find("password", pos)) != std::string::npos;) {
    bool starts_word = pos == 0 || out[pos - 1] == '?' || out[pos - 1] == '&' || out[pos - 1] == ' ';
    size_t eq = pos + 8;
    while (eq < out.size() && out[eq] == ' ') ++eq;
    if (!starts_word || eq >= out.size() || out[eq] != '=') {
      pos += 8;
      continue;
    }
    size_t value = eq + 1;
    while (value < out.size() && out[value] == ' ') ++value;
    size_t end = value;
    if (end < out.size() && out[end] == '\'') {
      for (++end; end < out.size() && out[end] != '\''; ++end)
        if (out[end] == '\\') ++end;
      if (end < out.size()) ++end;
    } else {
      while (end < out.size() && out[end] != '&' && out[end] != ' ' && out[end] != '#') ++end;
    }
    out.replace(value, std::min(end, out.size()) - value, "***");
    pos = value + 3;
  }
  return out;
}

}  // namespace dpo::source
