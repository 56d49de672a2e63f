// A throwaway PostgreSQL 15 server for tests: initdb into a temporary
// directory, pg_ctl start on a free loopback port (sockets in the same
// directory), stopped and removed at process exit also when tests fail.
//
// Running as root (CI, containers): initdb refuses root, so the server runs
// as an unprivileged uid through `setpriv` (util-linux): the user named by
// DPO_PG_USER, else "nobody". Nothing is installed or created.
// Binaries come from DPO_PG_BINDIR, else /usr/lib/postgresql/15/bin.
//
// Local (unix socket) connections are trusted; TCP connections need the
// password of user postgres (kPassword), so authentication can be tested.
//
// If the server cannot start, tests using DPO_PG_SERVER_OR_SKIP are skipped
// with a visible message, or FAIL when DPO_REQUIRE_POSTGRES=1.
#pragma once

#include <string>

namespace dpo::testing {

class PgServer {
 public:
  static constexpr const char* kPassword = "s3cret-Pw_42";

  // The server of this test process, started on first use; nullptr if it
  // could not start (then StartError() says why).
  static PgServer* Get();
  static const std::string& StartError();
  static bool Required();  // DPO_REQUIRE_POSTGRES=1
  // Prints why PostgreSQL tests are skipped to stderr (doctest hides MESSAGE
  // of passing tests), once per process.
  static void AnnounceSkip();

  ~PgServer();

  int port() const { return port_; }
  // postgresql://postgres:PASSWORD@127.0.0.1:PORT/db (or without the password).
  std::string Uri(const std::string& db, bool with_password = true) const;
  // Runs `sql` (several statements allowed) as superuser over the socket.
  // Returns "" on success, else the server's message.
  std::string Exec(const std::string& db, const std::string& sql) const;
  // Drops and creates database `name`; returns its URI (with password).
  std::string CreateDatabase(const std::string& name) const;

 private:
  PgServer() = default;
  bool Start(std::string* error);
  void Stop();

  std::string dir_;
  std::string bindir_;
  std::string run_as_;  // "setpriv ... --" prefix when running as root
  int port_ = 0;
  bool started_ = false;
};

}  // namespace dpo::testing

#define DPO_PG_SERVER_OR_SKIP(var)                                                            \
  ::dpo::testing::PgServer* var = ::dpo::testing::PgServer::Get();                           \
  if (var == nullptr) {                                                                       \
    if (::dpo::testing::PgServer::Required())                                                 \
      FAIL("DPO_REQUIRE_POSTGRES=1 but the test server did not start: "                     \
           << ::dpo::testing::PgServer::StartError());                                        \
    ::dpo::testing::PgServer::AnnounceSkip();                                                \
    MESSAGE("SKIPPED (no PostgreSQL test server: " << ::dpo::testing::PgServer::StartError() \
            << "; set DPO_REQUIRE_POSTGRES=1 to make this a failure)");                      \
    return;                                                                                   \
  }
