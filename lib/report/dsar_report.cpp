// The access package's content. data.json and the CSVs print the records;
// the two summaries share one document model (sections of blocks of spans,
// built once per language below) so that the Markdown and the HTML say
// exactly the same things, and differ only in how each span is escaped and
// marked up.
#include "report/dsar_report.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/escape.h"
#include "util/duration.h"
#include "util/message.h"

namespace dpo::report {

Result<Language> ParseLanguage(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "en") return Language::kEnglish;
  if (lower == "nl") return Language::kDutch;
  return Status::Error("unknown language " + util::NameForMessage(text) + ": use en (English) or nl (Dutch)");
}

const char* LanguageCode(Language language) { return language == Language::kDutch ? "nl" : "en"; }

// ---------------------------------------------------------------------------
// data.json and CSV
// ---------------------------------------------------------------------------

namespace {

// A plain decimal: optional '-', digits, optional fraction, optional
// exponent. No '+', no leading '.', no "inf" or "nan" (std::from_chars would
// take the last two, and a JSON number cannot hold them).
bool IsPlainNumber(std::string_view s, bool* is_integer = nullptr, int* significant_digits = nullptr) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const size_t int_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == int_start) return false;
  bool integer = true;
  if (i < s.size() && s[i] == '.') {
    integer = false;
    const size_t frac_start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == frac_start) return false;
  }
  const size_t mantissa_end = i;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    integer = false;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t exp_start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == exp_start) return false;
  }
  if (i != s.size()) return false;
  if (is_integer != nullptr) *is_integer = integer;
  if (significant_digits != nullptr) {
    // Digits of the mantissa without leading zeros (and without trailing
    // zeros of the fraction, which add no precision).
    std::string digits;
    for (size_t k = int_start; k < mantissa_end; ++k)
      if (s[k] != '.') digits += s[k];
    const size_t first = digits.find_first_not_of('0');
    if (first == std::string::npos) {
      *significant_digits = 0;
    } else {
      size_t last = digits.size();
      const size_t dot = s.substr(int_start, mantissa_end - int_start).find('.');
      if (dot != std::string_view::npos)
        while (last > first + 1 && digits[last - 1] == '0') --last;
      *significant_digits = static_cast<int>(last - first);
    }
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

nlohmann::ordered_json TypedValue(const dsar::Cell& cell, source::TypeClass type) {
  if (!cell.has_value()) return nullptr;
  const std::string& text = *cell;
  switch (type) {
    case source::TypeClass::kInteger: {
      bool integer = false;
      if (!IsPlainNumber(text, &integer) || !integer) break;
      int64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      // "007" and "-0" parse, but printing them back would change the text.
      if (ec != std::errc() || end != text.data() + text.size() || std::to_string(value) != text) break;
      return value;
    }
    case source::TypeClass::kReal: {
      int digits = 0;
      if (!IsPlainNumber(text, nullptr, &digits) || digits > 15) break;
      double value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || !(value == value) ||
          value == std::numeric_limits<double>::infinity() || value == -std::numeric_limits<double>::infinity())
        break;
      return value;
    }
    case source::TypeClass::kBoolean: {
      const std::string v = Lower(text);
      if (v == "1" || v == "t" || v == "true" || v == "yes" || v == "y" || v == "on") return true;
      if (v == "0" || v == "f" || v == "false" || v == "no" || v == "n" || v == "off") return false;
      break;
    }
    default:
      break;
  }
  return text;
}

}  // namespace

std::string RenderSubjectDataJson(const dsar::SubjectData& data) {
  using Json = nlohmann::ordered_json;
  Json doc = Json::object();
  doc["format"] = "dpo-dsar-data/1";
  Json datasets = Json::array();
  for (const dsar::DatasetRows& d : data.datasets) {
    Json dataset = Json::object();
    dataset["table"] = d.table;
    dataset["role"] = dsar::RowRoleName(d.role);
    dataset["via"] = d.via;
    dataset["data_subject"] = d.data_subject;
    Json columns = Json::array();
    for (size_t c = 0; c < d.columns.size(); ++c)
      columns.push_back(
          Json{{"name", d.columns[c]},
               {"type", source::TypeClassName(c < d.types.size() ? d.types[c] : source::TypeClass::kUnknown)}});
    dataset["columns"] = std::move(columns);
    Json records = Json::array();
    for (const std::vector<dsar::Cell>& row : d.rows) {
      Json record = Json::object();
      for (size_t c = 0; c < d.columns.size(); ++c)
        record[d.columns[c]] = c < row.size()
                                   ? TypedValue(row[c], c < d.types.size() ? d.types[c] : source::TypeClass::kUnknown)
                                   : Json(nullptr);
      records.push_back(std::move(record));
    }
    dataset["records"] = std::move(records);
    Json withheld = Json::array();
    for (const dsar::DatasetRows::Withheld& w : d.withheld)
      withheld.push_back(Json{{"column", w.column}, {"reason", w.reason}});
    dataset["withheld"] = std::move(withheld);
    dataset["redacted_spans"] = d.redacted_spans;
    datasets.push_back(std::move(dataset));
  }
  doc["datasets"] = std::move(datasets);
  Json matches = Json::array();
  for (const dsar::SubjectData::Match& m : data.matches)
    matches.push_back(Json{{"table", m.table}, {"columns", m.columns}, {"method", m.method}, {"rows", m.rows}});
  doc["matches"] = std::move(matches);
  // Rows that could not be read (--skip-bad-rows): where, never what.
  if (!data.skipped.empty()) {
    Json skipped = Json::array();
    for (const source::SkippedRows& s : data.skipped)
      // No file path: data.json goes to the data subject, and a server's
      // paths are none of theirs (the DPO has them in dpo's warning).
      skipped.push_back(Json{{"table", s.table}, {"rows", s.count}, {"first_lines", s.first_lines}});
    doc["skipped_rows"] = std::move(skipped);
  }
  // Replace, not throw: a source may hold bytes that are not UTF-8, and the
  // subject is owed their data anyway.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

std::string CsvField(std::string_view text) {
  std::string value;
  // A formula would run when the file is opened (CSV injection). A plain
  // number cannot run anything, and a quote in front of "-3" would turn a
  // number into text for no reason.
  if (!text.empty() &&
      (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' || text[0] == '\r') &&
      !IsPlainNumber(text))
    value = "'";
  value += text;
  const bool quote = value.empty() || value.find_first_of(",\"\r\n") != std::string::npos;
  if (!quote) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string RenderDatasetCsv(const dsar::DatasetRows& rows) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t c = 0; c < rows.columns.size(); ++c) out += (c ? "," : "") + CsvField(rows.columns[c]);
  out += "\r\n";
  for (const std::vector<dsar::Cell>& row : rows.rows) {
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      if (c) out += ',';
      if (c < row.size() && row[c].has_value()) out += CsvField(*row[c]);
    }
    out += "\r\n";
  }
  return out;
}

// ---------------------------------------------------------------------------
// The summary: a small document model, then its two renderings
// ---------------------------------------------------------------------------

