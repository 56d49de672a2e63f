// `dpo policy init`: a first draft of a policy from what a source's schema
// shows. Every table becomes a dataset; columns whose names say what they
// hold (lib/detect/column_names.h) are mapped to categories; identifiers and
// keys are marked; everything a person must decide -- controller, legal
// bases, the Art. 9/10 conditions, the law behind a BSN, every retention
// period -- is written as TODO, which `dpo policy check` reports as an error
// until filled in. Columns the names do not explain are judged by what a
// discovery scan found in their values (when one is given), and otherwise
// listed as comments with what was tried, never claimed to be "none". The
// draft holds no personal data: only table, column and category names.
//
// Deciding and writing are apart: BuildDraftPolicy decides (as data),
// DraftPolicyToYaml only writes what it is given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

// One column of a drafted dataset.
struct DraftColumn {
  std::string name;
  std::string category;       // a category id; "" = none (see why below); "?" = not placed: a TODO
  bool identifier = false;    // identifies its person (e-mail, BSN, person number)
  bool is_key = false;        // why none: a key
  bool is_date = false;       // why none: a date (and a candidate for the retention rule)
  bool table_of_things = false;  // why none: the rows are things, not people
  int64_t values_read = -1;   // for "?": values discovery looked at; -1: none read (--schema-only)
};

// A relation a CSV export does not declare, guessed from a *_id column name.
struct DraftRelationGuess {
  std::string column;
  std::string referenced_table;
  std::string referenced_column;
};

struct DraftDataset {
  std::string table;
  bool personal = false;            // a column holds a category
  std::string data_subject;         // "" = none; "TODO" = one of several, undecided
  std::string subject_key;
  std::string subject_comment;      // how the subject was found, or what to check
  std::vector<std::string> purposes;
  std::vector<DraftColumn> columns;  // every column of the table, in order
  std::vector<DraftRelationGuess> relation_guesses;
  std::string retention_after;      // the suggested date column for its rule; "" = none fits
};

// A proposed purpose. Fields a person must decide hold "TODO ..." text.
struct DraftPurpose {
  std::string id;
  std::string description;
  std::string legal_basis;     // "TODO" or a basis the category forces (legal_obligation for a BSN)
  std::string law;             // "" = not asked
  std::string art9_condition;  // "" = not asked
  std::string art10_basis;     // "" = not asked
  std::vector<std::string> data_subjects;
  std::vector<std::string> categories;
};

struct DraftPolicy {
  std::string source_name;
  std::string date;
  std::vector<std::string> data_subjects;
  std::vector<std::string> categories;  // built-in category ids (detect/vocabulary.h), in its order
  std::vector<DraftPurpose> purposes;
  std::vector<DraftDataset> datasets;   // one per table, in the source's order
};

// The draft as data: reads the schema (and the discovery, if given).
Result<DraftPolicy> BuildDraftPolicy(source::Source& source, const DraftOptions& options);

// The draft as YAML text, with the comments that tell a person what to do;
// names from the source are written with a YAML emitter (quoted where they
// need it) and kept out of comments' control characters.
std::string DraftPolicyToYaml(const DraftPolicy& draft);

// Both: it loads with policy::LoadPolicyString and, once validated, its only
// errors are the TODOs (code "todo").
Result<std::string> DraftPolicyYaml(source::Source& source, const DraftOptions& options);

}  // namespace dpo::scan
