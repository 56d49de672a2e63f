// `dpo dsar export | verify` and `dpo erase plan | apply` end to end on a copy
// of the bundled sample (issue 10): the package is complete, owner-only and
// verifiable; nothing but --out is ever written; other people's data never
// leaves in a package; identities are normalised and ambiguity is refused;
// an erasure deletes exactly what it planned, keeps what a legal hold keeps,
// and leaves a verifiable audit log without the subject's e-mail.
// Needs the sqlite3 command-line shell (Debian package sqlite3).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli_util.h"

using dpo::testing::CliRun;
using dpo::testing::ReadFile;
using dpo::testing::ShellQuote;
using dpo::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kPolicy = std::string(DPO_SOURCE_DIR) + "/policies/staffing-agency.yaml";

// A test's working directory (the sample copy, packages, plans) and a
// separate one for the captured stdout/stderr, so that listing the first one
// sees only what dpo wrote.
struct Work {
  TempDir dir{"dpo-dsar"};
  TempDir capture{"dpo-dsar-out"};
  std::string db;
  Work() {
    db = dir.File("crm.db");
    fs::copy_file(std::string(DPO_SOURCE_DIR) + "/samples/staffing.db", db);
    REQUIRE_MESSAGE(std::system("command -v sqlite3 >/dev/null 2>&1") == 0,
                    "the sqlite3 shell is needed to read and change the sample copy (apt-get install sqlite3)");
  }

  // Runs `dpo ARGS...` from `cwd` (default: the work directory).
  CliRun Dpo(const std::vector<std::string>& args, const std::string& cwd = "") const {
    std::string cmd = "cd " + ShellQuote(cwd.empty() ? dir.path : cwd) + " && env -u DPO_KEY " + ShellQuote(DPO_BINARY);
    for (const auto& a : args) cmd += " " + ShellQuote(a);
    cmd += " </dev/null >" + ShellQuote(capture.File("stdout")) + " 2>" + ShellQuote(capture.File("stderr"));
    int status = std::system(cmd.c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadFile(capture.File("stdout"));
    run.err = ReadFile(capture.File("stderr"));
    return run;
  }

  // `dpo dsar export --policy POLICY crm.db --subject S... --out OUT EXTRA...`
  CliRun Export(const std::vector<std::string>& subjects, const std::string& out,
                const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"dsar", "export", "--policy", kPolicy, db};
    for (const auto& s : subjects) {
      args.push_back("--subject");
      args.push_back(s);
    }
    args.push_back("--out");
    args.push_back(out);
    args.insert(args.end(), extra.begin(), extra.end());
    return Dpo(args);
  }

  // The sqlite3 shell's output of `sql` on the copy, trailing newline removed.
  std::string Sql(const std::string& sql) const {
    std::string out = capture.File("sql.out");
    std::string cmd = "sqlite3 " + ShellQuote(db) + " " + ShellQuote(sql) + " >" + ShellQuote(out) + " 2>&1";
    int status = std::system(cmd.c_str());
    std::string text = ReadFile(out);
    REQUIRE_MESSAGE(status == 0, sql << ": " << text);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  // Rows per table of the copy.
  std::map<std::string, int64_t> Counts() const {
    std::map<std::string, int64_t> counts;
    std::string tables = Sql("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    size_t start = 0;
    while (start < tables.size()) {
      size_t end = tables.find('\n', start);
      if (end == std::string::npos) end = tables.size();
      std::string t = tables.substr(start, end - start);
      counts[t] = std::stoll(Sql("SELECT count(*) FROM \"" + t + "\""));
      start = end + 1;
    }
    return counts;
  }
};

// Every path under `root` (relative, '/'-separated), directories with a
// trailing '/'.
std::set<std::string> Tree(const std::string& root) {
  std::set<std::string> paths;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::string rel = fs::relative(e.path(), root).string();
    paths.insert(e.is_directory() ? rel + "/" : rel);
  }
  return paths;
}

// The regular files of a package directory, relative to it.
std::vector<std::string> PackageFiles(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), root).string());
  return files;
}

