// Fuzz-style: mutated policies (byte flips, truncations, swapped, duplicated
// and re-indented lines of the example) must give a value or a clean error,
// never a crash, and every diagnostic must say where.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "policy_test_util.h"

using namespace policy_test;

namespace {

std::string ReadExample() {
  std::ifstream in(DPO_SOURCE_DIR "/docs/policy-example.yaml", std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string Unlines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::string Mutate(const std::string& original, std::mt19937& rng) {
  std::string text = original;
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  static const char kSpecial[] = ":-[]{},#&*!|>'\"%@` \t\n?";
  int mutations = 1 + static_cast<int>(pick(4));
  for (int m = 0; m < mutations && !text.empty(); ++m) {
    switch (pick(7)) {
      case 0:  // flip a byte
        text[pick(text.size())] = static_cast<char>(pick(256));
        break;
      case 1:  // insert a YAML special character
        text.insert(text.begin() + pick(text.size()), kSpecial[pick(sizeof(kSpecial) - 1)]);
        break;
      case 2:  // truncate
        text.resize(pick(text.size()));
        break;
      case 3: {  // swap two lines
        auto lines = Lines(text);
        if (lines.size() > 1) std::swap(lines[pick(lines.size())], lines[pick(lines.size())]);
        text = Unlines(lines);
        break;
      }
      case 4: {  // duplicate a line elsewhere
        auto lines = Lines(text);
        if (!lines.empty()) lines.insert(lines.begin() + pick(lines.size()), lines[pick(lines.size())]);
        text = Unlines(lines);
        break;
      }
      case 5: {  // re-indent a line
        auto lines = Lines(text);
        if (!lines.empty()) {
          std::string& l = lines[pick(lines.size())];
          if (pick(2) && l.size() > 2) l = l.substr(2); else l = "  " + l;
        }
        text = Unlines(lines);
        break;
      }
      case 6: {  // delete a line
        auto lines = Lines(text);
        if (!lines.empty()) lines.erase(lines.begin() + pick(lines.size()));
        text = Unlines(lines);
        break;
      }
    }
  }
  return text;
}

}  // namespace

TEST_CASE("fuzz: thousands of mutated policies never crash") {
  const std::string example = ReadExample();
  REQUIRE(!example.empty());
  std::mt19937 rng(20240611);
  dpo::policy::ValidateOptions options;
  options.known_detectors = Detectors();
  int values = 0, errors = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string text = Mutate(example, rng);
    auto loaded = dpo::policy::LoadPolicyString(text, "fuzz.yaml");
    if (!loaded.ok()) {
      ++errors;
      CHECK(loaded.status().message().rfind("fuzz.yaml", 0) == 0);
      continue;
    }
    ++values;
    auto diagnostics = loaded->diagnostics;
    for (auto& d : dpo::policy::ValidatePolicy(loaded->policy, options)) diagnostics.push_back(d);
    for (const auto& d : diagnostics) {
      if (d.location.line < 1 || d.message.empty() || d.code.empty()) {
        FAIL_CHECK("diagnostic without location, message or code: " << Dump({d}) << "\ninput:\n" << text);
        break;
      }
    }
  }
  // Both paths were exercised.
  CHECK(values > 100);
  CHECK(errors > 100);
}

TEST_CASE("fuzz: hostile shapes") {
  const char* inputs[] = {
      "",
      "~",
      "version: 1\n",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
      "a: &a [x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\ncategories: *b\n",
      "categories: { ? [a, b] : c }\n",
      "purposes: { p: { legal_basis: [a], categories: {x: y}, transfers: x } }\n",
      "datasets: { t: { columns: [a, b], relations: { x: y } } }\n",
      "retention: { r: { keep: [1], when: x, legal_holds: [ { when: [ [1] ] } ] } }\n",
      "retention: { r: { keep: '99999999999999999999y after x' } }\n",
      "datasets: { t: { columns: { a: { category: [x] } } } }\n",
      "\xef\xbb\xbfversion: 1\n",
      "version: 1\n\x00\x01\x02",
  };
  for (const char* input : inputs) {
    auto loaded = dpo::policy::LoadPolicyString(input, "h.yaml");
    if (loaded.ok()) dpo::policy::ValidatePolicy(loaded->policy, {});
  }
  // Deep nesting is refused cleanly rather than overflowing the stack.
  std::string deep(100000, '[');
  auto loaded = dpo::policy::LoadPolicyString(deep, "deep.yaml");
  CHECK_FALSE(loaded.ok());
}
