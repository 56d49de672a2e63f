// The arrows of docs/ARCHITECTURE.md, enforced: every `#include "room/..."` in
// lib/ and cmd/ must follow an arrow the document draws, and every room's
// CMake link line (dpo_module DEPS) must be exactly its arrows.
//
// The arrows block of the document is one line per room, indented four
// spaces, between "## Arrows" and the next "## " heading:
//     plan -> relations, policy, source, util
//     report -> scan[finding.h], detect[kind.h], policy, source, util
//     util -> (none)
//     cmd -> *
// `room[a.h, b.h]` allows only those headers of that room (data types, not
// engines); `*` allows every room; a room always includes itself.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const char* kDocName = "docs/ARCHITECTURE.md";

struct Arrows {
  bool everything = false;                            // `*`
  std::set<std::string> rooms;                        // rooms it may include freely
  std::map<std::string, std::set<std::string>> only;  // room -> the only headers it may include
};

struct ArrowMap {
  std::map<std::string, Arrows> from;  // every room with a line in the document
  std::vector<std::string> errors;     // lines of the block that do not parse
};

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

bool IsName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)) || c == '_'; });
}

// Splits at commas outside [...].
std::vector<std::string> SplitTopLevel(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  for (char c : s) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(Trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(Trim(cur));
  return parts;
}

ArrowMap ParseArrows(const std::string& doc) {
  ArrowMap map;
  std::istringstream in(doc);
  std::string line;
  bool in_section = false;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("## ", 0) == 0) {
      in_section = Trim(line.substr(3)).rfind("Arrows", 0) == 0;
      continue;
    }
    if (!in_section || line.rfind("    ", 0) != 0) continue;
    size_t arrow = line.find("->");
    if (arrow == std::string::npos) continue;  // an indented line that is not an arrow
    std::string room = Trim(line.substr(0, arrow));
    std::string rhs = Trim(line.substr(arrow + 2));
    std::string where = "line " + std::to_string(n) + ": ";
    if (!IsName(room)) {
      map.errors.push_back(where + "'" + room + "' is not a room name");
      continue;
    }
    if (map.from.count(room) != 0) {
      map.errors.push_back(where + room + " has a second line");
      continue;
    }
    Arrows& a = map.from[room];
    if (rhs == "(none)") continue;
    if (rhs == "*") {
      a.everything = true;
      continue;
    }
    for (const std::string& part : SplitTopLevel(rhs)) {
      size_t open = part.find('[');
      std::string to = Trim(part.substr(0, open));
      if (!IsName(to)) {
        map.errors.push_back(where + "'" + part + "' is not a room");
        continue;
      }
      if (open == std::string::npos) {
        a.rooms.insert(to);
        continue;
      }
      if (part.back() != ']') {
        map.errors.push_back(where + "'" + part + "' has no closing ]");
        continue;
      }
      std::string list = part.substr(open + 1, part.size() - open - 2);
      for (char& c : list)
        if (c == ',' || c == '|') c = ' ';
      std::istringstream headers(list);
      std::string h;
      while (headers >> h) a.only[to].insert(h);
      if (a.only[to].empty()) map.errors.push_back(where + "'" + part + "' lists no header");
    }
  }
  return map;
}

// The quoted includes of `text` whose first path component is one of
// `rooms`, with their 1-based line numbers.
struct Include {
  int line;
  std::string path;  // as written, e.g. "scan/finding.h"
};
std::vector<Include> RoomIncludes(const std::string& text, const std::set<std::string>& rooms) {
  std::vector<Include> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] != '#') continue;
    i = line.find_first_not_of(" \t", i + 1);
    if (i == std::string::npos || line.compare(i, 7, "include") != 0) continue;
    size_t q = line.find_first_not_of(" \t", i + 7);
    if (q == std::string::npos || line[q] != '"') continue;  // <system> headers are not rooms
    size_t end = line.find('"', q + 1);
    if (end == std::string::npos) continue;
    std::string path = line.substr(q + 1, end - q - 1);
    size_t slash = path.find('/');
    if (slash == std::string::npos || rooms.count(path.substr(0, slash)) == 0) continue;
    out.push_back({n, path});
  }
  return out;
}

