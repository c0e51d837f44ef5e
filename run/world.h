// Builds the parts of a run from a checked Scenario: the network topology, the
// simulated nodes and the datasets. Kept apart from the runner so tests can
// build a world and drive an algorithm by hand.
#pragma once

#include <vector>

#include "algorithms/ml/dataset.h"
#include "algorithms/runtime/cluster.h"
#include "run/scenario.h"
#include "topology/topology.h"

namespace syncsim {

// Hosts are the scenario's nodes in group order, so node i is host i.
topology::Topology build_topology(const Scenario& s);

// One Node per scenario node, in group order, placed on `topo`'s hosts.
std::vector<algo::Node> build_nodes(const Scenario& s, const topology::Topology& topo);

struct Datasets {
  ml::Dataset train;
  ml::Dataset test;
};
// Loads (or generates) the data and checks it against the model's widths.
// Throws ml::DataError for unusable files, ScenarioError (at model.layers or
// data.*) for a mismatch with the scenario.
Datasets load_datasets(const Scenario& s);

}  // namespace syncsim
