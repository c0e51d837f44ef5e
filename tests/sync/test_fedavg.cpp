// fedavg against independent oracles:
//  - the math: with every client every round, one local epoch and one batch
//    per epoch, FedAvg with plain SGD is synchronous SGD (ps_sync on the same
//    shards); the weighted average checked by hand on tiny vectors;
//  - the timing: a deadline drops exactly the clients whose hand-computed
//    arrival time is past it;
//  - the randomness: client sampling and availability draws are seeded;
//  - non-IID data: Dirichlet(0.1) shards learn slower than IID ones.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <span>
#include <string_view>

#include "algorithms/ml/synthetic.h"
#include "algorithms/sync/fedavg.h"
#include "algorithms/sync/ps_sync.h"
#include "algorithms/runtime/training_seeds.h"
#include "star_world.h"

namespace {

constexpr std::uint64_t kSeed = 11;
constexpr double kBandwidth = 1.25e8;  // 1 Gb/s
constexpr sim::Time kLatency = 1'000;  // 1 us per link

struct WorldOptions {
  int clients = 4;
  std::vector<double> client_flops;  // empty: 50 GFLOP/s each
  ml::SyntheticSpec data{512, 20, 4, 1.0f, 3.0f};
  ml::SgdConfig sgd{0.1f, 0.0f, 0.0f, false};
  ml::PartitionSpec partition;
  algo::StopCondition stop{0, 0.0, 5, 0.0};
  algo::EvalSchedule eval{1, 0};
  std::uint64_t seed = kSeed;
};

// One synthetic draw (so both parts share the class centres): part 0 is the
// first spec.samples rows (training), part 1 the 1000 after them (test).
ml::Dataset split(ml::SyntheticSpec spec, int part) {
  const std::int64_t train_n = spec.samples;
  spec.samples += 1000;
  const ml::Dataset all = ml::make_synthetic(spec, 3);
  std::vector<std::int32_t> rows(static_cast<std::size_t>(part == 0 ? train_n : 1000));
  std::iota(rows.begin(), rows.end(), static_cast<std::int32_t>(part == 0 ? 0 : train_n));
  ml::Dataset out;
  out.num_classes = all.num_classes;
  ml::gather_batch(all, rows, out.features, out.labels);
  return out;
}

std::vector<StarWorld::Host> fed_hosts(const WorldOptions& o) {
  std::vector<StarWorld::Host> hosts{{"server", 100e9}};
  for (int i = 0; i < o.clients; ++i) {
    const auto n = static_cast<std::size_t>(i);
    hosts.push_back({"client" + std::to_string(i), o.client_flops.empty() ? 50e9 : o.client_flops[n]});
  }
  return hosts;
}

// A server and N clients on a star, and everything an algorithm needs.
struct World : StarWorld {
  explicit World(const WorldOptions& o)
      : StarWorld(fed_hosts(o), {kBandwidth, kLatency}, split(o.data, 0), split(o.data, 1),
                  small_mlp(o.data.features, o.data.classes), ml::make_sgd(o.sgd), o.stop, o.eval,
                  o.seed),
        options(o) {
    ctx.partition = o.partition;
  }

  std::vector<int> client_indices() const {
    std::vector<int> indices;
    for (int i = 1; i <= options.clients; ++i) indices.push_back(i);
    return indices;
  }

  algo::FedAvg& run_fedavg(algo::FedAvgConfig config) {
    config.server = 0;
    config.clients = client_indices();
    config.record_rounds = true;
    fedavg = &launch(std::make_unique<algo::FedAvg>(config));
    run();
    return *fedavg;
  }

  WorldOptions options;
  algo::FedAvg* fedavg = nullptr;
  std::vector<sim::NodeClock> clocks;  // set ctx.clocks to use them
};

}  // namespace

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

  const float max_diff = (fedavg.global_parameters() - ps_sync.global_parameters()).cwiseAbs().maxCoeff();
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

