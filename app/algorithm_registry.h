// The algorithms a scenario can name, and how `algorithm:` is read for each.
//
// Each algorithm has its own parse function (app/algorithm_<family>.cpp) that
// validates its keys against the scenario's cluster and returns an
// AlgorithmChoice: a builder with every parameter already resolved, so a
// scenario that loads can always be run.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "app/config_node.h"
#include "run/scenario.h"

namespace app {

using AlgorithmParser = AlgorithmChoice (*)(const ConfigNode& node,
                                            const std::vector<NodeGroup>& groups);

struct AlgorithmEntry {
  const char* kind;
  AlgorithmParser parse;
};

// Every algorithm, in the order error messages list them.
const std::vector<AlgorithmEntry>& algorithm_registry();

// Reads `algorithm:` (its `kind`, an optional `label`, then the kind's own
// keys: every parse function accepts "kind" and "label" in check_keys).
// The keys every kind takes (the schema's "algorithm.overrides") are read here and
// hidden from the parse function: `optimizer:` sets this algorithm's own
// optimizer, its keys on top of `scenario_optimizer` (the scenario's).
AlgorithmChoice load_algorithm(const ConfigNode& node, const std::vector<NodeGroup>& groups,
                               const OptimizerSpec& scenario_optimizer = {});

// ---- Helpers shared by the parse functions.

// The indices (into the scenario's node list) of the nodes of the group(s)
// named by `key`: one name or a list of names (or `fallback` when the key is
// absent), in the cluster's node order; errors name the key, with a
// did-you-mean over the group names.
std::vector<int> group_nodes(const ConfigNode& node, const std::string& key,
                             const std::string& fallback, const std::vector<NodeGroup>& groups);

// `batch_size` (default 32), 1 ... 1,000,000.
int batch_size(const ConfigNode& node);

// `assignment`: equal (default), random or capacity.
algo::AssignmentPolicy assignment_policy(const ConfigNode& node);

// Parse functions, one per algorithm (defined in app/algorithm_<family>.cpp).
AlgorithmChoice parse_ps_sync(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_allreduce_ring(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_allreduce_tree(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_allreduce_hierarchical(const ConfigNode& node,
                                             const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_local_sgd(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_ps_async(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_ps_ssp(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_gossip(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_fedavg(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_fedprox(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_scaffold(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_fedbuff(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_fedasync(const ConfigNode& node, const std::vector<NodeGroup>& groups);
AlgorithmChoice parse_hierfl(const ConfigNode& node, const std::vector<NodeGroup>& groups);

}  // namespace app
