// dpo requests add | list | show | update | close: the register of data
// subject requests and their deadlines (lib/dsar/request_register.h).
// Every flag is checked before the register is opened: bad input neither
// changes nor creates anything.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <memory>

#include "commands.h"
#include "common.h"
#include "flag_checks.h"
#include "dsar/request_register.h"
#include "report/request_report.h"
#include "util/duration.h"
#include "util/message.h"

namespace dpo::cmd {
namespace {

// Flags every requests subcommand has.
struct CommonArgs {
  std::string register_path;
  std::string policy;
  std::string format = "text";
  bool quiet = false;
  bool verbose = false;
};

struct AddArgs {
  CommonArgs common;
  std::string type, subject, received, identity_verified, extend, reason, linked, notes;
};

struct ListArgs {
  CommonArgs common;
  std::string status, due_within, as_of;
  bool all = false, overdue = false, hide_subject = false, quiet = false;
};

struct ShowArgs {
  CommonArgs common;
  std::string id;
  bool hide_subject = false;
};

struct UpdateArgs {
  CommonArgs common;
  std::string id, type, subject, received, identity_verified, extend, reason, linked, notes, outcome;
  // Which flags were given: an empty --notes "" clears the notes, an absent one keeps them.
  CLI::Option *type_opt = nullptr, *subject_opt = nullptr, *received_opt = nullptr, *identity_opt = nullptr,
              *extend_opt = nullptr, *reason_opt = nullptr, *linked_opt = nullptr, *notes_opt = nullptr,
              *outcome_opt = nullptr;
};

struct CloseArgs {
  CommonArgs common;
  std::string id, on, outcome;
  bool refused = false;
};

void AddCommonFlags(CLI::App* app, CommonArgs* args) {
  app->add_option("--register", args->register_path, "The request register (an SQLite file; else DPO_REGISTER)")
      ->type_name("FILE");
  app->add_option("-p,--policy", args->policy,
                  "Policy whose dsar.response_period, dsar.extension and dsar.identity_check set the deadlines "
                  "(default: 1 month, 2 months, identity check required)")
      ->type_name("POLICY");
  app->add_option("-f,--format", args->format, "text (default) or json")->type_name("FORMAT");
}

// What the command will work with once its flags are checked.
struct Context {
  std::string register_path;
  dsar::DeadlineRules rules;
  util::Date today;
};

Result<Context> CheckCommon(const CommonArgs& args) {
  if (args.format != "text" && args.format != "json") return Status::Error("--format: use text or json");
  Context context;
  context.register_path = args.register_path;
  if (context.register_path.empty()) {
    const char* env = std::getenv("DPO_REGISTER");
    if (env != nullptr) context.register_path = env;
  }
  std::optional<policy::Policy> loaded;
  if (!args.policy.empty()) {
    Result<policy::Policy> policy = LoadPolicyForUse(args.policy);
    if (!policy.ok()) return policy.status();
    loaded = std::move(*policy);
  }
  // Last: the policy's dsar.register, relative to the policy file's directory.
  if (context.register_path.empty() && loaded && !loaded->dsar.register_path.empty()) {
    std::filesystem::path p(loaded->dsar.register_path);
    context.register_path =
        p.is_absolute() ? p.string() : (std::filesystem::path(args.policy).parent_path() / p).lexically_normal().string();
  }
  if (context.register_path.empty())
    return Status::Error("no request register given; pass --register FILE, set DPO_REGISTER, or write "
                         "dsar: { register: requests.db } in the policy and pass --policy");
  if (loaded) {
    const policy::Policy* policy = &*loaded;
    context.rules.response_period = policy->dsar.response_period;
    context.rules.extension = policy->dsar.extension;
    context.rules.identity_check = policy->dsar.identity_check;
  }
  context.today = util::Today();
  return context;
}

Result<util::Date> ParseDateFlag(const char* flag, const std::string& text) {
  Result<util::Date> date = util::ParseIsoDate(text);
  if (!date.ok()) return date.status().WithContext(flag);
  return date;
}

Result<int64_t> ParseId(const std::string& text) {
  bool digits = !text.empty() && text.size() <= 18;
  for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  int64_t id = digits ? std::strtoll(text.c_str(), nullptr, 10) : 0;
  if (id <= 0)
    return Status::Error("'" + util::EscapeForMessage(text, 40) +
                         "' is not a request id; give the number 'dpo requests list' shows");
  return id;
}

// --extend: whole months, as "2", "2m" or "2 months" ("0" undoes an extension).
Result<int> ParseExtension(const std::string& text) {
  auto bad = [&]() {
    return Status::Error("--extend: '" + util::EscapeForMessage(text, 40) +
                         "' is not a number of months; write e.g. 2 or 2m (0 undoes an extension)");
  };
  bool digits = !text.empty() && text.size() <= 3;
  for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) return std::atoi(text.c_str());
  Result<util::Duration> d = util::ParseDuration(text);
  if (!d.ok()) return bad();
  if (d->unit == util::Duration::Unit::kMonths) return d->amount;
  if (d->unit == util::Duration::Unit::kYears) return 12 * d->amount;
  return bad();
}

report::RequestRenderOptions RenderOptions(const Context& context, bool hide_subject) {
  report::RequestRenderOptions options;
  options.register_path = context.register_path;
  options.rules = context.rules;
  options.as_of = context.today;
  options.hide_subject = hide_subject;
  return options;
}

// What a changed request prints: its JSON, or a line saying what happened
// and the request's card.
int PrintChanged(const std::string& what, const dsar::Request& request, const Context& context,
                 const CommonArgs& common) {
  if (common.quiet) return kExitOk;
  const std::string& format = common.format;
  report::RequestRenderOptions options = RenderOptions(context, false);
  if (format == "json") {
    std::cout << report::RenderRequestJson(request, options);
  } else {
    std::cout << what << " request " << request.id << "\n" << report::RenderRequestText(request, options);
  }
  return kExitOk;
}

// Art. 12(3): an extension must be announced within the first month. dpo
// cannot know when it was announced, so a late entry is a warning, not an error.
void WarnLateExtension(const dsar::Request& request, const Context& context) {
  if (request.extension_months <= 0) return;
  dsar::Request unextended = request;
  unextended.extension_months = 0;
  std::optional<util::Date> first_due =
      dsar::DueDate(unextended, context.rules.response_period, context.rules.extension, context.rules.identity_check);
  if (first_due && *first_due < context.today)
    ReportWarning("request " + std::to_string(request.id) + ": an extension must be announced to the subject within " +
                  "the first period (by " + first_due->ToIso() + ", Art. 12(3)); make sure it was");
}

int RunAdd(const AddArgs& args) {
  Result<Context> context = CheckCommon(args.common);
  if (!context.ok()) return ReportError(context.status());
  dsar::Request request;
  Result<dsar::RequestType> type = dsar::ParseRequestType(args.type);
  if (!type.ok()) return ReportError(type.status().WithContext("--type"));
  request.type = *type;
  request.subject = args.subject;
  request.received = context->today;
  if (!args.received.empty()) {
    Result<util::Date> received = ParseDateFlag("--received", args.received);
    if (!received.ok()) return ReportError(received.status());
    request.received = *received;
  }
  if (!args.identity_verified.empty()) {
    Result<util::Date> verified = ParseDateFlag("--identity-verified", args.identity_verified);
    if (!verified.ok()) return ReportError(verified.status());
    request.identity_verified_on = *verified;
  }
  if (!args.extend.empty()) {
    Result<int> months = ParseExtension(args.extend);
    if (!months.ok()) return ReportError(months.status());
    request.extension_months = *months;
  }
  request.extension_reason = args.reason;
  request.linked = args.linked;
  request.notes = args.notes;
  // Checked before the file is created: bad input leaves no empty register behind.
  Status valid = dsar::ValidateRequest(request, context->rules, context->today);
  if (!valid.ok()) return ReportError(valid);

  Result<dsar::RequestRegister> reg = dsar::RequestRegister::Open(context->register_path, true);
  if (!reg.ok()) return ReportError(reg.status());
  Result<dsar::Request> added = reg->Add(request, context->rules, context->today);
  if (!added.ok()) return ReportError(added.status());
  WarnLateExtension(*added, *context);
  return PrintChanged("added", *added, *context, args.common);
}

int RunList(const ListArgs& args) {
  Result<Context> context = CheckCommon(args.common);
  if (!context.ok()) return ReportError(context.status());
  if (!args.as_of.empty()) {
    Result<util::Date> as_of = ParseDateFlag("--as-of", args.as_of);
    if (!as_of.ok()) return ReportError(as_of.status());
    context->today = *as_of;  // deadlines as they will stand (or stood) that day
  }
  dsar::RequestFilter filter;
  filter.as_of = context->today;
  filter.overdue_only = args.overdue;
  if (!args.due_within.empty()) {
    Result<util::Duration> within = util::ParseDuration(args.due_within);
    if (!within.ok()) return ReportError(within.status().WithContext("--due-within"));
    filter.due_within = *within;
  }
  if (!args.status.empty()) {
    if (args.all) return ReportError(Status::Error("--status and --all: give one of them"));
    Result<dsar::RequestStatus> status = dsar::ParseRequestStatus(args.status);
    if (!status.ok()) return ReportError(status.status().WithContext("--status"));
    filter.statuses = {*status};
  } else if (!args.all) {
    filter.statuses = {dsar::RequestStatus::kOpen, dsar::RequestStatus::kExtended};
  }

  Result<dsar::RequestRegister> reg = dsar::RequestRegister::Open(context->register_path, false);
  if (!reg.ok()) return ReportError(reg.status());
  Result<std::vector<dsar::Request>> requests = reg->List(filter, context->rules);
  if (!requests.ok()) return ReportError(requests.status());

  bool any_overdue = false;
  for (const dsar::Request& r : *requests)
    any_overdue = any_overdue || dsar::DeadlineOf(r, context->rules, context->today).overdue;
  report::RequestRenderOptions options = RenderOptions(*context, args.hide_subject);
  if (args.common.format == "json") {
    std::cout << report::RenderRequestListJson(*requests, options);
  } else if (!(args.quiet && requests->empty())) {
    std::string note = args.overdue        ? "no overdue requests"
                       : filter.due_within ? "no open request is due within " + filter.due_within->ToHuman()
                       : args.all          ? "no requests"
                                           : "no open requests";
    std::cout << report::RenderRequestListText(*requests, options, note);
  }
  // The morning cron job's signal: something is already late.
  return (args.overdue || filter.due_within) && any_overdue ? kExitFindings : kExitOk;
}

int RunShow(const ShowArgs& args) {
  Result<Context> context = CheckCommon(args.common);
  if (!context.ok()) return ReportError(context.status());
  Result<int64_t> id = ParseId(args.id);
  if (!id.ok()) return ReportError(id.status());
  Result<dsar::RequestRegister> reg = dsar::RequestRegister::Open(context->register_path, false);
  if (!reg.ok()) return ReportError(reg.status());
  Result<dsar::Request> request = reg->Get(*id);
  if (!request.ok()) return ReportError(request.status());
  if (args.common.quiet) return kExitOk;  // the exit status says the request exists
  report::RequestRenderOptions options = RenderOptions(*context, args.hide_subject);
  std::cout << (args.common.format == "json" ? report::RenderRequestJson(*request, options)
                                             : report::RenderRequestText(*request, options));
  return kExitOk;
}

int RunUpdate(const UpdateArgs& args) {
  Result<Context> context = CheckCommon(args.common);
  if (!context.ok()) return ReportError(context.status());
  Result<int64_t> id = ParseId(args.id);
  if (!id.ok()) return ReportError(id.status());
  auto given = [](const CLI::Option* o) { return o != nullptr && o->count() > 0; };
  // Parse every flag before the register is touched.
  std::optional<dsar::RequestType> type;
  if (given(args.type_opt)) {
    Result<dsar::RequestType> t = dsar::ParseRequestType(args.type);
    if (!t.ok()) return ReportError(t.status().WithContext("--type"));
    type = *t;
  }
  std::optional<util::Date> received;
  if (given(args.received_opt)) {
    Result<util::Date> d = ParseDateFlag("--received", args.received);
    if (!d.ok()) return ReportError(d.status());
    received = *d;
  }
  std::optional<std::optional<util::Date>> identity;  // set: change it; set to nullopt: clear it
  if (given(args.identity_opt)) {
    if (args.identity_verified == "none") {
      identity = std::optional<util::Date>();
    } else {
      Result<util::Date> d = ParseDateFlag("--identity-verified", args.identity_verified);
      if (!d.ok()) return ReportError(Status::Error(d.status().message() + " (or 'none' to clear it)"));
      identity = *d;
    }
  }
  std::optional<int> extension;
  if (given(args.extend_opt)) {
    Result<int> months = ParseExtension(args.extend);
    if (!months.ok()) return ReportError(months.status());
    extension = *months;
  }
  bool any = type || received || identity || extension;
  for (const CLI::Option* o : {args.subject_opt, args.reason_opt, args.linked_opt, args.notes_opt, args.outcome_opt})
    any = any || given(o);
  if (!any)
    return ReportError(
        Status::Error("nothing to update; give at least one of --type, --subject, --received, "
                      "--identity-verified, --extend, --reason, --linked, --notes, --outcome"));

  Result<dsar::RequestRegister> reg = dsar::RequestRegister::Open(context->register_path, false);
  if (!reg.ok()) return ReportError(reg.status());
  Result<dsar::Request> stored = reg->Get(*id);
  if (!stored.ok()) return ReportError(stored.status());
  dsar::Request updated = *stored;
  if (type) updated.type = *type;
  if (given(args.subject_opt)) updated.subject = args.subject;
  if (received) updated.received = *received;
  if (identity) updated.identity_verified_on = *identity;
  if (extension) {
    updated.extension_months = *extension;
    if (*extension == 0 && !given(args.reason_opt)) updated.extension_reason.clear();
  }
  if (given(args.reason_opt)) updated.extension_reason = args.reason;
  if (given(args.linked_opt)) updated.linked = args.linked;
  if (given(args.notes_opt)) updated.notes = args.notes;
  if (given(args.outcome_opt)) {
    if (!dsar::IsFinished(stored->status))
      return ReportError(Status::Error("--outcome is for a closed request; close this one with 'dpo requests close " +
                                       std::to_string(*id) + " --outcome TEXT'"));
    updated.outcome = args.outcome;
  }
  Result<dsar::Request> result = reg->Update(updated, context->rules, context->today);
  if (!result.ok()) return ReportError(result.status());
  if (extension && *extension > stored->extension_months) WarnLateExtension(*result, *context);
  return PrintChanged("updated", *result, *context, args.common);
}

int RunClose(const CloseArgs& args) {
  Result<Context> context = CheckCommon(args.common);
  if (!context.ok()) return ReportError(context.status());
  Result<int64_t> id = ParseId(args.id);
  if (!id.ok()) return ReportError(id.status());
  util::Date on = context->today;
  if (!args.on.empty()) {
    Result<util::Date> d = ParseDateFlag("--on", args.on);
    if (!d.ok()) return ReportError(d.status());
    on = *d;
  }
  Result<dsar::RequestRegister> reg = dsar::RequestRegister::Open(context->register_path, false);
  if (!reg.ok()) return ReportError(reg.status());
  Result<dsar::Request> closed =
      reg->Close(*id, args.refused ? dsar::RequestStatus::kRefused : dsar::RequestStatus::kClosed, on, args.outcome,
                 context->rules, context->today);
  if (!closed.ok()) return ReportError(closed.status());
  dsar::Deadline deadline = dsar::DeadlineOf(*closed, context->rules, context->today);
  if (deadline.answered_late)
    ReportWarning("request " + std::to_string(closed->id) + " was answered after its deadline (" +
                  deadline.due->ToIso() + ")");
  return PrintChanged(args.refused ? "refused" : "closed", *closed, *context, args.common);
}

}  // namespace

