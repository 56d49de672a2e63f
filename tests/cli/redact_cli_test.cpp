// Issue 7: read-only commands never leak what they read. Every spelling of a
// PostgreSQL connection string libpq accepts (and some it refuses) is given to
// the built binary against a server that is not there; the password must
// appear in neither stdout nor stderr, the error is one line naming the
// source, and unrelated words that contain the password stay whole.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_util.h"

namespace {

using dpo::testing::CliRun;
using dpo::testing::RunDpo;
using dpo::testing::TempDir;

// A loopback port nobody listens on: bound, then released.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Whether `secret` occurs in `text`. A password of 1-3 characters ("b",
// "for") is looked for as a word of its own, since it is part of words like
// "forbidden" that must stay whole.
bool Shows(const std::string& text, const std::string& secret) {
  if (secret.size() > 3) return text.find(secret) != std::string::npos;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 1)) {
    bool starts = at == 0 || !word(text[at - 1]);
    bool ends = at + secret.size() >= text.size() || !word(text[at + secret.size()]);
    if (starts && ends) return true;
  }
  return false;
}

struct Case {
  std::string name;
  std::string spec;
  std::vector<std::string> secrets;       // must not appear in stdout or stderr
  std::vector<std::string> must_show;     // must appear in stderr (host, database, whole words)
  std::vector<std::string> env = {};      // NAME=value for the dpo process
};

void CheckRun(const Case& c, const CliRun& run) {
  INFO(c.name << ": " << run.err);
  CHECK(run.exit_code == 2);
  CHECK(run.out.empty());
  CHECK(run.err.rfind("dpo: error: ", 0) == 0);
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  CHECK(run.err.find("no such file") == std::string::npos);
  CHECK(run.err.find("***idden") == std::string::npos);
  for (const std::string& s : c.secrets) {
    INFO("secret: " << s);
    CHECK_FALSE(Shows(run.err, s));
    CHECK_FALSE(Shows(run.out, s));
  }
  for (const std::string& s : c.must_show) {
    INFO("expected: " << s);
    CHECK(run.err.find(s) != std::string::npos);
  }
}

