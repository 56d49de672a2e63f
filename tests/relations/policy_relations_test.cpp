// Relations declared by a policy, as the write path (Source::DeclareRelations,
// plan::LoadSchemaGraph) and inspect (MergePolicyRelations) receive them.
// The expectations come from reading policies/staffing-agency.yaml with
// yaml-cpp directly, not from the policy loader under test.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "policy/loader.h"
#include "relations/policy_relations.h"

namespace {

namespace fs = std::filesystem;
using dpo::source::ForeignKey;

const std::string kPolicyPath = (fs::path(DPO_SOURCE_DIR) / "policies" / "staffing-agency.yaml").string();

struct Expected {
  std::string child;
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  ForeignKey::OnDelete on_delete = ForeignKey::OnDelete::kRestrict;
};

// datasets.<table>.relations[] with the short form `references: TABLE.COLUMN`
// or the long form `references: { table: T, columns: [C, ...] }`, in file order.
std::vector<Expected> ReadRelationsFromYaml() {
  std::vector<Expected> out;
  YAML::Node root = YAML::LoadFile(kPolicyPath);
  for (const auto& dataset : root["datasets"]) {
    const YAML::Node relations = dataset.second["relations"];
    if (!relations) continue;
    for (const auto& r : relations) {
      Expected e;
      e.child = dataset.first.as<std::string>();
      e.columns = r["columns"].as<std::vector<std::string>>();
      std::string od = r["on_delete"] ? r["on_delete"].as<std::string>() : "restrict";
      e.on_delete = od == "cascade" ? ForeignKey::OnDelete::kCascade
                  : od == "set_null" ? ForeignKey::OnDelete::kSetNull : ForeignKey::OnDelete::kRestrict;
      const YAML::Node ref = r["references"];
      if (ref.IsScalar()) {
        std::string text = ref.as<std::string>();
        size_t dot = text.find('.');
        REQUIRE(dot != std::string::npos);
        e.referenced_table = text.substr(0, dot);
        e.referenced_columns = {text.substr(dot + 1)};
      } else {
        e.referenced_table = ref["table"].as<std::string>();
        e.referenced_columns = ref["columns"].as<std::vector<std::string>>();
      }
      out.push_back(std::move(e));
    }
  }
  return out;
}

dpo::policy::Policy LoadStaffingPolicy() {
  auto loaded = dpo::policy::LoadPolicyFile(kPolicyPath);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  return std::move(loaded->policy);
}

bool SameRelation(const ForeignKey& fk, const Expected& e) {
  return fk.columns == e.columns && fk.referenced_table == e.referenced_table &&
         fk.referenced_columns == e.referenced_columns;
}

}  // namespace

TEST_CASE("PolicyRelations lists every relation of the policy, in order, with its on_delete (restrict by default)") {
  const std::vector<Expected> expected = ReadRelationsFromYaml();
  // The sample policy declares relations for most of its datasets; an empty
  // oracle would make the comparison below vacuous.
  REQUIRE(expected.size() >= 10);

  const auto relations = dpo::relations::PolicyRelations(LoadStaffingPolicy());
  REQUIRE(relations.size() == expected.size());
  for (size_t i = 0; i < relations.size(); ++i) {
    CAPTURE(i);
    CAPTURE(expected[i].child);
    CHECK(relations[i].first == expected[i].child);
    CHECK(SameRelation(relations[i].second, expected[i]));
    CHECK(relations[i].second.origin == "policy");
    CHECK(relations[i].second.on_delete == expected[i].on_delete);
  }
}

TEST_CASE("PolicyRelations names the child table, not the referenced one") {
  const auto relations = dpo::relations::PolicyRelations(LoadStaffingPolicy());
  bool found = false;
  for (const auto& [child, fk] : relations) {
    if (child == "timesheets" && fk.columns == std::vector<std::string>{"approved_by"}) {
      found = true;
      CHECK(fk.referenced_table == "client_contacts");
      CHECK(fk.referenced_columns == std::vector<std::string>{"id"});
    }
    CHECK(child != fk.referenced_table);  // the staffing policy has no self-references
  }
  CHECK(found);
}

TEST_CASE("PolicyRelations of a policy without relations is empty") {
  dpo::policy::Policy empty;
  CHECK(dpo::relations::PolicyRelations(empty).empty());
  dpo::policy::Policy no_relations = LoadStaffingPolicy();
  for (auto& dataset : no_relations.datasets) dataset.relations.clear();
  CHECK(dpo::relations::PolicyRelations(no_relations).empty());
}

TEST_CASE("MergePolicyRelations adds what the schema lacks, as PolicyRelations makes it") {
  const dpo::policy::Policy policy = LoadStaffingPolicy();
  std::vector<ForeignKey> declared;
  for (const auto& [child, fk] : dpo::relations::PolicyRelations(policy))
    if (child == "placements") declared.push_back(fk);
  REQUIRE(declared.size() >= 2);

  // The schema already declares the first relation (as a database would).
  dpo::source::Table table;
  table.name = "placements";
  ForeignKey schema_fk = declared.front();
  schema_fk.origin = "schema";
  schema_fk.on_delete = ForeignKey::OnDelete::kRestrict;
  table.foreign_keys.push_back(schema_fk);

  dpo::relations::MergePolicyRelations(policy, &table);
  REQUIRE(table.foreign_keys.size() == declared.size());
  CHECK(table.foreign_keys[0].origin == "schema");  // untouched: the schema wins
  CHECK(table.foreign_keys[0].on_delete == ForeignKey::OnDelete::kRestrict);
  for (size_t i = 1; i < declared.size(); ++i) {
    CAPTURE(i);
    CHECK(table.foreign_keys[i].columns == declared[i].columns);
    CHECK(table.foreign_keys[i].referenced_table == declared[i].referenced_table);
    CHECK(table.foreign_keys[i].referenced_columns == declared[i].referenced_columns);
    CHECK(table.foreign_keys[i].origin == "policy");
    CHECK(table.foreign_keys[i].on_delete == declared[i].on_delete);
  }

  // A second merge adds nothing.
  dpo::relations::MergePolicyRelations(policy, &table);
  CHECK(table.foreign_keys.size() == declared.size());

  // A table the policy does not know is left alone.
  dpo::source::Table other;
  other.name = "not_in_policy";
  dpo::relations::MergePolicyRelations(policy, &other);
  CHECK(other.foreign_keys.empty());
}
