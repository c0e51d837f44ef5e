// The device keys of FedAvg and the strategies built on it (availability
// schedules, device tiers, over-selection, selection policy): read into an
// algo::FlDevicesConfig, every trace file checked when the scenario loads.
#pragma once

#include <string>
#include <vector>

#include "algorithms/sync/fl_devices.h"
#include "app/config_node.h"
#include "app/uses_syncsim.h"
#include "run/scenario.h"

namespace app {

// `clients`: the clients' node indices (cluster order) whose names a trace's
// `client` column uses. Fails (file:line:col) on any bad key or trace row.
algo::FlDevicesConfig load_fl_devices(const ConfigNode& node, const std::vector<int>& clients,
                                      const std::vector<NodeGroup>& groups);

// `holdout`: the fraction of each client's shard kept out of training for
// clients.csv's accuracy, in [0, 0.9]; 0 when absent.
double load_holdout(const ConfigNode& node);

}  // namespace app
