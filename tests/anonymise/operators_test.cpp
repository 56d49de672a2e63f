// The operators of anonymise in place (lib/anonymise/operators.h): names,
// values, the choice per column, and the predicate of the rows still to do,
// which must agree with what the operators leave alone.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "anonymise/operators.h"
#include "source/predicate_eval.h"

using namespace dpo;
using anonymise::Operator;

namespace {

util::SecretKey Key(const char* bytes) {
  auto key = util::SecretKey::FromBytes(bytes);
  REQUIRE(key.ok());
  return std::move(key).value();
}

anonymise::ValueFunction Function(const std::string& name, const util::SecretKey* key) {
  auto op = anonymise::ParseOperator(name);
  REQUIRE_MESSAGE(op.ok(), op.status().message());
  auto fn = anonymise::MakeFunction(*op, key);
  REQUIRE_MESSAGE(fn.ok(), fn.status().message());
  return *fn;
}

bool IsHex(const std::string& s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return !s.empty();
}

// A one-column table for DefaultOperator.
struct OneColumn {
  source::Table table;
  anonymise::ColumnContext context;

  OneColumn(source::TypeClass type, bool nullable, bool unique, std::string declared = "",
            source::SourceKind kind = source::SourceKind::kSqlite, std::string name = "c") {
    table.name = "t";
    source::Column id;
    id.name = "id";
    id.type = source::TypeClass::kInteger;
    id.nullable = false;
    id.primary_key_position = 1;
    table.columns.push_back(id);
    table.primary_key = {"id"};
    source::Column c;
    c.name = std::move(name);
    c.type = type;
    c.nullable = nullable;
    c.unique = unique;
    c.declared_type = std::move(declared);
    table.columns.push_back(c);
    context.source_kind = kind;
    context.table = &table;
    context.column = &table.columns[1];
  }
  std::string Default() {
    auto op = anonymise::DefaultOperator(context);
    return op.ok() ? op->Name() : "error: " + op.status().message();
  }
};

// Evaluates `pending` on one cell of column `c` (CSV's evaluator, which
// follows the SQL rendering; the backends are compared in tests/source).
bool Pending(const source::Predicate& pending, source::TypeClass type, const std::optional<std::string>& value) {
  source::Column c;
  c.name = "c";
  c.type = type;
  auto bound = source::BoundPredicate::Bind(pending, {c}, "t");
  REQUIRE_MESSAGE(bound.ok(), bound.status().message());
  struct Cells : source::RowCells {
    std::optional<std::string> v;
    std::optional<std::string_view> Cell(size_t) const override {
      if (!v) return std::nullopt;
      return std::string_view(*v);
    }
  } cells;
  cells.v = value;
  return bound->Matches(cells);
}

}  // namespace

TEST_CASE("anonymise operators: names read back; unknown names are refused with the list, never echoed raw") {
  for (const char* name : {"null", "fixed:0", "fixed:inactive", "fixed:", "pseudonym", "pseudonym:email",
                           "pseudonym:int64", "pseudonym:int32", "year"}) {
    CAPTURE(name);
    auto op = anonymise::ParseOperator(name);
    REQUIRE(op.ok());
    CHECK(op->Name() == name);
  }
  CHECK(anonymise::ParseOperator("fixed:a:b")->value == "a:b");
  CHECK(anonymise::ParseOperator("pseudonym")->NeedsKey());
  CHECK_FALSE(anonymise::ParseOperator("year")->NeedsKey());
  CHECK(anonymise::ParseOperator("year")->Computed());
  CHECK_FALSE(anonymise::ParseOperator("fixed:x")->Computed());
  auto bad = anonymise::ParseOperator("pseudonym:phone\n\x1b[31m");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("pseudonym:email") != std::string::npos);
  CHECK(bad.status().message().find('\n') == std::string::npos);
  CHECK(bad.status().message().find('\x1b') == std::string::npos);
}

