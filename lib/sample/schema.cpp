#include "sample/schema.h"

namespace dpo::sample {
namespace {

constexpr bool kUndeclared = false;
constexpr bool kIdentifier = true;

std::vector<TableSpec> BuildTables() {
  // {name, type, constraint, kinds, category, declared, identifier, free_text}
  std::vector<TableSpec> t(kTableCount);
  t[kClientCompanies] = {"client_companies", "client", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"name", "TEXT", "NOT NULL", "", "none"},
      {"kvk_number", "TEXT", "", "kvk", "business"},
      {"vat_number", "TEXT", "", "vat_nl", "business"},
      {"address", "TEXT", "", "street_address", "business"},
      {"postcode", "TEXT", "", "postcode", "business"},
      {"city", "TEXT", "", "city", "business"},
      {"phone", "TEXT", "", "phone", "business"},
      {"created_at", "TEXT", "NOT NULL", "date", "none"},
      {"relationship_ended_at", "TEXT", "", "date", "none"},
  }};
  t[kClientContacts] = {"client_contacts", "client_contact", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"company_id", "INTEGER", "NOT NULL REFERENCES client_companies(id) ON DELETE CASCADE", "", "none"},
      {"first_name", "TEXT", "", "person_name", "contact"},
      {"last_name", "TEXT", "", "person_name", "contact"},
      {"email", "TEXT", "", "email", "contact", true, kIdentifier},
      {"phone", "TEXT", "", "phone", "contact"},
      {"job_title", "TEXT", "", "", "contact"},
      {"created_at", "TEXT", "NOT NULL", "date", "none"},
      {"last_contact_at", "TEXT", "", "date", "none"},
  }};
  t[kCandidates] = {"candidates", "candidate", true, ';', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"first_name", "TEXT", "NOT NULL", "person_name", "contact"},
      {"tussenvoegsel", "TEXT", "", "person_name", "contact"},
      {"last_name", "TEXT", "NOT NULL", "person_name", "contact"},
      {"email", "TEXT", "NOT NULL", "email", "contact", true, kIdentifier},
      {"phone", "TEXT", "", "phone", "contact"},
      {"address", "TEXT", "", "street_address", "contact"},
      {"postcode", "TEXT", "", "postcode", "contact"},
      {"city", "TEXT", "", "city", "contact"},
      {"date_of_birth", "TEXT", "", "birth_date", "identity"},
      {"gender", "TEXT", "", "gender", "identity"},
      {"nationality", "TEXT", "", "nationality", "identity"},
      {"bsn", "TEXT", "", "bsn", "bsn", true, kIdentifier},
      {"iban", "TEXT", "", "iban", "bank_account"},
      {"linkedin_url", "TEXT", "", "social_profile", "career"},
      {"cv_text", "TEXT", "", "free_text", "career", true, false, true},
      {"availability", "TEXT", "", "", "career"},
      {"status", "TEXT", "NOT NULL", "", "none"},
      {"registered_at", "TEXT", "NOT NULL", "date", "none"},
      {"last_active_at", "TEXT", "NOT NULL", "date", "none"},
      {"consent_extended", "INTEGER", "NOT NULL DEFAULT 0", "", "consent"},
      {"marketing_consent", "INTEGER", "NOT NULL DEFAULT 0", "", "consent"},
      {"legal_hold", "INTEGER", "NOT NULL DEFAULT 0", "", "none"},
      {"private_email_2", "TEXT", "", "email", "contact", kUndeclared},
  }};
  t[kEmployees] = {"employees", "temporary_worker", true, ';', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"candidate_id", "INTEGER", "REFERENCES candidates(id) ON DELETE SET NULL", "", "none"},
      {"personnel_number", "TEXT", "NOT NULL", "", "employment", true, kIdentifier},
      {"first_name", "TEXT", "NOT NULL", "person_name", "contact"},
      {"tussenvoegsel", "TEXT", "", "person_name", "contact"},
      {"last_name", "TEXT", "NOT NULL", "person_name", "contact"},
      {"email", "TEXT", "", "email", "contact", true, kIdentifier},
      {"phone", "TEXT", "", "phone", "contact"},
      {"address", "TEXT", "", "street_address", "contact"},
      {"postcode", "TEXT", "", "postcode", "contact"},
      {"city", "TEXT", "", "city", "contact"},
      {"date_of_birth", "TEXT", "", "birth_date", "identity"},
      {"bsn", "TEXT", "NOT NULL", "bsn", "bsn", true, kIdentifier},
      {"iban", "TEXT", "", "iban", "bank_account"},
      {"hourly_wage", "REAL", "", "salary", "income"},
      {"contract_type", "TEXT", "", "", "employment"},
      {"contract_start", "TEXT", "NOT NULL", "date", "employment"},
      {"contract_end", "TEXT", "", "date", "employment"},
      {"employment_ended_at", "TEXT", "", "date", "employment"},
      {"vog_issued_on", "TEXT", "", "date criminal_term", "criminal"},
      {"legal_hold", "INTEGER", "NOT NULL DEFAULT 0", "", "none"},
      {"extra_1", "TEXT", "", "iban", "bank_account", kUndeclared},
  }};
  t[kPlacements] = {"placements", "temporary_worker", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"employee_id", "INTEGER", "NOT NULL REFERENCES employees(id)", "", "none"},
      {"company_id", "INTEGER", "NOT NULL REFERENCES client_companies(id)", "", "none"},
      {"contact_id", "INTEGER", "REFERENCES client_contacts(id) ON DELETE SET NULL", "", "none"},
      {"job_title", "TEXT", "", "", "employment"},
      {"start_date", "TEXT", "NOT NULL", "date", "employment"},
      {"end_date", "TEXT", "", "date", "employment"},
      {"charge_rate", "REAL", "", "", "none"},
      {"performance_rating", "INTEGER", "", "", "performance"},
      {"evaluation", "TEXT", "", "free_text", "performance", true, false, true},
      {"status", "TEXT", "NOT NULL", "", "none"},
  }};
  t[kTimesheets] = {"timesheets", "temporary_worker", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"placement_id", "INTEGER", "NOT NULL REFERENCES placements(id)", "", "none"},
      {"employee_id", "INTEGER", "NOT NULL REFERENCES employees(id)", "", "none"},
      {"period_start", "TEXT", "NOT NULL", "date", "employment"},
      {"period_end", "TEXT", "NOT NULL", "date", "employment"},
      {"hours", "REAL", "NOT NULL", "", "employment"},
      {"overtime_hours", "REAL", "NOT NULL DEFAULT 0", "", "employment"},
      {"approved_by", "INTEGER", "REFERENCES client_contacts(id) ON DELETE SET NULL", "", "none"},
      {"approved_at", "TEXT", "", "date", "none"},
  }};
  t[kPayslips] = {"payslips", "temporary_worker", true, ';', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"employee_id", "INTEGER", "NOT NULL REFERENCES employees(id)", "", "none"},
      {"period", "TEXT", "NOT NULL", "", "none"},
      {"gross_pay", "REAL", "NOT NULL", "salary", "income"},
      {"tax_withheld", "REAL", "NOT NULL", "salary", "income"},
      {"pension_contribution", "REAL", "NOT NULL", "salary", "income"},
      {"union_dues", "REAL", "", "union_term", "union_membership"},
      {"net_pay", "REAL", "NOT NULL", "salary", "income"},
      {"iban", "TEXT", "", "iban", "bank_account"},
      {"paid_at", "TEXT", "NOT NULL", "date", "none"},
      {"legal_hold", "INTEGER", "NOT NULL DEFAULT 0", "", "none"},
  }};
  t[kInvoices] = {"invoices", "client", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"company_id", "INTEGER", "NOT NULL REFERENCES client_companies(id)", "", "none"},
      {"placement_id", "INTEGER", "REFERENCES placements(id) ON DELETE SET NULL", "", "none"},
      {"invoice_number", "TEXT", "NOT NULL", "", "none"},
      {"issued_at", "TEXT", "NOT NULL", "date", "none"},
      {"hours", "REAL", "", "", "employment"},
      {"amount_excl_vat", "REAL", "NOT NULL", "", "none"},
      {"vat_amount", "REAL", "NOT NULL", "", "none"},
      {"paid_at", "TEXT", "", "date", "none"},
      {"status", "TEXT", "NOT NULL", "", "none"},
  }};
  t[kIdDocuments] = {"id_documents", "temporary_worker", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"employee_id", "INTEGER", "NOT NULL REFERENCES employees(id)", "", "none"},
      {"document_type", "TEXT", "NOT NULL", "", "id_document"},
      {"document_number", "TEXT", "NOT NULL", "passport_nl id_card_nl", "id_document", true, kIdentifier},
      {"issuing_country", "TEXT", "", "nationality", "identity"},
      {"expires_on", "TEXT", "", "date", "id_document"},
      {"copy_stored_at", "TEXT", "NOT NULL", "date", "none"},
      {"employment_ended_at", "TEXT", "", "date", "employment"},
  }};
  t[kAbsences] = {"absences", "temporary_worker", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"employee_id", "INTEGER", "NOT NULL REFERENCES employees(id)", "", "none"},
      {"start_date", "TEXT", "NOT NULL", "date", "health"},
      {"end_date", "TEXT", "", "date", "health"},
      {"reason", "TEXT", "", "health_term", "health"},
      {"reported_at", "TEXT", "NOT NULL", "date", "none"},
  }};
  t[kConsents] = {"consents", "candidate", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"candidate_id", "INTEGER", "NOT NULL REFERENCES candidates(id) ON DELETE CASCADE", "", "none"},
      {"purpose", "TEXT", "NOT NULL", "", "consent"},
      {"given_at", "TEXT", "NOT NULL", "date", "consent"},
      {"withdrawn_at", "TEXT", "", "date", "consent"},
      {"method", "TEXT", "NOT NULL", "", "consent"},
      {"ip_address", "TEXT", "", "ipv4", "technical"},
  }};
  t[kApplications] = {"applications", "candidate", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"candidate_id", "INTEGER", "NOT NULL REFERENCES candidates(id) ON DELETE CASCADE", "", "none"},
      {"company_id", "INTEGER", "REFERENCES client_companies(id) ON DELETE SET NULL", "", "none"},
      {"job_title", "TEXT", "", "", "career"},
      {"applied_at", "TEXT", "NOT NULL", "date", "none"},
      {"motivation_letter", "TEXT", "", "free_text", "career", true, false, true},
      {"status", "TEXT", "NOT NULL", "", "none"},
      {"procedure_ended_at", "TEXT", "", "date", "none"},
      {"consent_keep_1y", "INTEGER", "NOT NULL DEFAULT 0", "", "consent"},
      {"dispute_open", "INTEGER", "NOT NULL DEFAULT 0", "", "none"},
  }};
  t[kConversationNotes] = {"conversation_notes", "candidate", true, ';', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"candidate_id", "INTEGER", "NOT NULL REFERENCES candidates(id) ON DELETE CASCADE", "", "none"},
      {"employee_id", "INTEGER", "REFERENCES employees(id) ON DELETE SET NULL", "", "none"},
      {"author", "TEXT", "NOT NULL", "", "none"},
      {"channel", "TEXT", "", "", "none"},
      {"created_at", "TEXT", "NOT NULL", "date", "none"},
      {"note", "TEXT", "NOT NULL", "free_text", "conversation_notes", true, false, true},
  }};
  t[kWebsiteVisits] = {"website_visits", "website_visitor", true, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none"},
      {"candidate_id", "INTEGER", "REFERENCES candidates(id) ON DELETE SET NULL", "", "none"},
      {"visited_at", "TEXT", "NOT NULL", "date", "none"},
      {"ip_address", "TEXT", "NOT NULL", "ipv4 ipv6", "technical"},
      {"user_agent", "TEXT", "", "device_id", "technical"},
      {"cookie_id", "TEXT", "", "device_id", "technical"},
      {"page_url", "TEXT", "NOT NULL", "", "none"},
      {"referrer", "TEXT", "", "", "technical"},
  }};
  // A forgotten export of a mailing: nobody put it in the policy.
  t[kExportTmp] = {"export_tmp", "candidate", false, ',', {
      {"id", "INTEGER", "PRIMARY KEY", "", "none", kUndeclared},
      {"naam", "TEXT", "", "person_name", "contact", kUndeclared},
      {"telefoon", "TEXT", "", "phone", "contact", kUndeclared},
      {"email", "TEXT", "", "email", "contact", kUndeclared},
      {"woonplaats", "TEXT", "", "city", "contact", kUndeclared},
      {"exported_at", "TEXT", "", "date", "none", kUndeclared},
  }};
  return t;
}

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

