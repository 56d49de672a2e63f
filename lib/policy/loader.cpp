#include "policy/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "policy/yaml_limits.h"
#include "util/message.h"

namespace dpo::policy {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  std::string lower = word;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string best;
  size_t best_distance = std::string::npos;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(lower, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // A typo is at most a third of the word wrong (and never more than 3 edits).
  size_t limit = std::min<size_t>(3, std::max<size_t>(1, best.size() / 3));
  if (best_distance == 0 && lower != word) return best;  // only the case differs
  if (best_distance > 0 && best_distance <= limit) return best;
  // Prefix typos: "legal" for "legal_basis".
  if (!lower.empty()) {
    for (const std::string& c : candidates)
      if (lower.size() >= 4 && c.rfind(lower, 0) == 0) return c;
    // Suffix additions: "phone_number" for "phone".
    for (const std::string& c : candidates)
      if (c.size() >= 4 && lower.rfind(c, 0) == 0) return c;
  }
  return "";
}

namespace {

using YAML::Node;
using YAML::NodeType;

std::string Join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

bool IsTodoText(const std::string& s) {
  if (s.rfind("TODO", 0) != 0) return false;
  if (s.size() == 4) return true;
  unsigned char next = s[4];
  return !std::isalnum(next) && next != '_';
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const char* TypeWord(const Node& n) {
  switch (n.Type()) {
    case NodeType::Scalar: return "a single value";
    case NodeType::Sequence: return "a list";
    case NodeType::Map: return "a map of keys";
    case NodeType::Null:
    case NodeType::Undefined: return "empty";
  }
  return "empty";
}

// Quote a value from the file for a message, shortened and escaped: policy
// files should hold no personal data, but a stray paste can be long, span
// lines or carry terminal escapes.
std::string Quote(const std::string& s) { return "'" + util::EscapeForMessage(s, 60) + "'"; }

// The path as given, escaped for a message.
std::string ShownPath(const std::string& path) { return util::EscapeForMessage(path, std::string_view::npos); }

// The length of the control character at text[i] (C0, DEL, or a C1 control
// U+0080..U+009F as UTF-8), or 0. `allowed` lists the whitespace controls
// (tab, line feed, carriage return) that are text here.
size_t ControlAt(std::string_view text, size_t i, std::string_view allowed) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c == '\t' || c == '\n' || c == '\r') return allowed.find(static_cast<char>(c)) == std::string_view::npos ? 1 : 0;
  if (c < 0x20 || c == 0x7F) return 1;
  bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(text[i + 1]) <= 0x9F;
  return c1 ? 2 : 0;
}

// Bytes YAML does not allow in a document and no policy needs: C0 controls
// other than tab, line feed and carriage return, DEL, and the C1 controls.
// Returns the first one as a message with its line and column, or "" if
// there is none. yaml-cpp would otherwise echo them, raw, in its own
// messages, or keep them in names.
std::string FindControlCharacter(const std::string& text, const std::string& display_name) {
  int64_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
      continue;
    }
    size_t len = ControlAt(text, i, "\t\n\r");
    if (len == 0) continue;
    std::string where = ShownPath(display_name) + ":" + std::to_string(line) + ":" + std::to_string(i - line_start + 1);
    if (text[i] == '\0') {
      return where + ": the policy contains a NUL byte; policies are UTF-8 text (was the file saved as UTF-16 or "
                     "is it not a policy?): save it as UTF-8 or remove the byte";
    }
    return where + ": the policy contains the control character " + util::EscapeForMessage(text.substr(i, len)) +
           "; policies are UTF-8 text without control characters: remove it";
  }
  return "";
}

// The first control character of `s` (see ControlAt), escaped, or "".
std::string FirstControl(std::string_view s, std::string_view allowed) {
  for (size_t i = 0; i < s.size(); ++i)
    if (size_t len = ControlAt(s, i, allowed)) return util::EscapeForMessage(s.substr(i, len));
  return "";
}

// True if the node at `pos` of `text` is a block scalar (| or >, perhaps
// after an anchor and a tag): the only place a policy needs line breaks.
bool IsBlockScalarAt(const std::string& text, int pos) {
  size_t i = pos < 0 ? text.size() : static_cast<size_t>(pos);
  while (i < text.size() && (text[i] == '&' || text[i] == '!')) {
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  }
  return i < text.size() && (text[i] == '|' || text[i] == '>');
}

template <typename E>
using EnumTable = std::vector<std::pair<const char*, E>>;

template <typename E>
std::vector<std::string> EnumNames(const EnumTable<E>& table) {
  std::vector<std::string> out;
  for (const auto& [name, value] : table) out.push_back(name);
  return out;
}

const EnumTable<Sensitivity> kSensitivities = {{"ordinary", Sensitivity::kOrdinary},
                                               {"special", Sensitivity::kSpecial},
                                               {"criminal", Sensitivity::kCriminal},
                                               {"national_id", Sensitivity::kNationalId}};
const EnumTable<LegalBasis> kLegalBases = {{"consent", LegalBasis::kConsent},
                                           {"contract", LegalBasis::kContract},
                                           {"legal_obligation", LegalBasis::kLegalObligation},
                                           {"vital_interests", LegalBasis::kVitalInterests},
                                           {"public_task", LegalBasis::kPublicTask},
                                           {"legitimate_interests", LegalBasis::kLegitimateInterests}};
const EnumTable<Art9Condition> kArt9Conditions = {
    {"explicit_consent", Art9Condition::kExplicitConsent},
    {"employment_law", Art9Condition::kEmploymentLaw},
    {"vital_interests", Art9Condition::kVitalInterests},
    {"not_for_profit", Art9Condition::kNotForProfit},
    {"made_public", Art9Condition::kMadePublic},
    {"legal_claims", Art9Condition::kLegalClaims},
    {"substantial_public_interest", Art9Condition::kSubstantialPublicInterest},
    {"occupational_medicine", Art9Condition::kOccupationalMedicine},
    {"public_health", Art9Condition::kPublicHealth},
    {"archiving_research", Art9Condition::kArchivingResearch}};
const EnumTable<ErasureHandling> kErasureHandlings = {{"erase", ErasureHandling::kErase},
                                                      {"keep", ErasureHandling::kKeep},
                                                      {"anonymise", ErasureHandling::kAnonymise}};
const EnumTable<RetentionAction> kActions = {{"delete", RetentionAction::kDelete},
                                             {"anonymise", RetentionAction::kAnonymise},
                                             {"restrict", RetentionAction::kRestrict}};
const std::vector<std::string> kSpecialCategories = {"health",    "religion", "ethnicity", "political",
                                                     "union",     "sexuality", "genetic",  "biometric"};
const std::vector<std::string> kRecipientTypes = {"processor", "third_party", "authority", "group_entity",
                                                  "client"};
const std::vector<std::string> kSafeguards = {"adequacy", "scc", "bcr", "derogation"};

const std::vector<std::string> kTopKeys = {"version",  "controller", "data_subjects", "categories", "recipients",
                                           "purposes", "datasets",   "retention",     "dsar",
                                           "anonymise", "accepted"};
const std::vector<std::string> kAcceptedKeys = {"finding", "reason", "by", "until"};
const std::vector<std::string> kAcceptedFindingKeys = {"code", "table", "column"};
const std::vector<std::string> kControllerKeys = {"name", "contact", "address", "dpo", "supervisory_authority",
                                                  "security_measures"};
const std::vector<std::string> kDpoKeys = {"name", "contact"};
const std::vector<std::string> kSubjectKeys = {"description"};
const std::vector<std::string> kCategoryKeys = {"description", "sensitivity", "special_category", "detectors"};
const std::vector<std::string> kRecipientKeys = {"description", "type", "country", "agreement", "categories",
                                                 "columns"};
const std::vector<std::string> kPurposeKeys = {"description",  "legal_basis",   "law",        "interest",
                                               "art9_condition", "art10_basis", "data_subjects", "categories",
                                               "recipients",   "transfers",     "automated_decisions",
                                               "consent"};
const std::vector<std::string> kConsentKeys = {"dataset",  "subject_key", "purpose_column", "purpose_value",
                                               "given_at", "withdrawn_at"};
const std::vector<std::string> kTransferKeys = {"country", "recipient", "safeguard"};
const std::vector<std::string> kDatasetKeys = {"description", "data_subject", "subject_key",
                                               "purposes",    "columns",      "relations"};
