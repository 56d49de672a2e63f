// The anonymised export end to end at library level (lib/anonymise/export.h):
// PlanExport + OpenSink + RunExport on the generated staffing-agency sample
// (300 candidates, seed 1: the same data as samples/staffing.db) with
// policies/staffing-agency.yaml and a fixed key, read back with the sqlite3
// C API and libpq, never with the code under test:
//  - every table and row arrives, keys stay unique, foreign keys resolve;
//  - no e-mail, phone, BSN, IBAN, name or street address of the source is
//    anywhere in the output;
//  - the same key gives the same bytes (SQLite and CSV), another key other
//    pseudonyms in the same structure;
//  - a personal primary key (an e-mail address) still joins;
//  - k-anonymity: the reported k is the output's smallest group;
//  - free text keeps its words and loses its identifiers;
//  - an interrupted run, or one without the key it needs, leaves nothing;
//  - CSV output is owner-only and neutralises formulas;
//  - PostgreSQL: a new schema with the same rows and constraints.
#include <doctest/doctest.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "anonymise/column_plan.h"
#include "anonymise/export.h"
#include "anonymise/free_text.h"
#include "anonymise/sink.h"
#include "anonymise/test_util.h"
#include "detect/identifier_spans.h"
#include "detect/text_scanner.h"
#include "policy/loader.h"
#include "sample/generator.h"
#include "source/pg_sample_loader.h"
#include "source/pg_server.h"
#include "source/source.h"
#include "util/keyed_hash.h"

using namespace dpo;
using anonymise::SinkKind;

namespace {

namespace fs = std::filesystem;
using namespace dpo::anonymise_test;

constexpr const char* kAsOf = "2026-11-01";

std::string Joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The generated sample (SQLite and CSV) and the policy, made once per process.
struct Sample {
  std::string dir, db, csv;
  sample::GroundTruth truth;
  policy::Policy policy;
  int64_t total_rows = 0;

  Sample() {
    dir = (fs::temp_directory_path() / ("dpo-export-sample-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    fs::create_directories(dir);
    db = dir + "/staffing.db";
    csv = dir + "/csv";
    sample::GenerateOptions options;
    options.sqlite_path = db;
    options.csv_dir = csv;
    options.rows = 300;
    options.seed = 1;
    options.as_of = *util::ParseIsoDate(kAsOf);
    auto generated = sample::GenerateSample(options);
    REQUIRE_MESSAGE(generated.ok(), generated.status().message());
    truth = generated->truth;
    total_rows = static_cast<int64_t>(truth.total_rows);
    auto loaded = policy::LoadPolicyFile(std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml");
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    policy = loaded->policy;
  }
  ~Sample() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const Sample& TheSample() {
  static Sample sample;
  return sample;
}

const util::SecretKey& KeyA() {
  static const util::SecretKey key = std::move(util::SecretKey::FromBytes("key-A-0123456789abcdef0123456789")).value();
  return key;
}
const util::SecretKey& KeyB() {
  static const util::SecretKey key = std::move(util::SecretKey::FromBytes("key-B-fedcba9876543210fedcba9876")).value();
  return key;
}

policy::Policy PolicyFromString(const std::string& text, const std::string& name) {
  auto loaded = policy::LoadPolicyString(text, name);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  for (const auto& d : loaded->diagnostics) MESSAGE(name << ": loader diagnostic: " << d.message);
  return loaded->policy;
}

std::unique_ptr<source::Source> OpenRead(const std::string& spec) {
  source::OpenOptions options;
  options.read_only = true;
  auto src = source::OpenSource(spec, options);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  return std::move(src).value();
}

struct ExportArgs {
  const util::SecretKey* key = &KeyA();
  int64_t k = 0;
  int threads = 2;
  bool overwrite = false;
  std::string schema = "anonymised";
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const std::string&, int64_t, int64_t)> progress;
  bool inside = false;  // SQLite to SQLite: copy inside SQLite (ExportOptions::sqlite_source_path)
};

// Plans, opens the sink and runs the export.
Result<anonymise::ExportSummary> Export(const std::string& source_spec, const policy::Policy& policy, SinkKind kind,
                                        const std::string& destination, const ExportArgs& args = {}) {
  auto src = OpenRead(source_spec);
  auto plan = anonymise::PlanExport(*src, policy, anonymise::PlanOptions{});
  if (!plan.ok()) return plan.status();
  anonymise::SinkOptions sink_options;
  sink_options.overwrite = args.overwrite;
  sink_options.schema = args.schema;
  auto sink = anonymise::OpenSink(kind, destination, sink_options);
  if (!sink.ok()) return sink.status();
  anonymise::ExportOptions options;
  options.key = args.key;
  options.as_of = kAsOf;
  options.k = args.k;
  options.threads = args.threads;
  options.cancel = args.cancel;
  options.progress = args.progress;
  if (args.inside) options.sqlite_source_path = source_spec;
  return anonymise::RunExport(*src, &*plan, **sink, options);
}

anonymise::ExportSummary ExportOk(const std::string& source_spec, const policy::Policy& policy, SinkKind kind,
                                  const std::string& destination, const ExportArgs& args = {}) {
  auto summary = Export(source_spec, policy, kind, destination, args);
  REQUIRE_MESSAGE(summary.ok(), summary.status().message());
  return std::move(summary).value();
}

// A SQLite database read with the C API (not with dpo's reader).
class Db {
 public:
  explicit Db(const std::string& path, bool read_only = true) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE),
                             nullptr);
    REQUIRE_MESSAGE(rc == SQLITE_OK, path << ": " << sqlite3_errmsg(db_));
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Rows Query(const std::string& sql) const {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << sqlite3_errmsg(db_));
    Rows rows;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Cell> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back();
        } else {
          const unsigned char* text = sqlite3_column_text(stmt, c);
          row.emplace_back(std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    REQUIRE_MESSAGE(rc == SQLITE_DONE, sql << ": " << sqlite3_errmsg(db_));
    sqlite3_finalize(stmt);
    return rows;
  }
  std::string One(const std::string& sql) const {
    Rows r = Query(sql);
    REQUIRE_MESSAGE(r.size() == 1, sql);
    REQUIRE(r[0].size() >= 1);
    return r[0][0].value_or("NULL");
  }
  void Exec(const std::string& sql) const {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << message);
  }
  std::vector<std::string> Tables() const {
    std::vector<std::string> out;
    for (const auto& r : Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) out.push_back(*r[0]);
    return out;
  }
  std::vector<std::string> Columns(const std::string& table) const {
    std::vector<std::string> out;
    for (const auto& r : Query("SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid")) out.push_back(*r[0]);
    return out;
  }
  std::vector<std::string> PrimaryKey(const std::string& table) const {
    std::vector<std::string> out;
    for (const auto& r : Query("SELECT name FROM pragma_table_info('" + table + "') WHERE pk > 0 ORDER BY pk"))
      out.push_back(*r[0]);
    return out;
  }
  int64_t Count(const std::string& table) const { return std::stoll(One("SELECT count(*) FROM \"" + table + "\"")); }
  // Every non-NULL cell of every table as text, with where it came from.
  struct Where {
    std::string table, column, value;
  };
  std::vector<Where> AllCells() const {
    std::vector<Where> out;
    for (const std::string& t : Tables()) {
      std::vector<std::string> cols = Columns(t);
      for (const auto& row : Query("SELECT * FROM \"" + t + "\""))
        for (size_t c = 0; c < row.size(); ++c)
          if (row[c]) out.push_back({t, cols[c], *row[c]});
    }
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool WordChar(unsigned char c) { return std::isalnum(c) || c >= 0x80 || c == '_'; }

// `phrase` occurs in `text` with no letter or digit right before or after it.
bool ContainsWord(const std::string& text, const std::string& phrase) {
  for (size_t at = text.find(phrase); at != std::string::npos; at = text.find(phrase, at + 1)) {
    bool before = at == 0 || !WordChar(static_cast<unsigned char>(text[at - 1]));
    size_t end = at + phrase.size();
    bool after = end >= text.size() || !WordChar(static_cast<unsigned char>(text[end]));
    if (before && after) return true;
  }
  return false;
}

// --- the policy of the join test: an e-mail address as the primary key ------

const char* kShopPolicy = R"(version: 1
controller:
  name: Shop B.V.
  contact: privacy@shop.example
data_subjects:
  customer: { description: Customers }
categories:
  contact: { description: Name and e-mail address, detectors: [email, person_name] }
purposes:
  sales:
    legal_basis: contract
    data_subjects: [customer]
    categories: [contact]
datasets:
  people:
    data_subject: customer
    subject_key: email
    purposes: [sales]
    columns:
      email: { category: contact, identifier: true }
      name: contact
  orders:
    data_subject: customer
    subject_key: email
    purposes: [sales]
    columns:
      id: none
      email: none
    relations:
      - { columns: [email], references: people.email }
)";

const char* kItemsPolicy = R"(version: 1
controller:
  name: Shop B.V.
  contact: privacy@shop.example
data_subjects:
  customer: { description: Customers }
categories:
  contact: { description: E-mail address, detectors: [email] }
purposes:
  sales:
    legal_basis: contract
    data_subjects: [customer]
    categories: [contact]
datasets:
  items:
    data_subject: customer
    subject_key: id
    purposes: [sales]
    columns:
      id: none
      formula: none
      label: none
)";

}  // namespace

