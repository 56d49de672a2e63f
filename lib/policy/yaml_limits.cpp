#include "policy/yaml_limits.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "util/message.h"

namespace dpo::policy {
namespace {

std::string Where(const std::string& display_name, int64_t line, int64_t column) {
  return util::EscapeForMessage(display_name, std::string_view::npos) + ":" + std::to_string(line) + ":" +
         std::to_string(column);
}

Status TooDeep(const std::string& display_name, int64_t line, int64_t column, int max_depth) {
  return Status::Error(Where(display_name, line, column) + ": the policy nests more than " +
                       std::to_string(max_depth) +
                       " levels deep here (mappings, lists and brackets inside each other); a policy needs a "
                       "handful: look for a bracket left open, or flatten the structure");
}

// Walks the text one line at a time in block context and one character at a
// time inside flow brackets. `block` holds the columns of the open block
// nodes (each "- ", "? " or key opens one); a line pops those at or right of
// its own column, as YAML's indentation does.
class NestingScan {
 public:
  NestingScan(std::string_view text, const std::string& name, int max_depth)
      : t_(text), name_(name), max_(max_depth) {}

  Status Run() {
    while (i_ < t_.size()) {
      DPO_RETURN_IF_ERROR(Line());
    }
    return Status::Ok();
  }

 private:
  bool Space(size_t k) const { return k >= t_.size() || t_[k] == ' ' || t_[k] == '\t' || t_[k] == '\r' || t_[k] == '\n'; }
  bool EndOfLine(size_t k) const { return k >= t_.size() || t_[k] == '\n' || t_[k] == '\r'; }
  int64_t Column(size_t k) const { return static_cast<int64_t>(k - line_start_) + 1; }

  void NextLine(size_t k) {
    while (k < t_.size() && t_[k] != '\n') ++k;
    if (k < t_.size()) {
      ++k;
      ++line_;
    }
    i_ = k;
    line_start_ = k;
  }

  void SkipBlanks(size_t* k) const {
    while (*k < t_.size() && (t_[*k] == ' ' || t_[*k] == '\t')) ++*k;
  }

  Status Push(size_t k) {
    block_.push_back(k - line_start_);
    if (static_cast<int64_t>(block_.size()) > max_) return TooDeep(name_, line_, Column(k), max_);
    return Status::Ok();
  }

  // Skips a quoted scalar starting at `k` (a quote); may span lines.
  size_t SkipQuoted(size_t k) {
    const char q = t_[k++];
    while (k < t_.size()) {
      char c = t_[k];
      if (c == '\n') {
        ++line_;
        line_start_ = k + 1;
      } else if (q == '"' && c == '\\') {
        ++k;  // the escaped character, whatever it is (a line break included)
        if (k < t_.size() && t_[k] == '\n') {
          ++line_;
          line_start_ = k + 1;
        }
      } else if (c == q) {
        if (q == '\'' && k + 1 < t_.size() && t_[k + 1] == '\'') {
          k += 2;
          continue;
        }
        return k + 1;
      }
      ++k;
    }
    return k;
  }

  // Flow collections from `k` (an opening bracket) to their closing bracket.
  size_t Flow(size_t k, Status* status) {
    int64_t depth = 0;
    bool scalar_start = true;  // a quote or '#' here starts a quoted scalar or a comment
    while (k < t_.size()) {
      char c = t_[k];
      if (c == '\n') {
        ++line_;
        line_start_ = k + 1;
        scalar_start = true;
        ++k;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        scalar_start = true;
        ++k;
        continue;
      }
      if ((c == '"' || c == '\'') && scalar_start) {
        k = SkipQuoted(k);
        scalar_start = false;
        continue;
      }
      if (c == '#' && scalar_start) {
        while (k < t_.size() && t_[k] != '\n') ++k;
        continue;
      }
      if (c == '[' || c == '{') {
        ++depth;
        if (static_cast<int64_t>(block_.size()) + depth > max_) {
          *status = TooDeep(name_, line_, Column(k), max_);
          return k;
        }
        scalar_start = true;
      } else if (c == ']' || c == '}') {
        if (--depth == 0) return k + 1;
        scalar_start = false;
      } else {
        scalar_start = c == ',' || c == ':' || c == '?';
      }
      ++k;
    }
    return k;
  }

  // If a key starts at `k` ("key:", "'key':"), the position after its ':';
  // otherwise npos.
  size_t AfterKey(size_t k) {
    if (t_[k] == '"' || t_[k] == '\'') {
      const int64_t line = line_;
      const size_t line_start = line_start_;
      size_t e = SkipQuoted(k);
      if (line_ != line) {  // a multi-line quoted value, not a key
        i_ = e;
        return std::string_view::npos - 1;
      }
      line_ = line;
      line_start_ = line_start;
      SkipBlanks(&e);
      if (e < t_.size() && t_[e] == ':' && Space(e + 1)) return e + 1;
      i_ = e;
      return std::string_view::npos - 1;
    }
    for (size_t e = k; !EndOfLine(e); ++e) {
      if (t_[e] == '#' && e > k && (t_[e - 1] == ' ' || t_[e - 1] == '\t')) break;
      if (t_[e] == ':' && Space(e + 1)) return e + 1;
    }
    return std::string_view::npos;
  }

