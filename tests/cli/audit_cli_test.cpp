// 'dpo audit verify' on a log written by the documented format (plan/audit_log.h
// and man/dpo-audit.1), independently of the code that writes it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli_util.h"
#include "util/keyed_hash.h"

using dpo::testing::RunDpo;
using dpo::testing::TempDir;

namespace {

// Entry `seq` after the line `prev_line` ("" for the first), as the man page describes it.
std::string Line(int seq, const std::string& prev_line, int rows) {
  std::string prev = dpo::util::Sha256Hex(prev_line);  // the first: SHA-256 of ""
  std::string body = "{\"seq\":" + std::to_string(seq) +
                     ",\"time\":\"2026-11-03T02:00:00Z\",\"user\":\"dpo\",\"host\":\"db1\",\"tool_version\":\"0.1.0\","
                     "\"command\":\"retention sweep\",\"policy_sha256\":\"" + dpo::util::Sha256Hex("policy") +
                     "\",\"source\":\"samples/staffing.db\",\"rule\":\"candidates_2y\",\"table\":\"candidates\","
                     "\"action\":\"delete\",\"rows\":" + std::to_string(rows) + ",\"keys_hmac\":\"" +
                     dpo::util::Sha256Hex("keys") + "\",\"prev\":\"" + prev + "\"}";
  std::string hash = dpo::util::Sha256Hex(body);
  body.pop_back();
  return body + ",\"hash\":\"" + hash + "\"}";
}

}  // namespace

TEST_CASE("audit verify: ok (exit 0), the first bad line (exit 1), unreadable (exit 2)") {
  TempDir dir;
  std::vector<std::string> lines;
  std::string prev;
  for (int seq = 1; seq <= 3; ++seq) {
    lines.push_back(Line(seq, prev, seq * 10));
    prev = lines.back();
  }
  std::string good = dir.Write("audit.log", lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n");
  auto ok = RunDpo(dir, {"audit", "verify", good});
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(ok.out == good + ": ok, 3 entries\n");
  CHECK(ok.err.empty());

  std::string edited_line = lines[1];
  edited_line.replace(edited_line.find("\"rows\":20"), 9, "\"rows\":2");
  std::string edited = dir.Write("edited.log", lines[0] + "\n" + edited_line + "\n" + lines[2] + "\n");
  auto bad = RunDpo(dir, {"audit", "verify", edited});
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.rfind(edited + ":2: ", 0) == 0);

  std::string swapped = dir.Write("swapped.log", lines[0] + "\n" + lines[2] + "\n" + lines[1] + "\n");
  auto swap = RunDpo(dir, {"audit", "verify", swapped});
  CHECK(swap.exit_code == 1);
  CHECK(swap.out.rfind(swapped + ":2: ", 0) == 0);

  auto missing = RunDpo(dir, {"audit", "verify", dir.File("missing.log")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.empty());
  CHECK(missing.err.find("dpo: error: ") == 0);
  auto directory = RunDpo(dir, {"audit", "verify", dir.path});
  CHECK(directory.exit_code == 2);
  auto usage = RunDpo(dir, {"audit", "verify"});
  CHECK(usage.exit_code == 2);
}