const std::vector<std::string> kColumnKeys = {"category", "identifier", "description"};
const std::vector<std::string> kRelationKeys = {"columns", "references", "on_delete"};
const std::vector<std::string> kReferenceKeys = {"table", "columns"};
const std::vector<std::string> kRuleKeys = {"description", "dataset", "keep",        "action", "columns",
                                            "set",         "when",    "legal_holds", "basis", "on_erasure",
                                            "notify_before", "notify_columns"};
const std::vector<std::string> kHoldKeys = {"name", "reason", "when"};
const std::vector<std::string> kConditionOps = {"equals", "not_equals", "in",          "is_null",
                                                "before", "after",      "older_than", "within"};
const std::vector<std::string> kDsarKeys = {"response_period", "extension", "identity_check", "identity_methods",
                                            "contact", "register"};

struct Entry {
  Node key;
  Node value;
  std::string name;
};

// The keys of one YAML map, checked against the allowed set.
struct Fields {
  Node node;
  std::map<std::string, Entry> by_name;
  bool ok = false;  // the node was a map

  const Node* Get(const std::string& key) const {
    auto it = by_name.find(key);
    return it == by_name.end() ? nullptr : &it->second.value;
  }
  bool Has(const std::string& key) const { return by_name.count(key) > 0; }
};

class Loader {
 public:
  Loader(std::string file, Policy* policy, std::vector<Diagnostic>* diagnostics)
      : file_(std::move(file)), policy_(policy), diagnostics_(diagnostics) {}

  void LoadRoot(const Node& root);

  // Control characters written as escapes in quoted scalars ("\e[31m",
  // "\0", "\u009b") survive FindControlCharacter. Each one is an error here,
  // and the scalar is replaced by its escaped text, so that later messages
  // (the loader's, validation's, any command's) quote it harmlessly. Keys
  // and list items are names. Line breaks and tabs are text only in block
  // scalars (| and >): anywhere else the value may be an id that a later
  // message quotes. `text` is the policy the nodes were parsed from.
  void RejectControlCharacters(const Node& root, const std::string& text);

 private:
  Location Loc(const Node& n) const {
    Location loc;
    loc.file = file_;
    YAML::Mark m = n.Mark();
    if (!m.is_null()) {
      loc.line = m.line + 1;
      loc.column = m.column + 1;
    }
    return loc;
  }

  // Messages and hints quote ids and values from the file: escaped here once
  // more, whoever built them, so that no diagnostic carries a control byte.
  void Report(Diagnostic::Severity severity, const Location& loc, std::string code, const std::string& message,
              const std::string& hint) {
    Diagnostic d;
    d.severity = severity;
    d.location = loc;
    d.code = std::move(code);
    d.message = util::EscapeForMessage(message, std::string_view::npos);
    d.hint = util::EscapeForMessage(hint, std::string_view::npos);
    diagnostics_->push_back(std::move(d));
  }
  void Error(const Node& at, std::string code, std::string message, std::string hint) {
    Report(Diagnostic::Severity::kError, Loc(at), std::move(code), std::move(message), std::move(hint));
  }

  void Record(const std::string& path, const Node& at) {
    if (!path.empty()) policy_->value_locations[path] = Loc(at);
  }

  void AddTodo(const Node& at, const std::string& key, const std::string& what) {
    policy_->todos.push_back(Todo{key, what, Loc(at)});
  }