  Status Line() {
    size_t k = i_;
    while (k < t_.size() && t_[k] == ' ') ++k;
    const size_t indent = k - line_start_;
    if (EndOfLine(k) || t_[k] == '#') {
      NextLine(k);
      return Status::Ok();
    }
    if (block_scalar_parent_ != kNone) {
      if (static_cast<int64_t>(indent) > block_scalar_parent_) {
        NextLine(k);
        return Status::Ok();
      }
      block_scalar_parent_ = kNone;
    }
    if (indent == 0 && (t_.substr(k, 3) == "---" || t_.substr(k, 3) == "...") && Space(k + 3)) {
      block_.clear();
      k += 3;
      SkipBlanks(&k);
      if (EndOfLine(k) || t_[k] == '#') {
        NextLine(k);
        return Status::Ok();
      }
    }
    while (!block_.empty() && block_.back() >= k - line_start_) block_.pop_back();
    // "- ", "? " and ": " entries, possibly several on one line ("- - x").
    while ((t_[k] == '-' || t_[k] == '?' || t_[k] == ':') && Space(k + 1)) {
      DPO_RETURN_IF_ERROR(Push(k));
      ++k;
      SkipBlanks(&k);
      if (EndOfLine(k) || t_[k] == '#') {
        NextLine(k);
        return Status::Ok();
      }
    }
    if (t_[k] != '[' && t_[k] != '{' && t_[k] != '|' && t_[k] != '>') {
      size_t after = AfterKey(k);
      if (after == std::string_view::npos - 1) {  // a quoted value, skipped
        NextLine(i_);
        return Status::Ok();
      }
      if (after != std::string_view::npos) {
        DPO_RETURN_IF_ERROR(Push(k));
        k = after;
        SkipBlanks(&k);
      }
    }
    // Node properties before the value: &anchor, !tag.
    while (k < t_.size() && (t_[k] == '&' || t_[k] == '!')) {
      while (!Space(k)) ++k;
      SkipBlanks(&k);
    }
    if (EndOfLine(k) || t_[k] == '#') {
      NextLine(k);
      return Status::Ok();
    }
    const char c = t_[k];
    if (c == '[' || c == '{') {
      Status status;
      k = Flow(k, &status);
      if (!status.ok()) return status;
    } else if (c == '|' || c == '>') {
      block_scalar_parent_ = block_.empty() ? -1 : static_cast<int64_t>(block_.back());
    } else if (c == '"' || c == '\'') {
      k = SkipQuoted(k);
    }
    NextLine(k);
    return Status::Ok();
  }

  static constexpr int64_t kNone = -2;

  std::string_view t_;
  const std::string& name_;
  int64_t max_;
  size_t i_ = 0;
  int64_t line_ = 1;
  size_t line_start_ = 0;
  std::vector<size_t> block_;
  int64_t block_scalar_parent_ = kNone;  // inside a | or > block: the column its lines must pass
};

// Expanded sizes of the collections, each computed once: an alias shares its
// anchor's node (and Mark), so a collection is known by its place in the text.
class AliasWalk {
 public:
  AliasWalk(const std::string& name, int64_t max_nodes) : name_(name), max_(max_nodes) {}

  Status Size(const YAML::Node& n, int64_t* out) {
    *out = 1;
    if (!n.IsMap() && !n.IsSequence()) return Status::Ok();
    const YAML::Mark m = n.Mark();
    const std::pair<int, int> key{m.pos, static_cast<int>(n.Type())};
    const bool known_place = !m.is_null();
    if (known_place) {
      auto done = done_.find(key);
      if (done != done_.end()) {
        *out = done->second;
        return Status::Ok();
      }
      if (!open_.insert(key).second) {
        return Status::Error(Where(name_, m.line + 1, m.column + 1) +
                             ": the node anchored here holds an alias to itself, so it never ends; remove that "
                             "alias (*name) from inside it");
      }
    }
    if (++depth_ > 4 * kMaxYamlDepth + 16) {  // CheckYamlNesting keeps real documents far below this
      return Status::Error(Where(name_, m.line + 1, m.column + 1) + ": the policy nests too deeply");
    }
    int64_t total = 1;
    auto add = [&](const YAML::Node& child) -> Status {
      int64_t size = 0;
      DPO_RETURN_IF_ERROR(Size(child, &size));
      total += size;
      if (total > max_) {
        return Status::Error(Where(name_, m.line + 1, m.column + 1) + ": the aliases (*name) of this node expand "
                             "it to more than " + std::to_string(max_) +
                             " nodes; a policy needs far fewer: write the shared part out, or use aliases "
                             "only for small pieces that do not refer to each other");
      }
      return Status::Ok();
    };
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (n.IsMap()) {
        DPO_RETURN_IF_ERROR(add(it->first));
        DPO_RETURN_IF_ERROR(add(it->second));
      } else {
        DPO_RETURN_IF_ERROR(add(*it));
      }
    }
    --depth_;
    if (known_place) {
      open_.erase(key);
      done_[key] = total;
    }
    *out = total;
    return Status::Ok();
  }

 private:
  const std::string& name_;
  int64_t max_;
  int depth_ = 0;
  std::map<std::pair<int, int>, int64_t> done_;
  std::set<std::pair<int, int>> open_;
};

}  // namespace

Status CheckYamlNesting(std::string_view text, const std::string& display_name, int max_depth) {
  return NestingScan(text, display_name, max_depth).Run();
}

Status CheckYamlAliases(const YAML::Node& root, const std::string& display_name, int64_t max_nodes) {
  int64_t size = 0;
  return AliasWalk(display_name, max_nodes).Size(root, &size);
}

}  // namespace dpo::policy
