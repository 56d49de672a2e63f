// The README quotes real output; where the quote carries a place
// (file:line:column) that moves whenever the draft changes, this test reruns
// the commands the README shows and compares.
#include <doctest/doctest.h>

#include <string>

#include "cli_util.h"

TEST_CASE("README: the quoted 'policy check' error of a fresh draft has the line and column dpo prints") {
  dpo::testing::TempDir dir;
  const std::string readme = dpo::testing::ReadFile(std::string(DPO_SOURCE_DIR) + "/README.md");
  const std::string tail = ": error: retention for candidates is TODO";
  const std::size_t at = readme.find(tail);
  REQUIRE_MESSAGE(at != std::string::npos, "README.md no longer quotes the retention TODO error");
  const std::size_t start = readme.rfind("draft.yaml:", at);
  REQUIRE(start != std::string::npos);
  const std::string quoted = readme.substr(start + std::string("draft.yaml").size(), at - start - 10);

  const std::string draft = dir.File("draft.yaml");
  REQUIRE(dpo::testing::RunDpo(dir, {"policy", "init", "samples/staffing.db", "--out", draft}).exit_code == 0);
  const auto check = dpo::testing::RunDpo(dir, {"policy", "check", draft});
  CHECK(check.exit_code == 2);
  const std::size_t got = check.err.find(tail);
  REQUIRE(got != std::string::npos);
  const std::size_t got_start = check.err.rfind("draft.yaml:", got);
  REQUIRE(got_start != std::string::npos);
  const std::string printed = check.err.substr(got_start + std::string("draft.yaml").size(), got - got_start - 10);
  CHECK_MESSAGE(quoted == printed, "README.md quotes draft.yaml", quoted, " but dpo prints draft.yaml", printed,
                ": update the README");
}
