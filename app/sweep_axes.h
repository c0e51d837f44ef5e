// Reading a `sweep:` block's axes (app/sweep_plan.h explains the block):
//
//   sweep:
//     topology.bandwidth: [1Gbps, 10Gbps]     # a dimension of its own
//     zip:                                     # axes that move together:
//       optimizer.lr: [0.1, 0.05, 0.02]        # one dimension, value i of
//       algorithm.batch_size: [16, 32, 64]     # each axis at its index i
//
// `zip:` is a map of axes of equal length, or a list of such maps (several
// groups, each a dimension). The dimensions cross as a cartesian product.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "app/config_node.h"
#include "app/sweep_plan.h"

namespace app {

// Every axis of `sweep` in file order (a zip group's axes in a row), each
// checked against `root`: its key path, its values, overlaps with other
// axes, equal lengths within a zip group. Throws ScenarioError at the axis.
std::vector<SweepAxis> read_sweep_axes(const ConfigNode& root, const ConfigNode& sweep);

// The value lists of the axes of `sweep`, in read_sweep_axes's order.
std::vector<YAML::Node> sweep_value_lists(const YAML::Node& sweep);

// Whether key path `path` is `prefix` or under it ("a.b[1]" is under "a.b").
bool is_under(const std::string& path, const std::string& prefix);

// Puts `value` at key path `segments` in `root` (whose keys but the last exist).
void apply_at_path(YAML::Node root, const std::vector<PathSegment>& segments,
                   const YAML::Node& value);

}  // namespace app
