#include "sample/generator.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_set>

#include "sample/lists.h"
#include "sample/rng.h"
#include "sample/schema.h"
#include "sample/table_writer.h"
#include "sample/text.h"
#include "sample/values.h"

namespace dpo::sample {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxRows = 100'000'000;
constexpr uint64_t kRowsPerTransaction = 500'000;
const char kPartialSuffix[] = ".partial";

// A person as the candidates and employees tables store them.
struct Person {
  std::string first_name;
  std::string tussenvoegsel;
  std::string last_name;
  std::string full_name;
  std::string email;
  std::string phone;
  std::string address;
  std::string postcode;
  const City* city = nullptr;
  std::string gender;
  std::string nationality;
  bool dutch = true;
  long birth_day = 0;
  std::string bsn;
  std::string iban;
};

// The columns candidates and employees share, in schema order: first_name
// through date_of_birth (lib/sample/schema.cpp declares them for both).
void WritePersonColumns(const Person& p, TableWriter& w) {
  w.Text(p.first_name);
  w.TextOrNull(p.tussenvoegsel);
  w.Text(p.last_name);
  w.Text(p.email);
  w.Text(p.phone);
  w.Text(p.address);
  w.Text(p.postcode);
  w.Text(p.city->name);
  w.Date(p.birth_day);
}

// A file created 0600 that becomes `final_path` only when everything worked.
struct OutputFile {
  std::string final_path;
  std::string partial_path;
};

Status CreatePrivateFile(const std::string& path) {
  ::unlink(path.c_str());  // a stale partial file from an interrupted run
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Error("sample: cannot create " + path + ": " + std::strerror(errno) +
                         "; check that the directory exists and is writable");
  }
  ::close(fd);
  return Status::Ok();
}

class Generator {
 public:
  explicit Generator(const GenerateOptions& options)
      : options_(options),
        rng_(options.seed ^ 0x6470'6f2d'7361'6d70ULL),
        plant_(options.seed ^ 0x636f'6e73'656e'7473ULL),
        as_of_(util::DaysFromCivil(options.as_of)) {
    for (const char* purpose : {"mediation", "website_analytics", "union_dues"}) {
      ConsentTruth t;
      t.purpose = purpose;
      consent_truth_.push_back(std::move(t));
    }
  }
  ~Generator() { Cleanup(); }

  Status Prepare();
  Status Run();
  Status Commit();  // closes the outputs and renames them into place
  GroundTruth Truth() const;

 private:
  Status OpenSqlite();
  Status Exec(const char* sql);
  Status MaybeCommitBatch();
  void Cleanup();

  void MakePerson(uint64_t id, Person& p);
  void AppendOtherEmail(const Person& p, std::string& out);
  Status WriteCompanies();
  Status WriteCandidate(uint64_t id);
  Status WriteEmployee(uint64_t candidate_id, const Person& p, long start, long end, bool current, bool contract_open);
  Status WriteVisit(int64_t candidate_id, long earliest);
  // A consent for `purpose` that the policy checks (mediation,
  // website_analytics, union_dues), planted from plant_ so that the rest of
  // the sample stays as it was: usually given, sometimes missing or withdrawn
  // (the truth records which).
  Status PlantConsent(size_t purpose, uint64_t candidate_id, long earliest, double missing, double withdrawn);
  Status WriteConsentRow(uint64_t candidate_id, const char* purpose, long given, int given_second,
                         std::optional<std::pair<long, int>> withdrawn, const char* method, const std::string& ip);
  long Between(long lo, long hi) { return lo >= hi ? lo : static_cast<long>(rng_.Between(lo, hi)); }
  // DrawOrder: C++ leaves the order in which a call's arguments are
  // evaluated open (GCC goes right to left, clang left to right), so two
  // random draws in one call's arguments give a different sample per
  // compiler. Draws are made in statements of their own, in the order the
  // bundled sample was generated with (the time of day first).
  int Second() { return static_cast<int>(rng_.Between(7 * 3600, 22 * 3600)); }

  TableWriter& W(TableId t) { return *writers_[t]; }

  const GenerateOptions& options_;
  Rng rng_;
  Rng plant_;  // the planted consent cases only: rng_'s stream (and so the rest of the sample) is unchanged
  long as_of_;
  std::vector<ConsentTruth> consent_truth_;
  uint64_t companies_ = 0;
  uint64_t next_id_[kTableCount] = {};
  uint64_t rows_in_batch_ = 0;
  sqlite3* db_ = nullptr;
  std::vector<OutputFile> outputs_;
  std::vector<std::FILE*> csv_files_;
  std::unordered_set<long> cutoff_days_;
  HeldIds held_ids_;  // rows under a legal hold, for the truth of the rows that belong to them
  std::vector<std::unique_ptr<TableWriter>> writers_;
  std::vector<std::unique_ptr<char[]>> csv_buffers_;
  bool committed_ = false;
  bool created_csv_dir_ = false;  // by Prepare: removed again when the run fails
  // Reused per row so that generating allocates (almost) nothing.
  Person person_;
  Person other_;  // a third party that a note mentions
  std::string s1_;
  std::string s2_;
};

Status Generator::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    return Status::Error("sample: " + options_.sqlite_path + ": " + message);
  }
  return Status::Ok();
}

