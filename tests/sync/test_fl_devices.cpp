// FedAvg's client devices against independent oracles: availability traces
// (hand-computed online sets), the diurnal generator (its parameters,
// statistically), device tiers (alpha-beta transfer times by hand),
// over-selection (o = 0 is the plain run; o > 0 drops exactly the extra
// clients as late) and Oort's ranking (utilities by hand).
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "algorithms/runtime/client_availability.h"
#include "algorithms/runtime/client_selection.h"
#include "algorithms/runtime/device_tiers.h"
#include "fedavg_world.h"

using namespace fedavg_world;

namespace {
constexpr sim::Time kForever = 1000 * sim::kSecond;
}

TEST_CASE("an availability trace is sorted and merged, and answers who is online when") {
  using algo::OnlineInterval;
  algo::ClientAvailability a = algo::ClientAvailability::from_intervals({
      {{50, 60}, {10, 20}, {15, 30}, {30, 40}},  // unsorted, overlapping, touching
      {},
  });
  SECTION("merged") {
    CHECK(a.online(0, 10));
    CHECK(a.online(0, 39));
    CHECK_FALSE(a.online(0, 40));
    CHECK_FALSE(a.online(0, 9));
    CHECK(a.online_until(0, 12) == sim::Time{40});
    CHECK(a.online_until(0, 55) == sim::Time{60});
    CHECK_FALSE(a.online_until(0, 45));
  }
  SECTION("a client without intervals is never online") { CHECK_FALSE(a.online(1, 0)); }
  SECTION("bad intervals are refused") {
    CHECK_THROWS_AS(algo::ClientAvailability::from_intervals({{{5, 5}}}), std::invalid_argument);
    CHECK_THROWS_AS(algo::ClientAvailability::from_intervals({{{-1, 5}}}), std::invalid_argument);
  }
}

TEST_CASE("a trace-driven fedavg samples exactly the clients the trace says are online") {
  // Six clients; every round of this run ends within the first millisecond.
  // Online at t = 0: clients 0, 2 and 4; client 4 goes offline 1 ns later,
  // long before its upload, so its update is dropped as offline in round 0
  // and it is never sampled again. Client 1 comes online only at 1 s,
  // client 5 only in [0.5 s, 0.6 s), client 3 never.
  WorldOptions options;
  options.clients = 6;
  options.stop = {0, 0.0, 4, 0.0};
  World world(options);
  algo::FedAvgConfig config;
  config.batch_size = 128;
  config.devices.availability_trace = std::vector<std::vector<algo::OnlineInterval>>{
      {{0, kForever}}, {{sim::kSecond, kForever}},
      {{0, kForever}}, {},
      {{0, 1}},        {{sim::kSecond / 2, 6 * sim::kSecond / 10}},
  };
  const algo::FedAvg& fedavg = world.run_fedavg(config);
  REQUIRE(fedavg.rounds().size() == 4);
  const algo::FedAvgRound& first = fedavg.rounds()[0];
  CHECK(first.sampled == std::vector<int>{0, 2, 4});
  CHECK(first.offline == std::vector<int>{4});
  CHECK(first.accepted == std::vector<int>{0, 2});
  for (std::size_t r = 1; r < 4; ++r) {
    INFO("round " << r);
    CHECK(fedavg.rounds()[r].start < sim::kSecond / 1000);
    CHECK(fedavg.rounds()[r].sampled == std::vector<int>{0, 2});
    CHECK(fedavg.rounds()[r].accepted == std::vector<int>{0, 2});
  }
  // Client 4 stops when its device goes: it never uploads. Models on the
  // wire: 3 downloads and 2 uploads in round 0, 2 and 2 in each other round.
  const ml::Mlp model(world.spec);
  const double bytes = static_cast<double>(model.num_parameters()) * sizeof(float);
  CHECK(world.net->total_bytes_sent() == 17 * bytes);
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.dropped_by_reason.at("offline") == 1);
  CHECK(t.updates_produced == 9);
  CHECK(t.updates_applied == 8);
  CHECK(t.updates_produced == t.updates_applied + t.updates_dropped + t.updates_lost);
}

