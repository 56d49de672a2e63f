#include "detect/column_names.h"

#include <algorithm>
#include <unordered_map>

#include "detect/matchers.h"

namespace dpo::detect {
namespace {

using internal::IsDigit;
using internal::IsLower;
using internal::IsUpper;

struct Entry {
  const char* key;  // tokens joined without separators, lower case
  Kind kind;
  double weight;
};

// Keys are whole names after normalisation, or spans of their tokens.
constexpr Kind kNone = static_cast<Kind>(-1);  // names that look personal but are not
const Entry kEntries[] = {
    // e-mail
    {"email", Kind::kEmail, 1}, {"emailaddress", Kind::kEmail, 1}, {"emailadres", Kind::kEmail, 1},
    {"mail", Kind::kEmail, 0.8}, {"mailadres", Kind::kEmail, 1}, {"emailaddr", Kind::kEmail, 1},
    {"eml", Kind::kEmail, 0.6},
    // phone
    {"phone", Kind::kPhone, 1}, {"phonenumber", Kind::kPhone, 1}, {"telephone", Kind::kPhone, 1},
    {"telefoon", Kind::kPhone, 1}, {"telefoonnummer", Kind::kPhone, 1}, {"telnr", Kind::kPhone, 1},
    {"tel", Kind::kPhone, 0.9}, {"mobiel", Kind::kPhone, 1}, {"mobile", Kind::kPhone, 1},
    {"mobilenumber", Kind::kPhone, 1}, {"cell", Kind::kPhone, 0.8}, {"cellphone", Kind::kPhone, 1},
    {"gsm", Kind::kPhone, 1}, {"fax", Kind::kPhone, 0.8}, {"mobielnummer", Kind::kPhone, 1},
    {"telefoonnr", Kind::kPhone, 1}, {"phoneno", Kind::kPhone, 1}, {"msisdn", Kind::kPhone, 1},
    {"whatsapp", Kind::kPhone, 0.8}, {"mobilephone", Kind::kPhone, 1}, {"homephone", Kind::kPhone, 1},
    // bank
    {"iban", Kind::kIban, 1}, {"rekeningnummer", Kind::kIban, 1}, {"bankrekening", Kind::kIban, 1},
    {"bankrekeningnummer", Kind::kIban, 1}, {"rekeningnr", Kind::kIban, 1}, {"bankaccount", Kind::kIban, 1},
    {"accountnumber", Kind::kIban, 0.7}, {"bankaccountnumber", Kind::kIban, 1}, {"rekening", Kind::kIban, 0.8},
    // BSN
    {"bsn", Kind::kBsn, 1}, {"sofinummer", Kind::kBsn, 1}, {"sofinr", Kind::kBsn, 1}, {"sofi", Kind::kBsn, 1},
    {"burgerservicenummer", Kind::kBsn, 1}, {"citizenservicenumber", Kind::kBsn, 1}, {"bsnnummer", Kind::kBsn, 1},
    {"ssn", Kind::kSsnUs, 1}, {"socialsecuritynumber", Kind::kSsnUs, 1}, {"nationalid", Kind::kBsn, 0.7},
    // postcode
    {"postcode", Kind::kPostcode, 1}, {"zip", Kind::kPostcode, 1}, {"zipcode", Kind::kPostcode, 1},
    {"postalcode", Kind::kPostcode, 1}, {"postal", Kind::kPostcode, 0.8}, {"pc", Kind::kPostcode, 0.5},
    // dates
    {"geboortedatum", Kind::kBirthDate, 1}, {"gebdatum", Kind::kBirthDate, 1}, {"gebdat", Kind::kBirthDate, 1},
    {"geboren", Kind::kBirthDate, 1}, {"dob", Kind::kBirthDate, 1}, {"birthdate", Kind::kBirthDate, 1},
    {"dateofbirth", Kind::kBirthDate, 1}, {"birthday", Kind::kBirthDate, 1}, {"born", Kind::kBirthDate, 0.9},
    {"bornon", Kind::kBirthDate, 1}, {"verjaardag", Kind::kBirthDate, 1}, {"birth", Kind::kBirthDate, 0.9},
    {"geboortedag", Kind::kBirthDate, 1}, {"geboorte", Kind::kBirthDate, 0.9},
    {"date", Kind::kDate, 0.8}, {"datum", Kind::kDate, 0.8}, {"createdat", Kind::kDate, 0.8},
    {"updatedat", Kind::kDate, 0.8}, {"modifiedat", Kind::kDate, 0.8}, {"deletedat", Kind::kDate, 0.8},
    {"created", Kind::kDate, 0.7}, {"updated", Kind::kDate, 0.7}, {"modified", Kind::kDate, 0.7},
    {"timestamp", Kind::kDate, 0.7}, {"datetime", Kind::kDate, 0.8}, {"ts", Kind::kDate, 0.5},
    {"startdate", Kind::kDate, 0.8}, {"enddate", Kind::kDate, 0.8}, {"begindatum", Kind::kDate, 0.8},
    {"einddatum", Kind::kDate, 0.8}, {"indienst", Kind::kDate, 0.6}, {"uitdienst", Kind::kDate, 0.6},
    {"aangemaakt", Kind::kDate, 0.7}, {"gewijzigd", Kind::kDate, 0.7}, {"lastlogin", Kind::kDate, 0.7},
    // network
    {"ip", Kind::kIpv4, 0.9}, {"ipaddress", Kind::kIpv4, 1}, {"ipadres", Kind::kIpv4, 1},
    {"ipaddr", Kind::kIpv4, 1}, {"ipv4", Kind::kIpv4, 1}, {"clientip", Kind::kIpv4, 1},
    {"remoteaddr", Kind::kIpv4, 1}, {"ipv6", Kind::kIpv6, 1},
    // cards
    {"cardnumber", Kind::kPaymentCard, 1}, {"creditcard", Kind::kPaymentCard, 1},
    {"creditcardnumber", Kind::kPaymentCard, 1}, {"ccnumber", Kind::kPaymentCard, 1},
    {"pan", Kind::kPaymentCard, 0.7}, {"cardno", Kind::kPaymentCard, 1}, {"kaartnummer", Kind::kPaymentCard, 0.7},
    {"creditcardnummer", Kind::kPaymentCard, 1}, {"cc", Kind::kPaymentCard, 0.4},
    // business
    {"kvk", Kind::kKvk, 1}, {"kvknummer", Kind::kKvk, 1}, {"kvknr", Kind::kKvk, 1}, {"coc", Kind::kKvk, 0.8},
    {"cocnumber", Kind::kKvk, 1}, {"chamberofcommerce", Kind::kKvk, 1}, {"handelsregister", Kind::kKvk, 1},
    {"btw", Kind::kVatNl, 1}, {"btwnummer", Kind::kVatNl, 1}, {"btwnr", Kind::kVatNl, 1}, {"btwid", Kind::kVatNl, 1},
    {"vat", Kind::kVatNl, 1}, {"vatnumber", Kind::kVatNl, 1}, {"vatid", Kind::kVatNl, 1},
    {"omzetbelastingnummer", Kind::kVatNl, 1}, {"taxid", Kind::kVatNl, 0.6},
    // identity documents
    {"passport", Kind::kPassportNl, 1}, {"paspoort", Kind::kPassportNl, 1}, {"paspoortnummer", Kind::kPassportNl, 1},
    {"passportnumber", Kind::kPassportNl, 1}, {"passportno", Kind::kPassportNl, 1},
    {"documentnummer", Kind::kPassportNl, 0.8}, {"documentnumber", Kind::kPassportNl, 0.8},
    {"idnumber", Kind::kIdCardNl, 0.9}, {"idkaart", Kind::kIdCardNl, 1}, {"identiteitskaart", Kind::kIdCardNl, 1},
    {"idcard", Kind::kIdCardNl, 1}, {"idcardnumber", Kind::kIdCardNl, 1}, {"iddocument", Kind::kIdCardNl, 0.9},
    {"legitimatie", Kind::kIdCardNl, 0.9}, {"identiteitsbewijs", Kind::kIdCardNl, 1}, {"idnr", Kind::kIdCardNl, 0.8},
    // names
    {"naam", Kind::kPersonName, 0.9}, {"name", Kind::kPersonName, 0.8}, {"voornaam", Kind::kPersonName, 1},
    {"voornamen", Kind::kPersonName, 1}, {"achternaam", Kind::kPersonName, 1}, {"tussenvoegsel", Kind::kPersonName, 1},
    {"roepnaam", Kind::kPersonName, 1}, {"geslachtsnaam", Kind::kPersonName, 1}, {"meisjesnaam", Kind::kPersonName, 1},
    {"firstname", Kind::kPersonName, 1}, {"lastname", Kind::kPersonName, 1}, {"surname", Kind::kPersonName, 1},
    {"fullname", Kind::kPersonName, 1}, {"givenname", Kind::kPersonName, 1}, {"familyname", Kind::kPersonName, 1},
    {"middlename", Kind::kPersonName, 1}, {"maidenname", Kind::kPersonName, 1}, {"fname", Kind::kPersonName, 1},
    {"lname", Kind::kPersonName, 1}, {"displayname", Kind::kPersonName, 0.8}, {"initials", Kind::kPersonName, 0.8},
    {"voorletters", Kind::kPersonName, 1}, {"contactpersoon", Kind::kPersonName, 0.9},
    {"contactperson", Kind::kPersonName, 0.9}, {"volledigenaam", Kind::kPersonName, 1},
    {"username", Kind::kPersonName, 0.5}, {"nickname", Kind::kPersonName, 0.7}, {"aanhef", Kind::kGender, 0.7},
    // German, French, Spanish column names
    {"postleitzahl", Kind::kPostcode, 1}, {"plz", Kind::kPostcode, 1}, {"codepostal", Kind::kPostcode, 1},
    {"codigopostal", Kind::kPostcode, 1}, {"cp", Kind::kPostcode, 0.5},
    {"anschrift", Kind::kStreetAddress, 1}, {"strasse", Kind::kStreetAddress, 1}, {"adresse", Kind::kStreetAddress, 1},
    {"direccion", Kind::kStreetAddress, 1}, {"rue", Kind::kStreetAddress, 0.8},
    {"telefon", Kind::kPhone, 1}, {"telefonnummer", Kind::kPhone, 1}, {"handy", Kind::kPhone, 0.9},
    {"telefono", Kind::kPhone, 1}, {"movil", Kind::kPhone, 0.9}, {"portable", Kind::kPhone, 0.8},
    {"courriel", Kind::kEmail, 1}, {"correo", Kind::kEmail, 1}, {"correoelectronico", Kind::kEmail, 1},
    {"vorname", Kind::kPersonName, 1}, {"nachname", Kind::kPersonName, 1}, {"familienname", Kind::kPersonName, 1},
    {"prenom", Kind::kPersonName, 1}, {"nom", Kind::kPersonName, 0.8}, {"nomdefamille", Kind::kPersonName, 1},
    {"nombre", Kind::kPersonName, 0.8}, {"apellido", Kind::kPersonName, 1}, {"apellidos", Kind::kPersonName, 1},
    {"geburtsdatum", Kind::kBirthDate, 1}, {"geburtstag", Kind::kBirthDate, 1}, {"datedenaissance", Kind::kBirthDate, 1},
    {"fechadenacimiento", Kind::kBirthDate, 1}, {"wohnort", Kind::kCity, 1}, {"ville", Kind::kCity, 1},
    {"ciudad", Kind::kCity, 1},
    // address
    {"adres", Kind::kStreetAddress, 1}, {"address", Kind::kStreetAddress, 1}, {"straat", Kind::kStreetAddress, 1},
    {"straatnaam", Kind::kStreetAddress, 1}, {"street", Kind::kStreetAddress, 1}, {"streetaddress", Kind::kStreetAddress, 1},
    {"huisnummer", Kind::kStreetAddress, 0.9}, {"housenumber", Kind::kStreetAddress, 0.9},
    {"huisnr", Kind::kStreetAddress, 0.9}, {"addressline", Kind::kStreetAddress, 1}, {"address1", Kind::kStreetAddress, 1},
    {"addr", Kind::kStreetAddress, 0.9}, {"woonadres", Kind::kStreetAddress, 1}, {"postadres", Kind::kStreetAddress, 1},
    {"huisadres", Kind::kStreetAddress, 1}, {"homeaddress", Kind::kStreetAddress, 1}, {"toevoeging", Kind::kStreetAddress, 0.6},
    {"huisnummertoevoeging", Kind::kStreetAddress, 0.8},
    // social
    {"linkedin", Kind::kSocialProfile, 1}, {"linkedinurl", Kind::kSocialProfile, 1}, {"linkedinprofile", Kind::kSocialProfile, 1},
    {"twitter", Kind::kSocialProfile, 0.9}, {"facebook", Kind::kSocialProfile, 0.9}, {"instagram", Kind::kSocialProfile, 0.9},
    {"github", Kind::kSocialProfile, 0.8}, {"socialprofile", Kind::kSocialProfile, 1}, {"profileurl", Kind::kSocialProfile, 0.9},
    // name-driven kinds
    {"woonplaats", Kind::kCity, 1}, {"plaats", Kind::kCity, 1}, {"plaatsnaam", Kind::kCity, 1}, {"city", Kind::kCity, 1},
    {"town", Kind::kCity, 1}, {"stad", Kind::kCity, 1}, {"gemeente", Kind::kCity, 0.8}, {"residence", Kind::kCity, 0.8},
    {"geboorteplaats", Kind::kCity, 1}, {"placeofbirth", Kind::kCity, 1}, {"birthplace", Kind::kCity, 1},
    {"geslacht", Kind::kGender, 1}, {"gender", Kind::kGender, 1}, {"sex", Kind::kGender, 1}, {"sekse", Kind::kGender, 1},
    {"nationaliteit", Kind::kNationality, 1}, {"nationality", Kind::kNationality, 1}, {"citizenship", Kind::kNationality, 1},
    {"burgerlijkestaat", Kind::kMaritalStatus, 1}, {"maritalstatus", Kind::kMaritalStatus, 1},
    {"burgstaat", Kind::kMaritalStatus, 1}, {"civilstatus", Kind::kMaritalStatus, 1}, {"married", Kind::kMaritalStatus, 0.8},
    {"salaris", Kind::kSalary, 1}, {"loon", Kind::kSalary, 1}, {"salary", Kind::kSalary, 1}, {"wage", Kind::kSalary, 1},
    {"wages", Kind::kSalary, 1}, {"income", Kind::kSalary, 1}, {"inkomen", Kind::kSalary, 1}, {"uurloon", Kind::kSalary, 1},
    {"brutoloon", Kind::kSalary, 1}, {"nettoloon", Kind::kSalary, 1}, {"hourlyrate", Kind::kSalary, 0.9},
    {"uurtarief", Kind::kSalary, 0.9}, {"pay", Kind::kSalary, 0.8}, {"payrate", Kind::kSalary, 1},
    {"grosspay", Kind::kSalary, 1}, {"netpay", Kind::kSalary, 1}, {"maandloon", Kind::kSalary, 1},
    {"jaarsalaris", Kind::kSalary, 1},
    // Payslip amounts: they are pay data as much as the gross wage.
    {"taxwithheld", Kind::kSalary, 1}, {"withheldtax", Kind::kSalary, 1}, {"loonheffing", Kind::kSalary, 1},
    {"incometax", Kind::kSalary, 0.9}, {"wagetax", Kind::kSalary, 1}, {"pensioncontribution", Kind::kSalary, 1},
    {"pensionpremium", Kind::kSalary, 1}, {"pensioenpremie", Kind::kSalary, 1}, {"pensioenbijdrage", Kind::kSalary, 1},
    {"pension", Kind::kSalary, 0.8}, {"pensioen", Kind::kSalary, 0.8}, {"socialsecuritycontribution", Kind::kSalary, 1},
    // Paying union dues reveals trade-union membership (Art. 9).
    {"uniondues", Kind::kUnionTerm, 1}, {"unionfee", Kind::kUnionTerm, 1}, {"tradeunion", Kind::kUnionTerm, 1},
    {"vakbondscontributie", Kind::kUnionTerm, 1}, {"vakbondsbijdrage", Kind::kUnionTerm, 1},
    {"vakbondslidmaatschap", Kind::kUnionTerm, 1}, {"bonus", Kind::kSalary, 0.7}, {"compensation", Kind::kSalary, 0.9},
    {"notities", Kind::kFreeText, 1}, {"notitie", Kind::kFreeText, 1}, {"opmerkingen", Kind::kFreeText, 1},
    {"opmerking", Kind::kFreeText, 1}, {"notes", Kind::kFreeText, 1}, {"note", Kind::kFreeText, 1},
    {"comments", Kind::kFreeText, 1}, {"comment", Kind::kFreeText, 1}, {"remarks", Kind::kFreeText, 1},
    {"remark", Kind::kFreeText, 1}, {"toelichting", Kind::kFreeText, 1}, {"omschrijving", Kind::kFreeText, 0.7},
    {"description", Kind::kFreeText, 0.7}, {"memo", Kind::kFreeText, 1}, {"bericht", Kind::kFreeText, 0.8},
    {"message", Kind::kFreeText, 0.8}, {"feedback", Kind::kFreeText, 0.9}, {"motivatie", Kind::kFreeText, 0.9},
    {"beschrijving", Kind::kFreeText, 0.7}, {"body", Kind::kFreeText, 0.6}, {"text", Kind::kFreeText, 0.6},
    {"useragent", Kind::kDeviceId, 1}, {"deviceid", Kind::kDeviceId, 1}, {"cookieid", Kind::kDeviceId, 1},
    {"cookie", Kind::kDeviceId, 0.8}, {"sessionid", Kind::kDeviceId, 0.8}, {"imei", Kind::kDeviceId, 1},
    {"macaddress", Kind::kDeviceId, 1}, {"advertisingid", Kind::kDeviceId, 1}, {"idfa", Kind::kDeviceId, 1},
    {"fingerprint", Kind::kDeviceId, 0.7}, {"browser", Kind::kDeviceId, 0.6}, {"device", Kind::kDeviceId, 0.8},
    {"latitude", Kind::kGeolocation, 1}, {"longitude", Kind::kGeolocation, 1}, {"lat", Kind::kGeolocation, 0.9},
    {"lng", Kind::kGeolocation, 0.9}, {"lon", Kind::kGeolocation, 0.9},
    {"geolocation", Kind::kGeolocation, 1}, {"gps", Kind::kGeolocation, 1}, {"coordinates", Kind::kGeolocation, 1},
    {"location", Kind::kGeolocation, 0.6}, {"locatie", Kind::kGeolocation, 0.6}, {"latlng", Kind::kGeolocation, 1},
    {"geo", Kind::kGeolocation, 0.8},
    // special categories by name
    {"religie", Kind::kReligionTerm, 1}, {"religion", Kind::kReligionTerm, 1}, {"geloof", Kind::kReligionTerm, 1},
    {"etniciteit", Kind::kEthnicityTerm, 1}, {"ethnicity", Kind::kEthnicityTerm, 1}, {"race", Kind::kEthnicityTerm, 0.8},
    {"afkomst", Kind::kEthnicityTerm, 0.9}, {"vakbond", Kind::kUnionTerm, 1}, {"unionmember", Kind::kUnionTerm, 1},
    {"politicalparty", Kind::kPoliticalTerm, 1}, {"partij", Kind::kPoliticalTerm, 0.5},
    {"sexualorientation", Kind::kSexualityTerm, 1}, {"geaardheid", Kind::kSexualityTerm, 1},
    {"diagnose", Kind::kHealthTerm, 1}, {"diagnosis", Kind::kHealthTerm, 1}, {"medical", Kind::kHealthTerm, 0.9},
    {"medisch", Kind::kHealthTerm, 0.9}, {"ziekmelding", Kind::kHealthTerm, 1}, {"verzuim", Kind::kHealthTerm, 0.8},
    {"verzuimreden", Kind::kHealthTerm, 1}, {"sickleave", Kind::kHealthTerm, 1}, {"health", Kind::kHealthTerm, 0.9},
    {"gezondheid", Kind::kHealthTerm, 0.9}, {"handicap", Kind::kHealthTerm, 1}, {"disability", Kind::kHealthTerm, 1},
    {"allergies", Kind::kHealthTerm, 1}, {"medication", Kind::kHealthTerm, 1}, {"medicatie", Kind::kHealthTerm, 1},
    {"vog", Kind::kCriminalTerm, 1}, {"strafblad", Kind::kCriminalTerm, 1}, {"criminalrecord", Kind::kCriminalTerm, 1},
    {"convictions", Kind::kCriminalTerm, 1}, {"vingerafdruk", Kind::kBiometricTerm, 1},
    {"biometric", Kind::kBiometricTerm, 1}, {"biometrie", Kind::kBiometricTerm, 1}, {"faceprint", Kind::kBiometricTerm, 1},
    // look personal, are not
    {"companyname", kNone, 0}, {"bedrijfsnaam", kNone, 0}, {"productname", kNone, 0}, {"filename", kNone, 0},
    {"bestandsnaam", kNone, 0}, {"hostname", kNone, 0}, {"tablename", kNone, 0}, {"columnname", kNone, 0},
    {"domainname", kNone, 0}, {"servername", kNone, 0}, {"brandname", kNone, 0}, {"projectname", kNone, 0},
    {"productnaam", kNone, 0}, {"projectnaam", kNone, 0}, {"itemname", kNone, 0}, {"rolename", kNone, 0},
    {"rolnaam", kNone, 0}, {"teamname", kNone, 0}, {"teamnaam", kNone, 0}, {"afdelingsnaam", kNone, 0},
    {"departmentname", kNone, 0}, {"categoryname", kNone, 0}, {"countryname", kNone, 0}, {"landnaam", kNone, 0},
    {"typename", kNone, 0}, {"appname", kNone, 0}, {"devicename", kNone, 0}, {"jobname", kNone, 0},
    {"functienaam", kNone, 0}, {"vacaturenaam", kNone, 0}, {"klantnaam", Kind::kPersonName, 0.7},
    {"organisationname", kNone, 0}, {"organizationname", kNone, 0}, {"organisatienaam", kNone, 0},
    {"schoolname", kNone, 0}, {"schoolnaam", kNone, 0}, {"opleidingsnaam", kNone, 0}, {"templatename", kNone, 0},
    {"eventname", kNone, 0}, {"datatype", kNone, 0}, {"dateformat", kNone, 0}, {"timezone", kNone, 0},
    {"macroname", kNone, 0}, {"sheetname", kNone, 0}, {"iptype", kNone, 0}, {"mailserver", kNone, 0},
    {"mailinglist", kNone, 0}, {"emailtemplate", kNone, 0}, {"emailsubject", kNone, 0}, {"emailbody", Kind::kFreeText, 0.8},
    {"citycode", kNone, 0}, {"countrycode", kNone, 0}, {"ipcountry", kNone, 0}, {"zipfile", kNone, 0},
    {"datecount", kNone, 0}, {"bankname", kNone, 0}, {"banknaam", kNone, 0}, {"streetview", kNone, 0},
};

// Tokens that qualify a column without changing what it holds.
bool IsNoiseToken(std::string_view t) {
  static const char* kNoise[] = {"candidate", "kandidaat", "contact", "klant", "customer", "client", "user",
                                 "gebruiker", "employee", "medewerker", "werknemer", "person", "persoon",
                                 "primary", "secondary", "private", "prive", "work", "werk", "business",
                                 "zakelijk", "personal", "persoonlijk", "main", "alt", "alternate", "other",
                                 "new", "old", "current", "huidig", "default", "billing", "shipping", "home",
                                 "thuis", "emergency", "noodcontact", "partner", "applicant", "sollicitant",
                                 "member", "lid", "student", "account", "owner", "eigenaar", "the", "of",
                                 "van", "de", "het", "nl", "en", "value", "waarde", "raw", "field", "veld",
                                 "flex", "flexwerker", "uitzendkracht", "relatie", "relation", "student",
                                 "ouder", "parent", "guardian", "t", "f", "c", "tbl", "col", "fld", "str",
                                 // where an order goes or who pays: still the person's address
                                 "ship", "shipto", "bill", "billto", "delivery", "invoice", "mailing",
                                 "levering", "aflever", "factuur", "kunde", "kunden", "mitarbeiter",
                                 "bewerber", "cliente", "usuario"};
  for (const char* n : kNoise) {
    if (t == n) return true;
  }
  if (t.empty()) return true;
  for (char c : t) {
    if (!IsDigit(c)) return false;
  }
  return true;  // "_2", "3"
}

// A trailing token that makes the column metadata about the value.
bool IsMetaSuffix(std::string_view t) {
  static const char* kMeta[] = {"id", "ids", "count", "cnt", "type", "status", "flag", "verified", "confirmed",
                                "optin", "optout", "enabled", "valid", "format", "length", "len", "key",
                                "hash", "hashed", "sent", "bounced", "domain", "provider", "template",
                                "subject", "preference", "voorkeur", "consent", "toestemming", "is", "has",
                                "geverifieerd", "bevestigd", "aantal", "code", "level", "score", "source",
                                "bron", "visible", "public", "required", "allowed", "changed", "updated",
                                "version", "check", "checked", "masked", "encrypted", "token"};
  for (const char* m : kMeta) {
    if (t == m) return true;
  }
  return false;
}

const std::unordered_map<std::string, const Entry*>& Table() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string, const Entry*>();
    for (const Entry& e : kEntries) t->emplace(e.key, &e);
    return t;
  }();
  return *table;
}