namespace {

enum class Style { kPlain, kStrong, kCode, kChip, kBadge, kMuted };
struct Span {
  Style style;
  std::string text;
};

// A run of text. Every span is escaped by the renderer, our own words too,
// so no sentence can be written that smuggles markup past it.
struct Line {
  std::vector<Span> spans;
  Line& T(std::string s) { return Add(Style::kPlain, std::move(s)); }
  Line& B(std::string s) { return Add(Style::kStrong, std::move(s)); }
  Line& C(std::string s) { return Add(Style::kCode, std::move(s)); }
  Line& Chip(std::string s) { return Add(Style::kChip, std::move(s)); }
  Line& Badge(std::string s) { return Add(Style::kBadge, std::move(s)); }
  Line& M(std::string s) { return Add(Style::kMuted, std::move(s)); }
  Line& Add(Style style, std::string s) {
    spans.push_back({style, std::move(s)});
    return *this;
  }
  bool empty() const { return spans.empty(); }
};
Line L(std::string s) { return Line().T(std::move(s)); }

struct Block {
  enum class Kind {
    kPara,     // lines[0]
    kHeading,  // lines[0]: a small heading inside a section
    kCallout,  // lines: paragraphs in a highlighted box
    kList,     // lines: one item each
    kTable,    // header, rows of cells; a cell is one or more lines
    kFacts,    // rows of [label, value...]: a definition list
    kCards,    // rows: [heading, line, line...] each
    kStats,    // rows of [number, label]
  };
  Kind kind = Kind::kPara;
  std::vector<Line> lines;
  std::vector<std::string> header;
  std::vector<std::vector<std::vector<Line>>> rows;  // kTable
  std::vector<std::vector<Line>> items;              // kFacts, kCards, kStats
  bool boxed = false;                                // kList: each item in a box (the rights)
};

struct Section {
  std::string heading;
  std::vector<Block> blocks;
  Section& Para(Line line) {
    blocks.push_back({Block::Kind::kPara, {std::move(line)}, {}, {}, {}});
    return *this;
  }
  Section& Sub(std::string heading3) {
    blocks.push_back({Block::Kind::kHeading, {L(std::move(heading3))}, {}, {}, {}});
    return *this;
  }
};

struct Document {
  std::string lang;
  std::string title;
  std::string kicker;
  Line meta;
  std::vector<Block> lead;  // before the first section: the answer in brief
  std::vector<Section> sections;
  Line footer;
};

// --- words -----------------------------------------------------------------

struct Words {
  bool nl;
  const char* operator()(const char* en, const char* dutch) const { return nl ? dutch : en; }
};

std::string HumanDate(const std::string& iso, bool nl) {
  static const char* const kEn[] = {"January", "February", "March",     "April",   "May",      "June",
                                    "July",    "August",   "September", "October", "November", "December"};
  static const char* const kNl[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                                    "juli",    "augustus", "september", "oktober", "november", "december"};
  auto date = util::ParseIsoDate(iso);
  if (!date.ok() || date->month < 1 || date->month > 12) return iso;
  return std::to_string(date->day) + " " + (nl ? kNl : kEn)[date->month - 1] + " " + std::to_string(date->year);
}

// "2y" -> "2 years" / "2 jaar"; with `words`, 1..12 are spelled out for prose
// ("one month", "twee maanden"). Text that is no duration is returned as is.
std::string HumanDuration(const std::string& short_form, bool nl, bool words = false) {
  auto d = util::ParseDuration(short_form);
  if (!d.ok()) return short_form;
  static const char* const kEnNum[] = {"one",   "two",   "three", "four", "five",   "six",
                                       "seven", "eight", "nine",  "ten",  "eleven", "twelve"};
  static const char* const kNlNum[] = {"één",   "twee", "drie",  "vier", "vijf", "zes",
                                       "zeven", "acht", "negen", "tien", "elf",  "twaalf"};
  const int n = d->amount;
  std::string number = words && n >= 1 && n <= 12 ? (nl ? kNlNum : kEnNum)[n - 1] : std::to_string(n);
  const bool one = n == 1;
  const char* unit = "";
  switch (d->unit) {
    case util::Duration::Unit::kDays:
      unit = nl ? (one ? "dag" : "dagen") : (one ? "day" : "days");
      break;
    case util::Duration::Unit::kWeeks:
      unit = nl ? (one ? "week" : "weken") : (one ? "week" : "weeks");
      break;
    case util::Duration::Unit::kMonths:
      unit = nl ? (one ? "maand" : "maanden") : (one ? "month" : "months");
      break;
    case util::Duration::Unit::kYears:
      unit = nl ? "jaar" : (one ? "year" : "years");
      break;
  }
  return number + " " + unit;
}

// An ISO timestamp as a date, and with `with_time` its hour and minute when
// it is in UTC ("2026-02-02T08:30:00Z" -> "2 February 2026, 08:30 UTC").
// Anything else is shown as it is.
std::string HumanTimestamp(const std::string& iso, bool nl, bool with_time = false) {
  if (iso.size() < 10) return iso;
  std::string date = HumanDate(iso.substr(0, 10), nl);
  if (date == iso.substr(0, 10)) return iso;
  if (with_time && iso.size() >= 16 && (iso[10] == 'T' || iso[10] == ' ') && iso.back() == 'Z' &&
      std::isdigit(static_cast<unsigned char>(iso[11])) && iso[13] == ':')
    date += (nl ? ", " : ", ") + iso.substr(11, 5) + " UTC";
  return date;
}

std::string CountryName(const std::string& code, bool nl) {
  static const std::map<std::string, std::pair<const char*, const char*>> kNames = {
      {"US", {"the United States", "de Verenigde Staten"}},
      {"GB", {"the United Kingdom", "het Verenigd Koninkrijk"}},
      {"UK", {"the United Kingdom", "het Verenigd Koninkrijk"}},
      {"CH", {"Switzerland", "Zwitserland"}},
      {"CA", {"Canada", "Canada"}},
      {"JP", {"Japan", "Japan"}},
      {"IN", {"India", "India"}},
      {"AU", {"Australia", "Australië"}},
      {"IL", {"Israel", "Israël"}},
      {"KR", {"South Korea", "Zuid-Korea"}},
      {"NZ", {"New Zealand", "Nieuw-Zeeland"}},
      {"BR", {"Brazil", "Brazilië"}},
      {"CN", {"China", "China"}},
      {"PH", {"the Philippines", "de Filipijnen"}},
      {"UA", {"Ukraine", "Oekraïne"}},
      {"RS", {"Serbia", "Servië"}},
      {"TR", {"Turkey", "Turkije"}},
      {"ZA", {"South Africa", "Zuid-Afrika"}},
      {"SG", {"Singapore", "Singapore"}},
      {"MA", {"Morocco", "Marokko"}},
  };
  auto it = kNames.find(code);
  if (it == kNames.end()) return code;
  return std::string(nl ? it->second.second : it->second.first) + " (" + code + ")";
}

// The legal basis in plain words, with its article.
Line LegalBasisLine(const dsar::SummaryPurpose& p, Words w) {
  Line line;
  const std::string& b = p.legal_basis;
  if (b == "consent") {
    line.B(w("Consent", "Toestemming")).M(w(" (Art. 6(1)(a) GDPR)", " (art. 6 lid 1 onder a AVG)"));
    line.T(w(": you gave us permission for this. You can withdraw it at any time; what we did before remains lawful.",
             ": u heeft ons hiervoor toestemming gegeven. U kunt die altijd intrekken; wat wij daarvóór deden, "
             "blijft rechtmatig."));
  } else if (b == "contract") {
    line.B(w("Contract", "Overeenkomst")).M(w(" (Art. 6(1)(b) GDPR)", " (art. 6 lid 1 onder b AVG)"));
    line.T(w(": we need this data to enter into or carry out an agreement with you.",
             ": wij hebben deze gegevens nodig om een overeenkomst met u te sluiten of uit te voeren."));
  } else if (b == "legal_obligation") {
    line.B(w("Legal obligation", "Wettelijke verplichting"))
        .M(w(" (Art. 6(1)(c) GDPR)", " (art. 6 lid 1 onder c AVG)"));
    line.T(w(": the law requires us to process this data", ": de wet verplicht ons deze gegevens te verwerken"));
    if (!p.law.empty()) line.T(w(". The law: ", ". De wet: ")).T(p.law);
    line.T(".");
  } else if (b == "legitimate_interests") {
    line.B(w("Legitimate interest", "Gerechtvaardigd belang"))
        .M(w(" (Art. 6(1)(f) GDPR)", " (art. 6 lid 1 onder f AVG)"));
    line.T(w(": we have an interest of our own, which we weighed against your privacy",
             ": wij hebben een eigen belang, dat wij hebben afgewogen tegen uw privacy"));
    if (!p.interest.empty()) line.T(w(". Our interest: ", ". Ons belang: ")).T(p.interest);
    line.T(w(". You may object to this (see your rights below).",
             ". U kunt hiertegen bezwaar maken (zie uw rechten hieronder)."));
  } else if (b == "vital_interests") {
    line.B(w("Vital interests", "Vitaal belang")).M(w(" (Art. 6(1)(d) GDPR)", " (art. 6 lid 1 onder d AVG)"));
    line.T(w(": this is needed to protect your life or health, or someone else's.",
             ": dit is nodig om uw leven of gezondheid, of die van een ander, te beschermen."));
  } else if (b == "public_task") {
    line.B(w("Public task", "Taak van algemeen belang")).M(w(" (Art. 6(1)(e) GDPR)", " (art. 6 lid 1 onder e AVG)"));
    line.T(w(": this is needed for a task in the public interest, or for official authority given to us.",
             ": dit is nodig voor een taak van algemeen belang, of voor openbaar gezag dat ons is opgedragen."));
  } else {
    line.B(b);
  }
  return line;
}

Line Art9Line(const std::string& condition, Words w) {
  struct Text {
    const char* letter;
    const char* en;
    const char* nl;
  };
  static const std::map<std::string, Text> kTexts = {
      {"explicit_consent", {"a", "only with your explicit consent", "alleen met uw uitdrukkelijke toestemming"}},
      {"employment_law",
       {"b", "needed for obligations under employment and social-security law",
        "nodig voor verplichtingen uit het arbeidsrecht en het socialezekerheidsrecht"}},
      {"vital_interests",
       {"c", "needed to protect your vital interests when you cannot give consent yourself",
        "nodig om uw vitale belangen te beschermen als u zelf geen toestemming kunt geven"}},
      {"not_for_profit",
       {"d", "by a not-for-profit body, about its members or people in regular contact with it",
        "door een instelling zonder winstoogmerk, over haar leden of mensen met wie zij regelmatig contact heeft"}},
      {"made_public",
       {"e", "data you have clearly made public yourself", "gegevens die u zelf duidelijk openbaar heeft gemaakt"}},
      {"legal_claims",
       {"f", "needed to establish, exercise or defend legal claims",
        "nodig om een rechtsvordering in te stellen, uit te oefenen of te onderbouwen"}},
      {"substantial_public_interest",
       {"g", "needed for a substantial public interest, on the basis of a law",
        "nodig voor een zwaarwegend algemeen belang, op grond van een wet"}},
      {"occupational_medicine",
       {"h", "needed for occupational medicine or health care", "nodig voor arbeidsgeneeskunde of gezondheidszorg"}},
      {"public_health", {"i", "needed for public health", "nodig voor de volksgezondheid"}},
      {"archiving_research",
       {"j", "for archiving, scientific or historical research, or statistics",
        "voor archivering, wetenschappelijk of historisch onderzoek, of statistiek"}},
  };
  Line line;
  line.B(w("Special categories of data", "Bijzondere persoonsgegevens"));
  auto it = kTexts.find(condition);
  if (it == kTexts.end()) return line.M(w(" (Art. 9(2) GDPR): ", " (art. 9 lid 2 AVG): ")).T(condition);
  line.M(std::string(w(" (Art. 9(2)(", " (art. 9 lid 2 onder ")) + it->second.letter + w(") GDPR)", " AVG)"));
  return line.T(": ").T(w(it->second.en, it->second.nl)).T(".");
}

std::string ActionText(const std::string& action, Words w) {
  if (action == "delete") return w("then deleted", "daarna verwijderd");
  if (action == "anonymise")
    return w("then anonymised: what remains can no longer be traced to you",
             "daarna geanonimiseerd: wat overblijft is niet meer tot u te herleiden");
  if (action == "restrict")
    return w("then made inactive (restricted): no longer used for new activities",
             "daarna op inactief gezet (beperkt): niet meer gebruikt voor nieuwe activiteiten");
  return action;
}

std::string SafeguardText(const std::string& safeguard, Words w) {
  if (safeguard == "adequacy")
    return w("an adequacy decision of the European Commission: that country protects personal data adequately",
             "een adequaatheidsbesluit van de Europese Commissie: dat land beschermt persoonsgegevens passend");
  if (safeguard == "scc")
    return w("standard contractual clauses approved by the European Commission",
             "door de Europese Commissie vastgestelde standaardcontractbepalingen");
  if (safeguard == "bcr")
    return w("binding corporate rules approved by a data protection authority",
             "door een toezichthouder goedgekeurde bindende bedrijfsvoorschriften");
  if (safeguard == "derogation")
    return w("an exception of Art. 49 GDPR, such as your explicit consent",
             "een uitzondering van art. 49 AVG, zoals uw uitdrukkelijke toestemming");
  return safeguard;
}

bool IsDutchAuthority(const std::string& name) {
  return name.empty() || name.find("Autoriteit Persoonsgegevens") != std::string::npos;
}

// --- the document --------------------------------------------------------

Block ParaBlock(Line line) { return {Block::Kind::kPara, {std::move(line)}, {}, {}, {}}; }
Block ListBlock(std::vector<Line> lines) { return {Block::Kind::kList, std::move(lines), {}, {}, {}}; }
Block CalloutBlock(std::vector<Line> lines) { return {Block::Kind::kCallout, std::move(lines), {}, {}, {}}; }

Section PackageSection(const dsar::Summary& s, Words w) {
  Section sec{w("What is in this package", "Wat dit pakket bevat"), {}};
  std::vector<Line> items;
  items.push_back(Line()
                      .C("summary.html")
                      .T(w(", ", ", "))
                      .C("summary.md")
                      .T(w(": this summary, in plain words.", ": deze samenvatting, in gewone taal.")));
  items.push_back(
      Line()
          .C("data.json")
          .T(s.no_data
                 ? w(": the result of our search, in a machine-readable form. It holds no records about you.",
                     ": het resultaat van onze zoektocht, in machineleesbare vorm. Er staan geen records over u in.")
                 : w(": every record we hold about you, structured and machine-readable, so that you can take it to "
                     "another organisation (Art. 20 GDPR).",
                     ": alle records die wij over u hebben, gestructureerd en machineleesbaar, zodat u ze kunt "
                     "meenemen naar een andere organisatie (art. 20 AVG).")));
  if (!s.no_data)
    items.push_back(
        Line().C("tables/").T(w(": one CSV file per kind of record, to open in a spreadsheet program. A "
                                "value that a spreadsheet could mistake for a formula starts with an "
                                "apostrophe (').",
                                ": per soort record een CSV-bestand, om te openen in een "
                                "spreadsheetprogramma. Een waarde die een spreadsheet voor een formule zou "
                                "kunnen aanzien, begint met een apostrof (').")));
  items.push_back(
      Line()
          .C("manifest.json")
          .T(w(": checksums of every file, so that anyone can verify that nothing was changed.",
               ": controlegetallen van elk bestand, zodat iedereen kan nagaan dat er niets is veranderd.")));
  sec.blocks.push_back(ListBlock(std::move(items)));
  return sec;
}

Section HoldSection(const dsar::Summary& s, Words w) {
  Section sec{w("What data we hold about you", "Welke gegevens wij van u hebben"), {}};
  if (s.categories.empty()) {
    sec.Para(
        L(w("The records we found hold no data of a kind our records of processing describe; you find them in "
            "full in data.json.",
            "De gevonden records bevatten geen gegevens van een soort die ons verwerkingsregister beschrijft; "
            "u vindt ze volledig in data.json.")));
  } else {
    Block table{
        Block::Kind::kTable, {}, {w("Kind of data", "Soort gegevens"), w("Stored in", "Opgeslagen in")}, {}, {}};
    for (const dsar::SummaryCategory& c : s.categories) {
      std::vector<Line> kind;
      Line first;
      first.Chip(c.id);
      if (c.special) first.T(" ").Badge(w("special category", "bijzonder gegeven"));
      kind.push_back(std::move(first));
      if (!c.description.empty()) kind.push_back(L(c.description));
      Line where;
      for (size_t i = 0; i < c.datasets.size(); ++i) {
        if (i) where.T(", ");
        where.C(c.datasets[i]);
      }
      table.rows.push_back({std::move(kind), {std::move(where)}});
    }
    sec.blocks.push_back(std::move(table));
    bool any_special = false;
    for (const dsar::SummaryCategory& c : s.categories) any_special = any_special || c.special;
    if (any_special)
      sec.Para(
          Line()
              .Badge(w("special category", "bijzonder gegeven"))
              .T(w(" Data the law protects extra: health, beliefs, union membership, origin, sexual life, "
                   "biometric data (Art. 9 GDPR) and criminal-law data (Art. 10 GDPR). We use it only on the "
                   "extra conditions named under the purposes below.",
                   " Gegevens die de wet extra beschermt: gezondheid, geloof, vakbondslidmaatschap, afkomst, "
                   "seksueel leven, biometrische gegevens (art. 9 AVG) en strafrechtelijke gegevens (art. 10 "
                   "AVG). Wij gebruiken ze alleen onder de extra voorwaarden die bij de doelen hieronder staan.")));
  }
  if (!s.sources.empty()) {
    sec.Sub(w("Where the data is kept", "Waar de gegevens staan"));
    sec.Para(L(w("We found your data in these records of ours:", "Wij vonden uw gegevens in deze bestanden van ons:")));
    std::vector<Line> items;
    for (const std::string& source : s.sources) items.push_back(L(source));
    sec.blocks.push_back(ListBlock(std::move(items)));
  }
  if (s.unread_rows > 0)
    sec.Para(Line()
                 .B(w("This overview may be incomplete: ", "Dit overzicht is mogelijk niet volledig: "))
                 .T(s.unread_rows == 1 ? w("1 record", "1 record") : std::to_string(s.unread_rows) + w(" records", " records"))
                 .T(w(" in our files could not be read, and may hold data about you. We will check them and tell you "
                      "if they do.",
                      " in onze bestanden konden niet worden gelezen en kunnen gegevens over u bevatten. Wij "
                      "controleren ze en laten het u weten als dat zo is.")));
  if (s.redacted_spans > 0 || s.withheld_columns > 0) {
    sec.Sub(w("Other people's data", "Gegevens van anderen"));
    std::vector<Line> items;
    if (s.redacted_spans > 0)
      items.push_back(Line()
                          .T(w("To protect other people, we removed ", "Om anderen te beschermen hebben wij "))
                          .B(s.redacted_spans == 1 ? w("1 mention", "1 vermelding")
                                                   : std::to_string(s.redacted_spans) + w(" mentions", " vermeldingen"))
                          .T(w(" of other people (names, e-mail addresses, phone numbers) from notes and other text "
                               "about you (Art. 15(4) GDPR). Each place is marked [redacted].",
                               " van andere personen (namen, e-mailadressen, telefoonnummers) uit notities en andere "
                               "teksten over u verwijderd (art. 15 lid 4 AVG). Elke plek is gemarkeerd met "
                               "[redacted].")));
    if (s.withheld_columns > 0)
      items.push_back(Line()
                          .T(w("Some records describe something your data refers to, such as a vacancy or a client "
                               "company. Of those we show only what is not personal data: ",
                               "Sommige records beschrijven iets waar uw gegevens naar verwijzen, zoals een vacature "
                               "of een opdrachtgever. Daarvan tonen wij alleen wat geen persoonsgegevens zijn: "))
                          .B(s.withheld_columns == 1 ? w("1 field", "1 veld")
                                                     : std::to_string(s.withheld_columns) + w(" fields", " velden"))
                          .T(w(" were left out, because they may be about other people.",
                               " zijn weggelaten, omdat die over andere personen kunnen gaan.")));
    sec.blocks.push_back(ListBlock(std::move(items)));
  }
  return sec;
}

Section PurposeSection(const dsar::Summary& s, Words w) {
  Section sec{w("Why we use it, and on what legal basis", "Waarvoor wij uw gegevens gebruiken, en op welke grond"), {}};
  sec.Para(
      L(w("The law allows us to use personal data only for a clear purpose and on one of six legal grounds "
          "(Art. 6 GDPR). For your data:",
          "De wet staat ons alleen toe persoonsgegevens te gebruiken voor een duidelijk doel en op een van zes "
          "wettelijke grondslagen (art. 6 AVG). Voor uw gegevens:")));
  Block cards{Block::Kind::kCards, {}, {}, {}, {}};
  bool automated = false;
  for (const dsar::SummaryPurpose& p : s.purposes) {
    std::vector<Line> card;
    card.push_back(L(p.description.empty() ? p.id : p.description));
    card.push_back(LegalBasisLine(p, w));
    if (!p.categories.empty()) {
      Line data;
      data.B(w("Data used", "Gebruikte gegevens")).T(": ");
      for (size_t i = 0; i < p.categories.size(); ++i) {
        if (i) data.T(" ");
        data.Chip(p.categories[i]);
      }
      card.push_back(std::move(data));
    }
    if (!p.art9_condition.empty()) card.push_back(Art9Line(p.art9_condition, w));
    if (!p.art10_basis.empty())
      card.push_back(Line()
                         .B(w("Criminal-law data", "Strafrechtelijke gegevens"))
                         .M(w(" (Art. 10 GDPR)", " (art. 10 AVG)"))
                         .T(w(": allowed by ", ": toegestaan op grond van "))
                         .T(p.art10_basis));
    if (p.automated_decisions) {
      automated = true;
      card.push_back(Line()
                         .B(w("Automated decisions", "Geautomatiseerde besluiten"))
                         .M(w(" (Art. 22 GDPR)", " (art. 22 AVG)"))
                         .T(w(": for this purpose we take decisions about you by automated means. You may ask for a "
                              "person to review such a decision, give your view and contest it.",
                              ": voor dit doel nemen wij geautomatiseerd besluiten over u. U kunt vragen dat een "
                              "medewerker zo'n besluit beoordeelt, uw standpunt geven en het besluit aanvechten.")));
    }
    cards.items.push_back(std::move(card));
  }
  sec.blocks.push_back(std::move(cards));
  if (!s.consents.empty()) {
    sec.Sub(w("Your consents", "Uw toestemmingen"));
    sec.Para(L(w("Where a purpose rests on your consent, this is what we recorded. You can withdraw a consent at "
                 "any time, as easily as you gave it (Art. 7(3) GDPR); withdrawing does not make earlier use "
                 "unlawful.",
                 "Waar een doel op uw toestemming berust, is dit wat wij hebben vastgelegd. U kunt een toestemming "
                 "altijd intrekken, even gemakkelijk als u haar gaf (art. 7 lid 3 AVG); intrekken maakt eerder "
                 "gebruik niet onrechtmatig.")));
    Block table{Block::Kind::kTable, {}, {w("Purpose", "Doel"), w("Given", "Gegeven"), w("Withdrawn", "Ingetrokken")}, {}, {}};
    for (const dsar::SummaryConsent& c : s.consents)
      table.rows.push_back({{L(c.description.empty() ? c.purpose : c.description)},
                            {L(c.given_at)},
                            {L(c.withdrawn_at.empty() ? w("no: it stands", "nee: zij geldt") : c.withdrawn_at)}});
    sec.blocks.push_back(std::move(table));
  }
  if (!automated)
    sec.Para(
        L(w("We take no decisions about you based solely on automated processing, including profiling "
            "(Art. 22 GDPR).",
            "Wij nemen geen besluiten over u die uitsluitend op geautomatiseerde verwerking berusten, ook niet "
            "door profilering (art. 22 AVG).")));
  return sec;
}

Section RecipientSection(const dsar::Summary& s, Words w) {
  Section sec{w("Who receives your data", "Wie uw gegevens ontvangt"), {}};
  // Recipient -> the kinds of data they may receive: the categories of every
  // purpose that names them.
  std::vector<std::pair<std::string, std::vector<std::string>>> recipients;
  for (const dsar::SummaryPurpose& p : s.purposes)
    for (const std::string& r : p.recipients) {
      auto it = std::find_if(recipients.begin(), recipients.end(), [&](const auto& e) { return e.first == r; });
      if (it == recipients.end()) it = recipients.insert(recipients.end(), {r, {}});
      for (const std::string& c : p.categories)
        if (std::find(it->second.begin(), it->second.end(), c) == it->second.end()) it->second.push_back(c);
    }
  if (recipients.empty()) {
    sec.Para(L(w("We do not share your data with anyone outside our organisation.",
                 "Wij delen uw gegevens met niemand buiten onze organisatie.")));
  } else {
    sec.Para(
        L(w("We share your data only where one of the purposes above needs it, and only what that purpose "
            "needs. Service providers that work for us (processors) are bound by a processing agreement.",
            "Wij delen uw gegevens alleen als een van de doelen hierboven dat nodig maakt, en alleen wat dat doel "
            "nodig heeft. Dienstverleners die voor ons werken (verwerkers) zijn gebonden aan een "
            "verwerkersovereenkomst.")));
    Block table{Block::Kind::kTable, {}, {w("Recipient", "Ontvanger"), w("Kinds of data", "Soorten gegevens")}, {}, {}};
    for (const auto& [recipient, categories] : recipients) {
      Line kinds;
      for (size_t i = 0; i < categories.size(); ++i) {
        if (i) kinds.T(" ");
        kinds.Chip(categories[i]);
      }
      table.rows.push_back({{L(recipient)}, {std::move(kinds)}});
    }
    sec.blocks.push_back(std::move(table));
  }
  sec.Sub(w("Outside the European Economic Area", "Buiten de Europese Economische Ruimte"));
  if (s.transfers.empty()) {
    sec.Para(
        L(w("According to our records of processing, your data is not transferred to countries outside the "
            "European Economic Area (EEA).",
            "Volgens ons verwerkingsregister gaan uw gegevens niet naar landen buiten de Europese Economische "
            "Ruimte (EER).")));
  } else {
    sec.Para(
        L(w("Some of your data goes to a country outside the European Economic Area (EEA). The law allows this "
            "only with a safeguard:",
            "Een deel van uw gegevens gaat naar een land buiten de Europese Economische Ruimte (EER). De wet "
            "staat dat alleen toe met een waarborg:")));
    std::vector<Line> items;
    for (const dsar::SummaryTransfer& t : s.transfers)
      items.push_back(Line()
                          .B(t.recipient)
                          .T(w(", in ", ", in "))
                          .T(CountryName(t.country, w.nl))
                          .T(w(". Safeguard: ", ". Waarborg: "))
                          .T(SafeguardText(t.safeguard, w))
                          .T("."));
    sec.blocks.push_back(ListBlock(std::move(items)));
  }
  return sec;
}

Section RetentionSection(const dsar::Summary& s, Words w) {
  Section sec{w("How long we keep it", "Hoe lang wij uw gegevens bewaren"), {}};
  if (s.retention.empty()) {
    sec.Para(
        L(w("Our policy sets no fixed period for these records: we keep them no longer than the purposes above "
            "need. Ask us if you want to know more.",
            "Ons beleid kent voor deze records geen vaste termijn: wij bewaren ze niet langer dan de doelen "
            "hierboven nodig maken. Vraag het ons als u meer wilt weten.")));
    return sec;
  }
  sec.Para(L(w("We keep data no longer than its purpose needs, or than a law requires. Per kind of record:",
               "Wij bewaren gegevens niet langer dan het doel nodig maakt, of dan een wet voorschrijft. Per soort "
               "record:")));
  Block table{Block::Kind::kTable,
              {},
              {w("Records", "Records"), w("How long", "Hoe lang"), w("Why this period", "Waarom deze termijn")},
              {},
              {}};
  for (const dsar::SummaryRetention& r : s.retention) {
    std::vector<Line> period;
    Line main;
    if (r.keep.empty()) {
      main.B(w("not yet determined", "nog niet vastgesteld")).T(w("; ask us", "; vraag het ons"));
    } else {
      main.B(HumanDuration(r.keep, w.nl))
          .T(w(" after the date in ", " na de datum in "))
          .C(r.after)
          .T(", ")
          .T(ActionText(r.action, w));
    }
    period.push_back(std::move(main));
    if (!r.description.empty()) period.push_back(Line().M(r.description));
    std::vector<Line> why;
    if (!r.basis.empty()) why.push_back(L(r.basis));
    for (const std::string& hold : r.holds)
      why.push_back(Line().B(w("Kept longer while: ", "Langer bewaard zolang: ")).T(hold));
    if (why.empty()) why.push_back(Line().M("—"));
    table.rows.push_back({{Line().C(r.dataset)}, std::move(period), std::move(why)});
  }
  sec.blocks.push_back(std::move(table));
  return sec;
}

Section RightsSection(const dsar::Summary& s, Words w) {
  Section sec{w("Your rights", "Uw rechten"), {}};
  const std::string contact = s.request_contact.empty() ? s.controller_contact : s.request_contact;
  Line intro;
  intro.T(w("You can use these rights free of charge", "U kunt deze rechten kosteloos uitoefenen"));
  if (!contact.empty()) intro.T(w(" by writing to ", " door te schrijven naar ")).B(contact);
  intro.T(w(". We may first ask you to confirm your identity, so that nobody else can use your rights.",
            ". Wij kunnen u eerst vragen uw identiteit te bevestigen, zodat niemand anders uw rechten kan gebruiken."));
  sec.Para(std::move(intro));
  std::vector<Line> items;
  items.push_back(Line()
                      .B(w("Access", "Inzage"))
                      .M(w(" (Art. 15 GDPR)", " (art. 15 AVG)"))
                      .T(w(": this package is our answer. You may ask again later.",
                           ": dit pakket is ons antwoord daarop. U kunt later opnieuw inzage vragen.")));
  items.push_back(Line()
                      .B(w("Rectification", "Rectificatie"))
                      .M(w(" (Art. 16 GDPR)", " (art. 16 AVG)"))
                      .T(w(": if something is wrong or incomplete, we correct or complete it.",
                           ": klopt er iets niet of is iets onvolledig, dan verbeteren of vullen wij het aan.")));
  items.push_back(
      Line()
          .B(w("Erasure", "Verwijdering"))
          .M(w(" (Art. 17 GDPR)", " (art. 17 AVG)"))
          .T(w(
              ": you can ask us to delete your data. We do so unless a law requires us to keep it (for example for the "
              "tax "
              "authority) or we need it for a legal claim; we then tell you what we keep, and why.",
              ": u kunt ons vragen uw gegevens te wissen. Dat doen wij, tenzij een wet ons verplicht ze te bewaren "
              "(bijvoorbeeld voor de Belastingdienst) of wij ze nodig hebben voor een rechtsvordering; dan laten wij u "
              "weten wat wij bewaren en waarom.")));
  items.push_back(
      Line()
          .B(w("Restriction", "Beperking"))
          .M(w(" (Art. 18 GDPR)", " (art. 18 AVG)"))
          .T(w(
              ": you can ask us to stop using your data for a while, for example while we check a correction you asked "
              "for.",
              ": u kunt ons vragen het gebruik van uw gegevens tijdelijk stop te zetten, bijvoorbeeld zolang wij een "
              "door "
              "u gevraagde correctie controleren.")));
  items.push_back(
      Line()
          .B(w("Objection", "Bezwaar"))
          .M(w(" (Art. 21 GDPR)", " (art. 21 AVG)"))
          .T(w(": where we rely on our legitimate interest, you can object; we then stop, unless we have compelling "
               "reasons "
               "that outweigh yours. You can always object to direct marketing.",
               ": gebruiken wij uw gegevens op grond van ons gerechtvaardigd belang, dan kunt u daartegen bezwaar "
               "maken; "
               "wij stoppen dan, tenzij wij dwingende redenen hebben die zwaarder wegen dan uw belangen. Tegen direct "
               "marketing kunt u altijd bezwaar maken.")));
  items.push_back(
      Line()
          .B(w("Data portability", "Overdraagbaarheid"))
          .M(w(" (Art. 20 GDPR)", " (art. 20 AVG)"))
          .T(w(
              ": the data you gave us, which we use with your consent or for a contract, you receive in a structured, "
              "machine-readable form: the file data.json in this package. You can also ask us to send it directly to "
              "another organisation.",
              ": de gegevens die u ons heeft gegeven en die wij met uw toestemming of voor een overeenkomst gebruiken, "
              "krijgt u in een gestructureerde, machineleesbare vorm: het bestand data.json in dit pakket. U kunt ons "
              "ook "
              "vragen ze rechtstreeks naar een andere organisatie te sturen.")));
  items.push_back(
      Line()
          .B(w("Withdrawing consent", "Toestemming intrekken"))
          .M(w(" (Art. 7(3) GDPR)", " (art. 7 lid 3 AVG)"))
          .T(w(": where we rely on your consent, you can withdraw it at any time, as easily as you gave it.",
               ": waar wij op uw toestemming steunen, kunt u die op elk moment intrekken, even gemakkelijk als u die "
               "gaf.")));
  const std::string authority =
      s.supervisory_authority.empty() ? "Autoriteit Persoonsgegevens" : s.supervisory_authority;
  Line complaint;
  complaint.B(w("Complaint", "Klacht")).M(w(" (Art. 77 GDPR)", " (art. 77 AVG)"));
  complaint.T(w(": if you are not satisfied with how we handle your data, you can complain to the ",
                ": bent u niet tevreden over hoe wij met uw gegevens omgaan, dan kunt u een klacht indienen bij de "));
  complaint.B(authority);
  if (IsDutchAuthority(s.supervisory_authority))
    complaint.T(w(", the Dutch data protection authority: ", ", de Nederlandse toezichthouder op privacy: "))
        .B("autoriteitpersoonsgegevens.nl");
  complaint.T(w(". We would like to hear from you first, but you do not have to.",
                ". Wij horen het graag eerst van u, maar dat hoeft niet."));
  items.push_back(std::move(complaint));
  sec.blocks.push_back(ListBlock(std::move(items)));
  sec.blocks.back().boxed = true;
  return sec;
}

Section DeadlineSection(const dsar::Summary& s, Words w) {
  Section sec{w("When we must answer", "Wanneer wij moeten antwoorden"), {}};
  Block facts{Block::Kind::kFacts, {}, {}, {}, {}};
  facts.items.push_back({L(w("Request received", "Verzoek ontvangen")), L(HumanDate(s.received, w.nl))});
  facts.items.push_back({L(w("Answer due by", "Uiterste antwoorddatum")), Line().B(HumanDate(s.due, w.nl))});
  facts.items.push_back(
      {L(w("If extended, at the latest", "Bij verlenging uiterlijk")), L(HumanDate(s.due_extended, w.nl))});
  sec.blocks.push_back(std::move(facts));
  const std::string period = HumanDuration(s.response_period, w.nl, true);
  const std::string extension = HumanDuration(s.extension, w.nl, true);
  sec.Para(
      Line()
          .T(w("The law gives us ", "De wet geeft ons "))
          .T(period)
          .T(w(" from receipt to answer (Art. 12(3) GDPR). If your request is complex, or you sent us many, we "
               "may extend this by at most ",
               " na ontvangst om te antwoorden (art. 12 lid 3 AVG). Is uw verzoek ingewikkeld of heeft u ons "
               "veel verzoeken gestuurd, dan mogen wij die termijn met ten hoogste "))
          .T(extension)
          .T(w(", to ", " verlengen, tot uiterlijk "))
          .T(HumanDate(s.due_extended, w.nl))
          .T(w(" at the latest. We must then tell you so, with our reasons, before the first period ends: by ",
               ". Dat moeten wij u dan, met onze redenen, laten weten voordat de eerste termijn afloopt: uiterlijk "
               "op "))
          .B(HumanDate(s.due, w.nl))
          .T("."));
  sec.Para(L(w("If we asked you to confirm your identity, the period starts on the day we received that confirmation.",
               "Als wij u hebben gevraagd uw identiteit te bevestigen, begint de termijn op de dag dat wij die "
               "bevestiging ontvingen.")));
  return sec;
}

Section ContactSection(const dsar::Summary& s, Words w) {
  Section sec{w("Contact", "Contact"), {}};
  Block facts{Block::Kind::kFacts, {}, {}, {}, {}};
  Line controller = Line().B(s.controller);
  if (!s.controller_address.empty()) controller.T(", ").T(s.controller_address);
  facts.items.push_back({L(w("Controller", "Verwerkingsverantwoordelijke")), std::move(controller)});
  if (!s.controller_contact.empty())
    facts.items.push_back({L(w("Privacy questions", "Privacyvragen")), L(s.controller_contact)});
  if (!s.request_contact.empty() && s.request_contact != s.controller_contact)
    facts.items.push_back({L(w("Requests about your data", "Verzoeken over uw gegevens")), L(s.request_contact)});
  if (!s.dpo_name.empty() || !s.dpo_contact.empty()) {
    Line dpo = L(s.dpo_name);
    if (!s.dpo_name.empty() && !s.dpo_contact.empty()) dpo.T(", ");
    dpo.T(s.dpo_contact);
    facts.items.push_back({L(w("Data protection officer", "Functionaris gegevensbescherming")), std::move(dpo)});
  }
  const std::string authority =
      s.supervisory_authority.empty() ? "Autoriteit Persoonsgegevens" : s.supervisory_authority;
  Line ap = L(authority);
  if (IsDutchAuthority(s.supervisory_authority)) ap.T(", ").T("autoriteitpersoonsgegevens.nl");
  facts.items.push_back({L(w("Supervisory authority", "Toezichthouder")), std::move(ap)});
  sec.blocks.push_back(std::move(facts));
  return sec;
}

Document BuildDocument(const dsar::Summary& s, Language language) {
  const Words w{language == Language::kDutch};
  Document doc;
  doc.lang = LanguageCode(language);
  doc.kicker = w("Answer to your access request (Art. 15 GDPR)", "Antwoord op uw inzageverzoek (art. 15 AVG)");
  doc.title = std::string(w("Your personal data at ", "Uw persoonsgegevens bij ")) + s.controller;
  doc.meta.T(w("Request received ", "Verzoek ontvangen op "))
      .T(HumanDate(s.received, w.nl))
      .T(w(" · answer due by ", " · uiterlijk te beantwoorden op "))
      .T(HumanDate(s.due, w.nl))
      .T(w(" · prepared ", " · opgesteld op "))
      .T(HumanTimestamp(s.generated_at, w.nl));

  if (s.no_data) {
    doc.lead.push_back(CalloutBlock(
        {Line().B(w("We hold no personal data about you.", "Wij hebben geen persoonsgegevens van u.")),
         L(w("We searched all our records for the details you gave us and found nothing about you. If you have used "
             "another e-mail address, phone number or name with us, let us know and we will search again.",
             "Wij hebben al onze bestanden doorzocht op de gegevens die u ons gaf en niets over u gevonden. Heeft u "
             "bij ons een ander e-mailadres, telefoonnummer of een andere naam gebruikt, laat het ons dan weten; dan "
             "zoeken wij opnieuw."))}));
  } else {
    doc.lead.push_back(
        ParaBlock(L(w("You asked us which personal data we hold about you. This summary answers that "
                      "in plain words; the files with it contain the data itself.",
                      "U heeft ons gevraagd welke persoonsgegevens wij van u hebben. Deze samenvatting "
                      "beantwoordt die vraag in gewone taal; de bijgevoegde bestanden bevatten de "
                      "gegevens zelf."))));
    int64_t special = 0;
    for (const dsar::SummaryCategory& c : s.categories) special += c.special ? 1 : 0;
    Block stats{Block::Kind::kStats, {}, {}, {}, {}};
    stats.items.push_back({L(std::to_string(s.records)), L(s.records == 1 ? "record" : "records")});
    stats.items.push_back(
        {L(std::to_string(s.categories.size())),
         L(s.categories.size() == 1 ? w("kind of data", "soort gegevens") : w("kinds of data", "soorten gegevens"))});
    stats.items.push_back(
        {L(std::to_string(special)), L(special == 1 ? w("special category", "bijzonder gegeven")
                                                    : w("special categories", "bijzondere gegevens"))});
    stats.items.push_back({L(std::to_string(s.purposes.size())),
                           L(s.purposes.size() == 1 ? w("purpose", "doel") : w("purposes", "doelen"))});
    doc.lead.push_back(std::move(stats));
  }

  if (!s.no_data) {
    doc.sections.push_back(HoldSection(s, w));
    doc.sections.push_back(PurposeSection(s, w));
    doc.sections.push_back(RecipientSection(s, w));
    doc.sections.push_back(RetentionSection(s, w));
  }
  doc.sections.push_back(RightsSection(s, w));
  doc.sections.push_back(DeadlineSection(s, w));
  doc.sections.push_back(PackageSection(s, w));
  doc.sections.push_back(ContactSection(s, w));

  doc.footer.T(w("Prepared on ", "Opgesteld op "))
      .T(HumanTimestamp(s.generated_at, w.nl, true))
      .T(w(" from our records of processing and the records we found about you. This document contains personal "
           "data: keep it safe.",
           " op basis van ons verwerkingsregister en de records die wij over u vonden. Dit document bevat "
           "persoonsgegevens: bewaar het zorgvuldig."));
  return doc;
}

// --- Markdown --------------------------------------------------------------

// Inside a code span nothing can be escaped, so only identifier-like text is
// set as code; anything else is escaped as ordinary text.
bool CodeSafe(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-' && c != ' ' && c != '/')
      return false;
  return true;
}

std::string Md(const Line& line) {
  std::string out;
  for (const Span& span : line.spans) {
    const std::string& text = span.text;
    switch (span.style) {
      case Style::kPlain:
      case Style::kMuted:
        out += MarkdownEscape(text);
        break;
      case Style::kStrong:
      case Style::kBadge: {
        // Emphasis cannot open on a space: keep the spaces outside the stars.
        const size_t first = text.find_first_not_of(' ');
        if (first == std::string::npos) {
          out += text;
          break;
        }
        const size_t last = text.find_last_not_of(' ');
        out += text.substr(0, first) + "**" + MarkdownEscape(text.substr(first, last - first + 1)) + "**" +
               text.substr(last + 1);
        break;
      }
      case Style::kCode:
      case Style::kChip:
        out += CodeSafe(text) ? "`" + text + "`" : MarkdownEscape(text);
        break;
    }
  }
  return out;
}

std::string JoinMd(const std::vector<Line>& lines, const char* sep) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? sep : "") + Md(lines[i]);
  return out;
}

