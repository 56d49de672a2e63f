// What `dpo export --recipient` hands over, at library level, on the
// generated sample with the bundled policy, checked against SQL run
// independently on the SQLite file (SQLiteCpp), never against the code
// under test:
//  - the columns are exactly the ones the policy allows (for clients under
//    mediation: the six of the privacy statement), and for every recipient
//    and purpose of the policy every allowed column and no other;
//  - the rows are the ones --where selects, minus people whose consent for
//    the purpose does not stand, and with --subject only the subject's own;
//  - no BSN, IBAN, hourly wage or gross pay of the sample is anywhere in what
//    clients receive (CSV and JSON bytes);
//  - SQLite, CSV and PostgreSQL give the same export;
//  - --anonymise pseudonymises names and needs a key; --include-key adds the
//    key declared none; the audit digest is plan::KeySetHmac of the rows' ids;
//  - a --table nothing may go from is refused, saying why.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "anonymise/column_plan.h"
#include "plan/ledger.h"
#include "share/recipient_export.h"
#include "share/where_parser.h"
#include "share_test_util.h"
#include "source/pg_sample_loader.h"
#include "source/pg_server.h"

using namespace dpo;
using namespace dpo::share_test;

namespace {

std::vector<std::string> SqlColumn(const std::string& db, const std::string& sql) {
  SQLite::Database d(db);
  SQLite::Statement q(d, sql);
  std::vector<std::string> out;
  while (q.executeStep())
    if (!q.getColumn(0).isNull()) out.push_back(q.getColumn(0).getString());
  return out;
}

int64_t SqlCount(const std::string& db, const std::string& sql) {
  SQLite::Database d(db);
  return d.execAndGet(sql).getInt64();
}

// Rows as "a|b|c" lines, sorted: the same rows whatever order a source reads them in.
std::vector<std::string> Lines(const std::vector<share::Row>& rows) {
  std::vector<std::string> out;
  for (const share::Row& r : rows) {
    std::string line;
    for (const share::Cell& c : r) line += (c ? *c : std::string("\\N")) + "|";
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> SqlLines(const std::string& db, const std::string& sql) {
  SQLite::Database d(db);
  SQLite::Statement q(d, sql);
  std::vector<std::string> out;
  while (q.executeStep()) {
    std::string line;
    for (int i = 0; i < q.getColumnCount(); ++i)
      line += (q.getColumn(i).isNull() ? std::string("\\N") : q.getColumn(i).getString()) + "|";
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The rows without the column at `skip` (cv_text: free text, redacted, so it
// differs from the source where a CV mentions an identifier).
std::vector<share::Row> Without(std::vector<share::Row> rows, size_t skip) {
  for (share::Row& r : rows) r.erase(r.begin() + static_cast<std::ptrdiff_t>(skip));
  return rows;
}

share::Selection Where(const std::vector<std::string>& conditions, const share::ExportTable& table) {
  std::vector<share::WhereTerm> terms;
  for (size_t i = 0; i < conditions.size(); ++i) {
    Result<share::WhereTerm> t = share::ParseWhereTerm(conditions[i], static_cast<int>(i + 1));
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    terms.push_back(*t);
  }
  Result<std::optional<source::Predicate>> where = share::BuildWhere(terms, table.shape);
  REQUIRE_MESSAGE(where.ok(), where.status().message());
  share::Selection s;
  s.where = *where;
  return s;
}

share::Selection Subject(const std::string& key, const std::string& value) {
  share::Selection s;
  s.subject.push_back({key, value});
  return s;
}

std::vector<std::string> Names(const share::ExportTable& t) {
  std::vector<std::string> out;
  for (const share::ExportColumn& c : t.columns) out.push_back(c.name);
  return out;
}

const char* kStanding =
    "SELECT candidate_id FROM consents WHERE purpose = 'mediation' AND given_at IS NOT NULL AND withdrawn_at IS NULL";

}  // namespace

TEST_CASE("clients under mediation receive exactly the six columns the privacy statement promises") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  share::DisclosureScope scope = Scope(s.policy, "clients", "mediation");
  std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope);
  REQUIRE(tables.size() == 1);
  CHECK(tables[0].table == "candidates");
  CHECK(Names(tables[0]) ==
        std::vector<std::string>{"first_name", "tussenvoegsel", "last_name", "city", "cv_text", "availability"});
  CHECK(tables[0].key_columns == std::vector<std::string>{"id"});
  REQUIRE(tables[0].consent.has_value());  // mediation rests on consent, recorded in consents
  CHECK(tables[0].consent->records_table == "consents");
  CHECK(tables[0].consent->link_column == "id");

  // Under employment_administration: only the names and city of employees.
  std::vector<share::ExportTable> employment = Tables(s.policy, *src, Scope(s.policy, "clients", "employment_administration"));
  REQUIRE(employment.size() == 1);
  CHECK(employment[0].table == "employees");
  CHECK(Names(employment[0]) == std::vector<std::string>{"first_name", "tussenvoegsel", "last_name", "city"});
  CHECK_FALSE(employment[0].consent.has_value());  // a contract, not consent
}

TEST_CASE("for every recipient and purpose of the policy: every allowed column, and no other") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  int scopes = 0;
  for (const policy::Recipient& r : s.policy.recipients) {
    for (const policy::Purpose& p : s.policy.purposes) {
      if (std::find(p.recipients.begin(), p.recipients.end(), r.id) == p.recipients.end()) continue;
      Result<share::DisclosureScope> scope = share::ResolveScope(s.policy, r.id, p.id);
      if (!scope.ok()) continue;  // refused: the scope tests say why
      share::ColumnOptions options;
      Result<std::vector<share::ExportTable>> tables = share::PlanTables(s.policy, *src, *scope, options, nullptr);
      if (!tables.ok()) continue;
      ++scopes;
      // Expected from the policy and the sample's ground truth, column by column.
      std::set<std::string> expected, got;
      for (const policy::Dataset& ds : s.policy.datasets) {
        if (std::find(ds.purposes.begin(), ds.purposes.end(), p.id) == ds.purposes.end()) continue;
        const sample::TableTruth* tt = nullptr;
        for (const sample::TableTruth& t : s.truth.tables)
          if (t.name == ds.table) tt = &t;
        REQUIRE(tt != nullptr);
        for (const sample::ColumnTruth& c : tt->columns) {
          const policy::ColumnMapping* m = ds.FindColumn(c.name);
          if (m == nullptr || m->category.empty()) continue;
          bool category = std::find(r.categories.begin(), r.categories.end(), m->category) != r.categories.end() &&
                          std::find(p.categories.begin(), p.categories.end(), m->category) != p.categories.end();
          bool listed = r.columns.empty() ||
                        std::find(r.columns.begin(), r.columns.end(), ds.table + "." + c.name) != r.columns.end();
          if (category && listed) expected.insert(ds.table + "." + c.name);
        }
      }
      for (const share::ExportTable& t : *tables)
        for (const share::ExportColumn& c : t.columns) {
          got.insert(t.table + "." + c.name);
          CHECK_MESSAGE(c.category != "none", t.table << "." << c.name);
          const sample::ColumnTruth* truth = nullptr;
          for (const sample::TableTruth& tt : s.truth.tables)
            if (tt.name == t.table) truth = tt.FindColumn(c.name);
          REQUIRE(truth != nullptr);
          CHECK_MESSAGE(truth->declared, t.table << "." << c.name << " is not declared");
        }
      INFO(r.id << " / " << p.id);
      CHECK(got == expected);
    }
  }
  CHECK(scopes >= 6);
}

TEST_CASE("--table with --where: the rows SQL selects, minus people whose consent for the purpose does not stand") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  share::DisclosureScope scope = Scope(s.policy, "clients", "mediation");
  std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope, "candidates");
  CaptureSink sink(scope);
  std::vector<share::TableResult> r = Export(s.policy, *src, tables, Where({"status=active"}, tables[0]), sink);
  REQUIRE(r.size() == 1);
  const int64_t active = SqlCount(s.db, "SELECT count(*) FROM candidates WHERE status = 'active'");
  const int64_t consenting = SqlCount(s.db, std::string("SELECT count(*) FROM candidates WHERE status = 'active' AND "
                                                        "id IN (") + kStanding + ")");
  CHECK(consenting > 0);
  CHECK(consenting < active);  // the sample plants missing and withdrawn consents
  CHECK(r[0].rows == consenting);
  CHECK(r[0].without_consent == active - consenting);
  CHECK(Lines(Without(sink.rows["candidates"], 4)) ==
        SqlLines(s.db, std::string("SELECT first_name, tussenvoegsel, last_name, city, availability FROM "
                                   "candidates WHERE status = 'active' AND id IN (") + kStanding + ")"));
  // Free text: what has no identifier or term in it goes as it is; the rest with placeholders.
  int64_t same = 0, redacted = 0;
  std::vector<std::string> cvs = SqlColumn(s.db, std::string("SELECT cv_text FROM candidates WHERE status = 'active' "
                                                             "AND id IN (") + kStanding + ")");
  std::set<std::string> source_cvs(cvs.begin(), cvs.end());
  for (const share::Row& row : sink.rows["candidates"]) {
    if (!row[4]) continue;
    if (source_cvs.count(*row[4])) ++same;
    else if (row[4]->find("[email]") != std::string::npos || row[4]->find("[phone]") != std::string::npos ||
             row[4]->find("[name]") != std::string::npos)
      ++redacted;
    else
      FAIL("a CV changed without a placeholder");
  }
  CHECK(same > 100);
  CHECK(redacted > 0);
  CHECK(r[0].redacted_spans >= redacted);

