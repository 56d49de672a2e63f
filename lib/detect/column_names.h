// Column names as evidence: "candidate_email", "emailAddress", "contact_phone_2",
// "Geboortedatum", "geb_datum" -> candidate kinds with a weight in (0, 1].
// Names are normalised (camelCase, snake_case, spaces, hyphens, dots), generic
// prefixes and suffixes (candidate_, contact_, _2, _nl) are ignored, and
// metadata about a value (email_verified, phone_count, address_id) is not the
// value itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "detect/kind.h"

namespace dpo::detect {

struct NameEvidence {
  Kind kind;
  double weight;  // 1.0: the name says exactly this; 0.5: suggests it
  // The entry is the whole name, qualifiers aside ("email", "ShipAddress",
  // "contact_email_2"), not a part of it ("amount_excl_vat" is an amount).
  bool whole = false;
};

// Lower-case word tokens of a column name ("candidateEmail_2" -> candidate, email, 2).
std::vector<std::string> ColumnNameTokens(std::string_view column_name);

// Candidate kinds for a column name, strongest first; empty when the name
// says nothing ("col7", "id", "status").
std::vector<NameEvidence> KindsFromColumnName(std::string_view column_name);

}  // namespace dpo::detect
