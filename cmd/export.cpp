// dpo export --recipient: hands a recipient exactly what the policy lets it
// receive for one purpose (Art. 5(1)(b),(c)), as a JSON or CSV file, and
// records the disclosure in the audit log (Art. 30(1)(d), Art. 5(2)). The
// source is opened read-only. The output is complete or absent, and is
// removed again when the audit log cannot record it.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "anonymise/column_plan.h"
#include "commands.h"
#include "common.h"
#include "flag_checks.h"
#include "interrupt_guard.h"
#include "dsar/identity.h"
#include "dsar/package.h"
#include "report/escape.h"
#include "report/export_report.h"
#include "share/disclosure_audit.h"
#include "share/disclosure_scope.h"
#include "share/export_output.h"
#include "share/recipient_export.h"
#include "share/where_parser.h"
#include "util/duration.h"
#include "util/keyed_hash.h"
#include "util/message.h"

namespace dpo::cmd {
namespace {

struct ExportArgs {
  std::string policy;
  std::string source;
  std::string recipient;
  std::string purpose;
  std::vector<std::string> subject;
  bool all_matches = false;
  std::string table;
  std::vector<std::string> where;
  std::string format;  // "" = by -o: json for NAME.json, else csv
  std::string out;
  bool force = false;
  bool anonymise = false;
  std::string key_file;
  bool include_key = false;
  std::string audit_log;
  std::string as_of;
  bool dry_run = false;
  bool quiet = false;
  bool verbose = false;
  SourceFlags source_flags;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  std::string tail = s.substr(s.size() - suffix.size());
  for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == suffix;
}

Result<std::string> PolicySha256(const std::string& path) {
  Result<std::string> bytes = ReadInput(path, "policy");  // "-": the same bytes the loader read
  if (!bytes.ok()) return bytes.status();
  return util::Sha256Hex(*bytes);
}

// The key when one is given (--key-file or DPO_KEY): keyed pseudonyms need
// it, and with it the audit log records which rows went (keys_hmac).
Result<std::optional<util::SecretKey>> LoadKey(const ExportArgs& args) {
  const char* env_key = std::getenv("DPO_KEY");
  bool given = !args.key_file.empty() || (env_key != nullptr && *env_key != 0);
  if (!given) return std::optional<util::SecretKey>();
  Result<util::SecretKey> key = util::SecretKey::Load(args.key_file);
  if (!key.ok()) return key.status();
  return std::optional<util::SecretKey>(std::move(*key));
}

// How the rows were chosen, for the audit note: table and column names,
// never a value.
std::string SelectionText(const ExportArgs& args, const std::vector<share::WhereTerm>& terms,
                          const std::vector<dsar::SubjectSelector>& selectors) {
  if (!args.table.empty()) {
    std::string text = "--table " + args.table;
    if (terms.empty()) return text + ", every row";
    std::vector<std::string> columns;
    for (const share::WhereTerm& t : terms)
      if (std::find(columns.begin(), columns.end(), t.column) == columns.end()) columns.push_back(t.column);
    std::string joined;
    for (const std::string& c : columns) joined += (joined.empty() ? "" : ", ") + c;
    return text + ", conditions on " + joined;
  }
  std::string keys;
  for (const dsar::SubjectSelector& s : selectors) keys += (keys.empty() ? "" : ", ") + s.key;
  return "--subject " + keys + " (one data subject's own rows)";
}

// Renders each table as it streams and writes it to the output.
class OutputSink : public share::RowSink {
 public:
  OutputSink(share::ExportOutput& out, bool json, const share::DisclosureScope& scope, const std::string& as_of,
             bool anonymised)
      : out_(out), json_(json), scope_(scope), as_of_(as_of), anonymised_(anonymised) {}

  Status BeginTable(const share::ExportTable& table) override {
    if (json_) {
      if (!begun_) {
        DPO_RETURN_IF_ERROR(out_.BeginFile(""));
        DPO_RETURN_IF_ERROR(out_.Write(writer_.Begin(scope_, as_of_, anonymised_)));
        begun_ = true;
      }
      return out_.Write(writer_.BeginTable(table));
    }
    // The file name comes from the table name only, escaped as the access
    // package escapes it (without its "tables/" folder).
    const std::string name = dsar::TableFileName(table.table).substr(std::string("tables/").size());
    DPO_RETURN_IF_ERROR(out_.BeginFile(name));
    return out_.Write(report::RenderExportCsvHeader(table));
  }

