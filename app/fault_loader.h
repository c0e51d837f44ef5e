// `faults:` in a scenario: a list of timed faults, and random ones drawn from
// seeded rates, checked against the cluster and topology and resolved to
// host and link ids (for algo::FaultInjector).
//
//   faults:
//     - {at: 2s, crash: worker3, for: 1s}          # node, group, rack<k>, or a list
//     - {at: 1s, link_down: [worker0, switch], for: 500ms}  # the links joining two nodes
//     - {at: 1s, link_down: worker0, for: 500ms}   # every link of a node
//     - {at: 1s, degrade: [tor1, spine], factor: 0.1, for: 2s}
//     - {at: 3s, partition: rack1, for: 2s}
//     - {at: 0s, straggle: worker2, factor: 4, for: 2s}
//     - {link: [worker1, switch], loss: 0.01}      # from `at` (default 0) on
//     - random: {crash_rate: 0.1, mean_downtime: 1s, nodes: worker, until: 10s}
//
// `for` absent or 0: the fault is permanent. `random:` entries (crash,
// link_down, degrade, partition, straggle and loss episodes at seeded rates)
// are described and drawn in random_faults.h.
#pragma once

#include <vector>

#include "algorithms/services/fault_injector.h"
#include "app/config_node.h"
#include "run/scenario.h"

namespace app {

// REQUIRES: s has its cluster, topology, stop and seed loaded. Throws
// ScenarioError at the offending key.
std::vector<algo::Fault> load_faults(const ConfigNode& node, const Scenario& s);

}  // namespace app