void RenderBlockMd(const Block& b, std::ostringstream& out) {
  switch (b.kind) {
    case Block::Kind::kPara:
      out << Md(b.lines[0]) << "\n\n";
      break;
    case Block::Kind::kHeading:
      out << "### " << Md(b.lines[0]) << "\n\n";
      break;
    case Block::Kind::kCallout:
      for (size_t i = 0; i < b.lines.size(); ++i) out << (i ? ">\n" : "") << "> " << Md(b.lines[i]) << "\n";
      out << "\n";
      break;
    case Block::Kind::kList:
      for (const Line& l : b.lines) out << "- " << Md(l) << "\n";
      out << "\n";
      break;
    case Block::Kind::kTable:
      out << "|";
      for (const std::string& h : b.header) out << " " << MarkdownEscape(h) << " |";
      out << "\n|";
      for (size_t i = 0; i < b.header.size(); ++i) out << "---|";
      out << "\n";
      for (const auto& row : b.rows) {
        out << "|";
        for (const std::vector<Line>& cell : row) out << " " << JoinMd(cell, " — ") << " |";
        out << "\n";
      }
      out << "\n";
      break;
    case Block::Kind::kFacts:
      for (const std::vector<Line>& item : b.items)
        out << "- " << Md(item[0]) << ": " << JoinMd({item.begin() + 1, item.end()}, " ") << "\n";
      out << "\n";
      break;
    case Block::Kind::kCards:
      for (const std::vector<Line>& card : b.items) {
        out << "### " << Md(card[0]) << "\n\n";
        for (size_t i = 1; i < card.size(); ++i) out << "- " << Md(card[i]) << "\n";
        out << "\n";
      }
      break;
    case Block::Kind::kStats:
      for (size_t i = 0; i < b.items.size(); ++i)
        out << (i ? " · " : "") << "**" << Md(b.items[i][0]) << "** " << Md(b.items[i][1]);
      out << "\n\n";
      break;
  }
}

