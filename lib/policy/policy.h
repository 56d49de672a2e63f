// The policy model: what personal data exists, why, on what legal basis, where
// it lives and for how long. Loaded from YAML (policy/loader.h), checked by
// policy/validate.h, rendered as an Art. 30 register by lib/report.
//
// The YAML format is documented in docs/policy-format.md; the comment on each
// struct names its YAML key. Every element remembers where it was written
// (Location) so that every message can say file:line:column.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/duration.h"

namespace dpo::policy {

struct Location {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
  std::string ToString() const;  // "file:line:column"
};

// categories.<id>.sensitivity
enum class Sensitivity {
  kOrdinary,    // "ordinary"
  kSpecial,     // "special": GDPR Art. 9 special category
  kCriminal,    // "criminal": Art. 10 criminal convictions and offences
  kNationalId,  // "national_id": BSN; UAVG art. 46: only where a law requires it
};

// purposes.<id>.legal_basis (Art. 6(1))
enum class LegalBasis {
  kConsent,              // "consent" (a)
  kContract,             // "contract" (b)
  kLegalObligation,      // "legal_obligation" (c): needs `law`
  kVitalInterests,       // "vital_interests" (d)
  kPublicTask,           // "public_task" (e)
  kLegitimateInterests,  // "legitimate_interests" (f): needs `interest`
};

// purposes.<id>.art9_condition (Art. 9(2))
enum class Art9Condition {
  kExplicitConsent,            // "explicit_consent" (a)
  kEmploymentLaw,              // "employment_law" (b)
  kVitalInterests,             // "vital_interests" (c)
  kNotForProfit,               // "not_for_profit" (d)
  kMadePublic,                 // "made_public" (e)
  kLegalClaims,                // "legal_claims" (f)
  kSubstantialPublicInterest,  // "substantial_public_interest" (g)
  kOccupationalMedicine,       // "occupational_medicine" (h)
  kPublicHealth,               // "public_health" (i)
  kArchivingResearch,          // "archiving_research" (j)
};

// controller:
struct Controller {
  std::string name;
  std::string contact;       // e-mail or address for privacy questions
  std::string address;
  std::string dpo_name;      // controller.dpo.name
  std::string dpo_contact;   // controller.dpo.contact
  std::string supervisory_authority = "Autoriteit Persoonsgegevens";
  std::string security_measures;  // controller.security_measures: Art. 30(1)(g) description; optional
  Location location;
};

// data_subjects.<id>
struct DataSubject {
  std::string id;
  std::string description;
  Location location;
};

// categories.<id>
struct Category {
  std::string id;
  std::string description;
  Sensitivity sensitivity = Sensitivity::kOrdinary;
  std::string special_category;         // for kSpecial: health, religion, ethnicity, political, union, sexuality, genetic, biometric
  std::vector<std::string> detectors;   // detector kind names (lib/detect/kind.h), e.g. [email, phone]
  Location location;
};

// recipients.<id>
struct Recipient {
  std::string id;
  std::string description;
  std::string type;       // processor | third_party | authority | group_entity | client
  std::string country;    // ISO 3166 alpha-2, default NL
  std::string agreement;  // processing agreement reference, required for processors
  // recipients.<id>.categories: the categories it may receive (`dpo export
  // --recipient` writes only columns of these). Empty: not declared, and
  // nothing can be exported to it.
  std::vector<std::string> categories;
  // recipients.<id>.columns: TABLE.COLUMN; when set, only these columns (each
  // of one of `categories`) may be exported to it: finer than a category
  // ("name and city", not the whole of contact). Empty: every column of the categories.
  std::vector<std::string> columns;
  Location location;
};

// purposes.<id>.transfers[]: data leaving the EU/EEA
struct Transfer {
  std::string country;    // ISO 3166 alpha-2
  std::string recipient;  // recipient id
  std::string safeguard;  // adequacy | scc | bcr | derogation
  Location location;
};

// purposes.<id>.consent: where the consents a purpose rests on are recorded
// (Art. 7(1): the controller must be able to prove them). One row per consent
// given: the subject's key, the purpose (when the dataset records consents
// for several), when it was given and, once withdrawn, when.
struct ConsentRecords {
  std::string dataset;         // dataset (table) holding the records
  std::string subject_key;     // its column naming the subject; default: the dataset's subject_key
  std::string purpose_column;  // column naming the purpose; empty: every row is a consent for this purpose
  std::string purpose_value;   // the value in purpose_column; default: the purpose's id
  std::string given_at;        // date the consent was given (required)
  std::string withdrawn_at;    // date it was withdrawn; NULL while it stands (optional)
  Location location;
};

// purposes.<id>
struct Purpose {
  std::string id;
  std::string description;
  LegalBasis legal_basis = LegalBasis::kConsent;
  std::string law;        // for legal_obligation: which law ("Wet op de loonbelasting 1964, art. 28")
  std::string interest;   // for legitimate_interests: the interest pursued
  std::optional<Art9Condition> art9_condition;  // required when a special category is processed
  std::string art10_basis;  // required when criminal data is processed ("UAVG art. 33; VOG")
  std::vector<std::string> data_subjects;  // data subject ids
  std::vector<std::string> categories;     // category ids
  std::vector<std::string> recipients;     // recipient ids
  std::vector<Transfer> transfers;
  bool automated_decisions = false;        // Art. 15(1)(h)
  std::optional<ConsentRecords> consent;   // for legal_basis consent or art9_condition explicit_consent
  Location location;

