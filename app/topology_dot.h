// `syncsim topology --dot`: a scenario's network as a Graphviz picture that
// stays readable at scale.
#pragma once

#include <ostream>

#include "run/scenario.h"
#include "topology/topology.h"

namespace app {

// Writes `topo` (built from `s`) as an undirected DOT graph:
// - each rack (a switch with its hosts) is a cluster whose label carries the
//   hosts' common link, so identical links are labelled once, not per edge;
// - a rack's hosts sit in rows of at most kDotRowWidth (invisible edges stack
//   the rows), so a 50-host star is a block, not a 10,000-pixel strip;
// - switch-to-switch links and links that differ from their rack's are
//   labelled on the edge; a network without switches (ring) is drawn in a
//   circle (layout=circo);
// - bandwidths are in the family the scenario used: Gbps for bits, GB/s for
//   bytes.
void write_topology_dot(std::ostream& out, const syncsim::Scenario& s,
                        const topology::Topology& topo);

inline constexpr int kDotRowWidth = 10;

}  // namespace app