// --- HTML ------------------------------------------------------------------

constexpr const char* kCss = R"CSS(
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --card:#fff;
  --accent:#2e6da4; --special:#8e44ad; --ok:#1e8449; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 15px/1.6 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 880px; margin: 0 auto; padding: 32px 32px 48px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
  font-size: 13px; background: #eef2f7; padding: 0 4px; border-radius: 3px; overflow-wrap: break-word; }
h1 { font-size: 28px; line-height: 1.25; margin: 4px 0 6px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 0 0 12px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--accent); font-weight: 700; }
.meta { color: var(--muted); margin-bottom: 14px; }
.callout { margin: 22px 0; padding: 16px 20px; border-radius: 8px; background: var(--card);
  border: 1px solid var(--line); border-left: 8px solid var(--accent); }
.callout p:first-child { font-size: 19px; }
.callout p:last-child { margin-bottom: 0; }
.stats { display:grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 18px 0 8px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.stat .n { font-size: 26px; font-weight: 700; line-height: 1.2; color: var(--accent); }
.stat .l { color: var(--muted); font-size: 13px; }
table { width:100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); margin: 0 0 14px; }
th, td { text-align:left; vertical-align: top; padding: 8px 12px; border-bottom: 1px solid var(--line); }
td p { margin: 0 0 4px; } td p:last-child { margin: 0; }
th { background: #eef2f7; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
thead { display: table-header-group; }
tr { break-inside: avoid; }
ul { margin: 0 0 14px; padding-left: 22px; } li { margin: 0 0 6px; }
ul.boxed { list-style: none; padding: 0; }
ul.boxed li { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; margin-bottom: 8px; }
.cards { display:grid; grid-template-columns: 1fr; gap: 12px; margin: 0 0 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--accent); border-radius: 8px;
  padding: 12px 16px; break-inside: avoid; }
