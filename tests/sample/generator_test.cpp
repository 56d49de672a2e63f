// The sample generator against real SQLite files and CSV exports: valid
// values, determinism, referential integrity, CSV = SQLite, and a ground
// truth that matches what SQL counts in the generated database.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sample/generator.h"
#include "util/duration.h"

namespace fs = std::filesystem;
using dpo::sample::GenerateOptions;
using dpo::sample::GenerateReport;
using dpo::sample::GroundTruth;

namespace {

// A fresh directory under the build tree's temp area, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "dpo-sample-test-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

class Db {
 public:
  explicit Db(const fs::path& file) { REQUIRE(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK); }
  ~Db() { sqlite3_close(db_); }
  // All rows of a query, each cell as text ("<NULL>" for NULL), cells joined by '\x1f'.
  std::vector<std::string> Rows(const std::string& sql) const {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE_MESSAGE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK, sql, ": ", sqlite3_errmsg(db_));
    std::vector<std::string> rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (i > 0) row.push_back('\x1f');
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row += text == nullptr ? "<NULL>" : reinterpret_cast<const char*>(text);
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return rows;
  }
  long Count(const std::string& sql) const {
    std::vector<std::string> rows = Rows(sql);
    REQUIRE(rows.size() == 1);
    return std::stol(rows[0]);
  }
  std::vector<std::string> Column(const std::string& table, const std::string& column) const {
    return Rows("SELECT \"" + column + "\" FROM \"" + table + "\" WHERE \"" + column + "\" IS NOT NULL");
  }

 private:
  sqlite3* db_ = nullptr;
};

GenerateReport Generate(const fs::path& dir, uint64_t rows, uint64_t seed, bool csv = true) {
  GenerateOptions options;
  options.sqlite_path = (dir / "sample.db").string();
  if (csv) options.csv_dir = (dir / "csv").string();
  options.rows = rows;
  options.seed = seed;
  auto report = dpo::sample::GenerateSample(options);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  return std::move(report).value();
}

std::string ReadFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Independent validators (not the generator's, not lib/detect's).
bool ElevenCheck(const std::string& d) {
  if (d.size() != 9) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    if (d[i] < '0' || d[i] > '9') return false;
    sum += (i == 8 ? -1 : 9 - i) * (d[i] - '0');
  }
  return sum % 11 == 0;
}

