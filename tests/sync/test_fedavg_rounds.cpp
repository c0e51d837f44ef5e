// fedavg's rounds against independent oracles:
//  - the timing: a deadline drops exactly the clients whose hand-computed
//    arrival time is past it, on the server's clock; a client's own clock
//    decides when it gives up;
//  - the randomness: client sampling and availability draws are seeded.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "algorithms/runtime/training_seeds.h"
#include "fedavg_world.h"

using namespace fedavg_world;

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
  const int cut =
      GENERATE(1, 2, 3);  // the deadline falls between arrival[cut - 1] and arrival[cut]
  CAPTURE(cut);
  const double deadline =
      0.5 * (arrival[static_cast<std::size_t>(cut - 1)] + arrival[static_cast<std::size_t>(cut)]);
  std::vector<int> late, accepted;
  for (int c = 0; c < 4; ++c)
    (arrival[static_cast<std::size_t>(c)] > deadline ? late : accepted).push_back(c);

  World world(options);
  algo::FedAvgConfig config;
  config.batch_size = 128;  // one batch of the 128-sample shard
  config.deadline = sim::from_seconds(deadline);
  const algo::FedAvg& fedavg = world.run_fedavg(config);

  REQUIRE(fedavg.rounds().size() == 4);
  const sim::Time aggregate = sim::from_seconds(
      algo::FedAvg::aggregate_flops(model.num_parameters(), static_cast<int>(accepted.size())) /
      100e9);
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
                          2e-9 * kLatency +
                          algo::FedAvg::aggregate_flops(model.num_parameters(), 4) / 100e9;
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
      for (int c : r.offline)
        CHECK(std::find(r.accepted.begin(), r.accepted.end(), c) == r.accepted.end());
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
  CHECK(first.end - first.start == std::llround(static_cast<double>(deadline) / 1.001) + aggregate);
  // Client 0 uploaded anyway (once, in round 0: the run ends before its
  // round-1 upload) and the server threw it away on arrival; client 3 never
  // uploaded; clients 1 and 2 uploaded in both rounds.
  CHECK(fedavg.stats().discarded == 1);
  const auto sent = [&](const std::string& node) {
    return world.net->bytes_sent(*world.topo.find(node));
  };
  CHECK(sent("client0") == bytes);
  CHECK(sent("client3") == 0.0);
  CHECK(sent("client1") == 2 * bytes);
  CHECK(world.monitor->totals().updates_dropped == 4);
  CHECK(world.monitor->totals().updates_dropped_offline == 0);
}
