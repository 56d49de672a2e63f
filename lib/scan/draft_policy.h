// `dpo policy init`: a first draft of a policy from what a source's schema
// shows. Every table becomes a dataset; columns whose names say what they
// hold (lib/detect/column_names.h) are mapped to categories; identifiers and
// keys are marked; everything a person must decide -- controller, legal
// bases, the Art. 9/10 conditions, the law behind a BSN, every retention
// period -- is written as TODO, which `dpo policy check` reports as an error
// until filled in. Columns the names do not explain are listed as comments,
// never claimed to be "none". The draft holds no personal data: it is built
// from the schema only and never reads a row.
#pragma once

#include <string>

#include "source/source.h"
#include "util/status.h"

namespace dpo::scan {

struct DraftOptions {
  std::string source_name;  // for the header comment; empty = source.DisplayName()
  std::string date;         // for the header comment; empty = util::Today()
};

// The draft as YAML text; it loads with policy::LoadPolicyString and, once
// validated, its only errors are the TODOs (code "todo").
Result<std::string> DraftPolicyYaml(source::Source& source, const DraftOptions& options);

}  // namespace dpo::scan
