#include "source/source.h"

namespace dpo::source {

const char* SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kSqlite: return "sqlite";
    case SourceKind::kCsv: return "csv";
    case SourceKind::kPostgres: return "postgresql";
  }
  return "unknown";
}

const char* TypeClassName(TypeClass type) {
  switch (type) {
    case TypeClass::kText: return "text";
    case TypeClass::kInteger: return "integer";
    case TypeClass::kReal: return "real";
    case TypeClass::kBoolean: return "boolean";
    case TypeClass::kDate: return "date";
    case TypeClass::kTimestamp: return "timestamp";
    case TypeClass::kBlob: return "blob";
    case TypeClass::kUnknown: return "unknown";
  }
  return "unknown";
}

const Column* Table::FindColumn(const std::string& column_name) const {
  for (const Column& c : columns)
    if (c.name == column_name) return &c;
  return nullptr;
}

}  // namespace dpo::source
