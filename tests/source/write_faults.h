// Faults and kills in the middle of a large multi-table delete: after each,
// the source is entirely as before or entirely as after, never in between.
// Shared by the SQLite and CSV test files; the data comes from our own
// sample generator.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "plan/cascade.h"
#include "source/source.h"
#include "util/fault.h"

namespace dpo::testing {

// Row counts of every table plus the NULLs in the columns a SET NULL touches:
// enough to tell "before" from "after" and from anything in between.
using Snapshot = std::map<std::string, int64_t>;

inline Snapshot TakeSnapshot(source::Source& src) {
  Snapshot snap;
  auto tables = src.ListTables();
  REQUIRE_MESSAGE(tables.ok(), tables.status().message());
  for (const std::string& t : *tables) {
    auto n = src.Count(t, std::nullopt);
    REQUIRE_MESSAGE(n.ok(), n.status().message());
    snap[t] = *n;
  }
  for (const auto& [table, column] : std::vector<std::pair<std::string, std::string>>{
           {"employees", "candidate_id"}, {"website_visits", "candidate_id"}}) {
    if (snap.count(table) == 0) continue;
    auto n = src.Count(table, source::Predicate::Null(column));
    REQUIRE_MESSAGE(n.ok(), n.status().message());
    snap[table + "." + column + " IS NULL"] = *n;
  }
  return snap;
}

// The large delete: every candidate with id <= `last_id`, expanded child-first
// (consents, applications, notes deleted; employees and visits unlinked).
inline Status DeleteCandidates(source::Source& src, const std::vector<std::pair<std::string, source::ForeignKey>>& declared,
                               int last_id) {
  auto graph = plan::LoadSchemaGraph(src, declared);
  if (!graph.ok()) return graph.status();
  auto tx = src.Begin({});
  if (!tx.ok()) return tx.status();
  source::WriteOp del;
  del.kind = source::WriteOp::Kind::kDelete;
  del.table = "candidates";
  del.where = source::Predicate::Compare(source::Predicate::Op::kLe, "id", std::to_string(last_id));
  auto steps = plan::ExpandDelete(**tx, *graph, del, {});
  if (!steps.ok()) return steps.status();
  for (const plan::CascadeStep& step : *steps) {
    auto n = (*tx)->Execute(step.op);
    if (!n.ok()) return n.status();
  }
  return (*tx)->Commit();
}

struct KillReport {
  int kills = 0, before = 0, after = 0, finished = 0;
};

// Forks a child that runs `work` (which opens the source itself), kills it
// with SIGKILL after each delay, and checks with `check` that the source is
// whole. Returns the tally.
inline KillReport KillAtManyPoints(const std::vector<int>& delays_us, const std::function<void()>& reset,
                                   const std::function<int()>& work, const std::function<int()>& classify) {
  KillReport report;
  for (int delay : delays_us) {
    reset();
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) ::_exit(work());
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    bool killed = ::kill(pid, SIGKILL) == 0;
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (killed && WIFSIGNALED(status)) ++report.kills;
    else ++report.finished;
    int state = classify();  // 0 before, 1 after, -1 torn
    CHECK_MESSAGE(state >= 0, "torn state after a kill at " << delay << " us");
    if (state == 0) ++report.before;
    if (state == 1) ++report.after;
  }
  return report;
}

}  // namespace dpo::testing
