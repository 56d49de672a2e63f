// --where of `dpo export`: every form reads into the predicate the sources
// evaluate, mistakes are refused with the condition's position and the
// column (never the value, which may be personal data), an unknown column
// names table.column and the columns the table has, and random input gives a
// term or a clean error, never a crash.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "share/where_parser.h"

using namespace dpo;
using Op = source::Predicate::Op;

namespace {

source::Table Candidates() {
  source::Table t;
  t.name = "candidates";
  auto add = [&t](const char* name, source::TypeClass type) {
    source::Column c;
    c.name = name;
    c.type = type;
    t.columns.push_back(c);
  };
  add("id", source::TypeClass::kInteger);
  add("email", source::TypeClass::kText);
  add("status", source::TypeClass::kText);
  add("legal_hold", source::TypeClass::kBoolean);
  add("registered_at", source::TypeClass::kDate);
  return t;
}

share::WhereTerm Parse(const std::string& text) {
  Result<share::WhereTerm> t = share::ParseWhereTerm(text, 1);
  REQUIRE_MESSAGE(t.ok(), text << ": " << t.status().message());
  return *t;
}

std::string ParseError(const std::string& text, int position = 1) {
  Result<share::WhereTerm> t = share::ParseWhereTerm(text, position);
  REQUIRE_MESSAGE(!t.ok(), text << " was accepted");
  CHECK(t.status().code() == StatusCode::kInvalidArgument);
  return t.status().message();
}

}  // namespace

TEST_CASE("every form of --where reads into its operator, column and value") {
  struct Case {
    const char* text;
    Op op;
    const char* column;
    const char* value;
  };
  const Case cases[] = {
      {"status=active", Op::kEq, "status", "active"},
      {" status = active ", Op::kEq, "status", "active"},
      {"status!=active", Op::kNe, "status", "active"},
      {"status<>active", Op::kNe, "status", "active"},
      {"id<10", Op::kLt, "id", "10"},
      {"id<=10", Op::kLe, "id", "10"},
      {"id>10", Op::kGt, "id", "10"},
      {"id>=10", Op::kGe, "id", "10"},
      {"note=a=b c", Op::kEq, "note", "a=b c"},          // the value is everything after the operator
      {"city='  Den Haag '", Op::kEq, "city", "  Den Haag "},  // quotes keep blanks
      {"city=\"\"", Op::kEq, "city", ""},                      // the empty text, on purpose
      {"linkedin_url is null", Op::kIsNull, "linkedin_url", ""},
      {"linkedin_url IS NOT NULL", Op::kIsNotNull, "linkedin_url", ""},
      {"first name is  not   null", Op::kIsNotNull, "first name", ""},
  };
  for (const Case& c : cases) {
    share::WhereTerm t = Parse(c.text);
    INFO(c.text);
    CHECK(t.op == c.op);
    CHECK(t.column == c.column);
    CHECK(t.value == c.value);
    CHECK(t.position == 1);
  }
}

TEST_CASE("a malformed --where names its position and what to write, never its value") {
  const std::string value = "jan.devries@example.nl";
  const std::vector<std::string> bad_terms = {"=" + value, "email=",    "email=  ", "email!" + value, "email " + value,
                                              value,       "email is nul", "is null", "",               "   "};
  for (const std::string& bad : bad_terms) {
    std::string message = ParseError(bad, 3);
    INFO(bad << " -> " << message);
    CHECK(message.find("--where #3") != std::string::npos);
    CHECK(message.find(value) == std::string::npos);
    CHECK(message.find("jan.devries") == std::string::npos);
  }
  CHECK(ParseError("email=").find("COL is null") != std::string::npos);
  CHECK(ParseError("status").find("COL=VALUE") != std::string::npos);
}