TEST_CASE("pseudonym: keyed, deterministic, shaped to the column, idempotent") {
  util::SecretKey key = Key("0123456789abcdef0123456789abcdef");
  util::SecretKey other = Key("fedcba9876543210fedcba9876543210");
  auto text = Function("pseudonym", &key);
  auto text2 = Function("pseudonym", &key);
  auto text_other = Function("pseudonym", &other);

  std::optional<std::string> p = text("123456782");
  REQUIRE(p);
  CHECK(p->size() == 21);
  CHECK(p->rfind("anon-", 0) == 0);
  CHECK(IsHex(p->substr(5)));
  CHECK(*p == *text2("123456782"));                 // deterministic: joins on it still work
  CHECK(*p == *Function("pseudonym", &key)("123456782"));
  CHECK(*p != *text_other("123456782"));            // another key, another pseudonym
  CHECK(*p != *text("123456783"));
  CHECK(text(*p) == p);                             // one of ours: left as it is
  CHECK_FALSE(text(std::nullopt).has_value());      // NULL stays NULL
  CHECK(p->find("123456782") == std::string::npos);

  auto email = Function("pseudonym:email", &key);
  std::optional<std::string> e = email("jan.devries@example.nl");
  REQUIRE(e);
  CHECK(e->rfind("anon-", 0) == 0);
  CHECK(e->size() == 5 + 16 + std::string("@example.invalid").size());
  CHECK(e->substr(21) == "@example.invalid");
  CHECK(email(*e) == e);
  // The same value gives the same 64 bits in either shape.
  CHECK(e->substr(0, 21) == *text("jan.devries@example.nl"));

  for (const char* shape : {"pseudonym:int64", "pseudonym:int32"}) {
    CAPTURE(shape);
    const bool wide = std::string(shape) == "pseudonym:int64";
    auto number = Function(shape, &key);
    std::set<std::string> seen;
    for (int i = 0; i < 2000; ++i) {
      std::optional<std::string> n = number(std::to_string(100000 + i));
      REQUIRE(n);
      REQUIRE(n->find_first_not_of("0123456789") == std::string::npos);  // a positive integer
      long long v = std::stoll(*n);
      CHECK(v >= (wide ? 9000000000000000000LL : 2000000000LL));
      CHECK(v <= (wide ? 9223372036854775807LL : 2147483647LL));
      CHECK(number(*n) == n);
      seen.insert(*n);
    }
    CHECK(seen.size() == 2000);  // distinct values stay distinct (UNIQUE holds)
    CHECK(*number("42") != *Function(shape, &other)("42"));
  }
}

TEST_CASE("pseudonym: distinct values give distinct pseudonyms (a UNIQUE column stays unique)") {
  util::SecretKey key = Key("0123456789abcdef0123456789abcdef");
  auto text = Function("pseudonym", &key);
  std::set<std::string> seen;
  for (int i = 0; i < 50000; ++i) seen.insert(*text("P" + std::to_string(i)));
  CHECK(seen.size() == 50000);
}

TEST_CASE("pseudonym without a key: refused with the flag to pass") {
  auto op = anonymise::ParseOperator("pseudonym:email");
  REQUIRE(op.ok());
  auto fn = anonymise::MakeFunction(*op, nullptr);
  REQUIRE_FALSE(fn.ok());
  CHECK(fn.status().message().find("--key-file") != std::string::npos);
  CHECK(fn.status().message().find("DPO_KEY") != std::string::npos);
  // year needs no key.
  CHECK(anonymise::MakeFunction(*anonymise::ParseOperator("year"), nullptr).ok());
}

TEST_CASE("year: January 1st of the value's year, date or timestamp; idempotent") {
  auto year = Function("year", nullptr);
  CHECK(*year("1987-06-12") == "1987-01-01");
  CHECK(*year("1987-01-01") == "1987-01-01");
  CHECK(*year("1987-06-12 08:30:00") == "1987-01-01 00:00:00");
  CHECK(*year("2001-12-31 23:59:59.999+01") == "2001-01-01 00:00:00");
  CHECK(*year("10000-03-04") == "10000-01-01");
  CHECK(*year("not a date at all") == "1900-01-01 00:00:00");
  CHECK(*year("x") == "1900-01-01");
  CHECK_FALSE(year(std::nullopt).has_value());
  for (const char* v : {"1987-06-12", "1987-06-12 08:30:00", "garbage value"}) CHECK(year(*year(v)) == year(v));
}

