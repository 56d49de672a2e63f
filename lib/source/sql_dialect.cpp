#include "source/sql_dialect.h"

#include <cstdlib>

#include "source/compare_rule.h"

namespace dpo::source {

namespace {

std::string QuoteOne(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  for (char c : name) {
    if (c == '\0') continue;
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// A LIKE pattern of the predicate dialect as an SQLite GLOB pattern: '%' is
// '*', '_' is '?', and a literal '*', '?' or '[' is a one-character class.
std::string LikeToGlob(std::string_view like) {
  std::string glob;
  for (size_t i = 0; i < like.size(); ++i) {
    char c = like[i];
    if (c == '\\' && i + 1 < like.size()) {
      c = like[++i];
    } else if (c == '%') {
      glob += '*';
      continue;
    } else if (c == '_') {
      glob += '?';
      continue;
    }
    if (c == '*' || c == '?' || c == '[') glob += std::string("[") + c + "]";
    else glob += c;
  }
  return glob;
}

class Renderer {
 public:
  Renderer(const SqlTarget& target, SqlDialect dialect, SqlText* out)
      : target_(target), dialect_(dialect), out_(out) {}

  Status Render(const Predicate& p) {
    using Op = Predicate::Op;
    switch (p.op) {
      case Op::kAnd:
      case Op::kOr: {
        if (p.children.empty()) {
          out_->sql += p.op == Op::kAnd ? "(1=1)" : "(1=0)";
          return Status::Ok();
        }
        out_->sql += "(";
        for (size_t i = 0; i < p.children.size(); ++i) {
          if (i > 0) out_->sql += p.op == Op::kAnd ? " AND " : " OR ";
          DPO_RETURN_IF_ERROR(Render(p.children[i]));
        }
        out_->sql += ")";
        return Status::Ok();
      }
      case Op::kNot:
        if (p.children.size() != 1)
          return Status::Error("invalid predicate on table " + TableName() + ": NOT needs exactly one operand");
        out_->sql += "(NOT ";
        DPO_RETURN_IF_ERROR(Render(p.children[0]));
        out_->sql += ")";
        return Status::Ok();
      case Op::kIsNull:
      case Op::kIsNotNull: {
        const Column* column = nullptr;
        DPO_RETURN_IF_ERROR(CheckColumn(p.column, &column));
        out_->sql += "(" + QuoteIdentifier(p.column, dialect_) +
                     (p.op == Op::kIsNull ? " IS NULL)" : " IS NOT NULL)");
        return Status::Ok();
      }
      case Op::kIn: {
        const Column* column = nullptr;
        DPO_RETURN_IF_ERROR(CheckColumn(p.column, &column));
        if (p.values.empty()) {
          out_->sql += "(1=0)";
          return Status::Ok();
        }
        bool fold = p.fold_case && (column == nullptr || CompareAsFor(column->type) == CompareAs::kText);
        out_->sql += "(" + (fold ? "lower(trim(" + QuoteIdentifier(p.column, dialect_) + "))"
                                 : ColumnOperand(p.column, column)) + " IN (";
        for (size_t i = 0; i < p.values.size(); ++i) {
          if (i > 0) out_->sql += ", ";
          Result<std::string> param = Literal(p.values[i], p.column, column);
          if (!param.ok()) return param.status();
          out_->sql += *param;
        }
        out_->sql += "))";
        return Status::Ok();
      }
      case Op::kEq: case Op::kNe: case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe: {
        const Column* column = nullptr;
        DPO_RETURN_IF_ERROR(CheckColumn(p.column, &column));
        if (p.values.size() != 1)
          return Status::Error("invalid predicate on " + TableName() + "." + p.column +
                               ": a comparison needs exactly one value");
        if (column != nullptr && CompareAsFor(column->type) == CompareAs::kBoolean && p.op != Op::kEq &&
            p.op != Op::kNe)
          return Status::Error("condition on " + TableName() + "." + p.column +
                               ": a boolean column can only be compared with = or <>");
        const char* op = p.op == Op::kEq ? " = " : p.op == Op::kNe ? " <> " : p.op == Op::kLt ? " < "
                       : p.op == Op::kLe ? " <= " : p.op == Op::kGt ? " > " : " >= ";
        Result<std::string> param = Literal(p.values[0], p.column, column);
        if (!param.ok()) return param.status();
        out_->sql += "(" + ColumnOperand(p.column, column) + op + *param + ")";
        return Status::Ok();
      }
      case Op::kLike: {
        const Column* column = nullptr;
        DPO_RETURN_IF_ERROR(CheckColumn(p.column, &column));
        if (p.values.size() != 1)
          return Status::Error("invalid predicate on " + TableName() + "." + p.column +
                               ": LIKE needs exactly one pattern");
        // The text form of any type, compared bytewise and case-sensitively:
        // PostgreSQL LIKE under "C" (its pattern syntax is dpo's); SQLite
        // GLOB (LIKE ignores ASCII case there), with the pattern translated.
        std::string quoted = QuoteIdentifier(p.column, dialect_);
        if (dialect_ == SqlDialect::kPostgres) {
          out_->params.push_back(p.values[0]);
          out_->sql += "((" + quoted + "::text COLLATE \"C\") LIKE $" + std::to_string(out_->params.size()) + ")";
        } else {
          out_->params.push_back(LikeToGlob(p.values[0]));
          out_->sql += "(CAST(" + quoted + " AS TEXT) GLOB ?" + std::to_string(out_->params.size()) + ")";
        }
        return Status::Ok();
      }
      case Op::kInSelect:
        return RenderSemiJoin(p);
    }
    return Status::Error("invalid predicate on table " + TableName(), StatusCode::kInternal);
  }

  // A bound parameter for a literal compared with `column`, checked and
  // canonicalised by the column's type.
  Result<std::string> Literal(const std::string& value, const std::string& name, const Column* column) {
    std::string canonical = value;
    if (column != nullptr) {
      Result<std::string> c = CanonicalLiteral(value, column->type, TableName(), name);
      if (!c.ok()) return c.status();
      canonical = std::move(*c);
      // SQLite stores booleans as 0 and 1.
      if (dialect_ == SqlDialect::kSqlite && column->type == TypeClass::kBoolean)
        canonical = canonical == "true" ? "1" : "0";
    }
    out_->params.push_back(canonical);
    std::string n = std::to_string(out_->params.size());
    return std::string(dialect_ == SqlDialect::kPostgres ? "$" : "?") + n;
  }

  // The column as the left operand of a comparison, so that text compares
  // bytewise on both databases.
  std::string ColumnOperand(const std::string& name, const Column* column) const {
    std::string quoted = QuoteIdentifier(name, dialect_);
    TypeClass type = column ? column->type : TypeClass::kUnknown;
    if (CompareAsFor(type) != CompareAs::kText) return quoted;
    if (dialect_ == SqlDialect::kPostgres) {
      // Dates and timestamps keep their type (and their indexes): ISO
      // literals order the same way as text. Other text compares under "C".
      if (type == TypeClass::kDate || type == TypeClass::kTimestamp) return quoted;
      if (type == TypeClass::kText) return quoted + " COLLATE \"C\"";
      return "(" + quoted + "::text COLLATE \"C\")";
    }
    // SQLite: TEXT-affinity columns compare as text with BINARY collation;
    // dates (NUMERIC affinity) hold ISO text and compare as text with ISO
    // literals. Columns without a declared type could hold numbers, which
    // SQLite orders before all text: cast them.
    if (type == TypeClass::kUnknown || type == TypeClass::kBlob) return "CAST(" + quoted + " AS TEXT)";
    return quoted;
  }

  Status RenderSemiJoin(const Predicate& p) {
    if (p.children.size() != 1 || p.key_columns.empty() || p.key_columns.size() != p.sub_columns.size())
      return Status::Error("invalid semi-join on table " + TableName() +
                           ": give as many key columns as sub-table columns, and one condition");
    if (!target_.resolve)
      return Status::Error("semi-join on table " + TableName() + " cannot be rendered here", StatusCode::kInternal);
    Result<SqlTarget> sub = target_.resolve(p.sub_table);
    if (!sub.ok()) return sub.status();
    auto list = [&](const std::vector<std::string>& names, const Table* table) -> Result<std::string> {
      std::string sql;
      for (size_t i = 0; i < names.size(); ++i) {
        if (table != nullptr && table->FindColumn(names[i]) == nullptr)
          return Status::Error("unknown column " + table->name + "." + names[i] +
                               "; run 'dpo inspect' to list the columns");
        sql += (i > 0 ? ", " : "") + QuoteIdentifier(names[i], dialect_);
      }
      return names.size() > 1 ? "(" + sql + ")" : sql;
    };
    for (const std::string& k : p.key_columns) {
      const Column* column = nullptr;
      DPO_RETURN_IF_ERROR(CheckColumn(k, &column));
    }
    Result<std::string> keys = list(p.key_columns, target_.table);
    if (!keys.ok()) return keys.status();
    Result<std::string> subs = list(p.sub_columns, sub->table);
    if (!subs.ok()) return subs.status();
    // Row values need no parentheses inside the select list.
    std::string sub_select = *subs;
    if (p.sub_columns.size() > 1) sub_select = sub_select.substr(1, sub_select.size() - 2);
    out_->sql += "(" + *keys + " IN (SELECT " + sub_select + " FROM " + sub->sql_name + " WHERE ";
    Renderer inner(*sub, dialect_, out_);
    DPO_RETURN_IF_ERROR(inner.Render(p.children[0]));
    out_->sql += "))";
    return Status::Ok();
  }

  Status CheckColumn(const std::string& name, const Column** column) {
    if (target_.table == nullptr) return Status::Ok();
    *column = target_.table->FindColumn(name);
    if (*column == nullptr)
      return Status::Error("unknown column " + TableName() + "." + name +
                           "; run 'dpo inspect' to list the columns");
    return Status::Ok();
  }

  std::string TableName() const { return target_.table ? target_.table->name : target_.sql_name; }

 private:
  const SqlTarget& target_;
  SqlDialect dialect_;
  SqlText* out_;
};

}  // namespace

std::string QuoteIdentifier(std::string_view name, SqlDialect dialect, bool split_schema) {
  if (split_schema && dialect == SqlDialect::kPostgres) {
    size_t dot = name.find('.');
    if (dot != std::string_view::npos)
      return QuoteOne(name.substr(0, dot)) + "." + QuoteOne(name.substr(dot + 1));
  }
  return QuoteOne(name);
}

Status RenderPredicate(const Predicate& where, const SqlTarget& target, SqlDialect dialect,
                       SqlText* out) {
  Renderer renderer(target, dialect, out);
  return renderer.Render(where);
}

Result<SqlText> RenderCount(const SqlTarget& target, const std::optional<Predicate>& where,
                            SqlDialect dialect) {
  SqlText text;
  text.sql = "SELECT count(*) FROM " + target.sql_name;
  if (where) {
    text.sql += " WHERE ";
    DPO_RETURN_IF_ERROR(RenderPredicate(*where, target, dialect, &text));
  }
  return text;
}

namespace {

// A name that is one SQL token without quotes: letters, digits and '_'.
std::string PlainName(std::string_view text) {
  std::string name;
  for (char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    name += plain ? c : '_';
  }
  return name;
}

}  // namespace

std::string ComputedFunctionName(std::string_view op) { return "dpo_" + PlainName(op); }

Result<SqlText> RenderWriteOp(const WriteOp& op, const SqlTarget& target, SqlDialect dialect,
                              const std::vector<std::string>& returning,
                              const std::vector<std::string>& computed_functions) {
  SqlText text;
  Renderer renderer(target, dialect, &text);
  if (op.kind == WriteOp::Kind::kDelete) {
    text.sql = "DELETE FROM " + target.sql_name;
  } else {
    if (op.assignments.empty() && op.computed.empty())
      return Status::Error("update of " + renderer.TableName() + " sets no column; nothing to do");
    if (!computed_functions.empty() && computed_functions.size() != op.computed.size())
      return Status::Error("update of " + renderer.TableName() + ": one function per computed column is needed",
                           StatusCode::kInternal);
    text.sql = "UPDATE " + target.sql_name + " SET ";
    for (size_t i = 0; i < op.assignments.size(); ++i) {
      const auto& [name, value] = op.assignments[i];
      const Column* column = nullptr;
      DPO_RETURN_IF_ERROR(renderer.CheckColumn(name, &column));
      if (i > 0) text.sql += ", ";
      text.sql += QuoteIdentifier(name, dialect) + " = ";
      if (!value) {
        text.sql += "NULL";
      } else {
        text.params.push_back(value);
        text.sql += (dialect == SqlDialect::kPostgres ? "$" : "?") + std::to_string(text.params.size());
      }
    }
    for (size_t i = 0; i < op.computed.size(); ++i) {
      const WriteOp::ComputedAssignment& c = op.computed[i];
      const Column* column = nullptr;
      DPO_RETURN_IF_ERROR(renderer.CheckColumn(c.column, &column));
      if (i > 0 || !op.assignments.empty()) text.sql += ", ";
      const std::string quoted = QuoteIdentifier(c.column, dialect);
      const std::string function =
          computed_functions.empty() ? ComputedFunctionName(c.op) : PlainName(computed_functions[i]);
      text.sql += quoted + " = " + function + "(" + quoted + ")";
    }
  }
  text.sql += " WHERE ";
  DPO_RETURN_IF_ERROR(renderer.Render(op.where));
  if (!returning.empty()) {
    text.sql += " RETURNING ";
    for (size_t i = 0; i < returning.size(); ++i) {
      const Column* column = nullptr;
      DPO_RETURN_IF_ERROR(renderer.CheckColumn(returning[i], &column));
      text.sql += (i > 0 ? ", " : "") + QuoteIdentifier(returning[i], dialect);
    }
  }
  return text;
}

Result<std::string> RenderSelectList(const std::vector<std::string>& columns, const Table& table,
                                     SqlDialect dialect, std::vector<std::string>* names) {
  names->clear();
  if (columns.empty()) {
    for (const Column& c : table.columns) names->push_back(c.name);
  } else {
    for (const std::string& c : columns) {
      if (table.FindColumn(c) == nullptr)
        return Status::Error("unknown column " + table.name + "." + c +
                             "; run 'dpo inspect' to list the columns");
      names->push_back(c);
    }
  }
  std::string list;
  for (size_t i = 0; i < names->size(); ++i) {
    if (i > 0) list += ", ";
    list += QuoteIdentifier((*names)[i], dialect);
  }
  if (list.empty()) list = "NULL";  // a table without columns (PostgreSQL allows it)
  return list;
}

}  // namespace dpo::source
