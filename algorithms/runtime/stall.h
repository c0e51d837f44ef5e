// What a stalled run waits for, in words, for summary.csv's status column
// (Algorithm::stall_reason): the nodes among `nodes` that crashed during the
// run ("worker2 (crashed)"), else what was lost on the way.
#pragma once

#include <string>
#include <vector>

#include "algorithms/runtime/cluster.h"
#include "topology/network.h"

namespace algo {

// "<what> waits for worker2 (crashed) and worker5 (crashed)", or "<what>
// waits for <otherwise>" if none of `nodes` crashed. No commas: one CSV cell.
inline std::string stall_waiting_for(const std::string& what, const topology::Network& net,
                                     const std::vector<Node>& nodes, const std::string& otherwise) {
  std::string crashed;
  for (const Node& node : nodes) {
    if (net.incarnation(node.host) == 0 && net.host_up(node.host)) continue;
    crashed += (crashed.empty() ? "" : " and ") + node.name + " (crashed)";
  }
  return what + " waits for " + (crashed.empty() ? otherwise : crashed);
}

}  // namespace algo