// --- completeness --------------------------------------------------------------

TEST_CASE("export: every table and every row of the sample, keys unique, foreign keys resolve") {
  const Sample& s = TheSample();
  TempDir out;
  anonymise::ExportSummary summary = ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "anon.db");
  CHECK(Mode(out / "anon.db") == 0600);
  CHECK(out.Entries() == std::set<std::string>{"anon.db"});

  Db src(s.db), dst(out / "anon.db");
  REQUIRE(dst.Tables() == src.Tables());
  CHECK(dst.Tables().size() == s.truth.tables.size());
  int64_t total = 0;
  for (const std::string& t : src.Tables()) {
    CAPTURE(t);
    int64_t n = src.Count(t);
    total += n;
    CHECK(dst.Count(t) == n);
    // Same primary key, and its values unique in the output.
    std::vector<std::string> pk = dst.PrimaryKey(t);
    CHECK(pk == src.PrimaryKey(t));
    REQUIRE(!pk.empty());
    std::string cols;
    for (const auto& c : pk) cols += (cols.empty() ? "\"" : ", \"") + c + "\"";
    CHECK(dst.One("SELECT count(*) FROM (SELECT " + cols + " FROM \"" + t + "\" GROUP BY " + cols +
                  " HAVING count(*) > 1)") == "0");
    // The primary key of every row is the source's (rows keep their identity).
    if (pk.size() == 1) {
      Rows a = src.Query("SELECT " + cols + " FROM \"" + t + "\" ORDER BY 1");
      Rows b = dst.Query("SELECT " + cols + " FROM \"" + t + "\" ORDER BY 1");
      CHECK(a == b);
    }
    // The foreign keys are declared again.
    CHECK(dst.One("SELECT count(*) FROM pragma_foreign_key_list('" + t + "')") ==
          src.One("SELECT count(*) FROM pragma_foreign_key_list('" + t + "')"));
  }
  CHECK(total == s.total_rows);
  CHECK(summary.rows == total);
  CHECK(dst.Query("PRAGMA foreign_key_check").empty());
  CHECK(dst.One("PRAGMA integrity_check") == "ok");
  int64_t summed = 0;
  for (const auto& t : summary.tables) summed += t.rows;
  CHECK(summed == total);
}

// --- nothing identifying leaves ----------------------------------------------

TEST_CASE("export: no e-mail, phone, BSN, IBAN, name or street address of the source is in the output") {
  const Sample& s = TheSample();
  TempDir out;
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "anon.db");
  Db src(s.db), dst(out / "anon.db");

  // Values compared as case-insensitive substrings (length >= 5).
  const std::map<std::string, std::vector<std::string>> value_columns = {
      {"candidates", {"email", "phone", "bsn", "iban", "address", "private_email_2"}},
      {"employees", {"email", "phone", "bsn", "iban", "address", "extra_1"}},
      {"client_contacts", {"email", "phone"}},
      {"client_companies", {"address", "phone"}},
      {"payslips", {"iban"}},
      {"export_tmp", {"naam", "telefoon", "email"}},
  };
  std::set<std::string> values;
  for (const auto& [t, cols] : value_columns)
    for (const std::string& c : cols)
      for (const auto& r : src.Query("SELECT \"" + c + "\" FROM \"" + t + "\" WHERE \"" + c + "\" IS NOT NULL"))
        if (r[0]->size() >= 5) values.insert(Lower(*r[0]));
  REQUIRE(values.size() > 1000);

  // Names compared as whole words (case-sensitive: "Meer" of "van der Meer"
  // is a name, "niet meer" is Dutch for "no longer"). A name that is also a
  // job title the policy keeps on purpose ("Kok", cook) is a word of the
  // data, not a leak of the name.
  std::set<std::string> job_words;
  for (const char* sql : {"SELECT job_title FROM applications WHERE job_title IS NOT NULL",
                          "SELECT job_title FROM placements WHERE job_title IS NOT NULL",
                          "SELECT job_title FROM client_contacts WHERE job_title IS NOT NULL"})
    for (const auto& r : src.Query(sql)) job_words.insert(*r[0]);
  std::set<std::string> names;
  for (const char* t : {"candidates", "employees", "client_contacts"})
    for (const char* c : {"first_name", "last_name"})
      for (const auto& r : src.Query(std::string("SELECT \"") + c + "\" FROM \"" + t + "\" WHERE \"" + c + "\" IS NOT NULL"))
        names.insert(*r[0]);
  REQUIRE(names.size() > 100);
  std::set<std::string> ignored;
  for (const std::string& n : names)
    for (const std::string& job : job_words)
      if (ContainsWord(job, n)) ignored.insert(n);
  MESSAGE("names that are also words of kept job titles, not searched: " << Joined(ignored));
  CHECK(ignored.size() <= 3);

  std::vector<Db::Where> cells = dst.AllCells();
  REQUIRE(cells.size() > 10000);
  std::string blob;
  for (const auto& c : cells) blob += Lower(c.value) + '\n';
  std::set<std::string> leaked_values;
  for (const std::string& v : values)
    if (blob.find(v) != std::string::npos)
      for (const auto& c : cells)
        if (Lower(c.value).find(v) != std::string::npos) leaked_values.insert(c.table + "." + c.column);
  CHECK_MESSAGE(leaked_values.empty(), "source identifiers found in " << Joined(leaked_values));

  std::map<std::string, std::set<std::string>> leaked_names;  // table.column -> names
  for (const std::string& n : names) {
    if (ignored.count(n)) continue;
    for (const auto& c : cells)
      if (ContainsWord(c.value, n)) leaked_names[c.table + "." + c.column].insert(n);
  }
  for (const auto& leak : leaked_names) {
    const std::string& where = leak.first;
    const auto& found = leak.second;  // (named: clang 14 cannot capture structured bindings)
    CHECK_MESSAGE(found.empty(), where << " holds " << found.size() << " names of the source (e.g. "
                                       << *found.begin() << ")");
  }
}

