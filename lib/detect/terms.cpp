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

// Hyperscan compiles literals in milliseconds, but ~240 regexes with \b
// assertions took half a second at every start of dpo. So each term is
// expanded into the literal spellings its pattern allows (' ' is one space,
// '_' or '-'; '-' is '-', ' ' or nothing) and the word boundaries are checked
// in the match callback, as \b would: a boundary is a change between a word
// byte [A-Za-z0-9_] and anything else (bytes >= 0x80 are not word bytes).
struct Literal {
  std::string text;
  unsigned term;  // index into kTerms
};

void Expand(const Term& t, unsigned id, size_t i, std::string* prefix, std::vector<Literal>* out) {
  if (t.text[i] == '\0') {
    out->push_back({*prefix, id});
    return;
  }
  char c = t.text[i];
  auto with = [&](std::string_view s) {
    size_t n = prefix->size();
    prefix->append(s);
    Expand(t, id, i + 1, prefix, out);
    prefix->resize(n);
  };
  if (c == ' ') {
    with(" "), with("_"), with("-");
  } else if (c == '-') {
    with("-"), with(" "), with("");
  } else {
    with(std::string_view(&c, 1));
  }
}

bool IsRegexWordByte(unsigned char c) { return internal::IsAlnum(c) || c == '_'; }

struct Database {
  hs_database_t* db = nullptr;
  std::vector<Literal> literals;  // by Hyperscan id
  Status status;
};

const Database& SharedDatabase() {
  static const Database* database = [] {
    auto* d = new Database();
    for (size_t i = 0; i < kTermCount; ++i) {
      std::string prefix;
      Expand(kTerms[i], static_cast<unsigned>(i), 0, &prefix, &d->literals);
    }
    std::vector<const char*> cpatterns;
    std::vector<size_t> lens;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < d->literals.size(); ++i) {
      cpatterns.push_back(d->literals[i].text.data());
      lens.push_back(d->literals[i].text.size());
      flags.push_back(HS_FLAG_CASELESS);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(cpatterns.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(cpatterns.size()), HS_MODE_BLOCK, nullptr, &d->db,
                             &err) != HS_SUCCESS) {
      std::string msg = err && err->message ? err->message : "unknown error";
      int which = err && err->expression >= 0 ? static_cast<int>(d->literals[err->expression].term) : -1;
      d->status = Status::Error("internal: term list pattern " + std::to_string(which) +
                                    " does not compile (" + msg + "); please report this bug",
                                StatusCode::kInternal);
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
  const std::vector<Literal>* literals;
  std::vector<Hit>* hits;
};

int OnMatch(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx_ptr) {
  auto* ctx = static_cast<Context*>(ctx_ptr);
  const Literal& lit = (*ctx->literals)[id];
  const Term& t = kTerms[lit.term];
  size_t end = static_cast<size_t>(to);
  size_t from = end - lit.text.size();
  const std::string_view text = ctx->text;
  if (from > 0 && IsRegexWordByte(static_cast<unsigned char>(text[from - 1]))) return 0;
  if (t.mode == Mode::kWord) {
    if (end < text.size() && IsRegexWordByte(static_cast<unsigned char>(text[end]))) return 0;
  } else {
    while (end < text.size() && internal::IsWordByte(static_cast<unsigned char>(text[end]))) ++end;
  }
  Hit h;
  h.offset = from;
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
    Context ctx{block, &d.literals, hits};
    size_t before = hits->size();
    hs_scan(d.db, block.data(), static_cast<unsigned>(block.size()), 0, ts.scratch, OnMatch, &ctx);
    for (size_t i = before; i < hits->size(); ++i) (*hits)[i].offset += base;
    base += block.size();
  }
}

Status TermsStatus() { return SharedDatabase().status; }

size_t TermCount() { return kTermCount; }

}  // namespace dpo::detect