  // Entries of a map in file order. Reports keys that are not plain text and
  // keys given twice (`dup_what` names what a key is: "category id", "key").
  std::vector<Entry> Entries(const Node& map, const std::string& where, const std::string& dup_code,
                             const std::string& dup_what) {
    std::vector<Entry> out;
    std::map<std::string, Node> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      Node key = it->first;
      Node value = it->second;
      if (!key.IsScalar()) {
        Error(key, "wrong-type", "a key in " + where + " is " + TypeWord(key) + ", not a name",
              "write a plain name followed by a colon, e.g. `contact:`");
        continue;
      }
      std::string name = key.Scalar();
      // '' or ' ' as an id: every reference to it would look like "none".
      if (Trim(name).empty()) {
        Error(key, "empty-name", "an empty name in " + where, "give it a name, e.g. `contact:` (or remove the entry)");
        continue;
      }
      auto prev = seen.find(name);
      if (prev != seen.end()) {
        Error(key, dup_code, "duplicate " + dup_what + " " + Quote(name) + " in " + where + " (first at " +
                                 Loc(prev->second).ToString() + ")",
              "give each " + dup_what + " once: rename or merge the two");
        continue;
      }
      seen.emplace(name, key);
      out.push_back(Entry{key, value, name});
    }
    return out;
  }

  // Reads the keys of an object (`what`: "purpose 'payroll'"), reporting a
  // node that is not a map and every unknown key.
  Fields Object(const Node& node, const std::string& what, const std::vector<std::string>& allowed,
                const std::string& shape_hint) {
    Fields f;
    f.node = node;
    if (!node.IsMap()) {
      if (node.IsNull() || !node.IsDefined()) {
        // An empty object is legal YAML for "no keys"; required keys are reported by the caller.
        f.ok = true;
        return f;
      }
      Error(node, "wrong-type", what + " must be a map of keys, not " + TypeWord(node), shape_hint);
      return f;
    }
    f.ok = true;
    for (Entry& e : Entries(node, what, "duplicate-key", "key")) {
      if (std::find(allowed.begin(), allowed.end(), e.name) == allowed.end()) {
        std::string suggestion = ClosestMatch(e.name, allowed);
        std::string message = "unknown key " + Quote(e.name) + " in " + what;
        std::string hint = suggestion.empty() ? "valid keys here: " + Join(allowed)
                                              : "did you mean '" + suggestion + "'? valid keys here: " + Join(allowed);
        Error(e.key, "unknown-key", message, hint);
        continue;
      }
      f.by_name.emplace(e.name, std::move(e));
    }
    return f;
  }

  void Missing(const Node& at, const std::string& what, const std::string& key, const std::string& hint) {
    Error(at, "missing-key", what + " has no '" + key + "'", hint);
  }

  // A text value. TODO values are recorded (the text is kept). Returns true if set.
  bool Str(const Fields& f, const std::string& key, const std::string& what, const std::string& path,
           std::string* out) {
    const Node* n = f.Get(key);
    if (n == nullptr || n->IsNull()) return false;
    if (!n->IsScalar()) {
      Error(*n, "wrong-type", "'" + key + "' of " + what + " must be a single value, not " + TypeWord(*n),
            "write " + key + ": followed by text on the same line (quote it if it contains ': ' or '#')");
      return false;
    }
    *out = n->Scalar();
    Record(path, *n);
    if (IsTodoText(*out)) AddTodo(*n, path, "'" + key + "' of " + what);
    return true;
  }

  bool Bool(const Fields& f, const std::string& key, const std::string& what, bool* out) {
    const Node* n = f.Get(key);
    if (n == nullptr || n->IsNull()) return false;
    std::string v = n->IsScalar() ? Lower(n->Scalar()) : "";
    if (v == "true" || v == "yes" || v == "on") {
      *out = true;
      return true;
    }
    if (v == "false" || v == "no" || v == "off") {
      *out = false;
      return true;
    }
    Error(*n, n->IsScalar() ? "invalid-value" : "wrong-type",
          "'" + key + "' of " + what + " must be true or false, not " +
              (n->IsScalar() ? Quote(n->Scalar()) : std::string(TypeWord(*n))),
          "write " + key + ": true  or  " + key + ": false");
    return false;
  }

  // A list of plain values (ids, column names).
  bool List(const Fields& f, const std::string& key, const std::string& what, const std::string& path,
            std::vector<std::string>* out, const std::string& example) {
    const Node* n = f.Get(key);
    if (n == nullptr || n->IsNull()) return false;
    if (!n->IsSequence()) {
      std::string got = n->IsScalar() ? "a single value " + Quote(n->Scalar()) : std::string(TypeWord(*n));
      std::string fix = n->IsScalar() ? "write " + key + ": [" + n->Scalar() + "]" : "write " + key + ": " + example;
      Error(*n, "wrong-type", "'" + key + "' of " + what + " must be a list, not " + got,
            fix + " (a list in square brackets, or one '- item' per line)");
      return false;
    }
    for (const Node& item : *n) {
      if (!item.IsScalar()) {
        Error(item, "wrong-type", "an item of '" + key + "' in " + what + " is " + TypeWord(item) + ", not a name",
              "write " + key + ": " + example);
        continue;
      }
      if (Trim(item.Scalar()).empty()) {
        Error(item, "empty-name", "an item of '" + key + "' in " + what + " is empty, not a name",
              "write " + key + ": " + example + " (or remove the empty item)");
        continue;
      }
      std::string item_path = path.empty() ? path : path + "[" + std::to_string(out->size()) + "]";
      Record(item_path, item);
      if (IsTodoText(item.Scalar())) AddTodo(item, item_path, "an item of '" + key + "' of " + what);
      out->push_back(item.Scalar());
    }
    return true;
  }

  // One value of a fixed set. TODO is recorded and leaves *out unchanged.
  template <typename E>
  bool Enum(const Fields& f, const std::string& key, const std::string& what, const std::string& path,
            const EnumTable<E>& table, E* out) {
    const Node* n = f.Get(key);
    if (n == nullptr || n->IsNull()) return false;
    std::string valid = Join(EnumNames(table));
    if (!n->IsScalar()) {
      Error(*n, "wrong-type", "'" + key + "' of " + what + " must be one value, not " + TypeWord(*n),
            "write " + key + ": one of " + valid);
      return false;
    }
    const std::string& v = n->Scalar();
    Record(path, *n);
    if (IsTodoText(v)) {
      AddTodo(*n, path, "'" + key + "' of " + what);
      return true;  // present, to be filled in
    }
    for (const auto& [name, value] : table) {
      if (v == name) {
        *out = value;
        return true;
      }
    }
    InvalidValue(*n, key, what, v, EnumNames(table));
    return false;
  }

  bool OneOf(const Fields& f, const std::string& key, const std::string& what, const std::string& path,
             const std::vector<std::string>& allowed, std::string* out) {
    const Node* n = f.Get(key);
    if (n == nullptr || n->IsNull()) return false;
    if (!n->IsScalar()) {
      Error(*n, "wrong-type", "'" + key + "' of " + what + " must be one value, not " + TypeWord(*n),
            "write " + key + ": one of " + Join(allowed));
      return false;
    }
    const std::string& v = n->Scalar();
    Record(path, *n);
    if (IsTodoText(v)) {
      AddTodo(*n, path, "'" + key + "' of " + what);
      *out = v;
      return true;
    }
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      InvalidValue(*n, key, what, v, allowed);
      return false;
    }
    *out = v;
    return true;
  }

  void InvalidValue(const Node& at, const std::string& key, const std::string& what, const std::string& value,
                    const std::vector<std::string>& allowed) {
    std::string suggestion = ClosestMatch(value, allowed);
    std::string hint = suggestion.empty() ? "" : "did you mean '" + suggestion + "'? ";
    Error(at, "invalid-value", "invalid " + key + " " + Quote(value) + " for " + what,
          hint + "valid values: " + Join(allowed));
  }

  bool Country(const Fields& f, const std::string& key, const std::string& what, const std::string& path,
               std::string* out) {
    std::string v;
    const Node* n = f.Get(key);
    if (n == nullptr || n->IsNull()) return false;
    Record(path, *n);
    if (!n->IsScalar()) {
      Error(*n, "wrong-type", "'" + key + "' of " + what + " must be a country code, not " + TypeWord(*n),
            "write " + key + ": a two-letter ISO 3166 code, e.g. NL, DE, US");
      return false;
    }
    v = n->Scalar();
    bool ok = v.size() == 2 && std::isalpha(static_cast<unsigned char>(v[0])) &&
              std::isalpha(static_cast<unsigned char>(v[1]));
    if (!ok) {
      Error(*n, "invalid-value", "invalid country " + Quote(v) + " for " + what,
            "write " + key + ": a two-letter ISO 3166 code, e.g. NL, DE, US");
      return false;
    }
    v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
    v[1] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[1])));
    *out = v;
    return true;
  }

  std::optional<util::Duration> DurationValue(const Node& n, const std::string& key, const std::string& what) {
    if (!n.IsScalar()) {
      Error(n, "wrong-type", "'" + key + "' of " + what + " must be a duration, not " + TypeWord(n),
            "write " + key + ": a number and a unit, e.g. 2y, 18m, 4w, 14d");
      return std::nullopt;
    }
    Result<util::Duration> d = util::ParseDuration(Trim(n.Scalar()));
    if (!d.ok()) {
      Error(n, "invalid-duration", "'" + key + "' of " + what + ": " + Quote(n.Scalar()) + " is not a duration",
            "write " + key + ": " + GuessDuration(n.Scalar(), "1m") + " (a number and d, w, m or y)");
      return std::nullopt;
    }
    return d.value();
  }

  // Best guess at what a mistyped duration meant: "2 yrs" -> "2y".
  static std::string GuessDuration(const std::string& text, const std::string& fallback) {
    size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > 6) return fallback;
    std::string number = text.substr(start, i - start);
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    char unit = i < text.size() ? static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))) : 0;
    switch (unit) {
      case 'y':
      case 'j': return number + "y";
      case 'm': return number + "m";
      case 'w': return number + "w";
      case 'd': return number + "d";
      default: return fallback;
    }
  }

  void LoadController(const Node& node);
  void LoadSubjects(const Node& node);
  void LoadCategories(const Node& node);
  void LoadRecipients(const Node& node);
  void LoadPurposes(const Node& node);
  void LoadTransfers(const Node& node, const std::string& what, const std::string& path, Purpose* purpose);
  void LoadConsent(const Node& node, const std::string& purpose_what, const std::string& path, Purpose* purpose);
  void LoadDatasets(const Node& node);
  void LoadColumns(const Node& node, const std::string& what, Dataset* dataset);
  void LoadRelations(const Node& node, const std::string& what, Dataset* dataset);
  void LoadRetention(const Node& node);
  void LoadKeep(const Node& node, const std::string& what, RetentionRule* rule);
  void LoadConditions(const Node& node, const std::string& what, const std::string& path,
                      std::vector<Condition>* out);
  void LoadHolds(const Node& node, const std::string& what, const std::string& path, std::vector<LegalHold>* out);
  void LoadDsar(const Node& node);
  void LoadAnonymise(const Node& node);
  void LoadAccepted(const Node& node);
  void LoadOperatorMap(const Fields& f, const std::string& key, const std::string& what, const std::string& example,
                       std::map<std::string, std::string>* out);

  // The id -> object entries of a top-level section.
  std::vector<Entry> Section(const Node& node, const std::string& section, const std::string& id_word,
                             const std::string& example) {
    if (node.IsNull()) return {};
    if (!node.IsMap()) {
      Error(node, "wrong-type", "'" + section + "' must be a map from " + id_word + " ids to their settings, not " +
                                    TypeWord(node),
            "write each " + id_word + " as an indented `id:` line, e.g.\n        " + example);
      return {};
    }
    return Entries(node, "'" + section + "'", "duplicate-id", id_word + " id");
  }

  std::string file_;
  Policy* policy_;
  std::vector<Diagnostic>* diagnostics_;
};

void Loader::RejectControlCharacters(const Node& root, const std::string& text) {
  struct Item {
    Node node;
    bool name;
  };
  std::vector<Item> stack = {{root, false}};
  // Aliases share nodes: visit each collection once (by its place in the
  // text), or "billion laughs" anchors would take exponential time.
  std::set<std::pair<int, int>> visited;
  while (!stack.empty()) {
    Item item = stack.back();
    stack.pop_back();
    Node n = item.node;
    if (n.IsScalar()) {
      std::string_view allowed = !item.name && IsBlockScalarAt(text, n.Mark().pos) ? "\t\n" : "";
      std::string control = FirstControl(n.Scalar(), allowed);
      if (control.empty()) continue;
      bool whitespace = control == "\\n" || control == "\\r" || control == "\\t";
      Error(n, "invalid-value",
            std::string(item.name ? "a name" : "a value") + " contains the control character " + control,
            whitespace && !item.name
                ? "line breaks and tabs belong only in a block of text (key: | followed by indented lines); "
                  "elsewhere use spaces"
                : "policies are text without control characters: remove the escape from the quoted text");
      n = util::EscapeForMessage(n.Scalar(), std::string_view::npos);
      continue;
    }
    if (!n.IsMap() && !n.IsSequence()) continue;
    YAML::Mark m = n.Mark();
    if (!m.is_null() && !visited.insert({m.pos, static_cast<int>(n.Type())}).second) continue;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (n.IsMap()) {
        stack.push_back({it->first, true});
        stack.push_back({it->second, false});
      } else {
        stack.push_back({*it, true});
      }
    }
  }
}