Status Generator::OpenSqlite() {
  const std::string partial = options_.sqlite_path + kPartialSuffix;
  DPO_RETURN_IF_ERROR(CreatePrivateFile(partial));
  outputs_.push_back({options_.sqlite_path, partial});
  if (sqlite3_open_v2(partial.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    return Status::Error("sample: cannot open " + partial + ": " + sqlite3_errmsg(db_) +
                         "; check that the directory is writable");
  }
  // Nothing to protect while generating: a failed run deletes the partial file.
  DPO_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
                           "PRAGMA cache_size=-16384; PRAGMA foreign_keys=OFF;"));
  for (const TableSpec& t : Tables()) DPO_RETURN_IF_ERROR(Exec(CreateTableSql(t).c_str()));
  return Exec("BEGIN");
}

Status Generator::Prepare() {
  if (options_.rows == 0 || options_.rows > kMaxRows) {
    return Status::Error("sample: --rows must be between 1 and " + std::to_string(kMaxRows) + ", got " +
                         std::to_string(options_.rows));
  }
  std::error_code ec;
  if (!options_.sqlite_path.empty()) {
    if (fs::exists(options_.sqlite_path, ec) && !options_.overwrite) {
      return Status::Error("sample: " + options_.sqlite_path + " already exists; use --force to replace it");
    }
    if (fs::is_directory(options_.sqlite_path, ec)) {
      return Status::Error("sample: " + options_.sqlite_path + " is a directory; give a file name for --out");
    }
  }
  if (!options_.csv_dir.empty()) {
    if (fs::exists(options_.csv_dir, ec) && !fs::is_directory(options_.csv_dir, ec)) {
      return Status::Error("sample: " + options_.csv_dir + " is not a directory; give a directory for --csv");
    }
    if (!options_.overwrite) {
      for (const TableSpec& t : Tables()) {
        fs::path file = fs::path(options_.csv_dir) / (std::string(t.name) + ".csv");
        if (fs::exists(file, ec)) {
          return Status::Error("sample: " + file.string() + " already exists; use --force to replace it");
        }
      }
    }
    if (!fs::exists(options_.csv_dir, ec)) {
      fs::create_directories(options_.csv_dir, ec);
      if (ec) return Status::Error("sample: cannot create directory " + options_.csv_dir + ": " + ec.message());
      created_csv_dir_ = true;
      fs::permissions(options_.csv_dir, fs::perms::owner_all, ec);
    }
  }

  for (const RetentionSpec& r : RetentionRules()) {
    cutoff_days_.insert(util::DaysFromCivil(util::Subtract(options_.as_of, r.keep)));
  }
  if (!options_.sqlite_path.empty()) DPO_RETURN_IF_ERROR(OpenSqlite());
  for (const TableSpec& t : Tables()) {
    std::FILE* csv = nullptr;
    if (!options_.csv_dir.empty()) {
      std::string final_path = (fs::path(options_.csv_dir) / (std::string(t.name) + ".csv")).string();
      std::string partial = final_path + kPartialSuffix;
      DPO_RETURN_IF_ERROR(CreatePrivateFile(partial));
      outputs_.push_back({final_path, partial});
      csv = std::fopen(partial.c_str(), "wb");
      if (csv == nullptr)
        return Status::Error("sample: cannot write " + partial + ": " + std::strerror(errno) +
                             "; check that the directory is writable");
      csv_buffers_.push_back(std::make_unique<char[]>(1 << 18));
      std::setvbuf(csv, csv_buffers_.back().get(), _IOFBF, 1 << 18);
      csv_files_.push_back(csv);
    }
    writers_.push_back(std::make_unique<TableWriter>(t, db_, csv, &cutoff_days_));
    DPO_RETURN_IF_ERROR(writers_.back()->Open());
  }
  for (const RetentionSpec& r : RetentionRules()) writers_[r.table]->AddRule(r, options_.as_of);
  for (auto& w : writers_) w->SetHeldIds(&held_ids_);
  return Status::Ok();
}

Status Generator::MaybeCommitBatch() {
  if (db_ == nullptr || ++rows_in_batch_ < kRowsPerTransaction) return Status::Ok();
  rows_in_batch_ = 0;
  return Exec("COMMIT; BEGIN");
}