TEST_CASE("a fedavg deadline drops exactly the clients whose updates arrive after it") {
  // Four clients, one batch each, FLOP/s 1, 2, 4 and 8 GFLOP/s: their uploads
  // are far apart, so each crosses the network alone.
  WorldOptions options;
  options.client_flops = {1e9, 2e9, 4e9, 8e9};
  options.stop = {0, 0.0, 4, 0.0};
  World probe(options);
  const ml::Mlp model(probe.spec);
  const double bytes = static_cast<double>(model.num_parameters()) * sizeof(float);
  // The download: 4 flows share the server's link (B / 4 each), two links.
  const double download = 4 * bytes / kBandwidth + 2e-9 * kLatency;
  const double upload = bytes / kBandwidth + 2e-9 * kLatency;
  std::vector<double> arrival;  // seconds after the round start, client order
  for (double flops : options.client_flops) {
    arrival.push_back(download + model.train_flops_per_sample() * 128 / flops + upload);
  }
  // Arrivals: about 0.34, 0.19, 0.12 and 0.09 ms.
  const int cut = GENERATE(1, 2, 3);  // the deadline falls between arrival[cut - 1] and arrival[cut]
  CAPTURE(cut);
  const double deadline = 0.5 * (arrival[static_cast<std::size_t>(cut - 1)] + arrival[static_cast<std::size_t>(cut)]);
  std::vector<int> late, accepted;
  for (int c = 0; c < 4; ++c) (arrival[static_cast<std::size_t>(c)] > deadline ? late : accepted).push_back(c);

  World world(options);
  algo::FedAvgConfig config;
  config.batch_size = 128;  // one batch of the 128-sample shard
  config.deadline = sim::from_seconds(deadline);
  const algo::FedAvg& fedavg = world.run_fedavg(config);

  REQUIRE(fedavg.rounds().size() == 4);
  const sim::Time aggregate = sim::from_seconds(
      algo::FedAvg::aggregate_flops(model.num_parameters(), static_cast<int>(accepted.size())) / 100e9);
  for (const algo::FedAvgRound& round : fedavg.rounds()) {
    INFO("round " << round.round);
    CHECK(round.late == late);
    CHECK(round.accepted == accepted);
    CHECK(round.offline.empty());
    // The server waits exactly the deadline, then averages.
    CHECK(round.end - round.start == config.deadline + aggregate);
  }
  CHECK(fedavg.stats().late == 4 * static_cast<std::int64_t>(late.size()));
  CHECK(world.monitor->totals().updates_dropped == 4 * static_cast<std::int64_t>(late.size()));
  CHECK(world.monitor->totals().updates_applied == 4 * static_cast<std::int64_t>(accepted.size()));
}

TEST_CASE("fedavg without a deadline waits for the slowest client") {
  WorldOptions options;
  options.client_flops = {1e9, 2e9, 4e9, 8e9};
  options.stop = {0, 0.0, 1, 0.0};
  World world(options);
  algo::FedAvgConfig config;
  config.batch_size = 128;
  const algo::FedAvg& fedavg = world.run_fedavg(config);
  const ml::Mlp model(world.spec);
  const double bytes = static_cast<double>(model.num_parameters()) * sizeof(float);
  const double expected = 4 * bytes / kBandwidth + 2e-9 * kLatency +
                          model.train_flops_per_sample() * 128 / 1e9 + bytes / kBandwidth +
                          2e-9 * kLatency + algo::FedAvg::aggregate_flops(model.num_parameters(), 4) / 100e9;
  REQUIRE(fedavg.rounds().size() == 1);
  const algo::FedAvgRound& round = fedavg.rounds().front();
  CHECK(round.accepted == std::vector<int>{0, 1, 2, 3});
  // Within a few ns of rounding (durations are rounded to ns per piece).
  CHECK(std::abs(static_cast<double>(round.end - round.start) - expected * 1e9) < 5.0);
}

