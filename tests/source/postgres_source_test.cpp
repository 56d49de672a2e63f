// The PostgreSQL source against a throwaway PostgreSQL 15 server (pg_server.h).
#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "source/pg_server.h"
#include "source/postgres/postgres_source.h"
#include "source/sql_source_checks.h"

namespace {

using namespace dpo::testing;
using dpo::source::OpenOptions;
using dpo::source::OpenSource;

// A fresh database per test case, filled like the SQLite fixture.
std::string MakeFixture(PgServer& pg, const std::string& db) {
  std::string uri = pg.CreateDatabase(db);
  std::string error = pg.Exec(db, std::string(kSchemaSql) +
      "INSERT INTO customers SELECT i, 'user' || i || '@example.nl', "
      "CASE WHEN i % 10 = 0 THEN NULL ELSE 'Name ' || i END, '1980-01-01', '2024-01-01 10:00:00', "
      "i % 2 = 1, i * 0.5 FROM generate_series(1, 10000) AS s(i);"
      "INSERT INTO orders SELECT i, i, i * 1.25, 'note' FROM generate_series(1, 100) AS s(i);"
      "INSERT INTO order_lines SELECT id, 1, 'sku' FROM orders;"
      "ANALYZE;");
  REQUIRE_MESSAGE(error.empty(), error);
  return uri;
}

std::unique_ptr<dpo::source::Source> Open(const std::string& uri, bool read_only) {
  OpenOptions options;
  options.read_only = read_only;
  auto src = OpenSource(uri, options);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  return std::move(*src);
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

TEST_CASE("postgres: introspection, streaming, sampling, where") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = MakeFixture(*pg, "dpo_read");
  auto src = Open(uri, true);
  CHECK(src->kind() == dpo::source::SourceKind::kPostgres);
  CHECK(src->DisplayName() == "postgresql://postgres@127.0.0.1:" + std::to_string(pg->port()) + "/dpo_read");
  SUBCASE("introspection") { CheckIntrospection(*src); }
  SUBCASE("streaming") { CheckStreaming(*src); }
  SUBCASE("sampling") { CheckSampling(*src); }
  SUBCASE("where and count") { CheckWhere(*src); }
  SUBCASE("hostile identifiers") { CheckHostileIdentifiers(*src); }
  SUBCASE("read-only refuses to write") { CheckReadOnlyRefusesApply(*src); }
}

TEST_CASE("postgres: apply in one transaction") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = MakeFixture(*pg, "dpo_apply");
  auto src = Open(uri, false);
  CheckApply(*src);
  auto again = Open(uri, true);
  CHECK(MustCount(*again, "order_lines", std::nullopt) == 90);
}

TEST_CASE("postgres: a read-only connection cannot write even through raw SQL") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = MakeFixture(*pg, "dpo_ro");
  auto src = Open(uri, true);
  PGconn* handle = dpo::source::PostgresHandleForTesting(src.get());
  REQUIRE(handle != nullptr);
  PGresult* r = PQexec(handle, "DELETE FROM orders");
  CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR);
  CHECK(std::string(PQresultErrorMessage(r)).find("read-only") != std::string::npos);
  PQclear(r);
  CHECK(MustCount(*src, "orders", std::nullopt) == 100);
}

