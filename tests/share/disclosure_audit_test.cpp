// A disclosure in the audit log: one chained entry per table that `dpo audit
// verify` accepts, naming recipient, purpose, legal basis, categories and
// format, and holding no value of the data; a log that cannot take an entry
// is found before anything is written.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "plan/audit_log.h"
#include "share/disclosure_audit.h"
#include "share_test_util.h"

using namespace dpo;
using namespace dpo::share_test;

TEST_CASE("one entry per table, chained, with the facts of the disclosure and no value of the data") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  share::DisclosureScope scope = Scope(s.policy, "payroll_processor", "payroll");
  std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope);
  // A temporary worker who was a candidate with the same e-mail: rows in several tables.
  SQLite::Database db(s.db);
  const std::string email = db.execAndGet("SELECT e.email FROM employees e JOIN candidates c ON c.id = e.candidate_id "
                                          "WHERE lower(c.email) = lower(e.email) ORDER BY e.id LIMIT 1")
                                .getString();
  share::Selection subject;
  subject.subject.push_back({"email", email});
  CaptureSink sink(scope);
  std::vector<share::TableResult> results = Export(s.policy, *src, tables, subject, sink);
  REQUIRE(results.size() == tables.size());
  REQUIRE(tables.size() >= 3);

  TempDir dir;
  const std::string log = dir / "audit.jsonl";
  REQUIRE(share::CheckAuditLog(log).ok());  // missing, in a directory we can write: fine
  share::DisclosureFacts facts;
  facts.policy_sha256 = std::string(64, 'a');
  facts.source = "staffing.db";
  facts.format = "csv";
  facts.selection = "--subject email (one data subject's own rows)";
  REQUIRE(share::AppendDisclosureAudit(log, scope, tables, results, facts).ok());
  REQUIRE(share::AppendDisclosureAudit(log, scope, tables, results, facts).ok());

  Result<plan::VerifyReport> verified = plan::VerifyAuditLog(log);
  REQUIRE(verified.ok());
  CHECK(verified->ok);
  CHECK(verified->entries == static_cast<int64_t>(2 * tables.size()));

  const std::string text = Slurp(log);
  std::istringstream lines(text);
  std::string line;
  size_t i = 0;
  while (std::getline(lines, line)) {
    nlohmann::json e = nlohmann::json::parse(line);
    const size_t t = i++ % tables.size();
    CHECK(e["command"] == "export");
    CHECK(e["action"] == "disclose");
    CHECK(e["rule"] == "payroll_processor");
    CHECK(e["table"] == tables[t].table);
    CHECK(e["rows"] == results[t].rows);
    CHECK(e["keys_hmac"] == results[t].keys_hmac);
    CHECK(e["keys_hmac"].get<std::string>().size() == 64);
    const std::string note = e["note"];
    for (const char* fact : {"payroll_processor", "purpose payroll", "legal basis legal_obligation", "categories contact",
                             "format csv", "--subject email"})
      CHECK_MESSAGE(note.find(fact) != std::string::npos, fact);
  }
  // No value of the data (the subject's e-mail, any exported cell) is in the log.
  CHECK(text.find(email) == std::string::npos);
  int values = 0;
  for (const auto& table_rows : sink.rows) {  // (named: clang 14 cannot capture structured bindings)
    const auto& table = table_rows.first;
    for (const share::Row& r : table_rows.second)
      for (const share::Cell& c : r)
        if (c && c->size() >= 4) {
          ++values;
          CHECK_MESSAGE(text.find(*c) == std::string::npos, table);
        }
  }
  CHECK(values > 20);
}

TEST_CASE("a log that cannot take an entry is refused before anything is written") {
  TempDir dir;
  CHECK(share::CheckAuditLog("").message().find("required") != std::string::npos);
  CHECK_FALSE(share::CheckAuditLog(dir.path).ok());                      // a directory
  CHECK_FALSE(share::CheckAuditLog(dir / "no/such/dir/audit.jsonl").ok());  // nowhere to create it
  Spit(dir / "damaged.jsonl", "{\"seq\":1}\n");
  Status damaged = share::CheckAuditLog(dir / "damaged.jsonl");
  CHECK_FALSE(damaged.ok());
  CHECK(damaged.message().find("dpo audit verify") != std::string::npos);
  Spit(dir / "empty.jsonl", "");
  CHECK(share::CheckAuditLog(dir / "empty.jsonl").ok());
}
