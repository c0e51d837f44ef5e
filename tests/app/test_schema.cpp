// The scenario schema (app/schema.h): it covers every algorithm and fault
// kind the loaders know, and the defaults it shows are the loader's.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "app/algorithm_registry.h"
#include "app/scenario_loader.h"
#include "app/schema.h"

namespace {

bool has_section(const std::string& id) {
  for (const app::schema::Section& s : app::schema::all()) {
    if (s.id == id) return true;
  }
  return false;
}

const std::string& default_of(const std::string& id, const std::string& key) {
  for (const app::schema::Key& k : app::schema::section(id).keys) {
    if (k.name == key) return k.default_value;
  }
  FAIL("no key " << id << "." << key);
  throw;
}

const std::string kMinimal = R"yaml(name: t
cluster:
  server: {flops: 10GFLOPS}
  worker: {count: 2, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps}
data: {dataset: synthetic}
model: {layers: [20, 8, 4]}
algorithms:
  - {kind: ps_sync}
  - {kind: local_sgd}
stop: {steps: 5}
)yaml";

}  // namespace

TEST_CASE("every algorithm kind has a schema section with kind and label") {
  for (const app::AlgorithmEntry& entry : app::algorithm_registry()) {
    const std::string id = std::string("algorithm.") + entry.kind;
    INFO(id);
    REQUIRE(has_section(id));
    const auto keys = app::schema::keys(id);
    CHECK(keys.at(0) == "kind");
    CHECK(keys.at(1) == "label");
  }
}

TEST_CASE("every fault kind has a schema section") {
  for (const char* kind :
       {"crash", "link_down", "degrade", "partition", "straggle", "link", "random"}) {
    CHECK(has_section(std::string("faults.") + kind));
  }
  for (const char* kind : {"crash", "link_down", "degrade", "partition", "straggle", "loss"}) {
    INFO(kind);
    REQUIRE(has_section(std::string("faults.random.") + kind));
    CHECK(app::schema::keys(std::string("faults.random.") + kind).at(0) ==
          std::string(kind) + "_rate");
  }
}

TEST_CASE("every schema key has a type, a default and a meaning, once per section") {
  for (const app::schema::Section& s : app::schema::all()) {
    std::set<std::string> seen;
    for (const app::schema::Key& k : s.keys) {
      INFO(s.id << "." << k.name);
      CHECK(seen.insert(k.name).second);
      CHECK_FALSE(k.type.empty());
      CHECK_FALSE(k.default_value.empty());
      CHECK_FALSE(k.meaning.empty());
    }
  }
  CHECK_THROWS_AS(app::schema::section("no.such.section"), std::logic_error);
}

TEST_CASE("the defaults the schema shows are the ones the loader uses") {
  const app::Scenario s = app::load_scenario_string(kMinimal, "s.yaml");
  using app::schema::float_text;
  using app::schema::int_default;
  CHECK(s.seed == static_cast<std::uint64_t>(std::stoll(default_of("root", "seed"))));
  CHECK(s.groups[0].count == std::stoi(default_of("cluster", "count")));
  CHECK(s.data.synthetic.samples == int_default("data", "samples"));
  CHECK(s.data.synthetic.features == int_default("data", "features"));
  CHECK(s.data.synthetic.classes == int_default("data", "classes"));
  CHECK(float_text(s.data.synthetic.noise) == default_of("data", "noise"));
  CHECK(float_text(s.optimizer.sgd.lr) == default_of("optimizer.sgd", "lr"));
  CHECK(float_text(s.optimizer.adam.lr) == default_of("optimizer.adam", "lr"));
  CHECK(s.algorithms.at(0).batch_size == int_default("algorithm.ps_sync", "batch_size"));
  CHECK(s.algorithms.at(1).batch_size == int_default("algorithm.local_sgd", "batch_size"));
  CHECK(app::schema::duration_text(s.outputs.links_interval) ==
        default_of("outputs", "links_interval"));
  // The values users read in docs/scenario-reference.md, pinned.
  CHECK(default_of("optimizer.sgd", "lr") == "0.1");
  CHECK(default_of("optimizer.adam", "lr") == "0.001");
  CHECK(int_default("algorithm.ps_sync", "batch_size") == 32);
  CHECK(int_default("algorithm.local_sgd", "local_steps") == 4);
  CHECK(int_default("data", "samples") == 2000);
  CHECK(default_of("outputs", "clock_interval") == "10ms");
}

TEST_CASE("the Markdown reference has one row per key") {
  const std::string md = app::schema::markdown();
  std::size_t rows = 0, keys = 0;
  for (std::size_t at = md.find("\n| `"); at != std::string::npos; at = md.find("\n| `", at + 1)) {
    ++rows;
  }
  for (const app::schema::Section& s : app::schema::all()) keys += s.keys.size();
  CHECK(rows == keys);
}
