// The write-path conformance suite on a real (throwaway) PostgreSQL server.
#include <doctest/doctest.h>

#include "source/pg_server.h"
#include "source/source.h"
#include "write_conformance.h"

using namespace dpo;

TEST_CASE("write conformance: PostgreSQL") {
  DPO_PG_SERVER_OR_SKIP(pg);
  static int counter = 0;
  testing::Backend backend{"postgresql", [pg](bool read_only) {
                             std::string db = "dpo_conf_" + std::to_string(++counter);
                             std::string uri = pg->CreateDatabase(db);
                             std::string error = pg->Exec(db, testing::ConformanceSql(false));
                             REQUIRE_MESSAGE(error.empty(), error);
                             source::OpenOptions options;
                             options.read_only = read_only;
                             auto src = source::OpenSource(uri, options);
                             REQUIRE_MESSAGE(src.ok(), src.status().message());
                             return std::move(*src);
                           },
                           {}};
  testing::RunWriteConformance(backend);
}