TEST_CASE("the rows still to do are exactly the values an operator would change") {
  util::SecretKey key = Key("0123456789abcdef0123456789abcdef");
  using source::TypeClass;
  struct Case {
    const char* op;
    TypeClass type;
    std::vector<std::optional<std::string>> values;
  };
  std::vector<Case> cases = {
      {"pseudonym", TypeClass::kText, {"Jan", "anon-0123456789abcdef", "anonymous", "ANON-x", "", std::nullopt}},
      {"pseudonym:email", TypeClass::kText, {"a@b.nl", "anon-0123456789abcdef@example.invalid", std::nullopt}},
      {"pseudonym:int64", TypeClass::kInteger, {"1", "-5", "8999999999999999999", "9000000000000000000", std::nullopt}},
      {"pseudonym:int32", TypeClass::kInteger, {"1", "1999999999", "2000000000", "2147483646", std::nullopt}},
      {"year", TypeClass::kDate, {"1987-06-12", "1987-01-01", "1987-01-10", std::nullopt}},
      {"year", TypeClass::kTimestamp, {"1987-06-12 08:30:00", "1987-01-01 00:00:00", "1987-01-01 00:00:01"}},
  };
  for (const Case& c : cases) {
    auto op = anonymise::ParseOperator(c.op);
    REQUIRE(op.ok());
    auto fn = anonymise::MakeFunction(*op, &key);
    REQUIRE(fn.ok());
    source::Predicate pending = anonymise::PendingRows("c", *op);
    for (const auto& v : c.values) {
      CAPTURE(c.op);
      CAPTURE(v.value_or("NULL"));
      CHECK(Pending(pending, c.type, v) == ((*fn)(v) != v));
      // After the operator, nothing is left to do.
      CHECK_FALSE(Pending(pending, c.type, (*fn)(v)));
    }
  }
  // null and fixed: one value for all.
  auto null_op = *anonymise::ParseOperator("null");
  CHECK(Pending(anonymise::PendingRows("c", null_op), TypeClass::kText, "x"));
  CHECK_FALSE(Pending(anonymise::PendingRows("c", null_op), TypeClass::kText, std::nullopt));
  auto fixed = *anonymise::ParseOperator("fixed:0");
  CHECK(Pending(anonymise::PendingRows("c", fixed), TypeClass::kReal, "12.5"));
  CHECK(Pending(anonymise::PendingRows("c", fixed), TypeClass::kReal, std::nullopt));
  CHECK_FALSE(Pending(anonymise::PendingRows("c", fixed), TypeClass::kReal, "0.0"));
}

TEST_CASE("LIKE in the predicate dialect: wildcards, escapes, UTF-8, case") {
  auto like = [](const char* pattern, const char* value) {
    return Pending(source::Predicate::Like("c", pattern), source::TypeClass::kText, std::string(value));
  };
  CHECK(like("anon-%", "anon-"));
  CHECK(like("anon-%", "anon-abc"));
  CHECK_FALSE(like("anon-%", "Anon-abc"));
  CHECK_FALSE(like("anon-%", "xanon-abc"));
  CHECK(like("%-01-01", "1987-01-01"));
  CHECK_FALSE(like("%-01-01", "1987-01-01 00:00:00"));
  CHECK(like("%-01-01 00:00:00%", "1987-01-01 00:00:00+01"));
  CHECK(like("_ij", "\xc4\xb3ij"));  // one character of two bytes
  CHECK_FALSE(like("__ij", "\xc4\xb3ij"));
  CHECK(like("a%b%c", "axxbyyc"));
  CHECK_FALSE(like("a%b%c", "axxbyy"));
  CHECK(like("100\\%", "100%"));
  CHECK_FALSE(like("100\\%", "1000"));
  CHECK(like("a\\_b", "a_b"));
  CHECK_FALSE(like("a\\_b", "axb"));
  CHECK(like("%", ""));
  CHECK_FALSE(like("_", ""));
  CHECK_FALSE(Pending(source::Predicate::Like("c", "%"), source::TypeClass::kText, std::nullopt));
}

