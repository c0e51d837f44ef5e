// The network's calibration (topology/calibration.h) against closed forms:
// a lone transfer takes overhead + route latency + bytes / (efficiency x
// bottleneck bandwidth); the efficiency scales every link, uplinks too; the
// overhead is paid once per message, however often the rates are re-solved;
// and the defaults leave every time exactly as it was.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "host_names.h"
#include "sim/simulator.h"
#include "topology/builders.h"
#include "topology/network.h"

using namespace sim::literals;
using topology::Calibration;
using topology::LinkParams;
using topology::Network;
using topology::Topology;

namespace {

constexpr double kBandwidth = 1.25e9;  // 10 Gb/s

struct Arrival {
  sim::Simulator* sim;
  sim::Time at = -1;
  std::function<void()> callback() {
    return [this] { at = sim->now(); };
  }
};

}  // namespace

TEST_CASE("a calibrated transfer alone takes overhead + latency + bytes / (efficiency x B)",
          "[network][calibration]") {
  const double bytes = GENERATE(1.0, 4096.0, 1e6, 3e9);
  const double efficiency = GENERATE(1.0, 0.95, 0.5, 0.123);
  const sim::Time overhead = GENERATE(sim::Time{0}, sim::Time{1}, 30_us);
  INFO(bytes << " bytes, efficiency " << efficiency << ", overhead " << overhead << " ns");
  sim::Simulator sim;
  const Topology t = topology::build_star(host_names(3), LinkParams{kBandwidth, 7_us});
  Network net(sim, t, Calibration{efficiency, overhead});
  Arrival arrival{&sim};
  const auto id = net.start_transfer(0, 2, bytes, arrival.callback());
  CHECK(net.flow_rate(id) == efficiency * kBandwidth);
  sim.run();
  CHECK(arrival.at == overhead + 14_us + sim::from_seconds(bytes / (efficiency * kBandwidth)));
}

TEST_CASE("the default calibration gives exactly the uncalibrated times",
          "[network][calibration]") {
  const double bytes = GENERATE(1.0, 12345.678, 3e9);
  sim::Simulator sim;
  const Topology t = topology::build_star(host_names(3), LinkParams{kBandwidth, 7_us});
  Network net(sim, t, Calibration{1.0, 0});
  Arrival arrival{&sim};
  net.start_transfer(0, 2, bytes, arrival.callback());
  sim.run();
  CHECK(arrival.at == 14_us + sim::from_seconds(bytes / kBandwidth));
}

TEST_CASE("the efficiency scales uplinks as it scales host links", "[network][calibration]") {
  // Two racks of two hosts, uplinks of 2 x B / 4 = B / 2: a cross-rack
  // transfer is bottlenecked by the uplink, whose capacity is scaled too.
  topology::TreeParams p;
  p.hosts_per_rack = 2;
  p.host_link = LinkParams{kBandwidth, 1_us};
  p.uplink_latency = 3_us;
  p.oversubscription = 4.0;
  const Topology t = topology::build_two_level_tree(host_names(4), p);
  sim::Simulator sim;
  Network net(sim, t, Calibration{0.8, 5_us});
  Arrival arrival{&sim};
  const auto id = net.start_transfer(0, 3, 1e6, arrival.callback());
  const double uplink = 2 * kBandwidth / 4.0;
  CHECK(net.flow_rate(id) == uplink * 0.8);
  sim.run();
  // Host link, uplink, uplink, host link.
  CHECK(arrival.at == 5_us + 1_us + 3_us + 3_us + 1_us + sim::from_seconds(1e6 / (uplink * 0.8)));
}

TEST_CASE("flows sharing a calibrated link split efficiency x B", "[network][calibration]") {
  sim::Simulator sim;
  const Topology t = topology::build_star(host_names(3), LinkParams{kBandwidth, 1_us});
  Network net(sim, t, Calibration{0.9, 0});
  const auto a = net.start_transfer(0, 1, 1e6, [] {});
  const auto b = net.start_transfer(0, 2, 1e6, [] {});
  CHECK(net.flow_rate(a) == 0.9 * kBandwidth / 2);
  CHECK(net.flow_rate(b) == 0.9 * kBandwidth / 2);
  sim.run();
}

TEST_CASE("the overhead is paid once per message, not once per re-solve",
          "[network][calibration]") {
  // A (a bytes) starts alone at 0; B (b bytes) starts at t1 on the same
  // sender link; they share C = efficiency x B until B drains at
  // t1 + 2b / C; then A drains alone, its last byte leaving at (a + b) / C.
  const double efficiency = 0.75, c = efficiency * kBandwidth;
  const double a = 4e6, b = 1e6;
  const sim::Time t1 = 1_ms, overhead = 30_us, latency = 2_us;
  sim::Simulator sim;
  const Topology t = topology::build_star(host_names(3), LinkParams{kBandwidth, 1_us});
  Network net(sim, t, Calibration{efficiency, overhead});
  Arrival first{&sim}, second{&sim};
  net.start_transfer(0, 1, a, first.callback());
  sim.run_until(t1);
  net.start_transfer(0, 2, b, second.callback());
  sim.run();
  const double b_end = sim::to_seconds(t1) + 2 * b / c;
  const double a_end = (a + b) / c;
  // Each rate change rounds a drain end to the nanosecond once.
  CHECK(std::abs(second.at - (sim::from_seconds(b_end) + latency + overhead)) <= 2);
  CHECK(std::abs(first.at - (sim::from_seconds(a_end) + latency + overhead)) <= 3);
}

TEST_CASE("empty and local messages under a calibration", "[network][calibration]") {
  sim::Simulator sim;
  const Topology t = topology::build_star(host_names(2), LinkParams{kBandwidth, 4_us});
  Network net(sim, t, Calibration{0.5, 30_us});
  SECTION("an empty message pays the latency and the overhead") {
    Arrival arrival{&sim};
    net.start_transfer(0, 1, 0.0, arrival.callback());
    sim.run();
    CHECK(arrival.at == 8_us + 30_us);
  }
  SECTION("a message to itself never leaves its host: no overhead") {
    Arrival arrival{&sim};
    net.start_transfer(1, 1, 1e6, arrival.callback());
    sim.run();
    CHECK(arrival.at == 0);
  }
}

TEST_CASE("a bandwidth fault scales the calibrated capacity", "[network][calibration]") {
  sim::Simulator sim;
  const Topology t = topology::build_star(host_names(2), LinkParams{kBandwidth, 1_us});
  Network net(sim, t, Calibration{0.5, 0});
  net.set_link_bandwidth_factor(0, 0.25);
  const auto id = net.start_transfer(0, 1, 1e6, [] {});
  CHECK(net.flow_rate(id) == kBandwidth * 0.25 * 0.5);
  sim.run();
}

TEST_CASE("a calibration out of range is refused", "[network][calibration]") {
  sim::Simulator sim;
  const Topology t = topology::build_star(host_names(2), LinkParams{kBandwidth, 1_us});
  SECTION("efficiency") {
    const double bad = GENERATE(0.0, -0.5, 1.5, std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::infinity());
    CHECK_THROWS_AS(Network(sim, t, Calibration{bad, 0}), std::invalid_argument);
  }
  SECTION("overhead") {
    CHECK_THROWS_AS(Network(sim, t, Calibration{1.0, -1}), std::invalid_argument);
  }
}