void Loader::LoadRoot(const Node& root) {
  policy_->file = file_;
  if (!root.IsMap()) {
    Location loc = Loc(root);
    if (loc.line == 0) loc.line = loc.column = 1;
    Report(Diagnostic::Severity::kError, loc, "wrong-type",
           std::string("the policy must be a map of top-level keys, not ") + TypeWord(root),
           "start from `dpo policy init` or docs/policy-example.yaml: version, controller, data_subjects, "
           "categories, purposes, datasets, retention");
    return;
  }
  Fields f = Object(root, "the policy", kTopKeys,
                    "");
  auto at_top = [&](const char* key) { return f.Get(key); };
  Node first_line = root;  // location for keys missing from the whole file

  if (const Node* v = at_top("version")) {
    if (!v->IsScalar() || v->Scalar() != "1") {
      Error(*v, "invalid-value",
            "unsupported policy version " + (v->IsScalar() ? Quote(v->Scalar()) : std::string(TypeWord(*v))),
            "write version: 1 (the only version this dpo reads)");
    }
  } else {
    Missing(first_line, "the policy", "version", "add `version: 1` as the first line");
  }

  struct Required {
    const char* key;
    const char* hint;
  };
  const Required required[] = {
      {"controller", "add controller: with name, contact and dpo (Art. 30(1)(a))"},
      {"data_subjects", "add data_subjects: with one id per group of people, e.g. candidate: { description: ... }"},
      {"categories", "add categories: with one id per kind of personal data, e.g. contact: { sensitivity: ordinary }"},
      {"purposes", "add purposes: with one id per purpose and its legal_basis"},
      {"datasets", "add datasets: with one entry per table or CSV file and its columns"},
  };
  for (const Required& r : required)
    if (!f.Has(r.key)) Missing(first_line, "the policy", r.key, r.hint);

  if (const Node* n = at_top("controller")) LoadController(*n);
  if (const Node* n = at_top("data_subjects")) LoadSubjects(*n);
  if (const Node* n = at_top("categories")) LoadCategories(*n);
  if (const Node* n = at_top("recipients")) LoadRecipients(*n);
  if (const Node* n = at_top("purposes")) LoadPurposes(*n);
  if (const Node* n = at_top("datasets")) LoadDatasets(*n);
  if (const Node* n = at_top("retention")) LoadRetention(*n);
  if (const Node* n = at_top("dsar")) LoadDsar(*n);
  if (const Node* n = at_top("anonymise")) LoadAnonymise(*n);
  if (const Node* n = at_top("accepted")) LoadAccepted(*n);
}

void Loader::LoadController(const Node& node) {
  Controller& c = policy_->controller;
  c.location = Loc(node);
  const std::string what = "the controller";
  Fields f = Object(node, what, kControllerKeys,
                    "write controller: with indented keys name, contact, address, dpo: { name: ..., contact: ... }");
  if (!f.ok) return;
  if (!Str(f, "name", what, "controller.name", &c.name))
    Missing(node, what, "name", "add name: the legal name of your organisation (Art. 30(1)(a))");
  if (!Str(f, "contact", what, "controller.contact", &c.contact))
    Missing(node, what, "contact", "add contact: the e-mail or address for privacy questions");
  Str(f, "address", what, "controller.address", &c.address);
  Str(f, "supervisory_authority", what, "controller.supervisory_authority", &c.supervisory_authority);
  Str(f, "security_measures", what, "controller.security_measures", &c.security_measures);
  if (const Node* dpo = f.Get("dpo")) {
    const std::string dwhat = "the data protection officer (controller.dpo)";
    Fields d = Object(*dpo, dwhat, kDpoKeys, "write dpo: { name: J. de Vries, contact: fg@example.nl }");
    if (d.ok) {
      Str(d, "name", dwhat, "controller.dpo.name", &c.dpo_name);
      Str(d, "contact", dwhat, "controller.dpo.contact", &c.dpo_contact);
    }
  }
}

void Loader::LoadSubjects(const Node& node) {
  for (const Entry& e : Section(node, "data_subjects", "data subject", "candidate: { description: Candidates }")) {
    DataSubject s;
    s.id = e.name;
    s.location = Loc(e.key);
    const std::string what = "data subject '" + e.name + "'";
    Fields f = Object(e.value, what, kSubjectKeys, "write " + e.name + ": { description: ... }");
    Str(f, "description", what, "data_subjects." + e.name + ".description", &s.description);
    policy_->data_subjects.push_back(std::move(s));
  }
}

void Loader::LoadCategories(const Node& node) {
  for (const Entry& e :
       Section(node, "categories", "category", "contact: { description: ..., sensitivity: ordinary }")) {
    Category c;
    c.id = e.name;
    c.location = Loc(e.key);
    const std::string what = "category '" + e.name + "'";
    const std::string path = "categories." + e.name;
    Fields f = Object(e.value, what, kCategoryKeys,
                      "write " + e.name + ": { description: ..., sensitivity: ordinary, detectors: [email] }");
    Str(f, "description", what, path + ".description", &c.description);
    Enum(f, "sensitivity", what, path + ".sensitivity", kSensitivities, &c.sensitivity);
    OneOf(f, "special_category", what, path + ".special_category", kSpecialCategories, &c.special_category);
    List(f, "detectors", what, path + ".detectors", &c.detectors, "[email, phone]");
    policy_->categories.push_back(std::move(c));
  }
}

void Loader::LoadRecipients(const Node& node) {
  for (const Entry& e :
       Section(node, "recipients", "recipient", "payroll: { description: ..., type: processor, agreement: ... }")) {
    Recipient r;
    r.id = e.name;
    r.country = "NL";
    r.location = Loc(e.key);
    const std::string what = "recipient '" + e.name + "'";
    const std::string path = "recipients." + e.name;
    Fields f = Object(e.value, what, kRecipientKeys, "write " + e.name + ": { description: ..., type: processor }");
    if (!f.ok) {
      policy_->recipients.push_back(std::move(r));
      continue;
    }
    Str(f, "description", what, path + ".description", &r.description);
    if (!OneOf(f, "type", what, path + ".type", kRecipientTypes, &r.type) && !f.Has("type"))
      Missing(e.key, what, "type", "add type: one of " + Join(kRecipientTypes));
    Country(f, "country", what, path + ".country", &r.country);
    Str(f, "agreement", what, path + ".agreement", &r.agreement);
    List(f, "categories", what, path + ".categories", &r.categories, "[contact, career]");
    List(f, "columns", what, path + ".columns", &r.columns, "[candidates.first_name, candidates.city]");
    policy_->recipients.push_back(std::move(r));
  }
}

void Loader::LoadPurposes(const Node& node) {
  for (const Entry& e : Section(node, "purposes", "purpose", "mediation: { legal_basis: consent, ... }")) {
    Purpose p;
    p.id = e.name;
    p.location = Loc(e.key);
    const std::string what = "purpose '" + e.name + "'";
    const std::string path = "purposes." + e.name;
    Fields f = Object(e.value, what, kPurposeKeys,
                      "write " + e.name + ": with indented keys description, legal_basis, data_subjects, categories");
    if (!f.ok) {
      policy_->purposes.push_back(std::move(p));
      continue;
    }
    Str(f, "description", what, path + ".description", &p.description);
    if (!f.Has("legal_basis"))
      Missing(e.key, what, "legal_basis", "add legal_basis: one of " + Join(EnumNames(kLegalBases)) + " (Art. 6(1))");
    else
      Enum(f, "legal_basis", what, path + ".legal_basis", kLegalBases, &p.legal_basis);
    Str(f, "law", what, path + ".law", &p.law);
    Str(f, "interest", what, path + ".interest", &p.interest);
    Art9Condition condition = Art9Condition::kExplicitConsent;
    if (f.Has("art9_condition") && Enum(f, "art9_condition", what, path + ".art9_condition", kArt9Conditions,
                                        &condition) &&
        !policy_->IsTodo(path + ".art9_condition"))
      p.art9_condition = condition;
    Str(f, "art10_basis", what, path + ".art10_basis", &p.art10_basis);
    List(f, "data_subjects", what, path + ".data_subjects", &p.data_subjects, "[candidate]");
    List(f, "categories", what, path + ".categories", &p.categories, "[contact]");
    List(f, "recipients", what, path + ".recipients", &p.recipients, "[clients]");
    Bool(f, "automated_decisions", what, &p.automated_decisions);
    if (const Node* t = f.Get("transfers")) LoadTransfers(*t, what, path + ".transfers", &p);
    if (const Node* c = f.Get("consent"); c != nullptr && !c->IsNull()) LoadConsent(*c, what, path + ".consent", &p);
    policy_->purposes.push_back(std::move(p));
  }
}