  // Whether the purpose rests on the subject's consent: Art. 6(1)(a), or
  // explicit consent for special categories (Art. 9(2)(a)).
  bool RestsOnConsent() const;
};

// datasets.<table>.columns.<column>: a category id, or "none" (reviewed: not
// personal data), or a map {category, identifier, description}.
struct ColumnMapping {
  std::string column;
  std::string category;     // empty when "none"
  bool identifier = false;  // identifies a data subject (e-mail, BSN, customer number)
  std::string description;
  Location location;
};

// datasets.<table>.relations[]: relations the schema does not declare (CSV exports).
struct Relation {
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  // What a retention delete of the referenced row does to this dataset's
  // rows (a CSV export has no ON DELETE): restrict (the default: the parent
  // waits while such rows exist), cascade (they are deleted with it), or
  // set_null (their columns are set to NULL).
  enum class OnDelete { kRestrict, kCascade, kSetNull };
  OnDelete on_delete = OnDelete::kRestrict;
  Location location;
};

// datasets.<table>: a table (database) or a CSV file (table = file stem).
struct Dataset {
  std::string table;
  std::string description;
  std::string data_subject;            // data subject id whose data the rows hold
  std::string subject_key;             // column that links a row to its subject (own id or foreign key); may be empty
  std::vector<std::string> purposes;   // purpose ids
  std::vector<ColumnMapping> columns;  // in file order
  std::vector<Relation> relations;
  Location location;

  const ColumnMapping* FindColumn(const std::string& column) const;
  std::vector<std::string> IdentifierColumns() const;
};

// retention.<id>.when[] and legal_holds[].when[]: one test on a column of the
// rule's dataset. Exactly one operator key is set in YAML:
//   {column: status, equals: inactive}   {column: x, not_equals: v}
//   {column: x, in: [a, b]}   {column: x, is_null: true}   {column: x, is_null: false}
//   {column: x, before: 2020-01-01}   {column: x, after: 2020-01-01}
//   {column: x, older_than: 7y}  (date column more than the duration before the as-of date)
//   {column: x, within: 7y}      (date column at most the duration before the as-of date)
struct Condition {
  enum class Op { kEquals, kNotEquals, kIn, kIsNull, kIsNotNull, kBefore, kAfter, kOlderThan, kWithin };
  std::string column;
  Op op = Op::kEquals;
  std::vector<std::string> values;   // kEquals/kNotEquals/kBefore/kAfter: one; kIn: many
  std::optional<util::Duration> duration;  // kOlderThan, kWithin
  Location location;
};

// retention.<id>.legal_holds[]: rows matching all `when` conditions of any
// hold are kept whatever the rule or an erasure request says (Art. 17(3)(b),(e)).
struct LegalHold {
  std::string name;
  std::string reason;  // e.g. "Art. 52 AWR: tax records 7 years"
  std::vector<Condition> when;
  Location location;
};

enum class RetentionAction {
  kDelete,     // "delete": delete the rows
  kAnonymise,  // "anonymise": overwrite `columns` (anonymisation operators per category)
  kRestrict,   // "restrict": set `set` columns (inactivate / restrict processing, Art. 18)
};

// What an erasure request (Art. 17) does to rows a rule keeps: rows still
// within the rule's period (matching its `when`, or with no date to count
// from) when the period is a legal obligation (Art. 17(3)(b): payroll and tax
// records). Rows under a legal hold are kept whatever this says.
enum class ErasureHandling {
  kErase,      // "erase" (default): the period is a maximum; the subject's request ends it
  kKeep,       // "keep": such rows stay until the period ends; the erasure plan says so, with `basis`
  kAnonymise,  // "anonymise": such rows stay, with the rule's `columns` anonymised (action: anonymise only)
};

// retention.<id>
//   keep: "2y after last_active_at"   (durations: d, w, m(onths), y; or "TODO")
//   action: delete | anonymise | restrict
struct RetentionRule {
  std::string id;
  std::string description;
  std::string dataset;            // dataset table name
  util::Duration keep;            // how long after `after_column`
  std::string after_column;       // date column the period counts from (of after_table when that is set)
  // Where the period counts from, for schemas without a date on the row itself:
  //   keep: 7y after orders.order_date          after_table "orders": the date of the
  //                                             row this row's reference points to
  //   keep: 1y after latest orders.order_date or created_at
  //                                             after_latest: the latest date among the rows
  //                                             that point to this row; rows with none count
  //                                             from after_fallback (own column), if given
  std::string after_table;        // empty: after_column is a column of the dataset itself
  bool after_latest = false;
  std::string after_fallback;
  bool todo = false;              // keep: TODO (written by policy init); check reports it
  RetentionAction action = RetentionAction::kDelete;
  std::vector<std::string> columns;           // kAnonymise: columns to anonymise
  std::map<std::string, std::string> set;     // kRestrict: column -> value
  std::vector<Condition> when;                // the rule applies only to rows matching all
  std::vector<LegalHold> legal_holds;
  std::string basis;              // why this period: "AVG art. 5(1)(e)", "Art. 52 AWR (7 years)"
  ErasureHandling on_erasure = ErasureHandling::kErase;  // on_erasure: erase | keep | anonymise
  // notify_before: 30d: the subjects are told before their rows expire (a
  // renewal e-mail); `dpo retention notices` lists them with notify_columns
  // (the contact columns of the dataset to write to them with).
  std::optional<util::Duration> notify_before;
  std::vector<std::string> notify_columns;
  Location location;

