#include <catch2/catch.hpp>

#include "algorithms/ml/synthetic.h"
#include "algorithms/runtime/monitor.h"
#include "topology/builders.h"

namespace {

struct Fixture {
  sim::Simulator sim;
  topology::Topology topo = topology::build_star({"a", "b"}, {1e9, 0});
  topology::Network net{sim, topo};
  ml::Dataset test = ml::make_synthetic({100, 5, 3, 1.0f, 3.0f}, 1);
  ml::MlpSpec spec{{5, 4, 3}, ml::Activation::relu, ml::LossKind::softmax_cross_entropy};
  ml::Vector params = ml::Vector::Zero(ml::Mlp(spec).num_parameters());
};

}  // namespace

TEST_CASE("the monitor evaluates at version 0 and on its schedule") {
  Fixture f;
  algo::Monitor monitor(f.sim, f.net, f.test, f.spec, {0, 0.0, 100, 0.0}, {3, 0}, 1000);
  for (int v = 0; v <= 7; ++v) CHECK_FALSE(monitor.on_update(v, v == 0 ? 0 : 10, f.params));
  monitor.finish("no_more_events");
  std::vector<std::int64_t> steps;
  for (const auto& row : monitor.rows()) steps.push_back(row.step);
  CHECK(steps == std::vector<std::int64_t>{0, 3, 6, 7});  // 7: the final model
  CHECK(monitor.totals().stop_reason == "no_more_events");
  CHECK(monitor.totals().samples == 70);
  // An all-zero model predicts class 0 for everything (first on ties).
  std::int64_t zeros = 0;
  for (auto label : f.test.labels) zeros += label == 0;
  CHECK(monitor.rows().back().test_accuracy == Approx(zeros / 100.0));
}

TEST_CASE("the monitor stops at the step and epoch limits") {
  SECTION("steps") {
    Fixture f;
    algo::Monitor monitor(f.sim, f.net, f.test, f.spec, {0, 0.0, 4, 0.0}, {}, 1000);
    for (int v = 0; v < 4; ++v) CHECK_FALSE(monitor.on_update(v, 1, f.params));
    CHECK(monitor.on_update(4, 1, f.params));
    CHECK(f.sim.stop_requested());
    monitor.finish("ignored");
    CHECK(monitor.totals().stop_reason == "steps");
    CHECK(monitor.rows().back().step == 4);
  }
  SECTION("epochs") {
    Fixture f;
    algo::Monitor monitor(f.sim, f.net, f.test, f.spec, {0, 1.5, 0, 0.0}, {}, 100);
    CHECK_FALSE(monitor.on_update(0, 0, f.params));
    CHECK_FALSE(monitor.on_update(1, 100, f.params));
    CHECK(monitor.on_update(2, 50, f.params));
    monitor.finish("ignored");
    CHECK(monitor.totals().stop_reason == "epochs");
    CHECK(monitor.totals().epochs == Approx(1.5));
  }
}

TEST_CASE("staleness statistics use nearest-rank percentiles") {
  Fixture f;
  algo::Monitor monitor(f.sim, f.net, f.test, f.spec, {0, 0.0, 100, 0.0}, {}, 1000);
  monitor.on_update(0, 0, f.params);
  // 100 updates: staleness 0 x 50, 1 x 45, 2 x 4, 9 x 1.
  for (int i = 0; i < 50; ++i) monitor.record_applied(0);
  for (int i = 0; i < 45; ++i) monitor.record_applied(1);
  for (int i = 0; i < 4; ++i) monitor.record_applied(2);
  monitor.record_applied(9);
  monitor.record_dropped(3);
  monitor.on_update(1, 100, f.params);
  monitor.finish("done");
  const auto& t = monitor.totals();
  CHECK(*t.staleness_p50 == 0);
  CHECK(*t.staleness_p99 == 2);
  CHECK(*t.staleness_max == 9);
  CHECK(*t.staleness_mean == Approx((45 + 8 + 9) / 100.0));
  CHECK(t.updates_applied == 100);
  CHECK(t.updates_dropped == 3);
  CHECK(*monitor.rows().back().staleness_max == 9);
}
