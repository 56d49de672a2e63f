#include "usage_error.h"

#include <algorithm>
#include <cctype>

#include "util/message.h"

namespace dpo::cmd {

namespace {

std::string Lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance: a swapped pair ("scna") counts as one
// edit, as it is one slip of the fingers.
std::size_t EditDistance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string Shown(const std::string& token) { return util::EscapeForMessage(token, 80); }

// Options a person can type: not positionals, not hidden (group "").
std::vector<const CLI::Option*> VisibleFlags(const CLI::App& app) {
  return app.get_options([](const CLI::Option* opt) { return opt->nonpositional() && !opt->get_group().empty(); });
}

std::vector<const CLI::App*> Subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_disabled() && !sub->get_group().empty(); });
}

const CLI::Option* FindLong(const CLI::App& app, const std::string& name) {
  for (const CLI::Option* opt : app.get_options()) {
    const auto& names = opt->get_lnames();
    if (std::find(names.begin(), names.end(), name) != names.end()) return opt;
  }
  return nullptr;
}

const CLI::Option* FindShort(const CLI::App& app, const std::string& name) {
  for (const CLI::Option* opt : app.get_options()) {
    const auto& names = opt->get_snames();
    if (std::find(names.begin(), names.end(), name) != names.end()) return opt;
  }
  return nullptr;
}

bool HasPositionals(const CLI::App& app) {
  return !app.get_options([](const CLI::Option* opt) { return opt->get_positional(); }).empty();
}

std::string NamesOf(const std::vector<const CLI::App*>& subs) {
  std::string out;
  for (const CLI::App* sub : subs) out += (out.empty() ? "" : ", ") + sub->get_name();
  return out;
}

}  // namespace

std::string ClosestName(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string w = Lower(word);
  if (w.empty()) return "";
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const std::string& candidate : candidates) {
    const std::size_t d = EditDistance(w, Lower(candidate));
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  // One edit in a short word, two in a longer one: more and the "typo" is
  // another word, and a wrong suggestion is worse than none.
  const std::size_t allowed = w.size() >= 5 ? 2 : 1;
  if (!best.empty() && best_distance <= allowed) return best;
  // "dpo ret": the start of exactly one name.
  std::string prefixed;
  for (const std::string& candidate : candidates) {
    if (Lower(candidate).rfind(w, 0) != 0) continue;
    if (!prefixed.empty()) return "";
    prefixed = candidate;
  }
  return prefixed;
}

std::string CommandPath(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* a = &app; a != nullptr; a = a->get_parent()) names.push_back(a->get_name());
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) out += (out.empty() ? "" : " ") + *it;
  return out;
}

std::optional<std::string> ExplainUsageError(const CLI::App& root, const std::vector<std::string>& args) {
  const CLI::App* cur = &root;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& tok = args[i];
    if (tok == "--") break;
    const bool is_long = tok.size() > 2 && tok[0] == '-' && tok[1] == '-';
    const bool is_short = !is_long && tok.size() >= 2 && tok[0] == '-' && tok[1] != '-' &&
                          !std::isdigit(static_cast<unsigned char>(tok[1]));
    if (is_long || is_short) {
      const std::size_t eq = tok.find('=');
      const std::string name = tok.substr(is_long ? 2 : 1, is_long ? (eq == std::string::npos ? std::string::npos : eq - 2) : 1);
      const CLI::Option* opt = is_long ? FindLong(*cur, name) : FindShort(*cur, name);
      if (opt == nullptr) {
        const std::string flag = (is_long ? "--" : "-") + name;
        std::string message = "unknown flag '" + Shown(flag) + "' for '" + CommandPath(*cur) + "'";
        std::string suggestion;
        if (is_long) {
          std::vector<std::string> names;
          for (const CLI::Option* o : VisibleFlags(*cur)) {
            for (const std::string& l : o->get_lnames()) names.push_back(l);
          }
          suggestion = ClosestName(name, names);
        }
        if (!suggestion.empty()) return message + "; did you mean '--" + suggestion + "'?";
        return message + "; run '" + CommandPath(*cur) + " --help' for its flags";
      }
      // A flag's value is the next word unless given as --name=value or -xVALUE.
      const bool value_inline = is_long ? eq != std::string::npos : tok.size() > 2;
      if (opt->get_items_expected_max() > 0 && !value_inline) ++i;
      continue;
    }
    const auto subs = Subcommands(*cur);
    if (subs.empty()) continue;  // a positional argument of a leaf command
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : subs) {
      if (sub->check_name(tok)) next = sub;
    }
    if (next != nullptr) {
      cur = next;
      continue;
    }
    if (HasPositionals(*cur)) continue;
    std::vector<std::string> names;
    for (const CLI::App* sub : subs) {
      names.push_back(sub->get_name());
      for (const std::string& alias : sub->get_aliases()) names.push_back(alias);
    }
    const std::string prefix = cur == &root ? "" : CommandPath(*cur).substr(root.get_name().size() + 1) + " ";
    const std::string suggestion = ClosestName(tok, names);
    std::string message = "unknown command '" + prefix + Shown(tok) + "'";
    if (!suggestion.empty()) return message + "; did you mean '" + prefix + suggestion + "'?";
    return message + "; run '" + CommandPath(*cur) + " --help' for the list";
  }
  if (cur->get_require_subcommand_min() > 0) {
    return "'" + CommandPath(*cur) + "' needs a subcommand: " + NamesOf(Subcommands(*cur)) + "; run '" +
           CommandPath(*cur) + " --help'";
  }
  return std::nullopt;
}

}  // namespace dpo::cmd
