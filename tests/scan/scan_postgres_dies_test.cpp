// A PostgreSQL server that goes away in the middle of a scan (issue 12): the
// backend serving the scan is terminated again and again while the scan
// streams a large table. The scan must end with an error that says the
// connection was lost, never crash, hang or report a partial table as done.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "scan/scanner.h"
#include "source/pg_server.h"
#include "source/source.h"

TEST_CASE("postgres: a backend terminated in the middle of a full scan is an error, not a crash or a partial result") {
  DPO_PG_SERVER_OR_SKIP(pg);
  const std::string uri = pg->CreateDatabase("dpo_dies");
  REQUIRE(pg->Exec("dpo_dies",
                   "CREATE TABLE people (id bigint PRIMARY KEY, email text, note text);"
                   "INSERT INTO people SELECT g, 'person' || g || '@example.nl', "
                   "repeat('called about the contract ', 4) || g FROM generate_series(1, 400000) g;") == "");

  dpo::source::OpenOptions read_only;
  auto src = dpo::source::OpenSource(uri, read_only);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  dpo::scan::ScanOptions options;
  options.full = true;

  std::atomic<bool> done{false};
  std::thread killer([&] {
    // End every backend of the scanned database, again and again, whatever
    // it is doing (reading the schema, or fetching rows through a cursor).
    while (!done.load()) {
      pg->Exec("postgres",
               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
               "WHERE datname = 'dpo_dies' AND pid <> pg_backend_pid();");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  auto result = dpo::scan::RunScan(**src, options);
  done = true;
  killer.join();
  REQUIRE_FALSE(result.ok());
  const std::string message = result.status().message();
  INFO(message);
  CHECK_FALSE(message.empty());
  CHECK(message.find(dpo::testing::PgServer::kPassword) == std::string::npos);
}
