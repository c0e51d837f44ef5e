// The graphs gossip mixes over: who is whose neighbour, and the
// Metropolis-Hastings mixing matrix of that graph.
//
// Workers are numbered 0..N-1 in the order of the gossip's worker group.
//   ring         i and i +- 1 (mod N)
//   complete     everyone
//   torus        a 2-D torus of dims {rows, columns}, rows x columns = N:
//                worker i sits at (i / columns, i mod columns) and talks to the
//                four cells up, down, left and right (wrapping around)
//   exponential  i and i +- 2^k (mod N) for every 2^k < N (the symmetric
//                exponential graph: O(log N) neighbours, O(log N) diameter)
//   edges        the undirected pairs given
//   topology     two workers whose hosts the network joins by a path through
//                no other worker (switches and non-worker hosts only): on a
//                star or a tree that is everyone, on a ring of hosts it is the
//                ring; a connected network gives a connected graph
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "topology/topology.h"

namespace algo {

enum class GossipGraph { ring, complete, torus, exponential, edges, topology };

struct GossipGraphSpec {
  GossipGraphSpec(GossipGraph kind = GossipGraph::ring) : kind(kind) {}  // NOLINT: a kind is a spec
  GossipGraph kind;
  std::vector<int> dims;                   // torus: {rows, columns}
  std::vector<std::pair<int, int>> edges;  // edges: worker index pairs
};

// Each worker's neighbours (not itself), in increasing order, for every kind
// but `topology`. Throws std::invalid_argument (saying why) for torus dims
// that do not multiply to `workers`, an edge out of range, a self-loop or a
// repeated edge.
std::vector<std::vector<int>> gossip_neighbours(const GossipGraphSpec& graph, int workers);

// The `topology` graph over the workers on `hosts` (in worker order).
std::vector<std::vector<int>> topology_neighbours(const topology::Topology& topo,
                                                  std::span<const topology::NodeId> hosts);

// Whether every worker can reach every other through neighbours.
bool connected(const std::vector<std::vector<int>>& neighbours);

// The dense N x N Metropolis-Hastings mixing matrix of a neighbour graph:
// W_ij = 1 / (1 + max(deg_i, deg_j)) for neighbours, W_ii = 1 - the row's
// other entries; symmetric, hence doubly stochastic.
// REQUIRES a symmetric graph without self-loops.
std::vector<std::vector<double>> metropolis_hastings_weights(
    const std::vector<std::vector<int>>& neighbours);

}  // namespace algo
