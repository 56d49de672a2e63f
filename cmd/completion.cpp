// dpo completion bash|zsh|fish: a shell completion script written from the
// CLI11 definitions of this very binary, so it lists exactly the
// subcommands and flags `--help` shows and cannot drift from them.
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"

namespace dpo::cmd {

namespace {

// One command a person can type ("", "policy", "policy check") with what
// may follow it.
struct CompletionNode {
  std::string path;  // words after "dpo", space-separated
  std::vector<std::pair<std::string, std::string>> subcommands;  // name, description (aliases too)
  std::vector<std::pair<std::string, std::string>> flags;        // "--name" or "-n", description
  std::vector<std::string> value_flags;                          // flags that take a value
};

void Collect(const CLI::App& app, const std::string& path, std::vector<CompletionNode>* out) {
  CompletionNode node;
  node.path = path;
  for (const CLI::Option* opt : app.get_options()) {
    // Positionals are file names (the shell's own completion); group "" is hidden.
    if (!opt->nonpositional() || opt->get_group().empty()) continue;
    std::vector<std::string> names;
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
    for (const std::string& n : names) {
      node.flags.emplace_back(n, opt->get_description());
      if (opt->get_items_expected_max() > 0) node.value_flags.push_back(n);
    }
  }
  std::vector<std::pair<const CLI::App*, std::string>> children;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    std::vector<std::string> names{sub->get_name()};
    for (const std::string& alias : sub->get_aliases()) names.push_back(alias);
    for (const std::string& n : names) {
      node.subcommands.emplace_back(n, sub->get_description());
      children.emplace_back(sub, path.empty() ? n : path + " " + n);
    }
  }
  out->push_back(std::move(node));
  for (const auto& [sub, sub_path] : children) Collect(*sub, sub_path, out);
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<std::string> Firsts(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<std::string> out;
  for (const auto& p : pairs) out.push_back(p.first);
  return out;
}

// Names and flags are plain words ([a-z0-9-]), so only descriptions need
// quoting; each shell gets the quoting it reads.
std::string SingleQuoted(const std::string& text, const std::string& quote_escape) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += quote_escape;
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out + "'";
}

// The word lists both bash and zsh read: the same case statements.
std::string CaseTables(const std::vector<CompletionNode>& nodes) {
  std::string s = "_dpo_subcommands() {\n  case \"$1\" in\n";
  for (const CompletionNode& n : nodes) {
    if (!n.subcommands.empty()) s += "    \"" + n.path + "\") echo '" + Join(Firsts(n.subcommands)) + "' ;;\n";
  }
  s += "  esac\n}\n_dpo_flags() {\n  case \"$1\" in\n";
  for (const CompletionNode& n : nodes) s += "    \"" + n.path + "\") echo '" + Join(Firsts(n.flags)) + "' ;;\n";
  s += "  esac\n}\n_dpo_value_flags() {\n  case \"$1\" in\n";
  for (const CompletionNode& n : nodes) {
    if (!n.value_flags.empty()) s += "    \"" + n.path + "\") echo '" + Join(n.value_flags) + "' ;;\n";
  }
  s += "  esac\n}\n";
  return s;
}

std::string BashScript(const std::vector<CompletionNode>& nodes) {
  std::string s =
      "# bash completion for dpo, written by 'dpo completion bash' from its own flag definitions.\n"
      "# Install: dpo completion bash > ~/.local/share/bash-completion/completions/dpo\n";
  s += CaseTables(nodes);
  s +=
      "_dpo() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" cmd=\"\" word i\n"
      "  [[ $COMP_CWORD -gt 0 ]] && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    word=\"${COMP_WORDS[i]}\"\n"
      "    if [[ \" $(_dpo_subcommands \"$cmd\") \" == *\" $word \"* ]]; then cmd=\"${cmd:+$cmd }$word\"; fi\n"
      "  done\n"
      "  COMPREPLY=()\n"
      "  # The value of a flag: a file name or a word, the shell's default.\n"
      "  if [[ \"$prev\" == -* && \" $(_dpo_value_flags \"$cmd\") \" == *\" $prev \"* ]]; then return 0; fi\n"
      "  if [[ \"$cur\" == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$(_dpo_flags \"$cmd\")\" -- \"$cur\"))\n"
      "  else\n"
      "    local subs\n"
      "    subs=\"$(_dpo_subcommands \"$cmd\")\"\n"
      "    [[ -n \"$subs\" ]] && COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
      "  fi\n"
      "  return 0\n"
      "}\n"
      "complete -o default -o bashdefault -F _dpo dpo\n";
  return s;
}

std::string ZshScript(const std::vector<CompletionNode>& nodes) {
  std::string s =
      "#compdef dpo\n"
      "# zsh completion for dpo, written by 'dpo completion zsh' from its own flag definitions.\n"
      "# Install: dpo completion zsh > \"${fpath[1]}/_dpo\"\n";
  s += CaseTables(nodes);
  // Descriptions for subcommands, as "name:description" entries for _describe.
  s += "_dpo_described() {\n  case \"$1\" in\n";
  for (const CompletionNode& n : nodes) {
    if (n.subcommands.empty()) continue;
    s += "    \"" + n.path + "\") reply=(";
    for (const auto& [name, desc] : n.subcommands) {
      std::string entry = name + ":";
      for (char c : desc) entry += c == ':' ? std::string("\\:") : std::string(1, c);
      s += " " + SingleQuoted(entry, "'\\''");
    }
    s += " ) ;;\n";
  }
  s += "    *) reply=() ;;\n  esac\n}\n";
  s +=
      "_dpo() {\n"
      "  local cmd=\"\" word i cur=\"${words[CURRENT]}\" prev=\"${words[CURRENT-1]}\"\n"
      "  local -a reply\n"
      "  for ((i = 2; i < CURRENT; i++)); do\n"
      "    word=\"${words[i]}\"\n"
      "    if [[ \" $(_dpo_subcommands \"$cmd\") \" == *\" $word \"* ]]; then cmd=\"${cmd:+$cmd }$word\"; fi\n"
      "  done\n"
      "  if [[ \"$prev\" == -* && \" $(_dpo_value_flags \"$cmd\") \" == *\" $prev \"* ]]; then _files; return; fi\n"
      "  if [[ \"$cur\" == -* ]]; then\n"
      "    compadd -- ${=$(_dpo_flags \"$cmd\")}\n"
      "  elif [[ -n \"$(_dpo_subcommands \"$cmd\")\" ]]; then\n"
      "    _dpo_described \"$cmd\"\n"
      "    _describe -t commands 'dpo command' reply\n"
      "  else\n"
      "    _files\n"
      "  fi\n"
      "}\n"
      "_dpo \"$@\"\n";
  return s;
}

std::string FishScript(const std::vector<CompletionNode>& nodes) {
  std::string s =
      "# fish completion for dpo, written by 'dpo completion fish' from its own flag definitions.\n"
      "# Install: dpo completion fish > ~/.config/fish/completions/dpo.fish\n";
  // The command typed so far ("dsar export"), found as bash does: fish's
  // __fish_seen_subcommand_from would take 'dpo dsar export' for 'dpo export'.
  s += "function __dpo_subcommands\n  switch \"$argv[1]\"\n";
  for (const CompletionNode& n : nodes) {
    if (!n.subcommands.empty()) s += "    case '" + n.path + "'\n      string split ' ' -- '" + Join(Firsts(n.subcommands)) + "'\n";
  }
  s +=
      "  end\n"
      "end\n"
      "function __dpo_command\n"
      "  set -l cmd ''\n"
      "  for word in (commandline -opc)[2..-1]\n"
      "    if contains -- $word (__dpo_subcommands \"$cmd\")\n"
      "      set cmd (string trim -- \"$cmd $word\")\n"
      "    end\n"
      "  end\n"
      "  echo $cmd\n"
      "end\n"
      "function __dpo_is\n"
      "  set -l cmd (__dpo_command)\n"
      "  test \"$cmd\" = \"$argv[1]\"\n"
      "end\n"
      "complete -c dpo -e\n";
  for (const CompletionNode& n : nodes) {
    const std::string cond = "'__dpo_is \"" + n.path + "\"'";
    for (const auto& [name, desc] : n.subcommands) {
      s += "complete -c dpo -f -n " + cond + " -a " + name + " -d " + SingleQuoted(desc, "\\'") + "\n";
    }
    for (const auto& [flag, desc] : n.flags) {
      const bool is_long = flag.rfind("--", 0) == 0;
      s += "complete -c dpo -n " + cond + (is_long ? " -l " + flag.substr(2) : " -s " + flag.substr(1));
      for (const std::string& v : n.value_flags) {
        if (v == flag) s += " -r";
      }
      s += " -d " + SingleQuoted(desc, "\\'") + "\n";
    }
  }
  return s;
}

}  // namespace

void RegisterCompletion(CLI::App& app, int* exit_code) {
  auto shell = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("completion", "Print a shell completion script: bash, zsh or fish");
  sub->add_option("shell", *shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  sub->footer(
      "Examples:\n"
      "  source <(dpo completion bash)\n"
      "  dpo completion zsh > \"${fpath[1]}/_dpo\"\n"
      "  dpo completion fish > ~/.config/fish/completions/dpo.fish\n"
      "cmake --install puts all three where the shells look (share/bash-completion, share/zsh, share/fish).\n"
      "Exit codes: 0 ok; 2 unknown shell; 3 internal error.");
  CLI::App* root = &app;
  sub->callback([root, shell, exit_code]() {
    std::vector<CompletionNode> nodes;
    Collect(*root, "", &nodes);
    if (*shell == "bash") std::cout << BashScript(nodes);
    if (*shell == "zsh") std::cout << ZshScript(nodes);
    if (*shell == "fish") std::cout << FishScript(nodes);
    *exit_code = kExitOk;
  });
}

}  // namespace dpo::cmd
