// Hostile YAML ends in a clear error with file:line:column, quickly: nesting
// deep enough to overflow yaml-cpp's recursion, aliases that expand
// exponentially ("billion laughs"), an alias to its own ancestor. Real
// policies pass untouched.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "policy/loader.h"
#include "policy/yaml_limits.h"
#include "policy_test_util.h"

using dpo::policy::CheckYamlNesting;
using dpo::policy::LoadPolicyString;

namespace {

std::string Message(const std::string& text) {
  auto loaded = LoadPolicyString(text, "p.yaml");
  return loaded.ok() ? std::string("(loaded)") : loaded.status().message();
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("yaml limits: 100,000 nested brackets are refused at the 65th, with line:column") {
  for (const std::string open : {"[", "{a: "}) {
    std::string text = "datasets: ";
    for (int i = 0; i < 100000; ++i) text += open;
    std::string message;
    message = Message(text);
    // "datasets" is level 1; the 64th bracket is level 65, at column 11 + 63 * width.
    const size_t column = 11 + 63 * open.size();
    CHECK_MESSAGE(Contains(message, "p.yaml:1:" + std::to_string(column) + ": the policy nests more than 64 levels"),
                  message);
  }
}

TEST_CASE("yaml limits: deep block nesting, by indentation or by '- - -', is refused") {
  std::string indented;
  for (int i = 0; i < 200; ++i) indented += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  CHECK(Contains(Message(indented), "p.yaml:65:65: the policy nests more than 64 levels"));

  std::string dashes;
  for (int i = 0; i < 100000; ++i) dashes += "- ";
  dashes += "x\n";
  std::string message;
  message = Message(dashes);
  CHECK_MESSAGE(Contains(message, "p.yaml:1:129: the policy nests more than 64 levels"), message);
  CHECK(Contains(message, "look for a bracket left open, or flatten the structure"));
}

TEST_CASE("yaml limits: brackets in quoted text, comments and block scalars are not nesting") {
  std::string deep(200, '[');
  std::string text = std::string(policy_test::kBase) + "# " + deep + "\nnotes: \"" + deep + "\"\nmore: '" + deep +
                     "'\ntext: |\n  " + deep + "\n  {{{{{{{{\nfolded: >\n  " + deep + "\n";
  CHECK(CheckYamlNesting(text, "p.yaml").ok());
  // A plain scalar may hold brackets after its first character.
  CHECK(CheckYamlNesting("a: x" + deep + "\n", "p.yaml").ok());
}

TEST_CASE("yaml limits: the shipped policies are far below the depth limit") {
  for (const char* path : {DPO_SOURCE_DIR "/docs/policy-example.yaml", DPO_SOURCE_DIR "/policies/staffing-agency.yaml"}) {
    std::string text = ReadFile(path);
    REQUIRE(!text.empty());
    // Their real depth is about 6: a scan that overcounted would fail here.
    dpo::Status s = CheckYamlNesting(text, path, 10);
    CHECK_MESSAGE(s.ok(), s.message());
    CHECK_MESSAGE(LoadPolicyString(text, path).ok(), path);
  }
}

TEST_CASE("yaml limits: billion laughs is refused in linear time, naming the anchored node") {
  // Ten levels of ten aliases: 10^10 nodes if expanded.
  std::string text = "a0: &a0 [x, y]\n";
  for (int i = 1; i <= 10; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  text += "datasets: *a10\n";
  std::string message;
  message = Message(text);
  CHECK_MESSAGE(Contains(message, "expand it to more than 1000000 nodes"), message);
  CHECK(Contains(message, "p.yaml:"));
  CHECK(Contains(message, "write the shared part out"));
}

TEST_CASE("yaml limits: an alias to its own ancestor is refused, not followed forever") {
  for (const std::string& text : {std::string("datasets: &loop [a, *loop]\n"),
                                 std::string("datasets: &loop\n  t:\n    columns: *loop\n"),
                                 std::string("datasets: &loop {a: {b: [*loop]}}\n")}) {
    std::string message;
    message = Message(text);
    CHECK_MESSAGE(Contains(message, "p.yaml:1:11: the node anchored here holds an alias to itself"), message);
  }
}

TEST_CASE("yaml limits: aliases that expand modestly still load") {
  std::string text = std::string(policy_test::kBase) + "x-shared: &s [a, b, c]\nx-use: [*s, *s, *s]\n";
  CHECK(Message(text) == "(loaded)");
}