const char* const kMentionNames[kMentionCount] = {"phone",         "email",      "person_name",  "health_term",
                                                  "religion_term", "union_term", "criminal_term"};

int TableSpec::ColumnIndex(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (column == columns[i].name) return static_cast<int>(i);
  }
  return -1;
}

const std::vector<TableSpec>& Tables() {
  static const std::vector<TableSpec> tables = BuildTables();
  return tables;
}

std::string CreateTableSql(const TableSpec& table) {
  std::string sql = "CREATE TABLE " + QuoteIdent(table.name) + " (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnSpec& c = table.columns[i];
    if (i > 0) sql += ", ";
    sql += QuoteIdent(c.name);
    sql += ' ';
    sql += c.type;
    if (*c.constraint != '\0') {
      sql += ' ';
      sql += c.constraint;
    }
  }
  sql += ")";
  return sql;
}

const std::vector<RetentionSpec>& RetentionRules() {
  using Op = ConditionSpec::Op;
  using util::Duration;
  static const std::vector<RetentionSpec> rules = {
      {"candidate_profile_renewal", kCandidates, "last_active_at", Duration::Years(1),
       {{"status", Op::kEqualsText, 0, "active"}}, {{"legal_hold", Op::kEqualsInt, 1}}},
      {"candidate_inactive", kCandidates, "last_active_at", Duration::Years(2), {}, {{"legal_hold", Op::kEqualsInt, 1}}},
      {"application_without_consent", kApplications, "procedure_ended_at", Duration::Weeks(4),
       {{"consent_keep_1y", Op::kEqualsInt, 0}}, {{"dispute_open", Op::kEqualsInt, 1}}},
      {"application_with_consent", kApplications, "procedure_ended_at", Duration::Years(1),
       {{"consent_keep_1y", Op::kEqualsInt, 1}}, {{"dispute_open", Op::kEqualsInt, 1}}},
      {"placements", kPlacements, "end_date", Duration::Years(7), {}, {}},
      {"employee_records", kEmployees, "employment_ended_at", Duration::Years(7), {}, {{"legal_hold", Op::kEqualsInt, 1}}},
      {"payslips", kPayslips, "paid_at", Duration::Years(7), {}, {{"legal_hold", Op::kEqualsInt, 1}}},
      {"timesheets", kTimesheets, "period_end", Duration::Years(7), {}, {}},
      {"invoices", kInvoices, "issued_at", Duration::Years(7), {}, {}},
      {"id_document_copies", kIdDocuments, "employment_ended_at", Duration::Years(5), {}, {}},
      {"absence_records", kAbsences, "end_date", Duration::Years(2), {}, {}},
      {"consent_records", kConsents, "withdrawn_at", Duration::Years(2), {}, {}},
      {"conversation_notes", kConversationNotes, "created_at", Duration::Years(2), {}, {}},
      {"website_visits", kWebsiteVisits, "visited_at", Duration::Months(13), {}, {}},
      {"client_contacts", kClientContacts, "last_contact_at", Duration::Years(2), {}, {}},
      {"client_business_data", kClientCompanies, "relationship_ended_at", Duration::Years(7), {}, {}},
  };
  return rules;
}

std::string ConditionsSql(const std::vector<ConditionSpec>& conditions, const char* joiner, const char* empty) {
  if (conditions.empty()) return empty;
  std::string sql;
  for (size_t i = 0; i < conditions.size(); ++i) {
    const ConditionSpec& c = conditions[i];
    if (i > 0) sql += joiner;
    sql += QuoteIdent(c.column) + " = ";
    if (c.op == ConditionSpec::Op::kEqualsInt) {
      sql += std::to_string(c.int_value);
    } else {
      sql += "'" + std::string(c.text_value) + "'";
    }
  }
  return sql;
}

}  // namespace dpo::sample
