// Issue 12: a sweep for secrets and personal data in everything dpo prints or
// writes that is not meant to hold them. Every subcommand runs on a copy of
// the bundled sample with a key file, and every command that takes a source
// also runs with PostgreSQL connection strings holding a password (the server
// does not exist: the error path must not print it either). Then every
// stdout, stderr, plan, report, draft, ledger, lock file and audit log is
// searched for the key (hex, raw bytes, base64), the password, and the full
// personal values of the sample: the e-mail addresses, phone numbers, IBANs,
// BSNs, document numbers and full names in the columns truth.json gives those
// kinds. A hit fails with the file and the kind of value, never the value.
// Outputs meant to hold personal data (the DSAR package, the recipient
// export, the renewal notices) are not searched, but must be owner-only
// (files 0600, directories 0700); the anonymised copy is searched too: it is
// meant to hold nobody.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fault_cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::FaultWork;
using dpo::testing::ModeOf;
using dpo::testing::ReadFile;
using dpo::testing::ShellQuote;
namespace fs = std::filesystem;

namespace {

const std::string kPassword = "Sw33pS3cret-pw";
const std::string kUri = "postgresql://dpo:" + kPassword + "@127.0.0.1:1/crm?connect_timeout=2";
const std::string kKeyValue = "host=127.0.0.1 port=1 user=dpo password=" + kPassword + " dbname=crm connect_timeout=2";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string Sql(const std::string& db, const std::string& query) {
  std::string out;
  FILE* p = ::popen(("sqlite3 " + ShellQuote(db) + " " + ShellQuote(query)).c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string Digits(const std::string& s) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d += c;
  return d;
}

// kind -> the sample's full values of that kind.
std::map<std::string, std::set<std::string>> KnownValues() {
  std::map<std::string, std::set<std::string>> values;
  nlohmann::json truth = nlohmann::json::parse(ReadFile(std::string(DPO_SOURCE_DIR) + "/samples/truth.json"));
  const std::string db = dpo::testing::kFaultSampleDb;
  const std::set<std::string> wanted = {"email", "phone", "iban", "bsn", "passport_nl", "id_card_nl"};
  for (const auto& table : truth["tables"]) {
    const std::string t = table["name"];
    std::set<std::string> columns;
    for (const auto& c : table["columns"]) {
      columns.insert(c["name"].get<std::string>());
      std::vector<std::string> kinds = c["kinds"];
      if (kinds.empty()) continue;
      bool all = true;
      for (const auto& k : kinds) all = all && wanted.count(k) > 0;
      if (!all) continue;  // free text and the like: its values are whole texts
      std::string kind = kinds[0] == "id_card_nl" ? "passport_nl" : kinds[0];
      for (const std::string& v : Lines(Sql(db, "SELECT DISTINCT \"" + c["name"].get<std::string>() + "\" FROM \"" + t +
                                                    "\" WHERE \"" + c["name"].get<std::string>() + "\" IS NOT NULL"))) {
        if (v.size() < 6) continue;
        values[kind].insert(v);
        if (kind == "phone" && Digits(v).size() >= 9) values[kind].insert(Digits(v));
      }
    }
    if (columns.count("first_name") && columns.count("last_name")) {
      std::string tv = columns.count("tussenvoegsel") ? "COALESCE(tussenvoegsel || ' ', '') || " : "";
      for (const std::string& v : Lines(Sql(db, "SELECT first_name || ' ' || " + tv + "last_name FROM \"" + t + "\"")))
        values["full name"].insert(v);
    }
  }
  // The undeclared mailing export holds a full name per row.
  for (const std::string& v : Lines(Sql(db, "SELECT naam FROM export_tmp"))) values["full name"].insert(v);
  return values;
}

std::string Base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 | (unsigned char)bytes[i + 2];
    out += k[v >> 18 & 63];
    out += k[v >> 12 & 63];
    out += k[v >> 6 & 63];
    out += k[v & 63];
  }
  return out;  // the full 3-byte groups suffice to recognise it
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Sweep {
  FaultWork w;
  std::vector<std::pair<std::string, std::string>> captured;  // what ran -> stdout + stderr
  int runs = 0;

  CliRun Run(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    CliRun r = w.Dpo(args, "", env);
    std::string what = "dpo";
    for (const auto& a : args) what += " " + a;
    // The label names the command, never a secret: the password is replaced.
    for (size_t at; (at = what.find(kPassword)) != std::string::npos;) what.replace(at, kPassword.size(), "PASSWORD");
    captured.push_back({what + " (stdout)", r.out});
    captured.push_back({what + " (stderr)", r.err});
    ++runs;
    return r;
  }
};

}  // namespace

