#include "algorithms/sync/gossip_graph.h"

#include <algorithm>
#include <deque>
#include <set>
#include <stdexcept>

namespace algo {
namespace {

// Adds the undirected edge i - j (once; never a self-loop).
void link(std::vector<std::vector<int>>& neighbours, int i, int j) {
  if (i == j) return;
  auto& a = neighbours[static_cast<std::size_t>(i)];
  if (std::find(a.begin(), a.end(), j) != a.end()) return;
  a.push_back(j);
  neighbours[static_cast<std::size_t>(j)].push_back(i);
}

void torus(std::vector<std::vector<int>>& neighbours, const std::vector<int>& dims, int n) {
  if (dims.size() != 2 || dims[0] < 1 || dims[1] < 1 ||
      static_cast<long long>(dims[0]) * dims[1] != n) {
    throw std::invalid_argument("torus dims must be two numbers >= 1 whose product is the " +
                                std::to_string(n) + " workers");
  }
  const int rows = dims[0], columns = dims[1];
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < columns; ++c) {
      const int i = r * columns + c;
      link(neighbours, i, ((r + 1) % rows) * columns + c);
      link(neighbours, i, r * columns + (c + 1) % columns);
    }
  }
}

void explicit_edges(std::vector<std::vector<int>>& neighbours,
                    const std::vector<std::pair<int, int>>& edges, int n) {
  std::set<std::pair<int, int>> seen;
  for (const auto& [a, b] : edges) {
    if (a < 0 || a >= n || b < 0 || b >= n) {
      throw std::invalid_argument("edge [" + std::to_string(a) + ", " + std::to_string(b) +
                                  "] names a worker outside 0.." + std::to_string(n - 1));
    }
    if (a == b)
      throw std::invalid_argument("edge [" + std::to_string(a) + ", " + std::to_string(b) +
                                  "] joins a worker to itself");
    if (!seen.insert(std::minmax(a, b)).second) {
      throw std::invalid_argument("edge [" + std::to_string(a) + ", " + std::to_string(b) +
                                  "] is listed twice");
    }
    link(neighbours, a, b);
  }
}

}  // namespace

std::vector<std::vector<int>> gossip_neighbours(const GossipGraphSpec& graph, int workers) {
  std::vector<std::vector<int>> neighbours(static_cast<std::size_t>(workers));
  switch (graph.kind) {
    case GossipGraph::ring:
      for (int i = 0; i < workers; ++i) link(neighbours, i, (i + 1) % workers);
      break;
    case GossipGraph::complete:
      for (int i = 0; i < workers; ++i) {
        for (int j = i + 1; j < workers; ++j) link(neighbours, i, j);
      }
      break;
    case GossipGraph::torus:
      torus(neighbours, graph.dims, workers);
      break;
    case GossipGraph::exponential:
      for (int i = 0; i < workers; ++i) {
        for (long long hop = 1; hop < workers; hop *= 2) {
          link(neighbours, i, static_cast<int>((i + hop) % workers));
        }
      }
      break;
    case GossipGraph::edges:
      explicit_edges(neighbours, graph.edges, workers);
      break;
    case GossipGraph::topology:
      throw std::invalid_argument("the topology graph needs the network: topology_neighbours");
  }
  for (auto& mine : neighbours) std::sort(mine.begin(), mine.end());
  return neighbours;
}

std::vector<std::vector<int>> topology_neighbours(const topology::Topology& topo,
                                                  std::span<const topology::NodeId> hosts) {
  // By topology node: the worker on it, or -1.
  std::vector<int> worker_at(static_cast<std::size_t>(topo.node_count()), -1);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    worker_at[static_cast<std::size_t>(hosts[i])] = static_cast<int>(i);
  }
  std::vector<std::vector<int>> neighbours(hosts.size());
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    // Breadth-first from worker i's host, stopping at every other worker.
    std::vector<char> seen(worker_at.size(), 0);
    std::deque<topology::NodeId> frontier{hosts[i]};
    seen[static_cast<std::size_t>(hosts[i])] = 1;
    while (!frontier.empty()) {
      const topology::NodeId at = frontier.front();
      frontier.pop_front();
      for (const auto& [link_id, next] : topo.incident_links(at)) {
        auto& visited = seen[static_cast<std::size_t>(next)];
        if (visited) continue;
        visited = 1;
        const int w = worker_at[static_cast<std::size_t>(next)];
        if (w >= 0) {
          neighbours[i].push_back(w);
        } else {
          frontier.push_back(next);
        }
      }
    }
    std::sort(neighbours[i].begin(), neighbours[i].end());
  }
  return neighbours;
}

bool connected(const std::vector<std::vector<int>>& neighbours) {
  if (neighbours.empty()) return true;
  std::vector<char> seen(neighbours.size(), 0);
  std::vector<int> stack{0};
  seen[0] = 1;
  std::size_t reached = 1;
  while (!stack.empty()) {
    const int at = stack.back();
    stack.pop_back();
    for (int j : neighbours[static_cast<std::size_t>(at)]) {
      if (!seen[static_cast<std::size_t>(j)]) {
        seen[static_cast<std::size_t>(j)] = 1;
        ++reached;
        stack.push_back(j);
      }
    }
  }
  return reached == neighbours.size();
}

std::vector<std::vector<double>> metropolis_hastings_weights(
    const std::vector<std::vector<int>>& neighbours) {
  const std::size_t n = neighbours.size();
  std::vector<std::vector<double>> w(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    double others = 0.0;
    for (int j : neighbours[i]) {
      const auto degree_j = neighbours[static_cast<std::size_t>(j)].size();
      w[i][static_cast<std::size_t>(j)] =
          1.0 / (1.0 + static_cast<double>(std::max(neighbours[i].size(), degree_j)));
      others += w[i][static_cast<std::size_t>(j)];
    }
    w[i][i] = 1.0 - others;
  }
  return w;
}

}  // namespace algo
