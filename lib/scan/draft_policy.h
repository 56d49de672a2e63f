// `dpo policy init`: a first draft of a policy from what a source's schema
// shows. Every table becomes a dataset; columns whose names say what they
// hold (lib/detect/column_names.h) are mapped to categories; identifiers and
// keys are marked; everything a person must decide -- controller, legal
// bases, the Art. 9/10 conditions, the law behind a BSN, every retention
// period -- is written as TODO, which `dpo policy check` reports as an error
// until filled in. Columns the names do not explain are judged by what a
// discovery scan found in their values (when one is given), and otherwise
// listed as comments, never claimed to be "none". The draft holds no
// personal data: only table, column and category names.
#pragma once

#include <string>

#include "scan/finding.h"
#include "source/source.h"
#include "util/status.h"

namespace dpo::scan {

struct DraftOptions {
  std::string source_name;  // for the header comment; empty = source.DisplayName()
  std::string date;         // for the header comment; empty = util::Today()
  // A discovery scan of the same source (scan/scanner.h, no policy). Columns
  // whose names say nothing ("extra_1", "col7") get the category their
  // values show. nullptr: names only, no row is read.
  const ScanResult* discovery = nullptr;
};

// The draft as YAML text; it loads with policy::LoadPolicyString and, once
// validated, its only errors are the TODOs (code "todo").
Result<std::string> DraftPolicyYaml(source::Source& source, const DraftOptions& options);

}  // namespace dpo::scan
