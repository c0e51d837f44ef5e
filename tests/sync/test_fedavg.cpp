// fedavg against independent oracles, the math and the plug-ins:
//  - with every client every round, one local epoch and one batch per epoch,
//    FedAvg with plain SGD is synchronous SGD (ps_sync on the same shards);
//    the weighted average checked by hand on tiny vectors;
//  - non-IID data: Dirichlet(0.1) shards learn slower than IID ones;
//  - the configured compressor and aggregator are the ones used.
// The rounds (deadlines, sampling, local clocks): test_fedavg_rounds.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <span>
#include <string_view>

#include "algorithms/runtime/training_seeds.h"
#include "algorithms/sync/ps_sync.h"
#include "fedavg_world.h"

using namespace fedavg_world;

TEST_CASE("fedavg with every client, one local epoch and one batch per epoch is synchronous SGD") {
  const int clients = GENERATE(1, 3, 4);
  const int rounds = 12;
  CAPTURE(clients);
  WorldOptions options;
  options.clients = clients;
  options.stop = {0, 0.0, rounds, 0.0};

  World fed(options);
  algo::FedAvgConfig config;
  config.batch_size = 512;  // >= every shard: one batch per local epoch
  const algo::FedAvg& fedavg = fed.run_fedavg(config);
  REQUIRE(fed.monitor->totals().steps == rounds);

  World ps(options);
  algo::PsSyncConfig ps_config;
  ps_config.server = 0;
  ps_config.workers = ps.client_indices();
  ps_config.batch_size = 512;
  const algo::PsSync& ps_sync = ps.launch(std::make_unique<algo::PsSync>(ps_config));
  ps.run();
  REQUIRE(ps.monitor->totals().steps == rounds);

  const float max_diff =
      (fedavg.global_parameters() - ps_sync.global_parameters()).cwiseAbs().maxCoeff();
  INFO("largest parameter difference " << max_diff);
  CHECK(max_diff < 1e-5f);
  CHECK(fed.monitor->totals().staleness_max == 0);
  CHECK(fed.monitor->totals().updates_applied == static_cast<std::int64_t>(clients) * rounds);
  CHECK(fed.monitor->totals().samples == ps.monitor->totals().samples);
}

TEST_CASE("fedavg averages client models weighted by their sample counts") {
  const ml::Vector a = (ml::Vector(2) << 1.0f, 2.0f).finished();
  const ml::Vector b = (ml::Vector(2) << 3.0f, 4.0f).finished();
  const ml::Vector c = (ml::Vector(2) << 10.0f, 0.0f).finished();
  SECTION("weights 1, 3 and 0 give (1 + 9) / 4 and (2 + 12) / 4") {
    const ml::Vector avg = algo::FedAvg::weighted_average({&a, &b, &c}, {1, 3, 0});
    CHECK(avg[0] == Approx(2.5f));
    CHECK(avg[1] == Approx(3.5f));
  }
  SECTION("equal weights give the plain mean") {
    const ml::Vector avg = algo::FedAvg::weighted_average({&a, &b, &c}, {7, 7, 7});
    CHECK(avg[0] == Approx(14.0f / 3));
    CHECK(avg[1] == Approx(2.0f));
  }
  SECTION("one model is returned as it is") {
    CHECK(algo::FedAvg::weighted_average({&b}, {5}) == b);
  }
  SECTION("bad inputs throw") {
    const ml::Vector d = ml::Vector::Zero(3);
    CHECK_THROWS_AS(algo::FedAvg::weighted_average({}, {}), std::invalid_argument);
    CHECK_THROWS_AS(algo::FedAvg::weighted_average({&a, &b}, {1}), std::invalid_argument);
    CHECK_THROWS_AS(algo::FedAvg::weighted_average({&a, &d}, {1, 1}), std::invalid_argument);
    CHECK_THROWS_AS(algo::FedAvg::weighted_average({&a, &b}, {0, 0}), std::invalid_argument);
    CHECK_THROWS_AS(algo::FedAvg::weighted_average({&a, &b}, {-1, 2}), std::invalid_argument);
  }
}

TEST_CASE("fedavg on Dirichlet(0.1) shards learns slower than on IID shards") {
  // 10 Gaussian classes, 20 clients, 5 per round, 5 local epochs: client drift
  // on label-skewed shards costs accuracy at the same budget (about 0.85 vs 0.73).
  auto accuracy = [](ml::PartitionSpec partition) {
    WorldOptions options;
    options.clients = 20;
    options.data = {4000, 20, 10, 1.0f, 3.0f};
    options.sgd = {0.1f, 0.0f, 0.0f, false};
    options.partition = partition;
    options.stop = {0, 0.0, 10, 0.0};
    options.eval = {0, 0};
    World world(options);
    algo::FedAvgConfig config;
    config.clients_per_round = 5;
    config.local_epochs = 5;
    config.batch_size = 16;
    world.run_fedavg(config);
    return world.monitor->totals().final_test_accuracy;
  };
  const double iid = accuracy({});
  const double skewed = accuracy({ml::PartitionKind::dirichlet, 0.1, 2});
  INFO("accuracy after 10 rounds: iid " << iid << ", dirichlet(0.1) " << skewed);
  CHECK(iid > 0.8);
  CHECK(skewed < iid - 0.05);
}