// Violations of `file` (shown as `display`, in room `from`) against `map`.
std::vector<std::string> CheckFile(const std::string& display, const std::string& from, const std::string& text,
                                   const ArrowMap& map, const std::set<std::string>& rooms) {
  std::vector<std::string> out;
  auto line = map.from.find(from);
  for (const Include& inc : RoomIncludes(text, rooms)) {
    std::string to = inc.path.substr(0, inc.path.find('/'));
    std::string header = inc.path.substr(to.size() + 1);
    if (to == from) continue;
    std::string at = display + ":" + std::to_string(inc.line) + " includes \"" + inc.path + "\": ";
    if (line == map.from.end()) {
      out.push_back(at + from + " has no line in the arrows of " + kDocName);
      continue;
    }
    const Arrows& a = line->second;
    if (a.everything || a.rooms.count(to) != 0) continue;
    auto only = a.only.find(to);
    if (only == a.only.end()) {
      out.push_back(at + from + " -> " + to + " is not an arrow in " + kDocName);
    } else if (only->second.count(header) == 0) {
      std::string allowed;
      for (const std::string& h : only->second) allowed += (allowed.empty() ? "" : ", ") + to + "/" + h;
      out.push_back(at + from + " -> " + inc.path + " is not an arrow in " + kDocName + " (" + from +
                    " may include only " + allowed + " of " + to + ")");
    }
  }
  return out;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool IsSource(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".h" || ext == ".cpp" || ext == ".hpp" || ext == ".cc" || ext == ".inc";
}

std::vector<std::string> LibRooms(const fs::path& root) {
  std::vector<std::string> rooms;
  for (const auto& e : fs::directory_iterator(root / "lib"))
    if (e.is_directory()) rooms.push_back(e.path().filename().string());
  std::sort(rooms.begin(), rooms.end());
  return rooms;
}

// The dpo_<room> dependencies of every dpo_module(<room> DEPS ...) in CMakeLists.txt.
std::map<std::string, std::set<std::string>> CmakeDeps(const std::string& cmake) {
  std::map<std::string, std::set<std::string>> out;
  const std::string key = "\ndpo_module(";
  for (size_t at = cmake.find(key); at != std::string::npos; at = cmake.find(key, at + 1)) {
    size_t close = cmake.find(')', at);
    std::istringstream words(cmake.substr(at + key.size(), close - at - key.size()));
    std::string room, w;
    words >> room;
    std::set<std::string>& deps = out[room];
    while (words >> w)
      if (w.rfind("dpo_", 0) == 0) deps.insert(w.substr(4));
  }
  return out;
}

struct Tree {
  fs::path root = DPO_SOURCE_DIR;
  ArrowMap map = ParseArrows(ReadFile(root / kDocName));
  std::set<std::string> rooms;  // rooms of the document plus directories of lib/
  Tree() {
    for (const auto& [room, arrows] : map.from) rooms.insert(room);
    for (const std::string& r : LibRooms(root)) rooms.insert(r);
  }
};

std::string Joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += "\n  " + l;
  return s;
}

}  // namespace

TEST_CASE("the checker finds an include that crosses no arrow, and only that") {
  const ArrowMap map = ParseArrows(
      "# x\n## Rooms\n    scan -> util\n## Arrows\n\n"
      "    util -> (none)\n    policy -> util\n    scan -> policy, util\n"
      "    report -> scan[finding.h, scan_result.h], util\n    cmd -> *\n## Flows\n    dsar -> scan\n");
  REQUIRE(map.errors.empty());
  CHECK(map.from.size() == 5);  // lines outside "## Arrows" do not count
  CHECK(map.from.at("scan").rooms == std::set<std::string>{"policy", "util"});
  CHECK(map.from.at("util").rooms.empty());
  CHECK(map.from.at("cmd").everything);
  const std::set<std::string> rooms = {"util", "policy", "scan", "report", "cmd"};

  const std::string policy_file =
      "#include \"policy/policy.h\"\n"
      "#include <string>\n"
      "#include \"util/status.h\"\n"
      "// #include \"scan/scanner.h\"  (a comment, not an include)\n"
      "#include \"dpo/version.h\"\n"       // generated, not a room
      "  #  include \"scan/scanner.h\"\n";  // line 6: policy -> scan is not drawn
  CHECK(CheckFile("lib/policy/loader.cpp", "policy", policy_file, map, rooms) ==
        std::vector<std::string>{"lib/policy/loader.cpp:6 includes \"scan/scanner.h\": policy -> scan is not an arrow "
                                 "in docs/ARCHITECTURE.md"});

  // The data-type rule: report may include scan's listed headers, not its engine.
  const std::string report_file = "#include \"scan/finding.h\"\n#include \"scan/scanner.h\"\n#include \"util/status.h\"\n";
  const auto report = CheckFile("lib/report/scan_text.cpp", "report", report_file, map, rooms);
  REQUIRE(report.size() == 1);
  CHECK(report[0].rfind("lib/report/scan_text.cpp:2 includes \"scan/scanner.h\": report -> scan/scanner.h is not an "
                        "arrow in docs/ARCHITECTURE.md",
                        0) == 0);

  // util may include nothing but itself; cmd anything; a room with no line nothing.
  CHECK(CheckFile("lib/util/a.h", "util", "#include \"util/b.h\"\n#include \"policy/policy.h\"\n", map, rooms).size() == 1);
  CHECK(CheckFile("cmd/scan.cpp", "cmd", report_file, map, rooms).empty());
  CHECK(CheckFile("lib/dsar/walk.cpp", "dsar", "#include \"util/status.h\"\n", map, rooms) ==
        std::vector<std::string>{"lib/dsar/walk.cpp:1 includes \"util/status.h\": dsar has no line in the arrows of "
                                 "docs/ARCHITECTURE.md"});
}