void Generator::MakePerson(uint64_t id, Person& p) {
  bool international = rng_.Chance(0.22);
  uint64_t g = rng_.Below(100);
  bool female = g < 49;
  p.gender = g < 49 ? "V" : g < 97 ? "M" : "X";
  if (g >= 97) female = rng_.Chance(0.5);
  const WordList& firsts = international ? (female ? kIntlFemaleFirstNames : kIntlMaleFirstNames)
                                         : (female ? kDutchFemaleFirstNames : kDutchMaleFirstNames);
  p.first_name = firsts.items[rng_.Below(firsts.size)];
  if (international) {
    p.tussenvoegsel.clear();
    p.last_name = kIntlSurnames.items[rng_.Below(kIntlSurnames.size)];
  } else {
    const Surname& s = kDutchSurnames[rng_.Below(kDutchSurnameCount)];
    p.tussenvoegsel = s.tussenvoegsel;
    p.last_name = s.name;
  }
  p.full_name = p.first_name;
  p.full_name += ' ';
  if (!p.tussenvoegsel.empty()) {
    p.full_name += p.tussenvoegsel;
    p.full_name += ' ';
  }
  p.full_name += p.last_name;

  p.dutch = international ? rng_.Chance(0.15) : rng_.Chance(0.97);
  p.nationality = p.dutch ? "Nederlandse" : kOtherNationalities.items[rng_.Below(kOtherNationalities.size)];

  // E-mail: unique per person because the local part carries the id.
  p.email.clear();
  switch (rng_.Below(3)) {
    case 0:
      AppendAsciiSlug(p.first_name, 0, p.email);
      p.email.push_back('.');
      AppendAsciiSlug(p.tussenvoegsel, 0, p.email);
      AppendAsciiSlug(p.last_name, 0, p.email);
      break;
    case 1:
      AppendAsciiSlug(std::string_view(p.first_name).substr(0, 1), 0, p.email);
      AppendAsciiSlug(p.tussenvoegsel, 0, p.email);
      AppendAsciiSlug(p.last_name, 0, p.email);
      break;
    default:
      AppendAsciiSlug(p.first_name, 0, p.email);
      p.email.push_back('_');
      AppendAsciiSlug(p.last_name, 0, p.email);
      break;
  }
  p.email += std::to_string(id);
  p.email.push_back('@');
  p.email += kEmailDomains.items[rng_.Below(kEmailDomains.size)];

  p.city = &kCities[rng_.Below(kCityCount)];
  p.phone.clear();
  if (rng_.Chance(0.85)) {
    AppendMobile(rng_, p.phone);
  } else {
    AppendLandline(rng_, *p.city, p.phone);
  }
  p.address = kStreetNames.items[rng_.Below(kStreetNames.size)];
  p.address.push_back(' ');
  p.address += std::to_string(rng_.Between(1, 240));
  if (rng_.Chance(0.15)) {
    static constexpr const char* kSuffixes[] = {"a", "b", "-2", "-3", " II", "-hs"};
    p.address += rng_.Pick(kSuffixes);
  }
  p.postcode.clear();
  AppendPostcode(rng_, *p.city, p.postcode);
  p.birth_day = as_of_ - static_cast<long>(rng_.Between(17 * 365 + 5, 66 * 365));
  p.bsn.clear();
  p.iban.clear();
}

void Generator::AppendOtherEmail(const Person& p, std::string& out) {
  AppendAsciiSlug(p.first_name, 0, out);
  out += std::to_string(util::CivilFromDays(p.birth_day).year);
  out.push_back('@');
  out += kEmailDomains.items[rng_.Below(kEmailDomains.size)];
}

Status Generator::WriteCompanies() {
  companies_ = std::max<uint64_t>(8, options_.rows / 60);
  for (uint64_t c = 1; c <= companies_; ++c) {
    TableWriter& w = W(kClientCompanies);
    w.Int(static_cast<int64_t>(c));
    s1_ = kCompanyWords.items[rng_.Below(kCompanyWords.size)];
    s1_ += ' ';
    s1_ += kCompanySectors.items[rng_.Below(kCompanySectors.size)];
    s1_ += ' ';
    s1_ += kCompanyForms.items[rng_.Below(kCompanyForms.size)];
    w.Text(s1_);
    std::string domain;  // contacts' work addresses: @noordzee-logistiek.nl
    AppendAsciiSlug(s1_.substr(0, s1_.rfind(' ')), '-', domain);
    domain += ".nl";
    s1_.clear();
    AppendKvk(rng_, s1_);
    w.Text(s1_);
    s1_.clear();
    AppendVatNl(rng_, s1_);
    w.Text(s1_);
    const City& city = kCities[rng_.Below(kCityCount)];
    s1_ = kStreetNames.items[rng_.Below(kStreetNames.size)];
    s1_ += ' ';
    s1_ += std::to_string(rng_.Between(1, 400));
    w.Text(s1_);
    s1_.clear();
    AppendPostcode(rng_, city, s1_);
    w.Text(s1_);
    w.Text(city.name);
    s1_.clear();
    AppendLandline(rng_, city, s1_);
    w.Text(s1_);
    const long created = as_of_ - Between(200, 5000);
    w.Timestamp(created, Second());
    const bool ended = rng_.Chance(0.3);
    const long last_day = ended ? Between(created + 90, as_of_ - 1) : as_of_ - 1;
    ended ? w.Date(last_day) : w.Null();
    DPO_RETURN_IF_ERROR(w.EndRow());

    for (int k = 0; k < 3; ++k) {
      TableWriter& cw = W(kClientContacts);
      uint64_t id = ++next_id_[kClientContacts];
      MakePerson(static_cast<uint64_t>(rng_.Between(1, 99)), person_);
      cw.Int(static_cast<int64_t>(id));
      cw.Int(static_cast<int64_t>(c));
      cw.Text(person_.first_name);
      s1_ = person_.tussenvoegsel;
      if (!s1_.empty()) s1_ += ' ';
      s1_ += person_.last_name;
      cw.Text(s1_);
      // Work addresses: first initial and surname at a company domain.
      s1_.clear();
      AppendAsciiSlug(std::string_view(person_.first_name).substr(0, 1), 0, s1_);
      s1_.push_back('.');
      AppendAsciiSlug(person_.tussenvoegsel, 0, s1_);
      AppendAsciiSlug(person_.last_name, 0, s1_);
      s1_ += '@';
      s1_ += domain;
      cw.Text(s1_);
      cw.Text(person_.phone);
      cw.Text(kContactJobTitles.items[rng_.Below(kContactJobTitles.size)]);
      const long contact_created = Between(created, last_day);
      cw.Timestamp(contact_created, Second());
      {
        const int second = Second();  // drawn first: see DrawOrder
        cw.Timestamp(Between(contact_created, last_day), second);
      }
      DPO_RETURN_IF_ERROR(cw.EndRow());
    }
  }
  return Status::Ok();
}

