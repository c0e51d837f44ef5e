#include <catch2/catch.hpp>

#include "algorithms/runtime/compute_model.h"

TEST_CASE("compute time is FLOPs over FLOP/s times the straggler factor") {
  algo::Node node{"worker0", 0, 50e9, sim::Distribution::constant_value(1.0)};
  SECTION("no straggling") {
    algo::ComputeModel model(node, 1);
    CHECK(model.duration(1e9) == sim::milliseconds(20));
  }
  SECTION("a constant slowdown") {
    node.straggler = sim::Distribution::constant_value(2.5);
    algo::ComputeModel model(node, 1);
    CHECK(model.duration(1e9) == sim::milliseconds(50));
  }
  SECTION("random slowdowns are seeded per node") {
    node.straggler = {sim::Distribution::Kind::lognormal, 0.0, 0.3};
    algo::ComputeModel a(node, 7), b(node, 7), c(node, 8);
    bool any_differs_from_other_seed = false;
    for (int i = 0; i < 10; ++i) {
      const sim::Time ta = a.duration(1e9);
      CHECK(ta == b.duration(1e9));
      any_differs_from_other_seed |= ta != c.duration(1e9);
      CHECK(ta > 0);
    }
    CHECK(any_differs_from_other_seed);
  }
}
