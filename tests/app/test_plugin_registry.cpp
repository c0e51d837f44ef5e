// The plug-in registry: `aggregator:` and `compressor:` inside `algorithm:`,
// by name or as a map with `kind`, with errors at their file:line:column.
#include <catch2/catch.hpp>

#include <string>

#include "app/plugin_registry.h"
#include "scenario_text.h"

namespace {

const std::string kFedAvg = R"yaml(name: t
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  client: {count: 4, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 100, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: fedavg, clients_per_round: 2, AGG}
stop: {steps: 5}
)yaml";

std::string with(const std::string& plugin) {
  return scenario_text::replace(kFedAvg, "AGG", plugin);
}

// The aggregator `algorithm: {...}` names, made by its factory.
std::string aggregator_of(const std::string& algorithm) {
  const app::ConfigNode node = app::ConfigNode::load_string(algorithm, "a.yaml");
  return std::string(app::load_aggregator(node)()->name());
}

}  // namespace

using scenario_text::error_of;

TEST_CASE("an aggregator is named, given as a map with kind, or the default") {
  CHECK(aggregator_of("{kind: fedavg}") == "weighted_mean");
  CHECK(aggregator_of("{aggregator: mean}") == "mean");
  CHECK(aggregator_of("{aggregator: {kind: mean}}") == "mean");
  CHECK(aggregator_of("{aggregator: weighted_mean}") == "weighted_mean");
  const app::ConfigNode none = app::ConfigNode::load_string("{compressor: none}", "a.yaml");
  CHECK(app::load_compressor(none)()->name() == "none");
}

TEST_CASE("every factory call makes a new instance, so a rule may keep state") {
  const app::ConfigNode node = app::ConfigNode::load_string("{aggregator: mean}", "a.yaml");
  const algo::AggregatorFactory make = app::load_aggregator(node);
  CHECK(make().get() != make().get());
}

TEST_CASE("scenarios naming plug-ins load, and mistakes are reported at the key") {
  CHECK(error_of(with("aggregator: mean, compressor: none")) == "(no error)");
  SECTION("an unknown rule, with a did-you-mean") {
    CHECK(error_of(with("aggregator: meen")) ==
          "s.yaml:9:61: algorithm.aggregator: unknown aggregator 'meen' (did you mean 'mean'?)");
  }
  SECTION("an unknown rule with nothing close lists the known ones") {
    CHECK(error_of(with("compressor: zip")) ==
          "s.yaml:9:61: algorithm.compressor: unknown compressor 'zip' (expected one of: none, "
          "topk, randk, qsgd, sign)");
  }
  SECTION("a key the rule does not have") {
    CHECK(error_of(with("aggregator: {kind: mean, trim: 0.1}")) ==
          "s.yaml:9:74: algorithm.aggregator.trim: unknown key 'trim' (allowed keys: kind)");
  }
  SECTION("a map without kind") {
    CHECK(error_of(with("aggregator: {trim: 0.1}")) ==
          "s.yaml:9:61: algorithm.aggregator: missing required key 'kind'");
  }
}

TEST_CASE("the parameter servers take the same keys") {
  const std::string ps =
      scenario_text::replace(with("aggregator: mean"), "kind: fedavg, clients_per_round: 2",
                             "kind: ps_sync, workers: client");
  CHECK(error_of(ps) == "(no error)");
  CHECK(error_of(scenario_text::replace(ps, "aggregator: mean", "compressor: nope")) ==
        "s.yaml:9:57: algorithm.compressor: unknown compressor 'nope' (did you mean 'none'?)");
}