Status Generator::WriteVisit(int64_t candidate_id, long earliest) {
  TableWriter& w = W(kWebsiteVisits);
  w.Int(static_cast<int64_t>(++next_id_[kWebsiteVisits]));
  candidate_id > 0 ? w.Int(candidate_id) : w.Null();
  {
    const int second = Second();  // drawn first: see DrawOrder
    w.Timestamp(Between(std::max(earliest, as_of_ - 700), as_of_ - 1), second);
  }
  s1_.clear();
  rng_.Chance(0.7) ? AppendIpv4(rng_, s1_) : AppendIpv6(rng_, s1_);
  w.Text(s1_);
  w.Text(kUserAgents.items[rng_.Below(kUserAgents.size)]);
  s1_ = "GA1.2.";
  s1_ += std::to_string(rng_.Between(100000000, 2147483647));
  s1_ += '.';
  s1_ += std::to_string(rng_.Between(1600000000, 1790000000));
  w.Text(s1_);
  w.Text(kPages.items[rng_.Below(kPages.size)]);
  w.TextOrNull(kReferrers.items[rng_.Below(kReferrers.size)]);
  DPO_RETURN_IF_ERROR(w.EndRow());
  return MaybeCommitBatch();
}

Status Generator::WriteCandidate(uint64_t id) {
  Person& p = person_;
  MakePerson(id, p);
  const long reg = as_of_ - (rng_.Chance(0.7) ? Between(1, 1825) : Between(1826, 4380));
  long last_active = Between(reg, as_of_ - 1);
  const bool employee = reg < as_of_ - 21 && rng_.Chance(0.22);
  long start = 0, end = 0;
  bool current = false, contract_open = false;
  if (employee) {
    start = std::min(reg + Between(7, 90), as_of_ - 14);
    double u = rng_.Unit();
    end = start + 14 + static_cast<long>(u * u * 700);
    current = end >= as_of_;
    contract_open = current && rng_.Chance(0.3);
    last_active = std::max(last_active, std::min(end, as_of_ - 1));
    AppendBsn(rng_, p.bsn);
    AppendIban(rng_, p.iban);
  } else {
    if (rng_.Chance(0.10)) AppendBsn(rng_, p.bsn);
    if (rng_.Chance(0.15)) AppendIban(rng_, p.iban);
  }
  const char* status = employee && current              ? "placed"
                       : last_active >= as_of_ - 365    ? "active"
                       : rng_.Chance(0.55)              ? "inactive"
                                                        : "active";
  const bool legal_hold = rng_.Chance(0.02);
  const bool consent_extended = rng_.Chance(0.3);
  const bool newsletter = rng_.Chance(0.45);
  const bool newsletter_withdrawn = newsletter && rng_.Chance(0.2);
  const char* job = kJobTitles.items[rng_.Below(kJobTitles.size)];

  TableWriter& w = W(kCandidates);
  w.Int(static_cast<int64_t>(id));
  WritePersonColumns(p, w);
  w.Text(p.gender);
  w.Text(p.nationality);
  w.TextOrNull(p.bsn);
  w.TextOrNull(p.iban);
  if (rng_.Chance(0.4)) {
    s1_ = "https://www.linkedin.com/in/";
    AppendAsciiSlug(p.first_name, '-', s1_);
    s1_.push_back('-');
    AppendAsciiSlug(p.tussenvoegsel.empty() ? p.last_name : p.tussenvoegsel + " " + p.last_name, '-', s1_);
    s1_.push_back('-');
    AppendHex(rng_, 8, s1_);
    w.Text(s1_);
  } else {
    w.Null();
  }
  TextContext ctx{job, p.email, "", p.phone, ""};
  s1_.clear();
  uint32_t mentions = AppendCvText(rng_, ctx, s1_);
  w.FreeText(s1_, mentions);
  w.Text(kAvailability.items[rng_.Below(kAvailability.size)]);
  w.Text(status);
  w.Timestamp(reg, Second());
  w.Timestamp(last_active, Second());
  w.Int(consent_extended ? 1 : 0);
  w.Int(newsletter && !newsletter_withdrawn ? 1 : 0);
  w.Int(legal_hold ? 1 : 0);
  if (rng_.Chance(0.2)) {
    s1_.clear();
    AppendOtherEmail(p, s1_);
    w.Text(s1_);
  } else {
    w.Null();
  }
  DPO_RETURN_IF_ERROR(w.EndRow());
  DPO_RETURN_IF_ERROR(MaybeCommitBatch());

  // Consents: registration always; sharing the CV, the newsletter and the
  // longer retention when given. Web-form consents keep the IP as proof.
  struct ConsentPlan {
    const char* purpose;
    bool given;
    bool withdrawn;
  };
  const ConsentPlan consents[] = {
      {"mediation", true, false},
      {"share_cv_with_clients", rng_.Chance(0.5), rng_.Chance(0.05)},
      {"newsletter", newsletter, newsletter_withdrawn},
      {"extend_retention", consent_extended, false},
  };
  for (size_t i = 0; i < std::size(consents); ++i) {
    const ConsentPlan& c = consents[i];
    if (!c.given) continue;
    // The draws from rng_ as they always were, whether or not the row is
    // written, so that everything after it stays the same.
    long given = Between(reg, std::min(reg + 30, as_of_ - 1));
    int given_second = Second();
    std::optional<std::pair<long, int>> withdrawn;
    if (c.withdrawn) {
      int second = Second();  // drawn before the day, as the call this replaces evaluated its arguments
      withdrawn = std::make_pair(Between(given, as_of_ - 1), second);
    }
    bool web = rng_.Chance(0.75);
    const char* method = web ? "web_form" : rng_.Chance(0.5) ? "email" : "phone";
    s2_.clear();
    if (web) AppendIpv4(rng_, s2_);
    if (i == 0) {  // mediation: the candidate's profile (cv_text, availability) is held for it
      ConsentTruth& t = consent_truth_[0];
      ++t.held;
      double u = plant_.Unit();
      if (u < 0.02) {  // the registration consent was never recorded
        t.without_record.push_back(id);
        continue;
      }
      if (u < 0.04) {  // withdrawn, and the profile is still there
        t.withdrawn.push_back(id);
        const int second = static_cast<int>(plant_.Between(7 * 3600, 22 * 3600));  // first: see DrawOrder
        withdrawn = std::make_pair(
            given + static_cast<long>(plant_.Below(static_cast<uint64_t>(std::max(1L, as_of_ - 1 - given)))), second);
      }
    }
    DPO_RETURN_IF_ERROR(WriteConsentRow(id, c.purpose, given, given_second, withdrawn, method, s2_));
  }

  // Applications: the first one of a candidate with a legal hold is disputed.
  const int applications = static_cast<int>(rng_.Below(100) < 15 ? 0 : rng_.Below(100) < 70 ? 1 : 2);
  for (int a = 0; a < applications; ++a) {
    TableWriter& aw = W(kApplications);
    aw.Int(static_cast<int64_t>(++next_id_[kApplications]));
    aw.Int(static_cast<int64_t>(id));
    aw.Int(static_cast<int64_t>(1 + rng_.Below(companies_)));
    const char* app_job = a == 0 ? job : kJobTitles.items[rng_.Below(kJobTitles.size)];
    aw.Text(app_job);
    long applied = Between(reg, last_active);
    aw.Timestamp(applied, Second());
    if (rng_.Chance(0.6)) {
      s1_.clear();
      TextContext actx{app_job, p.email, "", p.phone, ""};
      uint32_t m = AppendMotivationLetter(rng_, actx, s1_);
      aw.FreeText(s1_, m);
    } else {
      aw.Null();
    }
    bool open = applied >= as_of_ - 45 && rng_.Chance(0.6);
    const char* app_status = "open";
    if (!open) {
      uint64_t r = rng_.Below(100);
      app_status = employee && a == 0 ? "hired" : r < 65 ? "rejected" : "withdrawn";
    }
    aw.Text(app_status);
    if (open) {
      aw.Null();
    } else {
      {
        const int second = Second();  // drawn first: see DrawOrder
        aw.Timestamp(std::min(applied + Between(3, 60), as_of_ - 1), second);
      }
    }
    aw.Int(rng_.Chance(0.3) ? 1 : 0);
    aw.Int(legal_hold && a == 0 && !open ? 1 : 0);
    DPO_RETURN_IF_ERROR(aw.EndRow());
    DPO_RETURN_IF_ERROR(MaybeCommitBatch());
  }

  uint64_t employee_id = employee ? next_id_[kEmployees] + 1 : 0;
  // Conversation notes.
  const int notes = static_cast<int>(rng_.Below(100) < 30 ? 0 : rng_.Below(100) < 60 ? 1 : 2);
  for (int n = 0; n < notes; ++n) {
    TableWriter& nw = W(kConversationNotes);
    nw.Int(static_cast<int64_t>(++next_id_[kConversationNotes]));
    nw.Int(static_cast<int64_t>(id));
    employee_id != 0 && rng_.Chance(0.5) ? nw.Int(static_cast<int64_t>(employee_id)) : nw.Null();
    s1_ = "rec-";
    s1_ += std::to_string(10 + rng_.Below(40));
    nw.Text(s1_);
    static constexpr const char* kChannels[] = {"telefoon", "e-mail", "intake", "whatsapp", "video"};
    nw.Text(rng_.Pick(kChannels));
    {
      const int second = Second();  // drawn first: see DrawOrder
      nw.Timestamp(Between(reg, last_active), second);
    }
    MakePerson(static_cast<uint64_t>(rng_.Between(1, 99)), other_);
    TextContext nctx{job, p.email, other_.full_name, other_.phone, other_.email};
    s1_.clear();
    uint32_t m = AppendConversationNote(rng_, nctx, s1_);
    nw.FreeText(s1_, m);
    DPO_RETURN_IF_ERROR(nw.EndRow());
    DPO_RETURN_IF_ERROR(MaybeCommitBatch());
  }

  // Website visits: some while logged in, some anonymous.
  const int visits = static_cast<int>(rng_.Below(3));
  for (int v = 0; v < visits; ++v) DPO_RETURN_IF_ERROR(WriteVisit(static_cast<int64_t>(id), reg));
  if (visits > 0) DPO_RETURN_IF_ERROR(PlantConsent(1, id, reg, 0.05, 0.05));  // the cookie banner
  if (rng_.Chance(0.6)) DPO_RETURN_IF_ERROR(WriteVisit(0, as_of_ - 700));

  // The forgotten mailing export.
  if (id % 40 == 7) {
    TableWriter& ew = W(kExportTmp);
    ew.Int(static_cast<int64_t>(++next_id_[kExportTmp]));
    ew.Text(p.full_name);
    ew.Text(p.phone);
    ew.Text(p.email);
    ew.Text(p.city->name);
    {
      const int second = Second();  // drawn first: see DrawOrder
      ew.Timestamp(as_of_ - Between(30, 900), second);
    }
    DPO_RETURN_IF_ERROR(ew.EndRow());
  }

  if (employee) DPO_RETURN_IF_ERROR(WriteEmployee(id, p, start, end, current, contract_open));
  return Status::Ok();
}