TEST_CASE("the operator a column gets in place: NULL where allowed, else a value that keeps the constraints") {
  using source::TypeClass;
  using source::SourceKind;
  CHECK(OneColumn(TypeClass::kText, true, false).Default() == "null");
  CHECK(OneColumn(TypeClass::kText, false, false).Default() == "pseudonym");
  CHECK(OneColumn(TypeClass::kText, true, true).Default() == "pseudonym");  // UNIQUE
  CHECK(OneColumn(TypeClass::kUnknown, false, false).Default() == "pseudonym");
  CHECK(OneColumn(TypeClass::kText, false, true, "", SourceKind::kSqlite, "email").Default() == "pseudonym:email");
  CHECK(OneColumn(TypeClass::kText, false, false, "", SourceKind::kSqlite, "private_email_2").Default() ==
        "pseudonym:email");
  CHECK(OneColumn(TypeClass::kInteger, false, false, "INTEGER").Default() == "pseudonym:int64");
  CHECK(OneColumn(TypeClass::kInteger, false, true, "bigint", SourceKind::kPostgres).Default() == "pseudonym:int64");
  CHECK(OneColumn(TypeClass::kInteger, false, true, "integer", SourceKind::kPostgres).Default() == "pseudonym:int32");
  CHECK(OneColumn(TypeClass::kInteger, false, true, "smallint", SourceKind::kPostgres).Default().find("smallint") !=
        std::string::npos);
  CHECK(OneColumn(TypeClass::kDate, false, false).Default() == "year");
  CHECK(OneColumn(TypeClass::kTimestamp, false, false).Default() == "year");
  CHECK(OneColumn(TypeClass::kDate, false, true).Default().find("UNIQUE date") != std::string::npos);
  CHECK(OneColumn(TypeClass::kReal, false, false).Default() == "fixed:0");
  CHECK(OneColumn(TypeClass::kBoolean, false, false).Default() == "fixed:0");
  CHECK(OneColumn(TypeClass::kReal, false, true).Default().rfind("error", 0) == 0);
  CHECK(OneColumn(TypeClass::kBlob, false, false).Default().find("blob") != std::string::npos);
  // PostgreSQL enforces lengths: a pseudonym must fit.
  CHECK(OneColumn(TypeClass::kText, false, false, "character varying(21)", SourceKind::kPostgres).Default() ==
        "pseudonym");
  std::string short_column =
      OneColumn(TypeClass::kText, false, false, "character varying(9)", SourceKind::kPostgres).Default();
  CHECK(short_column.find("at most 9 characters") != std::string::npos);
  CHECK(OneColumn(TypeClass::kText, false, false, "VARCHAR(9)", SourceKind::kSqlite).Default() == "pseudonym");

  // The category decides the e-mail shape when the name does not.
  OneColumn contact(TypeClass::kText, false, false, "", SourceKind::kSqlite, "adres");
  policy::Category only_email;
  only_email.detectors = {"email"};
  contact.context.category = &only_email;
  CHECK(contact.Default() == "pseudonym:email");
  policy::Category mixed;
  mixed.detectors = {"person_name", "email", "phone"};
  contact.context.category = &mixed;
  CHECK(contact.Default() == "pseudonym");
}

TEST_CASE("keys are never overwritten: primary key, referenced columns, references (only unlinked)") {
  using source::TypeClass;
  OneColumn pk(TypeClass::kInteger, false, false);
  pk.context.column = &pk.table.columns[0];
  auto refused = anonymise::DefaultOperator(pk.context);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("t.id is the primary key") != std::string::npos);

  OneColumn referenced(TypeClass::kText, false, true);
  referenced.context.referenced_by = {"orders.customer_login"};
  refused = anonymise::DefaultOperator(referenced.context);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("referenced by orders.customer_login") != std::string::npos);

  OneColumn reference(TypeClass::kInteger, true, false);
  source::ForeignKey fk;
  fk.columns = {"c"};
  fk.referenced_table = "parents";
  fk.referenced_columns = {"id"};
  reference.table.foreign_keys = {fk};
  CHECK(reference.Default() == "null");  // unlinked
  reference.table.columns[1].nullable = false;
  CHECK(reference.Default().find("NOT NULL reference") != std::string::npos);
  reference.table.columns[1].nullable = true;
  CHECK_FALSE(anonymise::CheckOperator(*anonymise::ParseOperator("pseudonym:int64"), reference.context).ok());
}