  // "last_active_at", "orders.order_date", "latest orders.order_date or created_at".
  std::string AfterText() const;
};

// dsar:
struct DsarSettings {
  util::Duration response_period = util::Duration::Months(1);
  util::Duration extension = util::Duration::Months(2);
  bool identity_check = true;
  std::vector<std::string> identity_methods;  // e.g. [email_confirmation, id_document_in_person]
  std::string contact;                         // where requests go
  std::string register_path;                   // dsar.register: the request register (dpo requests), relative to the policy file
  Location location;
};

// anonymise: how `dpo anonymise` treats each column of an export. Operator
// names are the vocabulary of anonymise/export_operator.h; the policy keeps
// them as text (the policy knows no operators) and `dpo anonymise` and
// `dpo policy check` read them, with the place they were written
// (value_locations "anonymise.categories.<id>", "anonymise.columns.<t.c>",
// "anonymise.quasi_identifiers[i]").
struct AnonymiseSettings {
  std::map<std::string, std::string> category_operators;  // category id -> operator
  std::map<std::string, std::string> column_operators;    // "table.column" -> operator
  std::vector<std::string> quasi_identifiers;             // "table.column"
  int k = 0;                                              // smallest class size wanted (0: only report)
  Location location;
};

// A value written as TODO (as `dpo policy init` writes them) that a person
// still has to fill in. The loader records each; validation reports each as an
// error, so a draft cannot pass `policy check` until it is complete. An enum
// field written as TODO keeps its default value in the model.
struct Todo {
  std::string key;      // YAML path: "purposes.payroll.law", "retention.customers.keep"
  std::string what;     // for people: "legal basis of purpose 'payroll'"
  Location location;
};

// accepted[]: a scan finding the controller has reviewed and accepts for a
// while (a migration in progress, a column being cleaned up). Until `until`
// (inclusive, compared with the scan's --as-of day) `dpo scan` reports the
// finding as accepted and it does not fail the scan; after it, the finding
// counts again and the scan says the acceptance expired. The finding is named
// by its fingerprint (`dpo scan --format json` prints it) or by code, table
// and column. The policy does not know the scan's codes: scan matches them.
struct Acceptance {
  std::string fingerprint;  // finding: "CODE:TABLE[.COLUMN][:RULE]"; empty when code/table/column are given
  std::string code;         // finding: { code, table, column }
  std::string table;
  std::string column;       // empty: a finding about the whole table
  std::string reason;       // why it is accepted (required)
  std::string by;           // who accepted it (required)
  util::Date until;         // last day it is accepted (required)
  Location location;
};

struct Policy {
  std::string file;  // path it was loaded from
  int version = 1;
  Controller controller;
  std::vector<DataSubject> data_subjects;
  std::vector<Category> categories;
  std::vector<Recipient> recipients;
  std::vector<Purpose> purposes;
  std::vector<Dataset> datasets;
  std::vector<RetentionRule> retention;
  DsarSettings dsar;
  AnonymiseSettings anonymise;
  std::vector<Acceptance> accepted;  // in file order
  std::vector<Todo> todos;  // in file order
  // Where each value was written, by YAML path: "purposes.payroll.law",
  // "purposes.payroll.categories[1]", "datasets.candidates.columns.email",
  // "retention.r.when[0].column". Lets validation point at the exact value.
  std::map<std::string, Location> value_locations;

  // True if the value at YAML path `key` was written as TODO.
  bool IsTodo(const std::string& key) const;
  // Where the value at `path` was written; `fallback` when unknown.
  const Location& LocationOf(const std::string& path, const Location& fallback) const;
  const DataSubject* FindDataSubject(const std::string& id) const;
  const Category* FindCategory(const std::string& id) const;
  const Recipient* FindRecipient(const std::string& id) const;
  const Purpose* FindPurpose(const std::string& id) const;
  const Dataset* FindDataset(const std::string& table) const;
  std::vector<const RetentionRule*> RulesForDataset(const std::string& table) const;
};

const char* SensitivityName(Sensitivity s);
const char* LegalBasisName(LegalBasis b);
const char* Art9ConditionName(Art9Condition c);
const char* RetentionActionName(RetentionAction a);

}  // namespace dpo::policy
