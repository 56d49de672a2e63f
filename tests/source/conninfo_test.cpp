// PostgreSQL connection strings (conninfo.h): classification, libpq-exact
// key=value parsing, display names and redaction by parsing, and that the
// source never shows a password, against libpq's own parser and a real server.
#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "source/conninfo.h"
#include "source/pg_server.h"
#include "source/source.h"

namespace {

using dpo::source::ClassifySourceSpec;
using dpo::source::ConnParam;
using dpo::source::ContainsSecret;
using dpo::source::OpenOptions;
using dpo::source::OpenSource;
using dpo::source::ParseKeyValueConnInfo;
using dpo::source::ParsePostgresConnInfo;
using dpo::source::PostgresDisplayName;
using dpo::source::RawSecretsOf;
using dpo::source::RedactSourceSpec;
using dpo::source::RemoveQuotedInput;
using dpo::source::SpecForm;

std::string Display(const std::string& spec) {
  auto params = ParsePostgresConnInfo(spec);
  REQUIRE_MESSAGE(params.ok(), params.status().message());
  return PostgresDisplayName(*params);
}

std::string ParseError(const std::string& spec) {
  auto params = ParsePostgresConnInfo(spec);
  REQUIRE_FALSE(params.ok());
  return params.status().message();
}

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

TEST_CASE("conninfo: which arguments are PostgreSQL connection strings") {
  const std::vector<std::pair<std::string, SpecForm>> cases = {
      {"postgresql://u@h/d", SpecForm::kPostgresUri},
      {"postgres://h", SpecForm::kPostgresUri},
      {"POSTGRESQL://a:pw@h/d", SpecForm::kPostgresUri},
      {"PostGres://h/d", SpecForm::kPostgresUri},
      {"host=h password=pw dbname=d", SpecForm::kPostgresKeyValue},
      {"  dbname = crm", SpecForm::kPostgresKeyValue},
      {"service=prod", SpecForm::kPostgresKeyValue},
      {"password='x y' host=h", SpecForm::kPostgresKeyValue},
      {"mysql://u:pw@h/db", SpecForm::kOtherUri},
      {"https://example.org/x.csv", SpecForm::kOtherUri},
      {"sqlite://crm.db", SpecForm::kOtherUri},
      {"crm.db", SpecForm::kPath},
      {"sqlite:crm.db", SpecForm::kPath},
      {"exports/", SpecForm::kPath},
      {"a=b.csv", SpecForm::kPath},            // not a libpq keyword
      {"HOST=h", SpecForm::kPath},             // libpq keywords are lower case
      {"host", SpecForm::kPath},               // no '='
      {"dir/host=h", SpecForm::kPath},
      {"1http://x", SpecForm::kPath},          // a scheme starts with a letter
      {"", SpecForm::kPath},
  };
  for (const auto& spec_form : cases) {  // (named: clang 14 cannot capture structured bindings)
    const auto& spec = std::get<0>(spec_form);
    const auto& form = std::get<1>(spec_form);
    INFO(spec);
    CHECK(ClassifySourceSpec(spec) == form);
  }
  CHECK(dpo::source::UriScheme("Mysql+SSL://h") == "Mysql+SSL");
  CHECK(dpo::source::UriScheme("c:/x") == "");
}

TEST_CASE("conninfo: key=value strings split exactly as libpq splits them") {
  auto p = ParseKeyValueConnInfo("host = h  password='a b\\'c' dbname=d\\ x user=''");
  REQUIRE(p.ok());
  REQUIRE(p->size() == 4);
  CHECK((*p)[0].keyword == "host");
  CHECK((*p)[0].value == "h");
  CHECK((*p)[1].value == "a b'c");
  CHECK((*p)[1].secret);
  CHECK_FALSE((*p)[0].secret);
  CHECK((*p)[2].value == "d x");
  CHECK((*p)[3].value == "");
  // Errors name an offset, never the text.
  auto missing = ParseKeyValueConnInfo("host=h S3cr3tWord");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("offset 7") != std::string::npos);
  CHECK(missing.status().message().find("S3cr3tWord") == std::string::npos);
  auto open = ParseKeyValueConnInfo("password='S3cr3t");
  REQUIRE_FALSE(open.ok());
  CHECK(open.status().message().find("S3cr3t") == std::string::npos);