TEST_CASE("CheckOperator: an operator the column's constraints or type cannot take is refused") {
  using source::TypeClass;
  auto check = [](OneColumn& c, const char* op) { return anonymise::CheckOperator(*anonymise::ParseOperator(op), c.context); };
  OneColumn not_null(TypeClass::kText, false, false);
  CHECK_FALSE(check(not_null, "null").ok());
  CHECK(check(not_null, "fixed:gone").ok());
  CHECK(check(not_null, "pseudonym").ok());
  CHECK(check(not_null, "pseudonym:int64").ok());  // text holds digits too
  OneColumn unique(TypeClass::kText, true, true);
  CHECK(check(unique, "null").ok());
  CHECK_FALSE(check(unique, "fixed:gone").ok());
  CHECK_FALSE(check(unique, "year").ok());
  OneColumn integer(TypeClass::kInteger, false, false, "integer", source::SourceKind::kPostgres);
  CHECK_FALSE(check(integer, "pseudonym").ok());
  CHECK_FALSE(check(integer, "pseudonym:int64").ok());
  CHECK(check(integer, "pseudonym:int32").ok());
  CHECK_FALSE(check(integer, "fixed:abc").ok());
  CHECK(check(integer, "fixed:0").ok());
}

TEST_CASE("BindOperators: fills every computed assignment; refuses an unknown operator or a missing key") {
  util::SecretKey key = Key("0123456789abcdef0123456789abcdef");
  source::WriteOp op;
  op.table = "employees";
  anonymise::AddToUpdate("bsn", *anonymise::ParseOperator("pseudonym"), &op);
  anonymise::AddToUpdate("born", *anonymise::ParseOperator("year"), &op);
  anonymise::AddToUpdate("phone", *anonymise::ParseOperator("null"), &op);
  anonymise::AddToUpdate("status", *anonymise::ParseOperator("fixed:gone"), &op);
  CHECK(op.kind == source::WriteOp::Kind::kUpdate);
  REQUIRE(op.computed.size() == 2);
  CHECK(op.computed[0].op == "pseudonym");
  CHECK(op.computed[1].op == "year");
  REQUIRE(op.assignments.size() == 2);
  CHECK_FALSE(op.assignments[0].second.has_value());
  CHECK(op.assignments[1].second == "gone");
  CHECK(anonymise::NeedsKey(op));

  source::WriteOp unbound = op;
  auto refused = anonymise::BindOperators(&unbound, nullptr);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.message().find("employees.bsn") != std::string::npos);
  CHECK(refused.message().find("--key-file") != std::string::npos);

  REQUIRE(anonymise::BindOperators(&op, &key).ok());
  REQUIRE(op.computed[0].fn);
  REQUIRE(op.computed[1].fn);
  CHECK(op.computed[0].fn("123456782")->rfind("anon-", 0) == 0);
  CHECK(*op.computed[1].fn("1990-05-05") == "1990-01-01");

  source::WriteOp edited;
  edited.table = "t";
  edited.computed.push_back({"c", "pseudonym:phone", nullptr});
  auto unknown = anonymise::BindOperators(&edited, &key);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.message().find("t.c") != std::string::npos);
  edited.computed[0].op = "fixed:x";
  CHECK_FALSE(anonymise::BindOperators(&edited, &key).ok());

  source::WriteOp no_key_needed;
  anonymise::AddToUpdate("born", *anonymise::ParseOperator("year"), &no_key_needed);
  CHECK_FALSE(anonymise::NeedsKey(no_key_needed));
  CHECK(anonymise::BindOperators(&no_key_needed, nullptr).ok());
}

TEST_CASE("regression: a real value that starts with anon- is still pseudonymised, and still pending") {
  util::SecretKey key = Key("0123456789abcdef0123456789abcdef");
  auto text = Function("pseudonym", &key);
  auto email = Function("pseudonym:email", &key);
  CHECK(*text("anon-jane") != "anon-jane");
  CHECK(*email("anon-jane@gmail.com") != "anon-jane@gmail.com");
  CHECK(*text("anon-0123456789ABCDEF") != "anon-0123456789ABCDEF");  // not our lower-case hex
  auto text_op = anonymise::ParseOperator("pseudonym");
  auto email_op = anonymise::ParseOperator("pseudonym:email");
  REQUIRE(text_op.ok());
  REQUIRE(email_op.ok());
  source::Predicate pending_text = anonymise::PendingRows("c", *text_op);
  source::Predicate pending_email = anonymise::PendingRows("c", *email_op);
  CHECK(Pending(pending_text, source::TypeClass::kText, "anon-jane"));
  CHECK(Pending(pending_email, source::TypeClass::kText, "anon-jane@gmail.com"));
  CHECK_FALSE(Pending(pending_text, source::TypeClass::kText, *text("x")));
  CHECK_FALSE(Pending(pending_email, source::TypeClass::kText, *email("x@y.example")));
}
