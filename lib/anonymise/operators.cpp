#include "anonymise/operators.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <memory>

#include "detect/column_names.h"
#include "source/compare_rule.h"

namespace dpo::anonymise {
namespace {

using source::Predicate;
using source::TypeClass;
using Kind = Operator::Kind;
using Shape = Operator::Shape;

constexpr std::string_view kPrefix = "anon-";
constexpr std::string_view kEmailDomain = "@example.invalid";
// HMAC input: a label keeps pseudonyms apart from the ledger's keyed hashes
// made with the same key.
constexpr std::string_view kLabel = "dpo pseudonym\x1f";

constexpr int64_t kInt64Floor = 9000000000000000000LL;
constexpr uint64_t kInt64Span = 223372036854775807ULL;  // INT64_MAX - floor: results stay below INT64_MAX
constexpr int64_t kInt32Floor = 2000000000LL;
constexpr uint64_t kInt32Span = 147483647ULL;  // INT32_MAX - floor

constexpr const char* kOperatorList =
    "null, fixed:VALUE, pseudonym, pseudonym:email, pseudonym:int64, pseudonym:int32, year";

std::string Where(const ColumnContext& c) { return c.table->name + "." + c.column->name; }

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

uint64_t First64(const util::Digest& d) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[static_cast<size_t>(i)];
  return v;
}

// PostgreSQL's integer widths, from format_type ("integer", "smallint",
// "bigint"); other databases store every integer in 64 bits.
int IntegerBits(const ColumnContext& c) {
  if (c.source_kind != source::SourceKind::kPostgres) return 64;
  std::string t = Lower(c.column->declared_type);
  if (t == "smallint") return 16;
  if (t == "integer") return 32;
  return 64;
}

// The most characters a PostgreSQL character(n) / character varying(n)
// column holds; 0 when unlimited (or not enforced: SQLite ignores lengths).
size_t TextLimit(const ColumnContext& c) {
  if (c.source_kind != source::SourceKind::kPostgres) return 0;
  std::string t = Lower(c.column->declared_type);
  if (t.rfind("character", 0) != 0 && t.rfind("varchar", 0) != 0 && t.rfind("char", 0) != 0) return 0;
  size_t open = t.find('(');
  if (open == std::string::npos || t.back() != ')') return 0;
  std::optional<int64_t> n = ParseInt(std::string_view(t).substr(open + 1, t.size() - open - 2));
  return n && *n > 0 ? static_cast<size_t>(*n) : 0;
}

// An e-mail column: its name says so, or its category recognises nothing
// but e-mail addresses.
bool HoldsEmail(const ColumnContext& c) {
  std::vector<detect::NameEvidence> names = detect::KindsFromColumnName(c.column->name);
  if (!names.empty() && names[0].kind == detect::Kind::kEmail) return true;
  return c.category != nullptr && c.category->detectors.size() == 1 && c.category->detectors[0] == "email";
}

size_t PseudonymLength(Shape shape) {
  return kPrefix.size() + 16 + (shape == Shape::kEmail ? kEmailDomain.size() : 0);
}

// A value this operator wrote: the prefix, 16 lower-case hex digits and, for
// e-mail, the domain. Anything else (a real "anon-jane@gmail.com") is data.
bool IsTextPseudonym(std::string_view v, Shape shape) {
  if (v.size() != PseudonymLength(shape) || v.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char ch : v.substr(kPrefix.size(), 16))
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return shape != Shape::kEmail || v.substr(kPrefix.size() + 16) == kEmailDomain;
}

// Refusals that hold whatever the operator: keys stay as they are.
Status CheckKey(const Operator& op, const ColumnContext& c) {
  if (c.column->primary_key_position > 0)
    return Status::Error(Where(c) + " is " + (c.table->primary_key.size() > 1 ? "part of " : "") +
                         "the primary key: anonymise does not overwrite keys (other rows, the ledger and the audit "
                         "log name rows by them); leave it out of the rule's columns, or delete the rows with "
                         "action: delete");
  if (!c.referenced_by.empty())
    return Status::Error(Where(c) + " is referenced by " + c.referenced_by[0] +
                         ": anonymise does not overwrite a key other rows point at; leave it out of the rule's "
                         "columns, or delete the rows with action: delete");
  for (const source::ForeignKey& fk : c.table->foreign_keys)
    for (const std::string& k : fk.columns) {
      if (k != c.column->name) continue;
      if (op.kind != Kind::kNull)
        return Status::Error(Where(c) + " references " + fk.referenced_table +
                             ": anonymise can only unlink a reference (set it to NULL), not rewrite it" +
                             (c.column->nullable ? "" : ", and the column is NOT NULL") +
                             "; leave it out of the rule's columns");
    }
  return Status::Ok();
}

}  // namespace

