// `faults: - random: {...}`: faults drawn from seeded rates, one kind per
// entry, expanded at load time into timed algo::Faults.
//
//   - random: {crash_rate: 0.1, mean_downtime: 1s, nodes: worker, until: 10s}
//   - random: {link_down_rate: 0.2, mean_downtime: 100ms, links: [tor0, spine]}
//   - random: {degrade_rate: 0.5, mean_duration: 200ms, factor: 0.25, links: worker0}
//   - random: {partition_rate: 0.2, mean_duration: 300ms, size: 1, nodes: worker}
//   - random: {straggle_rate: 1, mean_duration: 50ms, factor: 3, nodes: worker}
//   - random: {loss_rate: 0.5, mean_duration: 100ms, probability: 0.2, links: worker1}
//
// For each target (a node of `nodes`, default every node; a link of `links`,
// same names as link_down, default every link), episodes start as a Poisson
// process of `<kind>_rate` per target per second of simulated time, each
// lasting an exponential time of mean `mean_downtime` (crash, link_down) or
// `mean_duration` (the others); the next one is drawn from the end of the
// last, up to `until` (default stop.sim_time, required then). A partition
// has one process for the whole run: each episode cuts off `size` nodes
// (default 1) drawn uniformly from `nodes` into a group of their own.
//
// Each entry draws from its own streams: (seed, target name, "fault-<kind>")
// for the first entry of a kind, "fault-<kind>-<k>" for the k-th after it
// (a partition's target name is "partition"). Adding an entry of one kind
// therefore never moves the events another entry draws.
//
// Bad values fail at their key: rates and means must be > 0; an entry whose
// expected number of episodes (rate x targets x until in seconds) passes
// kMaxRandomFaults is refused, so an absurd rate cannot exhaust memory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "algorithms/services/fault_injector.h"
#include "app/config_node.h"
#include "app/fault_names.h"
#include "run/scenario.h"

namespace app {

inline constexpr double kMaxRandomFaults = 100'000;  // expected episodes per entry

// What earlier random entries of the scenario used: entries per kind (for
// the stream names) and the partition groups handed out.
struct RandomEntries {
  std::map<std::string, int> per_kind;
  int* partitions = nullptr;  // the loader's partition group counter
};

// Appends the faults `node` (the map under `random:`) draws to `out`.
void load_random_faults(const ConfigNode& node, const Scenario& s, const Names& names,
                        RandomEntries& entries, std::vector<algo::Fault>& out);

}  // namespace app