  // Fuzz against libpq: random strings over the characters that matter; both
  // accept or both refuse, and agree on every value.
  static const char* const kWords[] = {"host", "password", "dbname", "user", "port", "="};
  static const char kChars[] = " =''\\\\abcXYZ\t";
  std::mt19937 rng(11);
  int compared = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int pieces = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < pieces; ++k)
      text += rng() % 3 == 0 ? std::string(kWords[rng() % 6]) : std::string(1, kChars[rng() % (sizeof kChars - 1)]);
    auto mine = ParseKeyValueConnInfo(text);
    char* error = nullptr;
    PQconninfoOption* theirs = PQconninfoParse(text.c_str(), &error);
    PQfreemem(error);
    bool keywords_known = mine.ok();
    if (mine.ok())
      for (const ConnParam& c : *mine) keywords_known = keywords_known && dpo::source::IsLibpqKeyword(c.keyword);
    INFO("text: [" << text << "]");
    if (!mine.ok()) CHECK(theirs == nullptr);
    if (keywords_known) {
      REQUIRE(theirs != nullptr);
      std::map<std::string, std::string> last;
      for (const ConnParam& c : *mine) last[c.keyword] = c.value;
      for (PQconninfoOption* o = theirs; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        CHECK(last[o->keyword] == o->val);
        ++compared;
      }
    }
    if (theirs != nullptr) PQconninfoFree(theirs);
  }
  CHECK(compared > 300);
}

TEST_CASE("conninfo: display names come from the parsed user, host, port and database only") {
  CHECK(Display("postgresql://alice:S3cr3t@[::1]:5432/crm?password=x&sslmode=require") ==
        "postgresql://alice@[::1]:5432/crm");
  CHECK(Display("POSTGRESQL://a:pw@h/d") == "postgresql://a@h/d");
  CHECK(Display("postgres://u:p%40ss@db.example:6432/hr") == "postgresql://u@db.example:6432/hr");
  CHECK(Display("postgresql://h1:5432,h2:5433/d") == "postgresql://h1:5432,h2:5433/d");
  CHECK(Display("host=h1,h2 port=5432 dbname=d") == "postgresql://h1:5432,h2:5432/d");
  CHECK(Display("host = h password = 'a b\\'c' dbname=forbidden user=b") == "postgresql://b@h/forbidden");
  CHECK(Display("hostaddr=10.0.0.1 port=5 dbname=crm") == "postgresql://10.0.0.1:5/crm");
  CHECK(Display("dbname='my db' user='o\\'neil' host=/var/run/postgresql") ==
        "postgresql://o%27neil@%2Fvar%2Frun%2Fpostgresql/my%20db");
  CHECK(Display("service=prod") == "postgresql://");
  CHECK(Display("postgresql://") == "postgresql://");
  // A database name that is itself a connection string loses its password too.
  CHECK(Display("dbname='postgresql://u:S3cr3t@h/d' host=h").find("S3cr3t") == std::string::npos);
  // Display names are one line whatever the values hold.
  CHECK(Display("dbname='a\nb' host=h") == "postgresql://h/a%0Ab");
}