Status Generator::WriteConsentRow(uint64_t candidate_id, const char* purpose, long given, int given_second,
                                  std::optional<std::pair<long, int>> withdrawn, const char* method,
                                  const std::string& ip) {
  TableWriter& cw = W(kConsents);
  cw.Int(static_cast<int64_t>(++next_id_[kConsents]));
  cw.Int(static_cast<int64_t>(candidate_id));
  cw.Text(purpose);
  cw.Timestamp(given, given_second);
  withdrawn ? cw.Timestamp(withdrawn->first, withdrawn->second) : cw.Null();
  cw.Text(method);
  ip.empty() ? cw.Null() : cw.Text(ip);
  DPO_RETURN_IF_ERROR(cw.EndRow());
  return MaybeCommitBatch();
}

Status Generator::PlantConsent(size_t purpose, uint64_t candidate_id, long earliest, double missing, double withdrawn) {
  ConsentTruth& t = consent_truth_[purpose];
  ++t.held;
  double u = plant_.Unit();
  if (u < missing) {
    t.without_record.push_back(candidate_id);
    return Status::Ok();
  }
  long given = earliest + static_cast<long>(plant_.Below(static_cast<uint64_t>(std::max(1L, as_of_ - 1 - earliest))));
  int second = static_cast<int>(plant_.Between(7 * 3600, 22 * 3600));
  std::optional<std::pair<long, int>> when_withdrawn;
  if (u < missing + withdrawn) {
    t.withdrawn.push_back(candidate_id);
    const int withdrawn_second = static_cast<int>(plant_.Between(7 * 3600, 22 * 3600));  // first: see DrawOrder
    when_withdrawn = std::make_pair(
        given + static_cast<long>(plant_.Below(static_cast<uint64_t>(std::max(1L, as_of_ - 1 - given)))),
        withdrawn_second);
  }
  s2_.clear();
  AppendIpv4(plant_, s2_);
  return WriteConsentRow(candidate_id, t.purpose.c_str(), given, second, when_withdrawn,
                         purpose == 1 ? "cookie_banner" : "web_form", s2_);
}

