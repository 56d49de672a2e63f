// One vocabulary for what dpo finds: the built-in categories of personal
// data, each with its sensitivity and the detector kinds that recognise it.
// Discovery labels columns with these ids, `policy init` drafts them as a
// policy's categories, and the renderers and docs name them the same way; a
// policy may of course define its own categories (then its `detectors:`
// lists decide, see scan::CategoryForKind).
#pragma once

#include <string_view>
#include <vector>

#include "detect/kind.h"

namespace dpo::detect {

struct BuiltinCategory {
  std::string_view id;                // "contact", "bsn", "health", ...
  std::string_view description;       // one line, as a draft policy writes it
  std::string_view sensitivity;       // a policy's sensitivity: ordinary | special | criminal | national_id
  std::string_view special_category;  // the Art. 9 category of a special one, else ""
  std::vector<Kind> kinds;            // the detector kinds that recognise it (may be none)
};

// Every built-in category, in the order a draft policy writes them.
const std::vector<BuiltinCategory>& BuiltinCategories();

// The built-in category `kind` belongs to; nullptr for kinds that are not
// personal data on their own (a plain date).
const BuiltinCategory* BuiltinCategoryOf(Kind kind);
const BuiltinCategory* FindBuiltinCategory(std::string_view id);

// How much harm a leak of data of this kind can do, for choosing one label
// among several (a free-text column is labelled by the most sensitive thing
// it holds): criminal (Art. 10) 4, special categories (Art. 9) 3, national
// identification numbers 2, financial data and identity documents 1,
// everything else 0.
int SensitivityRank(Kind kind);

}  // namespace dpo::detect
