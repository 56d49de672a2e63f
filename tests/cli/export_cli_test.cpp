// `dpo export --recipient` end to end (the built binary) on a private copy of
// the bundled sample with the bundled policy: the README's command writes an
// owner-only CSV of exactly the allowed columns, records the disclosure in an
// audit log `dpo audit verify` accepts, and a discovery scan of the file
// finds no e-mail, phone, BSN or IBAN; an existing -o is refused without
// --force; usage and policy errors exit 2 and write nothing (a recipient
// outside the EU/EEA without a transfer among them, with no audit entry);
// --dry-run writes nothing; --anonymise changes the names and needs the key;
// JSON has its format tag; a subject's export to payroll is a directory of
// owner-only files; an audit log that cannot be appended to takes the output
// back.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kSampleDb = std::string(DPO_SOURCE_DIR) + "/samples/staffing.db";
const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";
const std::string kBom = "\xEF\xBB\xBF";

mode_t Mode(const std::string& path) {
  struct stat st;
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

// The first field of each data row (the CSV of clients has first_name first).
std::set<std::string> FirstFields(const std::string& csv) {
  std::set<std::string> out;
  std::vector<std::string> lines = Lines(csv);
  for (size_t i = 1; i < lines.size(); ++i) out.insert(lines[i].substr(0, lines[i].find(',')));
  return out;
}

struct Work {
  TempDir dir{"dpo-export-cli"};
  TempDir capture{"dpo-export-cli-out"};
  std::string db = dir.File("crm.db");
  std::string key = dir.File("dpo.key");
  std::string log = dir.File("audit.jsonl");
  Work() {
    fs::copy_file(kSampleDb, db);
    dir.Write("dpo.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
    fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  }

  // `PREFIX dpo ARGS...` from the work directory, DPO_KEY unset. `prefix` is
  // shell text run first (ulimit, trap).
  CliRun Dpo(const std::vector<std::string>& args, const std::string& prefix = "") const {
    std::string cmd = "cd " + ShellQuote(dir.path) + " && " + prefix + " env -u DPO_KEY " + ShellQuote(DPO_BINARY);
    for (const auto& a : args) cmd += " " + ShellQuote(a);
    cmd += " </dev/null >" + ShellQuote(capture.File("stdout")) + " 2>" + ShellQuote(capture.File("stderr"));
    int status = std::system(("sh -c " + ShellQuote(cmd)).c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadFile(capture.File("stdout"));
    run.err = ReadFile(capture.File("stderr"));
    return run;
  }

  // `dpo export --policy POLICY crm.db --recipient R EXTRA...`
  CliRun Export(const std::string& recipient, const std::vector<std::string>& extra,
                const std::string& policy = kPolicy, const std::string& prefix = "") const {
    std::vector<std::string> args = {"export", "--policy", policy, db, "--recipient", recipient};
    args.insert(args.end(), extra.begin(), extra.end());
    return Dpo(args, prefix);
  }

  // The README's command.
  CliRun Clients(const std::string& out, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"--purpose", "mediation", "--table", "candidates", "--where", "status=active",
                                     "-o", out, "--audit-log", log};
    args.insert(args.end(), extra.begin(), extra.end());
    return Export("clients", args);
  }

  std::set<std::string> Entries() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir.path)) out.insert(e.path().filename().string());
    return out;
  }
};

const std::set<std::string> kInputs = {"crm.db", "dpo.key"};

int64_t AuditEntries(const std::string& log) {
  if (!fs::exists(log)) return 0;
  return static_cast<int64_t>(Lines(ReadFile(log)).size());
}

}  // namespace