Status Generator::WriteEmployee(uint64_t candidate_id, const Person& p, long start, long end, bool current,
                                bool contract_open) {
  const uint64_t eid = ++next_id_[kEmployees];
  const long last_day = current ? as_of_ - 1 : end;  // last day worked so far
  const bool legal_hold = eid % 12 == 5;  // a few disputes in every sample, however small
  const double wage = 13.27 + static_cast<double>(rng_.Below(1900)) / 100.0;
  TableWriter& w = W(kEmployees);
  w.Int(static_cast<int64_t>(eid));
  w.Int(static_cast<int64_t>(candidate_id));
  s1_ = "P";
  s1_ += std::to_string(1000000 + eid);
  w.Text(s1_);
  WritePersonColumns(p, w);
  w.Text(p.bsn);
  w.Text(p.iban);
  w.Real(wage);
  static constexpr const char* kContractTypes[] = {"uitzendovereenkomst fase A", "uitzendovereenkomst fase B",
                                                   "uitzendovereenkomst fase C", "payrollovereenkomst"};
  w.Text(rng_.Pick(kContractTypes));
  w.Date(start);
  contract_open ? w.Null() : w.Date(end);
  current ? w.Null() : w.Date(end);
  const bool vog = rng_.Chance(0.2);
  vog ? w.Date(start - Between(5, 60)) : w.Null();
  w.Int(legal_hold ? 1 : 0);
  if (rng_.Chance(0.6)) {
    s1_.clear();
    AppendIban(rng_, s1_);
    w.Text(s1_);
  } else {
    w.Null();
  }
  DPO_RETURN_IF_ERROR(w.EndRow());
  DPO_RETURN_IF_ERROR(MaybeCommitBatch());

  // ID document copies (a renewed document sometimes adds a second one).
  const int documents = rng_.Chance(0.1) ? 2 : 1;
  for (int d = 0; d < documents; ++d) {
    TableWriter& dw = W(kIdDocuments);
    dw.Int(static_cast<int64_t>(++next_id_[kIdDocuments]));
    dw.Int(static_cast<int64_t>(eid));
    bool dutch = p.nationality == "Nederlandse";
    static constexpr const char* kDutchTypes[] = {"paspoort", "identiteitskaart", "identiteitskaart"};
    dw.Text(dutch ? rng_.Pick(kDutchTypes) : rng_.Chance(0.5) ? "verblijfsdocument" : "paspoort");
    s1_.clear();
    AppendDocumentNumber(rng_, s1_);
    dw.Text(s1_);
    const char* country = "NLD";
    for (size_t k = 0; k < kOtherNationalities.size; ++k) {
      if (p.nationality == kOtherNationalities.items[k]) country = kOtherNationalityCodes.items[k];
    }
    dw.Text(country);
    long stored = d == 0 ? start : Between(start, last_day);
    dw.Date(stored + Between(180, 3600));
    dw.Timestamp(stored, Second());
    current ? dw.Null() : dw.Date(end);
    DPO_RETURN_IF_ERROR(dw.EndRow());
    DPO_RETURN_IF_ERROR(MaybeCommitBatch());
  }

  // Placements split the contract; each has 4-weekly timesheets and, once
  // ended, one invoice.
  long span = last_day - start + 1;
  int placements = span < 21 ? 1 : static_cast<int>(1 + rng_.Below(3));
  for (int k = 0; k < placements; ++k) {
    long ps = start + span * k / placements;
    long pe = start + span * (k + 1) / placements - 1;
    bool running = current && k == placements - 1;
    uint64_t pid = ++next_id_[kPlacements];
    uint64_t company = 1 + rng_.Below(companies_);
    uint64_t contact = (company - 1) * 3 + 1 + rng_.Below(3);
    double rate = wage * (1.55 + static_cast<double>(rng_.Below(50)) / 100.0);
    const char* job = kJobTitles.items[rng_.Below(kJobTitles.size)];
    TableWriter& pw = W(kPlacements);
    pw.Int(static_cast<int64_t>(pid));
    pw.Int(static_cast<int64_t>(eid));
    pw.Int(static_cast<int64_t>(company));
    pw.Int(static_cast<int64_t>(contact));
    pw.Text(job);
    pw.Date(ps);
    running ? pw.Null() : pw.Date(pe);
    pw.Real(rate);
    running ? pw.Null() : pw.Int(static_cast<int64_t>(rng_.Between(1, 5)));
    if (!running && rng_.Chance(0.3)) {
      s1_.clear();
      AppendEvaluation(rng_, s1_);
      pw.FreeText(s1_, 0);
    } else {
      pw.Null();
    }
    pw.Text(running ? "lopend" : "afgerond");
    DPO_RETURN_IF_ERROR(pw.EndRow());
    DPO_RETURN_IF_ERROR(MaybeCommitBatch());

    double total_hours = 0;
    for (long t = ps; t <= pe; t += 28) {
      long te = std::min(t + 27, pe);
      TableWriter& tw = W(kTimesheets);
      double hours = static_cast<double>(rng_.Between(8, 40)) * static_cast<double>(te - t + 1) / 7.0;
      hours = static_cast<double>(static_cast<long>(hours * 4)) / 4.0;
      double overtime = rng_.Chance(0.2) ? static_cast<double>(rng_.Between(1, 16)) / 2.0 : 0.0;
      total_hours += hours + overtime;
      tw.Int(static_cast<int64_t>(++next_id_[kTimesheets]));
      tw.Int(static_cast<int64_t>(pid));
      tw.Int(static_cast<int64_t>(eid));
      tw.Date(t);
      tw.Date(te);
      tw.Real(hours);
      tw.Real(overtime);
      long approved = te + Between(1, 5);
      if (approved < as_of_) {
        tw.Int(static_cast<int64_t>(contact));
        tw.Timestamp(approved, Second());
      } else {
        tw.Null();
        tw.Null();
      }
      DPO_RETURN_IF_ERROR(tw.EndRow());
      DPO_RETURN_IF_ERROR(MaybeCommitBatch());
    }
    long issued = pe + 7;
    if (!running && issued < as_of_) {
      TableWriter& iw = W(kInvoices);
      uint64_t inv = ++next_id_[kInvoices];
      iw.Int(static_cast<int64_t>(inv));
      iw.Int(static_cast<int64_t>(company));
      iw.Int(static_cast<int64_t>(pid));
      s1_ = "F";
      s1_ += std::to_string(util::CivilFromDays(issued).year);
      s1_ += '-';
      s1_ += std::to_string(100000 + inv);
      iw.Text(s1_);
      iw.Date(issued);
      iw.Real(total_hours);
      double amount = std::round(total_hours * rate * 100.0) / 100.0;
      iw.Real(amount);
      iw.Real(amount * 0.21);
      long paid = issued + Between(10, 60);
      bool is_paid = paid < as_of_ && rng_.Chance(0.95);
      is_paid ? iw.Date(paid) : iw.Null();
      iw.Text(is_paid ? "betaald" : "open");
      DPO_RETURN_IF_ERROR(iw.EndRow());
      DPO_RETURN_IF_ERROR(MaybeCommitBatch());
    }
  }

  // Payslips per 4-week period, paid five days after the period.
  const bool union_member = rng_.Chance(0.15);
  bool dues_paid = false;
  for (long t = start; t <= last_day; t += 28) {
    long paid = t + 27 + 5;
    if (paid >= as_of_) break;
    util::Date d = util::CivilFromDays(t);
    long day_of_year = t - util::DaysFromCivil(util::Date{d.year, 1, 1});
    double hours = static_cast<double>(rng_.Between(60, 160));
    double gross = std::round(hours * wage * 100.0) / 100.0;
    double tax = std::round(gross * (0.08 + static_cast<double>(rng_.Below(25)) / 100.0) * 100.0) / 100.0;
    double pension = std::round(gross * 0.05 * 100.0) / 100.0;
    double dues = union_member ? 18.45 : 0.0;
    TableWriter& sw = W(kPayslips);
    sw.Int(static_cast<int64_t>(++next_id_[kPayslips]));
    sw.Int(static_cast<int64_t>(eid));
    char period[16];
    std::snprintf(period, sizeof(period), "%04d-P%02d", d.year % 10000, static_cast<int>(std::min(13L, day_of_year / 28 + 1)));
    sw.Text(period);
    sw.Real(gross);
    sw.Real(tax);
    sw.Real(pension);
    union_member ? sw.Real(dues) : sw.Null();
    dues_paid = dues_paid || union_member;
    sw.Real(gross - tax - pension - dues);
    sw.Text(p.iban);
    sw.Date(paid);
    sw.Int(legal_hold ? 1 : 0);
    DPO_RETURN_IF_ERROR(sw.EndRow());
    DPO_RETURN_IF_ERROR(MaybeCommitBatch());
  }

  // Union dues are deducted at the worker's request (explicit consent, Art. 9(2)(a)).
  if (dues_paid) DPO_RETURN_IF_ERROR(PlantConsent(2, candidate_id, start, 0.12, 0.15));

  // Sick leave.
  if (rng_.Chance(0.3)) {
    TableWriter& aw = W(kAbsences);
    long s = Between(start, last_day);
    double u = rng_.Unit();
    long e = s + 1 + static_cast<long>(u * u * 120);
    aw.Int(static_cast<int64_t>(++next_id_[kAbsences]));
    aw.Int(static_cast<int64_t>(eid));
    aw.Date(s);
    e >= as_of_ ? aw.Null() : aw.Date(e);
    s1_.clear();
    AppendAbsenceReason(rng_, s1_);
    aw.Text(s1_);
    aw.Timestamp(s, Second());
    DPO_RETURN_IF_ERROR(aw.EndRow());
    DPO_RETURN_IF_ERROR(MaybeCommitBatch());
  }
  return Status::Ok();
}