void RegisterRequests(CLI::App& app, int* exit_code) {
  CLI::App* requests = app.add_subcommand(
      "requests",
      "The register of data subject requests (access, erasure, ...) and their deadlines: add, list, show, update, "
      "close");
  requests->require_subcommand(1);
  const std::string types = "access, erasure, rectification, restriction, objection or portability";

  auto add_args = std::make_shared<AddArgs>();
  CLI::App* add = requests->add_subcommand("add", "Record a request received (creates the register when missing)");
  AddCommonFlags(add, &add_args->common);
  AddVerbosityFlags(add, &add_args->common.quiet, &add_args->common.verbose, "Print nothing on success (no card of the request; warnings still go to stderr)",
                    "Accepted for scripts: the card already shows every field");
  add->add_option("-t,--type", add_args->type, "The right invoked: " + types)->type_name("TYPE")->required();
  add->add_option("-s,--subject", add_args->subject,
                  "Your label for the data subject, e.g. \"ticket 123\" (personal data: kept in the register only)")
      ->type_name("LABEL")
      ->required();
  add->add_option("--received", add_args->received, "The day the request came in, YYYY-MM-DD (default: today)")
      ->type_name("DATE");
  add->add_option("--identity-verified", add_args->identity_verified,
                  "The day the subject's identity was verified, YYYY-MM-DD (the deadline starts then)")
      ->type_name("DATE");
  add->add_option("--extend", add_args->extend, "Extend the deadline by whole months (e.g. 2), with --reason")
      ->type_name("MONTHS");
  add->add_option("--reason", add_args->reason, "Why the deadline is extended (told to the subject)")
      ->type_name("TEXT");
  add->add_option("--linked", add_args->linked, "The access package or erasure plan that answers it")
      ->type_name("PATH");
  add->add_option("--notes", add_args->notes, "Notes")->type_name("TEXT");
  add->footer(
      "Examples:\n  dpo requests add --register requests.db -t access -s \"ticket 123\"\n"
      "  DPO_REGISTER=requests.db dpo requests add -t erasure -s \"ticket 124\" --received 2026-11-30\n"
      "Exit codes: 0 recorded; 2 bad input (a date, a type, an extension without reason), no register given, a\n"
      "busy register (nothing was changed); 3 internal error.");
  add->callback([add_args, exit_code]() { *exit_code = RunAdd(*add_args); });

  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = requests->add_subcommand(
      "list", "List open requests with their deadlines; exit 1 when --overdue or --due-within finds one overdue");
  AddCommonFlags(list, &list_args->common);
  list->add_flag("--overdue", list_args->overdue, "Only requests past their deadline");
  list->add_option("--due-within", list_args->due_within,
                   "Only requests due within this time (e.g. 7d, 2w), overdue ones included")
      ->type_name("DURATION");
  list->add_option("--status", list_args->status, "Only requests of this status: open, extended, closed or refused")
      ->type_name("STATUS");
  list->add_option("--as-of", list_args->as_of, "Count days left and overdue as of this day (default: today)")
      ->check(AsOfDay())
      ->type_name("DATE");
  list->add_flag("--all", list_args->all, "Closed and refused requests too");
  list->add_flag("--hide-subject", list_args->hide_subject, "Leave the subject labels out (a mail to a shared box)");
  AddVerbosityFlags(list, &list_args->quiet, &list_args->common.verbose,
                    "Print nothing when no request matches (cron mails only real news)",
                    "Accepted for scripts: the list already shows every deadline");
  list->footer(
      "Examples:\n  dpo requests list --register requests.db\n"
      "  dpo requests list --register requests.db --due-within 7d -q   # cron: mails only real news\n"
      "Exit codes: 0 listed; 1 --overdue or --due-within listed an overdue request (a plain list exits 0);\n"
      "2 bad input, no register, a file that is not a register; 3 internal error.");
  list->callback([list_args, exit_code]() { *exit_code = RunList(*list_args); });

  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = requests->add_subcommand("show", "Show one request and its deadline");
  AddCommonFlags(show, &show_args->common);
  AddVerbosityFlags(show, &show_args->common.quiet, &show_args->common.verbose, "Print nothing (the exit status says whether the request exists)",
                    "Accepted for scripts: the card already shows every field");
  show->add_option("id", show_args->id, "The request's id (from 'dpo requests list')")->type_name("ID")->required();
  show->add_flag("--hide-subject", show_args->hide_subject, "Leave the subject label out");
  show->footer(
      "Examples:\n  dpo requests show 1 --register requests.db\n  dpo requests show 1 --register requests.db -f json\n"
      "Exit codes: 0 shown; 2 an unknown id, no register; 3 internal error.");
  show->callback([show_args, exit_code]() { *exit_code = RunShow(*show_args); });

  auto update_args = std::make_shared<UpdateArgs>();
  CLI::App* update = requests->add_subcommand(
      "update", "Change a request: record identity verification, an extension, the package or plan, notes");
  AddCommonFlags(update, &update_args->common);
  AddVerbosityFlags(update, &update_args->common.quiet, &update_args->common.verbose, "Print nothing on success (no card of the request; warnings still go to stderr)",
                    "Accepted for scripts: the card already shows every field");
  update->add_option("id", update_args->id, "The request's id")->type_name("ID")->required();
  UpdateArgs* u = update_args.get();
  u->type_opt = update->add_option("-t,--type", u->type, "The right invoked: " + types)->type_name("TYPE");
  u->subject_opt =
      update->add_option("-s,--subject", u->subject, "Your label for the data subject")->type_name("LABEL");
  u->received_opt =
      update->add_option("--received", u->received, "The day the request came in, YYYY-MM-DD")->type_name("DATE");
  u->identity_opt = update
                        ->add_option("--identity-verified", u->identity_verified,
                                     "The day identity was verified, YYYY-MM-DD ('none' clears it)")
                        ->type_name("DATE");
  u->extend_opt = update->add_option("--extend", u->extend, "Extend the deadline by whole months (0 undoes it)")
                      ->type_name("MONTHS");
  u->reason_opt = update->add_option("--reason", u->reason, "Why the deadline is extended")->type_name("TEXT");
  u->linked_opt = update->add_option("--linked", u->linked, "The access package or erasure plan that answers it")
                      ->type_name("PATH");
  u->notes_opt =
      update->add_option("--notes", u->notes, "Notes (replaces the notes; \"\" clears them)")->type_name("TEXT");
  u->outcome_opt =
      update->add_option("--outcome", u->outcome, "What was done (a closed request only)")->type_name("TEXT");
  update->footer(
      "Examples:\n  dpo requests update 1 --register requests.db --identity-verified 2026-12-01\n"
      "  dpo requests update 1 --register requests.db --extend 2 --reason \"many archives to search\"\n"
      "Exit codes: 0 changed; 2 bad input (an unknown id, a date, an extension without reason or beyond the\n"
      "policy), a busy register (nothing was changed); 3 internal error.");
  update->callback([update_args, exit_code]() { *exit_code = RunUpdate(*update_args); });

  auto close_args = std::make_shared<CloseArgs>();
  CLI::App* close = requests->add_subcommand("close", "Record that a request was answered (or refused)");
  AddCommonFlags(close, &close_args->common);
  AddVerbosityFlags(close, &close_args->common.quiet, &close_args->common.verbose, "Print nothing on success (no card of the request; warnings still go to stderr)",
                    "Accepted for scripts: the card already shows every field");
  close->add_option("id", close_args->id, "The request's id")->type_name("ID")->required();
  close
      ->add_option("--outcome", close_args->outcome,
                   "What was done, e.g. \"package sent\", \"erased; invoices kept 7 years (tax law)\"; when "
                   "refused, why")
      ->type_name("TEXT")
      ->required();
  close->add_option("--on", close_args->on, "The day it was answered, YYYY-MM-DD (default: today)")->type_name("DATE");
  close->add_flag("--refused", close_args->refused, "The request was refused (Art. 12(5)); --outcome says why");
  close->footer(
      "Examples:\n  dpo requests close 1 --register requests.db --outcome \"package sent\"\n"
      "  dpo requests close 2 --register requests.db --refused --outcome \"manifestly unfounded: 5th request this month\"\n"
      "Exit codes: 0 closed; 2 bad input (an unknown id, a date), a busy register (nothing was changed);\n"
      "3 internal error.");
  close->callback([close_args, exit_code]() { *exit_code = RunClose(*close_args); });
}

}  // namespace dpo::cmd