// --- determinism -----------------------------------------------------------------

TEST_CASE("export: one worker or four, the same bytes (batches are written in the order they were read)") {
  const Sample& s = TheSample();
  TempDir out;
  ExportArgs one, four;
  one.threads = 1;
  four.threads = 4;
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "one.db", one);
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "four.db", four);
  CHECK(Slurp(out / "one.db") == Slurp(out / "four.db"));
  ExportOk(s.db, s.policy, SinkKind::kCsv, out / "one-csv", one);
  ExportOk(s.db, s.policy, SinkKind::kCsv, out / "four-csv", four);
  for (const char* t : {"conversation_notes.csv", "candidates.csv", "website_visits.csv"}) {
    CAPTURE(t);
    std::string a = Slurp(out / "one-csv" + "/" + t);
    CHECK(a.size() > 1000);
    CHECK(a == Slurp(out / "four-csv" + "/" + t));
  }
}

TEST_CASE("export: the same key gives the same bytes; another key other pseudonyms in the same structure") {
  const Sample& s = TheSample();
  TempDir out;
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "a1.db");
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "a2.db");
  ExportArgs b;
  b.key = &KeyB();
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "b.db", b);
  std::string a1 = Slurp(out / "a1.db");
  REQUIRE(a1.size() > 100000);
  CHECK_MESSAGE(a1 == Slurp(out / "a2.db"), "two runs with the same key differ (SQLite)");

  // CSV, twice into two directories.
  ExportOk(s.db, s.policy, SinkKind::kCsv, out / "csv1");
  ExportOk(s.db, s.policy, SinkKind::kCsv, out / "csv2");
  std::set<std::string> files1, files2;
  for (const auto& e : fs::directory_iterator(out / "csv1")) files1.insert(e.path().filename().string());
  for (const auto& e : fs::directory_iterator(out / "csv2")) files2.insert(e.path().filename().string());
  CHECK(files1.size() == s.truth.tables.size() + 1);  // and the .dpo-anonymise marker
  REQUIRE(files1 == files2);
  for (const std::string& f : files1) {
    CAPTURE(f);
    CHECK(Slurp(out / ("csv1/" + f)) == Slurp(out / ("csv2/" + f)));
  }

  // Key B: the same tables, columns, types and rows; other pseudonyms.
  Db da(out / "a1.db"), db(out / "b.db");
  CHECK(da.Query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name") ==
        db.Query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"));
  for (const std::string& t : da.Tables()) {
    CAPTURE(t);
    CHECK(da.Count(t) == db.Count(t));
  }
  Rows ea = da.Query("SELECT id, email, bsn FROM candidates ORDER BY id");
  Rows eb = db.Query("SELECT id, email, bsn FROM candidates ORDER BY id");
  REQUIRE(ea.size() == 300);
  REQUIRE(eb.size() == ea.size());
  int64_t same_email = 0, bsn_both = 0, same_bsn = 0;
  for (size_t i = 0; i < ea.size(); ++i) {
    REQUIRE(ea[i][0] == eb[i][0]);
    REQUIRE(ea[i][1].has_value());
    REQUIRE(eb[i][1].has_value());
    if (ea[i][1] == eb[i][1]) ++same_email;
    if (ea[i][2] && eb[i][2]) {
      ++bsn_both;
      if (ea[i][2] == eb[i][2]) ++same_bsn;
    }
  }
  CHECK(same_email == 0);
  CHECK(bsn_both > 0);
  CHECK(same_bsn == 0);
  // Pseudonyms look as documented.
  CHECK(ea[0][1]->rfind("anon-", 0) == 0);
  CHECK(ea[0][1]->size() == 5 + 16);
  // The same value gives the same pseudonym in every table: an employee who
  // was a candidate has one pseudonymised e-mail in both tables.
  Db src(s.db);
  const std::string same_sql =
      "SELECT count(*) FROM employees e JOIN candidates c ON c.id = e.candidate_id WHERE e.email = c.email";
  CHECK(std::stoll(src.One(same_sql)) > 10);
  CHECK(da.One(same_sql) == src.One(same_sql));
}

// --- a personal key still joins ------------------------------------------------------

