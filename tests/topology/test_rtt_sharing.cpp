// Latency-weighted sharing (Network::Sharing::rtt, SimGrid CM02's weighting)
// against closed forms: the weighted max-min solver on textbook cases, and
// two flows of different path latencies on one link of a star.
#include <catch2/catch.hpp>
#include <vector>

#include "sim/simulator.h"
#include "topology/builders.h"
#include "topology/max_min.h"
#include "topology/network.h"

using topology::max_min_rates;

TEST_CASE("weighted max-min splits a bottleneck in proportion to the weights", "[max_min]") {
  SECTION("one channel of 12, weights 1, 2, 3 -> 2, 4, 6") {
    CHECK(max_min_rates({12.0}, {{0}, {0}, {0}}, {1.0, 2.0, 3.0}) ==
          std::vector<double>{2.0, 4.0, 6.0});
  }
  SECTION("the bottleneck is the channel of least capacity per unit of weight") {
    // c0 = 10 holds f0 (w 1) and f1 (w 1): 5 per unit; c1 = 6 holds f0 (w 1)
    // and f2 (w 2): 2 per unit, the bottleneck: f0 = 2, f2 = 4; then f1
    // gets what c0 has left, 8.
    CHECK(max_min_rates({10.0, 6.0}, {{0, 1}, {0}, {1}}, {1.0, 1.0, 2.0}) ==
          std::vector<double>{2.0, 8.0, 4.0});
  }
  SECTION("all weights 1 give the unweighted rates, bit for bit") {
    const std::vector<double> capacity = {3.0, 7.0, 1.25, 9.5};
    const std::vector<std::vector<int>> flows = {{0, 1}, {1, 2}, {2, 3}, {0, 3}, {1}, {3, 0, 2}};
    CHECK(max_min_rates(capacity, flows, std::vector<double>(flows.size(), 1.0)) ==
          max_min_rates(capacity, flows));
  }
}

// A star: a's link has latency 5 us, b's 25 us, d's 5 us; a and b have
// 100 Gb/s links, d 8 Gb/s (B = 1e9 B/s): a -> d (path latency 10 us) and
// b -> d (30 us) share d's incoming channel. rtt: weights 1/10 : 1/30 =
// 3 : 1, so a drains at 3B/4 and b at B/4 while both drain. With S = 3 MB
// each, a drains in S / (3B/4) = 4 ms, when b has S/3 behind it and 2S/3
// left, which it drains alone at B in 2 ms: a arrives at 4 ms + 10 us, b at
// 6 ms + 30 us. Equal sharing: both at B/2 until 6 ms.
TEST_CASE(
    "with share rtt, two flows of different path latencies on one link get rates in "
    "inverse proportion to their latencies") {
  const auto sharing = GENERATE(topology::Network::Sharing::rtt, topology::Network::Sharing::equal);
  const double fast = 12.5e9, bottleneck = 1e9;
  topology::Topology topo =
      topology::build_star({"a", "b", "d"}, {{fast, 5'000}, {fast, 25'000}, {bottleneck, 5'000}});
  sim::Simulator sim;
  topology::Network net(sim, topo);
  net.set_sharing(sharing);
  const double bytes = 3e6;
  sim::Time a_at = -1, b_at = -1;
  const auto a =
      net.start_transfer(*topo.find("a"), *topo.find("d"), bytes, [&] { a_at = sim.now(); });
  const auto b =
      net.start_transfer(*topo.find("b"), *topo.find("d"), bytes, [&] { b_at = sim.now(); });
  if (sharing == topology::Network::Sharing::rtt) {
    CHECK(net.flow_rate(a) == Approx(0.75 * bottleneck).epsilon(1e-12));
    CHECK(net.flow_rate(b) == Approx(0.25 * bottleneck).epsilon(1e-12));
  } else {
    CHECK(net.flow_rate(a) == net.flow_rate(b));
  }
  sim.run();
  if (sharing == topology::Network::Sharing::rtt) {
    CHECK(a_at == 4'000'000 + 10'000);
    CHECK(b_at == 6'000'000 + 30'000);
  } else {
    CHECK(a_at == 6'000'000 + 10'000);
    CHECK(b_at == 6'000'000 + 30'000);
  }
}

TEST_CASE("with share rtt, a flow alone on its links still gets their full bandwidth") {
  topology::Topology topo = topology::build_star({"a", "b"}, {1e9, 7'000});
  sim::Simulator sim;
  topology::Network net(sim, topo);
  net.set_sharing(topology::Network::Sharing::rtt);
  sim::Time at = -1;
  net.start_transfer(*topo.find("a"), *topo.find("b"), 1e6, [&] { at = sim.now(); });
  sim.run();
  CHECK(at == 1'000'000 + 14'000);
}
