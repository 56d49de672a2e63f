#include "sample/lists.h"

namespace dpo::sample {

// One list: its items and the WordList that points at them.
#define DPO_LIST(var, ...)                              \
  static const char* const var##Items[] = {__VA_ARGS__}; \
  const WordList var = {var##Items, sizeof(var##Items) / sizeof(var##Items[0])};

DPO_LIST(kDutchMaleFirstNames, "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Bram", "Thijs", "Jesse", "Ruben",
         "Lars", "Tim", "Sven", "Niels", "Jeroen", "Mark", "Sander", "Pieter", "Jan", "Kees", "Henk", "Willem",
         "Joost", "Bas", "Rik", "Gijs", "Stijn", "Koen", "Maarten", "Wouter", "Hendrik", "Dirk", "Gert-Jan",
         "Johannes", "Teun", "Luuk", "Job", "Jelle", "Wim", "Erik")
DPO_LIST(kDutchFemaleFirstNames, "Emma", "Julia", "Sophie", "Tess", "Anna", "Lotte", "Sanne", "Fleur", "Lisa", "Eva",
         "Femke", "Anouk", "Iris", "Noa", "Mila", "Sara", "Lieke", "Marloes", "Ingrid", "Annemieke", "Wilma", "Els",
         "Marieke", "Esther", "Charlotte", "Ilse", "Maud", "Roos", "Floor", "Janneke", "Anne-Marie", "Saskia",
         "Linda", "Petra", "Yvonne", "Karin", "Hanneke", "Jet", "Nienke", "Zoë")
DPO_LIST(kIntlMaleFirstNames, "Piotr", "Tomasz", "Krzysztof", "Mehmet", "Mustafa", "Mohammed", "Youssef", "Andrei",
         "Mihai", "João", "José", "Dmitri", "Arjun", "Wei", "Thanh", "Ahmed", "Omar", "Luis", "Carlos", "Stefan",
         "Gábor", "Ivan", "Kwame", "Rahul")
DPO_LIST(kIntlFemaleFirstNames, "Agnieszka", "Katarzyna", "Magdalena", "Ayşe", "Fatma", "Elif", "Fatima", "Samira",
         "Ioana", "Elena", "Maria", "Ana", "Olga", "Priya", "Li", "Lan", "Amina", "Lucía", "Natalia", "Zsófia",
         "Yasmin", "Nadia")
DPO_LIST(kIntlSurnames, "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamińska", "Yılmaz", "Öztürk", "Kaya", "Demir",
         "El Amrani", "Bouzid", "Haddou", "Benali", "Popescu", "Ionescu", "Dumitru", "Silva", "Santos", "García",
         "Fernández", "Müller", "Schmidt", "Nguyen", "Tran", "Kumar", "Singh", "Mohamed", "Ahmed", "Petrov",
         "Horváth", "Kovács", "Novák", "Mensah", "Chen", "Wang", "Rossi")
DPO_LIST(kStreetNames, "Kerkstraat", "Schoolstraat", "Molenweg", "Dorpsstraat", "Stationsweg", "Julianastraat",
         "Beatrixlaan", "Wilhelminastraat", "Oranjestraat", "Prins Hendrikkade", "Nieuwe Binnenweg", "Hoofdstraat",
         "Marktplein", "Lindenlaan", "Eikenlaan", "Beukenlaan", "Kastanjelaan", "Parkweg", "Industrieweg",
         "Havenstraat", "Emmastraat", "Koningsweg", "Spoorlaan", "Burgemeester de Withstraat", "Van Goghstraat",
         "Rembrandtlaan", "Vondelstraat", "Bilderdijkstraat", "Amstelveenseweg", "Utrechtseweg", "Rijnkade",
         "Maasboulevard", "Zuiderzeeweg", "Tulpstraat", "Rozengracht", "Herengracht", "Keizersgracht",
         "Laan van Meerdervoort", "Oude Gracht", "Veldweg", "Sportlaan", "Ambachtsweg", "Nijverheidsstraat",
         "Plein 1944", "Jan van Galenstraat", "Admiraal de Ruijterweg", "Thorbeckelaan", "Hugo de Grootstraat")
DPO_LIST(kDutchNationalities, "Nederlandse")
DPO_LIST(kOtherNationalities, "Poolse", "Roemeense", "Turkse", "Marokkaanse", "Duitse", "Belgische", "Bulgaarse",
         "Portugese", "Spaanse", "Hongaarse", "Syrische", "Indiase", "Oekraïense", "Litouwse", "Surinaamse")
// ISO 3166 alpha-3 codes of kOtherNationalities, in the same order.
DPO_LIST(kOtherNationalityCodes, "POL", "ROU", "TUR", "MAR", "DEU", "BEL", "BGR", "PRT", "ESP", "HUN", "SYR", "IND",
         "UKR", "LTU", "SUR")
DPO_LIST(kEmailDomains, "gmail.com", "hotmail.com", "outlook.com", "ziggo.nl", "kpnmail.nl", "live.nl", "yahoo.com",
         "planet.nl", "xs4all.nl", "icloud.com", "home.nl", "hetnet.nl")
DPO_LIST(kJobTitles, "Orderpicker", "Heftruckchauffeur", "Productiemedewerker", "Magazijnmedewerker",
         "Administratief medewerker", "Klantenservicemedewerker", "Verpleegkundige", "Helpende zorg",
         "Schoonmaker", "Monteur", "Lasser", "Chauffeur C/E", "Callcentermedewerker", "Receptioniste",
         "Kok", "Bediening", "Financieel medewerker", "Java developer", "Data analist", "Projectleider",
         "Inpakker", "Operator", "Timmerman", "Elektricien")
DPO_LIST(kCompanyWords, "Noordzee", "Delta", "Polder", "Randstad Oost", "Kempen", "Veluwe", "Zuidas", "Maasvlakte",
         "Twente", "Waddenkust", "Brabant", "IJssel", "Rijnmond", "Horizon", "Zonnedauw", "Molenwaard", "Eemland",
         "Kennemer", "Groene Hart", "Lage Landen")
DPO_LIST(kCompanySectors, "Logistiek", "Bouw", "Zorggroep", "Techniek", "Distributie", "Foodservice", "Installaties",
         "Metaal", "Transport", "IT Solutions", "Schoonmaak", "Horeca", "Verpakkingen", "Productie", "Kinderopvang")
DPO_LIST(kCompanyForms, "B.V.", "B.V.", "B.V.", "N.V.", "V.O.F.", "Holding B.V.")
DPO_LIST(kContactJobTitles, "HR-manager", "Teamleider", "Planner", "Operationeel manager", "Office manager",
         "Recruiter", "Vestigingsmanager", "Hoofd personeelszaken")
DPO_LIST(kUserAgents,
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
         "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
         "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36",
         "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
         "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0")
DPO_LIST(kReferrers, "https://www.google.com/", "https://www.google.nl/", "https://www.indeed.nl/", "https://www.linkedin.com/",
         "https://www.bing.com/", "https://www.nationalevacaturebank.nl/", "https://duckduckgo.com/", "")
DPO_LIST(kPages, "/", "/vacatures", "/vacatures/orderpicker-tilburg", "/vacatures/heftruckchauffeur-venlo",
         "/vacatures/verpleegkundige-utrecht", "/inschrijven", "/contact", "/over-ons", "/privacy",
         "/werkgevers", "/mijn-account", "/vacatures/java-developer-amsterdam")
DPO_LIST(kSkills, "Heftruckcertificaat en reachtruck-ervaring.", "Rijbewijs B en C.", "VCA basis behaald.",
         "MBO-4 Logistiek afgerond.", "HBO Verpleegkunde, BIG-geregistreerd.", "Ervaring met SAP en Exact.",
         "Vloeiend Nederlands en Engels.", "Spreekt Pools, Engels en een beetje Nederlands.",
         "Five years of warehouse experience in distribution centres.", "Experienced Java and Kotlin developer.",
         "Worked as a production operator in food processing.", "Bereid om in ploegendienst te werken.",
         "Ervaring in de thuiszorg en in een verpleeghuis.", "Lasdiploma MIG/MAG.",
         "Strong customer-service background in a call centre.", "Ervaring als kok in een druk restaurant.")
DPO_LIST(kAvailability, "fulltime", "parttime", "weekenden", "avonden", "per direct", "vanaf volgende maand",
         "oproepbasis", "ploegendienst")

#undef DPO_LIST

const Surname kDutchSurnames[] = {
    {"de", "Jong"},        {"", "Jansen"},        {"de", "Vries"},       {"van den", "Berg"},  {"van", "Dijk"},
    {"", "Bakker"},        {"", "Janssen"},       {"", "Visser"},        {"", "Smit"},         {"", "Meijer"},
    {"de", "Boer"},        {"", "Mulder"},        {"de", "Groot"},       {"", "Bos"},          {"", "Vos"},
    {"", "Peters"},        {"", "Hendriks"},      {"van", "Leeuwen"},    {"", "Dekker"},       {"", "Brouwer"},
    {"de", "Wit"},         {"", "Dijkstra"},      {"", "Smits"},         {"de", "Graaf"},      {"van der", "Meer"},
    {"van der", "Linden"}, {"", "Kok"},           {"", "Jacobs"},        {"de", "Haan"},       {"", "Vermeulen"},
    {"van den", "Heuvel"}, {"van der", "Veen"},   {"van den", "Broek"},  {"de", "Bruijn"},     {"van der", "Heijden"},
    {"", "Schouten"},      {"van", "Beek"},       {"", "Willems"},       {"van", "Vliet"},     {"van de", "Ven"},
    {"", "Hoekstra"},      {"", "Maas"},          {"", "Verhoeven"},     {"", "Koster"},       {"van", "Dam"},
    {"van der", "Wal"},    {"", "Prins"},         {"", "Blom"},          {"", "Huisman"},      {"", "Kuipers"},
    {"", "Veenstra"},      {"", "Kramer"},        {"van", "Wijk"},       {"", "Post"},         {"in 't", "Veld"},
    {"van 't", "Hof"},     {"ter", "Horst"},      {"", "Timmermans"},    {"", "Groen"},        {"", "Gerritsen"},
};
const size_t kDutchSurnameCount = sizeof(kDutchSurnames) / sizeof(kDutchSurnames[0]);

// Postcode ranges and area codes of real Dutch cities (first four digits).
const City kCities[] = {
    {"Amsterdam", 1011, 1109, "020"},   {"Rotterdam", 3011, 3089, "010"},  {"Den Haag", 2491, 2597, "070"},
    {"Utrecht", 3511, 3585, "030"},     {"Eindhoven", 5611, 5658, "040"},  {"Groningen", 9711, 9747, "050"},
    {"Tilburg", 5011, 5049, "013"},     {"Almere", 1311, 1366, "036"},     {"Breda", 4811, 4839, "076"},
    {"Nijmegen", 6511, 6546, "024"},    {"Apeldoorn", 7311, 7339, "055"},  {"Haarlem", 2011, 2037, "023"},
    {"Arnhem", 6811, 6846, "026"},      {"Enschede", 7511, 7548, "053"},   {"Amersfoort", 3811, 3829, "033"},
    {"Zaandam", 1501, 1509, "075"},     {"'s-Hertogenbosch", 5211, 5236, "073"}, {"Zwolle", 8011, 8043, "038"},
    {"Leiden", 2311, 2334, "071"},      {"Maastricht", 6211, 6229, "043"}, {"Dordrecht", 3311, 3319, "078"},
    {"Zoetermeer", 2711, 2729, "079"},  {"Leeuwarden", 8911, 8939, "058"}, {"Alkmaar", 1811, 1827, "072"},
    {"Delft", 2611, 2629, "015"},       {"Deventer", 7411, 7429, "057"},   {"Venlo", 5911, 5928, "077"},
    {"Helmond", 5701, 5709, "049"},     {"Hilversum", 1211, 1223, "035"},  {"Heerlen", 6411, 6422, "045"},
};
const size_t kCityCount = sizeof(kCities) / sizeof(kCities[0]);

}  // namespace dpo::sample