TEST_CASE("export: an e-mail address as primary key is pseudonymised the same way where it is referenced") {
  TempDir dir;
  const std::string db_path = dir / "shop.db";
  const std::vector<std::string> emails = {"ann.jansen@example.com", "bob.devries@example.org", "carla@mail.example",
                                           "dirk.bakker@example.net", "eva@example.nl"};
  {
    Db db(db_path, false);
    db.Exec("PRAGMA foreign_keys = ON;"
            "CREATE TABLE people (email TEXT PRIMARY KEY, name TEXT);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, email TEXT REFERENCES people(email));");
    const std::vector<std::string> people = {"Ann Jansen", "Bob de Vries", "Carla Smit", "Dirk Bakker", "Eva Visser"};
    for (size_t i = 0; i < emails.size(); ++i)
      db.Exec("INSERT INTO people VALUES ('" + emails[i] + "', '" + people[i] + "')");
    const std::vector<size_t> buyers = {0, 0, 1, 2, 2, 2, 4};
    for (size_t i = 0; i < buyers.size(); ++i)
      db.Exec("INSERT INTO orders VALUES (" + std::to_string(i + 1) + ", '" + emails[buyers[i]] + "')");
    db.Exec("INSERT INTO orders VALUES (100, NULL)");
  }
  policy::Policy policy = PolicyFromString(kShopPolicy, "shop.yaml");
  std::string out = dir / "anon.db";
  anonymise::ExportSummary summary = ExportOk(db_path, policy, SinkKind::kSqlite, out);
  CHECK(summary.rows == 5 + 8);

  Db src(db_path), dst(out);
  CHECK(dst.Count("people") == 5);
  CHECK(dst.Count("orders") == 8);
  std::set<std::string> people;
  for (const auto& r : dst.Query("SELECT email FROM people")) {
    REQUIRE(r[0].has_value());
    people.insert(*r[0]);
  }
  CHECK(people.size() == 5);
  for (const std::string& e : emails) CHECK(people.count(e) == 0);
  // Every order's e-mail is one of the people's, and not the original.
  Rows orders = dst.Query("SELECT id, email FROM orders ORDER BY id");
  REQUIRE(orders.size() == 8);
  for (const auto& r : orders) {
    CAPTURE(*r[0]);
    if (*r[0] == "100") {
      CHECK_FALSE(r[1].has_value());
      continue;
    }
    REQUIRE(r[1].has_value());
    CHECK(people.count(*r[1]) == 1);
    CHECK(std::find(emails.begin(), emails.end(), *r[1]) == emails.end());
  }
  // The same buyer has the same pseudonym in every order; the join gives the
  // source's pairs (order id -> position of the person in name order is not
  // kept, but the grouping is).
  CHECK(dst.Query("SELECT o.id FROM orders o JOIN people p ON p.email = o.email ORDER BY o.id") ==
        src.Query("SELECT o.id FROM orders o JOIN people p ON p.email = o.email ORDER BY o.id"));
  CHECK(dst.Query("SELECT count(*) FROM orders GROUP BY email ORDER BY 1") ==
        src.Query("SELECT count(*) FROM orders GROUP BY email ORDER BY 1"));
  CHECK(dst.Query("PRAGMA foreign_key_check").empty());
  CHECK(dst.One("SELECT count(*) FROM pragma_foreign_key_list('orders')") == "1");
  // The names are pseudonymised too.
  for (const auto& r : dst.Query("SELECT name FROM people")) CHECK(r[0]->rfind("anon-", 0) == 0);
}

TEST_CASE("export: a foreign key to a UNIQUE constraint over two columns does not stop the export") {
  // A valid SQLite schema: refs (a, b) references pairs (a, b), which is
  // UNIQUE. docs/anonymise.md says multi-column UNIQUE constraints are not
  // recreated; the export must still write every row of every table.
  TempDir dir;
  std::string db_path = dir / "pairs.db";
  {
    Db db(db_path, false);
    db.Exec("CREATE TABLE pairs (a TEXT NOT NULL, b INTEGER NOT NULL, label TEXT, UNIQUE (a, b));"
            "CREATE TABLE refs (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, FOREIGN KEY (a, b) REFERENCES pairs (a, b));"
            "INSERT INTO pairs VALUES ('x', 1, 'one'), ('x', 2, 'two'), ('y', 1, 'three');"
            "INSERT INTO refs VALUES (1, 'x', 1), (2, 'y', 1), (3, NULL, NULL);");
  }
  policy::Policy policy = PolicyFromString(kShopPolicy, "shop.yaml");  // mentions neither table
  ExportArgs args;
  auto summary = Export(db_path, policy, SinkKind::kSqlite, dir / "anon.db", args);
  REQUIRE_MESSAGE(summary.ok(), summary.status().message());
  Db dst(dir / "anon.db");
  CHECK(dst.Count("pairs") == 3);
  CHECK(dst.Count("refs") == 3);
  CHECK(dst.Query("PRAGMA foreign_key_check").empty());
}

// --- k-anonymity -------------------------------------------------------------------------

TEST_CASE("export: --k 5 on the sample's quasi-identifiers: no group of the output is smaller than 5") {
  const Sample& s = TheSample();
  REQUIRE(s.policy.anonymise.quasi_identifiers.size() == 3);
  TempDir out;
  ExportArgs args;
  args.k = 5;
  anonymise::ExportSummary summary = ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "anon.db", args);
  REQUIRE(summary.k_anonymity.size() == 1);
  const anonymise::KAnonymity& k = summary.k_anonymity[0];
  CHECK(k.table == "candidates");
  CHECK(k.k_wanted == 5);
  CHECK(k.rows == 300);
  CHECK(k.k >= 5);
  MESSAGE("k-anonymity: k = " << k.k << " (before " << k.k_before << "), " << k.classes << " classes, "
                              << k.suppressed_rows << " rows suppressed");

  Db dst(out / "anon.db");
  CHECK(dst.Count("candidates") == 300);
  // The quasi-identifiers in table order (as the report lists them).
  std::vector<std::string> cols = k.columns;
  REQUIRE(cols.size() == 3);
  std::string list = "\"" + cols[0] + "\", \"" + cols[1] + "\", \"" + cols[2] + "\"";
  // SQLite's GROUP BY puts NULLs together: the suppressed rows are one group.
  Rows groups = dst.Query("SELECT count(*) FROM candidates GROUP BY " + list + " ORDER BY 1");
  REQUIRE(!groups.empty());
  int64_t smallest = std::stoll(*groups.front()[0]);
  CHECK(smallest >= 5);
  CHECK(k.k == smallest);
  CHECK(k.classes == static_cast<int64_t>(groups.size()));
  // Suppressed rows: NULL in every quasi-identifier (none of the source's
  // rows has all three NULL).
  Db src(s.db);
  CHECK(src.One("SELECT count(*) FROM candidates WHERE " + cols[0] + " IS NULL AND " + cols[1] + " IS NULL AND " +
                cols[2] + " IS NULL") == "0");
  CHECK(dst.One("SELECT count(*) FROM candidates WHERE " + cols[0] + " IS NULL AND " + cols[1] + " IS NULL AND " +
                cols[2] + " IS NULL") == std::to_string(k.suppressed_rows));
  // Without --k the same policy is only measured, and the output's groups
  // are what it reports.
  anonymise::ExportSummary measured = ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "measured.db");
  REQUIRE(measured.k_anonymity.size() == 1);
  Db m(out / "measured.db");
  Rows mg = m.Query("SELECT count(*) FROM candidates GROUP BY " + list + " ORDER BY 1");
  CHECK(measured.k_anonymity[0].k == std::stoll(*mg.front()[0]));
  CHECK(measured.k_anonymity[0].suppressed_rows == 0);
}

namespace {

const char* kPeoplePolicy = R"(version: 1
controller:
  name: Shop B.V.
  contact: privacy@shop.example
data_subjects:
  customer: { description: Customers }
categories:
  identity: { description: "Birth date, postcode and gender", detectors: [birth_date, postcode, gender] }
purposes:
  sales:
    legal_basis: contract
    data_subjects: [customer]
    categories: [identity]
datasets:
  people:
    data_subject: customer
    subject_key: id
    purposes: [sales]
    columns:
      id: none
      birth_date: identity
      postcode: identity
      gender: identity
      last_seen: none
retention:
  people: { dataset: people, keep: 2y after last_seen, action: delete }
anonymise:
  quasi_identifiers: [people.birth_date, people.postcode, people.gender]
)";