.card h3 { margin: 0 0 8px; font-size: 15.5px; }
.card p { margin: 0 0 6px; } .card p:last-child { margin: 0; }
.chip { display:inline-block; padding: 0 7px; border-radius: 4px; background: #e6eef7; color: #24507a; font-size: 12.5px;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; margin: 1px 0; }
.badge { display:inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 700; color: #fff;
  background: var(--special); white-space: nowrap; }
.small { color: var(--muted); font-size: 13.5px; }
dl.facts { display:grid; grid-template-columns: 240px 1fr; gap: 6px 16px; margin: 0 0 14px; background: var(--card);
  border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
footer { margin-top: 36px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media screen and (max-width: 700px) {
  main { padding: 20px 14px 32px; }
  .stats { grid-template-columns: repeat(2, 1fr); } dl.facts { grid-template-columns: 1fr; }
  th, td { padding: 6px 7px; } td { overflow-wrap: anywhere; }
}
@page { size: A4; margin: 16mm; }
@media print {
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; }
}
)CSS";

// Identifiers (table and column names) may wrap after a dot or an
// underscore, so that a narrow table column breaks "conversation_notes" at
// its joint rather than mid-word. Takes escaped text.
std::string Breakable(const std::string& escaped) {
  std::string out;
  for (const char c : escaped) {
    out += c;
    if (c == '.' || c == '_') out += "<wbr>";
  }
  return out;
}

std::string Html(const Line& line) {
  std::string out;
  for (const Span& span : line.spans) {
    const std::string text = HtmlEscape(span.text);
    switch (span.style) {
      case Style::kPlain:
        out += text;
        break;
      case Style::kStrong:
        out += "<strong>" + text + "</strong>";
        break;
      case Style::kCode:
        out += "<code>" + Breakable(text) + "</code>";
        break;
      case Style::kChip:
        out += "<span class=\"chip\">" + text + "</span>";
        break;
      case Style::kBadge:
        out += "<span class=\"badge\">" + text + "</span>";
        break;
      case Style::kMuted:
        out += "<span class=\"small\">" + text + "</span>";
        break;
    }
  }
  return out;
}

void RenderBlockHtml(const Block& b, std::ostringstream& out) {
  switch (b.kind) {
    case Block::Kind::kPara:
      out << "<p>" << Html(b.lines[0]) << "</p>\n";
      break;
    case Block::Kind::kHeading:
      out << "<h3>" << Html(b.lines[0]) << "</h3>\n";
      break;
    case Block::Kind::kCallout:
      out << "<section class=\"callout\">";
      for (const Line& l : b.lines) out << "<p>" << Html(l) << "</p>";
      out << "</section>\n";
      break;
    case Block::Kind::kList:
      out << (b.boxed ? "<ul class=\"boxed\">\n" : "<ul>\n");
      for (const Line& l : b.lines) out << "<li>" << Html(l) << "</li>\n";
      out << "</ul>\n";
      break;
    case Block::Kind::kTable:
      out << "<table>\n<thead><tr>";
      for (const std::string& h : b.header) out << "<th>" << HtmlEscape(h) << "</th>";
      out << "</tr></thead>\n<tbody>\n";
      for (const auto& row : b.rows) {
        out << "<tr>";
        for (const std::vector<Line>& cell : row) {
          out << "<td>";
          for (const Line& l : cell) out << "<p>" << Html(l) << "</p>";
          out << "</td>";
        }
        out << "</tr>\n";
      }
      out << "</tbody>\n</table>\n";
      break;
    case Block::Kind::kFacts:
      out << "<dl class=\"facts\">\n";
      for (const std::vector<Line>& item : b.items) {
        out << "<dt>" << Html(item[0]) << "</dt><dd>";
        for (size_t i = 1; i < item.size(); ++i) out << (i > 1 ? " " : "") << Html(item[i]);
        out << "</dd>\n";
      }
      out << "</dl>\n";
      break;
    case Block::Kind::kCards:
      out << "<div class=\"cards\">\n";
      for (const std::vector<Line>& card : b.items) {
        out << "<div class=\"card\"><h3>" << Html(card[0]) << "</h3>";
        for (size_t i = 1; i < card.size(); ++i) out << "<p>" << Html(card[i]) << "</p>";
        out << "</div>\n";
      }
      out << "</div>\n";
      break;
    case Block::Kind::kStats:
      out << "<section class=\"stats\">\n";
      for (const std::vector<Line>& item : b.items)
        out << "<div class=\"stat\"><div class=\"n\">" << Html(item[0]) << "</div><div class=\"l\">" << Html(item[1])
            << "</div></div>\n";
      out << "</section>\n";
      break;
  }
}

}  // namespace