TEST_CASE("export cli: the README command writes the allowed columns 0600 and records the disclosure") {
  Work w;
  CliRun dry = w.Clients(w.dir.File("clients.csv"), {"--dry-run"});
  REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
  CHECK(w.Entries() == kInputs);  // a dry run writes nothing, no audit log either

  CliRun run = w.Clients("clients.csv");
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::string out = w.dir.File("clients.csv");
  CHECK(Mode(out) == 0600);
  CHECK(Mode(w.log) == 0600);
  const std::string csv = ReadFile(out);
  std::vector<std::string> lines = Lines(csv);
  REQUIRE(lines.size() > 100);
  CHECK(lines[0] == kBom + "first_name,tussenvoegsel,last_name,city,cv_text,availability");
  // The dry run counted the same rows.
  const std::string counted = std::to_string(lines.size() - 1) + " rows";
  CHECK(dry.out.find(counted) != std::string::npos);
  CHECK(run.out.find(counted) != std::string::npos);
  CHECK(run.out.find("wrote clients.csv") != std::string::npos);
  CHECK(csv.find('@') == std::string::npos);

  // One audit entry, chained, that `dpo audit verify` accepts.
  std::vector<std::string> entries = Lines(ReadFile(w.log));
  REQUIRE(entries.size() == 1);
  nlohmann::json e = nlohmann::json::parse(entries[0]);
  CHECK(e["command"] == "export");
  CHECK(e["action"] == "disclose");
  CHECK(e["table"] == "candidates");
  CHECK(e["rule"] == "clients");
  CHECK(e["rows"] == static_cast<int64_t>(lines.size() - 1));
  CHECK(e["note"].get<std::string>().find("legal basis consent") != std::string::npos);
  CliRun verify = w.Dpo({"audit", "verify", w.log});
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);

  // A discovery scan of what clients received finds no e-mail, phone, BSN or IBAN.
  CliRun scan = w.Dpo({"scan", out, "--format", "json"});
  REQUIRE_MESSAGE((scan.exit_code == 0 || scan.exit_code == 1), scan.err);
  nlohmann::json report = nlohmann::json::parse(scan.out);
  for (const auto& t : report["tables"])
    for (const auto& c : t["columns"])
      for (const auto& ev : c["evidence"]) {
        const std::string kind = ev["kind"];
        if (kind != "email" && kind != "phone" && kind != "bsn" && kind != "iban") continue;
        CHECK_MESSAGE(ev["values_matched"].get<int64_t>() == 0, c["name"] << ": " << kind);
        CHECK_MESSAGE(ev["values_containing"].get<int64_t>() == 0, c["name"] << ": " << kind);
      }
}

TEST_CASE("export cli: an existing -o is refused without --force, and replaced with it") {
  Work w;
  w.dir.Write("clients.csv", "mine\n");
  CliRun refused = w.Clients("clients.csv");
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("--force") != std::string::npos);
  CHECK(ReadFile(w.dir.File("clients.csv")) == "mine\n");
  CHECK_FALSE(fs::exists(w.log));

  CliRun forced = w.Clients("clients.csv", {"--force"});
  REQUIRE_MESSAGE(forced.exit_code == 0, forced.err);
  CHECK(ReadFile(w.dir.File("clients.csv")).rfind(kBom + "first_name,", 0) == 0);
  CHECK(Mode(w.dir.File("clients.csv")) == 0600);
  CliRun again = w.Clients("clients.csv", {"--force"});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(AuditEntries(w.log) == 2);
  CHECK(w.Dpo({"audit", "verify", w.log}).exit_code == 0);
  CHECK(w.Entries() == std::set<std::string>{"crm.db", "dpo.key", "clients.csv", "audit.jsonl"});
  // Never the source, the policy or the key file.
  for (const std::string& input : {w.db, kPolicy, w.key}) {
    CliRun r = w.Clients(input, {"--force", "--key-file", w.key});
    CHECK_MESSAGE(r.exit_code == 2, input);
  }
  CHECK(AuditEntries(w.log) == 2);
}

