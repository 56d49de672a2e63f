// The request register: deadlines as Art. 12(3) counts them (the clock waits
// for identity verification; calendar months end on the last day of a short
// month; an extension only with its reason), the cron job's filters, and a
// real SQLite file that bad input never changes and others cannot read.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "dsar/request_register.h"
#include "report/request_report.h"

using dpo::StatusCode;
using dpo::dsar::DeadlineOf;
using dpo::dsar::DeadlineRules;
using dpo::dsar::DueDate;
using dpo::dsar::Request;
using dpo::dsar::RequestFilter;
using dpo::dsar::RequestRegister;
using dpo::dsar::RequestStatus;
using dpo::dsar::RequestType;
using dpo::testing::ReadFile;
using dpo::testing::TempDir;
using dpo::util::Date;
using dpo::util::Duration;

namespace {

Date D(const char* iso) {
  auto d = dpo::util::ParseIsoDate(iso);
  REQUIRE(d.ok());
  return *d;
}

std::string Iso(const std::optional<Date>& d) { return d ? d->ToIso() : "none"; }

Request Received(const char* received, std::optional<const char*> verified = std::nullopt) {
  Request r;
  r.type = RequestType::kErasure;
  r.subject = "J. de Vries";
  r.received = D(received);
  if (verified) r.identity_verified_on = D(*verified);
  return r;
}

int Mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}

RequestRegister OpenNew(const std::string& path) {
  auto reg = RequestRegister::Open(path, true);
  REQUIRE_MESSAGE(reg.ok(), reg.status().message());
  return std::move(reg).value();
}

Request MustAdd(RequestRegister& reg, Request r, const Date& today = D("2026-03-10")) {
  auto added = reg.Add(std::move(r), DeadlineRules{}, today);
  REQUIRE_MESSAGE(added.ok(), added.status().message());
  return *added;
}

std::vector<int64_t> Ids(const std::vector<Request>& requests) {
  std::vector<int64_t> ids;
  for (const Request& r : requests) ids.push_back(r.id);
  return ids;
}

void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

}  // namespace

TEST_CASE("register deadline: starts when identity is verified, calendar months, month ends") {
  const Duration month = Duration::Months(1), two = Duration::Months(2);
  // The clock has not started while identity is pending.
  CHECK_FALSE(DueDate(Received("2026-01-15"), month, two).has_value());
  // ...unless the policy needs no identity check: then it runs from receipt.
  CHECK(Iso(DueDate(Received("2026-01-15"), month, two, false)) == "2026-02-15");
  // Verified later: the period runs from the verification, not the receipt.
  CHECK(Iso(DueDate(Received("2026-01-15", "2026-01-20"), month, two)) == "2026-02-20");
  // Month-end arithmetic: January 31st + 1 month is the last day of February.
  CHECK(Iso(DueDate(Received("2026-01-31", "2026-01-31"), month, two)) == "2026-02-28");
  CHECK(Iso(DueDate(Received("2028-01-31", "2028-01-31"), month, two)) == "2028-02-29");  // leap year
  CHECK(Iso(DueDate(Received("2026-12-15", "2026-12-15"), month, two)) == "2027-01-15");  // year end
  // A policy's own period.
  CHECK(Iso(DueDate(Received("2026-01-15", "2026-01-15"), Duration::Days(30), two)) == "2026-02-14");
}

TEST_CASE("register deadline: an extension counts only with its reason, never beyond the policy's") {
  const Duration month = Duration::Months(1), two = Duration::Months(2);
  Request r = Received("2026-01-10", "2026-01-12");
  r.extension_months = 2;
  CHECK(Iso(DueDate(r, month, two)) == "2026-02-12");  // no reason recorded: not extended
  r.extension_reason = "complex: twelve datasets";
  CHECK(Iso(DueDate(r, month, two)) == "2026-04-12");
  // The extended period counts from the start, as the package summary does: Jan 31 + 3 months -> Apr 30.
  Request end = Received("2026-01-31", "2026-01-31");
  end.extension_months = 2;
  end.extension_reason = "numerous requests";
  CHECK(Iso(DueDate(end, month, two)) == "2026-04-30");
  // The policy shrank to one month after the extension was recorded: one month counts.
  CHECK(Iso(DueDate(r, month, Duration::Months(1))) == "2026-03-12");
  CHECK(Iso(DueDate(r, month, Duration::Weeks(6))) == "2026-03-12");  // 6 weeks hold one whole 30-day month
  CHECK(dpo::dsar::MaxExtensionMonths(Duration::Years(1)) == 12);
}

