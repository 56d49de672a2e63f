// Limits a policy's YAML must keep, checked before and right after yaml-cpp
// reads it, so that hostile text ends in a clear error instead of a stack
// overflow (yaml-cpp recurses once per nesting level) or a traversal that
// never ends (aliases expanded exponentially, "billion laughs", or an alias
// to a node that contains it).
//
// The limits are fixed and documented (docs/policy-format.md): a real policy
// nests a handful of levels and uses aliases, if at all, to share a list or
// two, so no flag raises them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace YAML {
class Node;
}

namespace dpo::policy {

// Nesting levels a policy may use: block mappings and sequences (by
// indentation and "- " entries) plus flow brackets [ { .
inline constexpr int kMaxYamlDepth = 64;
// Nodes the document may hold once every alias is expanded.
inline constexpr int64_t kMaxYamlExpandedNodes = 1000000;

// Scans the text (without parsing it) for nesting deeper than `max_depth`.
// The error names FILE:LINE:COLUMN of the first level too deep. Block scalars
// (| and >), quoted text and comments are skipped; plain text is never
// mistaken for deeper nesting than yaml-cpp would build, though it may count
// a level or two more.
Status CheckYamlNesting(std::string_view text, const std::string& display_name, int max_depth = kMaxYamlDepth);

// Walks the parsed document once per distinct node and refuses an alias to a
// node that contains it (a cycle every traversal would follow forever) and a
// document whose aliases expand to more than `max_nodes` nodes. Errors name
// FILE:LINE:COLUMN of the anchored node.
Status CheckYamlAliases(const YAML::Node& root, const std::string& display_name,
                        int64_t max_nodes = kMaxYamlExpandedNodes);

}  // namespace dpo::policy