TEST_CASE("conditions are checked against the table and ANDed") {
  const source::Table t = Candidates();
  Result<std::optional<source::Predicate>> none = share::BuildWhere({}, t);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  Result<std::optional<source::Predicate>> one = share::BuildWhere({Parse("status=active")}, t);
  REQUIRE(one.ok());
  REQUIRE(one->has_value());
  CHECK((*one)->op == Op::kEq);
  CHECK((*one)->column == "status");
  CHECK((*one)->values == std::vector<std::string>{"active"});

  std::vector<share::WhereTerm> terms = {Parse("status=active"), Parse("id>=5"), Parse("legal_hold=yes"),
                                         Parse("registered_at<2025-01-01"), Parse("email is not null")};
  Result<std::optional<source::Predicate>> all = share::BuildWhere(terms, t);
  REQUIRE_MESSAGE(all.ok(), all.status().message());
  REQUIRE((*all)->op == Op::kAnd);
  REQUIRE((*all)->children.size() == 5);
  CHECK((*all)->children[2].values == std::vector<std::string>{"true"});  // canonical boolean
  CHECK((*all)->children[4].op == Op::kIsNotNull);
}

TEST_CASE("an unknown column names table.column and the columns the table has") {
  share::WhereTerm term = Parse("statsu=active");
  term.position = 2;
  Result<std::optional<source::Predicate>> r = share::BuildWhere({Parse("status=active"), term}, Candidates());
  REQUIRE_FALSE(r.ok());
  const std::string& m = r.status().message();
  INFO(m);
  CHECK(m.find("--where #2") != std::string::npos);
  CHECK(m.find("candidates.statsu") != std::string::npos);
  for (const char* c : {"id", "email", "status", "legal_hold", "registered_at"}) CHECK(m.find(c) != std::string::npos);
  CHECK(m.find("active") == std::string::npos);
}

TEST_CASE("a value its column cannot compare with is refused without repeating it") {
  const source::Table t = Candidates();
  for (const char* bad : {"id=06-12345678", "id>abc", "registered_at<yesterday", "legal_hold<true", "legal_hold=maybe"}) {
    Result<std::optional<source::Predicate>> r = share::BuildWhere({Parse(bad)}, t);
    REQUIRE_MESSAGE(!r.ok(), bad);
    const std::string& m = r.status().message();
    INFO(bad << " -> " << m);
    CHECK(m.find("--where #1") != std::string::npos);
    CHECK(m.find("06-12345678") == std::string::npos);
    CHECK(m.find("yesterday") == std::string::npos);
    CHECK(m.find("maybe") == std::string::npos);
  }
}

TEST_CASE("random and mutated conditions give a term or a clean error") {
  std::mt19937_64 rng(20261101);
  const std::string alphabet = "ab_ =!<>'\"isnotulISNOTUL\t\n\x01\xff\xc3\xa9@0123456789";
  const std::vector<std::string> seeds = {"status=active", "id>=10", "x is not null", "city='a b'", "a<>b"};
  const source::Table t = Candidates();
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      size_t n = rng() % 24;
      for (size_t k = 0; k < n; ++k) text += alphabet[rng() % alphabet.size()];
    } else {
      text = seeds[rng() % seeds.size()];
      for (int k = 0; k < 3; ++k) {
        size_t at = text.empty() ? 0 : rng() % (text.size() + 1);
        switch (rng() % 3) {
          case 0: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
          case 1: if (!text.empty() && at < text.size()) text.erase(at, 1); break;
          default: if (!text.empty() && at < text.size()) text[at] = alphabet[rng() % alphabet.size()]; break;
        }
      }
    }
    Result<share::WhereTerm> term = share::ParseWhereTerm(text, 1);
    if (!term.ok()) {
      CHECK(!term.status().message().empty());
      continue;
    }
    CHECK(!term->column.empty());
    Result<std::optional<source::Predicate>> built = share::BuildWhere({*term}, t);
    if (!built.ok()) CHECK(!built.status().message().empty());
  }
}