// Every byte of every file of a package, concatenated.
std::string AllBytes(const std::string& root) {
  std::string all;
  for (const std::string& f : PackageFiles(root)) all += ReadFile(root + "/" + f) + "\n";
  return all;
}

int Mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

nlohmann::json Json(const std::string& text) {
  nlohmann::json j;
  CHECK_NOTHROW(j = nlohmann::json::parse(text));
  return j;
}

// The e-mail address of candidate `id`.
std::string CandidateEmail(const Work& w, int id) {
  return w.Sql("SELECT email FROM candidates WHERE id = " + std::to_string(id));
}

}  // namespace

TEST_CASE("dsar export writes a complete owner-only package; verify catches a changed, missing or extra file") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  REQUIRE(!email.empty());
  std::string pkg = w.dir.File("pkg");
  CliRun run = w.Export({"email=" + email}, pkg, {"--received", "2026-03-02"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(Contains(run.out, "wrote "));
  CHECK(Contains(run.out, "answer due 2026-04-02"));

  CHECK(Mode(pkg) == 0700);
  std::vector<std::string> files = PackageFiles(pkg);
  for (const auto& e : fs::recursive_directory_iterator(pkg)) {
    INFO(e.path().string());
    if (e.is_directory()) CHECK(Mode(e.path().string()) == 0700);
    else CHECK(Mode(e.path().string()) == 0600);
  }
  std::set<std::string> names(files.begin(), files.end());
  for (const char* f : {"manifest.json", "data.json", "summary.html", "summary.md", "tables/candidates.csv"})
    CHECK_MESSAGE(names.count(f) == 1, f);

  // The manifest lists every other file, with its size; the counts per dataset.
  nlohmann::json manifest = Json(ReadFile(pkg + "/manifest.json"));
  std::set<std::string> listed;
  for (const auto& f : manifest["files"]) {
    listed.insert(f["name"].get<std::string>());
    CHECK(f["sha256"].get<std::string>().size() == 64);
    CHECK(f["bytes"].get<int64_t>() == static_cast<int64_t>(fs::file_size(pkg + "/" + f["name"].get<std::string>())));
  }
  std::set<std::string> expected = names;
  expected.erase("manifest.json");
  CHECK(listed == expected);
  CHECK(manifest["records"]["candidates"] == 1);
  CHECK(manifest["received"] == "2026-03-02");
  CHECK(manifest["due"] == "2026-04-02");
  CHECK(manifest["policy_sha256"].get<std::string>().size() == 64);

  CliRun ok = w.Dpo({"dsar", "verify", pkg});
  INFO(ok.out);
  CHECK(ok.exit_code == 0);
  CHECK(Contains(ok.out, "ok: "));

  // One byte of data.json changed.
  std::string changed = w.dir.File("changed");
  fs::copy(pkg, changed, fs::copy_options::recursive);
  std::string data = ReadFile(changed + "/data.json");
  REQUIRE(data.size() > 20);
  data[20] = data[20] == 'x' ? 'y' : 'x';
  fs::permissions(changed + "/data.json", fs::perms::owner_read | fs::perms::owner_write);
  std::ofstream(changed + "/data.json", std::ios::binary | std::ios::trunc) << data;
  CliRun bad = w.Dpo({"dsar", "verify", changed});
  CHECK(bad.exit_code == 1);
  CHECK(Contains(bad.out, "data.json"));
  CHECK(!Contains(bad.out, "summary.md"));

  // A file deleted.
  std::string missing = w.dir.File("missing");
  fs::copy(pkg, missing, fs::copy_options::recursive);
  fs::remove(missing + "/tables/candidates.csv");
  CliRun gone = w.Dpo({"dsar", "verify", missing});
  CHECK(gone.exit_code == 1);
  CHECK(Contains(gone.out, "tables/candidates.csv"));

  // A file added.
  std::string extra = w.dir.File("extra");
  fs::copy(pkg, extra, fs::copy_options::recursive);
  std::ofstream(extra + "/tables/more.csv") << "id\n1\n";
  CliRun added = w.Dpo({"dsar", "verify", extra});
  CHECK(added.exit_code == 1);
  CHECK(Contains(added.out, "more.csv"));

  // The original is still as written.
  CHECK(w.Dpo({"dsar", "verify", pkg}).exit_code == 0);
}

TEST_CASE("dsar export --zip writes one owner-only file that verifies") {
  Work w;
  std::set<std::string> before = Tree(w.dir.path);
  std::string zip = w.dir.File("answer.zip");
  CliRun run = w.Export({"email=" + CandidateEmail(w, 4)}, zip, {"--zip"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  REQUIRE(fs::is_regular_file(zip));
  CHECK(Mode(zip) == 0600);
  CHECK(ReadFile(zip).rfind("PK\x03\x04", 0) == 0);
  std::set<std::string> after = Tree(w.dir.path);
  before.insert("answer.zip");
  CHECK(after == before);  // one file, no temporary left beside it
  CliRun verify = w.Dpo({"dsar", "verify", zip});
  INFO(verify.out);
  CHECK(verify.exit_code == 0);

  // A changed byte in the zip is caught (as a problem or as an unreadable zip).
  std::string bytes = ReadFile(zip);
  std::string broken = w.dir.File("broken.zip");
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
  std::ofstream(broken, std::ios::binary) << bytes;
  CHECK(w.Dpo({"dsar", "verify", broken}).exit_code != 0);
}

TEST_CASE("dsar export refuses an existing --out and the source, and leaves them untouched") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  std::string db_before = ReadFile(w.db);

  std::string existing_dir = w.dir.File("answer");
  fs::create_directory(existing_dir);
  std::ofstream(existing_dir + "/keep.txt") << "mine\n";
  std::set<std::string> before = Tree(w.dir.path);
  CliRun dir_run = w.Export({"email=" + email}, existing_dir);
  CHECK(dir_run.exit_code == 2);
  CHECK(Contains(dir_run.err, "answer"));
  CHECK(Tree(w.dir.path) == before);
  CHECK(ReadFile(existing_dir + "/keep.txt") == "mine\n");

  std::string existing_file = w.dir.Write("answer.zip", "not a package\n");
  before = Tree(w.dir.path);
  for (bool zip : {false, true}) {
    CliRun file_run = w.Export({"email=" + email}, existing_file, zip ? std::vector<std::string>{"--zip"}
                                                                      : std::vector<std::string>{});
    CHECK(file_run.exit_code == 2);
    CHECK(ReadFile(existing_file) == "not a package\n");
    CHECK(Tree(w.dir.path) == before);
  }

  for (bool zip : {false, true}) {
    CliRun source = w.Export({"email=" + email}, w.db, zip ? std::vector<std::string>{"--zip"}
                                                          : std::vector<std::string>{});
    CHECK(source.exit_code == 2);
    CHECK(Contains(source.err, "source"));
    CHECK(ReadFile(w.db) == db_before);
  }
  // The same file by another name.
  CliRun dotted = w.Dpo({"dsar", "export", "--policy", kPolicy, "crm.db", "--subject", "email=" + email, "--out",
                         "./crm.db"});
  CHECK(dotted.exit_code == 2);
  CHECK(ReadFile(w.db) == db_before);
  // The policy is an input too.
  std::string policy_before = ReadFile(kPolicy);
  CliRun policy = w.Export({"email=" + email}, kPolicy, {"--zip"});
  CHECK(policy.exit_code == 2);
  CHECK(ReadFile(kPolicy) == policy_before);
  CHECK(Tree(w.dir.path) == before);
}

TEST_CASE("a subject value of '../../x; rm -rf /' changes no path: exit 0, a package that says no data") {
  Work w;
  // Run from two levels down, so that "../../x" would land inside the listed directory.
  std::string cwd = w.dir.path + "/a/b";
  fs::create_directories(cwd);
  bool tmp_x_before = fs::exists(fs::temp_directory_path() / "x");
  std::set<std::string> before = Tree(w.dir.path);
  std::string db_before = ReadFile(w.db);

  std::string pkg = w.dir.File("pkg");
  CliRun run = w.Dpo({"dsar", "export", "--policy", kPolicy, w.db, "--subject", "email=../../x; rm -rf /", "--out", pkg},
                     cwd);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(Contains(run.out, "no personal data"));

  std::set<std::string> after = Tree(w.dir.path);
  std::set<std::string> created;
  for (const std::string& p : after)
    if (!before.count(p)) created.insert(p);
  for (const std::string& p : created) CHECK_MESSAGE(p.rfind("pkg/", 0) == 0, p);  // only inside --out
  CHECK(created.count("pkg/") == 1);
  for (const std::string& p : before) CHECK_MESSAGE(after.count(p) == 1, p);  // nothing removed
  CHECK(Tree(cwd).empty());
  CHECK(fs::exists(fs::temp_directory_path() / "x") == tmp_x_before);
  CHECK(ReadFile(w.db) == db_before);

  nlohmann::json manifest = Json(ReadFile(pkg + "/manifest.json"));
  CHECK(manifest["records"].empty());
  nlohmann::json data = Json(ReadFile(pkg + "/data.json"));
  CHECK(data["datasets"].empty());
  CHECK(Contains(ReadFile(pkg + "/summary.md"), "We hold no personal data about you"));
  for (const std::string& f : PackageFiles(pkg)) CHECK_MESSAGE(f.find("..") == std::string::npos, f);
  CHECK(w.Dpo({"dsar", "verify", pkg}).exit_code == 0);
}

TEST_CASE("a subject with no data gets a small valid package that says so, in English and Dutch") {
  Work w;
  struct Case {
    const char* lang;
    const char* says;
  };
  for (Case c : {Case{"en", "We hold no personal data about you"}, Case{"nl", "Wij hebben geen persoonsgegevens van u"}}) {
    CAPTURE(c.lang);
    std::string pkg = w.dir.File(std::string("none-") + c.lang);
    CliRun run = w.Export({"email=nobody.at.all@example.invalid"}, pkg, {"--lang", c.lang});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(Contains(run.out, "no personal data of this subject was found"));
    std::set<std::string> files;
    for (const std::string& f : PackageFiles(pkg)) files.insert(f);
    CHECK(files == std::set<std::string>{"data.json", "manifest.json", "summary.html", "summary.md"});
    CHECK(Contains(ReadFile(pkg + "/summary.md"), c.says));
    CHECK(Contains(ReadFile(pkg + "/summary.html"), c.says));
    nlohmann::json manifest = Json(ReadFile(pkg + "/manifest.json"));
    CHECK(manifest["language"] == c.lang);
    CHECK(manifest["records"].empty());
    CHECK(Json(ReadFile(pkg + "/data.json"))["datasets"].empty());
    uintmax_t total = 0;
    for (const std::string& f : files) total += fs::file_size(pkg + "/" + f);
    CHECK(total < 64 * 1024);
    CHECK(w.Dpo({"dsar", "verify", pkg}).exit_code == 0);
  }
}

TEST_CASE("a note naming another person: their name and phone number are redacted in every file") {
  Work w;
  std::string row = w.Sql(
      "SELECT c.email || '|' || n.note FROM conversation_notes n JOIN candidates c ON c.id = n.candidate_id "
      "WHERE n.note LIKE 'Referentie opgegeven:%' ORDER BY n.id LIMIT 1");
  size_t bar = row.find('|');
  REQUIRE(bar != std::string::npos);
  std::string email = row.substr(0, bar);
  std::string note = row.substr(bar + 1);  // "Referentie opgegeven: Roos de Jong, bereikbaar op 06-53190840."
  const std::string lead = "Referentie opgegeven: ";
  size_t comma = note.find(',');
  size_t at = note.find("bereikbaar op ");
  REQUIRE(comma != std::string::npos);
  REQUIRE(at != std::string::npos);
  std::string name = note.substr(lead.size(), comma - lead.size());
  std::string phone = note.substr(at + 14);
  while (!phone.empty() && phone.back() == '.') phone.pop_back();
  CAPTURE(name);
  CAPTURE(phone);
  REQUIRE(name.size() > 3);
  REQUIRE(phone.size() > 8);

  for (bool zip : {false, true}) {
    CAPTURE(zip);
    std::string pkg = w.dir.File(zip ? "ref.zip" : "ref");
    CliRun run = w.Export({"email=" + email}, pkg, zip ? std::vector<std::string>{"--zip"} : std::vector<std::string>{});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    if (zip) continue;  // the zip is compressed: its bytes are checked through the directory form
    std::string all = AllBytes(pkg);
    CHECK(Contains(all, "Referentie opgegeven: [redacted]"));
    CHECK(Contains(all, "[redacted]"));
    CHECK(!Contains(all, name));
    CHECK(!Contains(all, phone));
    // Each part of the name, and the digits of the number, in any file.
    for (size_t start = 0; start < name.size();) {
      size_t end = name.find(' ', start);
      if (end == std::string::npos) end = name.size();
      std::string word = name.substr(start, end - start);
      if (word.size() > 3) CHECK_MESSAGE(!Contains(all, word), word);  // not "de", "van"
      start = end + 1;
    }
    std::string digits;
    for (char ch : phone)
      if (ch >= '0' && ch <= '9') digits += ch;
    CHECK(!Contains(all, digits.substr(digits.size() - 8)));
    // The subject's own details stay.
    CHECK(Contains(all, email));
  }
}

TEST_CASE("an employee's package holds nothing of the client contacts or the recruiter named in their rows") {
  Work w;
  // The first employee placed through a client contact.
  std::string subject = w.Sql(
      "SELECT e.id || '|' || e.email || '|' || e.candidate_id FROM employees e WHERE EXISTS (SELECT 1 FROM placements "
      "p WHERE p.employee_id = e.id AND p.contact_id IS NOT NULL) AND e.email IS NOT NULL AND e.candidate_id IS NOT "
      "NULL ORDER BY e.id LIMIT 1");
  size_t b1 = subject.find('|');
  size_t b2 = subject.find('|', b1 + 1);
  REQUIRE(b2 != std::string::npos);
  std::string employee_id = subject.substr(0, b1);
  std::string email = subject.substr(b1 + 1, b2 - b1 - 1);
  std::string candidate_id = subject.substr(b2 + 1);
  // A note in the subject's file written by another employee (a recruiter):
  // the sample's notes name the subject's own employee record, so add one.
  std::string recruiter = w.Sql("SELECT max(id) FROM employees WHERE id <> " + employee_id + " AND (candidate_id IS "
                                "NULL OR candidate_id <> " + candidate_id + ")");
  w.Sql("INSERT INTO conversation_notes (candidate_id, employee_id, author, channel, created_at, note) VALUES (" +
        candidate_id + ", " + recruiter + ", 'rec-1', 'telefoon', '2026-05-01 10:00:00', 'Gesprek over de planning "
        "voor de zomer.')");

  std::string others = w.Sql(
      "SELECT first_name, last_name, email, phone FROM client_contacts WHERE id IN (SELECT contact_id FROM placements "
      "WHERE employee_id = " + employee_id + ") OR id IN (SELECT approved_by FROM timesheets WHERE employee_id = " +
      employee_id + ") UNION ALL SELECT first_name, last_name, email, phone FROM employees WHERE id IN (SELECT "
      "employee_id FROM conversation_notes WHERE candidate_id = " + candidate_id + " AND employee_id <> " +
      employee_id + ")");
  std::vector<std::string> values;
  for (size_t start = 0; start < others.size();) {
    size_t end = others.find_first_of("|\n", start);
    if (end == std::string::npos) end = others.size();
    if (end > start) values.push_back(others.substr(start, end - start));
    start = end + 1;
  }
  REQUIRE(values.size() >= 8);  // a contact and the recruiter, four values each

  std::string pkg = w.dir.File("employee");
  CliRun run = w.Export({"email=" + email}, pkg);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::string all = AllBytes(pkg);
  CHECK(Contains(all, email));
  CHECK(Contains(ReadFile(pkg + "/tables/employees.csv"), email));
  CHECK(fs::exists(pkg + "/tables/placements.csv"));
  CHECK(Contains(ReadFile(pkg + "/tables/conversation_notes.csv"), "planning voor de zomer"));
  for (const std::string& v : values) CHECK_MESSAGE(!Contains(all, v), v);
  CHECK(w.Dpo({"dsar", "verify", pkg}).exit_code == 0);
}

TEST_CASE("an ambiguous identity is refused with the number of rows; --all-matches or a narrower subject works") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  w.Sql("UPDATE candidates SET email = (SELECT email FROM candidates WHERE id = 4) WHERE id = 5");
  std::set<std::string> before = Tree(w.dir.path);
  std::string pkg = w.dir.File("amb");
  CliRun run = w.Export({"email=" + email}, pkg);
  CHECK(run.exit_code == 2);
  CHECK(Contains(run.err, "ambiguous"));
  CHECK(Contains(run.err, "2 rows"));
  CHECK(!Contains(run.err, email));
  CHECK(Tree(w.dir.path) == before);

  CliRun all = w.Export({"email=" + email}, w.dir.File("all"), {"--all-matches"});
  INFO(all.err);
  CHECK(all.exit_code == 0);
  CHECK(Json(ReadFile(w.dir.File("all/manifest.json")))["records"]["candidates"] == 2);

  CliRun narrow = w.Export({"email=" + email, "candidates.id=4"}, w.dir.File("narrow"));
  INFO(narrow.err);
  CHECK(narrow.exit_code == 0);
  CHECK(Json(ReadFile(w.dir.File("narrow/manifest.json")))["records"]["candidates"] == 1);
  std::string rows = ReadFile(w.dir.File("narrow/tables/candidates.csv"));
  CHECK(Contains(rows, "\n4,"));
  CHECK(!Contains(rows, "\n5,"));
}

TEST_CASE("e-mail and phone numbers are normalised: other spellings find the same subject") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  std::string phone = w.Sql("SELECT phone FROM candidates WHERE id = 4");
  REQUIRE(phone.rfind("06-", 0) == 0);  // stored as 06-XXXXXXXX
  std::string upper;
  for (char c : email) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  REQUIRE(w.Export({"email=" + email}, w.dir.File("plain")).exit_code == 0);
  std::string reference = ReadFile(w.dir.File("plain/tables/candidates.csv"));
  REQUIRE(Contains(reference, email));

  std::vector<std::string> spellings = {"email=  " + upper + "  ", "phone=+31 6 " + phone.substr(3),
                                        "phone=0031 6 " + phone.substr(3), "phone=" + phone.substr(0, 2) + phone.substr(3)};
  int n = 0;
  for (const std::string& s : spellings) {
    CAPTURE(s);
    std::string pkg = w.dir.File("spelling" + std::to_string(n++));
    CliRun run = w.Export({s}, pkg);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(ReadFile(pkg + "/tables/candidates.csv") == reference);
    CHECK(Json(ReadFile(pkg + "/manifest.json"))["records"] == Json(ReadFile(w.dir.File("plain/manifest.json")))["records"]);
  }

  // The other way round: a number stored as +31 6 ... found by 06-....
  std::string row = w.Sql("SELECT id || '|' || phone FROM candidates WHERE phone LIKE '+31 6 %' ORDER BY id LIMIT 1");
  size_t bar = row.find('|');
  REQUIRE(bar != std::string::npos);
  std::string id = row.substr(0, bar);
  std::string stored = row.substr(bar + 1);
  std::string digits;
  for (char c : stored.substr(6))
    if (c != ' ') digits += c;
  CliRun run = w.Export({"phone=06-" + digits}, w.dir.File("reverse"));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(Contains(ReadFile(w.dir.File("reverse/tables/candidates.csv")), "\n" + id + ","));
}

