// fedbuff and fedasync (asynchronous federated learning) against oracles:
//  - the staleness weight (1 + s)^-a by hand;
//  - one client, mixing 1: every arrival replaces the model, which is
//    FedAvg with one client, bit for bit;
//  - the first buffered step with K = C = N and eta_g 1 is the plain mean of
//    the clients' models (FedAvg's unweighted first round);
//  - every update produced is applied or still outstanding; staleness is 0
//    with one client in flight and positive with several, and the Monitor's
//    maximum is the algorithm's own.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>

#include "algorithms/runtime/mean_aggregator.h"
#include "algorithms/sync/fedbuff.h"
#include "fedavg_world.h"

using namespace fedavg_world;

namespace {

algo::FedBuffConfig async_config(const World& world, algo::AsyncRule rule) {
  algo::FedBuffConfig config;
  config.server = 0;
  config.clients = world.client_indices();
  config.rule = rule;
  config.local_epochs = 2;
  config.batch_size = 16;
  return config;
}

}  // namespace

TEST_CASE("the staleness weight is (1 + s)^-a") {
  CHECK(algo::FedBuff::staleness_weight(0, 0.5) == 1.0);
  CHECK(algo::FedBuff::staleness_weight(3, 0.5) == Approx(0.5));
  CHECK(algo::FedBuff::staleness_weight(8, 1.0) == Approx(1.0 / 9));
  CHECK(algo::FedBuff::staleness_weight(5, 0.0) == 1.0);
}

TEST_CASE("fedasync with one client and mixing 1 is fedavg with one client, bit for bit") {
  WorldOptions options;
  options.clients = 1;
  options.stop = {0, 0.0, 5, 0.0};
  World fedavg(options);
  algo::FedAvgConfig fedavg_config;
  fedavg_config.local_epochs = 2;
  fedavg_config.batch_size = 16;
  const ml::Vector expected = fedavg.run_fedavg(fedavg_config).global_parameters();

  World fedasync(options);
  algo::FedBuffConfig config = async_config(fedasync, algo::AsyncRule::mixing);
  config.mixing = 1.0;
  const algo::FedBuff& run = fedasync.launch(std::make_unique<algo::FedBuff>(config));
  fedasync.run();
  REQUIRE(fedasync.monitor->totals().steps == 5);
  const ml::Vector& got = run.global_parameters();
  REQUIRE(got.size() == expected.size());
  CHECK(std::memcmp(got.data(), expected.data(), static_cast<std::size_t>(got.size()) * 4) == 0);
  CHECK(fedasync.monitor->totals().staleness_max == 0);
}

TEST_CASE("fedbuff's first step with K = C = N is the plain mean of the clients' models") {
  WorldOptions options;
  options.clients = 4;
  options.stop = {0, 0.0, 1, 0.0};
  World fedavg(options);
  algo::FedAvgConfig fedavg_config;
  fedavg_config.local_epochs = 2;
  fedavg_config.batch_size = 16;
  fedavg_config.aggregator = [] { return std::make_unique<algo::MeanAggregator>(); };
  const ml::Vector expected = fedavg.run_fedavg(fedavg_config).global_parameters();

  World fedbuff(options);
  algo::FedBuffConfig config = async_config(fedbuff, algo::AsyncRule::buffered);
  config.buffer_size = 4;
  const algo::FedBuff& run = fedbuff.launch(std::make_unique<algo::FedBuff>(config));
  fedbuff.run();
  const float diff = (run.global_parameters() - expected).cwiseAbs().maxCoeff();
  INFO("largest difference " << diff);
  CHECK(diff < 1e-6f);
  CHECK(fedbuff.monitor->totals().staleness_max == 0);  // all four started from version 0
}

TEST_CASE("asynchronous federated runs account for every update and report staleness") {
  const auto rule = GENERATE(algo::AsyncRule::buffered, algo::AsyncRule::mixing);
  const int concurrency = GENERATE(1, 4);
  CAPTURE(rule == algo::AsyncRule::buffered, concurrency);
  WorldOptions options;
  options.clients = 6;
  options.client_flops = {20e9, 50e9, 35e9, 50e9, 10e9, 40e9};
  options.stop = {0, 0.0, 12, 0.0};
  World world(options);
  algo::FedBuffConfig config = async_config(world, rule);
  config.concurrency = concurrency;
  config.buffer_size = std::min(2, concurrency);
  const algo::FedBuff& run = world.launch(std::make_unique<algo::FedBuff>(config));
  world.run();
  const algo::RunTotals& totals = world.monitor->totals();
  CHECK(totals.steps == 12);
  CHECK(totals.updates_produced == run.stats().picked);
  CHECK(totals.updates_produced == totals.updates_applied + *run.updates_outstanding());
  const int per_step = rule == algo::AsyncRule::buffered ? config.buffer_size : 1;
  CHECK(totals.updates_applied == run.stats().steps * per_step);
  CHECK(totals.staleness_max == run.stats().staleness_max);
  if (concurrency == 1) CHECK(totals.staleness_max == 0);
  if (concurrency > 1) CHECK(totals.staleness_max > 0);
}