Status Generator::Run() {
  DPO_RETURN_IF_ERROR(WriteCompanies());
  for (uint64_t id = 1; id <= options_.rows; ++id) {
    // One relaxed load per candidate (a few dozen rows): cheap, and quick to stop.
    if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed))
      return Status::Error("sample: interrupted; nothing was written");
    DPO_RETURN_IF_ERROR(WriteCandidate(id));
    if (options_.progress && (id % 1000 == 0 || id == options_.rows)) options_.progress(id, options_.rows);
  }
  if (options_.cancel != nullptr && options_.cancel->load()) return Status::Error("sample: interrupted; nothing was written");
  return Status::Ok();
}

Status Generator::Commit() {
  for (auto& w : writers_) w->Finish();
  if (db_ != nullptr) {
    DPO_RETURN_IF_ERROR(Exec("COMMIT"));
    if (sqlite3_close(db_) != SQLITE_OK) return Status::Error("sample: cannot close " + options_.sqlite_path);
    db_ = nullptr;
  }
  for (std::FILE* f : csv_files_) {
    if (std::fflush(f) != 0 || std::ferror(f) != 0) {
      return Status::Error("sample: writing a CSV file in " + options_.csv_dir + " failed; is the disk full?");
    }
  }
  for (std::FILE* f : csv_files_) std::fclose(f);
  csv_files_.clear();
  for (const OutputFile& o : outputs_) {
    std::error_code ec;
    fs::rename(o.partial_path, o.final_path, ec);
    if (ec)
      return Status::Error("sample: cannot rename " + o.partial_path + " to " + o.final_path + ": " + ec.message() +
                           "; check that " + o.final_path + " is not a directory and its directory is writable");
  }
  committed_ = true;
  return Status::Ok();
}