struct Person {
  std::string birth_date, postcode, gender;
};

// people(id, birth_date, postcode TEXT NOT NULL, gender, last_seen).
std::string PeopleDb(const TempDir& dir, const std::vector<Person>& people) {
  std::string path = dir / "people.db";
  Db db(path, false);
  db.Exec("CREATE TABLE people (id INTEGER PRIMARY KEY, birth_date TEXT, postcode TEXT NOT NULL, gender TEXT,"
          " last_seen TEXT); BEGIN");
  for (size_t i = 0; i < people.size(); ++i)
    db.Exec("INSERT INTO people VALUES (" + std::to_string(i + 1) + ", '" + people[i].birth_date + "', '" +
            people[i].postcode + "', '" + people[i].gender + "', '2025-01-01')");
  db.Exec("COMMIT");
  return path;
}

// The sizes of the output's groups of (birth_date, postcode, gender), smallest first.
std::vector<int64_t> GroupSizes(const std::string& path) {
  Db db(path);
  std::vector<int64_t> out;
  for (const auto& r : db.Query("SELECT count(*) FROM people GROUP BY birth_date, postcode, gender ORDER BY 1"))
    out.push_back(std::stoll(*r[0]));
  return out;
}

}  // namespace

TEST_CASE("export: --k 5 reaches 5 also when only a few rows are in small groups (the suppressed group too)") {
  // 998 people share their combination; 2 are unique. 2 rows are within
  // the 1% --max-suppress allows, so nothing is generalised further and the
  // 2 are suppressed: they form one group of 2 (NULL, NULL, NULL).
  TempDir dir;
  std::vector<Person> people(998, Person{"1980-05-05", "1234 AB", "M"});
  people.push_back({"1950-01-01", "9999 ZZ", "V"});
  people.push_back({"2001-02-02", "5555 CC", "X"});
  std::string db = PeopleDb(dir, people);
  policy::Policy policy = PolicyFromString(kPeoplePolicy, "people.yaml");
  ExportArgs args;
  args.key = nullptr;
  args.k = 5;
  anonymise::ExportSummary summary = ExportOk(db, policy, SinkKind::kSqlite, dir / "anon.db", args);
  REQUIRE(summary.k_anonymity.size() == 1);
  const anonymise::KAnonymity& k = summary.k_anonymity[0];
  MESSAGE("k = " << k.k << ", wanted " << k.k_wanted << ", " << k.suppressed_rows << " rows suppressed");
  std::vector<int64_t> groups = GroupSizes(dir / "anon.db");
  REQUIRE(!groups.empty());
  CHECK(k.k == groups.front());  // the report tells the truth...
  CHECK(k.k >= 5);               // ...and --k 5 made it at least 5 (docs/policy-format.md: "makes it at least k")
  CHECK(groups.front() >= 5);
}

TEST_CASE("export: rows k-anonymity suppresses are suppressed also when a NOT NULL quasi-identifier cannot be "
          "generalised") {
  // 990 people share their combination; 10 have a postcode the generaliser
  // cannot read ("onbekend") in a NOT NULL column, each another birth year.
  // k-anonymity counts them with postcode NULL and suppresses them (10 rows,
  // within 1%); the export writes "" for the unreadable NOT NULL value.
  TempDir dir;
  std::vector<Person> people(990, Person{"1980-05-05", "1234 AB", "M"});
  for (int i = 1; i <= 10; ++i) people.push_back({std::to_string(1950 + i) + "-03-03", "onbekend", "V"});
  std::string db = PeopleDb(dir, people);
  policy::Policy policy = PolicyFromString(kPeoplePolicy, "people.yaml");
  ExportArgs args;
  args.key = nullptr;
  args.k = 5;
  anonymise::ExportSummary summary = ExportOk(db, policy, SinkKind::kSqlite, dir / "anon.db", args);
  REQUIRE(summary.k_anonymity.size() == 1);
  const anonymise::KAnonymity& k = summary.k_anonymity[0];
  MESSAGE("reported: k = " << k.k << ", " << k.suppressed_rows << " rows suppressed");
  CHECK(k.suppressed_rows == 10);
  bool warned = false;  // the unreadable postcodes are said, not only counted
  for (const std::string& w : summary.warnings) warned = warned || w.find("people.postcode: 10 value(s)") == 0;
  CHECK(warned);
  std::vector<int64_t> groups = GroupSizes(dir / "anon.db");
  REQUIRE(!groups.empty());
  CHECK(k.k == groups.front());
  CHECK(groups.front() >= 5);
  Db out(dir / "anon.db");
  CHECK(out.One("SELECT count(*) FROM people WHERE birth_date IS NULL AND gender IS NULL") == "10");
}

// --- free text ---------------------------------------------------------------------------

TEST_CASE("export: conversation notes keep their words and lose their e-mail addresses and phone numbers") {
  const Sample& s = TheSample();
  TempDir out;
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "anon.db");
  Db src(s.db), dst(out / "anon.db");
  Rows before = src.Query("SELECT id, note FROM conversation_notes ORDER BY id");
  Rows after = dst.Query("SELECT id, note FROM conversation_notes ORDER BY id");
  REQUIRE(before.size() == after.size());
  REQUIRE(before.size() > 100);
  int64_t with_contact_before = 0, clean = 0, clean_unchanged = 0, changed = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    REQUIRE(before[i][0] == after[i][0]);
    REQUIRE(before[i][1].has_value());
    REQUIRE(after[i][1].has_value());
    const std::string& note_in = *before[i][1];
    const std::string& note_out = *after[i][1];
    CAPTURE(*before[i][0]);
    for (const detect::Hit& h : detect::ScanText(note_in))
      if (h.kind == detect::Kind::kEmail || h.kind == detect::Kind::kPhone) {
        ++with_contact_before;
        break;
      }
    for (const detect::Hit& h : detect::ScanText(note_out)) {
      if (h.kind != detect::Kind::kEmail && h.kind != detect::Kind::kPhone) continue;
      if (anonymise::InPlaceholder(note_out, h.offset, h.length)) continue;
      CHECK_MESSAGE(false, "an " << detect::KindName(h.kind) << " is left in conversation note " << *after[i][0]);
    }
    CHECK(note_out.find('@') == std::string::npos);
    if (detect::FindIdentifierSpans(note_in, true).empty()) {
      ++clean;
      if (note_out == note_in) ++clean_unchanged;
    }
    if (note_out != note_in) ++changed;
  }
  CHECK(with_contact_before > 10);
  CHECK(clean > 20);
  CHECK(clean_unchanged == clean);
  CHECK(changed > 0);
  // One known note without identifiers, as it is.
  CHECK(dst.Query("SELECT count(*) FROM conversation_notes WHERE note = "
                  "'Klant was tevreden over de eerste week, verlenging besproken.'") ==
        src.Query("SELECT count(*) FROM conversation_notes WHERE note = "
                  "'Klant was tevreden over de eerste week, verlenging besproken.'"));
  CHECK(std::stoll(dst.One("SELECT count(*) FROM conversation_notes WHERE note = "
                           "'Klant was tevreden over de eerste week, verlenging besproken.'")) > 0);
}