TEST_CASE("bad flags exit 2 naming the flag, and write nothing") {
  Work w;
  struct Case {
    std::vector<std::string> extra;
    std::string subject;
    const char* names;
  };
  std::vector<Case> cases = {
      {{}, "nonsense", "--subject"},
      {{}, "foo=bar", "--subject foo"},
      {{"--received", "2026-13-45"}, "email=a@example.com", "--received"},
      {{"--lang", "de"}, "email=a@example.com", "--lang"},
  };
  std::set<std::string> before = Tree(w.dir.path);
  std::string db_before = ReadFile(w.db);
  for (const Case& c : cases) {
    CAPTURE(c.subject);
    CAPTURE(c.names);
    CliRun run = w.Export({c.subject}, w.dir.File("out"), c.extra);
    CHECK(run.exit_code == 2);
    CHECK(Contains(run.err, c.names));
    CHECK(Tree(w.dir.path) == before);
  }
  CHECK(ReadFile(w.db) == db_before);
}

TEST_CASE("erase: plan, dry run, apply exactly the planned rows, then the plan is stale") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  std::string plan = w.dir.File("plan.json");
  std::map<std::string, int64_t> before = w.Counts();
  std::string db_before = ReadFile(w.db);

  CliRun planned = w.Dpo({"erase", "plan", "--policy", kPolicy, w.db, "--subject", "email=" + email, "--out", plan});
  INFO(planned.err);
  REQUIRE(planned.exit_code == 0);
  CHECK(Contains(planned.out, "candidates: erase 1 row"));
  CHECK(Contains(planned.out, "steps, in the order they run"));
  CHECK(Mode(plan) == 0600);
  CHECK(ReadFile(w.db) == db_before);
  nlohmann::json p = Json(ReadFile(plan));
  CHECK(p["kind"] == "erasure");
  std::map<std::string, int64_t> planned_rows;
  int64_t total = 0;
  for (const auto& step : p["steps"]) {
    CHECK(step["kind"] == "delete");  // a candidate: nothing to unlink or keep
    planned_rows[step["table"].get<std::string>()] += step["rows"].get<int64_t>();
    total += step["rows"].get<int64_t>();
  }
  CHECK(total == p["total_rows"].get<int64_t>());
  CHECK(planned_rows["candidates"] == 1);
  CHECK(planned_rows["conversation_notes"] >= 1);

  // A retention apply refuses an erasure plan.
  CliRun wrong = w.Dpo({"retention", "apply", plan, w.db});
  CHECK(wrong.exit_code == 2);
  CHECK(Contains(wrong.err, "erase apply"));
  CHECK(ReadFile(w.db) == db_before);

  CliRun dry = w.Dpo({"erase", "apply", plan, w.db, "--dry-run"});
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(Contains(dry.out, "dry run"));
  CHECK(w.Counts() == before);
  CHECK(ReadFile(w.db) == db_before);

  CliRun applied = w.Dpo({"erase", "apply", plan, w.db});
  INFO(applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(Contains(applied.out, "changed " + std::to_string(total) + " rows"));
  std::map<std::string, int64_t> after = w.Counts();
  for (const auto& before_entry : before) {
    const auto& table = before_entry.first;
    const auto& rows = before_entry.second;
    CAPTURE(table);
    CHECK(after[table] == rows - planned_rows[table]);
  }
  CHECK(w.Sql("SELECT count(*) FROM candidates WHERE id = 4") == "0");
  CHECK(w.Sql("SELECT count(*) FROM conversation_notes WHERE candidate_id = 4") == "0");

  std::string db_applied = ReadFile(w.db);
  CliRun stale = w.Dpo({"erase", "apply", plan, w.db});
  CHECK(stale.exit_code == 2);
  CHECK(Contains(stale.err, "stale"));
  CHECK(w.Counts() == after);
  CHECK(ReadFile(w.db) == db_applied);
}

