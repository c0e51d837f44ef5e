// hierfl (client -> edge -> cloud) against oracles:
//  - one edge, one edge round per cloud round: FedAvg with every client
//    every round, bit for bit;
//  - several edges, one edge round: the mean of the edges' weighted means,
//    weighted by their data, is FedAvg's weighted mean (to float rounding);
//  - the bytes in closed form: per cloud round 2 x edge_rounds x N client
//    models and 2 x E edge models, 4 x P bytes each; every client update is
//    applied at its edge with staleness 0;
//  - clients go to edges in contiguous blocks.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>

#include "algorithms/sync/hierfl.h"
#include "fedavg_world.h"

using namespace fedavg_world;

namespace {

// Node 0 the cloud, nodes 1 ... edges the edge aggregators, the rest clients.
struct Tiers {
  std::vector<int> edges, clients;
};

Tiers tiers(int edges, int clients) {
  Tiers t;
  for (int i = 1; i <= edges; ++i) t.edges.push_back(i);
  for (int i = edges + 1; i <= edges + clients; ++i) t.clients.push_back(i);
  return t;
}

ml::Vector run_fedavg(const WorldOptions& options, const std::vector<int>& clients) {
  World world(options);
  algo::FedAvgConfig config;
  config.server = 0;
  config.clients = clients;
  config.local_epochs = 2;
  config.batch_size = 16;
  world.launch(std::make_unique<algo::FedAvg>(config));
  world.run();
  return world.algorithm->global_parameters();
}

}  // namespace

TEST_CASE("clients go to edges in contiguous blocks") {
  CHECK(algo::HierFl::edge_of(0, 4, 16) == 0);
  CHECK(algo::HierFl::edge_of(3, 4, 16) == 0);
  CHECK(algo::HierFl::edge_of(4, 4, 16) == 1);
  CHECK(algo::HierFl::edge_of(15, 4, 16) == 3);
  CHECK(algo::HierFl::edge_of(4, 3, 10) == 1);  // blocks of 4, 3, 3
  CHECK(algo::HierFl::edge_of(7, 3, 10) == 2);
}

TEST_CASE("hierfl with one edge and one edge round is fedavg with every client, bit for bit") {
  WorldOptions options;
  options.clients = 5;  // client0 serves as the edge
  options.partition.kind = ml::PartitionKind::dirichlet;
  options.partition.alpha = 0.5;
  options.stop = {0, 0.0, 4, 0.0};
  const Tiers t = tiers(1, 4);
  const ml::Vector expected = run_fedavg(options, t.clients);

  World world(options);
  algo::HierFlConfig config{0, t.edges, t.clients, 2, 1, 16};
  const algo::HierFl& hierfl = world.launch(std::make_unique<algo::HierFl>(config));
  world.run();
  const ml::Vector& got = hierfl.global_parameters();
  REQUIRE(got.size() == expected.size());
  CHECK(std::memcmp(got.data(), expected.data(), static_cast<std::size_t>(got.size()) * 4) == 0);
}

TEST_CASE("hierfl with several edges and one edge round averages as fedavg does") {
  WorldOptions options;
  options.clients = 9;  // 3 edges, 6 clients
  options.partition.kind = ml::PartitionKind::dirichlet;
  options.partition.alpha = 0.5;
  options.stop = {0, 0.0, 3, 0.0};
  const Tiers t = tiers(3, 6);
  const ml::Vector expected = run_fedavg(options, t.clients);

  World world(options);
  algo::HierFlConfig config{0, t.edges, t.clients, 2, 1, 16};
  const algo::HierFl& hierfl = world.launch(std::make_unique<algo::HierFl>(config));
  world.run();
  const float diff = (hierfl.global_parameters() - expected).cwiseAbs().maxCoeff();
  INFO("largest difference " << diff);
  CHECK(diff < 1e-5f);
}

TEST_CASE("hierfl's bytes and applied updates follow from its periods") {
  const int edge_rounds = GENERATE(1, 3);
  CAPTURE(edge_rounds);
  WorldOptions options;
  options.clients = 8;  // 2 edges, 6 clients
  const int rounds = 3;
  options.stop = {0, 0.0, rounds, 0.0};
  const Tiers t = tiers(2, 6);
  World world(options);
  algo::HierFlConfig config{0, t.edges, t.clients, 1, edge_rounds, 32};
  const algo::HierFl& hierfl = world.launch(std::make_unique<algo::HierFl>(config));
  world.run();
  const double model_bytes = 4.0 * static_cast<double>(hierfl.global_parameters().size());
  const algo::RunTotals& totals = world.monitor->totals();
  CHECK(totals.steps == rounds);
  CHECK(totals.bytes_sent == rounds * (2.0 * edge_rounds * 6 + 2.0 * 2) * model_bytes);
  CHECK(totals.updates_applied == static_cast<std::int64_t>(rounds) * edge_rounds * 6);
  CHECK(totals.staleness_max == 0);
}