// Dutch compound heads and tails: "klanttelefoon", "postadres", "privemail".
struct Affix {
  const char* text;
  Kind kind;
  double weight;
};
const Affix kSuffixes[] = {
    {"email", Kind::kEmail, 0.9},       {"mail", Kind::kEmail, 0.6},         {"telefoon", Kind::kPhone, 0.9},
    {"telefoonnummer", Kind::kPhone, 0.9}, {"phone", Kind::kPhone, 0.9},    {"mobiel", Kind::kPhone, 0.8},
    {"adres", Kind::kStreetAddress, 0.8}, {"address", Kind::kStreetAddress, 0.8},
    {"straat", Kind::kStreetAddress, 0.8}, {"datum", Kind::kDate, 0.6},      {"date", Kind::kDate, 0.6},
    {"plaats", Kind::kCity, 0.8},       {"achternaam", Kind::kPersonName, 0.9}, {"voornaam", Kind::kPersonName, 0.9},
    {"naam", Kind::kPersonName, 0.5},   {"rekeningnummer", Kind::kIban, 0.9}, {"iban", Kind::kIban, 0.9},
    {"salaris", Kind::kSalary, 0.9},    {"loon", Kind::kSalary, 0.8},         {"opmerkingen", Kind::kFreeText, 0.9},
    {"notities", Kind::kFreeText, 0.9}, {"postcode", Kind::kPostcode, 0.9},
};

}  // namespace