TEST_CASE("erase with a legal hold keeps the candidate and its applications and notes, and says why") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  w.Sql("UPDATE candidates SET legal_hold = 1 WHERE id = 4");
  std::string applications = w.Sql("SELECT count(*) FROM applications WHERE candidate_id = 4");
  std::string notes = w.Sql("SELECT count(*) FROM conversation_notes WHERE candidate_id = 4");
  REQUIRE(notes != "0");
  REQUIRE(applications != "0");
  std::string plan = w.dir.File("plan.json");
  CliRun planned = w.Dpo({"erase", "plan", "--policy", kPolicy, w.db, "--subject", "email=" + email, "--out", plan});
  INFO(planned.err);
  REQUIRE(planned.exit_code == 0);
  CHECK(Contains(planned.out, "legal hold"));
  CHECK(Contains(planned.out, "open_dispute"));
  CHECK(Contains(planned.out, "Art. 17(3)(e)"));
  std::map<std::string, int64_t> before = w.Counts();
  CliRun applied = w.Dpo({"erase", "apply", plan, w.db});
  INFO(applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(w.Counts() == before);
  CHECK(w.Sql("SELECT count(*) FROM candidates WHERE id = 4") == "1");
  CHECK(w.Sql("SELECT count(*) FROM applications WHERE candidate_id = 4") == applications);
  CHECK(w.Sql("SELECT count(*) FROM conversation_notes WHERE candidate_id = 4") == notes);
}

