// How long a node takes to compute: FLOPs / FLOP/s, times a slowdown factor
// drawn per step from the node's straggler distribution (its own seeded
// stream, so one node's draws never shift another's), times the node's
// straggler-episode factor if a fault injector set one (Node::episode_slowdown).
#pragma once

#include <cstdint>

#include "algorithms/runtime/cluster.h"
#include "sim/random.h"
#include "sim/simulator.h"
#include "sim/time.h"
#include "topology/network.h"

namespace algo {

class ComputeModel {
 public:
  // REQUIRES: node.flop_rate > 0 and node.straggler.always_positive() (checked by the loader).
  ComputeModel(const Node& node, std::uint64_t root_seed);

  // Simulated time of a job of `flops` floating-point operations, one
  // straggler draw per call.
  sim::Time duration(double flops);
  // `co_await compute.run(net, flops)`: sleeps for duration(flops) and, if the
  // network carries a Recorder, records it as a compute span of this node.
  sim::Simulator::SleepAwaiter run(topology::Network& net, double flops);

  // A step timed in parts (a layer profile's forward pass, then its
  // backward pass bucket by bucket) takes one straggler draw for all of
  // them: factor() draws it, time_at() times a part with it, and
  // run_for() sleeps a part's time, recorded as a span named `label`.
  // duration(flops) is time_at(flops, factor()).
  double factor();
  sim::Time time_at(double flops, double factor) const;
  sim::Simulator::SleepAwaiter run_for(topology::Network& net, sim::Time d, const char* label);

 private:
  topology::NodeId host_;
  double flop_rate_;
  sim::Distribution straggler_;
  sim::RandomStream stream_;
  const double* episode_slowdown_;
};

}  // namespace algo