TEST_CASE("register deadline: overdue the day after it is due; finished requests are on time or late") {
  DeadlineRules rules;
  Request r = Received("2026-01-31", "2026-01-31");  // due 2026-02-28
  auto on_due_day = DeadlineOf(r, rules, D("2026-02-28"));
  CHECK_FALSE(on_due_day.overdue);
  CHECK(on_due_day.days_left == 0);
  auto day_after = DeadlineOf(r, rules, D("2026-03-01"));
  CHECK(day_after.overdue);
  CHECK(day_after.days_left == -1);
  auto pending = DeadlineOf(Received("2026-01-01"), rules, D("2026-12-31"));
  CHECK(pending.identity_pending);
  CHECK_FALSE(pending.overdue);  // waiting for the subject is not overdue

  r.status = RequestStatus::kClosed;
  r.closed_on = D("2026-03-02");
  r.outcome = "erased";
  auto closed = DeadlineOf(r, rules, D("2026-06-01"));
  CHECK_FALSE(closed.overdue);
  CHECK(closed.answered_late);
  r.closed_on = D("2026-02-28");
  CHECK_FALSE(DeadlineOf(r, rules, D("2026-06-01")).answered_late);
}

TEST_CASE("register file: created 0600 with a version table; requests round-trip and keep their ids") {
  TempDir dir("dpo-register");
  std::string path = dir.File("requests.db");
  {
    RequestRegister reg = OpenNew(path);
    Request first = Received("2026-03-01", "2026-03-02");
    first.linked = "/srv/dsar/packages/1";
    first.notes = "asked by e-mail\nsecond line";
    CHECK(MustAdd(reg, first).id == 1);
    Request second = Received("2026-03-05");
    second.type = RequestType::kPortability;
    second.extension_months = 1;
    second.extension_reason = "many datasets";
    Request added = MustAdd(reg, second);
    CHECK(added.id == 2);
    CHECK(added.status == RequestStatus::kExtended);  // the status follows the extension
  }
  CHECK(Mode(path) == 0600);
  // The journal SQLite left behind (if any) is no more readable than the file.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path))
    if (entry.path().filename().string().rfind("requests.db", 0) == 0) CHECK(Mode(entry.path().string()) == 0600);

  auto reopened = RequestRegister::Open(path, false);
  REQUIRE(reopened.ok());
  auto got = reopened->Get(1);
  REQUIRE(got.ok());
  CHECK(got->type == RequestType::kErasure);
  CHECK(got->subject == "J. de Vries");
  CHECK(got->received == D("2026-03-01"));
  CHECK(Iso(got->identity_verified_on) == "2026-03-02");
  CHECK(got->linked == "/srv/dsar/packages/1");
  CHECK(got->notes == "asked by e-mail\nsecond line");
  CHECK(got->status == RequestStatus::kOpen);
  auto second = reopened->Get(2);
  REQUIRE(second.ok());
  CHECK(second->type == RequestType::kPortability);
  CHECK_FALSE(second->identity_verified_on.has_value());
  CHECK(second->extension_months == 1);
  CHECK(second->extension_reason == "many datasets");

  // The version table says what the file is.
  std::string bytes = ReadFile(path);
  CHECK(bytes.rfind("SQLite format 3", 0) == 0);
  CHECK(bytes.find("dpo-request-register") != std::string::npos);
}

