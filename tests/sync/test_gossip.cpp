// gossip (D-PSGD) against independent oracles: the mixing matrix's algebra
// (symmetric, doubly stochastic), exact averaging on a complete graph, the
// contraction of the consensus distance on a ring while the average stays
// put, and plain SGD when there is one worker.
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/ml/partition.h"
#include "sim/random.h"
#include "algorithms/ml/synthetic.h"
#include "algorithms/runtime/averaging.h"
#include "algorithms/sync/gossip.h"
#include "algorithms/runtime/training_seeds.h"
#include "star_world.h"

namespace {

constexpr std::uint64_t kSeed = 5;

std::vector<ml::Vector> random_replicas(int n, int size, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  std::vector<ml::Vector> replicas;
  for (int i = 0; i < n; ++i) {
    ml::Vector v(size);
    for (int k = 0; k < size; ++k) v[k] = static_cast<float>(rng.uniform(-1.0, 1.0));
    replicas.push_back(v);
  }
  return replicas;
}

// One synchronous gossip round of every replica, with the production mixing:
// each row through the averaging kernel.
std::vector<ml::Vector> mix_all(const std::vector<std::vector<double>>& w,
                                const std::vector<ml::Vector>& replicas) {
  std::vector<const ml::Vector*> pointers;
  for (const auto& r : replicas) pointers.push_back(&r);
  const algo::RunContext ctx;  // math inline, no test fault
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

std::vector<StarWorld::Host> gossip_hosts(int workers) {
  std::vector<StarWorld::Host> hosts;
  for (int i = 0; i < workers; ++i) {
    hosts.push_back({"worker" + std::to_string(i), 50e9,
                     sim::Distribution{sim::Distribution::Kind::uniform, 1.0, 2.0}});
  }
  return hosts;
}

struct GossipWorld : StarWorld {
  GossipWorld(int workers, algo::GossipGraphSpec graph, algo::StopCondition stop)
      : StarWorld(gossip_hosts(workers), {1.25e9, 5'000}, synthetic(256, 3), synthetic(64, 4),
                  small_mlp(), ml::make_sgd({0.1f, 0.9f, 0.0f, false}), stop,
                  algo::EvalSchedule{1, 0}, kSeed) {
    algo::GossipConfig config;
    for (int i = 0; i < workers; ++i) config.workers.push_back(i);
    config.batch_size = 8;
    config.graph = graph;
    gossip = &launch(std::make_unique<algo::Gossip>(config));
    run();
  }

  algo::Gossip* gossip;
};

}  // namespace

TEST_CASE("the Metropolis-Hastings mixing matrix is symmetric and doubly stochastic") {
  const int n = GENERATE(1, 2, 3, 4, 7);
  const auto graph = GENERATE(algo::GossipGraph::ring, algo::GossipGraph::complete);
  const auto neighbours = algo::gossip_neighbours(graph, n);
  const auto w = algo::metropolis_hastings_weights(neighbours);
  INFO(n << " workers, graph " << (graph == algo::GossipGraph::ring ? "ring" : "complete"));
  for (int i = 0; i < n; ++i) {
    double row = 0.0, column = 0.0;
    for (int j = 0; j < n; ++j) {
      const auto a = static_cast<std::size_t>(i), b = static_cast<std::size_t>(j);
      row += w[a][b];
      column += w[b][a];
      CHECK(w[a][b] == w[b][a]);
      CHECK(w[a][b] >= 0.0);
      const bool linked =
          i == j || std::find(neighbours[a].begin(), neighbours[a].end(), j) != neighbours[a].end();
      if (!linked) CHECK(w[a][b] == 0.0);
    }
    CHECK(row == Approx(1.0).margin(1e-12));
    CHECK(column == Approx(1.0).margin(1e-12));
  }
}

TEST_CASE("one gossip round on a complete graph makes every replica the average") {
  SECTION("the mixing step, on random replicas") {
    const int n = 5;
    const auto w =
        algo::metropolis_hastings_weights(algo::gossip_neighbours(algo::GossipGraph::complete, n));
    for (const auto& row : w) {
      for (double x : row) CHECK(x == Approx(1.0 / n).margin(1e-15));  // equal weights
    }
    const auto replicas = random_replicas(n, 100, 1);
    ml::Vector average;
    algo::consensus_distance(replicas, average);
    for (const ml::Vector& r : mix_all(w, replicas)) {
      const float diff = (r - average).cwiseAbs().maxCoeff();
      INFO("largest difference to the average " << diff);
      CHECK(diff < 1e-6f);
    }
  }
  SECTION("a whole D-PSGD round: replicas agree, consensus distance is ~0") {
    GossipWorld world(4, algo::GossipGraph::complete, {0, 0.0, 1, 0.0});
    const ml::Vector& global = world.gossip->global_parameters();
    for (int i = 0; i < 4; ++i) {
      const float diff = (world.gossip->replica(i) - global).cwiseAbs().maxCoeff();
      INFO("replica " << i << ", largest difference to the average " << diff);
      CHECK(diff < 1e-6f);
    }
    const auto& rows = world.monitor->rows();
    REQUIRE(rows.size() == 2);
    CHECK(!rows[0].consensus_distance);
    REQUIRE(rows[1].consensus_distance);
    CHECK(*rows[1].consensus_distance < 1e-5);
  }
}

TEST_CASE("gossip on a ring shrinks the consensus distance and keeps the average") {
  const int n = 6;
  const auto w =
      algo::metropolis_hastings_weights(algo::gossip_neighbours(algo::GossipGraph::ring, n));
  auto replicas = random_replicas(n, 200, 2);
  ml::Vector average0, average;
  double distance = algo::consensus_distance(replicas, average0);
  const double initial = distance;
  // 25 rounds: far above float rounding (the distance floors near 2e-7).
  for (int round = 1; round <= 25; ++round) {
    replicas = mix_all(w, replicas);
    const double next = algo::consensus_distance(replicas, average);
    INFO("round " << round);
    CHECK(next < distance);
    distance = next;
    const float drift = (average - average0).cwiseAbs().maxCoeff();
    INFO("largest drift of the average " << drift);
    CHECK(drift < 1e-5f);
  }
  // The ring's second eigenvalue is 1/3 + 2/3 cos(2 pi / 6) = 2/3; (2/3)^25 ~ 4e-5.
  INFO("initial " << initial << ", after 25 rounds " << distance);
  CHECK(distance < 1e-3 * initial);
}

TEST_CASE("gossip with one worker is plain SGD on that worker's batches") {
  GossipWorld world(1, algo::GossipGraph::ring, {0, 0.0, 30, 0.0});
  ml::Mlp model(world.spec);
  model.initialize(algo::model_init_seed(kSeed));
  auto optimizer = ml::make_sgd({0.1f, 0.9f, 0.0f, false});
  auto shards = ml::partition_iid(world.train.size(), 1, algo::partition_seed(kSeed));
  ml::BatchSampler sampler(shards[0], algo::batch_order_seed(kSeed, "worker0"));
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector grad;
  for (int s = 0; s < 30; ++s) {
    ml::gather_batch(world.train, sampler.next_batch(8), x, y);
    model.loss_and_gradient(x, y, grad);
    optimizer->step(model.parameters(), grad);
  }
  const float diff = (world.gossip->global_parameters() - model.parameters()).cwiseAbs().maxCoeff();
  INFO("largest parameter difference " << diff);
  CHECK(diff == 0.0f);
  CHECK(world.monitor->totals().steps == 30);
}

TEST_CASE("gossip over the topology's neighbours on a star is gossip over the complete graph") {
  // Every host of a star reaches every other through the switch alone.
  GossipWorld complete(4, algo::GossipGraph::complete, {0, 0.0, 12, 0.0});
  GossipWorld topology(4, algo::GossipGraph::topology, {0, 0.0, 12, 0.0});
  CHECK(topology.gossip->mixing_matrix() == complete.gossip->mixing_matrix());
  const float diff = (topology.gossip->global_parameters() - complete.gossip->global_parameters())
                         .cwiseAbs()
                         .maxCoeff();
  INFO("largest parameter difference " << diff);
  CHECK(diff == 0.0f);
  CHECK(topology.monitor->totals().time == complete.monitor->totals().time);
}
