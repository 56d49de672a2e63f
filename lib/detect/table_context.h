// Whether a table's rows are about people, and what that changes about its
// columns. A column is judged on its own first (column_classifier.h); some
// kinds only mean personal data when the row is about a person: a salary band
// of a job, a "name" of a region, "nurse" in a product description. Tables of
// things (catalogues, lookup tables, products, regions) lose those kinds;
// what identifies anyone wherever it is (an address, a phone number, an
// e-mail address) stays.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "detect/column_classifier.h"

namespace dpo::detect {

// True when the table holds people: one of its columns holds something that
// identifies a person (an e-mail address, a person's name by its values, a
// BSN, a birth date, ...), or a column or the table name refers to people
// ("employee_id", "customers", "kandidaten").
// column_names and verdicts are parallel (one per column).
bool TableHoldsPeople(std::string_view table_name, const std::vector<std::string>& column_names,
                      const std::vector<ColumnVerdict>& verdicts);

// Kinds that are personal data only about a person (pay, gender, names by the
// column name, special-category terms); kept in tables of people, dropped
// from tables of things.
bool IsAboutPersonOnly(Kind kind);

// Removes the about-a-person-only kinds from every verdict of a table of
// things. Returns TableHoldsPeople(...) (nothing changes when it is true).
bool ApplyTableContext(std::string_view table_name, const std::vector<std::string>& column_names,
                       std::vector<ColumnVerdict>* verdicts);

}  // namespace dpo::detect