std::vector<Case> Cases(const TempDir& dir) {
  const std::string p = std::to_string(ClosedPort());
  const std::string p2 = std::to_string(ClosedPort());
  const std::string at = "127.0.0.1:" + p;
  const std::string refused = "could not connect to postgresql://";
  std::string passfile = dir.Write("pgpass", "127.0.0.1:" + p + ":*:*:S3cr3tFromFile\n");
  std::filesystem::permissions(passfile, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return {
      {"URI userinfo password", "postgresql://alice:S3cr3tUser@" + at + "/crm?connect_timeout=2", {"S3cr3tUser"},
       {refused + "alice@" + at + "/crm: connection refused"}},
      {"%-escaped password", "postgresql://alice:S3cr%40t%2Fpw@" + at + "/crm", {"S3cr%40t%2Fpw", "S3cr@t/pw", "S3cr"},
       {refused + "alice@" + at + "/crm"}},
      {"password= in the query", "postgresql://alice@" + at + "/crm?password=S3cr3tQuery&connect_timeout=2",
       {"S3cr3tQuery"}, {refused + "alice@" + at + "/crm:"}},
      {"both", "postgresql://alice:S3cr3tOne@" + at + "/crm?password=S3cr3tTwo", {"S3cr3tOne", "S3cr3tTwo"},
       {refused + "alice@" + at + "/crm:"}},
      {"IPv6 host", "postgresql://alice:S3cr3tV6@[::1]:" + p + "/crm?connect_timeout=2", {"S3cr3tV6"},
       {refused + "alice@[::1]:" + p + "/crm:"}},
      {"broken IPv6 host", "postgresql://alice@[::1/crm?password=S3cr3tG", {"S3cr3tG"},
       {"invalid PostgreSQL URI postgresql://alice@[::1/crm?password=***: end of string reached when looking for "
        "matching \"]\" in IPv6 host address in URI;"}},
      {"bad percent escape", "postgresql://alice:S3cr3t%zzJ@" + at + "/crm", {"S3cr3t%zzJ", "S3cr3t", "zzJ"},
       {"invalid PostgreSQL URI postgresql://alice@" + at + "/crm: invalid percent-encoded token;"}},
      {"upper-case scheme", "POSTGRESQL://alice:S3cr3tUp@" + at + "/crm", {"S3cr3tUp"},
       {refused + "alice@" + at + "/crm: connection refused"}},
      {"mixed-case scheme", "PostgreSQL://alice:S3cr3tMix@" + at + "/crm", {"S3cr3tMix"},
       {refused + "alice@" + at + "/crm: connection refused"}},
      {"postgres://", "postgres://alice:S3cr3tShort@" + at + "/crm", {"S3cr3tShort"},
       {refused + "alice@" + at + "/crm: connection refused"}},
      {"key=value", "host=127.0.0.1 port=" + p + " dbname=crm user=alice password=S3cr3tKv connect_timeout=2",
       {"S3cr3tKv"}, {refused + "alice@" + at + "/crm: connection refused"}},
      {"key = value with spaces around =", "host = 127.0.0.1 port = " + p + " dbname = crm password = S3cr3tSp",
       {"S3cr3tSp"}, {refused + at + "/crm: connection refused"}},
      {"quoted value", "host=127.0.0.1 port=" + p + " dbname=crm password='S3cr3t with spaces'",
       {"S3cr3t with spaces", "S3cr3t", "with spaces"}, {refused + at + "/crm: connection refused"}},
      {"quoted value with an escaped quote", "host=127.0.0.1 port=" + p + " dbname=crm password='it\\'s S3cr3t'",
       {"it\\'s S3cr3t", "it's S3cr3t", "S3cr3t"}, {refused + at + "/crm: connection refused"}},
      {"multiple hosts (URI)", "postgresql://alice:S3cr3tMulti@" + at + ",127.0.0.1:" + p2 + "/crm?connect_timeout=2",
       {"S3cr3tMulti"}, {refused + "alice@" + at + ",127.0.0.1:" + p2 + "/crm: connection refused"}},
      {"multiple hosts (key=value)",
       "host=127.0.0.1,127.0.0.1 port=" + p + "," + p2 + " password=S3cr3tKvMulti dbname=crm",
       {"S3cr3tKvMulti"}, {refused + at + ",127.0.0.1:" + p2 + "/crm: connection refused"}},
      {"password b", "postgresql://alice:b@" + at + "/forbidden", {"b"},
       {refused + "alice@" + at + "/forbidden: connection refused"}},
      {"password for", "host=127.0.0.1 port=" + p + " dbname=forbidden user=alice password=for", {"for"},
       {refused + "alice@" + at + "/forbidden: connection refused"}},
      {"mysql://", "mysql://root:S3cr3tMy@db.example/crm?password=S3cr3tMyQ", {"S3cr3tMy", "S3cr3tMyQ"},
       {"mysql://root@db.example/crm: unsupported source scheme 'mysql'; dpo reads SQLite files, CSV "
        "files/directories and postgresql:// URIs"}},
      {"another scheme", "https://u:S3cr3tHttps@example.org/export.csv?token=S3cr3tTok",
       {"S3cr3tHttps", "S3cr3tTok"}, {"https://u@example.org/export.csv: unsupported source scheme 'https'"}},
      {"PGPASSWORD", "postgresql://alice@" + at + "/crm", {"S3cr3tEnv"},
       {refused + "alice@" + at + "/crm: connection refused"}, {"PGPASSWORD=S3cr3tEnv"}},
      {"PGPASSFILE", "postgresql://alice@" + at + "/crm", {"S3cr3tFromFile"},
       {refused + "alice@" + at + "/crm: connection refused"}, {"PGPASSFILE=" + passfile}},
      {"raw '/' in the password", "postgresql://alice:a/S3cr3tSlash@" + at + "/crm", {"a/S3cr3tSlash", "S3cr3tSlash"},
       {"invalid PostgreSQL URI postgresql://alice@" + at + "/crm: it has an '@' that does not end"}},
      {"unquoted space in a key=value password", "host=127.0.0.1 port=" + p + " password=S3cr3t Part2 dbname=crm",
       {"S3cr3t", "Part2"}, {"invalid PostgreSQL connection string host=127.0.0.1 port=" + p + " password=*** ..."}},
      {"raw '&' in a query password", "postgresql://alice@" + at + "/crm?password=S3cr3t&Amp", {"S3cr3t", "Amp"},
       {"invalid PostgreSQL URI postgresql://alice@" + at + "/crm?password=***:"}},
      {"mistyped keyword", "host=127.0.0.1 passwrd=S3cr3tTypo", {"S3cr3tTypo"},
       {"invalid PostgreSQL connection string host=127.0.0.1 ...: invalid connection option;"}},
      {"not a libpq keyword first", "HOST=127.0.0.1 PASSWORD=S3cr3tCaps", {"S3cr3tCaps"}, {}},
  };
}

TEST_CASE("inspect: no spelling of a PostgreSQL connection string shows its password") {
  TempDir dir;
  std::vector<Case> cases = Cases(dir);
  REQUIRE(cases.size() >= 20);
  for (Case& c : cases) {
    if (c.name == "not a libpq keyword first") {
      // Treated as a file name; the message says so without the password.
      CliRun run = RunDpo(dir, {"inspect", c.spec}, c.env);
      INFO(run.err);
      CHECK(run.exit_code == 2);
      CHECK(run.err == "dpo: error: no such file: HOST=127.0.0.1 PASSWORD=***; a PostgreSQL connection string "
                       "starts with a libpq keyword (host=, dbname=, user=, ...)\n");
      continue;
    }
    CheckRun(c, RunDpo(dir, {"inspect", c.spec}, c.env));
  }
}

TEST_CASE("scan: the same spellings, the same guarantees") {
  TempDir dir;
  std::vector<Case> cases = Cases(dir);
  for (const Case& c : cases) {
    if (c.name != "bad percent escape" && c.name != "key=value" && c.name != "password b" && c.name != "mysql://" &&
        c.name != "broken IPv6 host" && c.name != "quoted value with an escaped quote")
      continue;
    CheckRun(c, RunDpo(dir, {"scan", c.spec}, c.env));
    CheckRun(c, RunDpo(dir, {"scan", "--format", "json", c.spec}, c.env));
  }
}

}  // namespace
