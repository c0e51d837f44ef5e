// The memory estimate against hand counts: what each part counts follows
// from the scenario's numbers (the estimate against measured peak RSS is the
// CLI test `cli: budget`).
#include <catch2/catch.hpp>
#include <string>

#include "app/memory_budget.h"
#include "app/scenario_loader.h"
#include "run/resource_estimate.h"
#include "scenario_text.h"

namespace {

const std::string kBase = R"yaml(name: t
cluster:
  server: {count: 1, flops: 10GFLOPS}
  worker: {count: 4, flops: 10GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 400, features: 20, classes: 4}
model: {layers: [20, 32, 4]}
algorithm: {kind: ps_sync, batch_size: 16}
stop: {sim_time: 10ms}
)yaml";

double bytes_of(const syncsim::ResourceEstimate& e, const std::string& prefix) {
  for (const syncsim::ResourceItem& item : e.memory) {
    if (item.what.rfind(prefix, 0) == 0) return item.bytes;
  }
  FAIL("no item starting with '" << prefix << "'");
  return 0;
}

}  // namespace

TEST_CASE("the memory estimate counts what the scenario asks for", "[budget]") {
  using scenario_text::replace;
  SECTION("links.csv: sim_time / links_interval buckets x 2 directions of each host link") {
    const auto s = app::load_scenario_string(
        kBase + "outputs: {links: true, links_interval: 1us}\n", "s.yaml");
    const syncsim::ResourceEstimate e = syncsim::estimate_resources(s);
    CHECK(e.sim_seconds == Approx(0.01));
    // 10 ms / 1 us = 10,000 buckets; a star of 5 hosts has 5 links, 10 directions.
    const double rows = 10'000.0 * 10;
    CHECK(bytes_of(e, "links.csv") / rows == Approx(250.0));
    CHECK(e.output_bytes > rows * 50);
  }
  SECTION("model copies grow with the parameters and the replicas") {
    const auto small = syncsim::estimate_resources(app::load_scenario_string(kBase, "s.yaml"));
    // 20-32-4: (21 x 32) + (33 x 4) = 804 parameters; 20-64-4: 1,604.
    const auto wide = syncsim::estimate_resources(
        app::load_scenario_string(replace(kBase, "[20, 32, 4]", "[20, 64, 4]"), "s.yaml"));
    CHECK(bytes_of(wide, "model copies") / bytes_of(small, "model copies") ==
          Approx(1604.0 / 804.0));
    const auto more = syncsim::estimate_resources(app::load_scenario_string(
        replace(kBase, "worker: {count: 4", "worker: {count: 8"), "s.yaml"));
    CHECK(bytes_of(more, "model copies") > 1.5 * bytes_of(small, "model copies"));
  }
  SECTION("timing-only runs (math: none) count no model copies: the estimate ignores the model") {
    const std::string none = "math: none\n" + kBase;
    const auto small = syncsim::estimate_resources(app::load_scenario_string(none, "s.yaml"));
    const auto large = syncsim::estimate_resources(
        app::load_scenario_string(replace(none, "[20, 32, 4]", "[20, 1000000, 4]"), "s.yaml"));
    CHECK(large.peak_bytes() == small.peak_bytes());
    for (const syncsim::ResourceItem& item : large.memory) {
      INFO(item.what);
      CHECK(item.what.find("model") == std::string::npos);
    }
    // With math the same change costs 25 million parameters x 4 B per copy.
    const auto real = syncsim::estimate_resources(
        app::load_scenario_string(replace(kBase, "[20, 32, 4]", "[20, 1000000, 4]"), "s.yaml"));
    CHECK(real.peak_bytes() > small.peak_bytes() + 1e8);
  }
  SECTION("federated runs count the clients of one round, not all clients") {
    std::string fed = replace(kBase, "algorithm: {kind: ps_sync, batch_size: 16}",
                              "algorithm: {kind: fedavg, clients: worker, clients_per_round: 2}");
    const auto two = syncsim::estimate_resources(app::load_scenario_string(fed, "s.yaml"));
    const auto all = syncsim::estimate_resources(app::load_scenario_string(
        replace(fed, "clients_per_round: 2", "clients_per_round: 4"), "s.yaml"));
    CHECK(bytes_of(all, "model copies") > bytes_of(two, "model copies"));
  }
  SECTION("over the budget: a ScenarioError naming the largest part and how to shrink it") {
    const auto s = app::load_scenario_string(
        kBase + "outputs: {links: true, links_interval: 1ns}\n", "s.yaml");
    CHECK_NOTHROW(app::check_memory_budget(s, 1e15));
    try {
      app::check_memory_budget(s, 1e9);
      FAIL("not refused");
    } catch (const syncsim::ScenarioError& e) {
      const std::string what = e.what();
      CHECK(what.rfind("s.yaml: needs an estimated", 0) == 0);
      CHECK(what.find("links.csv (1e+07 buckets of 1ns") != std::string::npos);
      CHECK(what.find("raise outputs.links_interval") != std::string::npos);
    }
  }
}