bool IbanValid(const std::string& iban) {
  static const std::set<std::string> kBanks = {"ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ"};
  if (iban.size() != 18 || iban.compare(0, 2, "NL") != 0 || kBanks.count(iban.substr(4, 4)) == 0) return false;
  std::string rearranged = iban.substr(4) + iban.substr(0, 4);
  int mod = 0;
  for (char c : rearranged) {
    if (c >= '0' && c <= '9') {
      mod = (mod * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      mod = (mod * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return mod == 1;
}

bool AllDigits(const std::string& s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

bool PostcodeValid(const std::string& p) {
  if (p.size() != 7 || !AllDigits(p.substr(0, 4)) || p[0] == '0' || p[4] != ' ') return false;
  if (p[5] < 'A' || p[5] > 'Z' || p[6] < 'A' || p[6] > 'Z') return false;
  std::string letters = p.substr(5);
  return letters != "SA" && letters != "SD" && letters != "SS";
}

bool PhoneValid(const std::string& p) {
  if (p.rfind("06-", 0) == 0) return p.size() == 11 && AllDigits(p.substr(3));
  if (p.rfind("+31 6 ", 0) == 0) return p.size() == 14 && AllDigits(p.substr(6));
  if (p.rfind("+31 ", 0) == 0) {  // +31 20 1234567
    size_t space = p.find(' ', 4);
    return space == 6 && AllDigits(p.substr(4, 2)) && p.size() == 14 && AllDigits(p.substr(7));
  }
  if (p.rfind("06", 0) == 0) return p.size() == 10 && AllDigits(p);
  // 020-1234567: area code of three digits, seven subscriber digits.
  return p.size() == 11 && p[0] == '0' && p[3] == '-' && AllDigits(p.substr(1, 2)) && AllDigits(p.substr(4));
}

bool VatValid(const std::string& v) {
  return v.size() == 14 && v.compare(0, 2, "NL") == 0 && ElevenCheck(v.substr(2, 9)) && v.compare(11, 3, "B01") == 0;
}

// Data records in a CSV file (RFC 4180 quoting; quoted fields may hold line
// breaks), not counting the header; also checks every record has `fields` fields.
long CountCsvRecords(const fs::path& file, char delimiter, size_t fields) {
  std::string text = ReadFile(file);
  long records = 0;
  size_t field_count = 1;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          ++i;
        } else {
          quoted = false;
        }
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      ++field_count;
    } else if (c == '\n') {
      CHECK_MESSAGE(field_count == fields, file.string(), " record ", records, " has ", field_count, " fields");
      ++records;
      field_count = 1;
    }
  }
  CHECK_FALSE(quoted);
  return records - 1;  // the header
}

std::string Dump(const Db& db, const GroundTruth& truth) {
  std::string all;
  for (const auto& t : truth.tables) {
    all += "## " + t.name + "\n";
    for (const std::string& row : db.Rows("SELECT * FROM \"" + t.name + "\" ORDER BY rowid")) all += row + "\n";
  }
  return all;
}

}  // namespace

TEST_CASE("values are valid where real ones carry a checksum or a format") {
  TempDir dir;
  GenerateReport report = Generate(dir.path, 2000, 7, false);
  Db db(dir.path / "sample.db");
  std::map<std::string, long> checked;
  // Driven by the truth: every column said to hold a kind must hold valid values of it.
  for (const auto& t : report.truth.tables) {
    for (const auto& c : t.columns) {
      if (c.kinds.empty() || std::find(c.kinds.begin(), c.kinds.end(), "free_text") != c.kinds.end()) continue;
      const std::string& kind = c.kinds[0];
      for (const std::string& v : db.Column(t.name, c.name)) {
        INFO(t.name, ".", c.name, " = ", v);
        if (kind == "bsn") CHECK(ElevenCheck(v));
        if (kind == "iban") CHECK(IbanValid(v));
        if (kind == "postcode") CHECK(PostcodeValid(v));
        if (kind == "phone") CHECK(PhoneValid(v));
        if (kind == "vat_nl") CHECK(VatValid(v));
        if (kind == "kvk") CHECK((v.size() == 8 && AllDigits(v) && v[0] != '0'));
        if (kind == "email") CHECK((v.find('@') != std::string::npos && v.find(' ') == std::string::npos));
        if (kind == "social_profile") CHECK(v.rfind("https://www.linkedin.com/in/", 0) == 0);
        if (kind == "ipv4") CHECK((std::count(v.begin(), v.end(), '.') == 3 || std::count(v.begin(), v.end(), ':') >= 4));
        if (kind == "birth_date") {
          auto d = dpo::util::ParseIsoDate(v);
          REQUIRE(d.ok());
          CHECK(d->year >= 1950);
          CHECK(d->year <= 2010);
        }
        ++checked[kind];
      }
    }
  }
  for (const char* kind : {"bsn", "iban", "postcode", "phone", "vat_nl", "kvk", "email", "birth_date"}) {
    CHECK_MESSAGE(checked[kind] > 10, kind);
  }
  // The same person has the same identifiers as candidate and as employee.
  CHECK(db.Count("SELECT COUNT(*) FROM employees e JOIN candidates c ON c.id = e.candidate_id "
                 "WHERE c.bsn IS NOT e.bsn OR c.email IS NOT e.email OR c.iban IS NOT e.iban") == 0);
  // E-mail addresses identify candidates: no two share one.
  CHECK(db.Count("SELECT COUNT(*) - COUNT(DISTINCT email) FROM candidates") == 0);
  // Document numbers: 2 letters, 6 letters/digits, 1 digit, never the letter O (Dutch documents).
  for (const std::string& v : db.Rows("SELECT document_number FROM id_documents WHERE issuing_country = 'NLD'")) {
    CHECK(v.size() == 9);
    CHECK(v.find('O') == std::string::npos);
    CHECK(std::isdigit(static_cast<unsigned char>(v[8])));
  }
}

TEST_CASE("the same options give identical bytes; another seed gives other data") {
  TempDir a, b, c;
  GenerateReport ra = Generate(a.path, 500, 42);
  GenerateReport rb = Generate(b.path, 500, 42);
  GenerateReport rc = Generate(c.path, 500, 43);
  CHECK(ReadFile(a.path / "sample.db") == ReadFile(b.path / "sample.db"));
  for (const auto& t : ra.truth.tables) {
    CHECK_MESSAGE(ReadFile(a.path / "csv" / t.csv_file) == ReadFile(b.path / "csv" / t.csv_file), t.csv_file);
  }
  CHECK(dpo::sample::GroundTruthToJson(ra.truth) == dpo::sample::GroundTruthToJson(rb.truth));
  CHECK(ReadFile(a.path / "csv" / "candidates.csv") != ReadFile(c.path / "csv" / "candidates.csv"));
  CHECK(ReadFile(a.path / "csv" / "conversation_notes.csv") != ReadFile(c.path / "csv" / "conversation_notes.csv"));
  // The truth without writing anything is the same truth.
  GenerateOptions options;
  options.rows = 500;
  options.seed = 42;
  auto truth_only = dpo::sample::GetGroundTruth(options);
  REQUIRE(truth_only.ok());
  CHECK(dpo::sample::GroundTruthToJson(*truth_only) == dpo::sample::GroundTruthToJson(ra.truth));
}

TEST_CASE("foreign keys hold and the CSV export has the rows of the database") {
  TempDir dir;
  GenerateReport report = Generate(dir.path, 1500, 3);
  Db db(dir.path / "sample.db");
  CHECK(db.Rows("PRAGMA foreign_key_check").empty());
  CHECK(db.Rows("PRAGMA integrity_check") == std::vector<std::string>{"ok"});
  long declared_fks = 0;
  for (const auto& t : report.truth.tables) {
    INFO(t.name);
    CHECK(t.primary_key == std::vector<std::string>{"id"});
    declared_fks += static_cast<long>(db.Rows("PRAGMA foreign_key_list(\"" + t.name + "\")").size());
    long rows = db.Count("SELECT COUNT(*) FROM \"" + t.name + "\"");
    CHECK(rows == static_cast<long>(t.rows));
    CHECK(rows > 0);
    CHECK(CountCsvRecords(dir.path / "csv" / t.csv_file, t.csv_delimiter, t.columns.size()) == rows);
    for (const auto& c : t.columns) {
      INFO(c.name);
      CHECK(db.Count("SELECT COUNT(\"" + c.name + "\") FROM \"" + t.name + "\"") == static_cast<long>(c.non_null));
    }
  }
  CHECK(declared_fks >= 19);
  // Output holds personal data: owner-only.
  struct stat st {};
  REQUIRE(::stat((dir.path / "sample.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir.path / "csv" / "candidates.csv").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("the truth names the undeclared personal data and every column's meaning") {
  GenerateOptions options;
  options.rows = 400;
  auto truth = dpo::sample::GetGroundTruth(options);
  REQUIRE(truth.ok());
  std::set<std::string> undeclared(truth->undeclared.begin(), truth->undeclared.end());
  CHECK(undeclared == std::set<std::string>{"candidates.private_email_2", "employees.extra_1", "export_tmp.naam",
                                            "export_tmp.telefoon", "export_tmp.email", "export_tmp.woonplaats"});
  const auto* notes = truth->FindTable("conversation_notes");
  REQUIRE(notes != nullptr);
  const auto* note = notes->FindColumn("note");
  REQUIRE(note != nullptr);
  for (const char* kind : {"free_text", "phone", "email", "health_term", "religion_term", "union_term", "criminal_term"}) {
    CHECK_MESSAGE(std::find(note->kinds.begin(), note->kinds.end(), kind) != note->kinds.end(), kind);
  }
  CHECK(note->mentions.at("health_term") > 0);
  const auto* extra = truth->FindTable("employees")->FindColumn("extra_1");
  CHECK(extra->kinds == std::vector<std::string>{"iban"});
  CHECK(truth->FindTable("candidates")->FindColumn("id")->kinds.empty());
  CHECK(truth->FindTable("candidates")->FindColumn("id")->category == "none");
  CHECK(truth->FindTable("candidates")->FindColumn("email")->identifier);
  CHECK(truth->FindTable("placements")->FindColumn("employee_id")->references == "employees.id");
  CHECK_FALSE(truth->FindTable("export_tmp")->declared);
}

void CheckRetentionTruth(const dpo::util::Date& as_of) {
  TempDir dir;
  GenerateOptions options;
  options.sqlite_path = (dir.path / "sample.db").string();
  options.rows = 4000;
  options.seed = 11;
  options.as_of = as_of;
  auto generated = dpo::sample::GenerateSample(options);
  REQUIRE_MESSAGE(generated.ok(), generated.status().message());
  const GenerateReport& report = *generated;
  Db db(dir.path / "sample.db");
  // Nothing happens after the as-of date.
  CHECK(db.Count("SELECT COUNT(*) FROM candidates WHERE last_active_at >= '" + as_of.ToIso() + "'") == 0);
  CHECK(db.Count("SELECT COUNT(*) FROM website_visits WHERE visited_at >= '" + as_of.ToIso() + "'") == 0);
  using dpo::util::Duration;
  // Written here from the policy, independently of the generator's rule table.
  struct Rule {
    const char* table;
    const char* after;
    Duration keep;
    const char* when;
    const char* hold;
  };
  // A hold on a row also holds the rows that belong to it (references that
  // are not ON DELETE SET NULL): the sample's held candidates and employees.
  const std::string held_candidate = "candidate_id IN (SELECT id FROM candidates WHERE legal_hold = 1)";
  const std::string held_employee = "employee_id IN (SELECT id FROM employees WHERE legal_hold = 1)";
  const std::string applications_hold = "dispute_open = 1 OR " + held_candidate;
  const std::string payslips_hold = "legal_hold = 1 OR " + held_employee;
  const std::string timesheets_hold =
      held_employee + " OR placement_id IN (SELECT id FROM placements WHERE " + held_employee + ")";
  const std::map<std::string, Rule> rules = {
      {"candidate_profile_renewal", {"candidates", "last_active_at", Duration::Years(1), "status = 'active'", "legal_hold = 1"}},
      {"candidate_inactive", {"candidates", "last_active_at", Duration::Years(2), "1", "legal_hold = 1"}},
      {"application_without_consent", {"applications", "procedure_ended_at", Duration::Weeks(4), "consent_keep_1y = 0", applications_hold.c_str()}},
      {"application_with_consent", {"applications", "procedure_ended_at", Duration::Years(1), "consent_keep_1y = 1", applications_hold.c_str()}},
      {"placements", {"placements", "end_date", Duration::Years(7), "1", held_employee.c_str()}},
      {"consent_records", {"consents", "withdrawn_at", Duration::Years(2), "1", held_candidate.c_str()}},
      {"conversation_notes", {"conversation_notes", "created_at", Duration::Years(2), "1", held_candidate.c_str()}},
      {"client_contacts", {"client_contacts", "last_contact_at", Duration::Years(2), "1", "0"}},
      {"client_business_data", {"client_companies", "relationship_ended_at", Duration::Years(7), "1", "0"}},
      {"employee_records", {"employees", "employment_ended_at", Duration::Years(7), "1", "legal_hold = 1"}},
      {"payslips", {"payslips", "paid_at", Duration::Years(7), "1", payslips_hold.c_str()}},
      {"timesheets", {"timesheets", "period_end", Duration::Years(7), "1", timesheets_hold.c_str()}},
      {"invoices", {"invoices", "issued_at", Duration::Years(7), "1", "0"}},
      {"id_document_copies", {"id_documents", "employment_ended_at", Duration::Years(5), "1", held_employee.c_str()}},
      {"absence_records", {"absences", "end_date", Duration::Years(2), "1", held_employee.c_str()}},
      {"website_visits", {"website_visits", "visited_at", Duration::Months(13), "1", "0"}},
  };
  REQUIRE(report.truth.retention.size() == rules.size());
  for (const auto& r : report.truth.retention) {
    INFO(r.rule);
    REQUIRE(rules.count(r.rule) == 1);
    const Rule& rule = rules.at(r.rule);
    std::string cutoff = dpo::util::Subtract(as_of, rule.keep).ToIso();
    CHECK(r.cutoff == cutoff);
    CHECK(r.dataset == rule.table);
    std::string from = std::string(" FROM ") + rule.table + " WHERE (" + rule.when + ")";
    std::string expired = from + " AND " + rule.after + " IS NOT NULL AND substr(" + rule.after + ", 1, 10) < '" + cutoff + "'";
    CHECK(db.Count("SELECT COUNT(*)" + from) == static_cast<long>(r.in_scope));
    CHECK(db.Count("SELECT COUNT(*)" + expired) == static_cast<long>(r.expired));
    CHECK(db.Count("SELECT COUNT(*)" + expired + " AND (" + rule.hold + ")") == static_cast<long>(r.held));
    CHECK(r.to_act == r.expired - r.held);
    // No row sits on the boundary, so "<" and "<=" agree.
    CHECK(db.Count("SELECT COUNT(*) FROM " + std::string(rule.table) + " WHERE substr(" + rule.after + ", 1, 10) = '" +
                   cutoff + "'") == 0);
    // Every rule has work to do, and rows it must keep.
    CHECK(r.to_act > 0);
    CHECK(r.expired < r.in_scope);
    if (std::string(rule.hold) != "0") CHECK(r.held > 0);
  }
}

TEST_CASE("retention truth equals a direct SQL count of each rule's condition") {
  SUBCASE("as of the default date") { CheckRetentionTruth(dpo::util::Date{2026, 11, 1}); }
  SUBCASE("as of another date, a leap day") { CheckRetentionTruth(dpo::util::Date{2032, 2, 29}); }
}

// The policy maps the sample: every declared column of the truth, none of the
// undeclared ones, and the same retention rules. A small reader of the
// policy's own layout (two-space indents), so that the generator and
// policies/staffing-agency.yaml cannot drift apart.
TEST_CASE("policies/staffing-agency.yaml maps exactly the declared data and has the truth's retention rules") {
  std::ifstream in(fs::path(DPO_SOURCE_DIR) / "policies" / "staffing-agency.yaml");
  REQUIRE(in.good());
  std::set<std::string> mapped, rules;
  std::map<std::string, std::string> keep;
  std::string line, section, table, rule;
  bool in_columns = false;
  auto indent = [](const std::string& l) { return l.find_first_not_of(' '); };
  auto key = [](const std::string& l) {
    size_t b = l.find_first_not_of(' ');
    return l.substr(b, l.find(':') - b);
  };
  while (std::getline(in, line)) {
    if (line.empty() || line.find_first_not_of(' ') == std::string::npos || line[line.find_first_not_of(' ')] == '#') continue;
    size_t n = indent(line);
    if (n == 0) {
      section = key(line);
    } else if (section == "datasets") {
      if (n == 2) {
        table = key(line);
        in_columns = false;
      } else if (n == 4) {
        in_columns = key(line) == "columns";
      } else if (n == 6 && in_columns) {
        mapped.insert(table + "." + key(line));
      }
    } else if (section == "retention") {
      if (n == 2) {
        rule = key(line);
        rules.insert(rule);
      } else if (n == 4 && key(line) == "keep") {
        keep[rule] = line.substr(line.find(':') + 2);
      }
    }
  }
  GenerateOptions options;
  options.rows = 100;
  auto truth = dpo::sample::GetGroundTruth(options);
  REQUIRE(truth.ok());
  std::set<std::string> declared;
  for (const auto& t : truth->tables) {
    for (const auto& c : t.columns) {
      if (c.declared) declared.insert(t.name + "." + c.name);
    }
  }
  CHECK(mapped == declared);
  std::set<std::string> truth_rules;
  for (const auto& r : truth->retention) {
    truth_rules.insert(r.rule);
    CHECK_MESSAGE(keep[r.rule] == r.keep + " after " + r.after_column, r.rule);
  }
  CHECK(rules == truth_rules);
}

TEST_CASE("existing outputs are refused without overwrite and nothing is changed") {
  TempDir dir;
  Generate(dir.path, 50, 1);
  std::string before = ReadFile(dir.path / "sample.db");
  GenerateOptions options;
  options.sqlite_path = (dir.path / "sample.db").string();
  options.rows = 60;
  auto again = dpo::sample::GenerateSample(options);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().message().find("--force") != std::string::npos);
  CHECK(again.status().code() == dpo::StatusCode::kInvalidArgument);
  CHECK(ReadFile(dir.path / "sample.db") == before);
  options.sqlite_path.clear();
  options.csv_dir = (dir.path / "csv").string();
  CHECK_FALSE(dpo::sample::GenerateSample(options).ok());
  options.overwrite = true;
  options.sqlite_path = (dir.path / "sample.db").string();
  CHECK(dpo::sample::GenerateSample(options).ok());
  CHECK(ReadFile(dir.path / "sample.db") != before);
  CHECK_FALSE(fs::exists(dir.path / "sample.db.partial"));
  options.rows = 0;
  CHECK_FALSE(dpo::sample::GenerateSample(options).ok());
}

TEST_CASE("the bundled sample is what the documented command generates") {
  // samples/README.md: dpo sample generate --out samples/staffing.db --rows 300 --seed 1
  //   --csv samples/csv --truth samples/truth.json
  const fs::path samples = fs::path(DPO_SOURCE_DIR) / "samples";
  REQUIRE(fs::exists(samples / "staffing.db"));
  TempDir dir;
  GenerateReport fresh = Generate(dir.path, 300, 1);
  Db bundled(samples / "staffing.db");
  Db generated(dir.path / "sample.db");
  CHECK(Dump(bundled, fresh.truth) == Dump(generated, fresh.truth));
  for (const auto& t : fresh.truth.tables) {
    CHECK_MESSAGE(ReadFile(samples / "csv" / t.csv_file) == ReadFile(dir.path / "csv" / t.csv_file), t.csv_file);
  }
  CHECK(ReadFile(samples / "truth.json") == dpo::sample::GroundTruthToJson(fresh.truth));
  CHECK(fs::file_size(samples / "staffing.db") < 1024 * 1024);
}