std::string RenderSummaryMarkdown(const dsar::Summary& summary, Language language) {
  const Document doc = BuildDocument(summary, language);
  std::ostringstream out;
  out << "# " << MarkdownEscape(doc.title) << "\n\n_" << MarkdownEscape(doc.kicker) << "_\n\n"
      << Md(doc.meta) << "\n\n";
  for (const Block& b : doc.lead) RenderBlockMd(b, out);
  for (const Section& sec : doc.sections) {
    out << "## " << MarkdownEscape(sec.heading) << "\n\n";
    for (const Block& b : sec.blocks) RenderBlockMd(b, out);
  }
  out << "---\n\n" << Md(doc.footer) << "\n";
  return out.str();
}

std::string RenderSummaryHtml(const dsar::Summary& summary, Language language) {
  const Document doc = BuildDocument(summary, language);
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"" << doc.lang << "\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"referrer\" content=\"no-referrer\">\n"
      << "<title>" << HtmlEscape(doc.title) << "</title>\n<style>" << kCss << "</style>\n</head>\n<body>\n<main>\n";
  out << "<div class=\"kicker\">" << HtmlEscape(doc.kicker) << "</div>\n<h1>" << HtmlEscape(doc.title) << "</h1>\n"
      << "<div class=\"meta\">" << Html(doc.meta) << "</div>\n";
  for (const Block& b : doc.lead) RenderBlockHtml(b, out);
  for (const Section& sec : doc.sections) {
    out << "<h2>" << HtmlEscape(sec.heading) << "</h2>\n";
    for (const Block& b : sec.blocks) RenderBlockHtml(b, out);
  }
  out << "<footer>" << Html(doc.footer) << "</footer>\n</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace dpo::report