void Generator::Cleanup() {
  writers_.clear();
  if (db_ != nullptr) {
    sqlite3_close(db_);
    db_ = nullptr;
  }
  for (std::FILE* f : csv_files_) std::fclose(f);
  csv_files_.clear();
  if (!committed_) {
    for (const OutputFile& o : outputs_) ::unlink(o.partial_path.c_str());
    // A --csv directory this run created goes too (rmdir: only when empty).
    if (created_csv_dir_) ::rmdir(options_.csv_dir.c_str());
  }
}

GroundTruth Generator::Truth() const {
  GroundTruth truth;
  truth.rows_option = options_.rows;
  truth.seed = options_.seed;
  truth.as_of = options_.as_of.ToIso();
  for (const auto& w : writers_) {
    truth.tables.push_back(w->Truth());
    truth.total_rows += w->rows();
    for (const ColumnTruth& c : truth.tables.back().columns) {
      if (!c.declared && c.personal) truth.undeclared.push_back(truth.tables.back().name + "." + c.name);
    }
  }
  for (const RetentionSpec& r : RetentionRules()) {
    for (const RetentionTruth& t : writers_[r.table]->RetentionTruths()) {
      if (t.rule == r.id) truth.retention.push_back(t);
    }
  }
  truth.consent = consent_truth_;
  for (ConsentTruth& c : truth.consent) {
    std::sort(c.without_record.begin(), c.without_record.end());
    std::sort(c.withdrawn.begin(), c.withdrawn.end());
  }
  return truth;
}

}  // namespace

const ColumnTruth* TableTruth::FindColumn(const std::string& column) const {
  for (const ColumnTruth& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

const TableTruth* GroundTruth::FindTable(const std::string& table) const {
  for (const TableTruth& t : tables) {
    if (t.name == table) return &t;
  }
  return nullptr;
}

Result<GenerateReport> GenerateSample(const GenerateOptions& options) {
  auto begin = std::chrono::steady_clock::now();
  Generator generator(options);
  DPO_RETURN_IF_ERROR(generator.Prepare());
  DPO_RETURN_IF_ERROR(generator.Run());
  DPO_RETURN_IF_ERROR(generator.Commit());
  GenerateReport report;
  report.truth = generator.Truth();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return report;
}

Result<GroundTruth> GetGroundTruth(const GenerateOptions& options) {
  GenerateOptions truth_only = options;
  truth_only.sqlite_path.clear();
  truth_only.csv_dir.clear();
  Result<GenerateReport> report = GenerateSample(truth_only);
  if (!report.ok()) return report.status();
  return std::move(report.value().truth);
}

}  // namespace dpo::sample
