// Network solver throughput: flow starts + ends per wall second while a fixed
// number of flows are always in flight. Each of N slots is a
// process that moves a message between two random hosts and starts the next
// one the moment it is delivered, so flows start and end continuously and
// every start and end re-solves the max-min rates of the flows it touches.
//
// The network is a two-level tree of 1,024 hosts in 32 racks, uplinks 4:1
// oversubscribed, so nearly every flow crosses a shared uplink and the flows
// form one big sharing component (the solver's worst case; an all-to-all).
// A counter also reports heap allocations per transfer (counting_new.h). The
// routes of all host pairs are computed before the run: the first transfer
// between two hosts computes and caches its route (that allocates), and with
// random pairs among 1,024 hosts that warm-up would outlast the measurement.
//
// Run: build/release/bench/bench_network --benchmark_repetitions=3
//      --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "counting_new.h"
#include "sim/random.h"
#include "sim/simulator.h"
#include "topology/builders.h"
#include "topology/network.h"

namespace {

using namespace sim::literals;

topology::Topology tree(int hosts) {
  std::vector<std::string> names;
  for (int i = 0; i < hosts; ++i) names.push_back("h" + std::to_string(i));
  topology::TreeParams p;
  p.hosts_per_rack = 32;
  p.host_link = {10e9 / 8, 1_us};  // 10 Gb/s
  p.uplink_latency = 2_us;
  p.oversubscription = 4.0;
  return topology::build_two_level_tree(names, p);
}

// Messages of 64 KB .. 1 MB between random distinct hosts, forever.
sim::Task slot(topology::Network& net, int hosts, std::uint64_t seed) {
  sim::RandomStream random(seed);
  for (;;) {
    const auto src = static_cast<topology::NodeId>(random.below(hosts));
    auto dst = static_cast<topology::NodeId>(random.below(hosts - 1));
    if (dst >= src) ++dst;
    co_await net.transfer(src, dst, random.uniform(64e3, 1e6));
  }
}

void BM_ConcurrentFlows(benchmark::State& state) {
  const int flows = static_cast<int>(state.range(0));
  const int hosts = 1024;
  const topology::Topology topo = tree(hosts);
  sim::Simulator sim;
  topology::Network net(sim, topo);
  for (topology::NodeId a = 0; a < hosts; ++a) {
    for (topology::NodeId b = 0; b < hosts; ++b) net.routing().route(a, b);
  }
  for (int i = 0; i < flows; ++i) sim.spawn(slot(net, hosts, 1000 + i));
  // Warm-up: 1,000 deliveries (the flows all started at once; the arrival
  // times spread out after that, and buffers grow to their working sizes).
  const std::uint64_t per_iteration = 100;
  while (net.transfers_completed() < 1000) sim.step();

  std::uint64_t target = net.transfers_completed();
  const std::uint64_t first = target;
  const std::uint64_t allocations_before = perf::heap_allocations();
  for (auto _ : state) {
    target += per_iteration;
    while (net.transfers_completed() < target) sim.step();
  }
  const auto transfers = static_cast<double>(net.transfers_completed() - first);
  // A transfer is one start and one end.
  state.SetItemsProcessed(static_cast<std::int64_t>(2 * transfers));
  state.counters["in_flight"] = static_cast<double>(net.active_flows());
  state.counters["allocs_per_transfer"] =
      static_cast<double>(perf::heap_allocations() - allocations_before) / transfers;
}
BENCHMARK(BM_ConcurrentFlows)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