TEST_CASE("the parser reports arrow lines it cannot read") {
  CHECK(ParseArrows("## Arrows\n    Plan -> util\n").errors.size() == 1);
  CHECK(ParseArrows("## Arrows\n    plan -> util\n    plan -> source\n").errors.size() == 1);
  CHECK(ParseArrows("## Arrows\n    report -> scan[finding.h\n").errors.size() == 1);
  CHECK(ParseArrows("## Arrows\n    report -> scan[]\n").errors.size() == 1);
  CHECK(ParseArrows("no arrows at all\n").from.empty());
}

TEST_CASE("docs/ARCHITECTURE.md draws a line for every room of lib/ and for cmd") {
  Tree tree;
  INFO("unreadable arrow lines:" << Joined(tree.map.errors));
  CHECK(tree.map.errors.empty());
  REQUIRE(!tree.map.from.empty());
  std::vector<std::string> missing;
  for (const std::string& room : LibRooms(tree.root))
    if (tree.map.from.count(room) == 0) missing.push_back("lib/" + room + " has no line in the arrows of " + kDocName);
  if (tree.map.from.count("cmd") == 0) missing.push_back(std::string("cmd has no line in the arrows of ") + kDocName);
  INFO(Joined(missing));
  CHECK(missing.empty());
  // Every arrow points at a room the document knows.
  // (named copies: clang 14 cannot capture structured bindings in doctest's lambdas)
  for (const auto& entry : tree.map.from) {
    const std::string& room = entry.first;
    for (const std::string& to : entry.second.rooms) CHECK_MESSAGE(tree.map.from.count(to) == 1, room << " -> " << to);
    for (const auto& only : entry.second.only) {
      const std::string& to = only.first;
      CHECK_MESSAGE(tree.map.from.count(to) == 1, room << " -> " << to);
    }
  }
}

TEST_CASE("every #include in lib/ and cmd/ follows an arrow of docs/ARCHITECTURE.md") {
  Tree tree;
  REQUIRE(!tree.map.from.empty());
  std::vector<std::string> violations;
  size_t files = 0;
  auto check_dir = [&](const fs::path& dir, const std::string& room) {
    std::vector<fs::path> paths;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && IsSource(e.path())) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const fs::path& p : paths) {
      ++files;
      std::string display = fs::relative(p, tree.root).generic_string();
      for (std::string& v : CheckFile(display, room, ReadFile(p), tree.map, tree.rooms)) violations.push_back(v);
    }
  };
  for (const std::string& room : LibRooms(tree.root)) check_dir(tree.root / "lib" / room, room);
  check_dir(tree.root / "cmd", "cmd");
  CHECK(files > 50);  // the walk found the tree
  INFO(violations.size() << " include(s) cross no arrow:" << Joined(violations));
  CHECK(violations.empty());
}

TEST_CASE("each room's CMake DEPS are exactly its arrows") {
  Tree tree;
  const auto deps = CmakeDeps(ReadFile(tree.root / "CMakeLists.txt"));
  REQUIRE(deps.count("util") == 1);  // the parse found the modules
  std::vector<std::string> mismatches;
  for (const auto& [room, linked] : deps) {
    auto line = tree.map.from.find(room);
    if (line == tree.map.from.end()) {
      mismatches.push_back("dpo_" + room + " has no line in the arrows of " + kDocName);
      continue;
    }
    std::set<std::string> drawn = line->second.rooms;
    for (const auto& [to, headers] : line->second.only) drawn.insert(to);
    for (const std::string& to : drawn)
      if (linked.count(to) == 0) mismatches.push_back(room + " -> " + to + " is drawn but dpo_" + room + " does not link dpo_" + to);
    for (const std::string& to : linked)
      if (drawn.count(to) == 0) mismatches.push_back("dpo_" + room + " links dpo_" + to + " but " + room + " -> " + to + " is not drawn");
  }
  INFO(Joined(mismatches));
  CHECK(mismatches.empty());
}