void Loader::LoadConsent(const Node& node, const std::string& purpose_what, const std::string& path,
                         Purpose* purpose) {
  const std::string what = "'consent' of " + purpose_what;
  const std::string example =
      "consent: { dataset: consents, purpose_column: purpose, given_at: given_at, withdrawn_at: withdrawn_at }";
  Fields f = Object(node, what, kConsentKeys, "write " + example);
  if (!f.ok) return;
  ConsentRecords c;
  c.location = Loc(node);
  if (!Str(f, "dataset", what, path + ".dataset", &c.dataset))
    Missing(node, what, "dataset", "add dataset: the table (or CSV file stem) where consents are recorded");
  Str(f, "subject_key", what, path + ".subject_key", &c.subject_key);
  Str(f, "purpose_column", what, path + ".purpose_column", &c.purpose_column);
  if (!Str(f, "purpose_value", what, path + ".purpose_value", &c.purpose_value)) c.purpose_value = purpose->id;
  if (f.Has("purpose_value") && c.purpose_column.empty())
    Error(*f.Get("purpose_value"), "invalid-value", "purpose_value of " + what + " needs purpose_column",
          "add purpose_column: the column of " + (c.dataset.empty() ? std::string("the dataset") : c.dataset) +
              " that names the purpose, or drop purpose_value");
  if (!Str(f, "given_at", what, path + ".given_at", &c.given_at))
    Missing(node, what, "given_at", "add given_at: the date column that says when the consent was given");
  Str(f, "withdrawn_at", what, path + ".withdrawn_at", &c.withdrawn_at);
  purpose->consent = std::move(c);
}

void Loader::LoadTransfers(const Node& node, const std::string& purpose_what, const std::string& list_path,
                           Purpose* purpose) {
  if (node.IsNull()) return;
  const std::string example = "- { country: US, recipient: payroll, safeguard: scc }";
  if (!node.IsSequence()) {
    Error(node, "wrong-type", "'transfers' of " + purpose_what + " must be a list, not " + TypeWord(node),
          "write one transfer per line: " + example);
    return;
  }
  for (const Node& item : node) {
    Transfer t;
    t.location = Loc(item);
    const std::string what = "a transfer of " + purpose_what;
    const std::string path = list_path + "[" + std::to_string(purpose->transfers.size()) + "]";
    Fields f = Object(item, what, kTransferKeys, "write " + example);
    if (!f.ok) {
      purpose->transfers.push_back(std::move(t));
      continue;
    }
    if (!Country(f, "country", what, path + ".country", &t.country) && !f.Has("country"))
      Missing(item, what, "country", "add country: the two-letter code of the country outside the EU/EEA");
    if (!Str(f, "recipient", what, path + ".recipient", &t.recipient))
      Missing(item, what, "recipient", "add recipient: the id of the recipient that receives the data");
    OneOf(f, "safeguard", what, path + ".safeguard", kSafeguards, &t.safeguard);
    purpose->transfers.push_back(std::move(t));
  }
}

void Loader::LoadDatasets(const Node& node) {
  for (const Entry& e : Section(node, "datasets", "dataset", "candidates: { data_subject: candidate, columns: ... }")) {
    Dataset d;
    d.table = e.name;
    d.location = Loc(e.key);
    const std::string what = "dataset '" + e.name + "'";
    const std::string path = "datasets." + e.name;
    Fields f = Object(e.value, what, kDatasetKeys,
                      "write " + e.name + ": with indented keys data_subject, subject_key, purposes, columns");
    if (!f.ok) {
      policy_->datasets.push_back(std::move(d));
      continue;
    }
    Str(f, "description", what, path + ".description", &d.description);
    Str(f, "data_subject", what, path + ".data_subject", &d.data_subject);
    Str(f, "subject_key", what, path + ".subject_key", &d.subject_key);
    List(f, "purposes", what, path + ".purposes", &d.purposes, "[mediation]");
    if (const Node* c = f.Get("columns"); c != nullptr && c->IsNull())
      // `columns:` (or `columns: null`) with nothing under it declares no
      // column at all: the dataset would pass every check while saying nothing.
      Error(f.by_name.at("columns").key, "empty-value", what + " has columns: but no column under it",
            "add one indented line per column: a category id, or none when it is not personal data");
    else if (c != nullptr)
      LoadColumns(*c, what, &d);
    else
      Missing(e.key, what, "columns",
              "add columns: with one line per column: a category id, or none when it is not personal data");
    if (const Node* r = f.Get("relations")) LoadRelations(*r, what, &d);
    policy_->datasets.push_back(std::move(d));
  }
}

void Loader::LoadColumns(const Node& node, const std::string& dataset_what, Dataset* dataset) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    Error(node, "wrong-type", "'columns' of " + dataset_what + " must be a map from column names, not " +
                                  TypeWord(node),
          "write one indented line per column: `email: contact`, or `id: none`");
    return;
  }
  for (const Entry& e : Entries(node, "the columns of " + dataset_what, "duplicate-id", "column")) {
    ColumnMapping m;
    m.column = e.name;
    m.location = Loc(e.key);
    const std::string what = "column '" + e.name + "' of " + dataset_what;
    const std::string path = "datasets." + dataset->table + ".columns." + e.name;
    const std::string hint = "write " + e.name + ": CATEGORY_ID, or " + e.name + ": none (reviewed: not personal data), or " +
                             e.name + ": { category: CATEGORY_ID, identifier: true }";
    if (e.value.IsScalar() && Trim(e.value.Scalar()).empty()) {
      // '' would silently mean "not personal data", which only `none` may say.
      Error(e.value, "empty-value", what + " has an empty category", hint);
    } else if (e.value.IsScalar()) {
      std::string v = e.value.Scalar();
      Record(path, e.value);
      if (IsTodoText(v))
        AddTodo(e.value, path, "the category of " + what);
      else if (v != "none")
        m.category = v;
    } else if (e.value.IsMap()) {
      Fields f = Object(e.value, what, kColumnKeys, hint);
      std::string category;
      if (Str(f, "category", what, path, &category)) {
        if (Trim(category).empty())
          Error(*f.Get("category"), "empty-value", what + " has an empty category", hint);
        else if (category != "none" && !IsTodoText(category)) m.category = category;
      } else {
        Missing(e.key, what, "category", "add category: a category id, or none");
      }
      Bool(f, "identifier", what, &m.identifier);
      Str(f, "description", what, path + ".description", &m.description);
    } else {
      Error(e.value.IsNull() ? e.key : e.value, "wrong-type",
            what + " must name a category or none, not " + TypeWord(e.value), hint);
    }
    dataset->columns.push_back(std::move(m));
  }
}

