#include "anonymise/column_plan.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "detect/column_classifier.h"
#include "detect/column_names.h"
#include "detect/kind.h"
#include "relations/policy_relations.h"

namespace dpo::anonymise {
namespace {

using Kind = ExportOperator::Kind;
using source::TypeClass;

ExportOperator Op(Kind kind, int param = 0) {
  ExportOperator op;
  op.kind = kind;
  op.param = param;
  return op;
}

std::string Where(const source::Table& t, const source::Column& c) { return t.name + "." + c.name; }

std::optional<FakeKind> FakeKindFor(const std::string& kind, const std::string& column_name) {
  if (kind == "email") return FakeKind::kEmail;
  if (kind == "phone") return FakeKind::kPhone;
  if (kind == "bsn") return FakeKind::kBsn;
  if (kind == "iban") return FakeKind::kIban;
  if (kind == "postcode") return FakeKind::kPostcode;
  if (kind == "city") return FakeKind::kCity;
  if (kind == "street_address") return FakeKind::kStreetAddress;
  if (kind == "passport_nl" || kind == "id_card_nl") return FakeKind::kDocumentNumber;
  if (kind == "person_name") {
    std::string n;
    for (char ch : column_name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto has = [&](const char* s) { return n.find(s) != std::string::npos; };
    if (has("first") || has("voornaam") || has("given") || has("fname")) return FakeKind::kFirstName;
    if (has("last") || has("achternaam") || has("surname") || has("family") || has("lname")) return FakeKind::kLastName;
    return FakeKind::kFullName;
  }
  return std::nullopt;
}

// What the column holds, by its values and name; for a declared column the
// kinds its category recognises come first.
std::string KindOf(const detect::ColumnVerdict& verdict, const source::Column& column, const policy::Category* category) {
  if (category != nullptr)
    for (const detect::KindEvidence& e : verdict.kinds)
      if (std::find(category->detectors.begin(), category->detectors.end(), std::string(detect::KindName(e.kind))) !=
          category->detectors.end())
        return std::string(detect::KindName(e.kind));
  if (!verdict.kinds.empty()) return std::string(detect::KindName(verdict.kinds[0].kind));
  if (category != nullptr) {
    std::vector<detect::NameEvidence> names = detect::KindsFromColumnName(column.name);
    if (!names.empty() && names[0].weight >= 1.0) return std::string(detect::KindName(names[0].kind));
    // A category that only says "free text" or a special-category term
    // speaks of text: an integer rating or an amount in it is not prose.
    if (category->detectors.size() == 1) {
      std::optional<detect::Kind> k = detect::KindFromName(category->detectors[0]);
      bool textual = k && (*k == detect::Kind::kFreeText || detect::IsSpecialCategoryTerm(*k) || detect::IsCriminalTerm(*k));
      bool text_column = column.type == source::TypeClass::kText || column.type == source::TypeClass::kUnknown;
      // "date" would have been seen in the values: a personnel number in a
      // category whose detector is date is not a date.
      if ((!textual || text_column) && category->detectors[0] != "date") return category->detectors[0];
    }
  }
  return "";
}

bool Personal(const detect::ColumnVerdict& verdict) {
  for (const detect::KindEvidence& e : verdict.kinds)
    if (e.kind != detect::Kind::kDate) return true;
  return false;
}

// Reads up to `rows` rows of `table` and classifies every column.
Result<std::vector<detect::ColumnVerdict>> Classify(source::Source& source, const source::Table& table, int64_t rows) {
  std::vector<detect::ColumnClassifier> classifiers;
  for (const source::Column& c : table.columns) classifiers.emplace_back(c.name);
  if (rows > 0) {
    source::ReadRequest request;
    request.mode = source::SampleMode::kFirst;
    request.limit = rows;
    Result<std::unique_ptr<source::RowReader>> reader = source.Read(table.name, request);
    if (!reader.ok()) return reader.status();
    source::RowBatch batch;
    std::vector<std::string_view> values;
    while (true) {
      Result<bool> more = (*reader)->Next(&batch);
      if (!more.ok()) return more.status();
      if (!*more) break;
      for (size_t c = 0; c < classifiers.size() && c < batch.num_columns(); ++c) {
        values.clear();
        for (size_t r = 0; r < batch.num_rows(); ++r)
          if (!batch.IsNull(r, c)) values.push_back(batch.Cell(r, c));
        classifiers[c].AddValues(values);
      }
    }
  }
  std::vector<detect::ColumnVerdict> out;
  for (const detect::ColumnClassifier& c : classifiers) out.push_back(c.Finish());
  return out;
}

bool InKey(const source::Column& c) {
  if (c.primary_key_position > 0 || c.unique) return true;
  return false;
}

// Tables that others reference come first, so that a reader of the output
// (and the PostgreSQL sink adding constraints) meets parents before children.
void SortParentsFirst(std::vector<TablePlan>* tables) {
  std::map<std::string, int> depth;
  std::map<std::string, const source::Table*> by_name;
  for (const TablePlan& t : *tables) by_name[t.table.name] = &t.table;
  std::function<int(const std::string&, int)> depth_of = [&](const std::string& name, int guard) -> int {
    auto it = depth.find(name);
    if (it != depth.end()) return it->second;
    int d = 0;
    auto t = by_name.find(name);
    if (t != by_name.end() && guard < 64)
      for (const source::ForeignKey& fk : t->second->foreign_keys)
        if (fk.referenced_table != name) d = std::max(d, 1 + depth_of(fk.referenced_table, guard + 1));
    depth[name] = d;
    return d;
  };
  for (const TablePlan& t : *tables) depth_of(t.table.name, 0);
  std::stable_sort(tables->begin(), tables->end(), [&](const TablePlan& a, const TablePlan& b) {
    int da = depth[a.table.name], db = depth[b.table.name];
    return da != db ? da < db : a.table.name < b.table.name;
  });
}

}  // namespace

TransformContext ContextFor(const ColumnChoice& c, const TransformContext& base, source::SourceKind source_kind) {
  TransformContext ctx = base;
  ctx.type = c.column.type;
  ctx.source_kind = source_kind;
  ctx.declared_type = c.column.declared_type;
  ctx.never_null = !c.column.nullable && c.output_type == TypeClass::kText;
  return ctx;
}

ExportOperator DefaultFor(const std::string& kind, TypeClass type) {
  // Numbers, dates and booleans are attributes, not identifiers, whatever a
  // detector made of them: only a text or integer column takes a pseudonym.
  // A blob of personal data (a scanned ID, a photo) cannot be read by any
  // detector: it is left out (NULL).
  if (type == TypeClass::kBlob) return Op(Kind::kNull);
  static const std::set<std::string> identifiers = {"email",          "phone",       "bsn",        "iban",
                                                    "person_name",    "street_address", "passport_nl", "id_card_nl",
                                                    "kvk",            "vat_nl",      "social_profile", "device_id",
                                                    "payment_card",   "geolocation"};
  if (type == TypeClass::kReal || type == TypeClass::kBoolean)
    return Op(identifiers.count(kind) ? Kind::kNull : Kind::kKeep);
  if (type == TypeClass::kDate || type == TypeClass::kTimestamp)
    return kind == "birth_date" ? Op(Kind::kGeneraliseDate, 1) : Op(Kind::kKeep);
  static const std::set<std::string> pseudonymised = {"email", "phone",       "bsn",   "iban",        "person_name",
                                                      "street_address", "passport_nl", "id_card_nl", "kvk",
                                                      "vat_nl",      "social_profile", "device_id"};
  if (pseudonymised.count(kind)) return Op(Kind::kPseudonym);
  if (kind == "payment_card") return Op(Kind::kMask, 4);
  if (kind == "postcode") return Op(Kind::kPostcode, 4);
  if (kind == "birth_date") return Op(Kind::kGeneraliseDate, 1);
  if (kind == "ipv4") return Op(Kind::kIpv4, 24);
  if (kind == "ipv6") return Op(Kind::kIpv6, 48);
  if (kind == "geolocation") return Op(Kind::kNull);
  if (kind == "free_text") return Op(Kind::kRedact);
  if (std::optional<detect::Kind> k = detect::KindFromName(kind);
      k && (detect::IsSpecialCategoryTerm(*k) || detect::IsCriminalTerm(*k)))
    return Op(Kind::kRedact);
  static const std::set<std::string> kept = {"city", "gender", "nationality", "marital_status", "salary", "date"};
  if (kept.count(kind)) return Op(Kind::kKeep);
  return (type == TypeClass::kText || type == TypeClass::kUnknown) ? Op(Kind::kPseudonym) : Op(Kind::kKeep);
}

Result<ExportPlan> PlanExport(source::Source& source, const policy::Policy& policy, const PlanOptions& options) {
  ExportPlan plan;
  Result<std::vector<std::string>> names = source.ListTables();
  if (!names.ok()) return names.status();
  const policy::AnonymiseSettings& settings = policy.anonymise;
  std::set<std::string> quasi(settings.quasi_identifiers.begin(), settings.quasi_identifiers.end());
  std::set<std::string> used_column_ops;

  // Per table: the shape, and the first choice of every column (steps 2-5).
  for (const std::string& name : *names) {
    Result<source::Table> shape = source.DescribeShape(name);
    if (!shape.ok()) return shape.status();
    TablePlan tp;
    tp.table = std::move(*shape);
    relations::MergePolicyRelations(policy, &tp.table);
    Result<std::vector<detect::ColumnVerdict>> verdicts = Classify(source, tp.table, options.sample_rows);
    if (!verdicts.ok()) return verdicts.status();
    const policy::Dataset* dataset = policy.FindDataset(tp.table.name);
    for (size_t i = 0; i < tp.table.columns.size(); ++i) {
      const source::Column& column = tp.table.columns[i];
      ColumnChoice choice;
      choice.column = column;
      const std::string qualified = tp.table.name + "." + column.name;
      const policy::ColumnMapping* mapping = dataset != nullptr ? dataset->FindColumn(column.name) : nullptr;
      const policy::Category* category =
          mapping != nullptr && !mapping->category.empty() ? policy.FindCategory(mapping->category) : nullptr;
      choice.category = mapping != nullptr ? mapping->category : "";
      choice.quasi_identifier = quasi.count(qualified) > 0;
      const detect::ColumnVerdict& verdict = (*verdicts)[i];
      if (mapping == nullptr) {
        choice.kind = Personal(verdict) ? KindOf(verdict, column, nullptr) : "";
      } else if (!mapping->category.empty()) {
        choice.kind = KindOf(verdict, column, category);
      }
      if (auto it = settings.column_operators.find(qualified); it != settings.column_operators.end()) {
        used_column_ops.insert(qualified);
        Result<ExportOperator> op = ParseExportOperator(it->second);
        if (!op.ok())
          return Status::Error(policy.LocationOf("anonymise.columns." + qualified, settings.location).ToString() +
                               ": " + op.status().message());
        choice.op = *op;
        choice.reason = "anonymise.columns";
      } else if (mapping != nullptr && !mapping->category.empty()) {
        auto it2 = settings.category_operators.find(mapping->category);
        if (it2 != settings.category_operators.end() && !policy.IsTodo("anonymise.categories." + mapping->category)) {
          Result<ExportOperator> op = ParseExportOperator(it2->second);
          if (!op.ok())
            return Status::Error(
                policy.LocationOf("anonymise.categories." + mapping->category, settings.location).ToString() + ": " +
                op.status().message());
          choice.op = *op;
          choice.reason = "category " + mapping->category;
        } else if (category != nullptr && category->sensitivity != policy::Sensitivity::kOrdinary &&
                   category->sensitivity != policy::Sensitivity::kNationalId &&
                   std::find(category->detectors.begin(), category->detectors.end(), "free_text") ==
                       category->detectors.end() &&
                   column.nullable && column.primary_key_position == 0 && !column.unique) {
          // Special-category or criminal data that is not free text ("griep",
          // "operatie knie", a VOG date): redacting its vocabulary would leave
          // the rest; the value goes.
          choice.op = Op(Kind::kNull);
          choice.reason = "default for " + std::string(policy::SensitivityName(category->sensitivity)) +
                          " category " + mapping->category;
        } else {
          choice.op = DefaultFor(choice.kind, column.type);
          choice.reason = "default for " + (choice.kind.empty() ? "category " + mapping->category : choice.kind);
        }
      } else if (mapping != nullptr && Personal(verdict) && (column.primary_key_position > 0 || column.unique)) {
        // A draft declares every key `none`; a key holding e-mail addresses
        // or phone numbers is still personal data. Keys take pseudonyms.
        choice.kind = KindOf(verdict, column, nullptr);
        choice.op = Op(Kind::kPseudonym);
        choice.reason = "declared none, but the key holds " + choice.kind + ": pseudonymised";
        plan.warnings.push_back(qualified + " is declared none but holds " + choice.kind +
                                ": pseudonymised; declare its category in the policy");
      } else if (mapping != nullptr) {
        choice.op = Op(Kind::kKeep);
        choice.reason = "declared none";
      } else if (!choice.kind.empty() && !options.keep_undeclared) {
        choice.op = DefaultFor(choice.kind, column.type);
        choice.undeclared = true;
        choice.reason = "undeclared " + choice.kind;
        if (choice.op.kind != Kind::kKeep) ++plan.undeclared_columns;
      } else if (choice.kind.empty() && !options.keep_undeclared && column.type == TypeClass::kBlob) {
        // No detector reads a blob (a scanned ID, a photo, text stored as bytes).
        choice.op = column.nullable ? Op(Kind::kNull) : ParseExportOperator("fixed:").value();
        choice.reason = "undeclared blob: nothing in it can be checked";
      } else if (choice.kind.empty() && !options.keep_undeclared &&
                 (column.type == TypeClass::kText || column.type == TypeClass::kUnknown) &&
                 (column.primary_key_position > 0 || column.unique)) {
        // A key cannot be redacted, and rows past the sample may hold anything.
        choice.op = Op(Kind::kPseudonym);
        choice.reason = "undeclared text key: pseudonymised (rows past the sample may hold anything)";
      } else if (choice.kind.empty() && !options.keep_undeclared &&
                 (column.type == TypeClass::kText || column.type == TypeClass::kUnknown) &&
                 column.primary_key_position == 0 && !column.unique) {
        // The sample found nothing, but rows past it may hold anything: every
        // value is still searched, and what the detectors find is redacted.
        choice.op = Op(Kind::kRedact);
        choice.reason = "undeclared text, nothing found in the sample; redact what any value holds";
      } else {
        choice.op = Op(Kind::kKeep);
        choice.reason = choice.kind.empty() ? "nothing personal found" : "undeclared " + choice.kind + ", --keep-undeclared";
        if (!choice.kind.empty()) {
          choice.undeclared = true;
          plan.warnings.push_back(qualified + " looks like " + choice.kind +
                                  " and is copied as it is (--keep-undeclared): declare it in the policy");
        }
      }
      tp.columns.push_back(std::move(choice));
    }
    plan.tables.push_back(std::move(tp));
  }
  for (const auto& [qualified, op] : settings.column_operators)
    if (!used_column_ops.count(qualified))
      plan.warnings.push_back(policy.LocationOf("anonymise.columns." + qualified, settings.location).ToString() +
                              ": anonymise.columns names " + qualified + ", which the source does not have");

  // Keys keep distinct values distinct; shapes and fake kinds by the column.
  for (TablePlan& tp : plan.tables) {
    for (ColumnChoice& choice : tp.columns) {
      const source::Column& column = choice.column;
      const std::string where = Where(tp.table, column);
      if (InKey(column) && !choice.op.KeepsKeys()) {
        if (choice.reason == "anonymise.columns")
          return Status::Error(where + " is " + (column.primary_key_position > 0 ? "a primary-key" : "a UNIQUE") +
                               " column: " + choice.op.Name() +
                               " could give two rows the same value; write keep or pseudonym for it in anonymise.columns");
        if (choice.op.kind != Kind::kKeep) {
          choice.op = Op(Kind::kPseudonym);
          choice.reason += "; pseudonym (a key stays unique)";
        }
      }
      if (choice.op.kind == Kind::kPseudonym && !choice.op.shape) {
        if (column.type == TypeClass::kInteger) {
          // 64 bits whatever the source declared: 31 bits (PostgreSQL
          // integer) collide within tens of thousands of values. The output
          // column is declared bigint (export.cpp drops the declared type).
          choice.op.shape = Operator::Shape::kInt64;
        } else {
          // Text, even in an e-mail column: an address at example.invalid is
          // still reported by scanners as an e-mail address; pseudonym:email
          // is there for code that validates the shape.
          choice.op.shape = Operator::Shape::kText;
        }
      }
      if (choice.op.kind == Kind::kFake && !choice.op.fake) {
        choice.op.fake = FakeKindFor(choice.kind, column.name);
        if (!choice.op.fake)
          return Status::Error(where + ": fake needs to know what the column holds, and dpo cannot tell (" +
                               (choice.kind.empty() ? std::string("nothing recognised") : "found " + choice.kind) +
                               "); write fake:KIND (email, phone, bsn, iban, name, first_name, last_name, street, "
                               "postcode, city, document_number) or pseudonym");
      }
    }
  }

  // References take the operator of what they reference, until nothing changes.
  std::map<std::string, TablePlan*> by_name;
  for (TablePlan& tp : plan.tables) by_name[tp.table.name] = &tp;
  auto find_choice = [&](const std::string& table, const std::string& column) -> ColumnChoice* {
    auto it = by_name.find(table);
    if (it == by_name.end()) return nullptr;
    for (ColumnChoice& c : it->second->columns)
      if (c.column.name == column) return &c;
    return nullptr;
  };
  std::set<std::string> fixed_by_reference;
  for (int round = 0; round < 32; ++round) {
    bool changed = false;
    for (TablePlan& tp : plan.tables)
      for (const source::ForeignKey& fk : tp.table.foreign_keys)
        for (size_t i = 0; i < fk.columns.size() && i < fk.referenced_columns.size(); ++i) {
          ColumnChoice* child = find_choice(tp.table.name, fk.columns[i]);
          ColumnChoice* parent = find_choice(fk.referenced_table, fk.referenced_columns[i]);
          if (child == nullptr || parent == nullptr || child == parent) continue;
          const std::string where = Where(tp.table, child->column);
          const std::string target = fk.referenced_table + "." + fk.referenced_columns[i];
          if (child->op.Name() == parent->op.Name()) continue;
          if (child->reason == "anonymise.columns" && !fixed_by_reference.count(where))
            return Status::Error(where + " references " + target + ", which gets " + parent->op.Name() + ", but " +
                                 "anonymise.columns gives it " + child->op.Name() +
                                 ": a reference must be anonymised as what it references, or it would point nowhere; "
                                 "give both the same operator");
          if (!parent->op.KeepsKeys())
            return Status::Error(target + " is referenced by " + where + " but gets " + parent->op.Name() +
                                 ", which does not keep distinct values apart; write keep or pseudonym for it");
          child->op = parent->op;
          child->reason = "references " + target;
          fixed_by_reference.insert(where);
          changed = true;
        }
    if (!changed) break;
  }

  // Output types; a default that cannot apply falls back to NULL.
  for (TablePlan& tp : plan.tables) {
    for (ColumnChoice& choice : tp.columns) {
      const source::Column& column = choice.column;
      const std::string where = Where(tp.table, column);
      if ((choice.op.kind == Kind::kDrop || choice.op.kind == Kind::kNull) &&
          (column.primary_key_position > 0 || column.unique))
        return Status::Error(where + " is a key column: it cannot be " +
                             (choice.op.kind == Kind::kDrop ? "dropped" : "set to NULL") + "; write keep or pseudonym");
      if (choice.op.kind == Kind::kDrop)
        for (const source::ForeignKey& fk : tp.table.foreign_keys)
          if (std::find(fk.columns.begin(), fk.columns.end(), column.name) != fk.columns.end())
            return Status::Error(where + " references " + fk.referenced_table +
                                 ": it cannot be dropped (the relation would be lost); write null or keep");
      Result<TypeClass> type = OutputType(choice.op, column.type, where);
      if (!type.ok() && choice.reason.rfind("category ", 0) == 0) {
        // A category's operator applies where it fits the column's type
        // (redact to its notes, not to its integer rating); elsewhere the default.
        ExportOperator fallback = DefaultFor(choice.kind, column.type);
        if (fallback.kind == Kind::kPseudonym && column.type == TypeClass::kInteger)
          fallback.shape = Operator::Shape::kInt64;
        else if (fallback.kind == Kind::kPseudonym && !fallback.shape)
          fallback.shape = Operator::Shape::kText;
        choice.reason = "default (" + choice.op.Name() + " of " + choice.reason + " does not apply to " +
                        TypeClassName(column.type) + ")";
        choice.op = fallback;
        type = OutputType(choice.op, column.type, where);
      }
      if (!type.ok()) {
        if (choice.reason == "anonymise.columns" ||
            choice.reason.rfind("references ", 0) == 0 || !column.nullable)
          return Status::Error(type.status().message() + "; choose another operator in anonymise.columns");
        plan.warnings.push_back(type.status().message() + ": written as NULL instead");
        choice.op = Op(Kind::kNull);
        choice.reason += "; null (the default cannot apply to a " + std::string(TypeClassName(column.type)) + ")";
        type = column.type;
      }
      if (choice.op.kind == Kind::kNull && !column.nullable && choice.reason != "anonymise.columns" &&
          (column.type == TypeClass::kReal || column.type == TypeClass::kBoolean)) {
        // A default NULL for a number a detector took for an identifier: the
        // column cannot be NULL, and a number is more likely an amount.
        plan.warnings.push_back(where + " looks like " + (choice.kind.empty() ? "personal data" : choice.kind) +
                                " but is a NOT NULL number: kept; write an operator for it in anonymise.columns");
        choice.op = Op(Kind::kKeep);
        choice.reason += "; kept (NOT NULL number)";
      }
      if (choice.op.kind == Kind::kNull && !column.nullable)
        return Status::Error(where + " is NOT NULL: null cannot apply; write another operator in anonymise.columns");
      choice.output_type = *type;
    }
  }
  SortParentsFirst(&plan.tables);
  return plan;
}

}  // namespace dpo::anonymise