TEST_CASE("conninfo: parse errors keep libpq's reason, never the text it quoted") {
  std::string ipv6 = ParseError("postgresql://alice@[::1/crm?password=S3cr3tG");
  CHECK(ipv6 ==
        "invalid PostgreSQL URI postgresql://alice@[::1/crm?password=***: end of string reached when looking for "
        "matching \"]\" in IPv6 host address in URI; write it as postgresql://user@host:port/database, with '@' "
        "written %40, '/' %2F and '%' %25 in the user name and password");
  std::string percent = ParseError("postgresql://u:S3cr3t%zzJ@h/d");
  CHECK(percent.find("invalid PostgreSQL URI postgresql://u@h/d: invalid percent-encoded token;") == 0);
  CHECK(percent.find("S3cr3t") == std::string::npos);
  CHECK(percent.find("zzJ") == std::string::npos);
  std::string nul = ParseError("postgresql://u:S3cr%00t@h/d");
  CHECK(nul.find("forbidden value %00 in percent-encoded value;") != std::string::npos);
  CHECK(nul.find("S3cr") == std::string::npos);
  std::string amp = ParseError("postgresql://h/d?password=S3cr3t&Amp");
  CHECK(amp.find("Amp") == std::string::npos);
  CHECK(amp.find("S3cr3t") == std::string::npos);
  std::string words = ParseError("host=h password=S3cr3t Part2 dbname=d");
  CHECK(words.find("invalid PostgreSQL connection string host=h password=*** ...: missing \"=\" after (...) in "
                   "connection info string;") == 0);
  CHECK(words.find("Part2") == std::string::npos);
  std::string quote = ParseError("host=h password='S3cr3t");
  CHECK(quote.find("unterminated quoted string in connection info string") != std::string::npos);
  CHECK(quote.find("S3cr3t") == std::string::npos);
  std::string option = ParseError("host=h passwrd=S3cr3tTypo");
  CHECK(option.find("invalid connection option (...)") == std::string::npos);  // at the end: dropped
  CHECK(option.find("invalid connection option;") != std::string::npos);
  CHECK(option.find("S3cr3tTypo") == std::string::npos);
  // An '@' libpq would not take as the end of the user part.
  for (std::string spec : {"postgresql://u:a/S3cr3t@h/d", "postgresql://u:p@S3cr3t@h/d", "postgresql://h/d?x=a@b"}) {
    std::string e = ParseError(spec);
    CHECK(e.find("'@' that does not end the user name and password") != std::string::npos);
    CHECK(e.find("S3cr3t") == std::string::npos);
  }
  std::string other = ParseError("mysql://u:S3cr3t@h/db");
  CHECK(other.find("S3cr3t") == std::string::npos);
}

TEST_CASE("conninfo: RemoveQuotedInput") {
  const std::string in = "postgresql://u:pa\"ss@h/d";
  CHECK(RemoveQuotedInput("invalid percent-encoded token: \"pa\"ss\"", in, {}) == "invalid percent-encoded token");
  CHECK(RemoveQuotedInput("missing \"=\" after \"pa\" in connection info string", in, {}) ==
        "missing \"=\" after (...) in connection info string");
  CHECK(RemoveQuotedInput("invalid integer value \"x\" for connection option \"port\"", "x", {}) ==
        "invalid integer value (...) for connection option \"port\"");
  // A keyword is kept only when it is not the password.
  CHECK(RemoveQuotedInput("option \"host\" here", "host", {"host"}) == "option (...) here");
  CHECK(RemoveQuotedInput("unbalanced \"quote and more", "x", {}) == "unbalanced");
  CHECK(RemoveQuotedInput("no quotes at all", "x", {}) == "no quotes at all");
  CHECK(ContainsSecret("for***idden", {"", "b"}) == false);
  CHECK(ContainsSecret("forbidden", {"b"}));
}