TEST_CASE("erase with --ledger and --audit-log: the log verifies and holds no e-mail of the subject") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  std::string key = w.dir.Write("dpo.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  ::chmod(key.c_str(), 0600);
  std::string plan = w.dir.File("plan.json");
  REQUIRE(w.Dpo({"erase", "plan", "--policy", kPolicy, w.db, "--subject", "email=" + email, "--out", plan}).exit_code ==
          0);
  std::string audit = w.dir.File("audit.log");
  std::string ledger = w.dir.File("ledger.db");
  CliRun applied = w.Dpo({"erase", "apply", plan, w.db, "--audit-log", audit, "--ledger", ledger, "--key-file", key});
  INFO(applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(Contains(applied.out, "ledger entries"));
  CHECK(Contains(applied.out, "audit entries"));
  CliRun verify = w.Dpo({"audit", "verify", audit});
  INFO(verify.out);
  INFO(verify.err);
  CHECK(verify.exit_code == 0);
  std::string log = ReadFile(audit);
  CHECK(Contains(log, "\"command\":\"erase apply\""));
  CHECK(!Contains(log, email));
  CHECK(!Contains(log, "@"));
  CHECK(Mode(audit) == 0600);
  CHECK(Mode(ledger) == 0600);
  CHECK(!Contains(ReadFile(ledger), email));
  CHECK(w.Sql("SELECT count(*) FROM candidates WHERE id = 4") == "0");
}

TEST_CASE("a table without a primary key holding the subject's rows is erased by a whole-row match, and says so") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  w.Sql("CREATE TABLE newsletter (email TEXT, subscribed_at TEXT); INSERT INTO newsletter VALUES ('" + email +
        "', '2026-01-05'), ('someone.else@example.com', '2026-01-06')");
  std::string plan = w.dir.File("plan.json");
  CliRun planned = w.Dpo({"erase", "plan", "--policy", kPolicy, w.db, "--subject", "email=" + email, "--out", plan});
  INFO(planned.err);
  REQUIRE(planned.exit_code == 0);
  CHECK(Contains(planned.out, "newsletter: erase 1 row"));
  CHECK(Contains(planned.out, "no primary key"));
  CHECK(Contains(planned.out, "every column"));
  CHECK(Contains(planned.err, "newsletter"));  // no dataset for it in the policy: warned
  CliRun applied = w.Dpo({"erase", "apply", plan, w.db});
  INFO(applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(w.Sql("SELECT count(*) FROM newsletter WHERE email = '" + email + "'") == "0");
  CHECK(w.Sql("SELECT email FROM newsletter") == "someone.else@example.com");
  CHECK(w.Sql("SELECT count(*) FROM candidates WHERE id = 4") == "0");
}

// Regression: RedactOtherPeople kept a cell whose whole text is one detected
// span (meant for a field of the subject's own record) also in a free-text
// column, where it is another person's number or address.
TEST_CASE("a note that is nothing but another person's phone number or e-mail is redacted too") {
  Work w;
  std::string email = CandidateEmail(w, 4);
  w.Sql("UPDATE conversation_notes SET note = '06-53190840' WHERE id = (SELECT min(id) FROM conversation_notes WHERE "
        "candidate_id = 4); UPDATE conversation_notes SET note = 'roos.dejong@example.com' WHERE id = (SELECT max(id) "
        "FROM conversation_notes WHERE candidate_id = 4)");
  std::string pkg = w.dir.File("pkg");
  CliRun run = w.Export({"email=" + email}, pkg);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::string all = AllBytes(pkg);
  CHECK(!Contains(all, "53190840"));
  CHECK(!Contains(all, "roos.dejong@example.com"));
}
