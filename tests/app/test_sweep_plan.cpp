// Sweep plans: the cross product of the axes in file order, each point the
// scenario with its values put into the YAML tree and loaded by the normal
// loader, and bad axes reported at the axis's line.
#include <catch2/catch.hpp>
#include <string>

#include "app/config_node.h"
#include "app/sweep_plan.h"
#include "app/sweep_runner.h"

namespace {

const std::string kBase = R"yaml(name: t
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  worker: {count: 2, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 100, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: ps_sync, batch_size: 4}
optimizer: {kind: sgd, lr: 0.1}
stop: {steps: 5}
)yaml";

app::SweepPlan plan_of(const std::string& sweep) {
  return app::SweepPlan::load_string(kBase + sweep, "s.yaml", std::nullopt);
}

std::string error_of(const std::string& sweep) {
  try {
    plan_of(sweep).validate_all();
  } catch (const app::ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("key paths split into map keys and list indices") {
  const auto s = app::parse_key_path("algorithms[1].lr");
  REQUIRE(s.size() == 3);
  CHECK(s[0].key == "algorithms");
  CHECK(s[1].index == 1u);
  CHECK(s[2].key == "lr");
  CHECK(app::parse_key_path("a.b.c").size() == 3);
  for (const char* bad : {"", "a..b", "a.", ".a", "a[x]", "a[1", "a]", "a[1]b"}) {
    INFO(bad);
    CHECK_THROWS_AS(app::parse_key_path(bad), std::invalid_argument);
  }
}

TEST_CASE("points are the cross product of the axes in file order, the last fastest") {
  const app::SweepPlan plan = plan_of(
      "sweep:\n"
      "  algorithm.kind: [ps_sync, ps_async]\n"
      "  cluster.worker.count: [2, 3, 4]\n"
      "  topology.bandwidth: [1Gbps, 10Gbps]\n");
  REQUIRE(plan.size() == 12);
  REQUIRE(plan.axes().size() == 3);
  CHECK(plan.axes()[1].path == "cluster.worker.count");
  CHECK(plan.axes()[1].line == 14);
  // Hand-computed mixed-radix order: point = 6 * kind + 2 * count + bandwidth.
  CHECK(plan.values(0) == std::vector<std::string>{"ps_sync", "2", "1Gbps"});
  CHECK(plan.values(1) == std::vector<std::string>{"ps_sync", "2", "10Gbps"});
  CHECK(plan.values(2) == std::vector<std::string>{"ps_sync", "3", "1Gbps"});
  CHECK(plan.values(11) == std::vector<std::string>{"ps_async", "4", "10Gbps"});
  CHECK(plan.values(9) == std::vector<std::string>{"ps_async", "3", "10Gbps"});
  for (std::size_t p = 0; p < plan.size(); ++p) {
    const app::Scenario s = plan.scenario(p);
    const std::vector<std::size_t> c = plan.coordinates(p);
    CHECK(s.algorithms[0].kind == (c[0] == 0 ? "ps_sync" : "ps_async"));
    CHECK(s.groups[1].count == static_cast<int>(2 + c[1]));
    CHECK(s.topology.link.bandwidth_bytes_per_s == (c[2] == 0 ? 1.25e8 : 1.25e9));
    CHECK(s.seed == 3);                        // every point keeps the scenario's seed
    CHECK(s.topology.link.latency == 10'000);  // untouched keys stay
  }
  CHECK(plan.folder_name(9) == "0009-ps_async-3-10Gbps");
}

TEST_CASE("a value may be a whole block, and a new optional key may be swept") {
  const app::SweepPlan plan = plan_of(
      "sweep:\n"
      "  algorithm: [{kind: ps_sync, batch_size: 8}, {kind: ps_ssp, staleness_bound: 2}]\n"
      "  optimizer.momentum: [0, 0.9]\n");
  REQUIRE(plan.size() == 4);
  CHECK(plan.values(2)[0] == "ps_ssp");  // named by kind: the kinds differ
  CHECK(plan.scenario(3).algorithms[0].kind == "ps_ssp");
  CHECK(plan.scenario(0).optimizer.sgd.momentum == 0.0f);
  CHECK(plan.scenario(1).optimizer.sgd.momentum == 0.9f);
  // Blocks of one kind are written out, quoted in CSV.
  const app::SweepPlan same_kind = plan_of(
      "sweep:\n  algorithm: [{kind: ps_sync, batch_size: 8}, {kind: ps_sync, batch_size: 2}]\n");
  CHECK(same_kind.values(1)[0] == "{kind: ps_sync, batch_size: 2}");
  CHECK(same_kind.scenario(1).algorithms[0].kind == "ps_sync");
  CHECK(app::csv_cell(same_kind.values(1)[0]) == "\"{kind: ps_sync, batch_size: 2}\"");
}

TEST_CASE("a list element is an axis by its index") {
  const app::SweepPlan plan = plan_of("sweep:\n  model.layers[1]: [16, 2]\n");
  CHECK(plan.scenario(0).model.widths == std::vector<int>{4, 16, 3});
  CHECK(plan.scenario(1).model.widths == std::vector<int>{4, 2, 3});
}

TEST_CASE("seed can be an axis, and a seed override applies to every point") {
  const app::SweepPlan plan = plan_of("sweep:\n  seed: [1, 2]\n");
  CHECK(plan.scenario(0).seed == 1);
  CHECK(plan.scenario(1).seed == 2);
  const app::SweepPlan overridden =
      app::SweepPlan::load_string(kBase + "sweep:\n  topology.latency: [1us, 2us]\n", "s.yaml", 99);
  CHECK(overridden.scenario(0).seed == 99);
  CHECK(overridden.scenario(1).seed == 99);
}

TEST_CASE("a point's YAML reloads as the same scenario, without the sweep block") {
  const app::SweepPlan plan = plan_of("sweep:\n  cluster.worker.count: [2, 5]\n");
  const std::string yaml = plan.point_yaml(1);
  CHECK(yaml.find("sweep") == yaml.find("sweep point"));  // only in the header comment
  const app::SweepPlan again = app::SweepPlan::load_string(yaml, "p.yaml", std::nullopt);
  CHECK(again.axes().empty());
  CHECK(again.scenario(0).groups[1].count == 5);
  CHECK(again.point_yaml(0).substr(again.point_yaml(0).find('\n')) == yaml.substr(yaml.find('\n')));
}

TEST_CASE("a scenario without a sweep is one point") {
  const app::SweepPlan plan = plan_of("");
  CHECK(plan.size() == 1);
  CHECK(plan.axes().empty());
  CHECK(plan.scenario(0).name == "t");
  CHECK(plan.folder_name(0) == "0000");
}

TEST_CASE("bad axes are reported at the axis, with the key path and a hint") {
  SECTION("a missing intermediate key, with a did-you-mean") {
    CHECK(error_of("sweep:\n  cluster.workers.count: [2, 4]\n") ==
          "s.yaml:13:3: sweep.cluster.workers.count: bad axis 'cluster.workers.count': "
          "'cluster' has no key 'workers' (did you mean 'worker'?)");
  }
  SECTION("a typo in the last key is caught by the loader, at the axis") {
    CHECK(error_of("sweep:\n  optimizer.lerning_rate: [0.1]\n")
              .rfind("s.yaml:13:3: optimizer.lerning_rate: unknown key 'lerning_rate'", 0) == 0);
  }
  SECTION("a bad value is reported where it is written, naming the point") {
    const std::string e = error_of("sweep:\n  topology.bandwidth: [1Gbps, fast]\n");
    CHECK(e.rfind("s.yaml:13:31: topology.bandwidth: 'fast' does not start with a number", 0) == 0);
    CHECK_THAT(e, Catch::EndsWith(" (sweep point 1: topology.bandwidth=fast)"));
  }
  SECTION("shape errors") {
    CHECK(error_of("sweep:\n  topology.bandwidth: 1Gbps\n")
              .find("s.yaml:13:23: sweep.topology.bandwidth: expected a non-empty list") == 0);
    CHECK(error_of("sweep:\n  topology.bandwidth: []\n").find("non-empty list") !=
          std::string::npos);
    CHECK(error_of("sweep: [1, 2]\n").find("s.yaml:12:8: sweep: expected a map of axes") == 0);
    CHECK(error_of("sweep:\n  a..b: [1]\n").find("s.yaml:13:3: sweep.a..b: bad key path") == 0);
    CHECK(error_of("sweep:\n  model.layers[5]: [1]\n").find("has 3 element(s), no [5]") !=
          std::string::npos);
    CHECK(error_of("sweep:\n  name.x: [1]\n").find("'name' is not a map") != std::string::npos);
    CHECK(error_of("sweep:\n  topology: [{kind: star, bandwidth: 1Gbps}]\n"
                   "  topology.latency: [1us]\n")
              .find("s.yaml:14:3: sweep.topology.latency: axis 'topology.latency' overlaps "
                    "axis 'topology' (line 13)") == 0);
  }
}

TEST_CASE("axes in a zip group move together; the groups and other axes cross") {
  const app::SweepPlan plan = plan_of(
      "sweep:\n"
      "  topology.bandwidth: [1Gbps, 10Gbps]\n"
      "  zip:\n"
      "    optimizer.lr: [0.1, 0.05, 0.02]\n"
      "    algorithm.batch_size: [4, 8, 16]\n");
  REQUIRE(plan.size() == 6);  // 2 x 3, not 2 x 3 x 3
  REQUIRE(plan.axes().size() == 3);
  CHECK(plan.axes()[1].path == "optimizer.lr");
  CHECK(plan.axes()[1].dimension == plan.axes()[2].dimension);
  CHECK(plan.values(0) == std::vector<std::string>{"1Gbps", "0.1", "4"});
  CHECK(plan.values(2) == std::vector<std::string>{"1Gbps", "0.02", "16"});
  CHECK(plan.values(4) == std::vector<std::string>{"10Gbps", "0.05", "8"});
  const app::Scenario s = plan.scenario(4);
  CHECK(s.optimizer.sgd.lr == 0.05f);
  CHECK(s.algorithms.at(0).batch_size == 8);
  CHECK(plan.folder_name(4) == "0004-10Gbps-0.05-8");
  SECTION("several zip groups: a list of maps, each a dimension") {
    const app::SweepPlan two = plan_of(
        "sweep:\n"
        "  zip:\n"
        "    - {optimizer.lr: [0.1, 0.05], algorithm.batch_size: [4, 8]}\n"
        "    - {topology.bandwidth: [1Gbps, 10Gbps], topology.latency: [1us, 2us]}\n");
    CHECK(two.size() == 4);
    CHECK(two.values(1) == std::vector<std::string>{"0.1", "4", "10Gbps", "2us"});
    CHECK(two.values(2) == std::vector<std::string>{"0.05", "8", "1Gbps", "1us"});
  }
  SECTION("a point's YAML holds every axis's value") {
    const std::string yaml = plan.point_yaml(5);
    CHECK(yaml.find("lr: 0.02") != std::string::npos);
    CHECK(yaml.find("batch_size: 16") != std::string::npos);
  }
}

TEST_CASE("a zip group with unequal lengths or a bad shape is reported at its axis") {
  CHECK(error_of("sweep:\n  zip:\n    optimizer.lr: [0.1, 0.05]\n"
                 "    algorithm.batch_size: [4, 8, 16]\n") ==
        "s.yaml:15:5: sweep.zip.algorithm.batch_size: axes that move together need as many "
        "values each: 'algorithm.batch_size' has 3, 'optimizer.lr' (line 14) has 2");
  CHECK(error_of("sweep:\n  zip:\n    optimizer.lr: [0.1, 0.05]\n")
            .find("s.yaml:14:5: sweep.zip: expected a map of at least two axes") == 0);
  CHECK(error_of("sweep:\n  zip: [0.1, 0.2]\n")
            .find("sweep.zip[0]: expected a map of at least "
                  "two axes") != std::string::npos);
  CHECK(error_of("sweep:\n  optimizer.lr: [0.1]\n  zip:\n    optimizer.lr: [0.1, 0.05]\n"
                 "    algorithm.batch_size: [4, 8]\n")
            .find("s.yaml:15:5: sweep.zip.optimizer.lr: axis 'optimizer.lr' overlaps axis "
                  "'optimizer.lr' (line 13)") != std::string::npos);
  CHECK(error_of("sweep:\n  zip:\n    optimizer.lr: [0.1, -1]\n    algorithm.batch_size: [4, 8]\n")
            .find("lr must be greater than zero (sweep point 1: optimizer.lr=-1, "
                  "algorithm.batch_size=8)") != std::string::npos);
}