TEST_CASE("export cli: usage and policy errors exit 2, say what to do and write nothing") {
  Work w;
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {
      {{"--table", "candidates", "-o", "x.csv", "--audit-log", "audit.jsonl"},
       {"mediation", "application_procedure", "employment_administration", "vog_screening", "--purpose"}},
      {{"--purpose", "mediation", "--table", "candidates", "--where", "statsu=active", "-o", "x.csv", "--audit-log",
        "audit.jsonl"},
       {"--where #1", "candidates.statsu", "first_name", "last_active_at"}},
      {{"--purpose", "mediation", "--table", "candidates", "--where", "status", "-o", "x.csv", "--audit-log",
        "audit.jsonl"},
       {"--where #1", "COL=VALUE"}},
      {{"--purpose", "mediation", "--table", "candidates", "-o", "x.csv"}, {"--audit-log", "required"}},
      {{"--purpose", "mediation", "--table", "candidates", "--subject", "email=a@example.nl", "-o", "x.csv",
        "--audit-log", "audit.jsonl"},
       {"--subject", "--table"}},
      {{"--purpose", "mediation", "--table", "employees", "-o", "x.csv", "--audit-log", "audit.jsonl"},
       {"does not list purpose mediation"}},
      {{"--purpose", "mediation", "--table", "candidates", "-o", "-", "--audit-log", "audit.jsonl"},
       {"standard output"}},
      {{"--purpose", "mediation", "--table", "candidates", "-f", "xml", "-o", "x.csv", "--audit-log", "audit.jsonl"},
       {"json or csv"}},
  };
  for (const Case& c : cases) {
    CliRun r = w.Export("clients", c.args);
    std::string shown;
    for (const auto& a : c.args) shown += a + " ";
    INFO(shown << "-> " << r.err);
    CHECK(r.exit_code == 2);
    for (const std::string& s : c.says) CHECK(r.err.find(s) != std::string::npos);
    CHECK(r.out.empty());
  }
  CHECK(w.Export("hosting", {"-o", "x.csv", "--table", "candidates", "--audit-log", "audit.jsonl"}).err.find(
            "categories:") != std::string::npos);
  CHECK(w.Export("acme", {"-o", "x.csv", "--table", "candidates", "--audit-log", "audit.jsonl"}).exit_code == 2);
  CliRun several = w.Export("payroll_processor", {"--purpose", "payroll", "--subject", "email=nobody@example.nl", "-o",
                                                  "pay.csv", "--audit-log", "audit.jsonl"});
  CHECK(several.exit_code == 2);
  CHECK(several.err.find("directory") != std::string::npos);
  CHECK(several.err.find("nobody@example.nl") == std::string::npos);
  CHECK(w.Entries() == kInputs);
}

TEST_CASE("export cli: a recipient outside the EU/EEA without a declared transfer is refused, and nothing recorded") {
  Work w;
  // With the transfer the bundled policy declares: allowed.
  CliRun ok = w.Export("web_analytics", {"--table", "website_visits", "-o", "visits.json", "--audit-log", "audit.jsonl",
                                         "--key-file", w.key});
  REQUIRE_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(ok.out.find("transfer to US under adequacy") != std::string::npos);
  nlohmann::json doc = nlohmann::json::parse(ReadFile(w.dir.File("visits.json")));
  CHECK(doc["format"] == "dpo-export/1");
  CHECK(doc["recipient"]["country"] == "US");
  CHECK(doc["transfer"]["safeguard"] == "adequacy");
  CHECK(doc["legal_basis"] == "consent");
  CHECK(doc["categories"] == nlohmann::json::array({"technical"}));
  REQUIRE(doc["tables"].size() == 1);
  CHECK(doc["tables"][0]["table"] == "website_visits");
  CHECK(doc["tables"][0]["rows"].size() == doc["tables"][0]["row_count"].get<size_t>());
  CHECK(nlohmann::json::parse(Lines(ReadFile(w.log)).at(0))["keys_hmac"].get<std::string>().size() == 64);

  // The same policy without the transfer.
  std::string text = ReadFile(kPolicy);
  const std::string transfer = "    transfers:\n      - { country: US, recipient: web_analytics, safeguard: adequacy }";
  size_t at = text.find(transfer);
  REQUIRE(at != std::string::npos);
  text.erase(at, transfer.size());
  const std::string policy = w.dir.Write("no-transfer.yaml", text);
  const std::string log2 = w.dir.File("audit2.jsonl");
  CliRun refused = w.Export("web_analytics", {"--table", "website_visits", "-o", "visits2.json", "--audit-log", log2},
                            policy);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("US") != std::string::npos);
  CHECK(refused.err.find("outside the EU/EEA") != std::string::npos);
  CHECK(refused.err.find("transfers:") != std::string::npos);
  CHECK_FALSE(fs::exists(w.dir.File("visits2.json")));
  CHECK_FALSE(fs::exists(log2));
  CHECK(AuditEntries(w.log) == 1);
}

