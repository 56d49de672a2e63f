#include "anonymise/export_operator.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>

#include "anonymise/free_text.h"
#include "anonymise/generalise.h"

namespace dpo::anonymise {
namespace {

using Kind = ExportOperator::Kind;
using source::TypeClass;

constexpr const char* kOperatorList =
    "keep, drop, null, fixed:VALUE, pseudonym[:email|:int64|:int32], fake[:KIND], mask[:N], generalise:year, "
    "generalise:5years, generalise:10years, generalise:age_band[:W], generalise:postcode[:D], generalise:ipv4[:B], "
    "generalise:ipv6[:B], generalise:band:W, redact";

std::optional<int> ParseInt(std::string_view s, int lo, int hi) {
  int v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

std::string NumberText(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

Status Bad(std::string_view name, const std::string& why) {
  return Status::Error("unknown anonymise operator '" + std::string(name) + "'" + (why.empty() ? "" : ": " + why) +
                       " (operators: " + kOperatorList + ")");
}

// "\x" followed by an even number of hex digits, decoded; nullopt otherwise.
std::optional<std::string> DecodedHexText(const std::string& v) {
  if (v.size() < 4 || v[0] != '\\' || v[1] != 'x' || v.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(v.size() / 2 - 1);
  for (size_t i = 2; i < v.size(); i += 2) {
    int hi = nibble(v[i]), lo = nibble(v[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

bool IsNumeric(TypeClass t) { return t == TypeClass::kInteger || t == TypeClass::kReal; }
bool IsTextual(TypeClass t) { return t == TypeClass::kText || t == TypeClass::kUnknown; }

}  // namespace

std::string ExportOperator::Name() const {
  switch (kind) {
    case Kind::kKeep: return "keep";
    case Kind::kDrop: return "drop";
    case Kind::kNull: return "null";
    case Kind::kFixed: return "fixed:" + value;
    case Kind::kPseudonym:
      if (!shape) return "pseudonym";
      switch (*shape) {
        case Operator::Shape::kText: return "pseudonym:text";
        case Operator::Shape::kEmail: return "pseudonym:email";
        case Operator::Shape::kInt64: return "pseudonym:int64";
        case Operator::Shape::kInt32: return "pseudonym:int32";
      }
      return "pseudonym";
    case Kind::kFake: return fake ? std::string("fake:") + FakeKindName(*fake) : "fake";
    case Kind::kMask: return param == 4 ? "mask" : "mask:" + std::to_string(param);
    case Kind::kGeneraliseDate:
      return param == 1 ? "generalise:year" : "generalise:" + std::to_string(param) + "years";
    case Kind::kAgeBand: return param == 10 ? "generalise:age_band" : "generalise:age_band:" + std::to_string(param);
    case Kind::kPostcode: return param == 4 ? "generalise:postcode" : "generalise:postcode:" + std::to_string(param);
    case Kind::kIpv4: return param == 24 ? "generalise:ipv4" : "generalise:ipv4:" + std::to_string(param);
    case Kind::kIpv6: return param == 48 ? "generalise:ipv6" : "generalise:ipv6:" + std::to_string(param);
    case Kind::kBand: return "generalise:band:" + NumberText(width);
    case Kind::kRedact: return "redact";
  }
  return "keep";
}

Result<ExportOperator> ParseExportOperator(std::string_view name) {
  ExportOperator op;
  auto after = [&](std::string_view prefix) { return name.substr(prefix.size()); };
  auto starts = [&](std::string_view prefix) { return name.substr(0, prefix.size()) == prefix; };
  if (name == "keep") return op;
  if (name == "drop") return op.kind = Kind::kDrop, op;
  if (name == "null") return op.kind = Kind::kNull, op;
  if (name == "redact") return op.kind = Kind::kRedact, op;
  if (starts("fixed:")) {
    op.kind = Kind::kFixed;
    op.value = std::string(after("fixed:"));
    return op;
  }
  if (name == "pseudonym" || starts("pseudonym:")) {
    op.kind = Kind::kPseudonym;
    if (name == "pseudonym") return op;
    std::string_view s = after("pseudonym:");
    if (s == "text") op.shape = Operator::Shape::kText;
    else if (s == "email") op.shape = Operator::Shape::kEmail;
    else if (s == "int64") op.shape = Operator::Shape::kInt64;
    else if (s == "int32") op.shape = Operator::Shape::kInt32;
    else return Bad(name, "a pseudonym's shape is text, email, int64 or int32");
    return op;
  }
  if (name == "fake" || starts("fake:")) {
    op.kind = Kind::kFake;
    if (name == "fake") return op;
    op.fake = FakeKindFromName(after("fake:"));
    if (!op.fake)
      return Bad(name, "fake values are email, phone, bsn, iban, name, first_name, last_name, street, postcode, city, "
                       "document_number");
    return op;
  }
  if (name == "mask" || starts("mask:")) {
    op.kind = Kind::kMask;
    op.param = 4;
    if (name == "mask") return op;
    std::optional<int> n = ParseInt(after("mask:"), 0, 64);
    if (!n) return Bad(name, "mask:N keeps the last N characters, N from 0 to 64");
    op.param = *n;
    return op;
  }
  if (name == "year" || name == "generalise:year") return op.kind = Kind::kGeneraliseDate, op.param = 1, op;
  if (name == "generalise:5years") return op.kind = Kind::kGeneraliseDate, op.param = 5, op;
  if (name == "generalise:10years") return op.kind = Kind::kGeneraliseDate, op.param = 10, op;
  struct WithParam {
    std::string_view prefix;
    Kind kind;
    int fallback, lo, hi;
    const char* what;
  };
  for (const WithParam& w : {WithParam{"generalise:age_band", Kind::kAgeBand, 10, 2, 50, "an age band is 2 to 50 years wide"},
                             WithParam{"generalise:postcode", Kind::kPostcode, 4, 1, 4, "a postcode keeps 1 to 4 digits"},
                             WithParam{"generalise:ipv4", Kind::kIpv4, 24, 0, 32, "an IPv4 network is /0 to /32"},
                             WithParam{"generalise:ipv6", Kind::kIpv6, 48, 0, 128, "an IPv6 network is /0 to /128"}}) {
    if (name == w.prefix) return op.kind = w.kind, op.param = w.fallback, op;
    if (starts(std::string(w.prefix) + ":")) {
      std::optional<int> n = ParseInt(name.substr(w.prefix.size() + 1), w.lo, w.hi);
      if (!n) return Bad(name, w.what);
      return op.kind = w.kind, op.param = *n, op;
    }
  }
  if (starts("generalise:band:")) {
    std::string s(after("generalise:band:"));
    char* end = nullptr;
    double w = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !(w > 0) || !std::isfinite(w))
      return Bad(name, "generalise:band:W needs a band width W above 0, e.g. generalise:band:1000");
    op.kind = Kind::kBand;
    op.width = w;
    return op;
  }
  if (starts("generalise")) return Bad(name, "generalise takes year, 5years, 10years, age_band, postcode, ipv4, ipv6 or band:W");
  return Bad(name, "");
}

Result<TypeClass> OutputType(const ExportOperator& op, TypeClass type, const std::string& where) {
  auto refuse = [&](const std::string& why) -> Result<TypeClass> {
    return Status::Error(where + " (" + TypeClassName(type) + "): " + op.Name() + " " + why);
  };
  switch (op.kind) {
    case Kind::kKeep:
    case Kind::kDrop:
    case Kind::kNull:
    case Kind::kFixed: return type;
    case Kind::kPseudonym:
      if (op.shape && (*op.shape == Operator::Shape::kInt64 || *op.shape == Operator::Shape::kInt32))
        return type == TypeClass::kInteger ? Result<TypeClass>(type) : refuse("needs an integer column: use pseudonym");
      if (op.shape && type == TypeClass::kInteger) return refuse("writes text into an integer column: use pseudonym");
      if (type == TypeClass::kInteger || IsTextual(type)) return type;
      return refuse("applies to text and integer columns: use generalise, null or drop");
    case Kind::kFake:
    case Kind::kRedact:
    case Kind::kPostcode:
    case Kind::kIpv4:
    case Kind::kIpv6:
      if (IsTextual(type)) return type;
      return refuse("applies to text columns");
    case Kind::kMask:
      return TypeClass::kText;  // "****5678" is text whatever the column held
    case Kind::kGeneraliseDate:
      if (type == TypeClass::kDate || type == TypeClass::kTimestamp || IsTextual(type)) return type;
      return refuse("applies to date, timestamp and text columns");
    case Kind::kAgeBand:
      if (type == TypeClass::kDate || type == TypeClass::kTimestamp || IsTextual(type)) return TypeClass::kText;
      return refuse("applies to dates of birth (date, timestamp or text columns)");
    case Kind::kBand:
      if (IsNumeric(type)) return type;
      return refuse("applies to integer and real columns");
  }
  return type;
}

namespace {
Result<Transform> MakeBareTransform(const ExportOperator& op, const TransformContext& context);
}  // namespace

Result<Transform> MakeTransform(const ExportOperator& op, const TransformContext& context) {
  Result<Transform> t = MakeBareTransform(op, context);
  if (!t.ok() || !context.never_null || op.kind == Kind::kNull) return t;
  return Transform([bare = std::move(*t)](const std::optional<std::string>& v, TransformCounts* counts) {
    std::optional<std::string> out = bare(v, counts);
    if (!out && v) out = std::string();
    return out;
  });
}

namespace {
Result<Transform> MakeBareTransform(const ExportOperator& op, const TransformContext& context) {
  using Value = std::optional<std::string>;
  auto changed = [](const Value& in, const Value& out, TransformCounts* counts) {
    if (counts == nullptr || !in) return;
    if (!out) ++counts->nulled;
    else if (*out != *in) ++counts->changed;
  };
  switch (op.kind) {
    case Kind::kKeep:
    case Kind::kDrop:
      return Transform([](const Value& v, TransformCounts*) { return v; });
    case Kind::kNull:
      return Transform([](const Value& v, TransformCounts* counts) -> Value {
        if (v && counts) ++counts->nulled;
        return std::nullopt;
      });
    case Kind::kFixed: {
      std::string fixed = op.value;
      return Transform([fixed, changed](const Value& v, TransformCounts* counts) -> Value {
        Value out = fixed;
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kPseudonym: {
      if (!op.shape) return Status::Error("internal: pseudonym shape not resolved");
      Operator in_place;
      in_place.kind = Operator::Kind::kPseudonym;
      in_place.shape = *op.shape;
      Result<ValueFunction> fn = MakeFunction(in_place, context.key);
      if (!fn.ok()) return fn.status();
      ValueFunction f = std::move(*fn);
      return Transform([f, changed](const Value& v, TransformCounts* counts) -> Value {
        Value out = f(v);
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kFake: {
      if (!op.fake) return Status::Error("internal: fake kind not resolved");
      if (context.key == nullptr)
        return Status::Error("fake values are keyed: refusing to run without a key (pass --key-file FILE or set DPO_KEY)");
      auto faker = std::make_shared<Faker>(*context.key);
      FakeKind kind = *op.fake;
      return Transform([faker, kind, changed](const Value& v, TransformCounts* counts) -> Value {
        if (!v) return v;
        Value out = faker->Fake(kind, *v);
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kMask: {
      int keep = op.param;
      return Transform([keep, changed](const Value& v, TransformCounts* counts) -> Value {
        if (!v) return v;
        Value out = Mask(*v, keep);
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kGeneraliseDate: {
      int years = op.param;
      return Transform([years, changed](const Value& v, TransformCounts* counts) -> Value {
        if (!v) return v;
        Value out = GeneraliseDate(*v, years);
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kAgeBand: {
      int width = op.param;
      std::string as_of = context.as_of;
      return Transform([width, as_of, changed](const Value& v, TransformCounts* counts) -> Value {
        if (!v) return v;
        Value out = AgeBand(*v, as_of, width);
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kPostcode: {
      int digits = op.param;
      return Transform([digits, changed](const Value& v, TransformCounts* counts) -> Value {
        if (!v) return v;
        Value out = GeneralisePostcode(*v, digits);
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kIpv4:
    case Kind::kIpv6: {
      // One column often holds both families: each value by its own, the
      // other family at its default prefix.
      int bits4 = op.kind == Kind::kIpv4 ? op.param : 24;
      int bits6 = op.kind == Kind::kIpv6 ? op.param : 48;
      return Transform([bits4, bits6, changed](const Value& v, TransformCounts* counts) -> Value {
        if (!v) return v;
        Value out = v->find(':') != std::string::npos ? GeneraliseIpv6(*v, bits6) : GeneraliseIpv4(*v, bits4);
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kBand: {
      double width = op.width;
      return Transform([width, changed](const Value& v, TransformCounts* counts) -> Value {
        if (!v) return v;
        Value out = Band(*v, width);
        changed(v, out, counts);
        return out;
      });
    }
    case Kind::kRedact:
      return Transform([](const Value& v, TransformCounts* counts) -> Value {
        if (!v) return v;
        // A value stored as bytes in a text column reaches us as "\x" and hex
        // (docs/source-types.md): the detectors must see the text, not its hex.
        std::string text = DecodedHexText(*v).value_or(*v);
        int64_t n = RedactFreeText(&text, nullptr);
        if (counts && n > 0) {
          counts->spans += n;
          ++counts->changed;
        }
        return text;
      });
  }
  return Status::Error("internal: unknown operator");
}
}  // namespace

std::optional<ExportOperator> Coarser(const ExportOperator& op) {
  ExportOperator next = op;
  switch (op.kind) {
    case Kind::kGeneraliseDate:
      if (op.param >= 10) return std::nullopt;
      next.param = op.param < 5 ? 5 : 10;
      return next;
    case Kind::kPostcode:
      if (op.param <= 1) return std::nullopt;
      next.param = op.param - 1;
      return next;
    case Kind::kAgeBand:
      if (op.param >= 20) return std::nullopt;
      next.param = op.param < 5 ? 5 : op.param < 10 ? 10 : 20;
      return next;
    case Kind::kIpv4:
    case Kind::kIpv6:
      if (op.param <= 8) return std::nullopt;
      next.param = op.param >= 16 ? op.param - (op.param % 8 == 0 ? 8 : op.param % 8) : 8;
      if (op.kind == Kind::kIpv6 && op.param > 16) next.param = op.param - 16 < 16 ? 16 : op.param - 16;
      return next;
    case Kind::kBand:
      if (op.width >= 1e15) return std::nullopt;
      next.width = op.width * 2;
      return next;
    default: return std::nullopt;
  }
}

}  // namespace dpo::anonymise