std::vector<std::string> ColumnNameTokens(std::string_view name) {
  std::vector<std::string> tokens;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) tokens.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (internal::IsAlnum(c) || c >= 0x80) {
      bool boundary = false;
      if (IsUpper(c) && i > 0) {
        unsigned char prev = static_cast<unsigned char>(name[i - 1]);
        bool next_lower = i + 1 < name.size() && IsLower(static_cast<unsigned char>(name[i + 1]));
        boundary = IsLower(prev) || IsDigit(prev) || (IsUpper(prev) && next_lower);
      } else if (IsDigit(c) && i > 0 && internal::IsAlpha(static_cast<unsigned char>(name[i - 1]))) {
        boundary = true;
      } else if (internal::IsAlpha(c) && i > 0 && IsDigit(static_cast<unsigned char>(name[i - 1]))) {
        boundary = true;
      }
      if (boundary) flush();
      cur += internal::ToLower(c);
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

std::vector<NameEvidence> KindsFromColumnName(std::string_view column_name) {
  std::vector<NameEvidence> out;
  std::vector<std::string> all = ColumnNameTokens(column_name);
  const auto& table = Table();
  // A whole name with an entry of its own wins over the metadata rule below:
  // "cookie_id" and "device_id" hold the identifier itself.
  {
    std::string whole;
    for (const std::string& t : all) whole += t;
    auto it = table.find(whole);
    if (it != table.end() && it->second->kind != kNone && all.size() > 1 && IsMetaSuffix(all.back())) {
      out.push_back({it->second->kind, it->second->weight, true});
      return out;
    }
  }
  // A compound that is itself an entry and ends the name wins over the
  // metadata rule too: "ShipPostalCode", "billing_zip_code" end in the value's
  // name ("postal code"), whose last word only looks like metadata.
  for (size_t i = 1; i + 1 < all.size(); ++i) {
    std::string tail;
    for (size_t k = i; k < all.size(); ++k) tail += all[k];
    auto it = table.find(tail);
    if (it == table.end()) continue;
    if (it->second->kind == kNone) break;  // "shipping_country_code": not personal
    bool prefix_is_noise = true;
    for (size_t k = 0; k < i; ++k) prefix_is_noise = prefix_is_noise && IsNoiseToken(all[k]);
    if (prefix_is_noise && IsMetaSuffix(all.back())) {
      out.push_back({it->second->kind, it->second->weight, true});
      return out;
    }
    break;
  }
  // "email_verified", "address_id": about the value, not the value.
  bool meta = false;
  while (!all.empty() && (IsMetaSuffix(all.back()) || IsNoiseToken(all.back())) && all.size() > 1) {
    if (IsMetaSuffix(all.back())) meta = true;
    all.pop_back();
  }
  if (meta) return out;
  // Noise tokens stay: they form no entry alone, but "user_agent" and
  // "date_of_birth" need them.
  const std::vector<std::string>& tokens = all;
  auto add = [&](Kind kind, double weight, bool whole) {
    for (NameEvidence& e : out) {
      if (e.kind == kind) {
        e.weight = std::max(e.weight, weight);
        e.whole = e.whole || whole;
        return;
      }
    }
    out.push_back({kind, weight, whole});
  };
  // Longest spans first; a span that is a "not personal" entry blocks the
  // shorter spans inside it ("company_name" is not a person's name).
  size_t n = tokens.size();
  std::vector<bool> covered(n, false);
  for (size_t len = n; len >= 1; --len) {
    for (size_t i = 0; i + len <= n; ++i) {
      bool any_free = false;
      for (size_t k = i; k < i + len; ++k) any_free = any_free || !covered[k];
      if (!any_free) continue;
      std::string key;
      for (size_t k = i; k < i + len; ++k) key += tokens[k];
      auto it = table.find(key);
      if (it == table.end()) continue;
      if (it->second->kind != kNone) {
        // Whole: every token outside the span is a qualifier ("ship", "2").
        bool whole = true;
        for (size_t k = 0; k < n; ++k)
          if ((k < i || k >= i + len) && !IsNoiseToken(tokens[k])) whole = false;
        add(it->second->kind, it->second->weight, whole);
      }
      for (size_t k = i; k < i + len; ++k) covered[k] = true;
    }
  }
  // Dutch compounds in one token: "klanttelefoon", "geboortedatum_kind".
  if (out.empty()) {
    for (size_t i = 0; i < n; ++i) {
      if (covered[i]) continue;
      const std::string& t = tokens[i];
      for (const Affix& a : kSuffixes) {
        size_t len = std::char_traits<char>::length(a.text);
        if (t.size() > len + 2 && t.compare(t.size() - len, len, a.text) == 0) add(a.kind, a.weight, false);
      }
    }
  }
  // A birth date is also a date; the date evidence is then implied.
  bool birth = std::any_of(out.begin(), out.end(), [](const NameEvidence& e) { return e.kind == Kind::kBirthDate; });
  if (birth) {
    out.erase(std::remove_if(out.begin(), out.end(), [](const NameEvidence& e) { return e.kind == Kind::kDate; }),
              out.end());
  }
  std::sort(out.begin(), out.end(), [](const NameEvidence& a, const NameEvidence& b) { return a.weight > b.weight; });
  return out;
}

}  // namespace dpo::detect
