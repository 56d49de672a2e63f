#include "detect/terms.h"

#include <hs.h>

#include <algorithm>
#include <string>

#include "detect/matchers.h"

namespace dpo::detect {
namespace {

enum class Mode {
  kWord,    // whole word only: "kerk" but not "kerkstraat"
  kPrefix,  // word head, compounds allowed: "zwanger" -> "zwangerschapsverlof"
};

struct Term {
  const char* text;  // lower case; ' ' matches one space, '-' or '_'; '-' is optional
  Kind kind;
  Mode mode;
};

constexpr Kind H = Kind::kHealthTerm;
constexpr Kind R = Kind::kReligionTerm;
constexpr Kind E = Kind::kEthnicityTerm;
constexpr Kind P = Kind::kPoliticalTerm;
constexpr Kind U = Kind::kUnionTerm;
constexpr Kind S = Kind::kSexualityTerm;
constexpr Kind B = Kind::kBiometricTerm;
constexpr Kind C = Kind::kCriminalTerm;
constexpr Mode W = Mode::kWord;
constexpr Mode X = Mode::kPrefix;

const Term kTerms[] = {
    // Health (Dutch)
    {"ziek", H, X}, {"ziekmelding", H, X}, {"ziekteverzuim", H, X}, {"verzuim", H, X},
    {"burn-out", H, X}, {"overspannen", H, X}, {"overspannenheid", H, X}, {"diagnose", H, X},
    {"gediagnosticeerd", H, W}, {"zwanger", H, X}, {"bevalling", H, X}, {"bevallingsverlof", H, X},
    {"arbo-arts", H, X}, {"bedrijfsarts", H, X}, {"huisarts", H, X}, {"medicijn", H, X},
    {"medicatie", H, X}, {"medisch", H, X}, {"therapie", H, X}, {"therapeut", H, X},
    {"handicap", H, X}, {"gehandicapt", H, X}, {"functiebeperking", H, X}, {"arbeidsbeperking", H, X},
    {"depressie", H, X}, {"depressief", H, X}, {"kanker", H, X}, {"diabetes", H, W}, {"astma", H, W},
    {"psychisch", H, X}, {"psycholoog", H, X}, {"psychiater", H, X}, {"adhd", H, W}, {"autisme", H, X},
    {"autistisch", H, W}, {"epilepsie", H, X}, {"hernia", H, W}, {"revalidatie", H, X},
    {"arbeidsongeschikt", H, X}, {"wia", H, W}, {"wao", H, W}, {"wajong", H, W}, {"allergie", H, X},
    {"hartaanval", H, X}, {"beroerte", H, W}, {"dementie", H, W}, {"fysiotherap", H, X},
    {"ziekenhuisopname", H, X}, {"verslaving", H, X}, {"verslaafd", H, W}, {"hiv", H, W},
    {"gezondheidsklachten", H, X}, {"rugklachten", H, X}, {"chronisch ziek", H, W},
    // Health (English)
    {"pregnan", H, X}, {"diagnosis", H, W}, {"diagnosed", H, W}, {"illness", H, X}, {"sick leave", H, W},
    {"sick", H, W}, {"medication", H, X}, {"medical condition", H, X}, {"disability", H, W},
    {"disabilities", H, W}, {"disabled", H, W}, {"depression", H, W}, {"depressed", H, W},
    {"cancer", H, W}, {"asthma", H, W}, {"mental health", H, W}, {"psychologist", H, X},
    {"psychiatrist", H, X}, {"psychiatric", H, W}, {"autism", H, W}, {"autistic", H, W},
    {"epilepsy", H, W}, {"therapy", H, W}, {"therapist", H, W}, {"maternity leave", H, W},
    {"physiotherap", H, X}, {"hospitalised", H, W}, {"hospitalized", H, W}, {"allergy", H, W},
    {"allergic", H, W}, {"heart attack", H, W}, {"dementia", H, W}, {"addiction", H, W},
    {"burnout", H, W}, {"chronic illness", H, W}, {"occupational physician", H, W},
    // Religion
    {"religie", R, X}, {"religieus", R, X}, {"geloof", R, W}, {"geloofsovertuiging", R, X},
    {"moslim", R, X}, {"islam", R, X}, {"christen", R, X}, {"christelijk", R, X}, {"katholiek", R, X},
    {"protestant", R, X}, {"joods", R, W}, {"jood", R, W}, {"hindoe", R, X}, {"hindoeïstisch", R, W},
    {"boeddhist", R, X}, {"boeddhisme", R, W}, {"sikh", R, W}, {"atheïst", R, X}, {"atheist", R, X},
    {"kerk", R, W}, {"kerkganger", R, X}, {"kerkdienst", R, X}, {"kerkgenootschap", R, X},
    {"moskee", R, X}, {"synagoge", R, X}, {"ramadan", R, W}, {"hoofddoek", R, X}, {"gebedsruimte", R, X},
    {"religion", R, X}, {"religious", R, W}, {"muslim", R, X}, {"christian", R, X}, {"catholic", R, X},
    {"jewish", R, W}, {"hindu", R, X}, {"buddhist", R, X}, {"church", R, W}, {"mosque", R, X},
    {"synagogue", R, X}, {"headscarf", R, W}, {"hijab", R, W}, {"halal", R, W}, {"kosher", R, W},
    {"sabbath", R, W}, {"prayer", R, X},
    // Ethnicity and race
    {"etniciteit", E, W}, {"etnisch", E, X}, {"afkomst", E, W}, {"huidskleur", E, W}, {"ras", E, W},
    {"allochtoon", E, X}, {"allochtone", E, W}, {"autochtoon", E, X}, {"migratieachtergrond", E, X},
    {"ethnicity", E, W}, {"ethnic", E, W}, {"racial", E, W}, {"race", E, W}, {"skin colour", E, W},
    {"skin color", E, W},
    // Political opinion
    {"partijlid", P, X}, {"partijlidmaatschap", P, X}, {"politieke voorkeur", P, W},
    {"politieke partij", P, X}, {"politieke overtuiging", P, W}, {"politiek actief", P, W},
    {"lid van de vvd", P, W}, {"lid van de pvda", P, W}, {"lid van het cda", P, W},
    {"stemt op", P, W}, {"political party", P, X}, {"political opinion", P, X},
    {"political views", P, W}, {"political affiliation", P, W}, {"party member", P, X},
    {"voted for", P, W},
    // Trade union
    {"vakbond", U, X}, {"vakbondslid", U, X}, {"vakbondslidmaatschap", U, W}, {"fnv", U, W}, {"cnv", U, W},
    {"union member", U, X}, {"trade union", U, X}, {"labour union", U, X}, {"labor union", U, X},
    {"union membership", U, W},
    // Sexual orientation and sex life
    {"homoseksueel", S, X}, {"homoseksualiteit", S, W}, {"homo", S, W}, {"lesbisch", S, X},
    {"lesbienne", S, X}, {"lesbian", S, X}, {"gay", S, W}, {"biseksueel", S, X}, {"bisexual", S, X},
    {"transgender", S, X}, {"seksuele geaardheid", S, W}, {"seksuele voorkeur", S, W},
    {"sexual orientation", S, W}, {"lhbti", S, X}, {"lgbt", S, X}, {"queer", S, W},
    {"heteroseksueel", S, X}, {"heterosexual", S, W}, {"homosexual", S, X},
    // Biometric and genetic
    {"vingerafdruk", B, X}, {"fingerprint", B, X}, {"dna", B, W}, {"gezichtsherkenning", B, X},
    {"face recognition", B, W}, {"facial recognition", B, W}, {"iris scan", B, W}, {"irisscan", B, X},
    {"biometrisch", B, X}, {"biometric", B, X}, {"genetisch", B, X}, {"genetic", B, X},
    {"retina scan", B, W}, {"stemherkenning", B, X}, {"voiceprint", B, W}, {"face scan", B, W},
    // Criminal
    {"vog", C, W}, {"verklaring omtrent het gedrag", C, W}, {"verklaring omtrent gedrag", C, W},
    {"strafblad", C, X}, {"strafrechtelijk", C, X}, {"veroordeling", C, X}, {"veroordeeld", C, W},
    {"gearresteerd", C, W}, {"gedetineerd", C, W}, {"detentie", C, W}, {"gevangenis", C, X},
    {"taakstraf", C, X}, {"celstraf", C, X}, {"misdrijf", C, X}, {"justitiële documentatie", C, W},
    {"criminal record", C, X}, {"conviction", C, X}, {"convicted", C, W}, {"arrested", C, W},
    {"prison", C, W}, {"jail", C, W}, {"criminal offence", C, X}, {"criminal offense", C, X},
    {"felony", C, X}, {"background check", C, X}, {"certificate of conduct", C, W},
};

constexpr size_t kTermCount = sizeof(kTerms) / sizeof(kTerms[0]);

std::string ToPattern(const Term& t) {
  std::string p = "\\b";
  for (const char* c = t.text; *c; ++c) {
    unsigned char ch = static_cast<unsigned char>(*c);
    if (ch == ' ') {
      p += "[ _\\-]";
    } else if (ch == '-') {
      p += "[ \\-]?";
    } else if (internal::IsAlnum(ch)) {
      p += static_cast<char>(ch);
    } else {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", ch);
      p += buf;
    }
  }
  if (t.mode == Mode::kWord) p += "\\b";
  return p;
}

struct Database {
  hs_database_t* db = nullptr;
  Status status;
};

const Database& SharedDatabase() {
  static const Database* database = [] {
    auto* d = new Database();
    std::vector<std::string> patterns;
    std::vector<const char*> cpatterns;
    std::vector<unsigned> flags, ids;
    patterns.reserve(kTermCount);
    for (size_t i = 0; i < kTermCount; ++i) patterns.push_back(ToPattern(kTerms[i]));
    for (size_t i = 0; i < kTermCount; ++i) {
      cpatterns.push_back(patterns[i].c_str());
      flags.push_back(HS_FLAG_CASELESS);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(cpatterns.data(), flags.data(), ids.data(), static_cast<unsigned>(kTermCount),
                         HS_MODE_BLOCK, nullptr, &d->db, &err) != HS_SUCCESS) {
      std::string msg = err && err->message ? err->message : "unknown error";
      int which = err ? err->expression : -1;
      d->status = Status::Error("internal: term list pattern " + std::to_string(which) +
                                    " does not compile (" + msg + "); please report this bug",
                                kExitInternal);
      hs_free_compile_error(err);
      d->db = nullptr;
    }
    return d;
  }();
  return *database;
}

// One scratch per thread, grown for the shared database on first use.
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  ~ThreadScratch() {
    if (scratch) hs_free_scratch(scratch);
  }
};

struct Context {
  std::string_view text;
  std::vector<Hit>* hits;
};

// Start of the term that ends at `end` (the database reports ends only:
// start-of-match tracking costs a third of the scan). Walks the term
// backwards with the same rules as ToPattern; -1 if it does not fit.
std::ptrdiff_t StartOf(const Term& t, std::string_view text, size_t end) {
  std::string_view term(t.text);
  std::ptrdiff_t i = static_cast<std::ptrdiff_t>(end);
  for (size_t k = term.size(); k-- > 0;) {
    char tc = term[k];
    if (tc == '-') {
      if (i > 0 && (text[i - 1] == '-' || text[i - 1] == ' ')) --i;
      continue;
    }
    if (i == 0) return -1;
    char c = text[i - 1];
    if (tc == ' ' ? (c == ' ' || c == '_' || c == '-') : internal::ToLower(static_cast<unsigned char>(c)) == tc) {
      --i;
    } else {
      return -1;
    }
  }
  return i;
}

int OnMatch(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx_ptr) {
  auto* ctx = static_cast<Context*>(ctx_ptr);
  const Term& t = kTerms[id];
  size_t end = static_cast<size_t>(to);
  std::ptrdiff_t from = StartOf(t, ctx->text, end);
  if (from < 0) return 0;
  if (t.mode == Mode::kPrefix) {
    while (end < ctx->text.size() && internal::IsWordByte(static_cast<unsigned char>(ctx->text[end]))) ++end;
  }
  Hit h;
  h.offset = static_cast<size_t>(from);
  h.length = end - h.offset;
  h.kind = t.kind;
  h.validated = true;
  // Overlapping heads of one word ("ziek" and "ziekmelding") give one hit.
  if (!ctx->hits->empty()) {
    Hit& last = ctx->hits->back();
    if (last.offset == h.offset && last.kind == h.kind) {
      last.length = std::max(last.length, h.length);
      return 0;
    }
  }
  ctx->hits->push_back(h);
  return 0;
}

}  // namespace

void ScanTerms(std::string_view text, std::vector<Hit>* hits) {
  const Database& d = SharedDatabase();
  if (d.db == nullptr || text.empty()) return;
  thread_local ThreadScratch ts;
  if (ts.scratch == nullptr && hs_alloc_scratch(d.db, &ts.scratch) != HS_SUCCESS) {
    ts.scratch = nullptr;
    return;
  }
  // Hyperscan takes an unsigned length: scan very large inputs in pieces.
  constexpr size_t kMaxBlock = size_t{1} << 30;
  size_t base = 0;
  while (base < text.size()) {
    std::string_view block = text.substr(base, kMaxBlock);
    Context ctx{block, hits};
    size_t before = hits->size();
    hs_scan(d.db, block.data(), static_cast<unsigned>(block.size()), 0, ts.scratch, OnMatch, &ctx);
    for (size_t i = before; i < hits->size(); ++i) (*hits)[i].offset += base;
    base += block.size();
  }
}

Status TermsStatus() { return SharedDatabase().status; }

size_t TermCount() { return kTermCount; }

}  // namespace dpo::detect