std::string Operator::Name() const {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kFixed: return "fixed:" + value;
    case Kind::kYear: return "year";
    case Kind::kPseudonym:
      switch (shape) {
        case Shape::kText: return "pseudonym";
        case Shape::kEmail: return "pseudonym:email";
        case Shape::kInt64: return "pseudonym:int64";
        case Shape::kInt32: return "pseudonym:int32";
      }
  }
  return "?";
}

Result<Operator> ParseOperator(std::string_view name) {
  Operator op;
  if (name == "null") return op;
  if (name.rfind("fixed:", 0) == 0) {
    op.kind = Kind::kFixed;
    op.value = std::string(name.substr(6));
    return op;
  }
  if (name == "year") {
    op.kind = Kind::kYear;
    return op;
  }
  op.kind = Kind::kPseudonym;
  if (name == "pseudonym") return op;
  for (auto [suffix, shape] : {std::pair{"email", Shape::kEmail}, std::pair{"int64", Shape::kInt64},
                               std::pair{"int32", Shape::kInt32}}) {
    if (name == "pseudonym:" + std::string(suffix)) {
      op.shape = shape;
      return op;
    }
  }
  std::string shown(name.substr(0, 40));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return Status::Error("unknown anonymise operator '" + shown + "'; the operators are " + kOperatorList);
}

Result<ValueFunction> MakeFunction(const Operator& op, const util::SecretKey* key) {
  if (op.kind == Kind::kYear) {
    return ValueFunction([](const std::optional<std::string>& v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      // The year: the digits before the first '-' (four or more).
      size_t digits = 0;
      while (digits < v->size() && std::isdigit(static_cast<unsigned char>((*v)[digits]))) ++digits;
      bool dated = digits >= 4 && digits < v->size() && (*v)[digits] == '-';
      std::string year = dated ? v->substr(0, digits) : "1900";  // not a date at all: 1900
      bool timed = v->size() > (dated ? digits : 4) + 6;          // more than YYYY-MM-DD: a timestamp
      return year + (timed ? "-01-01 00:00:00" : "-01-01");
    });
  }
  if (op.kind != Kind::kPseudonym)
    return Status::Error("operator " + op.Name() + " writes one value, it computes nothing", StatusCode::kInternal);
  if (key == nullptr)
    return Status::Error("operator " + op.Name() + " needs the secret key: pass --key-file FILE or set DPO_KEY (the "
                         "same key every time, so that a value gets the same pseudonym in every sweep)");
  // The key's pads and the label hashed once (PrefixedHmac): the same
  // digest as HmacSha256(key, label + value) at a fraction of the cost.
  // Each copy of the function has its own state, so copies may run on
  // different threads.
  util::PrefixedHmac hmac(*key, kLabel);
  const Shape shape = op.shape;
  return ValueFunction([hmac, shape](const std::optional<std::string>& v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    if (shape == Shape::kInt64 || shape == Shape::kInt32) {
      const int64_t floor = shape == Shape::kInt64 ? kInt64Floor : kInt32Floor;
      const uint64_t span = shape == Shape::kInt64 ? kInt64Span : kInt32Span;
      std::optional<int64_t> n = ParseInt(*v);
      if (n && *n >= floor && static_cast<uint64_t>(*n - floor) < span) return v;  // one of ours already
      util::Digest d = hmac.Of(*v);
      return std::to_string(floor + static_cast<int64_t>(First64(d) % span));
    }
    if (IsTextPseudonym(*v, shape)) return v;  // one of ours already
    util::Digest d = hmac.Of(*v);
    std::string out = std::string(kPrefix) + util::ToHex(d.data(), 8);
    if (shape == Shape::kEmail) out += kEmailDomain;
    return out;
  });
}