TEST_CASE("conninfo: RedactSourceSpec by parsing, for every spelling") {
  struct Case {
    std::string spec;
    std::string redacted;
    std::vector<std::string> secrets;
  };
  const std::vector<Case> cases = {
      {"postgresql://dpo:hunter2@db:5432/crm", "postgresql://dpo@db:5432/crm", {"hunter2"}},
      {"POSTGRESQL://dpo:hunter2@db/crm", "POSTGRESQL://dpo@db/crm", {"hunter2"}},
      {"postgres://dpo:p%40ss@db/crm?sslmode=require", "postgres://dpo@db/crm?sslmode=require", {"p%40ss", "p@ss"}},
      {"postgresql://dpo@db/crm?password=hunter2&sslmode=require", "postgresql://dpo@db/crm?password=***&sslmode=require",
       {"hunter2"}},
      {"postgresql://dpo:one1@db/crm?password=two2", "postgresql://dpo@db/crm?password=***", {"one1", "two2"}},
      {"postgresql://dpo@db/crm?pass%77ord=hunter2", "postgresql://dpo@db/crm?pass%77ord=***", {"hunter2"}},
      {"postgresql://dpo@db/crm?sslpassword=k3y&password=a&b&c=1&port=5", "postgresql://dpo@db/crm?sslpassword=***&password=***&port=5",
       {"k3y", "a&b&c=1"}},  // c is no libpq keyword: still part of the password
      {"postgresql://alice@[::1/crm?password=S3cr3tG", "postgresql://alice@[::1/crm?password=***", {"S3cr3tG"}},
      {"postgresql://alice:S3cr3t%zzJ@[::1]:5/crm", "postgresql://alice@[::1]:5/crm", {"S3cr3t%zzJ"}},
      {"postgresql://u:a/b?c#d@e@h/d", "postgresql://u@h/d", {"a/b?c#d@e"}},
      {"mysql://root:S3cr3t@db/crm?password=x&y=1", "mysql://root@db/crm", {"S3cr3t"}},
      {"https://example.org/x?token=T0k3n#frag", "https://example.org/x", {}},
      {"host=db password='a b\\'c' user=x", "host=db password=*** user=x", {"'a b\\'c'", "a b'c"}},
      {"host = db  password =hunter2", "host = db  password =***", {"hunter2"}},
      {"host=db sslpassword=k3y dbname=forbidden", "host=db sslpassword=*** dbname=forbidden", {"k3y"}},
      {"host=db password=my secret dbname=d", "host=db password=*** ...", {"my", "secret"}},
      {"host=db password='unterminated", "host=db password=***", {"'unterminated"}},
      {"host='db password=x", "...", {"'db password=x"}},
      {"HOST=db PASSWORD=hunter2", "HOST=db PASSWORD=***", {"hunter2"}},
      {"crm.db", "crm.db", {}},
      {"my file=x.csv", "my file=x.csv", {}},
      {"dir/password.csv", "dir/password.csv", {}},
      {"postgresql://db:5432/crm", "postgresql://db:5432/crm", {}},
  };
  for (const Case& c : cases) {
    INFO(c.spec);
    CHECK(RedactSourceSpec(c.spec) == c.redacted);
    std::vector<std::string> found = RawSecretsOf(c.spec);
    for (const std::string& s : c.secrets) {
      CHECK(RedactSourceSpec(c.spec).find(s) == std::string::npos);
      CHECK(std::find(found.begin(), found.end(), s) != found.end());
    }
  }
  // A short password is removed where it is written, and nowhere else.
  CHECK(RedactSourceSpec("postgresql://b:b@b/forbidden?password=b&application_name=b") ==
        "postgresql://b@b/forbidden?password=***&application_name=b");
  CHECK(RedactSourceSpec("host=for password=for dbname=forbidden") == "host=for password=*** dbname=forbidden");
}

TEST_CASE("conninfo: fuzz: a mistyped password never survives redaction") {
  std::mt19937 rng(7);
  const std::string secret = "SECRETpw";
  auto leaks = [&](const std::string& out) {
    for (size_t k = 0; k + 3 <= secret.size(); ++k)
      if (out.find(secret.substr(k, 3)) != std::string::npos) return true;
    return false;
  };
  const std::vector<std::pair<std::string, size_t>> bases = {
      {"postgresql://u:SECRETpw@h/d?x=1", 13},  // mutate after the scheme
      {"postgresql://u@h/d?password=SECRETpw&sslmode=require", 28},
      {"host=h password=SECRETpw dbname=d", 16},
      {"host=h password='SECRETpw' dbname=d", 16},
  };
  int parsed_by_libpq = 0;
  for (const auto& base_from : bases) {  // (named: clang 14 cannot capture structured bindings)
    const auto& base = std::get<0>(base_from);
    const auto& from = std::get<1>(base_from);
    for (int i = 0; i < 3000; ++i) {
      std::string spec = base;
      for (int k = 0; k < 3; ++k) {
        size_t at = from + rng() % (spec.size() - from);
        spec.insert(at, 1, "@:/?&= '\\%#[]"[rng() % 13]);
      }
      INFO(spec);
      std::string out = RedactSourceSpec(spec);
      CHECK_FALSE(leaks(out));
      auto params = ParsePostgresConnInfo(spec);
      if (params.ok()) {
        ++parsed_by_libpq;
        CHECK_FALSE(leaks(PostgresDisplayName(*params)));
      } else {
        CHECK_FALSE(leaks(params.status().message()));
      }
    }
  }
  CHECK(parsed_by_libpq > 1000);
}

