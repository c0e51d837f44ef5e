// The graphs gossip mixes over, against hand-built neighbour lists and
// closed forms: the 2-D torus, the exponential graph, explicit edges and the
// network topology's neighbours; the Metropolis-Hastings matrix's second
// eigenvalue (Eigen's symmetric solver) against the circulant closed form;
// and the consensus distance of pure averaging (the production mixing
// kernel, nothing else happening) shrinking by exactly that factor a round.
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "algorithms/runtime/averaging.h"
#include "algorithms/sync/gossip.h"
#include "algorithms/sync/gossip_graph.h"
#include "sim/random.h"
#include "topology/builders.h"

namespace {

using Neighbours = std::vector<std::vector<int>>;

// The second-largest eigenvalue magnitude of a symmetric mixing matrix.
double second_eigenvalue(const std::vector<std::vector<double>>& w) {
  const auto n = static_cast<Eigen::Index>(w.size());
  Eigen::MatrixXd m(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      m(i, j) = w[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    }
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(m, Eigen::EigenvaluesOnly);
  std::vector<double> magnitudes;
  for (Eigen::Index k = 0; k < n; ++k) magnitudes.push_back(std::abs(solver.eigenvalues()[k]));
  std::sort(magnitudes.rbegin(), magnitudes.rend());
  return magnitudes.at(1);
}

// One synchronous round of pure averaging: every row through the kernel.
std::vector<ml::Vector> mix_all(const std::vector<std::vector<double>>& w,
                                const std::vector<ml::Vector>& replicas) {
  std::vector<const ml::Vector*> pointers;
  for (const auto& r : replicas) pointers.push_back(&r);
  const algo::RunContext ctx;
  std::vector<algo::WeightedInput> row;
  std::vector<algo::MathPool::Job> jobs;
  std::vector<ml::Vector> out(replicas.size());
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    algo::mixing_row(w[i], pointers, row);
    out[i].resize(replicas[i].size());
    algo::weighted_average(ctx, row, out[i], jobs);
  }
  return out;
}

algo::GossipGraphSpec torus(int rows, int columns) {
  algo::GossipGraphSpec spec(algo::GossipGraph::torus);
  spec.dims = {rows, columns};
  return spec;
}

algo::GossipGraphSpec edges(std::vector<std::pair<int, int>> list) {
  algo::GossipGraphSpec spec(algo::GossipGraph::edges);
  spec.edges = std::move(list);
  return spec;
}

}  // namespace

TEST_CASE("gossip graphs have the neighbours their definitions give") {
  SECTION("a 3 x 4 torus: up, down, left, right, wrapping around") {
    const Neighbours n = algo::gossip_neighbours(torus(3, 4), 12);
    CHECK(n[0] == std::vector<int>{1, 3, 4, 8});
    CHECK(n[5] == std::vector<int>{1, 4, 6, 9});
    CHECK(n[11] == std::vector<int>{3, 7, 8, 10});
  }
  SECTION("a 2 x 2 torus: the wrap-around neighbour is the same one, linked once") {
    const Neighbours n = algo::gossip_neighbours(torus(2, 2), 4);
    CHECK(n[0] == std::vector<int>{1, 2});
  }
  SECTION("exponential over 8: +-1, +-2 and 4") {
    const Neighbours n = algo::gossip_neighbours(algo::GossipGraph::exponential, 8);
    CHECK(n[0] == std::vector<int>{1, 2, 4, 6, 7});
    CHECK(n[3] == std::vector<int>{1, 2, 4, 5, 7});
  }
  SECTION("exponential over 5: +-1, +-2 and +-4 = -+1") {
    const Neighbours n = algo::gossip_neighbours(algo::GossipGraph::exponential, 5);
    CHECK(n[0] == std::vector<int>{1, 2, 3, 4});
  }
  SECTION("an explicit edge list is undirected") {
    const Neighbours n = algo::gossip_neighbours(edges({{0, 1}, {2, 1}, {3, 0}}), 4);
    CHECK(n == Neighbours{{1, 3}, {0, 2}, {1}, {0}});
    CHECK(algo::connected(n));
    CHECK(!algo::connected(algo::gossip_neighbours(edges({{0, 1}, {2, 3}}), 4)));
  }
  SECTION("bad graphs are refused") {
    CHECK_THROWS_AS(algo::gossip_neighbours(torus(2, 3), 5), std::invalid_argument);
    CHECK_THROWS_AS(algo::gossip_neighbours(edges({{0, 4}}), 4), std::invalid_argument);
    CHECK_THROWS_AS(algo::gossip_neighbours(edges({{1, 1}}), 4), std::invalid_argument);
    CHECK_THROWS_AS(algo::gossip_neighbours(edges({{0, 1}, {1, 0}}), 4), std::invalid_argument);
  }
}

