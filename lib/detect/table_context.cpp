#include "detect/table_context.h"

#include <algorithm>
#include <array>

#include "detect/column_names.h"

namespace dpo::detect {
namespace {

// Words that name people in a table or column name ("employees",
// "customer_id", "kandidaten", "SalesRep"). Compared after a plural ending
// is taken off.
constexpr std::array<std::string_view, 60> kPeopleWords = {
    "employee", "emp",       "staff",     "customer",  "client",    "klant",       "kunde",     "candidate",
    "kandidaat", "applicant", "sollicitant", "person", "persoon",   "people",      "user",      "gebruiker",
    "member",   "lid",       "leden",     "patient",   "student",   "contact",     "manager",   "owner",
    "author",   "medewerker", "werknemer", "personeel", "rep",      "agent",       "recruiter", "subscriber",
    "visitor",  "guest",     "passenger", "driver",    "tenant",    "citizen",     "burger",    "parent",
    "ouder",    "partner",   "spouse",    "worker",    "werkzoekende", "flexwerker", "uitzendkracht", "consultant",
    "teacher",  "pupil",     "leerling",  "account",   "profile",   "profiel",     "sender",    "recipient",
    "buyer",    "seller",    "kandidat",  "candidat"};  // kandidaten, candidats

std::string_view WithoutPlural(std::string_view w) {
  if (w.size() > 4 && w.substr(w.size() - 3) == "ies") return w;  // "parties": not worth the care
  if (w.size() > 3 && w.back() == 's') return w.substr(0, w.size() - 1);
  if (w.size() > 4 && w.substr(w.size() - 2) == "en") return w.substr(0, w.size() - 2);  // klanten
  return w;
}

bool NamesPeople(std::string_view name) {
  for (const std::string& token : ColumnNameTokens(name)) {
    std::string_view t = token;
    for (std::string_view w : kPeopleWords) {
      if (t == w || WithoutPlural(t) == w) return true;
    }
  }
  return false;
}

// Kinds that identify a person wherever they are, as judged by the values
// (a person's name counts only when its values hold known names: see the
// classifier's kPersonName).
bool IdentifiesPerson(Kind kind) {
  switch (kind) {
    case Kind::kEmail:
    case Kind::kBsn:
    case Kind::kSsnUs:
    case Kind::kBirthDate:
    case Kind::kPersonName:
    case Kind::kIban:
    case Kind::kPassportNl:
    case Kind::kIdCardNl:
    case Kind::kSocialProfile:
    case Kind::kPaymentCard:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool IsAboutPersonOnly(Kind kind) {
  if (IsSpecialCategoryTerm(kind) || IsCriminalTerm(kind)) return true;
  switch (kind) {
    case Kind::kPersonName:
    case Kind::kSalary:
    case Kind::kGender:
    case Kind::kNationality:
    case Kind::kMaritalStatus:
      return true;
    default:
      return false;
  }
}

bool TableHoldsPeople(std::string_view table_name, const std::vector<std::string>& column_names,
                      const std::vector<ColumnVerdict>& verdicts) {
  if (NamesPeople(table_name)) return true;
  for (const std::string& c : column_names) {
    if (NamesPeople(c)) return true;
  }
  for (const ColumnVerdict& v : verdicts) {
    for (const KindEvidence& k : v.kinds) {
      if (!IdentifiesPerson(k.kind)) continue;
      // A person's name on the column name alone ("region_name") does not
      // make the rows people: its values must hold known names.
      if (k.kind == Kind::kPersonName && k.values_validated == 0) continue;
      return true;
    }
  }
  return false;
}

bool ApplyTableContext(std::string_view table_name, const std::vector<std::string>& column_names,
                       std::vector<ColumnVerdict>* verdicts) {
  if (TableHoldsPeople(table_name, column_names, *verdicts)) return true;
  for (ColumnVerdict& v : *verdicts) {
    v.kinds.erase(std::remove_if(v.kinds.begin(), v.kinds.end(),
                                 [](const KindEvidence& k) { return IsAboutPersonOnly(k.kind); }),
                  v.kinds.end());
  }
  return false;
}

}  // namespace dpo::detect