// --- all or nothing ------------------------------------------------------------------------

TEST_CASE("export: a run cancelled after its first batch returns an error and leaves nothing") {
  const Sample& s = TheSample();
  for (int threads : {1, 2}) {
    for (SinkKind kind : {SinkKind::kSqlite, SinkKind::kCsv}) {
      CAPTURE(threads);
      CAPTURE(static_cast<int>(kind));
      TempDir out;
      std::atomic<bool> cancel{false};
      int64_t batches = 0;
      ExportArgs args;
      args.threads = threads;
      args.cancel = &cancel;
      args.progress = [&](const std::string&, int64_t, int64_t) {
        ++batches;
        cancel.store(true);
      };
      std::string dest = kind == SinkKind::kSqlite ? out / "anon.db" : out / "anon-csv";
      auto summary = Export(s.db, s.policy, kind, dest, args);
      CHECK_FALSE(summary.ok());
      CHECK(batches >= 1);
      CHECK_MESSAGE(out.Entries().empty(), "left behind: " << Joined(out.Entries()));
    }
  }
}

TEST_CASE("export: the copy inside SQLite writes the same rows as the streamed copy, and stops when cancelled") {
  const Sample& s = TheSample();
  TempDir out;
  ExportArgs inside;
  inside.inside = true;
  anonymise::ExportSummary a = ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "inside.db", inside);
  anonymise::ExportSummary b = ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "streamed.db");
  CHECK(Mode(out / "inside.db") == 0600);
  CHECK(a.rows == b.rows);
  Db x(out / "inside.db"), y(out / "streamed.db");
  REQUIRE(x.Tables() == y.Tables());
  for (const std::string& t : x.Tables()) {
    CAPTURE(t);
    // Same values and the same storage classes, row by row.
    std::string typed = "SELECT * FROM \"" + t + "\" ORDER BY rowid";
    CHECK(x.Query(typed) == y.Query(typed));
    CHECK(x.One("SELECT sql FROM sqlite_master WHERE name = '" + t + "'") ==
          y.One("SELECT sql FROM sqlite_master WHERE name = '" + t + "'"));
  }
  for (size_t i = 0; i < a.tables.size() && i < b.tables.size(); ++i)
    for (size_t c = 0; c < a.tables[i].columns.size(); ++c) {
      CHECK(a.tables[i].columns[c].counts.changed == b.tables[i].columns[c].counts.changed);
      CHECK(a.tables[i].columns[c].counts.spans == b.tables[i].columns[c].counts.spans);
    }
  CHECK(x.Query("PRAGMA foreign_key_check").empty());

  TempDir cancelled;
  std::atomic<bool> cancel{true};
  inside.cancel = &cancel;
  CHECK_FALSE(Export(s.db, s.policy, SinkKind::kSqlite, cancelled / "anon.db", inside).ok());
  CHECK_MESSAGE(cancelled.Entries().empty(), "left behind: " << Joined(cancelled.Entries()));
}

TEST_CASE("export: a keyed operator without a key: CheckKey refuses and RunExport writes nothing") {
  const Sample& s = TheSample();
  auto src = OpenRead(s.db);
  auto plan = anonymise::PlanExport(*src, s.policy, anonymise::PlanOptions{});
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  Status checked = anonymise::CheckKey(*plan, nullptr);
  CHECK_FALSE(checked.ok());
  CHECK(checked.message().find("--key-file") != std::string::npos);
  CHECK(checked.message().find("DPO_KEY") != std::string::npos);
  CHECK(anonymise::CheckKey(*plan, &KeyA()).ok());

  TempDir out;
  auto sink = anonymise::OpenSink(SinkKind::kSqlite, out / "anon.db", anonymise::SinkOptions{});
  REQUIRE_MESSAGE(sink.ok(), sink.status().message());
  anonymise::ExportOptions options;
  options.key = nullptr;
  options.as_of = kAsOf;
  auto summary = anonymise::RunExport(*src, &*plan, **sink, options);
  CHECK_FALSE(summary.ok());
  if (!summary.ok()) CHECK(summary.status().message().find("--key-file") != std::string::npos);
  CHECK_MESSAGE(out.Entries().empty(), "left behind: " << Joined(out.Entries()));
  // ...and through the helper (plan, sink, run) too.
  ExportArgs args;
  args.key = nullptr;
  CHECK_FALSE(Export(s.db, s.policy, SinkKind::kCsv, out / "csv", args).ok());
  CHECK_MESSAGE(out.Entries().empty(), "left behind: " << Joined(out.Entries()));
}

// --- CSV -------------------------------------------------------------------------------------

TEST_CASE("export: CSV output is owner-only whatever the umask") {
  const Sample& s = TheSample();
  TempDir out;
  Umask open_umask(0);
  ExportOk(s.db, s.policy, SinkKind::kCsv, out / "anon-csv");
  CHECK(Mode(out / "anon-csv") == 0700);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(out / "anon-csv")) {
    CAPTURE(e.path().string());
    CHECK(e.is_regular_file());
    CHECK(Mode(e.path().string()) == 0600);
    if (e.path().filename() == ".dpo-anonymise") continue;  // the marker --force looks for
    CHECK(e.path().extension() == ".csv");
    ++files;
  }
  CHECK(files == s.truth.tables.size());
  CHECK(out.Entries() == std::set<std::string>{"anon-csv"});
  // The CSV output holds the same rows (header + one line per row, for a
  // table without line breaks in its values).
  std::string consents = Slurp(out / "anon-csv/consents.csv");
  CHECK(std::count(consents.begin(), consents.end(), '\n') == static_cast<long>(s.truth.FindTable("consents")->rows) + 1);
}

