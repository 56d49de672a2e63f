#include "sample/text.h"

#include "sample/lists.h"
#include "sample/schema.h"

namespace dpo::sample {
namespace {

struct Template {
  const char* text;   // {phone}, {email}, {name}, {job} are replaced
  uint32_t mentions;  // what the text mentions once expanded
  int weight;
};

// Texts without a mention must stay clean of every term the detectors know
// (no illness, faith, union or criminal words): the truth depends on it.
constexpr Template kNotes[] = {
    {"Telefonisch contact gehad; kandidaat is beschikbaar vanaf volgende week.", 0, 8},
    {"Intakegesprek gevoerd. Sterke communicatieve vaardigheden, wil graag in de logistiek werken.", 0, 8},
    {"Candidate called back, interested in the {job} role.", 0, 8},
    {"Kandidaat heeft rijbewijs B en een heftruckcertificaat; referenties nog opvragen.", 0, 6},
    {"Geen reactie op voicemail, volgende week opnieuw proberen.", 0, 6},
    {"Discussed salary expectations and preferred shifts; prefers early shifts.", 0, 6},
    {"Intake:\n- motivatie goed\n- wil max. 32 uur per week\n- eigen vervoer", 0, 5},
    {"Klant was tevreden over de eerste week, verlenging besproken.", 0, 6},
    {"Kandidaat werkt liever niet in het weekend; \"flexibel\" op doordeweekse avonden.", 0, 4},
    {"Kandidaat belt terug op {phone}.", kMentionPhone, 5},
    {"Nieuw telefoonnummer doorgegeven: {phone}", kMentionPhone, 4},
    {"Reached the candidate on {phone}; interview planned for Thursday.", kMentionPhone, 3},
    {"Nieuw e-mailadres: {email}, het oude adres werkt niet meer.", kMentionEmail, 4},
    {"Please send the contract to {email}.", kMentionEmail, 3},
    {"Referentie opgegeven: {name}, bereikbaar op {phone}.", kMentionPersonName | kMentionPhone, 3},
    {"Reference: {name} (former team lead), {email}.", kMentionPersonName | kMentionEmail, 3},
    {"Kandidaat heeft zich ziek gemeld, verwacht over twee weken terug te zijn.", kMentionHealth, 4},
    {"Heeft een burn-out gehad en wil voorlopig parttime beginnen.", kMentionHealth, 3},
    {"Is zwanger (uitgerekend in maart); wil tot die tijd blijven werken.", kMentionHealth, 3},
    {"Candidate mentioned she is pregnant and prefers day shifts.", kMentionHealth, 2},
    {"On sick leave since Monday (flu), expects to be back next week.", kMentionHealth, 2},
    {"Ziek gemeld; bereikbaar via {phone}.", kMentionHealth | kMentionPhone, 2},
    {"Wil op vrijdagmiddag vrij voor het moskeebezoek.", kMentionReligion, 2},
    {"Gaat op zondag naar de kerk, dus geen zondagsdiensten.", kMentionReligion, 2},
    {"Observes Ramadan; asked for adjusted break times.", kMentionReligion, 1},
    {"Is lid van de FNV en vraagt naar de cao-loonschalen.", kMentionUnion, 2},
    {"Mentioned being a member of the CNV union; wants the union dues deducted.", kMentionUnion, 1},
    {"Vakbondslid, vraagt om inhouding van de contributie via de loonstrook.", kMentionUnion, 1},
    {"VOG aangevraagd voor plaatsing in de zorg.", kMentionCriminal, 2},
    {"Heeft een strafblad vanwege een oude veroordeling; klant nog niet geinformeerd.", kMentionCriminal, 1},
    {"Criminal record check (VOG) still pending.", kMentionCriminal, 1},
};

const Template& PickWeighted(Rng& rng, const Template* items, size_t count) {
  int total = 0;
  for (size_t i = 0; i < count; ++i) total += items[i].weight;
  int r = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
  for (size_t i = 0; i < count; ++i) {
    r -= items[i].weight;
    if (r < 0) return items[i];
  }
  return items[count - 1];
}

void Expand(std::string_view text, const TextContext& ctx, std::string& out) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '{') {
      size_t close = text.find('}', i);
      std::string_view key = text.substr(i + 1, close - i - 1);
      if (key == "phone") out.append(ctx.other_phone);
      if (key == "email") out.append(ctx.other_email);
      if (key == "name") out.append(ctx.other_name);
      if (key == "job") out.append(ctx.job_title);
      i = close + 1;
    } else {
      out.push_back(text[i++]);
    }
  }
}

const char* Pick(Rng& rng, const WordList& list) { return list.items[rng.Below(list.size)]; }

}  // namespace

uint32_t AppendCvText(Rng& rng, const TextContext& ctx, std::string& out) {
  uint32_t mentions = 0;
  out.append(ctx.job_title);
  out.append(" met ");
  out.append(std::to_string(rng.Between(1, 25)));
  out.append(" jaar werkervaring. ");
  int skills = static_cast<int>(rng.Between(1, 3));
  for (int i = 0; i < skills; ++i) {
    if (i > 0) out.push_back(' ');
    out.append(Pick(rng, kSkills));
  }
  if (rng.Chance(0.04)) {
    out.append(" Contact: ");
    out.append(ctx.email);
    mentions |= kMentionEmail;
  }
  if (rng.Chance(0.04)) {
    out.append(" Tel. ");
    out.append(ctx.other_phone);
    mentions |= kMentionPhone;
  }
  return mentions;
}

uint32_t AppendMotivationLetter(Rng& rng, const TextContext& ctx, std::string& out) {
  uint32_t mentions = 0;
  if (rng.Chance(0.7)) {
    out.append("Geachte heer/mevrouw,\n\nGraag solliciteer ik naar de functie van ");
    out.append(ctx.job_title);
    out.append(". Ik ben gemotiveerd, leergierig en werk graag in een team.");
  } else {
    out.append("Dear hiring manager,\n\nI would like to apply for the ");
    out.append(ctx.job_title);
    out.append(" position. I am reliable, motivated and available on short notice.");
  }
  if (rng.Chance(0.05)) {
    out.append(" U kunt mij bereiken op ");
    out.append(ctx.other_phone);
    out.push_back('.');
    mentions |= kMentionPhone;
  }
  return mentions;
}

uint32_t AppendConversationNote(Rng& rng, const TextContext& ctx, std::string& out) {
  const Template& t = PickWeighted(rng, kNotes, sizeof(kNotes) / sizeof(kNotes[0]));
  Expand(t.text, ctx, out);
  return t.mentions;
}

void AppendEvaluation(Rng& rng, std::string& out) {
  static constexpr const char* kEvaluations[] = {
      "Goed functionerend, klant tevreden.", "Werkt nauwkeurig en zelfstandig.",
      "Excellent worker, client asked for an extension.", "Vaak te laat gekomen; gesprek gevoerd.",
      "Needs more supervision on safety procedures.", "Zeer flexibel, inzetbaar op alle afdelingen."};
  out.append(rng.Pick(kEvaluations));
}

void AppendAbsenceReason(Rng& rng, std::string& out) {
  static constexpr const char* kReasons[] = {"griep",          "burn-out",         "zwangerschapsverlof", "rugklachten",
                                             "ziek (migraine)", "operatie knie",    "ziekte",              "depressie",
                                             "sick leave (flu)", "zwanger, misselijkheid"};
  out.append(rng.Pick(kReasons));
}

}  // namespace dpo::sample