Result<Operator> DefaultOperator(const ColumnContext& c) {
  Operator null_op;
  DPO_RETURN_IF_ERROR(CheckKey(null_op, c));
  const source::Column& column = *c.column;
  bool reference = false;
  for (const source::ForeignKey& fk : c.table->foreign_keys)
    for (const std::string& k : fk.columns) reference |= k == column.name;
  if (reference) {
    if (column.nullable) return null_op;  // unlinked
    return Status::Error(Where(c) + " is a NOT NULL reference: anonymise can only unlink a reference (set it to "
                         "NULL); leave it out of the rule's columns");
  }
  if (column.nullable && !column.unique) return null_op;

  const std::string why = column.unique ? "UNIQUE" : "NOT NULL";
  Operator op;
  switch (column.type) {
    case TypeClass::kInteger: {
      int bits = IntegerBits(c);
      if (bits < 32)
        return Status::Error(Where(c) + " is a " + why + " smallint: too small for a pseudonym; widen the column "
                             "to integer or bigint, or leave it out of the rule's columns");
      op.kind = Kind::kPseudonym;
      op.shape = bits == 32 ? Shape::kInt32 : Shape::kInt64;
      return op;
    }
    case TypeClass::kDate:
    case TypeClass::kTimestamp:
      if (column.unique)
        return Status::Error(Where(c) + " is a UNIQUE date: generalising it to the year would repeat values, and "
                             "dpo does not invent dates; leave it out of the rule's columns or drop the constraint");
      op.kind = Kind::kYear;
      return op;
    case TypeClass::kReal:
    case TypeClass::kBoolean:
      if (column.unique)
        return Status::Error(Where(c) + " is a UNIQUE " + source::TypeClassName(column.type) +
                             " column: no anonymise operator keeps it unique; leave it out of the rule's columns "
                             "or drop the constraint");
      op.kind = Kind::kFixed;
      op.value = "0";  // 0 and false: both read "0"
      return op;
    case TypeClass::kBlob:
      return Status::Error(Where(c) + " is a " + why + " blob: anonymise cannot pseudonymise binary data; leave it "
                           "out of the rule's columns or make it nullable");
    case TypeClass::kText:
    case TypeClass::kUnknown:
      break;
  }
  op.kind = Kind::kPseudonym;
  op.shape = HoldsEmail(c) ? Shape::kEmail : Shape::kText;
  DPO_RETURN_IF_ERROR(CheckOperator(op, c));
  return op;
}

Status CheckOperator(const Operator& op, const ColumnContext& c) {
  DPO_RETURN_IF_ERROR(CheckKey(op, c));
  const source::Column& column = *c.column;
  const std::string name = op.Name();
  switch (op.kind) {
    case Kind::kNull:
      if (!column.nullable)
        return Status::Error(Where(c) + " is NOT NULL: operator null would break the constraint; use a pseudonym");
      return Status::Ok();
    case Kind::kFixed: {
      if (column.unique)
        return Status::Error(Where(c) + " is UNIQUE: operator fixed gives every row the same value; use a "
                             "pseudonym");
      Result<std::string> checked = source::CanonicalLiteral(op.value, column.type, c.table->name, column.name);
      return checked.ok() ? Status::Ok() : checked.status();
    }
    case Kind::kYear:
      if (column.unique)
        return Status::Error(Where(c) + " is UNIQUE: operator year repeats values; use a pseudonym");
      if (column.type != TypeClass::kDate && column.type != TypeClass::kTimestamp &&
          column.type != TypeClass::kText && column.type != TypeClass::kUnknown)
        return Status::Error(Where(c) + " is a " + source::TypeClassName(column.type) +
                             " column: operator year is for dates and timestamps");
      return Status::Ok();
    case Kind::kPseudonym:
      break;
  }
  const bool integer = op.shape == Shape::kInt64 || op.shape == Shape::kInt32;
  if (integer) {
    if (column.type != TypeClass::kInteger && column.type != TypeClass::kUnknown && column.type != TypeClass::kText)
      return Status::Error(Where(c) + " is a " + source::TypeClassName(column.type) + " column: operator " + name +
                           " writes integers");
    if (column.type == TypeClass::kInteger && IntegerBits(c) < (op.shape == Shape::kInt64 ? 64 : 32))
      return Status::Error(Where(c) + " is a " + column.declared_type + " column: operator " + name +
                           " writes larger numbers than it holds");
    return Status::Ok();
  }
  if (column.type != TypeClass::kText && column.type != TypeClass::kUnknown)
    return Status::Error(Where(c) + " is a " + source::TypeClassName(column.type) + " column: operator " + name +
                         " writes text");
  size_t limit = TextLimit(c);
  if (limit != 0 && limit < PseudonymLength(op.shape))
    return Status::Error(Where(c) + " holds at most " + std::to_string(limit) + " characters (" +
                         column.declared_type + "): too short for operator " + name + " (" +
                         std::to_string(PseudonymLength(op.shape)) +
                         " characters); widen the column or leave it out of the rule's columns");
  return Status::Ok();
}