  // Several conditions are ANDed; the count of a dry run is the same.
  share::Selection two = Where({"status=active", "city=Utrecht"}, tables[0]);
  Result<std::vector<share::TableResult>> counted = share::CountRows(s.policy, *src, tables, two);
  REQUIRE(counted.ok());
  CHECK((*counted)[0].rows == SqlCount(s.db, std::string("SELECT count(*) FROM candidates WHERE status = 'active' "
                                                         "AND city = 'Utrecht' AND id IN (") + kStanding + ")"));
}

TEST_CASE("no BSN, IBAN, hourly wage, gross pay, e-mail or phone number of the sample is in what clients receive") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  std::vector<std::string> secrets;
  for (const char* sql : {"SELECT bsn FROM candidates", "SELECT iban FROM candidates", "SELECT bsn FROM employees",
                          "SELECT iban FROM employees", "SELECT iban FROM payslips",
                          "SELECT CAST(hourly_wage AS TEXT) FROM employees",
                          "SELECT CAST(gross_pay AS TEXT) FROM payslips",
                          // Not columns clients receive, but the sample's CVs mention them: free text is redacted.
                          "SELECT email FROM candidates", "SELECT phone FROM candidates"})
    for (const std::string& v : SqlColumn(s.db, sql)) secrets.push_back(v);
  REQUIRE(secrets.size() > 1000);

  std::string bytes;
  int64_t rows = 0;
  for (const char* purpose : {"mediation", "employment_administration"}) {
    share::DisclosureScope scope = Scope(s.policy, "clients", purpose);
    std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope);
    for (const share::ExportTable& t : tables) {
      CaptureSink sink(scope);
      std::vector<share::ExportTable> one = {t};
      share::Selection all;
      for (const share::TableResult& r : Export(s.policy, *src, one, all, sink)) rows += r.rows;
      bytes += sink.AllBytes();
    }
  }
  // And one person's export by --subject.
  const std::string email = SqlColumn(s.db, std::string("SELECT email FROM candidates WHERE id IN (") + kStanding +
                                                ") AND bsn IS NOT NULL AND iban IS NOT NULL LIMIT 1")
                                .at(0);
  share::DisclosureScope scope = Scope(s.policy, "clients", "mediation");
  CaptureSink subject_sink(scope);
  Export(s.policy, *src, Tables(s.policy, *src, scope), Subject("email", email), subject_sink);
  CHECK(subject_sink.rows["candidates"].size() == 1);
  bytes += subject_sink.AllBytes();

  CHECK(rows > 300);
  CHECK(bytes.size() > 50000);
  int found = 0;
  for (const std::string& v : secrets)
    if (bytes.find(v) != std::string::npos) {
      ++found;
      MESSAGE("found in the export: a value of a BSN, IBAN, pay, e-mail or phone column");
    }
  CHECK(found == 0);
  CHECK(bytes.find('@') == std::string::npos);
  CHECK(bytes.find("[email]") != std::string::npos);  // the CVs that held one say so
  // The search itself works: the values are in what payroll receives.
  share::DisclosureScope payroll = Scope(s.policy, "payroll_processor", "payroll");
  CaptureSink payroll_sink(payroll);
  Export(s.policy, *src, Tables(s.policy, *src, payroll), Subject("email", email), payroll_sink);
  const std::string payroll_bytes = payroll_sink.AllBytes();
  CHECK(payroll_bytes.find(SqlColumn(s.db, "SELECT bsn FROM candidates WHERE email = '" + email + "'").at(0)) !=
        std::string::npos);
}