  Status WriteRows(const share::ExportTable& table, const std::vector<share::Row>& rows) override {
    return out_.Write(json_ ? writer_.Rows(rows) : report::RenderExportCsvRows(table, rows));
  }

  Status EndTable(const share::ExportTable&, int64_t rows) override {
    if (json_) return out_.Write(writer_.EndTable(rows));
    return out_.EndFile();
  }

  Status Finish() {
    if (!json_) return Status::Ok();
    DPO_RETURN_IF_ERROR(out_.Write(writer_.End()));
    return out_.EndFile();
  }

 private:
  share::ExportOutput& out_;
  const bool json_;
  const share::DisclosureScope& scope_;
  const std::string as_of_;
  const bool anonymised_;
  report::ExportJson writer_;
  bool begun_ = false;
};

int Run(const ExportArgs& args) {
  // Flags first: nothing is opened for a command line that cannot run.
  if (args.subject.empty() == args.table.empty())
    return ReportError(Status::Error("give either --subject KEY=VALUE (one data subject's rows) or --table TABLE "
                                     "(with --where COND to choose rows), not both and not neither"));
  if (!args.where.empty() && args.table.empty())
    return ReportError(Status::Error("--where chooses rows of --table TABLE; with --subject the subject's rows go"));
  std::string format = args.format;
  if (format.empty()) format = EndsWith(args.out, ".json") ? "json" : "csv";
  if (format != "json" && format != "csv")
    return ReportError(Status::Error("--format " + args.format + ": write json or csv"));
  std::string as_of = args.as_of;
  if (as_of.empty()) {
    as_of = util::Today().ToIso();
  } else if (Result<util::Date> d = util::ParseIsoDate(as_of); !d.ok()) {
    return ReportError(d.status().WithContext("--as-of"));
  }
  std::vector<share::WhereTerm> terms;
  for (size_t i = 0; i < args.where.size(); ++i) {
    Result<share::WhereTerm> t = share::ParseWhereTerm(args.where[i], static_cast<int>(i + 1));
    if (!t.ok()) return ReportError(t.status());
    terms.push_back(std::move(*t));
  }
  share::Selection selection;
  for (const std::string& s : args.subject) {
    Result<dsar::SubjectSelector> sel = dsar::ParseSubjectSelector(s);
    if (!sel.ok()) return ReportError(sel.status().WithContext("--subject"));
    selection.subject.push_back(std::move(*sel));
  }
  selection.find.all_matches = args.all_matches;
  if (!args.dry_run) {
    if (args.out.empty()) return ReportError(Status::Error("-o OUT is required: the file (or directory) to write"));
    if (Status s = share::CheckAuditLog(args.audit_log); !s.ok()) return ReportError(s);
  }

  Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
  if (!policy.ok()) return ReportError(policy.status());
  Result<share::DisclosureScope> scope = share::ResolveScope(*policy, args.recipient, args.purpose);
  if (!scope.ok()) return ReportError(scope.status());

  // What the command reads or appends to is never an output.
  std::vector<util::ProtectedPath> inputs = InputsOf(args.source, args.policy);
  if (!args.key_file.empty()) inputs.push_back({args.key_file, "the key file"});
  if (!args.dry_run) {
    util::OutputRules log_rules;
    log_rules.overwrite = true;  // appended to, not replaced
    log_rules.allow_device = false;
    log_rules.flag = "--audit-log";
    Result<util::OutputTarget> log = util::CheckOutputPath(args.audit_log, inputs, log_rules);
    if (!log.ok()) return ReportError(log.status());
    inputs.push_back({args.audit_log, "the audit log"});
  }

  Result<std::unique_ptr<source::Source>> source = OpenSourceWithFlags(args.source, args.source_flags, true);
  if (!source.ok()) return ReportError(source.status());
  SkippedRowsWarning skipped_rows(**source);  // on stderr, however the command ends
  share::ColumnOptions column_options;
  column_options.include_key = args.include_key;
  column_options.only_table = args.table;
  std::vector<std::string> warnings;
  Result<std::vector<share::ExportTable>> tables =
      share::PlanTables(*policy, **source, *scope, column_options, &warnings);
  if (!tables.ok()) return ReportError(tables.status());
  for (const std::string& w : warnings) ReportWarning(w);
  if (!args.table.empty()) {
    Result<std::optional<source::Predicate>> where = share::BuildWhere(terms, tables->front().shape);
    if (!where.ok()) return ReportError(where.status());
    selection.where = std::move(*where);
  }

  const bool json = format == "json";
  const bool directory = !json && tables->size() > 1;
  std::string out_path = args.out;
  if (!args.dry_run) {
    if (directory) {
      if (EndsWith(args.out, ".csv"))
        return ReportError(Status::Error(
            "-o " + args.out + ": CSV of " + std::to_string(tables->size()) +
            " tables is a directory of files, one per table; give -o a directory name (without .csv), or -f json "
            "for one file"));
      if (Status s = share::CheckDirectoryDestination(args.out, inputs, args.force, "-o"); !s.ok())
        return ReportError(s);
    } else {
      Result<std::string> checked = share::CheckFileDestination(args.out, inputs, args.force, "-o");
      if (!checked.ok()) return ReportError(checked.status());
      out_path = *checked;
    }
  }

  Result<std::optional<util::SecretKey>> key = LoadKey(args);
  if (!key.ok()) return ReportError(key.status());
  const util::SecretKey* key_ptr = key->has_value() ? &**key : nullptr;
  if (args.anonymise) {
    Result<anonymise::ExportPlan> plan = anonymise::PlanExport(**source, *policy, anonymise::PlanOptions{});
    if (!plan.ok()) return ReportError(plan.status().WithContext("--anonymise"));
    // A dry run shows the operators; only writing needs the key.
    if (Status s = share::ApplyAnonymisePlan(*plan, key_ptr != nullptr || args.dry_run, &*tables); !s.ok())
      return ReportError(s);
  }

  if (args.dry_run) {
    Result<std::vector<share::TableResult>> counts = share::CountRows(*policy, **source, *tables, selection);
    if (!counts.ok()) return ReportError(counts.status());
    std::cout << report::RenderExportText(*scope, *tables, *counts)
              << "dry run: nothing written, nothing recorded in the audit log\n";
    return kExitOk;
  }
  if (key_ptr == nullptr)
    ReportWarning("no key (--key-file or DPO_KEY): the audit log records how many rows went, not which (keys_hmac "
                  "is empty)");
  Result<std::string> policy_sha = PolicySha256(args.policy);
  if (!policy_sha.ok()) return ReportError(policy_sha.status());

  // Handlers before the temporary output exists, so that a signal never
  // leaves it behind.
  InterruptGuard interrupt;
  Result<std::unique_ptr<share::ExportOutput>> output =
      directory ? share::ExportOutput::CreateDirectory(out_path, args.force)
                : share::ExportOutput::CreateFile(out_path, args.force);
  if (!output.ok()) {
    interrupt.Restore();
    return ReportError(output.status().WithContext("nothing was written"));
  }
  OutputSink sink(**output, json, *scope, as_of, args.anonymise);
  share::RowOptions row_options;
  row_options.key = key_ptr;
  row_options.as_of = as_of;
  row_options.cancel = InterruptGuard::flag();
  Result<std::vector<share::TableResult>> results =
      share::ExportRows(*policy, **source, *tables, selection, row_options, sink);
  Status written = results.ok() ? sink.Finish() : results.status();
  if (written.ok() && InterruptGuard::interrupted()) written = Status::Error("interrupted", StatusCode::kIoError);
  if (written.ok()) written = (*output)->Publish();
  interrupt.Restore();
  if (!written.ok()) {
    output->reset();  // removes the temporary output
    if (InterruptGuard::interrupted()) {
      std::cerr << "dpo: interrupted: nothing was written to " << util::EscapeForMessage(args.out, 4096)
                << " and nothing was recorded\n";
      return kExitInterrupted;
    }
    return ReportError(written.WithContext("nothing was written to " + args.out + " and nothing was recorded"));
  }

  share::DisclosureFacts facts;
  facts.policy_sha256 = *policy_sha;
  facts.source = (*source)->DisplayName();
  facts.format = format;
  facts.selection = SelectionText(args, terms, selection.subject);
  facts.anonymised = args.anonymise;
  Status recorded = share::AppendDisclosureAudit(args.audit_log, *scope, *tables, *results, facts);
  if (!recorded.ok()) {
    // A disclosure that is not recorded must not happen: take it back.
    Status retracted = (*output)->Retract();
    if (!retracted.ok())
      return ReportError(recorded.WithContext("the audit log could not record the export, and " +
                                              retracted.message() + "; do not send it"));
    return ReportError(recorded.WithContext("the audit log could not record the export, so " + args.out +
                                            " was removed again (nothing was disclosed)"));
  }
  (*output)->Keep();
  if (args.quiet) return kExitOk;
  std::cout << report::RenderExportText(*scope, *tables, *results) << "wrote " << report::TerminalSafe(args.out)
            << " (" << format << (directory ? ", one file per table" : "") << ", mode "
            << (directory ? "0700 with files 0600" : "0600") << "); recorded " << tables->size()
            << " disclosure entr" << (tables->size() == 1 ? "y" : "ies") << " in "
            << report::TerminalSafe(args.audit_log) << "\n";
  return kExitOk;
}

}  // namespace

void RegisterExport(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Export to a recipient only what the policy lets it receive for one purpose, and record it");
  cmd->add_option("source", args->source, "SQLite file, CSV file or directory, or PostgreSQL URI")->required();
  cmd->add_option("-p,--policy", args->policy, "The policy (recipients, purposes, datasets; '-': standard input)")
      ->required();
  cmd->add_option("--recipient", args->recipient, "The recipient (recipients.<id> of the policy)")->required();
  cmd->add_option("--purpose", args->purpose,
                  "The purpose of the disclosure (needed when several purposes list the recipient)");
  cmd->add_option("--subject", args->subject,
                  "KEY=VALUE: one data subject's own rows (as dpo dsar takes it; repeat to narrow)");
  cmd->add_flag("--all-matches", args->all_matches, "Several matching rows in one table are all this subject's");
  cmd->add_option("--table", args->table, "Export rows of this table");
  cmd->add_option("--where", args->where,
                  "With --table: COL=VALUE, COL!=VALUE, COL<VALUE, COL<=VALUE, COL>VALUE, COL>=VALUE, 'COL is null', "
                  "'COL is not null' (repeat: all must hold)");
  cmd->add_option("-f,--format", args->format, "json or csv (default: json for -o NAME.json, else csv)");
  cmd->add_option("-o,--output,--out", args->out,
                  "File to write (CSV of several tables: a directory); refused if it exists, unless --force (--out is "
                  "the old spelling)");
  cmd->add_flag("--force", args->force, "Replace an existing -o (only once the new one is complete and recorded)");
  cmd->add_flag("--anonymise,--anonymize", args->anonymise,
                "Apply the operator dpo anonymise gives each column (the policy's anonymise: section, the defaults)");
  cmd->add_option("--key-file", args->key_file,
                  "Secret key for pseudonyms and the audit log's keys_hmac (else DPO_KEY)");
  cmd->add_flag("--include-key", args->include_key, "Also export each table's key (declared none) to refer back");
  cmd->add_option("--audit-log", args->audit_log, "Audit log to record the disclosure in (required; created 0600)");
  cmd->add_option("--as-of", args->as_of, "YYYY-MM-DD recorded in the export and used for age bands (default: today)")
      ->check(AsOfDay());
  cmd->add_flag("-n,--dry-run", args->dry_run, "Show tables, columns and row counts; write and record nothing");
  AddVerbosityFlags(cmd, &args->quiet, &args->verbose,
                    "Print nothing on success (no summary; warnings still go to stderr; a dry run still shows its "
                    "counts)",
                    "Accepted for scripts: the summary already lists every table, column and row count");
  AddSourceFlags(cmd, &args->source_flags);
  cmd->footer(
      "Examples:\n  dpo export samples/staffing.db -p policies/staffing-agency.yaml --recipient clients --purpose mediation \\\n"
      "      --table candidates --dry-run\n"
      "  dpo export crm.db -p policy.yaml --recipient clients --purpose mediation --table candidates \\\n"
      "      --where status=active -o clients.csv --audit-log audit.jsonl\n"
      "Exit codes: 0 written and recorded (or a dry run); 2 bad input (a flag, the policy, a recipient or purpose\n"
      "that may not receive this, an existing output without --force, no key, -q with -v; nothing written or\n"
      "recorded); 3 internal error; 130 interrupted (nothing written).");
  cmd->callback([args, exit_code]() { *exit_code = Run(*args); });
}

}  // namespace dpo::cmd
