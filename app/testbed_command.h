// syncsim testbed and syncsim calibrate (docs/testbed.md): a scenario's
// communication replayed on a real, shaped network of namespaces on this
// machine, and the network calibration fitted to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace app {

// syncsim testbed SCENARIO -o OUT: testbed.csv and testbed.svg in OUT.
// Exit 0, 2 (bad scenario, not root, no kernel support), 1 (the testbed
// failed), 128 + signal (interrupted; cleaned up).
int testbed_command(const std::string& scenario_path, const std::string& out_dir);

// syncsim calibrate SCENARIO -o OUT: one-way times of `sizes` bytes between
// the first two hosts (`repeats` each), the fitted keys as OUT/calibration.yaml,
// the points as OUT/calibration.csv, then the scenario's testbed run with the
// prediction before and after calibration (OUT/testbed.csv, testbed.svg).
int calibrate_command(const std::string& scenario_path, const std::string& out_dir,
                      const std::vector<std::int64_t>& sizes, int repeats);

// The hidden `syncsim testbed-node PLAN RANK` (app/testbed_node.h).
int testbed_node_command(const std::string& plan_file, int rank);

}  // namespace app