TEST_CASE("postgres: schemas, readers interleaved with other calls") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = MakeFixture(*pg, "dpo_schemas");
  REQUIRE(pg->Exec("dpo_schemas",
                   "CREATE SCHEMA crm; CREATE TABLE crm.contacts (id int PRIMARY KEY, customer_id int REFERENCES "
                   "public.customers(id), phone text, photo bytea, seen timestamptz, tags jsonb);"
                   "INSERT INTO crm.contacts VALUES (1, 1, '0612345678', '\\x00ff', now(), '{}');")
              .empty());
  auto src = Open(uri, true);
  auto tables = src->ListTables();
  REQUIRE(tables.ok());
  CHECK(std::find(tables->begin(), tables->end(), "crm.contacts") != tables->end());
  auto contacts = src->Describe("crm.contacts");
  REQUIRE_MESSAGE(contacts.ok(), contacts.status().message());
  using T = dpo::source::TypeClass;
  CHECK(contacts->FindColumn("photo")->type == T::kBlob);
  CHECK(contacts->FindColumn("seen")->type == T::kTimestamp);
  CHECK(contacts->FindColumn("tags")->type == T::kText);
  REQUIRE(contacts->foreign_keys.size() == 1);
  CHECK(contacts->foreign_keys[0].referenced_table == "customers");
  // A number-like text keeps its leading zero in a comparison.
  CHECK(MustCount(*src, "crm.contacts", Predicate::Compare(Predicate::Op::kEq, "phone", "0612345678")) == 1);

  // Two readers and a count interleaved on one connection.
  ReadRequest small;
  small.batch_rows = 10;
  small.columns = {"id"};
  auto a = src->Read("customers", small);
  auto b = src->Read("crm.contacts", ReadRequest{});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  RowBatch batch;
  REQUIRE(*(*a)->Next(&batch));
  CHECK(batch.num_rows() == 10);
  CHECK(MustCount(*src, "orders", std::nullopt) == 100);
  REQUIRE(*(*b)->Next(&batch));
  CHECK(batch.Cell(0, 3) == "\\x00ff");
  REQUIRE(*(*a)->Next(&batch));
  CHECK(batch.Cell(0, 0) == "11");
  a->reset();  // abandoned mid-way
  b->reset();
  CHECK(MustCount(*src, "customers", std::nullopt) == kCustomers);
}

TEST_CASE("postgres: connection errors never show the password") {
  OpenOptions options;
  SUBCASE("server down on a closed port") {
    int port = ClosedPort();
    std::string uri = "postgresql://dpo:TopSecret99@127.0.0.1:" + std::to_string(port) + "/crm";
    auto r = OpenSource(uri, options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "could not connect to postgresql://dpo@127.0.0.1:" + std::to_string(port) +
                                      "/crm: connection refused; is the server running and listening on that host "
                                      "and port?");
    CHECK(r.status().code() == dpo::StatusCode::kIoError);
    CHECK(r.status().message().find("TopSecret99") == std::string::npos);
  }
  SUBCASE("wrong password, unknown database, PGPASSWORD") {
    DPO_PG_SERVER_OR_SKIP(pg);
    pg->CreateDatabase("dpo_auth");
    std::string wrong = "postgresql://postgres:WrongHorse7@127.0.0.1:" + std::to_string(pg->port()) + "/dpo_auth";
    auto r = OpenSource(wrong, options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("password authentication failed") != std::string::npos);
    CHECK(r.status().message().find("WrongHorse7") == std::string::npos);
    CHECK(r.status().code() == dpo::StatusCode::kInvalidArgument);

    auto none = OpenSource(pg->Uri("dpo_auth", false), options);
    REQUIRE_FALSE(none.ok());
    CHECK(none.status().message().find("password") != std::string::npos);

    ::setenv("PGPASSWORD", PgServer::kPassword, 1);
    auto env = OpenSource(pg->Uri("dpo_auth", false), options);
    ::unsetenv("PGPASSWORD");
    REQUIRE_MESSAGE(env.ok(), env.status().message());
    CHECK((*env)->DisplayName().find(PgServer::kPassword) == std::string::npos);

    auto unknown = OpenSource(pg->Uri("no_such_db"), options);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.status().message().find("no_such_db") != std::string::npos);
    CHECK(unknown.status().message().find("does not exist") != std::string::npos);
    CHECK(unknown.status().message().find(PgServer::kPassword) == std::string::npos);
  }
  SUBCASE("a malformed URI") {
    auto r = OpenSource("postgresql://u:Pw%zz@host:notaport/db", options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("Pw%zz") == std::string::npos);
  }
}

TEST_CASE("postgres: a table that disappears, and server-side errors") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = MakeFixture(*pg, "dpo_gone");
  auto src = Open(uri, false);
  REQUIRE(src->Describe("order_lines").ok());
  REQUIRE(pg->Exec("dpo_gone", "DROP TABLE order_lines").empty());
  auto n = src->Count("order_lines", std::nullopt);
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().message().find("order_lines") != std::string::npos);
  // A literal of the wrong type is an error without the literal in it.
  auto bad = src->Count("customers", Predicate::Compare(Predicate::Op::kEq, "id", "jan@example.nl"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("jan@example.nl") == std::string::npos);
  CHECK(MustCount(*src, "customers", std::nullopt) == kCustomers);
}

}  // namespace
