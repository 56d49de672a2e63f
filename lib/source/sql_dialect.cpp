#include "source/sql_dialect.h"

#include <cstdlib>

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

bool LooksNumeric(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && s.find_first_of("xXnN") == std::string::npos;  // no hex, nan, inf
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
        out_->sql += "(" + QuoteIdentifier(p.column, dialect_) + " IN (";
        for (size_t i = 0; i < p.values.size(); ++i) {
          if (i > 0) out_->sql += ", ";
          out_->sql += Param(p.values[i], column);
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
        const char* op = p.op == Op::kEq ? " = " : p.op == Op::kNe ? " <> " : p.op == Op::kLt ? " < "
                       : p.op == Op::kLe ? " <= " : p.op == Op::kGt ? " > " : " >= ";
        out_->sql += "(" + QuoteIdentifier(p.column, dialect_) + op + Param(p.values[0], column) + ")";
        return Status::Ok();
      }
    }
    return Status::Error("invalid predicate on table " + TableName(), kExitInternal);
  }

  std::string Param(const std::optional<std::string>& value, const Column* column) {
    out_->params.push_back(value);
    std::string n = std::to_string(out_->params.size());
    if (dialect_ == SqlDialect::kPostgres) return "$" + n;
    // SQLite compares a column with no declared type (BLOB affinity) without
    // converting a text parameter, so "5" would never equal a stored 5. Give
    // numeric literals numeric affinity there; typed columns convert by their
    // own affinity, which keeps "0612..." textual in a TEXT column.
    if (value && column != nullptr && column->type == TypeClass::kUnknown && LooksNumeric(*value))
      return "CAST(?" + n + " AS NUMERIC)";
    return "?" + n;
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

Result<SqlText> RenderWriteOp(const WriteOp& op, const SqlTarget& target, SqlDialect dialect) {
  SqlText text;
  Renderer renderer(target, dialect, &text);
  if (op.kind == WriteOp::Kind::kDelete) {
    text.sql = "DELETE FROM " + target.sql_name;
  } else {
    if (op.assignments.empty())
      return Status::Error("update of " + renderer.TableName() + " sets no column; nothing to do");
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
  }
  text.sql += " WHERE ";
  DPO_RETURN_IF_ERROR(renderer.Render(op.where));
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