void Loader::LoadRelations(const Node& node, const std::string& dataset_what, Dataset* dataset) {
  if (node.IsNull()) return;
  const std::string example = "- { columns: [employee_id], references: employees.id }";
  if (!node.IsSequence()) {
    Error(node, "wrong-type", "'relations' of " + dataset_what + " must be a list, not " + TypeWord(node),
          "write one relation per line: " + example);
    return;
  }
  for (const Node& item : node) {
    Relation r;
    r.location = Loc(item);
    const std::string what = "a relation of " + dataset_what;
    const std::string path =
        "datasets." + dataset->table + ".relations[" + std::to_string(dataset->relations.size()) + "]";
    Fields f = Object(item, what, kRelationKeys, "write " + example);
    if (!f.ok) {
      dataset->relations.push_back(std::move(r));
      continue;
    }
    if (!List(f, "columns", what, path + ".columns", &r.columns, "[employee_id]") && !f.Has("columns"))
      Missing(item, what, "columns", "add columns: [the column(s) of this dataset that refer to another table]");
    const Node* ref = f.Get("references");
    if (ref == nullptr || ref->IsNull()) {
      if (ref == nullptr) Missing(item, what, "references", "add references: TABLE.COLUMN, e.g. employees.id");
    } else if (ref->IsScalar()) {
      std::string v = Trim(ref->Scalar());
      Record(path + ".references", *ref);
      size_t dot = v.rfind('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == v.size()) {
        Error(*ref, "invalid-value", "references " + Quote(v) + " of " + dataset_what + " is not TABLE.COLUMN",
              "write references: employees.id, or references: { table: employees, columns: [id] }");
      } else {
        r.referenced_table = v.substr(0, dot);
        r.referenced_columns.push_back(v.substr(dot + 1));
      }
    } else {
      Fields rf = Object(*ref, "the references of " + what, kReferenceKeys,
                         "write references: employees.id, or references: { table: employees, columns: [id] }");
      if (rf.ok) {
        if (!Str(rf, "table", what, path + ".references", &r.referenced_table))
          Missing(*ref, "the references of " + what, "table", "add table: the referenced table");
        if (!List(rf, "columns", what, "", &r.referenced_columns, "[id]"))
          Missing(*ref, "the references of " + what, "columns", "add columns: [the referenced column(s)]");
      }
    }
    if (const Node* od = f.Get("on_delete")) {
      std::string v = od->IsScalar() ? Trim(od->Scalar()) : std::string();
      Record(path + ".on_delete", *od);
      if (v == "cascade") {
        r.on_delete = Relation::OnDelete::kCascade;
      } else if (v == "set_null") {
        r.on_delete = Relation::OnDelete::kSetNull;
      } else if (v == "restrict") {
        r.on_delete = Relation::OnDelete::kRestrict;
      } else {
        Error(*od, "invalid-value", "on_delete of " + what + " must be cascade, set_null or restrict",
              "write on_delete: cascade (rows go with the referenced row), set_null, or restrict (the default)");
      }
    }
    if (!r.columns.empty() && !r.referenced_columns.empty() && r.columns.size() != r.referenced_columns.size()) {
      Error(item, "invalid-value",
            what + " has " + std::to_string(r.columns.size()) + " column(s) but references " +
                std::to_string(r.referenced_columns.size()),
            "give as many referenced columns as columns, in the same order");
    }
    dataset->relations.push_back(std::move(r));
  }
}

void Loader::LoadKeep(const Node& n, const std::string& what, RetentionRule* rule) {
  const std::string hint_tail = " (a number and d, w, m or y, then `after` and the date column it counts from)";
  if (!n.IsScalar()) {
    Error(n, "wrong-type", "'keep' of " + what + " must be a period, not " + TypeWord(n),
          "write keep: 2y after last_active_at" + hint_tail);
    return;
  }
  std::string text = Trim(n.Scalar());
  Record("retention." + rule->id + ".keep", n);
  if (IsTodoText(text)) {
    rule->todo = true;
    std::string name = rule->dataset.empty() ? rule->id : rule->dataset;
    policy_->todos.push_back(Todo{"retention." + rule->id + ".keep", "retention for " + name, Loc(n)});
    return;
  }
  std::string lower = Lower(text);
  size_t after = lower.find(" after ");
  std::string period = after == std::string::npos ? text : Trim(text.substr(0, after));
  std::string column = after == std::string::npos ? "" : Trim(text.substr(after + 7));
  std::string suggested_column = column.empty() ? "last_active_at" : column;
  Result<util::Duration> d = util::ParseDuration(period);
  if (!d.ok()) {
    Error(n, "invalid-duration", "'keep' of " + what + ": " + Quote(period) + " is not a period",
          "write keep: " + GuessDuration(period, "2y") + " after " + suggested_column + hint_tail);
    return;
  }
  if (column.empty()) {
    Error(n, "keep-without-after",
          "'keep' of " + what + " says how long (" + d.value().ToString() + ") but not from when",
          "write keep: " + d.value().ToString() + " after DATE_COLUMN, e.g. keep: " + d.value().ToString() +
              " after last_active_at");
    return;
  }
  // "[latest] [TABLE.]COLUMN [or COLUMN]"
  std::string anchor = column;
  std::string lower_anchor = Lower(anchor);
  bool latest = false;
  if (lower_anchor.rfind("latest ", 0) == 0) {
    latest = true;
    anchor = Trim(anchor.substr(7));
    lower_anchor = Lower(anchor);
  }
  std::string fallback;
  if (size_t or_at = lower_anchor.find(" or "); or_at != std::string::npos) {
    fallback = Trim(anchor.substr(or_at + 4));
    anchor = Trim(anchor.substr(0, or_at));
  }
  const std::string keep_text = d.value().ToString();
  auto one_name = [](const std::string& s) { return !s.empty() && s.find_first_of(" \t,;") == std::string::npos; };
  if (!one_name(anchor) || (!fallback.empty() && !one_name(fallback))) {
    Error(n, "invalid-value", "'keep' of " + what + ": " + Quote(column) + " is not one column name",
          "write keep: " + keep_text + " after COLUMN with a single date column, keep: " + keep_text +
              " after TABLE.COLUMN (the row this row points to), or keep: " + keep_text +
              " after latest TABLE.COLUMN or COLUMN (the newest row pointing to this one); rows that need other "
              "conditions: add when:");
    return;
  }
  std::string table;
  // The last dot splits table from column, so that a PostgreSQL table
  // written as schema.table keeps its schema.
  if (size_t dot = anchor.rfind('.'); dot != std::string::npos) {
    table = anchor.substr(0, dot);
    anchor = anchor.substr(dot + 1);
    if (table.empty() || anchor.empty()) {
      Error(n, "invalid-value", "'keep' of " + what + ": " + Quote(column) + " is not TABLE.COLUMN",
            "write keep: " + keep_text + " after TABLE.COLUMN (a table and its date column), e.g. keep: " +
                keep_text + " after orders.order_date");
      return;
    }
  }
  if (latest && table.empty()) {
    Error(n, "invalid-value",
          "'keep' of " + what + ": 'latest' needs the table whose rows point to this one, as TABLE.COLUMN",
          "write keep: " + keep_text + " after latest TABLE." + anchor +
              (fallback.empty() ? std::string() : " or " + fallback) + ", or drop 'latest' for a column of " +
              (rule->dataset.empty() ? std::string("the dataset") : rule->dataset) + " itself");
    return;
  }
  if (!fallback.empty() && !latest) {
    Error(n, "invalid-value",
          "'keep' of " + what + ": 'or " + fallback + "' only goes with 'latest TABLE.COLUMN'",
          "write keep: " + keep_text + " after latest TABLE.COLUMN or " + fallback + ", or keep: " + keep_text +
              " after " + fallback);
    return;
  }
  rule->keep = d.value();
  rule->after_column = anchor;
  rule->after_table = table;
  rule->after_latest = latest;
  rule->after_fallback = fallback;
}

