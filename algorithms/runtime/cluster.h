// The simulated machines an algorithm runs on, as the scenario declared them.
#pragma once

#include <string>
#include <vector>

#include "sim/distribution.h"
#include "topology/topology.h"

namespace algo {

struct Node {
  std::string name;            // "server", "worker3": also its host's name in the topology
  topology::NodeId host = -1;  // where it sits in the network
  double flop_rate = 0.0;      // FLOP/s of its compute device; > 0
  sim::Distribution straggler =
      sim::Distribution::constant_value(1.0);  // per-step slowdown factor, > 0
  // Straggler episodes (faults): the node's current extra slowdown factor,
  // owned by the fault injector; null: none. Read when a computation starts.
  const double* episode_slowdown = nullptr;
  // A Byzantine node whose attack is label flipping (algorithms/robust/
  // attack.h): it trains on the label K - 1 - y for every label y.
  bool flips_labels = false;
};

}  // namespace algo