TEST_CASE("fedavg client sampling and availability draws are seeded") {
  WorldOptions options;
  options.clients = 20;
  options.data.samples = 400;
  options.stop = {0, 0.0, 60, 0.0};
  options.eval = {0, 0};
  algo::FedAvgConfig config;
  config.clients_per_round = 8;
  config.availability = 0.5;
  config.batch_size = 32;

  auto run = [&](std::uint64_t seed) {
    WorldOptions o = options;
    o.seed = seed;
    auto world = std::make_unique<World>(o);
    world->run_fedavg(config);
    return world;
  };
  const auto first = run(kSeed);
  const auto& rounds = first->fedavg->rounds();
  REQUIRE(rounds.size() == 60);

  SECTION("every round samples K distinct clients, and offline ones never train") {
    for (const algo::FedAvgRound& r : rounds) {
      CHECK(r.sampled.size() == 8);
      CHECK(std::adjacent_find(r.sampled.begin(), r.sampled.end()) == r.sampled.end());
      CHECK(r.accepted.size() + r.offline.size() == 8);
      for (int c : r.offline) CHECK(std::find(r.accepted.begin(), r.accepted.end(), c) == r.accepted.end());
    }
  }
  SECTION("about the availability share is online, and offline clients count as dropped") {
    const algo::FedAvgStats& s = first->fedavg->stats();
    const double online = static_cast<double>(s.accepted) / static_cast<double>(s.sampled);
    INFO("online share " << online);
    CHECK(online == Approx(0.5).margin(0.1));
    CHECK(first->monitor->totals().updates_dropped == s.offline);
  }
  SECTION("the same seed gives the same rounds") {
    const auto second = run(kSeed);
    for (std::size_t i = 0; i < rounds.size(); ++i) {
      CHECK(second->fedavg->rounds()[i].sampled == rounds[i].sampled);
      CHECK(second->fedavg->rounds()[i].offline == rounds[i].offline);
    }
    CHECK(second->fedavg->global_parameters() == first->fedavg->global_parameters());
  }
  SECTION("another seed gives other rounds") {
    const auto other = run(kSeed + 1);
    int same = 0;
    for (std::size_t i = 0; i < rounds.size(); ++i) {
      same += other->fedavg->rounds()[i].sampled == rounds[i].sampled ? 1 : 0;
    }
    CHECK(same < 5);
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
    const algo::Assignment a = algo::assign_work(world.ctx, world.client_indices(), 16, algo::AssignmentPolicy::equal);
    CHECK(a.shards == ml::partition_shards(world.train.labels, 4, 2, algo::partition_seed(kSeed)));
  }
  SECTION("dirichlet: the partition of ml::partition_dirichlet with the run's partition seed") {
    world.ctx.partition = {ml::PartitionKind::dirichlet, 0.3, 2};
    const algo::Assignment a = algo::assign_work(world.ctx, world.client_indices(), 16, algo::AssignmentPolicy::equal);
    CHECK(a.shards == ml::partition_dirichlet(world.train.labels, 4, 4, 0.3, algo::partition_seed(kSeed)));
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

TEST_CASE("fedavg deadlines on local clocks: a client ahead gives up, one behind uploads late") {
  // The four clients of the test above, with the deadline between the slowest
  // client's arrival (~0.34 ms) and the next (~0.19 ms): with perfect clocks
  // only client 0 is late.
  WorldOptions options;
  options.client_flops = {1e9, 2e9, 4e9, 8e9};
  options.stop = {0, 0.0, 2, 0.0};
  World world(options);
  const ml::Mlp model(world.spec);
  const double bytes = static_cast<double>(model.num_parameters()) * sizeof(float);
  const double download = 4 * bytes / kBandwidth + 2e-9 * kLatency;
  const double upload = bytes / kBandwidth + 2e-9 * kLatency;
  const auto arrival = [&](double flops) {
    return download + model.train_flops_per_sample() * 128 / flops + upload;
  };
  const sim::Time deadline = sim::from_seconds(0.5 * (arrival(1e9) + arrival(2e9)));

  // Clocks: the server +1000 ppm fast; client 0 1 ms behind (it believes it
  // has time), client 2 10 us ahead (harmless), client 3 1 ms ahead (it reads
  // the close time before it even starts).
  world.clocks.resize(static_cast<std::size_t>(world.topo.node_count()));
  const auto set_clock = [&](const std::string& node, sim::Time offset, double drift) {
    world.clocks[static_cast<std::size_t>(*world.topo.find(node))] =
        sim::NodeClock({offset, drift}, sim::RandomStream(1, node, "clock"));
  };
  set_clock("server", 0, 1000.0);
  set_clock("client0", -1'000'000, 0.0);
  set_clock("client2", 10'000, 0.0);
  set_clock("client3", 1'000'000, 0.0);
  world.ctx.clocks = &world.clocks;

  algo::FedAvgConfig config;
  config.batch_size = 128;
  config.deadline = deadline;
  const algo::FedAvg& fedavg = world.run_fedavg(config);

  REQUIRE(fedavg.rounds().size() == 2);
  const algo::FedAvgRound& first = fedavg.rounds().front();
  CHECK(first.accepted == std::vector<int>{1, 2});
  CHECK(first.late == std::vector<int>{0, 3});
  // The server closes when its own clock has run the deadline: D / 1.001 of true time.
  const sim::Time aggregate =
      sim::from_seconds(algo::FedAvg::aggregate_flops(model.num_parameters(), 2) / 100e9);
  CHECK(first.end - first.start ==
        std::llround(static_cast<double>(deadline) / 1.001) + aggregate);
  // Client 0 uploaded anyway (once, in round 0: the run ends before its
  // round-1 upload) and the server threw it away on arrival; client 3 never
  // uploaded; clients 1 and 2 uploaded in both rounds.
  CHECK(fedavg.stats().discarded == 1);
  const auto sent = [&](const std::string& node) { return world.net->bytes_sent(*world.topo.find(node)); };
  CHECK(sent("client0") == bytes);
  CHECK(sent("client3") == 0.0);
  CHECK(sent("client1") == 2 * bytes);
  CHECK(world.monitor->totals().updates_dropped == 4);
  CHECK(world.monitor->totals().updates_dropped_offline == 0);
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
  double wire_bytes(std::int64_t elements) const override { return 2.0 * static_cast<double>(elements); }

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
  double flops(std::int64_t parameters, int count) const override { return mean_.flops(parameters, count); }

 private:
  algo::WeightedMean mean_;
  int* calls_;
  int* combined_;
};

}  // namespace

TEST_CASE("fedavg clients upload through their compressor and the server combines with its aggregator") {
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
  const float diff = (fedavg.global_parameters() - reference.global_parameters()).cwiseAbs().maxCoeff();
  INFO("largest parameter difference " << diff);
  CHECK(diff == 0.0f);
  REQUIRE(fedavg.rounds().size() == 3);
  CHECK(fedavg.rounds().back().end < reference.rounds().back().end);
  const double parameters = static_cast<double>(reference.global_parameters().size());
  CHECK(plain.net->total_bytes_sent() - plugged.net->total_bytes_sent() == 12 * 2.0 * parameters);
}
