// The robust aggregation rules' entries for `aggregator:` (plugin_registry.cpp
// lists them) and the Byzantine nodes' `byzantine:` key of a cluster group:
// how each is read and validated, and how a server's aggregator is wrapped
// so that attackers' contributions reach it (docs/robustness-and-privacy.md).
#pragma once

#include <optional>
#include <vector>

#include "algorithms/robust/attack.h"
#include "algorithms/runtime/aggregator.h"
#include "app/config_node.h"
#include "run/scenario.h"

namespace app {

// `aggregator:` parse functions (PluginEntry::parse).
algo::AggregatorFactory parse_median(const ConfigNode& node);
algo::AggregatorFactory parse_trimmed_mean(const ConfigNode& node);
algo::AggregatorFactory parse_krum(const ConfigNode& node);
algo::AggregatorFactory parse_multi_krum(const ConfigNode& node);
algo::AggregatorFactory parse_geometric_median(const ConfigNode& node);
algo::AggregatorFactory parse_centered_clipping(const ConfigNode& node);

// A group's `byzantine:` value: a kind name, or a map with `kind` and the
// kind's keys; `none` (honest, for sweeps over attacks) gives nullopt.
std::optional<algo::AttackSpec> load_attack(const ConfigNode& node);

// The aggregator a server of `participants` (node indices, in position
// order) uses: `rule` itself when every participant is honest and the rule
// is not robust (so honest runs keep their exact arithmetic), else `rule`
// inside a ByzantineAggregation that applies the attacks and counts.
// `relative`: contributions are models (FedAvg), attacks act on updates.
algo::AggregatorFactory with_byzantine(algo::AggregatorFactory rule,
                                       const std::vector<int>& participants,
                                       const std::vector<NodeGroup>& groups, bool relative);

// Attacks on contributions need a server's aggregation: a group with one
// (any kind but label_flip) is an error, at its `byzantine` key, in a
// scenario that runs an algorithm without one (all-reduce, local SGD, gossip).
void check_byzantine_algorithms(const ConfigNode& cluster, const Scenario& s);

}  // namespace app