TEST_CASE("--subject: the subject's own rows only, and none without a standing consent") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  share::DisclosureScope scope = Scope(s.policy, "clients", "mediation");
  std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope);
  const std::string with = SqlColumn(s.db, std::string("SELECT email FROM candidates WHERE id IN (") + kStanding +
                                               ") ORDER BY id LIMIT 1")
                               .at(0);
  const std::string without = SqlColumn(s.db, std::string("SELECT email FROM candidates WHERE id NOT IN (") +
                                                  kStanding + ") ORDER BY id LIMIT 1")
                                  .at(0);
  {
    CaptureSink sink(scope);
    std::vector<share::TableResult> r = Export(s.policy, *src, tables, Subject("email", with), sink);
    REQUIRE(r.size() == 1);
    CHECK(r[0].rows == 1);
    CHECK(Lines(Without(sink.rows["candidates"], 4)) ==
          SqlLines(s.db, "SELECT first_name, tussenvoegsel, last_name, city, availability FROM candidates "
                         "WHERE email = '" + with + "'"));
  }
  {
    CaptureSink sink(scope);
    std::vector<share::TableResult> r = Export(s.policy, *src, tables, Subject("email", without), sink);
    CHECK(r[0].rows == 0);
    CHECK(r[0].without_consent == 1);
    CHECK(sink.rows["candidates"].empty());
    CHECK(sink.csv["candidates"].find('\n') == sink.csv["candidates"].size() - 1);  // the header only
  }
  // A worker to payroll: their own rows of each table, nobody else's.
  const std::string worker = SqlColumn(s.db, "SELECT e.email FROM employees e JOIN candidates c ON c.id = "
                                             "e.candidate_id WHERE lower(c.email) = lower(e.email) ORDER BY e.id LIMIT 1")
                                 .at(0);
  const std::string employee_id = SqlColumn(s.db, "SELECT id FROM employees WHERE email = '" + worker + "'").at(0);
  share::DisclosureScope payroll = Scope(s.policy, "payroll_processor", "payroll");
  std::vector<share::ExportTable> pt = Tables(s.policy, *src, payroll);
  CaptureSink sink(payroll);
  std::vector<share::TableResult> r = Export(s.policy, *src, pt, Subject("email", worker), sink);
  std::map<std::string, int64_t> got;
  for (const share::TableResult& t : r) got[t.table] = t.rows;
  CHECK(got["candidates"] == 1);
  CHECK(got["employees"] == 1);
  CHECK(got["payslips"] == SqlCount(s.db, "SELECT count(*) FROM payslips WHERE employee_id = " + employee_id));
  CHECK(got["timesheets"] == SqlCount(s.db, "SELECT count(*) FROM timesheets WHERE employee_id = " + employee_id));
  CHECK(got["payslips"] > 0);
  CHECK(Lines(sink.rows["payslips"]) ==
        SqlLines(s.db, "SELECT CAST(gross_pay AS TEXT), CAST(tax_withheld AS TEXT), CAST(pension_contribution AS TEXT), "
                       "CAST(net_pay AS TEXT), iban FROM payslips WHERE employee_id = " + employee_id));
  // payslips.union_dues is union membership (Art. 9): payroll does not cover it.
  CHECK(std::find(sink.columns["payslips"].begin(), sink.columns["payslips"].end(), "union_dues") ==
        sink.columns["payslips"].end());
}