TEST_CASE("register list: status, overdue and due-within filters as the morning cron job uses them") {
  TempDir dir("dpo-register");
  RequestRegister reg = OpenNew(dir.File("requests.db"));
  const Date today = D("2026-03-10");
  MustAdd(reg, Received("2026-01-31", "2026-01-31"), today);  // 1: due 02-28, overdue
  MustAdd(reg, Received("2026-02-10", "2026-02-17"), today);  // 2: due 03-17: exactly 7 days left
  MustAdd(reg, Received("2026-02-10", "2026-02-18"), today);  // 3: due 03-18: 8 days left
  MustAdd(reg, Received("2026-01-02"), today);                // 4: identity pending: nothing due
  MustAdd(reg, Received("2026-02-10", "2026-02-10"), today);  // 5: due 03-10: today
  auto closed = reg.Close(1, RequestStatus::kClosed, today, "erased", DeadlineRules{}, today);
  REQUIRE(closed.ok());
  MustAdd(reg, Received("2026-01-05", "2026-01-05"), today);  // 6: due 02-05, overdue

  DeadlineRules rules;
  auto list = [&](RequestFilter filter) {
    filter.as_of = today;
    auto result = reg.List(filter, rules);
    REQUIRE_MESSAGE(result.ok(), result.status().message());
    return Ids(*result);
  };
  RequestFilter all;
  CHECK(list(all) == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
  RequestFilter open;
  open.statuses = {RequestStatus::kOpen, RequestStatus::kExtended};
  CHECK(list(open) == std::vector<int64_t>{2, 3, 4, 5, 6});
  RequestFilter closed_only;
  closed_only.statuses = {RequestStatus::kClosed};
  CHECK(list(closed_only) == std::vector<int64_t>{1});

  RequestFilter overdue;
  overdue.overdue_only = true;
  CHECK(list(overdue) == std::vector<int64_t>{6});  // 1 was overdue but is closed; 5 is due today
  RequestFilter week;
  week.due_within = Duration::Days(7);
  CHECK(list(week) == std::vector<int64_t>{2, 5, 6});  // overdue ones included; 3 is a day too far
  week.due_within = Duration::Weeks(1);
  CHECK(list(week) == std::vector<int64_t>{2, 5, 6});
  RequestFilter both = week;
  both.overdue_only = true;
  CHECK(list(both) == std::vector<int64_t>{6});
  // A day later, request 5 is overdue too.
  overdue.as_of = D("2026-03-11");
  auto later = reg.List(overdue, rules);
  REQUIRE(later.ok());
  CHECK(Ids(*later) == std::vector<int64_t>{5, 6});
  // Without an identity check the clock of request 4 ran from receipt: long overdue.
  DeadlineRules no_check;
  no_check.identity_check = false;
  overdue.as_of = today;
  auto unchecked = reg.List(overdue, no_check);
  REQUIRE(unchecked.ok());
  CHECK(Ids(*unchecked) == std::vector<int64_t>{4, 6});
}

TEST_CASE("register update and close: identity, extension, outcome; finished stays finished") {
  TempDir dir("dpo-register");
  RequestRegister reg = OpenNew(dir.File("requests.db"));
  const Date today = D("2026-03-10");
  DeadlineRules rules;
  Request r = MustAdd(reg, Received("2026-03-01"), today);
  CHECK_FALSE(DeadlineOf(r, rules, today).due.has_value());

  r.identity_verified_on = D("2026-03-04");
  auto verified = reg.Update(r, rules, today);
  REQUIRE(verified.ok());
  CHECK(Iso(DeadlineOf(*verified, rules, today).due) == "2026-04-04");

  r = *verified;
  r.extension_months = 2;
  r.extension_reason = "complex";
  auto extended = reg.Update(r, rules, today);
  REQUIRE(extended.ok());
  CHECK(extended->status == RequestStatus::kExtended);
  CHECK(Iso(DeadlineOf(*reg.Get(r.id), rules, today).due) == "2026-06-04");

  r = *extended;
  r.extension_months = 0;
  auto undone = reg.Update(r, rules, today);
  REQUIRE(undone.ok());
  CHECK(undone->status == RequestStatus::kOpen);

  auto refused =
      reg.Close(r.id, RequestStatus::kRefused, today, "manifestly unfounded: third request this month", rules, today);
  REQUIRE(refused.ok());
  CHECK(refused->status == RequestStatus::kRefused);
  CHECK(Iso(refused->closed_on) == "2026-03-10");
  // Closing twice is refused and changes nothing.
  auto again = reg.Close(r.id, RequestStatus::kClosed, today, "x", rules, today);
  CHECK_FALSE(again.ok());
  CHECK(again.status().code() == StatusCode::kInvalidArgument);
  CHECK(reg.Get(r.id)->status == RequestStatus::kRefused);
  // A finished request's notes can still change; its status cannot.
  Request notes = *reg.Get(r.id);
  notes.notes = "subject informed by letter";
  notes.status = RequestStatus::kOpen;
  notes.closed_on.reset();
  auto kept = reg.Update(notes, rules, today);
  REQUIRE(kept.ok());
  CHECK(kept->status == RequestStatus::kRefused);
  CHECK(Iso(reg.Get(r.id)->closed_on) == "2026-03-10");
  CHECK(reg.Get(r.id)->notes == "subject informed by letter");
  notes.outcome = "";
  CHECK_FALSE(reg.Update(notes, rules, today).ok());  // an outcome may be corrected, not emptied
  CHECK(reg.Get(r.id)->outcome == "manifestly unfounded: third request this month");

  // An extension recorded under a longer policy survives an unrelated update.
  Request old = MustAdd(reg, Received("2026-03-01", "2026-03-01"), today);
  old.extension_months = 2;
  old.extension_reason = "complex";
  REQUIRE(reg.Update(old, rules, today).ok());
  DeadlineRules shorter;
  shorter.extension = Duration::Months(1);
  old.notes = "policy changed";
  CHECK(reg.Update(old, shorter, today).ok());
  old.extension_months = 2;
  old.extension_reason = "changed reason";
  CHECK(reg.Update(old, shorter, today).ok());  // the months did not change
}

TEST_CASE("register bad input: refused with a message that says what to do, nothing stored or changed") {
  TempDir dir("dpo-register");
  std::string path = dir.File("requests.db");
  RequestRegister reg = OpenNew(path);
  const Date today = D("2026-03-10");
  DeadlineRules rules;
  Request good = MustAdd(reg, Received("2026-03-01", "2026-03-02"), today);
  std::string before = ReadFile(path);

  struct Case {
    const char* name;
    Request request;
    const char* message;
  };
  std::vector<Case> cases;
  auto with = [&](const char* name, const char* message, auto change) {
    Request r = good;
    change(r);
    cases.push_back({name, r, message});
  };
  with("empty subject", "--subject", [](Request& r) { r.subject = "  "; });
  with("received in the future", "after today", [](Request& r) { r.received = D("2026-03-11"); });
  with("verified before received", "before the request was received",
       [](Request& r) { r.identity_verified_on = D("2026-02-28"); });
  with("verified in the future", "after today", [](Request& r) { r.identity_verified_on = D("2026-04-01"); });
  with("extension without reason", "--reason", [](Request& r) { r.extension_months = 2; });
  with("extension too long", "more than the policy allows", [](Request& r) {
    r.extension_months = 3;
    r.extension_reason = "x";
  });
  with("negative extension", "negative", [](Request& r) { r.extension_months = -1; });
  for (const Case& c : cases) {
    INFO(std::string(c.name));
    auto updated = reg.Update(c.request, rules, today);
    INFO(updated.status().message());
    REQUIRE_FALSE(updated.ok());
    CHECK(updated.status().code() == StatusCode::kInvalidArgument);
    CHECK(updated.status().message().find(c.message) != std::string::npos);
    // The subject label is personal data: no message repeats it.
    CHECK(updated.status().message().find("J. de Vries") == std::string::npos);
    Request added = c.request;
    auto add = reg.Add(added, rules, today);
    CHECK_FALSE(add.ok());
  }
  // Closing: before receipt, in the future, without an outcome.
  CHECK_FALSE(reg.Close(good.id, RequestStatus::kClosed, D("2026-02-01"), "done", rules, today).ok());
  CHECK_FALSE(reg.Close(good.id, RequestStatus::kClosed, D("2026-03-11"), "done", rules, today).ok());
  CHECK_FALSE(reg.Close(good.id, RequestStatus::kClosed, today, " ", rules, today).ok());
  // A request cannot be added closed.
  Request closed = Received("2026-03-01");
  closed.status = RequestStatus::kClosed;
  closed.closed_on = today;
  closed.outcome = "done";
  CHECK_FALSE(reg.Add(closed, rules, today).ok());
  // Unknown ids.
  auto missing = reg.Get(99);
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("no request 99") != std::string::npos);
  Request ghost = good;
  ghost.id = 99;
  CHECK(reg.Update(ghost, rules, today).status().code() == StatusCode::kNotFound);
  CHECK(reg.Close(99, RequestStatus::kClosed, today, "x", rules, today).status().code() == StatusCode::kNotFound);

  CHECK(ReadFile(path) == before);
  auto all = reg.List(RequestFilter{}, rules);
  REQUIRE(all.ok());
  CHECK(all->size() == 1);
}