void Loader::LoadRetention(const Node& node) {
  for (const Entry& e :
       Section(node, "retention", "retention rule", "candidates: { dataset: candidates, keep: 2y after last_active_at }")) {
    RetentionRule r;
    r.id = e.name;
    r.location = Loc(e.key);
    const std::string what = "retention rule '" + e.name + "'";
    const std::string path = "retention." + e.name;
    Fields f = Object(e.value, what, kRuleKeys,
                      "write " + e.name + ": with indented keys dataset, keep, action, basis");
    if (!f.ok) {
      policy_->retention.push_back(std::move(r));
      continue;
    }
    Str(f, "description", what, path + ".description", &r.description);
    if (!Str(f, "dataset", what, path + ".dataset", &r.dataset))
      Missing(e.key, what, "dataset", "add dataset: the table (or CSV file stem) this rule applies to");
    if (const Node* k = f.Get("keep"); k != nullptr && !k->IsNull())
      LoadKeep(*k, what, &r);
    else
      Missing(e.key, what, "keep", "add keep: 2y after last_active_at (or keep: TODO while you find out)");
    Enum(f, "action", what, path + ".action", kActions, &r.action);
    List(f, "columns", what, path + ".columns", &r.columns, "[notes, phone]");
    if (const Node* s = f.Get("set"); s != nullptr && !s->IsNull()) {
      if (!s->IsMap()) {
        Error(*s, "wrong-type", "'set' of " + what + " must be a map of column: value, not " + TypeWord(*s),
              "write set: { status: inactive }");
      } else {
        for (const Entry& se : Entries(*s, "'set' of " + what, "duplicate-key", "column")) {
          if (!se.value.IsScalar() && !se.value.IsNull()) {
            Error(se.value, "wrong-type", "the value for column '" + se.name + "' in 'set' of " + what +
                                              " must be a single value, not " + TypeWord(se.value),
                  "write " + se.name + ": inactive");
            continue;
          }
          Record(path + ".set." + se.name, se.key);
          r.set[se.name] = se.value.IsNull() ? "" : se.value.Scalar();
        }
      }
    }
    if (r.action == RetentionAction::kAnonymise && r.columns.empty() && !f.Has("columns"))
      Missing(e.key, what, "columns", "action anonymise needs columns: [the columns to anonymise]");
    if (r.action == RetentionAction::kRestrict && r.set.empty() && !f.Has("set"))
      Missing(e.key, what, "set", "action restrict needs set: { status: restricted } (the columns to change)");
    Str(f, "basis", what, path + ".basis", &r.basis);
    Enum(f, "on_erasure", what, path + ".on_erasure", kErasureHandlings, &r.on_erasure);
    if (r.on_erasure == ErasureHandling::kAnonymise && r.action != RetentionAction::kAnonymise && f.Has("on_erasure"))
      Error(*f.Get("on_erasure"), "invalid-value",
            "on_erasure: anonymise of " + what + " needs action: anonymise (its columns say what to anonymise)",
            "write on_erasure: keep, or make the rule's action anonymise with columns");
    if (const Node* n = f.Get("notify_before"); n != nullptr && !n->IsNull())
      if (auto d = DurationValue(*n, "notify_before", what)) r.notify_before = *d;
    List(f, "notify_columns", what, path + ".notify_columns", &r.notify_columns, "[first_name, email]");
    if (r.notify_before && r.notify_columns.empty() && !f.Has("notify_columns"))
      Missing(e.key, what, "notify_columns",
              "notify_before needs notify_columns: [first_name, email] (the columns to write to the subject with)");
    if (const Node* w = f.Get("when")) LoadConditions(*w, what, path + ".when", &r.when);
    if (const Node* h = f.Get("legal_holds")) LoadHolds(*h, what, path + ".legal_holds", &r.legal_holds);
    policy_->retention.push_back(std::move(r));
  }
}

void Loader::LoadConditions(const Node& node, const std::string& owner_what, const std::string& list_path,
                            std::vector<Condition>* out) {
  if (node.IsNull()) return;
  const std::string example = "- { column: status, equals: inactive }";
  if (!node.IsSequence()) {
    Error(node, "wrong-type", "'when' of " + owner_what + " must be a list of conditions, not " + TypeWord(node),
          "write one condition per line: " + example);
    return;
  }
  std::vector<std::string> allowed = kConditionOps;
  allowed.insert(allowed.begin(), "column");
  size_t index = 0;
  for (const Node& item : node) {
    Condition c;
    c.location = Loc(item);
    const std::string what = "a condition of " + owner_what;
    const std::string path = list_path + "[" + std::to_string(index++) + "]";
    Fields f = Object(item, what, allowed, "write " + example);
    if (!f.ok) continue;
    if (!Str(f, "column", what, path + ".column", &c.column)) Missing(item, what, "column", "add column: the column to test");
    std::vector<std::string> ops;
    for (const std::string& op : kConditionOps)
      if (f.Has(op)) ops.push_back(op);
    if (ops.empty()) {
      Missing(item, what, "an operator",
              "add one of " + Join(kConditionOps) + ", e.g. { column: status, equals: inactive }");
      continue;
    }
    if (ops.size() > 1) {
      Error(item, "invalid-value", what + " has " + std::to_string(ops.size()) + " operators (" + Join(ops) + ")",
            "use one operator per condition; several conditions in the list must all hold");
      continue;
    }
    const std::string& op = ops[0];
    const Node& v = *f.Get(op);
    bool ok = true;
    if (op == "in") {
      ok = List(f, "in", what, "", &c.values, "[inactive, archived]");
      if (ok && c.values.empty())
        Error(v, "invalid-value", "'in' of " + what + " is an empty list", "write in: [value1, value2]");
      c.op = Condition::Op::kIn;
    } else if (op == "is_null") {
      bool b = true;
      ok = Bool(f, "is_null", what, &b);
      c.op = b ? Condition::Op::kIsNull : Condition::Op::kIsNotNull;
    } else if (op == "older_than" || op == "within") {
      c.op = op == "older_than" ? Condition::Op::kOlderThan : Condition::Op::kWithin;
      if (v.IsNull()) {
        Error(v, "missing-key", "'" + op + "' of " + what + " has no value", "write " + op + ": 7y");
        ok = false;
      } else {
        c.duration = DurationValue(v, op, what);
        ok = c.duration.has_value();
      }
    } else {
      if (!v.IsScalar()) {
        Error(v.IsNull() ? item : v, "wrong-type",
              "'" + op + "' of " + what + " must be a single value, not " + TypeWord(v),
              "write { column: " + (c.column.empty() ? std::string("status") : c.column) + ", " + op + ": VALUE }");
        ok = false;
      } else {
        c.values.push_back(v.Scalar());
        if (op == "equals") c.op = Condition::Op::kEquals;
        if (op == "not_equals") c.op = Condition::Op::kNotEquals;
        if (op == "before" || op == "after") {
          c.op = op == "before" ? Condition::Op::kBefore : Condition::Op::kAfter;
          if (!util::ParseIsoDate(v.Scalar()).ok()) {
            Error(v, "invalid-value", "'" + op + "' of " + what + ": " + Quote(v.Scalar()) + " is not a date",
                  "write " + op + ": YYYY-MM-DD, e.g. " + op + ": 2020-01-01");
            ok = false;
          }
        }
      }
    }
    if (ok) out->push_back(std::move(c));
  }
}

void Loader::LoadHolds(const Node& node, const std::string& rule_what, const std::string& list_path,
                       std::vector<LegalHold>* out) {
  if (node.IsNull()) return;
  const std::string example = "- { name: open_claim, reason: Art. 17(3)(e), when: [ { column: dispute_open, equals: 1 } ] }";
  if (!node.IsSequence()) {
    Error(node, "wrong-type", "'legal_holds' of " + rule_what + " must be a list, not " + TypeWord(node),
          "write one hold per item: " + example);
    return;
  }
  for (const Node& item : node) {
    LegalHold h;
    h.location = Loc(item);
    std::string what = "a legal hold of " + rule_what;
    const std::string path = list_path + "[" + std::to_string(out->size()) + "]";
    Fields f = Object(item, what, kHoldKeys, "write " + example);
    if (!f.ok) {
      out->push_back(std::move(h));
      continue;
    }
    if (!Str(f, "name", what, path + ".name", &h.name)) Missing(item, what, "name", "add name: a short id for the hold");
    if (!h.name.empty()) what = "legal hold '" + h.name + "' of " + rule_what;
    Str(f, "reason", what, path + ".reason", &h.reason);
    if (const Node* w = f.Get("when"); w != nullptr && !w->IsNull())
      LoadConditions(*w, what, path + ".when", &h.when);
    else
      Missing(item, what, "when", "add when: [ { column: ..., equals: ... } ]: a hold without conditions would hold every row");
    out->push_back(std::move(h));
  }
}

void Loader::LoadDsar(const Node& node) {
  DsarSettings& s = policy_->dsar;
  s.location = Loc(node);
  const std::string what = "the dsar settings";
  Fields f = Object(node, what, kDsarKeys, "write dsar: with indented keys response_period, extension, contact");
  if (!f.ok) return;
  if (const Node* n = f.Get("response_period"); n != nullptr && !n->IsNull())
    if (auto d = DurationValue(*n, "response_period", what)) s.response_period = *d;
  if (const Node* n = f.Get("extension"); n != nullptr && !n->IsNull())
    if (auto d = DurationValue(*n, "extension", what)) s.extension = *d;
  Bool(f, "identity_check", what, &s.identity_check);
  List(f, "identity_methods", what, "dsar.identity_methods", &s.identity_methods, "[email_confirmation]");
  Str(f, "contact", what, "dsar.contact", &s.contact);
  Str(f, "register", what, "dsar.register", &s.register_path);
}