TEST_CASE("SQLite, a CSV export and PostgreSQL give the same export") {
  const Sample& s = TheSample();
  share::DisclosureScope scope = Scope(s.policy, "clients", "mediation");
  auto lite = OpenRead(s.db);
  auto csv = OpenRead(s.csv);
  auto run = [&](source::Source& src) {
    std::vector<share::ExportTable> tables = Tables(s.policy, src, scope, "candidates", true);
    CaptureSink sink(scope);
    std::vector<share::TableResult> r = Export(s.policy, src, tables, Where({"status!=inactive"}, tables[0]), sink);
    return std::make_pair(r.at(0), Lines(sink.rows["candidates"]));
  };
  auto a = run(*lite);
  auto b = run(*csv);
  CHECK(a.first.rows > 100);
  CHECK(a.first.rows == b.first.rows);
  CHECK(a.first.without_consent == b.first.without_consent);
  CHECK(a.first.keys_hmac == b.first.keys_hmac);
  CHECK(a.second == b.second);

  DPO_PG_SERVER_OR_SKIP(pg);
  TempDir work;
  std::string uri = testing::LoadSampleIntoPostgres(*pg, "share_export", s.db, s.csv, s.truth, s.policy, work.path);
  auto pgsrc = OpenRead(uri);
  auto c = run(*pgsrc);
  CHECK(c.first.rows == a.first.rows);
  CHECK(c.first.without_consent == a.first.without_consent);
  CHECK(c.first.keys_hmac == a.first.keys_hmac);
  CHECK(c.second == a.second);
  // And one subject, looked up on the server.
  const std::string email = SqlColumn(s.db, std::string("SELECT email FROM candidates WHERE id IN (") + kStanding +
                                                ") ORDER BY id LIMIT 1")
                                .at(0);
  std::vector<share::ExportTable> tables = Tables(s.policy, *pgsrc, scope);
  CaptureSink sink(scope);
  CHECK(Export(s.policy, *pgsrc, tables, Subject("email", email), sink).at(0).rows == 1);
}

