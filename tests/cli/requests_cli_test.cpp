// `dpo requests` end to end, as an admin and the DPO's morning cron job run
// it: add -> list -> show -> update -> close, JSON that parses, exit 1 when
// something is overdue, exit 2 on bad input with nothing changed.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::RunDpo;
using dpo::testing::TempDir;

namespace {

const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";

// Runs `dpo requests ARGS... --register REGISTER` on a fixed day.
CliRun Requests(const TempDir& dir, const std::string& today, std::vector<std::string> args) {
  args.insert(args.begin(), "requests");
  args.push_back("--register");
  args.push_back(dir.File("requests.db"));
  return RunDpo(dir, args, {"DPO_TODAY=" + today});
}

nlohmann::json Json(const CliRun& run) {
  INFO(run.out);
  INFO(run.err);
  nlohmann::json j;
  CHECK_NOTHROW(j = nlohmann::json::parse(run.out));
  return j;
}

}  // namespace

TEST_CASE("requests cli: add, list, show, update, close; JSON everywhere") {
  TempDir dir("dpo-requests");
  const std::string day = "2026-03-10";

  // An erasure request, identity checked on arrival; an access request waiting for identity.
  CliRun add = Requests(dir, day,
                        {"add", "--type", "erasure", "--subject", "ticket 123", "--received", "2026-02-20",
                         "--identity-verified", "2026-02-21", "--policy", kPolicy});
  INFO(add.err);
  REQUIRE(add.exit_code == 0);
  CHECK(add.out.find("added request 1") != std::string::npos);
  CHECK(add.out.find("2026-03-21 (11 days left)") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(dir.File("requests.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  CliRun access =
      Requests(dir, day, {"add", "-t", "access", "-s", "J. Jansen", "--received", "2026-03-01", "--format", "json"});
  REQUIRE(access.exit_code == 0);
  nlohmann::json added = Json(access);
  CHECK(added["format"] == "dpo-request");
  CHECK(added["request"]["id"] == 2);
  CHECK(added["request"]["due"].is_null());
  CHECK(added["request"]["identity_pending"] == true);

  CliRun list = Requests(dir, day, {"list"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("ticket 123") != std::string::npos);
  CHECK(list.out.find("waiting for identity") != std::string::npos);
  CHECK(list.out.find("2 requests: 2 open, 0 overdue, 1 waiting for identity verification") != std::string::npos);

  nlohmann::json listed = Json(Requests(dir, day, {"list", "--format", "json"}));
  CHECK(listed["format"] == "dpo-requests");
  REQUIRE(listed["requests"].size() == 2);
  CHECK(listed["requests"][0]["due"] == "2026-03-21");
  CHECK(listed["requests"][0]["days_left"] == 11);

  CliRun show = Requests(dir, day, {"show", "2"});
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find("access (Art. 15)") != std::string::npos);
  CHECK(show.out.find("--identity-verified DATE") != std::string::npos);

  // Identity verified on the 3rd: due a month later; then extended by two months with a reason.
  CliRun verified = Requests(dir, day, {"update", "2", "--identity-verified", "2026-03-03", "--format", "json"});
  REQUIRE(verified.exit_code == 0);
  CHECK(Json(verified)["request"]["due"] == "2026-04-03");
  CliRun extended = Requests(
      dir, day,
      {"update", "2", "--extend", "2", "--reason", "twelve datasets", "--linked", "/srv/dsar/2", "--format", "json"});
  REQUIRE(extended.exit_code == 0);
  nlohmann::json ext = Json(extended);
  CHECK(ext["request"]["status"] == "extended");
  CHECK(ext["request"]["due"] == "2026-06-03");
  CHECK(ext["request"]["linked"] == "/srv/dsar/2");

  CliRun closed = Requests(dir, "2026-03-15", {"close", "1", "--outcome", "erased; invoices kept 7 years"});
  REQUIRE(closed.exit_code == 0);
  CHECK(closed.out.find("closed request 1") != std::string::npos);
  CHECK(closed.out.find("answered on time") != std::string::npos);
  nlohmann::json open_only = Json(Requests(dir, day, {"list", "--format", "json"}));
  REQUIRE(open_only["requests"].size() == 1);
  CHECK(open_only["requests"][0]["id"] == 2);
  nlohmann::json everything = Json(Requests(dir, "2026-03-15", {"list", "--all", "--format", "json"}));
  REQUIRE(everything["requests"].size() == 2);
  CHECK(everything["requests"][0]["status"] == "closed");
  CHECK(everything["requests"][0]["closed_on"] == "2026-03-15");
  CHECK(everything["requests"][0]["outcome"] == "erased; invoices kept 7 years");

  // The register path from the environment.
  CliRun env = RunDpo(dir, {"requests", "show", "1", "--format", "json"},
                      {"DPO_TODAY=" + day, "DPO_REGISTER=" + dir.File("requests.db")});
  REQUIRE(env.exit_code == 0);
  CHECK(Json(env)["request"]["type"] == "erasure");
}

TEST_CASE("requests cli: the morning cron job — exit 1 when overdue, quiet when nothing is due") {
  TempDir dir("dpo-requests");
  REQUIRE(Requests(dir, "2026-02-01",
                   {"add", "-t", "access", "-s", "ticket 7", "--received", "2026-01-31", "--identity-verified",
                    "2026-01-31"})
              .exit_code == 0);  // due 2026-02-28 (month end)
  REQUIRE(
      Requests(dir, "2026-02-01", {"add", "-t", "erasure", "-s", "ticket 8", "--received", "2026-02-01"}).exit_code ==
      0);  // identity pending: nothing due

  CliRun early = Requests(dir, "2026-02-10", {"list", "--due-within", "7d", "--quiet"});
  CHECK(early.exit_code == 0);
  CHECK(early.out.empty());  // a quiet day sends no mail
  CliRun week = Requests(dir, "2026-02-21", {"list", "--due-within", "7d"});
  CHECK(week.exit_code == 0);
  CHECK(week.out.find("ticket 7") != std::string::npos);
  CHECK(week.out.find("7 days") != std::string::npos);
  CliRun due_day = Requests(dir, "2026-02-28", {"list", "--overdue"});
  CHECK(due_day.exit_code == 0);
  CHECK(due_day.out.find("no overdue requests") != std::string::npos);

  CliRun overdue = Requests(dir, "2026-03-01", {"list", "--overdue", "--hide-subject"});
  CHECK(overdue.exit_code == 1);
  CHECK(overdue.out.find("OVERDUE 1 day") != std::string::npos);
  CHECK(overdue.out.find("ticket 7") == std::string::npos);
  CHECK(overdue.out.find("ticket 8") == std::string::npos);
  CliRun within = Requests(dir, "2026-03-01", {"list", "--due-within", "7d", "--format", "json"});
  CHECK(within.exit_code == 1);
  nlohmann::json j = Json(within);
  CHECK(j["overdue"] == 1);
  CHECK(j["requests"][0]["days_left"] == -1);
  // Looking ahead: on the 1st of February, what will be overdue on the 1st of March.
  CHECK(Requests(dir, "2026-02-01", {"list", "--overdue", "--as-of", "2026-03-01"}).exit_code == 1);
  // A plain list shows it too, but only the cron filters make it an exit status.
  CHECK(Requests(dir, "2026-03-01", {"list"}).exit_code == 0);

  // Closed: nothing overdue any more.
  REQUIRE(Requests(dir, "2026-03-02", {"close", "1", "--outcome", "package sent"}).exit_code == 0);
  CHECK(Requests(dir, "2026-03-02", {"list", "--overdue"}).exit_code == 0);
}

TEST_CASE("requests cli: bad input exits 2 with the flag named, and changes nothing") {
  TempDir dir("dpo-requests");
  const std::string day = "2026-03-10";
  std::string reg = dir.File("requests.db");

  // Nothing is created by a refused add.
  CliRun bad_date = Requests(dir, day, {"add", "-t", "erasure", "-s", "M. Bakker", "--received", "2026-02-30"});
  CHECK(bad_date.exit_code == 2);
  CHECK(bad_date.err.find("--received") != std::string::npos);
  CHECK(bad_date.err.find("YYYY-MM-DD") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(reg));

  REQUIRE(Requests(dir, day, {"add", "-t", "erasure", "-s", "M. Bakker", "--received", "2026-03-01"}).exit_code == 0);
  const std::string before = ReadFile(reg);

  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"add", "-t", "erase", "-s", "x"}, "--type"},
      {{"add", "-t", "erasure", "-s", ""}, "--subject"},
      {{"add", "-t", "erasure", "-s", "x", "--received", "10-03-2026"}, "--received"},
      {{"add", "-t", "erasure", "-s", "x", "--received", "2026-04-01"}, "after today"},
      {{"add", "-t", "erasure", "-s", "x", "--extend", "2"}, "--reason"},
      {{"update", "1", "--identity-verified", "yesterday"}, "--identity-verified"},
      {{"update", "1", "--identity-verified", "2026-02-01"}, "before the request was received"},
      {{"update", "1", "--extend", "3", "--reason", "x"}, "more than the policy allows"},
      {{"update", "1"}, "nothing to update"},
      {{"update", "7", "--notes", "x"}, "no request 7"},
      {{"show", "7"}, "no request 7"},
      {{"show", "one"}, "not a request id"},
      {{"close", "1", "--outcome", "done", "--on", "2026-3-1"}, "--on"},
      {{"close", "1", "--outcome", "done", "--on", "2026-02-01"}, "before the request was received"},
      {{"close", "7", "--outcome", "done"}, "no request 7"},
      {{"list", "--due-within", "a week"}, "--due-within"},
      {{"list", "--status", "pending"}, "--status"},
      {{"list", "--overdue", "--as-of", "tomorrow"}, "--as-of"},
      {{"list", "--format", "yaml"}, "--format"},
  };
  for (const Case& c : cases) {
    std::string joined;
    for (const std::string& a : c.args) joined += a + " ";
    INFO(joined);
    CliRun run = Requests(dir, day, c.args);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find(c.message) != std::string::npos);
    CHECK(run.err.find("M. Bakker") == std::string::npos);  // the subject label never reaches a message
    CHECK(run.out.empty());
  }
  CHECK(ReadFile(reg) == before);

  // No register given at all.
  CliRun none = RunDpo(dir, {"requests", "list"}, {"DPO_TODAY=" + day});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("--register") != std::string::npos);
  // A database that is not a register is refused and left alone.
  std::string sample = std::string(DPO_SOURCE_DIR) + "/samples/staffing.db";
  CliRun wrong = RunDpo(dir, {"requests", "list", "--register", sample}, {"DPO_TODAY=" + day});
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err.find("not a dpo request register") != std::string::npos);
}
