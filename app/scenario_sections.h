// The sections of a scenario file, one loader each: app/scenario_loader.cpp
// reads the root and calls them in order. Internal to app/ (tests use
// load_scenario). Each checks its own block and reports problems as a
// ScenarioError at the offending key, as ConfigNode does.
#pragma once

#include <string>
#include <vector>

#include "app/config_node.h"
#include "run/scenario.h"

namespace app::section {

// Where `node` is, under the key path `path` (which may differ from node.path()).
inline SourceLocation location(const ConfigNode& node, const std::string& path) {
  return SourceLocation{node.file(), node.line(), node.column(), path};
}

// ---- The cluster and its network (scenario_cluster.cpp).
std::vector<NodeGroup> load_cluster(const ConfigNode& cluster);
TopologySpec load_topology(const ConfigNode& node);
// Explicit links name cluster nodes or switches, each name used once; no
// link joins a node to itself, and every cluster node reaches every other.
// REQUIRES: s.groups and s.topology loaded from the same document.
void check_topology_hosts(const ConfigNode& topo, const Scenario& s);
// A group's own `link` replaces host links, which only star and tree have.
void check_group_links(const ConfigNode& cluster, const Scenario& s);

// ---- The network's calibration (scenario_calibration.cpp).
// Reads bandwidth_efficiency (0 < e <= 1) and message_overhead (0 to 1min)
// into spec.calibration; absent keys leave it off.
void load_calibration(const ConfigNode& topo, TopologySpec& spec);
// An efficiency below 1 must leave every link, host links, uplinks and group
// links alike, at least 1kbps. REQUIRES: s.groups and s.topology loaded.
void check_calibration(const ConfigNode& topo, const Scenario& s);

// ---- What is learned, and for how long (scenario_training.cpp).
DataSpec load_data(const ConfigNode& node);
// Sets layers_at to where the layer widths were given (or the model block).
ml::MlpSpec load_model(const ConfigNode& node, SourceLocation& layers_at);
// `model: {profile: ...}` (scenario_profile.cpp): sets s.profile, s.device
// and s.model_layers_at (the profile key). A CSV profile's errors name the
// CSV file, line, column and column name.
void load_profile(const ConfigNode& model, Scenario& s);
// A profile needs math: none and synthetic data (which only sets the
// sample count). REQUIRES: the whole scenario loaded.
void check_profile_run(const ConfigNode& root, const Scenario& s);
// `optimizer:`, its keys set on `base` (the defaults, or for an algorithm's
// own `optimizer:` the scenario's); naming another kind starts from that
// kind's defaults.
OptimizerSpec load_optimizer(const ConfigNode& node, const OptimizerSpec& base = {});
algo::StopCondition load_stop(const ConfigNode& node);
algo::EvalSchedule load_eval(const ConfigNode& node);
// The model's first and last widths fit the data's features and classes
// (when known before loading the data); errors name s.model_layers_at.
void check_model_against_data(const Scenario& s);
// Synthetic data (its size known before the run), and any train_samples
// cap, leave a sample for every part the partition makes: each participant
// of every algorithm, times shards_per_client under `partition: shards`.
// Errors name data.samples or data.train_samples.
void check_samples_per_participant(const ConfigNode& data, const Scenario& s);

// An elastic all-reduce whose timeout is shorter than the least time one
// all-reduce of the model can take would abort and re-form forever: each
// rank must send at least (N - 1) / N of the model over its own link.
void check_elastic_timeouts(const Scenario& s);
// idx and fashion-mnist: reads the images files' headers (never their
// features) and the labels files whole, and checks them (magic, element
// type, dimensions, sizes, labels in range, label count = image count,
// non-empty sets, train and test of one shape) and against the model's
// widths (features; classes = largest label + 1) and the train/test_samples
// caps; records the counts, features and element size in s.data. Errors name the data file (and
// byte offset) at data.path, or model.layers / data.*_samples.
void check_data_files(const ConfigNode& data, Scenario& s);

// ---- Services that run beside the algorithm (scenario_services.cpp).
ClockSyncSpec load_clock_sync(const ConfigNode& node, const std::vector<NodeGroup>& groups);
FailureDetectorSpec load_failure_detector(const ConfigNode& node,
                                          const std::vector<NodeGroup>& groups);

}  // namespace app::section