TEST_CASE("the diurnal generator's online fraction and session length match its parameters") {
  algo::DiurnalAvailability d;
  d.period = 1000 * sim::kSecond;
  d.mean_session = sim::kSecond;
  d.peak = 0.8;
  d.trough = 0.2;
  constexpr int kClients = 4000;
  std::vector<std::uint64_t> seeds;
  for (int c = 0; c < kClients; ++c)
    seeds.push_back(sim::derive_seed(5, "client" + std::to_string(c), "fl"));
  algo::ClientAvailability a = algo::ClientAvailability::diurnal(d, seeds);
  // p(t) by hand: peak at 0, the mean of peak and trough a quarter period
  // later, the trough at half, the mean again at three quarters.
  const std::vector<std::pair<sim::Time, double>> expected = {{0, 0.8},
                                                              {250 * sim::kSecond, 0.5},
                                                              {500 * sim::kSecond, 0.2},
                                                              {750 * sim::kSecond, 0.5},
                                                              {1000 * sim::kSecond, 0.8}};
  for (const auto& [t, p] : expected) {
    CHECK(d.fraction_online(t) == Approx(p).margin(1e-12));
    int online = 0;
    double remaining = 0.0;  // of the session holding t: Exp(mean_session), memoryless
    for (int c = 0; c < kClients; ++c) {
      if (auto until = a.online_until(c, t)) {
        ++online;
        remaining += sim::to_seconds(*until - t);
      }
    }
    const double fraction = static_cast<double>(online) / kClients;
    INFO("t = " << sim::to_seconds(t) << " s: " << fraction << " online, p(t) = " << p);
    // 4 standard deviations of a binomial fraction, plus the lag of about one
    // session behind p(t) (at most 2 pi / 1000 x 0.3 per second).
    CHECK(std::abs(fraction - p) < 4 * std::sqrt(p * (1 - p) / kClients) + 0.003);
    const double mean_remaining = remaining / online;
    CHECK(std::abs(mean_remaining - 1.0) < 4.0 / std::sqrt(online));
  }
}

TEST_CASE("a device tier's link speeds and compute factor show exactly in a client's round") {
  // One client: download over its downlink, its 512-sample shard (4
  // batches) at half its FLOP/s,
  // upload over its uplink; both client links are slower than the server's,
  // so they are the bottlenecks (alpha-beta: 2 latencies + bytes / rate).
  WorldOptions options;
  options.clients = 1;
  options.client_flops = {1e9};
  options.stop = {0, 0.0, 1, 0.0};
  World world(options);
  const ml::Mlp model(world.spec);
  const double bytes = static_cast<double>(model.num_parameters()) * sizeof(float);
  const double down = 1e6, up = 2.5e5;  // bytes/s
  algo::FedAvgConfig config;
  config.batch_size = 128;
  config.devices.tiers = {{"phone", 1.0, {0.5, up, down}}};
  const algo::FedAvg& fedavg = world.run_fedavg(config);
  const double expected = bytes / down + 2e-9 * kLatency +
                          model.train_flops_per_sample() * 512 / (0.5 * 1e9) + bytes / up +
                          2e-9 * kLatency +
                          algo::FedAvg::aggregate_flops(model.num_parameters(), 1) / 100e9;
  REQUIRE(fedavg.rounds().size() == 1);
  const algo::FedAvgRound& round = fedavg.rounds().front();
  CHECK(std::abs(static_cast<double>(round.end - round.start) - expected * 1e9) < 5.0);
}

TEST_CASE("tiers are drawn per client by share, each client from its own stream") {
  const std::vector<algo::DeviceTier> tiers = {{"phone", 0.7, {0.2, 1, 2}},
                                               {"desktop", 0.3, {1.0, 3, 4}}};
  std::vector<std::uint64_t> seeds;
  for (int c = 0; c < 20000; ++c)
    seeds.push_back(sim::derive_seed(9, "c" + std::to_string(c), "t"));
  const auto profiles = algo::assign_tiers(tiers, seeds);
  int phones = 0;
  for (const auto& p : profiles) phones += p.compute == 0.2 ? 1 : 0;
  const double share = phones / 20000.0;
  CHECK(std::abs(share - 0.7) < 4 * std::sqrt(0.7 * 0.3 / 20000));
  // Dropping the first client leaves every other client's tier as it was.
  const std::vector<std::uint64_t> rest(seeds.begin() + 1, seeds.end());
  const auto again = algo::assign_tiers(tiers, rest);
  for (std::size_t k = 0; k < again.size(); ++k)
    REQUIRE(again[k].compute == profiles[k + 1].compute);
  CHECK_THROWS_AS(algo::assign_tiers({{"a", 0.5, {}}}, seeds), std::invalid_argument);
}