TEST_CASE("the audit digest is the keyed hash of the exported rows' ids, and empty without a key") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  share::DisclosureScope scope = Scope(s.policy, "clients", "mediation");
  std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope, "candidates");
  CaptureSink sink(scope);
  std::vector<share::TableResult> r = Export(s.policy, *src, tables, Where({"city=Utrecht"}, tables[0]), sink);
  plan::KeySetHmac expected(Key(), "candidates");
  for (const std::string& id :
       SqlColumn(s.db, std::string("SELECT id FROM candidates WHERE city = 'Utrecht' AND id IN (") + kStanding + ")"))
    expected.Add({id});
  CHECK(expected.count() == r[0].rows);
  CHECK(r[0].keys_hmac == expected.Hex());
  CaptureSink keyless(scope);
  CHECK(Export(s.policy, *src, tables, Where({"city=Utrecht"}, tables[0]), keyless, nullptr).at(0).keys_hmac.empty());
}

TEST_CASE("--include-key adds the key declared none, and refuses a key the recipient may not receive") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  share::DisclosureScope scope = Scope(s.policy, "clients", "mediation");
  std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope, "candidates", true);
  CHECK(Names(tables[0]) ==
        std::vector<std::string>{"id", "first_name", "tussenvoegsel", "last_name", "city", "cv_text", "availability"});
  CHECK(tables[0].columns[0].key);
  CHECK(tables[0].columns[0].category == "none");

  policy::Policy p = s.policy;
  for (policy::Dataset& ds : p.datasets)
    if (ds.table == "candidates")
      for (policy::ColumnMapping& m : ds.columns)
        if (m.column == "id") m.category = "identity";
  share::ColumnOptions options;
  options.include_key = true;
  options.only_table = "candidates";
  Result<std::vector<share::ExportTable>> refused = share::PlanTables(p, *src, scope, options, nullptr);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("candidates.id") != std::string::npos);
  CHECK(refused.status().message().find("identity") != std::string::npos);
}