TEST_CASE("conninfo: OpenSource routes every spelling and never says 'no such file' for a URI") {
  OpenOptions options;
  int port = ClosedPort();
  std::string p = std::to_string(port);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"POSTGRESQL://alice:S3cr3tUp@127.0.0.1:" + p + "/crm", "could not connect to postgresql://alice@127.0.0.1:" + p + "/crm: connection refused"},
      {"host=127.0.0.1 port=" + p + " dbname=crm password='S3cr3t x'", "could not connect to postgresql://127.0.0.1:" + p + "/crm: connection refused"},
      {"mysql://root:S3cr3tMy@db/crm", "mysql://root@db/crm: unsupported source scheme 'mysql'; dpo reads SQLite files, CSV files/directories and postgresql:// URIs"},
      {"ftp://x/S3cr3t.db", "ftp://x/S3cr3t.db: unsupported source scheme 'ftp'"},
  };
  for (const auto& spec_message : cases) {  // (named: clang 14 cannot capture structured bindings)
    const auto& spec = std::get<0>(spec_message);
    const auto& message = std::get<1>(spec_message);
    INFO(spec);
    auto r = OpenSource(spec, options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find(message) == 0);
    CHECK(r.status().message().find("no such file") == std::string::npos);
    CHECK(r.status().message().find("S3cr3tUp") == std::string::npos);
    CHECK(r.status().message().find("S3cr3t x") == std::string::npos);
    CHECK(r.status().message().find("S3cr3tMy") == std::string::npos);
  }
  auto typo = OpenSource("dbnme=crm password=S3cr3tTypo", options);
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.status().message().find("no such file: dbnme=crm password=***;") == 0);
}

TEST_CASE("conninfo: a real server through every spelling; the password never shows") {
  DPO_PG_SERVER_OR_SKIP(pg);
  pg->CreateDatabase("dpo_conninfo");
  const std::string port = std::to_string(pg->port());
  const std::string pw = dpo::testing::PgServer::kPassword;
  const std::string display = "postgresql://postgres@127.0.0.1:" + port + "/dpo_conninfo";
  OpenOptions options;
  for (const std::string& spec :
       {"POSTGRESQL://postgres:" + pw + "@127.0.0.1:" + port + "/dpo_conninfo",
        "postgres://postgres@127.0.0.1:" + port + "/dpo_conninfo?password=" + pw,
        "host=127.0.0.1 port=" + port + " dbname=dpo_conninfo user=postgres password=" + pw,
        "host = 127.0.0.1 port = " + port + " dbname = 'dpo_conninfo' user = postgres password = '" + pw + "'"}) {
    INFO(RedactSourceSpec(spec));
    auto src = OpenSource(spec, options);
    REQUIRE_MESSAGE(src.ok(), src.status().message());
    CHECK((*src)->DisplayName() == display);
    auto tables = (*src)->ListTables();
    CHECK(tables.ok());
  }
  // Wrong passwords, short ones included: refused, and never shown.
  for (const std::string& wrong : {std::string("b"), std::string("for"), std::string("Wr0ng pass'word")}) {
    std::string spec = "host=127.0.0.1 port=" + port + " dbname=dpo_conninfo user=postgres password='" +
                       (wrong == "Wr0ng pass'word" ? std::string("Wr0ng pass\\'word") : wrong) + "'";
    auto r = OpenSource(spec, options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "could not connect to postgresql://postgres@127.0.0.1:" + port +
                                      "/dpo_conninfo: password authentication failed for user postgres; check the "
                                      "password (in the connection string, PGPASSWORD or ~/.pgpass)");
  }
  // A password from a password file (PGPASSFILE) is used and not shown.
  dpo::testing::PgServer* server = pg;
  std::string passfile = (std::filesystem::temp_directory_path() / ("dpo-pgpass-" + std::to_string(::getpid()))).string();
  std::ofstream(passfile) << "127.0.0.1:" << server->port() << ":*:postgres:" << pw << "\n";
  std::filesystem::permissions(passfile, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ::setenv("PGPASSFILE", passfile.c_str(), 1);
  auto from_file = OpenSource("postgresql://postgres@127.0.0.1:" + port + "/dpo_conninfo", options);
  ::unsetenv("PGPASSFILE");
  std::filesystem::remove(passfile);
  REQUIRE_MESSAGE(from_file.ok(), from_file.status().message());
  CHECK((*from_file)->DisplayName() == display);
}

}  // namespace
