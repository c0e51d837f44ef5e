// Issue #7: no heap allocation per network transfer in steady state. The
// routes are computed first (the first transfer between two hosts computes
// and caches its route, which allocates); then flows start and end
// continuously, sharing links, each start and end re-solving max-min rates,
// and a second stretch of at least 10^5 transfers must allocate nothing.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "counting_new.h"
#include "sim/random.h"
#include "sim/simulator.h"
#include "topology/builders.h"
#include "topology/network.h"

using namespace sim::literals;

namespace {

topology::Topology tree(int hosts) {
  std::vector<std::string> names;
  for (int i = 0; i < hosts; ++i) names.push_back("h" + std::to_string(i));
  topology::TreeParams p;
  p.hosts_per_rack = 8;
  p.host_link = {10e9 / 8, 1_us};
  p.uplink_latency = 2_us;
  p.oversubscription = 4.0;  // racks' uplinks are shared: one big sharing component
  return topology::build_two_level_tree(names, p);
}

// Messages of 1 KB .. 100 KB between random distinct hosts, forever.
sim::Task slot(topology::Network& net, int hosts, std::uint64_t seed) {
  sim::RandomStream random(seed);
  for (;;) {
    const auto src = static_cast<topology::NodeId>(random.below(hosts));
    auto dst = static_cast<topology::NodeId>(random.below(hosts - 1));
    if (dst >= src) ++dst;
    co_await net.transfer(src, dst, random.uniform(1e3, 1e5));
  }
}

// Every host sends to the next, over and over: equal flows that start and
// drain at the same instants (a ring all-reduce's pattern).
sim::Task ring_member(topology::Network& net, int hosts, topology::NodeId self) {
  for (;;) co_await net.transfer(self, (self + 1) % hosts, 64e3);
}

}  // namespace

TEST_CASE("a network transfer allocates nothing once routes are known and the run is warm") {
  const int hosts = 64;
  const topology::Topology topo = tree(hosts);
  sim::Simulator sim;
  topology::Network net(sim, topo);
  for (topology::NodeId a = 0; a < hosts; ++a) {
    for (topology::NodeId b = 0; b < hosts; ++b) net.routing().route(a, b);
  }
  const bool ring = GENERATE(false, true);
  if (ring) {
    for (topology::NodeId h = 0; h < hosts; ++h) sim.spawn(ring_member(net, hosts, h));
  } else {
    for (int i = 0; i < 100; ++i) sim.spawn(slot(net, hosts, 1000 + static_cast<std::uint64_t>(i)));
  }
  while (net.transfers_completed() < 20'000) sim.step();

  const std::uint64_t first = net.transfers_completed();
  const std::uint64_t before = perf::heap_allocations();
  while (net.transfers_completed() < first + 100'000) sim.step();
  const std::uint64_t allocations = perf::heap_allocations() - before;
  INFO((ring ? "ring" : "random pairs") << ": " << allocations << " allocations over "
                                        << net.transfers_completed() - first << " transfers");
  CHECK(allocations == 0);
  CHECK(net.active_flows() > 0);
}
