// Reads and validates a scenario file. Every problem is reported as a
// ScenarioError naming file:line:column and the key path, before anything runs.
#pragma once

#include <string>

#include "app/config_node.h"
#include "run/scenario.h"

namespace app {

// Throws ScenarioError on any problem: unreadable file, YAML syntax, missing or
// unknown keys (with a did-you-mean), wrong types, bad units, out-of-range
// values, references to groups or hosts that do not exist.
Scenario load_scenario(const std::string& path);
// The most `replicates:` (and --replicates) a scenario may ask for.
inline constexpr int kMaxReplicates = 1000;
Scenario load_scenario_string(const std::string& yaml, const std::string& pseudo_file);
// The same checks on a document already parsed: sweeps (app/sweep_plan.h)
// edit the tree of each point, then load it here. A `sweep:` block at the
// root is accepted and ignored: it belongs to the sweep, not to one run.
Scenario load_scenario_root(const ConfigNode& root);

// What the arguments of a distribution are: plain numbers, or durations with
// units ("uniform(-5ms, 5ms)", "normal(0s, 1us)", "2ms"), which may be
// negative and are stored in seconds.
enum class DistributionUnit { number, duration };

// "lognormal(0, 0.1)", "uniform(1, 1.5)", "normal(0, 50)", "exponential(2)"
// or a plain number, at `node` (errors name its location).
sim::Distribution parse_distribution(const ConfigNode& node,
                                     DistributionUnit unit = DistributionUnit::number);

}  // namespace app