TEST_CASE("export: a CSV cell a spreadsheet would run comes out neutralised") {
  TempDir dir;
  fs::create_directories(dir / "src");
  Spit(dir / "src/items.csv",
       "id,formula,label\n"
       "1,=1+1,plain\n"
       "2,=HYPERLINK(\"http://evil.example\"),x\n"
       "3,+SUM(A1:A2),y\n"
       "4,@cmd,z\n"
       "5,-12.5,w\n"
       "6,harmless,v\n");
  policy::Policy policy = PolicyFromString(kItemsPolicy, "items.yaml");
  ExportArgs args;
  args.key = nullptr;  // nothing keyed: every column is declared none
  ExportOk(dir / "src", policy, SinkKind::kCsv, dir / "out", args);
  std::string text = Slurp(dir / "out/items.csv");
  CAPTURE(text);
  CHECK(text.find("'=1+1") != std::string::npos);
  CHECK(text.find("'=HYPERLINK") != std::string::npos);
  CHECK(text.find("'+SUM(A1:A2)") != std::string::npos);
  CHECK(text.find("'@cmd") != std::string::npos);
  CHECK(text.find("'-12.5") == std::string::npos);
  CHECK(text.find("-12.5") != std::string::npos);
  CHECK(text.find("harmless") != std::string::npos);
  // No line starts with a formula character or has one after a separator.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    CAPTURE(line);
    size_t start = 0;
    while (start <= line.size()) {
      size_t end = line.find(',', start);
      if (end == std::string::npos) end = line.size();
      std::string cell = line.substr(start, end - start);
      if (!cell.empty() && cell[0] == '"') cell = cell.substr(1);
      if (!cell.empty() && cell != "-12.5") CHECK(std::string("=+@").find(cell[0]) == std::string::npos);
      start = end + 1;
    }
  }
  CHECK(Mode(dir / "out") == 0700);
  CHECK(Mode(dir / "out/items.csv") == 0600);
}

// --- PostgreSQL ------------------------------------------------------------------------------

namespace {

std::string PgOne(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  REQUIRE_MESSAGE(PQstatus(conn) == CONNECTION_OK, PQerrorMessage(conn));
  PGresult* r = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
  std::string error = PQerrorMessage(conn);
  std::string value = ok ? std::string(PQgetvalue(r, 0, 0)) : std::string();
  PQclear(r);
  PQfinish(conn);
  REQUIRE_MESSAGE(ok, sql << ": " << error);
  return value;
}

std::string ConstraintCount(const std::string& uri, const std::string& schema, char type) {
  return PgOne(uri, std::string("SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                                "WHERE n.nspname = '") + schema + "' AND c.contype = '" + type + "'");
}

}  // namespace

TEST_CASE("export: the sample in PostgreSQL into a new schema: the same rows, keys and foreign keys") {
  DPO_PG_SERVER_OR_SKIP(pg);
  const Sample& s = TheSample();
  TempDir work;
  std::string uri = testing::LoadSampleIntoPostgres(*pg, "anon_export_src", s.db, s.csv, s.truth, s.policy, work.path);
  ExportArgs args;
  args.schema = "anon_out";
  anonymise::ExportSummary summary = ExportOk(uri, s.policy, SinkKind::kPostgres, uri, args);
  CHECK(summary.rows == s.total_rows);
  CHECK(summary.destination.find("anon_out") != std::string::npos);
  CHECK(summary.destination.find(testing::PgServer::kPassword) == std::string::npos);

  std::string fks = ConstraintCount(uri, "public", 'f');
  CHECK(std::stoll(fks) > 10);
  CHECK(ConstraintCount(uri, "anon_out", 'f') == fks);
  CHECK(ConstraintCount(uri, "anon_out", 'p') == ConstraintCount(uri, "public", 'p'));
  // Every foreign key of the new schema points into the new schema, validated.
  CHECK(PgOne(uri, "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                   "JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace "
                   "WHERE n.nspname = 'anon_out' AND c.contype = 'f' AND rn.nspname = 'anon_out' AND c.convalidated") ==
        fks);
  for (const auto& t : s.truth.tables) {
    CAPTURE(t.name);
    CHECK(PgOne(uri, "SELECT count(*) FROM anon_out.\"" + t.name + "\"") == std::to_string(t.rows));
    CHECK(PgOne(uri, "SELECT count(*) FROM public.\"" + t.name + "\"") == std::to_string(t.rows));
  }
  // Pseudonymised in the server as in SQLite: the same key, the same pseudonym.
  TempDir out;
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "anon.db");
  Db dst(out / "anon.db");
  CHECK(PgOne(uri, "SELECT email FROM anon_out.candidates WHERE id = 1") ==
        dst.One("SELECT email FROM candidates WHERE id = 1"));
  CHECK(PgOne(uri, "SELECT count(*) FROM anon_out.candidates c JOIN public.candidates p ON p.email = c.email") == "0");

  // The same export from the server into SQLite holds the same values as
  // the export of the SQLite original: the same key gives the same output
  // whatever the backend. (The loader made the retention date columns
  // timestamps, as a real server keeps them: those differ in the source.)
  std::set<std::string> retyped;
  for (const auto& rule : s.policy.retention) retyped.insert(rule.dataset + "." + rule.after_column);
  ExportOk(uri, s.policy, SinkKind::kSqlite, out / "from-pg.db");
  Db from_pg(out / "from-pg.db");
  CHECK(from_pg.Query("PRAGMA foreign_key_check").empty());
  for (const auto& t : s.truth.tables) {
    CAPTURE(t.name);
    std::string sql = "SELECT * FROM \"" + t.name + "\" ORDER BY 1";
    Rows a = dst.Query(sql), b = from_pg.Query(sql);
    REQUIRE(a.size() == b.size());
    std::vector<std::string> cols = dst.Columns(t.name);
    CHECK(from_pg.Columns(t.name) == cols);
    std::map<std::string, int64_t> differing;  // column -> rows
    for (size_t r = 0; r < a.size(); ++r)
      for (size_t c = 0; c < a[r].size() && c < b[r].size(); ++c)
        if (a[r][c] != b[r][c] && !retyped.count(t.name + "." + cols[c])) ++differing[cols[c]];
    for (const auto& diff : differing) {
      const std::string& column = diff.first;  // (named: clang 14 cannot capture structured bindings)
      const auto n = diff.second;
      size_t r = 0;
      size_t c = std::find(cols.begin(), cols.end(), column) - cols.begin();
      while (a[r][c] == b[r][c]) ++r;
      CHECK_MESSAGE(n == 0, t.name << "." << column << ": " << n << " rows differ between the exports of the SQLite "
                                   << "and the PostgreSQL copy, e.g. '" << a[r][c].value_or("NULL") << "' / '"
                                   << b[r][c].value_or("NULL") << "'");
    }
  }
}

TEST_CASE("export: PostgreSQL --force with the source's own schema as --schema leaves the source as it was") {
  DPO_PG_SERVER_OR_SKIP(pg);
  std::string uri = pg->CreateDatabase("anon_same_schema");
  // A lock wait between the export's two connections (the source's reads,
  // the sink's DROP SCHEMA) would otherwise never end.
  REQUIRE(pg->Exec("anon_same_schema", "ALTER DATABASE anon_same_schema SET lock_timeout = '3s'").empty());
  std::string error = pg->Exec("anon_same_schema",
                               "CREATE SCHEMA crm;"
                               "CREATE TABLE crm.people (email text PRIMARY KEY, name text);"
                               "CREATE TABLE crm.orders (id integer PRIMARY KEY, email text REFERENCES crm.people(email));"
                               "INSERT INTO crm.people VALUES ('ann.jansen@example.com', 'Ann Jansen'),"
                               " ('bob.devries@example.org', 'Bob de Vries');"
                               "INSERT INTO crm.orders VALUES (1, 'ann.jansen@example.com'), (2, 'bob.devries@example.org');");
  REQUIRE_MESSAGE(error.empty(), error);
  std::string policy_text = kShopPolicy;
  for (const char* t : {"people", "orders"}) {
    size_t at = policy_text.find(std::string("  ") + t + ":\n");
    REQUIRE(at != std::string::npos);
    policy_text.replace(at, std::string("  ").size() + std::string(t).size() + 2, std::string("  crm.") + t + ":\n");
  }
  size_t rel = policy_text.find("references: people.email");
  REQUIRE(rel != std::string::npos);
  policy_text.replace(rel, std::string("references: people.email").size(), "references: crm.people.email");
  policy::Policy policy = PolicyFromString(policy_text, "shop.yaml");
  ExportArgs args;
  args.schema = "crm";
  args.overwrite = true;
  auto started = std::chrono::steady_clock::now();
  auto summary = Export(uri, policy, SinkKind::kPostgres, uri, args);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE("export into the source's schema: " << (summary.ok() ? std::string("succeeded") : summary.status().message())
                                              << " after " << seconds << " s");
  CHECK_FALSE(summary.ok());
  CHECK(seconds < 2.5);  // refused, not stopped by the lock timeout
  CHECK(PgOne(uri, "SELECT count(*) FROM crm.people WHERE email IN ('ann.jansen@example.com', 'bob.devries@example.org')") == "2");
  CHECK(PgOne(uri, "SELECT count(*) FROM crm.orders") == "2");
}

// --- regressions from the leak review --------------------------------------------------------

namespace {

const char* kEmptyPolicy = R"(version: 1
controller: { name: Shop B.V., contact: privacy@shop.example }
data_subjects: { customer: { description: Customers } }
categories: { contact: { description: Contact data, detectors: [email] } }
purposes: { sales: { legal_basis: contract, data_subjects: [customer], categories: [contact] } }
datasets:
  users:
    data_subject: customer
    purposes: [sales]
    columns:
      email: none
      manager: none
)";

}  // namespace