TEST_CASE("secrets sweep: no key, password or personal value in what dpo prints or writes for itself") {
  auto started = std::chrono::steady_clock::now();
  Sweep s;
  FaultWork& w = s.w;
  const std::string key_hex = dpo::testing::kFaultKeyHex;
  std::string key_raw;
  for (size_t i = 0; i < key_hex.size(); i += 2) key_raw += static_cast<char>(std::stoi(key_hex.substr(i, 2), nullptr, 16));
  std::map<std::string, std::set<std::string>> values = KnownValues();
  REQUIRE(values["email"].size() > 300);
  REQUIRE(values["phone"].size() > 300);
  REQUIRE(values["iban"].size() > 50);
  REQUIRE(values["bsn"].size() > 50);
  REQUIRE(values["full name"].size() > 300);
  const std::string subject = *values["email"].begin();
  fs::copy_file(w.db, w.dir.File("backup.db"));
  std::string text;
  int i = 0;
  for (const auto& [kind, vs] : values)
    for (const auto& v : vs)
      if (i++ % 7 == 0) text += "regel: " + v + " en nog wat\n";
  w.dir.Write("text.txt", text);
  w.dir.Write("bad.key", key_hex.substr(0, 40) + "zz" + key_hex.substr(42) + "\n");
  ::chmod(w.dir.File("bad.key").c_str(), 0600);

  // Reading commands, reports and plans.
  s.Run({"inspect", "crm.db"});
  s.Run({"inspect", "--format", "json", "--policy", "p.yaml", "csv"});
  s.Run({"policy", "check", "p.yaml"});
  s.Run({"policy", "show", "p.yaml"});
  s.Run({"policy", "init", "crm.db", "--out", "draft.yaml"});
  s.Run({"scan", "crm.db"});
  s.Run({"scan", "--policy", "p.yaml", "--as-of", "2026-11-01", "csv"});
  for (const char* fmt : {"json", "sarif", "html", "markdown", "text"})
    s.Run({"scan", "--policy", "p.yaml", "--as-of", "2026-11-01", "--full", "--format", fmt, "-o",
           std::string("report.") + fmt, "crm.db"});
  s.Run({"detect", "text.txt"});
  s.Run({"detect", "--format", "json", "--all", "text.txt"});
  s.Run({"retention", "plan", "--policy", "p.yaml", "--as-of", "2026-11-01", "-o", "plan.json", "crm.db"});
  s.Run({"retention", "plan", "--policy", "p.yaml", "--as-of", "2026-11-01", "--format", "markdown", "csv"});
  s.Run({"retention", "notices", "--policy", "p.yaml", "--as-of", "2026-11-01", "--within", "365d", "-o",
         "notices.csv", "--audit-log", "audit.jsonl", "--key-file", "dpo.key", "crm.db"});
  // Requests: access, erasure, recipient export, anonymised copy.
  s.Run({"dsar", "export", "--policy", "p.yaml", "crm.db", "--subject", "email=" + subject, "--received",
         "2026-11-02", "--out", "pkg"});
  s.Run({"dsar", "export", "--policy", "p.yaml", "crm.db", "--subject", "email=" + subject, "--received",
         "2026-11-02", "--zip", "--out", "pkg.zip"});
  s.Run({"dsar", "verify", "pkg"});
  s.Run({"erase", "plan", "--policy", "p.yaml", "crm.db", "--subject", "email=" + subject, "--as-of", "2026-11-01",
         "-o", "erase.json"});
  s.Run({"erase", "plan", "--policy", "p.yaml", "crm.db", "--subject", "email=" + subject, "--as-of", "2026-11-01",
         "--format", "json"});
  s.Run({"export", "--policy", "p.yaml", "crm.db", "--recipient", "clients", "--purpose", "mediation", "--table",
         "candidates", "--where", "status=active", "-o", "clients.csv", "--audit-log", "audit.jsonl"});
  s.Run({"anonymise", "--policy", "p.yaml", "crm.db", "--out", "anon.db", "--key-file", "dpo.key"});
  s.Run({"anonymise", "--policy", "p.yaml", "crm.db", "--out", "anon-csv/", "--to", "csv", "--format", "json"},
        {"DPO_KEY=" + key_hex});
  s.Run({"anonymise", "--policy", "p.yaml", "crm.db", "--out", "x.db", "--dry-run", "--key-file", "dpo.key"});
  // Writing commands, the ledger and the audit log.
  s.Run({"erase", "apply", "erase.json", "crm.db", "--key-file", "dpo.key", "--ledger", "ledger.db", "--audit-log",
         "audit.jsonl"});
  s.Run({"retention", "apply", "plan.json", "crm.db", "--max-percent", "100", "--dry-run", "--key-file", "dpo.key"});
  s.Run({"retention", "plan", "--policy", "p.yaml", "--as-of", "2026-11-01", "-o", "plan2.json", "crm.db"});
  s.Run({"retention", "apply", "plan2.json", "crm.db", "--max-percent", "100", "--key-file", "dpo.key", "--ledger",
         "ledger.db", "--audit-log", "audit.jsonl"});
  s.Run({"retention", "sweep", "--policy", "p.yaml", "--as-of", "2026-11-01", "--max-percent", "100", "--key-file",
         "dpo.key", "--ledger", "ledger.db", "--audit-log", "audit.jsonl", "-v", "csv"});
  s.Run({"audit", "verify", "audit.jsonl"});
  s.Run({"ledger", "stats", "--ledger", "ledger.db"});
  s.Run({"ledger", "stats", "--ledger", "ledger.db", "--format", "json"});
  s.Run({"ledger", "replay", "--policy", "p.yaml", "backup.db", "--ledger", "ledger.db", "--key-file", "dpo.key",
         "--max-percent", "100", "--dry-run", "-v"});
  s.Run({"sample", "generate", "--rows", "5", "--out", "s.db"});
  // Error paths with the key: a bad key file, a bad DPO_KEY, a ledger without a key.
  s.Run({"anonymise", "--policy", "p.yaml", "crm.db", "--out", "y.db", "--key-file", "bad.key"});
  s.Run({"anonymise", "--policy", "p.yaml", "crm.db", "--out", "y.db"}, {"DPO_KEY=" + key_hex.substr(0, 60) + "zz"});
  s.Run({"ledger", "replay", "--policy", "p.yaml", "backup.db", "--ledger", "ledger.db", "--key-file", "bad.key"});
  // Every command that takes a source, with a password in it (no such server).
  for (const std::string& conn : {kUri, kKeyValue}) {
    s.Run({"inspect", conn});
    s.Run({"scan", conn});
    s.Run({"scan", "--policy", "p.yaml", "--format", "json", conn});
    s.Run({"policy", "init", conn});
    s.Run({"retention", "plan", "--policy", "p.yaml", conn});
    s.Run({"retention", "sweep", "--policy", "p.yaml", "--key-file", "dpo.key", "--audit-log", "audit.jsonl", conn});
    s.Run({"retention", "notices", "--policy", "p.yaml", "-o", "-", conn});
    s.Run({"retention", "apply", "plan.json", conn});
    s.Run({"dsar", "export", "--policy", "p.yaml", conn, "--subject", "email=" + subject, "--out", "pkg-pg"});
    s.Run({"erase", "plan", "--policy", "p.yaml", conn, "--subject", "email=" + subject});
    s.Run({"erase", "apply", "erase.json", conn});
    s.Run({"anonymise", "--policy", "p.yaml", conn, "--out", "z.db", "--key-file", "dpo.key"});
    s.Run({"anonymise", "--policy", "p.yaml", "crm.db", "--out", conn, "--key-file", "dpo.key"});
    s.Run({"export", "--policy", "p.yaml", conn, "--recipient", "clients", "--purpose", "mediation", "--table",
           "candidates", "-o", "pg.csv", "--audit-log", "audit.jsonl"});
    s.Run({"ledger", "replay", "--policy", "p.yaml", conn, "--ledger", "ledger.db", "--key-file", "dpo.key"});
  }
  s.Run({"inspect", "crm.db"}, {"PGPASSWORD=" + kPassword});

  // Owner-only: everything that holds personal data (or describes it). The
  // policy draft is not among them: it holds no value (searched below) and
  // is written 0644 on purpose, for the team to review in git.
  for (const std::string f : {"notices.csv", "pkg.zip", "clients.csv", "anon.db", "ledger.db", "audit.jsonl",
                              "plan.json", "erase.json", "report.json", "report.sarif", "report.html",
                              "report.markdown", "report.text"}) {
    CAPTURE(f);
    REQUIRE(fs::exists(w.dir.File(f)));
    CHECK(ModeOf(w.dir.File(f)) == 0600);
  }
  for (const std::string d : {"pkg", "anon-csv"}) {
    CAPTURE(d);
    REQUIRE(fs::is_directory(w.dir.File(d)));
    CHECK(ModeOf(w.dir.File(d)) == 0700);
    for (const auto& e : fs::recursive_directory_iterator(w.dir.File(d))) {
      CAPTURE(e.path().string());
      CHECK(ModeOf(e.path().string()) == (e.is_directory() ? 0700 : 0600));
    }
  }

  // The search. Everything in the work directory but the inputs and the
  // outputs meant to hold personal data; every captured stdout and stderr.
  std::vector<std::pair<std::string, std::string>> haystacks = s.captured;
  const std::set<std::string> skip = {"crm.db", "backup.db", "csv", "p.yaml", "dpo.key", "bad.key", "text.txt",
                                      "notices.csv", "pkg", "pkg.zip", "clients.csv", "s.db"};
  for (const auto& e : fs::recursive_directory_iterator(w.dir.path)) {
    std::string rel = fs::relative(e.path(), w.dir.path).string();
    std::string top = rel.substr(0, rel.find('/'));
    CHECK_MESSAGE(rel.find(kPassword) == std::string::npos, "a file name holds the password");
    if (skip.count(top) || !e.is_regular_file()) continue;
    haystacks.push_back({rel, ReadFile(e.path().string())});
  }
  std::map<std::string, std::string> secrets = {{"the key (hex)", key_hex},
                                                {"the key (upper-case hex)", Upper(key_hex)},
                                                {"the key (bytes)", key_raw},
                                                {"the key (base64)", Base64(key_raw)},
                                                {"the password", kPassword}};
  // The search finds what is there: the notices hold e-mail addresses and names.
  {
    const std::string notices = ReadFile(w.dir.File("notices.csv"));
    int found = 0;
    for (const char* kind : {"email", "full name"})
      for (const std::string& v : values[kind]) found += notices.find(v) != std::string::npos;
    CHECK(found >= 2);
  }
  int searched = 0;
  for (const auto& haystack : haystacks) {
    const auto& where = haystack.first;
    const auto& content = haystack.second;
    ++searched;
    for (const auto& secret_entry : secrets) {
      const auto& kind = secret_entry.first;
      CHECK_MESSAGE(content.find(secret_entry.second) == std::string::npos, where << " holds " << kind);
    }
    for (const auto& value_entry : values) {
      const auto& kind = value_entry.first;
      const auto& vs = value_entry.second;
      int hits = 0;
      for (const std::string& v : vs) hits += content.find(v) != std::string::npos;
      CHECK_MESSAGE(hits == 0, where << " holds " << hits << " full " << kind << " value(s) of the sample");
    }
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE(s.runs << " runs, " << searched << " outputs and files searched for " << secrets.size() << " secrets and "
                 << [&] { size_t n = 0; for (const auto& [k, v] : values) n += v.size(); return n; }()
                 << " personal values in " << seconds << " s");
}