TEST_CASE("export cli: --anonymise changes the names, and needs the key") {
  Work w;
  CliRun keyless = w.Clients("anon.csv", {"--anonymise"});
  CHECK(keyless.exit_code == 2);
  CHECK(keyless.err.find("--key-file") != std::string::npos);
  CHECK(w.Entries() == kInputs);

  REQUIRE(w.Clients("plain.csv").exit_code == 0);
  CliRun run = w.Clients("anon.csv", {"--anonymise", "--key-file", w.key});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.out.find("first_name -> pseudonym") != std::string::npos);
  std::set<std::string> plain = FirstFields(ReadFile(w.dir.File("plain.csv")));
  std::set<std::string> anon = FirstFields(ReadFile(w.dir.File("anon.csv")));
  REQUIRE(plain.size() > 50);
  REQUIRE(anon.size() > 50);
  for (const std::string& name : anon) {
    CHECK(plain.count(name) == 0);
    CHECK(name.rfind("anon-", 0) == 0);
  }
  CHECK(Lines(ReadFile(w.dir.File("anon.csv"))).size() == Lines(ReadFile(w.dir.File("plain.csv"))).size());
  CHECK(Lines(ReadFile(w.log)).back().find("anonymised") != std::string::npos);
  CHECK(w.Dpo({"audit", "verify", w.log}).exit_code == 0);
}

TEST_CASE("export cli: one subject to payroll is a directory of owner-only files, one audit entry per file") {
  Work w;
  // The e-mail of a temporary worker who was a candidate first (from the sample's own README tour).
  CliRun run = w.Export("payroll_processor", {"--purpose", "payroll", "--subject", "email=gertjan_jansen4@yahoo.com",
                                              "-o", "payroll", "--audit-log", w.log, "--key-file", w.key});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::string out = w.dir.File("payroll");
  CHECK(Mode(out) == 0700);
  int files = 0;
  for (const auto& e : fs::directory_iterator(out)) {
    CHECK(Mode(e.path().string()) == 0600);
    if (e.path().extension() == ".csv") ++files;
  }
  CHECK(files >= 1);
  CHECK(fs::exists(out + "/candidates.csv"));
  CHECK(AuditEntries(w.log) == files);
  CHECK(w.Dpo({"audit", "verify", w.log}).exit_code == 0);
  CHECK(ReadFile(w.log).find("gertjan") == std::string::npos);
}

TEST_CASE("export cli: when the audit log cannot take the entry, the output is taken back") {
  Work w;
  const std::vector<std::string> one = {"--purpose", "mediation", "--table", "candidates", "--where", "id=1",
                                        "-o",        "one.csv",   "--audit-log", w.log, "--force"};
  // Two entries make the log longer than 1 KiB; the output of one row is shorter.
  REQUIRE(w.Export("clients", one).exit_code == 0);
  REQUIRE(w.Export("clients", one).exit_code == 0);
  REQUIRE(fs::file_size(w.log) > 1024);
  REQUIRE(fs::file_size(w.dir.File("one.csv")) < 1024);
  const std::string log_before = ReadFile(w.log);
  fs::remove(w.dir.File("one.csv"));
  // A 1 KiB file-size limit: the output can be written, the log cannot grow.
  CliRun r = w.Export("clients", one, kPolicy, "trap '' XFSZ; ulimit -f 1;");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("removed again") != std::string::npos);
  CHECK_FALSE(fs::exists(w.dir.File("one.csv")));
  CHECK(ReadFile(w.log) == log_before);
  CHECK(w.Entries() == std::set<std::string>{"crm.db", "dpo.key", "audit.jsonl"});
}