TEST_CASE("register open: missing, a directory, another SQLite database, a newer register, garbage") {
  TempDir dir("dpo-register");
  std::string missing = dir.File("missing.db");
  auto not_found = RequestRegister::Open(missing, false);
  CHECK(not_found.status().code() == StatusCode::kNotFound);
  CHECK(not_found.status().message().find("dpo requests add") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(missing));  // opening to read creates nothing

  CHECK(RequestRegister::Open(dir.path, true).status().code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(RequestRegister::Open(dir.File("no/such/dir.db"), true).ok());

  // Somebody's application database given by mistake: refused, untouched.
  std::string app = dir.File("app.db");
  Exec(app, "CREATE TABLE candidates (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO candidates VALUES (1, 'a');");
  std::string app_before = ReadFile(app);
  auto wrong = RequestRegister::Open(app, true);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message().find("not a dpo request register") != std::string::npos);
  CHECK(ReadFile(app) == app_before);

  // A text file (the policy, say).
  std::string text = dir.Write("policy.yaml", "version: 1\ncontroller: {name: x}\n");
  auto yaml = RequestRegister::Open(text, true);
  REQUIRE_FALSE(yaml.ok());
  CHECK(yaml.status().message().find("not an SQLite file") != std::string::npos);
  CHECK(ReadFile(text) == "version: 1\ncontroller: {name: x}\n");

  // A register written by a newer dpo.
  std::string newer = dir.File("newer.db");
  OpenNew(newer);
  Exec(newer, "UPDATE register_version SET version = 99");
  auto future = RequestRegister::Open(newer, false);
  REQUIRE_FALSE(future.ok());
  CHECK(future.status().message().find("newer dpo") != std::string::npos);

  // An empty file (touch) becomes a register when adding, and is no register when reading.
  std::string empty = dir.Write("empty.db", "");
  CHECK(RequestRegister::Open(empty, false).status().code() == StatusCode::kNotFound);
  CHECK(RequestRegister::Open(empty, true).ok());
}