TEST_CASE("export: what the policy does not protect is still not copied (keys declared none, blobs, bytes, numbers)") {
  TempDir dir;
  std::string db = dir / "src.db";
  {
    Db w(db, false);
    w.Exec("CREATE TABLE users (email TEXT PRIMARY KEY, manager TEXT REFERENCES users(email));"
           "CREATE TABLE attachments (id INTEGER PRIMARY KEY, data BLOB);"
           "CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT);"
           "CREATE TABLE imports (id INTEGER PRIMARY KEY, telefoon REAL);");
    for (int i = 0; i < 40; ++i) {
      std::string n = std::to_string(i);
      w.Exec("INSERT INTO users VALUES ('user" + n + "@gmail.com', 'user0@gmail.com');"
             "INSERT INTO attachments VALUES (" + n + ", CAST('anna.smit" + n + "@gmail.com' AS BLOB));"
             "INSERT INTO notes VALUES (" + n + ", CAST('Bel Sanne op 0612345678, mail sanne" + n +
             "@gmail.com' AS BLOB));"
             "INSERT INTO imports VALUES (" + n + ", 31612345" + (i < 10 ? "00" : "0") + n + ".0);");
    }
  }
  policy::Policy policy = PolicyFromString(kEmptyPolicy, "users.yaml");
  for (bool inside : {false, true}) {
    CAPTURE(inside);
    TempDir out;
    ExportArgs args;
    args.inside = inside;
    anonymise::ExportSummary summary = ExportOk(db, policy, SinkKind::kSqlite, out / "anon.db", args);
    Db dst(out / "anon.db");
    CHECK(dst.Query("PRAGMA foreign_key_check").empty());
    CHECK(dst.One("SELECT count(*) FROM users WHERE email LIKE '%@%' OR manager LIKE '%@%'") == "0");
    CHECK(dst.One("SELECT count(*) FROM users u JOIN users m ON u.manager = m.email") == "40");  // joins hold
    CHECK(dst.One("SELECT count(*) FROM attachments WHERE data IS NOT NULL") == "0");
    CHECK(dst.One("SELECT count(*) FROM notes WHERE CAST(note AS TEXT) LIKE '%@%' OR CAST(note AS TEXT) LIKE "
                  "'%0612345678%' OR note LIKE '\\x%'") == "0");
    CHECK(dst.One("SELECT count(*) FROM notes WHERE note LIKE 'Bel Sanne op [phone]%'") == "40");
    CHECK(dst.One("SELECT count(*) FROM imports WHERE telefoon IS NOT NULL") == "0");
    bool warned = false;
    for (const std::string& w : summary.warnings) warned = warned || w.find("users.email") != std::string::npos;
    CHECK(warned);
  }
}

TEST_CASE("export: the sample's special-category columns and personnel numbers do not leave") {
  const Sample& s = TheSample();
  TempDir out;
  ExportOk(s.db, s.policy, SinkKind::kSqlite, out / "anon.db");
  Db src(s.db), dst(out / "anon.db");
  CHECK(dst.One("SELECT count(*) FROM absences WHERE reason IS NOT NULL") == "0");
  CHECK(dst.One("SELECT count(*) FROM employees WHERE vog_issued_on IS NOT NULL") == "0");
  CHECK(dst.One("SELECT count(*) FROM employees WHERE personnel_number LIKE 'anon-%'") ==
        src.One("SELECT count(*) FROM employees"));
}

TEST_CASE("export: --k suppresses the outlier age band, not a large group (80-89 as AgeBand writes it)") {
  TempDir dir;
  std::vector<Person> people;
  for (int i = 0; i < 60; ++i) people.push_back({std::to_string(1947 + i) + "-06-01", "1234 AB", "M"});
  people.push_back({"1941-01-01", "1234 AB", "M"});  // 85 on the as-of date
  people.push_back({"1940-01-01", "1234 AB", "M"});  // 86
  std::string db = PeopleDb(dir, people);
  std::string policy_text = kPeoplePolicy;
  const std::string section = "anonymise:\n  quasi_identifiers: [people.birth_date, people.postcode, people.gender]\n";
  REQUIRE(policy_text.find(section) != std::string::npos);
  policy_text.replace(policy_text.find(section), section.size(),
                      "anonymise:\n  columns:\n    people.birth_date: generalise:age_band\n"
                      "  quasi_identifiers: [people.birth_date]\n");
  policy::Policy policy = PolicyFromString(policy_text, "people.yaml");
  ExportArgs args;
  args.key = nullptr;
  args.k = 5;
  anonymise::ExportSummary summary = ExportOk(db, policy, SinkKind::kSqlite, dir / "anon.db", args);
  REQUIRE(summary.k_anonymity.size() == 1);
  Db out(dir / "anon.db");
  CHECK(out.One("SELECT count(*) FROM people WHERE birth_date LIKE '80%'") == "0");
  CHECK(summary.k_anonymity[0].k >= 5);
  CHECK(summary.k_anonymity[0].k == GroupSizes(dir / "anon.db").front());
}