TEST_CASE("fedavg rejects a bad configuration") {
  algo::FedAvgConfig config;
  config.clients = {1, 2, 3};
  SECTION("no clients") {
    config.clients.clear();
    CHECK_THROWS_AS(algo::FedAvg(config), std::invalid_argument);
  }
  SECTION("server listed as a client") {
    config.clients = {0, 1};
    CHECK_THROWS_AS(algo::FedAvg(config), std::invalid_argument);
  }
  SECTION("more clients per round than clients") {
    config.clients_per_round = 4;
    CHECK_THROWS_AS(algo::FedAvg(config), std::invalid_argument);
  }
  SECTION("zero local epochs") {
    config.local_epochs = 0;
    CHECK_THROWS_AS(algo::FedAvg(config), std::invalid_argument);
  }
  SECTION("zero batch") {
    config.batch_size = 0;
    CHECK_THROWS_AS(algo::FedAvg(config), std::invalid_argument);
  }
  SECTION("negative deadline") {
    config.deadline = -1;
    CHECK_THROWS_AS(algo::FedAvg(config), std::invalid_argument);
  }
  SECTION("availability zero or above one") {
    config.availability = GENERATE(0.0, 1.5);
    CHECK_THROWS_AS(algo::FedAvg(config), std::invalid_argument);
  }
}

TEST_CASE("assign_work follows the run's partition and reports each shard's classes") {
  WorldOptions options;
  World world(options);
  std::vector<algo::ShardStats> stats;
  world.ctx.shard_stats = &stats;
  SECTION("shards: the partition of ml::partition_shards with the run's partition seed") {
    world.ctx.partition = {ml::PartitionKind::shards, 0.5, 2};
    const algo::Assignment a =
        algo::assign_work(world.ctx, world.client_indices(), 16, algo::AssignmentPolicy::equal);
    CHECK(a.shards == ml::partition_shards(world.train.labels, 4, 2, algo::partition_seed(kSeed)));
  }
  SECTION("dirichlet: the partition of ml::partition_dirichlet with the run's partition seed") {
    world.ctx.partition = {ml::PartitionKind::dirichlet, 0.3, 2};
    const algo::Assignment a =
        algo::assign_work(world.ctx, world.client_indices(), 16, algo::AssignmentPolicy::equal);
    CHECK(a.shards ==
          ml::partition_dirichlet(world.train.labels, 4, 4, 0.3, algo::partition_seed(kSeed)));
  }
  REQUIRE(stats.size() == 4);
  std::int64_t total = 0;
  for (std::size_t i = 0; i < stats.size(); ++i) {
    CHECK(stats[i].node == "client" + std::to_string(i));
    CHECK(stats[i].class_counts.size() == 4);
    std::int64_t sum = 0;
    for (std::int64_t k : stats[i].class_counts) sum += k;
    CHECK(sum == stats[i].samples);
    total += sum;
  }
  CHECK(total == world.train.size());
}

namespace {

// Keeps the values, claims 2 bytes per element on the wire; counts encodings.
class HalfBytes final : public algo::Compressor {
 public:
  explicit HalfBytes(int* encoded) : encoded_(encoded) {}
  std::string_view name() const override { return "half_bytes"; }
  algo::Encoded encode(ml::Vector v) override {
    ++*encoded_;
    const double bytes = wire_bytes(v.size());
    return algo::Encoded{std::move(v), bytes};
  }
  double wire_bytes(std::int64_t elements) const override {
    return 2.0 * static_cast<double>(elements);
  }
  bool exact() const override { return true; }  // the values pass unchanged

 private:
  int* encoded_;
};

// The weighted mean, counting its calls and the contributions it combined.
class CountingMean final : public algo::Aggregator {
 public:
  CountingMean(int* calls, int* combined) : calls_(calls), combined_(combined) {}
  std::string_view name() const override { return "counting_mean"; }
  void aggregate(const algo::RunContext& ctx, std::span<const algo::Contribution> contributions,
                 ml::Vector& out) override {
    ++*calls_;
    *combined_ += static_cast<int>(contributions.size());
    mean_.aggregate(ctx, contributions, out);
  }
  double flops(std::int64_t parameters, int count) const override {
    return mean_.flops(parameters, count);
  }

 private:
  algo::WeightedMean mean_;
  int* calls_;
  int* combined_;
};

}  // namespace

TEST_CASE(
    "fedavg clients upload through their compressor and the server combines with its aggregator") {
  WorldOptions options;
  options.stop = {0, 0.0, 3, 0.0};
  World plain(options);
  const algo::FedAvg& reference = plain.run_fedavg(algo::FedAvgConfig{});

  int compressors = 0, encoded = 0, aggregators = 0, calls = 0, combined = 0;
  algo::FedAvgConfig config;
  config.compressor = [&] {
    ++compressors;
    return std::make_unique<HalfBytes>(&encoded);
  };
  config.aggregator = [&] {
    ++aggregators;
    return std::make_unique<CountingMean>(&calls, &combined);
  };
  World plugged(options);
  const algo::FedAvg& fedavg = plugged.run_fedavg(config);

  CHECK(compressors == 4);  // one per client, kept across rounds
  CHECK(encoded == 12);     // every client uploads every round
  CHECK(aggregators == 1);
  CHECK(calls == 3);
  CHECK(combined == 12);
  // The same values: the same model. Half the upload bytes: sooner, and
  // each upload of P floats weighs 2 P bytes on the wire instead of 4 P.
  const float diff =
      (fedavg.global_parameters() - reference.global_parameters()).cwiseAbs().maxCoeff();
  INFO("largest parameter difference " << diff);
  CHECK(diff == 0.0f);
  REQUIRE(fedavg.rounds().size() == 3);
  CHECK(fedavg.rounds().back().end < reference.rounds().back().end);
  const double parameters = static_cast<double>(reference.global_parameters().size());
  CHECK(plain.net->total_bytes_sent() - plugged.net->total_bytes_sent() == 12 * 2.0 * parameters);
}