TEST_CASE("register open: mutated register files give a register or a clean error, never a crash") {
  TempDir dir("dpo-register");
  std::string good = dir.File("good.db");
  {
    RequestRegister reg = OpenNew(good);
    for (int i = 0; i < 20; ++i) MustAdd(reg, Received("2026-03-01", "2026-03-02"));
  }
  const std::string bytes = ReadFile(good);
  std::mt19937 rng(20260310);
  for (int round = 0; round < 200; ++round) {
    std::string mutated = bytes;
    int flips = 1 + static_cast<int>(rng() % 16);
    for (int i = 0; i < flips; ++i) mutated[rng() % mutated.size()] = static_cast<char>(rng() & 0xff);
    if (round % 10 == 0) mutated.resize(rng() % mutated.size());
    std::string path = dir.Write("mutated.db", mutated);
    auto reg = RequestRegister::Open(path, false);
    if (!reg.ok()) {
      CHECK_FALSE(reg.status().message().empty());
      continue;
    }
    RequestFilter filter;
    filter.as_of = D("2026-03-10");
    auto listed = reg->List(filter, DeadlineRules{});
    if (listed.ok())
      for (const Request& r : *listed) (void)DeadlineOf(r, DeadlineRules{}, filter.as_of);
  }
}

TEST_CASE("register renderers: JSON parses, pending identity has no due date, overdue is marked") {
  const Date today = D("2026-03-10");
  dpo::report::RequestRenderOptions options;
  options.register_path = "requests.db";
  options.as_of = today;
  Request overdue = Received("2026-01-31", "2026-01-31");
  overdue.id = 1;
  Request pending = Received("2026-03-01");
  pending.id = 2;
  pending.subject = "J. Jansen\x1b[31m";
  auto json = nlohmann::json::parse(dpo::report::RenderRequestListJson({overdue, pending}, options));
  CHECK(json["format"] == "dpo-requests");
  CHECK(json["overdue"] == 1);
  REQUIRE(json["requests"].size() == 2);
  CHECK(json["requests"][0]["due"] == "2026-02-28");
  CHECK(json["requests"][0]["days_left"] == -10);
  CHECK(json["requests"][0]["overdue"] == true);
  CHECK(json["requests"][1]["due"].is_null());
  CHECK(json["requests"][1]["identity_pending"] == true);
  CHECK(json["requests"][1]["subject"] == "J. Jansen\x1b[31m");

  std::string text = dpo::report::RenderRequestListText({overdue, pending}, options, "no open requests");
  CHECK(text.find("OVERDUE 10 days") != std::string::npos);
  CHECK(text.find("waiting for identity") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);  // a label cannot drive the terminal

  options.hide_subject = true;
  CHECK(dpo::report::RenderRequestListText({overdue, pending}, options, "").find("J. de Vries") == std::string::npos);
  CHECK(nlohmann::json::parse(dpo::report::RenderRequestJson(pending, options))["request"].count("subject") == 0);
  CHECK(dpo::report::RenderRequestText(pending, options).find("J. Jansen") == std::string::npos);
}