void Loader::LoadOperatorMap(const Fields& f, const std::string& key, const std::string& what,
                             const std::string& example, std::map<std::string, std::string>* out) {
  const Node* m = f.Get(key);
  if (m == nullptr || m->IsNull()) return;
  if (!m->IsMap()) {
    Error(*m, "wrong-type", "'" + key + "' of " + what + " must be a map of names to operators, not " + TypeWord(*m),
          "write " + key + ": with indented lines such as " + example);
    return;
  }
  for (const Entry& e : Entries(*m, "'" + key + "' of " + what, "duplicate-key", key == "columns" ? "column" : "category")) {
    std::string path = "anonymise." + key + "." + e.name;
    if (e.value.IsNull()) {  // `email: null` is YAML's null: the operator null
      Record(path, e.key);
      (*out)[e.name] = "null";
      continue;
    }
    if (!e.value.IsScalar()) {
      Error(e.value, "wrong-type", "the operator for '" + e.name + "' in '" + key + "' of " + what +
                                       " must be a single name, not " + TypeWord(e.value),
            "write " + example + " (operators: docs/policy-format.md, section anonymise)");
      continue;
    }
    Record(path, e.value);
    if (IsTodoText(e.value.Scalar())) AddTodo(e.value, path, "operator for '" + e.name + "' in " + what);
    (*out)[e.name] = e.value.Scalar();
  }
}

void Loader::LoadAnonymise(const Node& node) {
  AnonymiseSettings& s = policy_->anonymise;
  s.location = Loc(node);
  const std::string what = "the anonymise settings";
  Fields f = Object(node, what, {"categories", "columns", "quasi_identifiers", "k"},
                    "write anonymise: with indented keys categories, columns, quasi_identifiers, k");
  if (!f.ok) return;
  LoadOperatorMap(f, "categories", what, "`contact: pseudonym`", &s.category_operators);
  LoadOperatorMap(f, "columns", what, "`candidates.date_of_birth: generalise:year`", &s.column_operators);
  List(f, "quasi_identifiers", what, "anonymise.quasi_identifiers", &s.quasi_identifiers,
       "[candidates.date_of_birth, candidates.postcode, candidates.gender]");
  if (const Node* n = f.Get("k"); n != nullptr && !n->IsNull()) {
    std::string v = n->IsScalar() ? n->Scalar() : "";
    int k = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), k);
    if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || k < 1 || k > 1000000)
      Error(*n, "invalid-value", "'k' of " + what + " must be a whole number from 1 to 1000000",
            "write k: 5 (every combination of quasi-identifiers shared by at least 5 rows)");
    else
      s.k = k;
    Record("anonymise.k", *n);
  }
}

void Loader::LoadAccepted(const Node& node) {
  if (node.IsNull()) return;
  const std::string example =
      "- { finding: undeclared-personal-data:candidates.notes:datasets.candidates, reason: ..., by: ..., until: "
      "2027-06-30 }";
  if (!node.IsSequence()) {
    Error(node, "wrong-type", "'accepted' must be a list of accepted findings, not " + std::string(TypeWord(node)),
          "write one entry per item: " + example);
    return;
  }
  size_t index = 0;
  for (const Node& item : node) {
    Acceptance a;
    a.location = Loc(item);
    const std::string path = "accepted[" + std::to_string(index) + "]";
    const std::string what = "accepted finding #" + std::to_string(++index);
    Fields f = Object(item, what, kAcceptedKeys, "write " + example);
    if (!f.ok) continue;
    bool complete = true;
    const Node* finding = f.Get("finding");
    if (finding == nullptr || finding->IsNull()) {
      Missing(item, what, "finding",
              "add finding: the fingerprint `dpo scan --format json` prints, or { code: ..., table: ..., column: ... }");
      complete = false;
    } else if (finding->IsScalar()) {
      a.fingerprint = Trim(finding->Scalar());
      Record(path + ".finding", *finding);
      // CODE:TABLE...: a code alone, or a table alone, matches nothing.
      const size_t colon = a.fingerprint.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == a.fingerprint.size()) {
        Error(*finding, "invalid-value", "finding " + Quote(a.fingerprint) + " of " + what + " is not a fingerprint",
              "copy the finding's \"fingerprint\" from `dpo scan --format json` (CODE:TABLE.COLUMN:RULE), or write "
              "finding: { code: ..., table: ..., column: ... }");
        complete = false;
      }
    } else {
      const std::string fwhat = "the finding of " + what;
      Fields ff = Object(*finding, fwhat, kAcceptedFindingKeys,
                         "write finding: { code: undeclared-personal-data, table: candidates, column: notes }");
      if (!ff.ok) {
        complete = false;
      } else {
        if (!Str(ff, "code", fwhat, path + ".finding.code", &a.code)) {
          Missing(*finding, fwhat, "code", "add code: the finding's code, e.g. undeclared-personal-data");
          complete = false;
        }
        if (!Str(ff, "table", fwhat, path + ".finding.table", &a.table)) {
          Missing(*finding, fwhat, "table", "add table: the table (or CSV file stem) of the finding");
          complete = false;
        }
        Str(ff, "column", fwhat, path + ".finding.column", &a.column);
      }
    }
    if (!Str(f, "reason", what, path + ".reason", &a.reason) || Trim(a.reason).empty()) {
      Missing(item, what, "reason", "add reason: why the finding is accepted for now (for the auditor)");
      complete = false;
    }
    if (!Str(f, "by", what, path + ".by", &a.by) || Trim(a.by).empty()) {
      Missing(item, what, "by", "add by: who accepted it (a name or role, e.g. the DPO)");
      complete = false;
    }
    const Node* until = f.Get("until");
    if (until == nullptr || until->IsNull()) {
      Missing(item, what, "until",
              "add until: YYYY-MM-DD, the last day it is accepted; after it the finding fails the scan again");
      complete = false;
    } else {
      Record(path + ".until", *until);
      std::string v = until->IsScalar() ? Trim(until->Scalar()) : std::string();
      Result<util::Date> date = util::ParseIsoDate(v);
      if (!until->IsScalar() || v.size() != 10 || !date.ok()) {
        Error(*until, until->IsScalar() ? "invalid-value" : "wrong-type",
              "'until' of " + what + ": " + (until->IsScalar() ? Quote(v) : std::string(TypeWord(*until))) +
                  " is not a date",
              "write until: YYYY-MM-DD, e.g. until: 2027-06-30 (the last day the finding is accepted)");
        complete = false;
      } else {
        a.until = *date;
      }
    }
    // An incomplete entry accepts nothing: a scan must not skip a finding
    // on an acceptance without an expiry or a reason. Nor on one whose
    // reason or signer is still TODO (a TODO is only a warning outside
    // `policy check`, and would otherwise accept).
    if (IsTodoText(a.reason) || IsTodoText(a.by)) complete = false;
    if (complete) policy_->accepted.push_back(std::move(a));
  }
}

}  // namespace

Result<LoadedPolicy> LoadPolicyString(const std::string& text, const std::string& display_name) {
  if (std::string control = FindControlCharacter(text, display_name); !control.empty())
    return Status::Error(control);
  // Before yaml-cpp, which recurses once per level: hostile nesting must end
  // in an error, not a stack overflow.
  DPO_RETURN_IF_ERROR(CheckYamlNesting(text, display_name));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's message may quote the input: escaped, and cut short.
    std::string where = ShownPath(display_name);
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::Error(where + ": not valid YAML: " + util::EscapeForMessage(e.msg, 160) +
                         " (check the indentation, the colon after each key, and quote values that contain ': ' or '#')");
  }
  // Aliases share nodes: one to an ancestor makes a cycle, nested ones grow
  // exponentially when the loader walks them.
  DPO_RETURN_IF_ERROR(CheckYamlAliases(root, display_name));
  LoadedPolicy loaded;
  try {
    Loader loader(display_name, &loaded.policy, &loaded.diagnostics);
    loader.RejectControlCharacters(root, text);
    loader.LoadRoot(root);
    SortDiagnostics(&loaded.diagnostics);
  } catch (const std::exception& e) {
    // yaml-cpp throws for shapes we did not foresee; the policy is still the
    // user's input, so this is an input error, never a crash.
    return Status::Error(ShownPath(display_name) + ": cannot read the policy: " +
                         util::EscapeForMessage(e.what(), 160));
  }
  return loaded;
}

Result<LoadedPolicy> LoadPolicyFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Status::Error("cannot read policy file '" + ShownPath(path) + "': it is a directory; name the YAML file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Error("cannot read policy file '" + ShownPath(path) + "': " + std::strerror(errno) +
                         " (check the path; `dpo policy init SOURCE --out " + ShownPath(path) +
                         "` writes a draft)");
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::Error("cannot read policy file '" + ShownPath(path) + "': read error");
  return LoadPolicyString(buffer.str(), path);
}

}  // namespace dpo::policy
