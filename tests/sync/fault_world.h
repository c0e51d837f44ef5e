// What the fault tests share: a star world with a fault injector, and the
// parameter-server set-ups they fault.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "algorithms/services/fault_injector.h"
#include "algorithms/sync/parameter_server.h"
#include "fault_helpers.h"
#include "star_world.h"

namespace fault_world {

using Fault = algo::Fault;
using fault_helpers::crash;

inline constexpr std::uint64_t kSeed = 5;
inline constexpr double kBandwidth = 1.25e9;
inline constexpr sim::Time kLatency = 5'000;

inline std::int64_t dropped_total(const algo::RunTotals& t) {
  std::int64_t sum = 0;
  for (const auto& [reason, count] : t.dropped_by_reason) sum += count;
  return sum;
}

// A star of `servers` + `workers` hosts with a fault injector.
struct FaultWorld : StarWorld {
  FaultWorld(std::vector<Host> hosts, algo::StopCondition stop)
      : StarWorld(hosts, {kBandwidth, kLatency}, synthetic(512, 3), synthetic(128, 4), small_mlp(),
                  ml::make_sgd({0.1f, 0.0f, 0.0f, false}), stop, {1, 0}, kSeed),
        slowdown(static_cast<std::size_t>(topo.node_count()), 1.0) {
    for (algo::Node& node : ctx.nodes) {
      node.episode_slowdown = &slowdown[static_cast<std::size_t>(node.host)];
    }
  }
  template <class A>
  A& start(std::unique_ptr<A> a, const std::vector<Fault>& faults) {
    A& launched = launch(std::move(a));
    injector = std::make_unique<algo::FaultInjector>(sim, *net, launched, slowdown, kSeed);
    injector->schedule(faults);
    return launched;
  }
  sim::Time time_of(std::int64_t version) const {
    for (const algo::MetricsRow& row : monitor->rows()) {
      if (row.step == version) return row.time;
    }
    FAIL("no row for version " << version);
    return -1;
  }

  std::vector<double> slowdown;
  std::unique_ptr<algo::FaultInjector> injector;
};

inline std::vector<StarWorld::Host> ps_hosts(int workers, double worker_flops) {
  std::vector<StarWorld::Host> hosts{{"server", 100e9}};
  for (int i = 0; i < workers; ++i) hosts.push_back({"worker" + std::to_string(i), worker_flops});
  return hosts;
}

inline algo::PsConfig ps_config(int workers) {
  algo::PsConfig config;
  config.server = 0;
  for (int i = 1; i <= workers; ++i) config.workers.push_back(i);
  config.batch_size = 8;
  return config;
}

}  // namespace fault_world