Predicate PendingRows(const std::string& column, const Operator& op) {
  using Op = Predicate::Op;
  switch (op.kind) {
    case Kind::kNull:
      return Predicate::Null(column, false);
    case Kind::kFixed:
      return Predicate::Any({Predicate::Null(column), Predicate::Compare(Op::kNe, column, op.value)});
    case Kind::kYear:
      return Predicate::All({Predicate::Null(column, false),
                             Predicate::Negate(Predicate::Any({Predicate::Like(column, "%-01-01"),
                                                               Predicate::Like(column, "%-01-01 00:00:00%")}))});
    case Kind::kPseudonym:
      break;
  }
  if (op.shape == Shape::kInt64) return Predicate::Compare(Op::kLt, column, std::to_string(kInt64Floor));
  if (op.shape == Shape::kInt32) return Predicate::Compare(Op::kLt, column, std::to_string(kInt32Floor));
  // Exactly the shape a pseudonym has (prefix, 16 characters, the e-mail
  // domain), so that a real value that merely starts with "anon-" is still done.
  std::string pattern = std::string(kPrefix) + std::string(16, '_');
  if (op.shape == Shape::kEmail) pattern += kEmailDomain;
  return Predicate::All({Predicate::Null(column, false), Predicate::Negate(Predicate::Like(column, pattern))});
}

void AddToUpdate(const std::string& column, const Operator& op, source::WriteOp* update) {
  update->kind = source::WriteOp::Kind::kUpdate;
  if (op.Computed()) {
    update->computed.push_back({column, op.Name(), nullptr});
  } else {
    update->assignments.emplace_back(column, op.kind == Kind::kFixed ? std::optional<std::string>(op.value)
                                                                     : std::nullopt);
  }
}

bool NeedsKey(const source::WriteOp& op) {
  for (const source::WriteOp::ComputedAssignment& c : op.computed) {
    Result<Operator> parsed = ParseOperator(c.op);
    if (!parsed.ok() || parsed->NeedsKey()) return true;  // an unknown one is refused by BindOperators
  }
  return false;
}

Status BindOperators(source::WriteOp* op, const util::SecretKey* key) {
  for (source::WriteOp::ComputedAssignment& c : op->computed) {
    Result<Operator> parsed = ParseOperator(c.op);
    if (!parsed.ok()) return parsed.status().WithContext(op->table + "." + c.column);
    if (!parsed->Computed())
      return Status::Error(op->table + "." + c.column + ": operator " + parsed->Name() +
                           " is not computed row by row; was the plan edited?");
    Result<ValueFunction> fn = MakeFunction(*parsed, key);
    if (!fn.ok()) return fn.status().WithContext(op->table + "." + c.column);
    c.fn = std::move(*fn);
  }
  return Status::Ok();
}

}  // namespace dpo::anonymise