TEST_CASE("the topology graph links workers the network joins through no other worker") {
  const topology::LinkParams link{1.25e9, 5'000};
  SECTION("a star: everyone") {
    const auto topo = topology::build_star({"w0", "w1", "w2", "w3"}, link);
    const std::vector<topology::NodeId> hosts = topo.hosts();
    CHECK(algo::topology_neighbours(topo, hosts) ==
          algo::gossip_neighbours(algo::GossipGraph::complete, 4));
  }
  SECTION("a ring of hosts with a server in it: the workers' ring, through the server") {
    const auto topo = topology::build_ring({"w0", "w1", "server", "w2", "w3"}, link);
    const std::vector<topology::NodeId> hosts = {*topo.find("w0"), *topo.find("w1"),
                                                 *topo.find("w2"), *topo.find("w3")};
    CHECK(algo::topology_neighbours(topo, hosts) ==
          algo::gossip_neighbours(algo::GossipGraph::ring, 4));
  }
}

TEST_CASE("the second eigenvalue of the mixing matrix matches the circulant closed form") {
  using std::numbers::pi;
  SECTION("a ring of 7: weights 1/3, lambda_2 = 1/3 + 2/3 cos(2 pi / 7)") {
    const auto w =
        algo::metropolis_hastings_weights(algo::gossip_neighbours(algo::GossipGraph::ring, 7));
    CHECK(w[0][1] == Approx(1.0 / 3.0).margin(1e-15));
    CHECK(second_eigenvalue(w) == Approx(1.0 / 3.0 + 2.0 / 3.0 * std::cos(2 * pi / 7)));
  }
  SECTION("a 3 x 3 torus: weights 1/5, lambda_2 = 1/5 + 2/5 + 2/5 cos(2 pi / 3) = 2/5") {
    const auto w = algo::metropolis_hastings_weights(algo::gossip_neighbours(torus(3, 3), 9));
    CHECK(w[0][1] == Approx(0.2).margin(1e-15));
    CHECK(second_eigenvalue(w) == Approx(0.4));
  }
  SECTION("exponential over 8: weights 1/6, lambda_2 = (1 - 2 + 2 + 1) / 6 = 1/3 (k = 4)") {
    const auto w = algo::metropolis_hastings_weights(
        algo::gossip_neighbours(algo::GossipGraph::exponential, 8));
    CHECK(w[0][4] == Approx(1.0 / 6.0).margin(1e-15));
    CHECK(second_eigenvalue(w) == Approx(1.0 / 3.0));
  }
}

TEST_CASE("pure averaging shrinks the consensus distance by lambda_2 a round") {
  struct Case {
    std::string name;
    algo::GossipGraphSpec graph;
    int workers;
  };
  const Case c =
      GENERATE(Case{"ring of 6", algo::GossipGraph::ring, 6}, Case{"3 x 3 torus", torus(3, 3), 9},
               Case{"exponential over 8", algo::GossipGraph::exponential, 8},
               Case{"a path with a chord", edges({{0, 1}, {1, 2}, {2, 3}, {3, 4}, {1, 3}}), 5});
  const auto w = algo::metropolis_hastings_weights(algo::gossip_neighbours(c.graph, c.workers));
  const double lambda = second_eigenvalue(w);
  sim::RandomStream rng(17);
  std::vector<ml::Vector> replicas;
  for (int i = 0; i < c.workers; ++i) {
    ml::Vector v(64);
    for (int k = 0; k < 64; ++k) v[k] = static_cast<float>(rng.uniform(-1.0, 1.0));
    replicas.push_back(v);
  }
  ml::Vector average;
  std::vector<double> distance{algo::consensus_distance(replicas, average)};
  // Rounds until lambda^t reaches 1e-4: far above float rounding (~1e-7).
  const int rounds = static_cast<int>(std::ceil(std::log(1e-4) / std::log(lambda)));
  for (int t = 1; t <= rounds; ++t) {
    replicas = mix_all(w, replicas);
    distance.push_back(algo::consensus_distance(replicas, average));
    INFO(c.name << ", round " << t);
    // Never faster than the spectral bound allows on the slowest mode.
    CHECK(distance[static_cast<std::size_t>(t)] <= distance[static_cast<std::size_t>(t - 1)]);
  }
  // Once the faster modes have died out, each round multiplies the distance
  // by lambda_2: the mean rate over the second half of the rounds.
  const int from = rounds / 2;
  const double rate = std::pow(
      distance[static_cast<std::size_t>(rounds)] / distance[static_cast<std::size_t>(from)],
      1.0 / (rounds - from));
  INFO(c.name << ": lambda_2 " << lambda << ", measured rate " << rate << " over rounds " << from
              << ".." << rounds);
  CHECK(rate == Approx(lambda).epsilon(0.02));
}
