#include "source/pg_server.h"

#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

namespace dpo::testing {

namespace {

std::unique_ptr<PgServer>& Instance() {
  static std::unique_ptr<PgServer> server;
  return server;
}
std::string& ErrorText() {
  static std::string error;
  return error;
}
bool tried = false;

void StopAtExit() { Instance().reset(); }

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  return text;
}

}  // namespace

PgServer* PgServer::Get() {
  if (!tried) {
    tried = true;
    std::unique_ptr<PgServer> server(new PgServer());
    std::string error;
    if (server->Start(&error)) {
      Instance() = std::move(server);
      std::atexit(StopAtExit);
    } else {
      ErrorText() = error;
    }
  }
  return Instance().get();
}

const std::string& PgServer::StartError() { return ErrorText(); }

bool PgServer::Required() {
  const char* v = std::getenv("DPO_REQUIRE_POSTGRES");
  return v != nullptr && std::string(v) == "1";
}

void PgServer::AnnounceSkip() {
  static bool announced = false;
  if (announced) return;
  announced = true;
  std::fprintf(stderr, "*** PostgreSQL tests SKIPPED: %s (set DPO_REQUIRE_POSTGRES=1 to fail instead)\n",
               StartError().c_str());
}

PgServer::~PgServer() { Stop(); }

bool PgServer::Start(std::string* error) {
  const char* bindir = std::getenv("DPO_PG_BINDIR");
  bindir_ = bindir ? bindir : "/usr/lib/postgresql/15/bin";
  if (::access((bindir_ + "/initdb").c_str(), X_OK) != 0) {
    *error = bindir_ + "/initdb not found (install postgresql-15 or set DPO_PG_BINDIR)";
    return false;
  }
  char tmpl[] = "/tmp/dpo-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    *error = "cannot create a temporary directory";
    return false;
  }
  dir_ = tmpl;
  if (::geteuid() == 0) {
    const char* user = std::getenv("DPO_PG_USER");
    struct passwd* pw = ::getpwnam(user ? user : "nobody");
    if (pw == nullptr) {
      *error = std::string("running as root and user ") + (user ? user : "nobody") + " does not exist";
      return false;
    }
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      *error = "cannot chown " + dir_;
      return false;
    }
    run_as_ = "setpriv --reuid=" + std::to_string(pw->pw_uid) + " --regid=" + std::to_string(pw->pw_gid) +
              " --clear-groups -- ";
  }
  {
    std::ofstream pw(dir_ + "/pw");
    pw << kPassword << "\n";
  }
  if (!run_as_.empty()) {
    struct stat st;
    ::stat(dir_.c_str(), &st);
    if (::chown((dir_ + "/pw").c_str(), st.st_uid, st.st_gid) != 0) {
      *error = "cannot chown the password file";
      return false;
    }
  }
  std::string init = run_as_ + bindir_ + "/initdb -D " + dir_ + "/data -U postgres --auth-local=trust " +
                     "--auth-host=scram-sha-256 --pwfile=" + dir_ + "/pw -E UTF8 --no-locale --no-sync > " + dir_ +
                     "/initdb.log 2>&1";
  if (std::system(init.c_str()) != 0) {
    *error = "initdb failed: " + Slurp(dir_ + "/initdb.log");
    return false;
  }
  for (int attempt = 0; attempt < 3 && !started_; ++attempt) {
    port_ = FreePort();
    std::string start = run_as_ + bindir_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 30 " +
                        "-o \"-p " + std::to_string(port_) + " -k " + dir_ +
                        " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" start > " + dir_ +
                        "/pg_ctl.log 2>&1";
    started_ = std::system(start.c_str()) == 0;
  }
  if (!started_) {
    *error = "pg_ctl start failed: " + Slurp(dir_ + "/server.log");
    return false;
  }
  return true;
}

void PgServer::Stop() {
  if (started_) {
    std::string stop = run_as_ + bindir_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop > /dev/null 2>&1";
    if (std::system(stop.c_str()) != 0) {
      // Fall back to the pid file so that no server outlives the tests.
      std::ifstream pid_file(dir_ + "/data/postmaster.pid");
      long pid = 0;
      if (pid_file >> pid && pid > 0) ::kill(static_cast<pid_t>(pid), SIGQUIT);
    }
    started_ = false;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

std::string PgServer::Uri(const std::string& db, bool with_password) const {
  return std::string("postgresql://postgres") + (with_password ? std::string(":") + kPassword : "") +
         "@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string PgServer::Exec(const std::string& db, const std::string& sql) const {
  const char* keys[] = {"host", "port", "user", "dbname", nullptr};
  std::string port = std::to_string(port_);
  const char* values[] = {dir_.c_str(), port.c_str(), "postgres", db.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 0);
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  return error;
}

std::string PgServer::CreateDatabase(const std::string& name) const {
  Exec("postgres", "DROP DATABASE IF EXISTS \"" + name + "\"");
  Exec("postgres", "CREATE DATABASE \"" + name + "\"");
  return Uri(name);
}

}  // namespace dpo::testing