TEST_CASE("over-selection keeps the first K updates and drops the rest as late") {
  WorldOptions options;
  options.clients = 8;
  // Distinct speeds, far apart: the first K arrivals are the K fastest sampled.
  options.client_flops = {1e9, 2e9, 3e9, 4e9, 5e9, 6e9, 7e9, 8e9};
  options.stop = {0, 0.0, 5, 0.0};
  algo::FedAvgConfig config;
  config.batch_size = 64;
  config.clients_per_round = 4;
  SECTION("o = 0 is the plain run, bit for bit") {
    World plain(options), zero(options);
    const algo::FedAvg& a = plain.run_fedavg(config);
    config.devices.over_selection = 0.0;
    const algo::FedAvg& b = zero.run_fedavg(config);
    CHECK(a.global_parameters() == b.global_parameters());
    REQUIRE(a.rounds().size() == b.rounds().size());
    for (std::size_t r = 0; r < a.rounds().size(); ++r) {
      CHECK(a.rounds()[r].sampled == b.rounds()[r].sampled);
      CHECK(a.rounds()[r].end == b.rounds()[r].end);
    }
  }
  SECTION("o = 0.5 samples ceil(4 x 1.5) = 6 and drops 2 late per round") {
    World world(options);
    config.devices.over_selection = 0.5;
    const algo::FedAvg& f = world.run_fedavg(config);
    REQUIRE(f.rounds().size() == 5);
    for (const algo::FedAvgRound& round : f.rounds()) {
      INFO("round " << round.round);
      REQUIRE(round.sampled.size() == 6);
      // The two slowest sampled (lowest positions: lowest FLOP/s) are late.
      CHECK(round.late == std::vector<int>{round.sampled[0], round.sampled[1]});
      CHECK(round.accepted == std::vector<int>(round.sampled.begin() + 2, round.sampled.end()));
    }
    CHECK(f.stats().late == 10);
    const algo::RunTotals& t = world.monitor->totals();
    CHECK(t.dropped_by_reason.at("late") == 10);
    CHECK(t.updates_produced == t.updates_applied + t.updates_dropped + t.updates_lost);
  }
  SECTION("ceil(K (1 + o)) is exact where K (1 + o) is an integer") {
    CHECK(algo::over_selected(10, 0.1, 100) == 11);
    CHECK(algo::over_selected(4, 0.3, 100) == 6);
    CHECK(algo::over_selected(4, 0.0, 100) == 4);
    CHECK(algo::over_selected(4, 5.0, 8) == 8);
  }
}

TEST_CASE("oort ranks explored clients by its utility, computed here by hand") {
  algo::OortConfig oort;
  oort.exploration = 0.0;
  oort.alpha = 2.0;
  oort.preferred_duration = sim::kSecond;
  algo::ClientSelector selector(algo::SelectionPolicy::oort, oort, 6);
  // U = L sqrt(n) (T / d)^alpha when d > T:
  selector.observe(0, 1.0, 100, 2 * sim::kSecond);  // 1 x 10 x (1/2)^2 = 2.5
  selector.observe(1, 0.5, 64, sim::kSecond / 2);   // 0.5 x 8 = 4
  selector.observe(2, 2.0, 16, sim::kSecond);       // 2 x 4 = 8 (d = T: no penalty)
  selector.observe(3, 3.0, 9, 4 * sim::kSecond);    // 3 x 3 x (1/4)^2 = 0.5625
  CHECK(selector.utility(0) == Approx(2.5));
  CHECK(selector.utility(1) == Approx(4.0));
  CHECK(selector.utility(2) == Approx(8.0));
  CHECK(selector.utility(3) == Approx(0.5625));
  sim::RandomStream sampling(1);
  const std::vector<int> explored = {0, 1, 2, 3};
  CHECK(selector.select(explored, 1, sampling) == std::vector<int>{2});
  CHECK(selector.select(explored, 2, sampling) == std::vector<int>{1, 2});
  CHECK(selector.select(explored, 3, sampling) == std::vector<int>{0, 1, 2});
  SECTION("exploration 1.0 fills every slot it can with unexplored clients") {
    oort.exploration = 1.0;
    algo::ClientSelector explorer(algo::SelectionPolicy::oort, oort, 6);
    for (int c = 0; c < 4; ++c) explorer.observe(c, 1.0, 1, 1);
    CHECK(explorer.select({0, 1, 2, 3, 4, 5}, 2, sampling) == std::vector<int>{4, 5});
    CHECK(explorer.select({0, 1, 2, 3, 4, 5}, 3, sampling).size() == 3);
  }
}

TEST_CASE("oort with exploration 1.0 visits every client before it revisits one") {
  WorldOptions options;
  options.clients = 8;
  options.stop = {0, 0.0, 4, 0.0};
  World world(options);
  algo::FedAvgConfig config;
  config.batch_size = 64;
  config.clients_per_round = 2;
  config.devices.selection = algo::SelectionPolicy::oort;
  config.devices.oort.exploration = 1.0;
  const algo::FedAvg& f = world.run_fedavg(config);
  REQUIRE(f.rounds().size() == 4);
  std::set<int> seen;
  for (const algo::FedAvgRound& round : f.rounds()) {
    for (int c : round.sampled) CHECK(seen.insert(c).second);
  }
  CHECK(seen.size() == 8);
}