TEST_CASE("--anonymise gives the names pseudonyms, and refuses to run without the key they need") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  share::DisclosureScope scope = Scope(s.policy, "clients", "mediation");
  Result<anonymise::ExportPlan> plan = anonymise::PlanExport(*src, s.policy, anonymise::PlanOptions{});
  REQUIRE(plan.ok());
  std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope, "candidates");
  Status refused = share::ApplyAnonymisePlan(*plan, false, &tables);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.message().find("--key-file") != std::string::npos);

  tables = Tables(s.policy, *src, scope, "candidates");
  REQUIRE(share::ApplyAnonymisePlan(*plan, true, &tables).ok());
  CaptureSink sink(scope);
  Export(s.policy, *src, tables, share::Selection{}, sink);
  const std::vector<share::Row>& rows = sink.rows["candidates"];
  REQUIRE(rows.size() > 200);
  std::set<std::string> first_names, last_names, cities;
  for (const std::string& v : SqlColumn(s.db, "SELECT first_name FROM candidates")) first_names.insert(v);
  for (const std::string& v : SqlColumn(s.db, "SELECT last_name FROM candidates")) last_names.insert(v);
  for (const std::string& v : SqlColumn(s.db, "SELECT city FROM candidates")) cities.insert(v);
  for (const share::Row& r : rows) {
    REQUIRE(r[0].has_value());
    CHECK(first_names.count(*r[0]) == 0);
    CHECK(r[0]->rfind("anon-", 0) == 0);
    CHECK(last_names.count(*r[2]) == 0);
    if (r[3]) CHECK(cities.count(*r[3]) == 1);  // a city is an attribute: kept
  }
  // The same key gives the same pseudonym to the same name.
  const std::string anon_again = *rows[0][0];
  CaptureSink again(scope);
  Export(s.policy, *src, tables, share::Selection{}, again);
  CHECK(*again.rows["candidates"][0][0] == anon_again);
}

TEST_CASE("a --table nothing may go from is refused, saying why") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  auto refusal = [&](const std::string& recipient, const std::string& purpose, const std::string& table) {
    share::ColumnOptions options;
    options.only_table = table;
    Result<std::vector<share::ExportTable>> r =
        share::PlanTables(s.policy, *src, Scope(s.policy, recipient, purpose), options, nullptr);
    REQUIRE_MESSAGE(!r.ok(), table << " was allowed");
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    return r.status().message();
  };
  CHECK(refusal("clients", "mediation", "employees").find("does not list purpose mediation") != std::string::npos);
  CHECK(refusal("clients", "employment_administration", "placements").find("none of its columns") != std::string::npos);
  std::string undeclared = refusal("clients", "mediation", "export_tmp");
  CHECK(undeclared.find("no dataset") != std::string::npos);
  CHECK(undeclared.find("candidates") != std::string::npos);  // what the purpose does cover
}

TEST_CASE("a consent purpose whose records cannot be linked to a table's rows is refused, not exported unchecked") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  policy::Policy p = s.policy;
  for (policy::Dataset& ds : p.datasets)
    if (ds.table == "website_visits") ds.subject_key = "cookie_id";
  share::ColumnOptions options;
  Result<std::vector<share::ExportTable>> r =
      share::PlanTables(p, *src, Scope(p, "web_analytics", "website_analytics"), options, nullptr);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("cannot be linked") != std::string::npos);
  CHECK(r.status().message().find("candidates.id") != std::string::npos);

  // Linked through the shared reference (website_visits.candidate_id and
  // consents.candidate_id -> candidates.id): rows of visitors whose consent stands.
  share::DisclosureScope scope = Scope(s.policy, "web_analytics", "");
  std::vector<share::ExportTable> tables = Tables(s.policy, *src, scope);
  REQUIRE(tables.size() == 1);
  CaptureSink sink(scope);
  std::vector<share::TableResult> rows = Export(s.policy, *src, tables, share::Selection{}, sink);
  CHECK(rows[0].rows == SqlCount(s.db, "SELECT count(*) FROM website_visits WHERE candidate_id IN (SELECT candidate_id "
                                       "FROM consents WHERE purpose = 'website_analytics' AND given_at IS NOT NULL "
                                       "AND withdrawn_at IS NULL)"));
  CHECK(rows[0].rows + rows[0].without_consent == SqlCount(s.db, "SELECT count(*) FROM website_visits"));
}
