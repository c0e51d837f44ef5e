// NTP-style synchronisation over the simulated network, checked against the
// on-wire formula: symmetric paths leave no error beyond rounding; asymmetric
// one-way delays leave exactly (d_up - d_down) / 2. And Lamport clocks on
// every message an algorithm sends.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <string>

#include "algorithms/services/clock_sync.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/sync/ps_sync.h"
#include "sim/lamport.h"
#include "star_world.h"
#include "topology/builders.h"

using namespace sim::literals;

namespace {

// server (host 0) and client (host 1) on one switch.
struct SyncWorld {
  SyncWorld(double bandwidth, sim::Time latency, sim::ClockParams server_clock,
            sim::ClockParams client_clock)
      : topo(topology::build_star({"server", "client"}, {bandwidth, latency})), net(sim, topo) {
    clocks.emplace_back(server_clock, sim::RandomStream(1, "server", "clock"));
    clocks.emplace_back(client_clock, sim::RandomStream(1, "client", "clock"));
  }
  algo::ClockSync& start(sim::Time interval, sim::Time until) {
    algo::ClockSyncConfig config;
    config.server = 0;
    config.clients = {1};
    config.interval = interval;
    config.until = until;
    sync = std::make_unique<algo::ClockSync>(sim, net, clocks, config);
    sync->launch();
    return *sync;
  }
  // Client minus server reading at the current true time.
  sim::Time client_error() {
    return clocks[1].local_time(sim.now()) - clocks[0].local_time(sim.now());
  }

  std::unique_ptr<algo::ClockSync> sync;  // destroyed after sim (its frames refer to it)
  sim::Simulator sim;
  topology::Topology topo;
  topology::Network net;
  std::vector<sim::NodeClock> clocks;
};

}  // namespace

TEST_CASE("the NTP offset and delay follow the on-wire formula") {
  SECTION("hand-computed timestamps") {
    const algo::NtpSample s{100, 250, 260, 200};
    CHECK(s.offset() == 105);  // ((250 - 100) + (260 - 200)) / 2
    CHECK(s.delay() == 90);    // (200 - 100) - (260 - 250)
  }
  SECTION("an odd sum truncates toward zero") {
    CHECK(algo::NtpSample{0, 1, 1, 1}.offset() == 0);
    CHECK(algo::NtpSample{0, -2, -2, 1}.offset() == -2);
  }
}

TEST_CASE("one exchange over symmetric paths removes the whole offset") {
  SECTION("offsets only: the client reads exactly the server's time afterwards") {
    SyncWorld w(1e9, 5_us, {0, 0.0}, {3_ms, 0.0});
    algo::ClockSync& sync = w.start(1_s, 1);
    w.sim.run_until(2_s);  // run() would return at once: sync processes are daemons
    REQUIRE(sync.exchanges() == 1);
    CHECK(w.client_error() == 0);
    // Path: two 5 us links and 90 bytes at 1 GB/s = 90 ns, each way.
    CHECK(sync.samples()[0][0].delay() == 2 * (10'000 + 90));
    CHECK(sync.messages_sent() == 2);
    CHECK(sync.bytes_sent() == 180.0);
    CHECK(w.net.total_bytes_sent() == 180.0);
  }
  SECTION("with drift the residual is the drift over one exchange, a few nanoseconds") {
    SyncWorld w(1e9, 5_us, {-2_ms, -20.0}, {3_ms, 50.0});
    w.start(1_s, 1);
    w.sim.run_until(20'180);  // the reply lands at 2 x 10,090 ns
    // 70 ppm of relative drift over a 20 us round trip: 1.4 ns at most.
    CHECK(std::llabs(w.client_error()) <= 2);
  }
}

TEST_CASE("asymmetric one-way delays leave exactly half their difference") {
  // A long server -> client transfer halves the reply's rate on both of its
  // links, the request's path is free: d_up = 10 us + 90 B / 1 MB/s = 100 us,
  // d_down = 10 us + 90 B / 0.5 MB/s = 190 us.
  SyncWorld w(1e6, 5_us, {0, 0.0}, {3_ms, 0.0});
  w.net.start_transfer(0, 1, 1e6, [] {});
  algo::ClockSync& sync = w.start(1_s, 1);
  w.sim.run_until(1_ms);
  REQUIRE(sync.exchanges() == 1);
  const algo::NtpSample s = sync.samples()[0][0];
  SECTION("the one-way delays are the hand-computed ones") {
    const sim::Time d_up = s.t2 - 0;                // server clock = true time
    const sim::Time d_down = (s.t4 - 3_ms) - s.t3;  // the client's offset before the step
    CHECK(d_up == 100'000);
    CHECK(d_down == 190'000);
  }
  SECTION("the client ends (d_up - d_down) / 2 from the server, to the nanosecond") {
    CHECK(w.client_error() == (100'000 - 190'000) / 2);
    CHECK(s.delay() == 290'000);
  }
}

TEST_CASE("periodic exchanges repeat every interval of the client's clock") {
  SyncWorld w(1e9, 5_us, {0, 0.0}, {1_ms, 100.0});
  algo::ClockSync& sync = w.start(1_s, 3_s + 1);
  w.sim.run_until(3_s);
  SECTION("four exchanges in three seconds, each leaving the error at a few ns") {
    // Exchange k starts at k x (1 s / 1.0001) + k x 20.18 us of true time.
    CHECK(sync.exchanges() == 4);
    // 20,180 ns of true round trip, read on the client's clock at +100 ppm.
    for (const algo::NtpSample& s : sync.samples()[0]) CHECK(s.delay() == 20'182);
    // The last step was at about 2.99978 s; 220 us at +100 ppm is 22 ns.
    CHECK(std::llabs(w.client_error() - 22) <= 2);
  }
  SECTION("between exchanges the fast client drifts 100 us per second again") {
    const algo::NtpSample second = sync.samples()[0][1];
    // The client slept 1 s / 1.0001 = 999,900,010 ns after its step; at
    // +100 ppm it gained 99,991 ns by the middle of the next exchange, plus
    // the ~1 ns left by the first.
    CHECK(std::llabs(second.offset() + 99'991) <= 2);
  }
}

TEST_CASE("a slewing client removes the offset gradually at the slew rate") {
  SyncWorld w(1e9, 5_us, {0, 0.0}, {100_us, 0.0});
  algo::ClockSyncConfig config;
  config.server = 0;
  config.clients = {1};
  config.until = 1;
  config.correction = algo::ClockSyncConfig::Correction::slew;
  config.slew_rate_ppm = 500.0;
  algo::ClockSync sync(w.sim, w.net, w.clocks, config);
  sync.launch();
  // The reply lands at 20,180 ns; -100 us at 500 ppm takes 200 ms from there.
  w.sim.run_until(20'180);
  SECTION("right after the exchange the whole offset is still there") {
    CHECK(w.client_error() == 100'000);
  }
  SECTION("halfway through, half of it") {
    w.sim.run_until(20'180 + 100_ms);
    CHECK(w.client_error() == 50'000);
  }
  SECTION("at the end, none of it, exactly") {
    w.sim.run_until(20'180 + 200_ms);
    CHECK(w.client_error() == 0);
    w.sim.run_until(5_s);
    CHECK(w.client_error() == 0);
  }
}

TEST_CASE("bad clock sync configurations are rejected") {
  SyncWorld w(1e9, 5_us, {}, {});
  algo::ClockSyncConfig config;
  config.server = 0;
  config.clients = {1};
  SECTION("no clients") {
    config.clients.clear();
    CHECK_THROWS_AS(algo::ClockSync(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
  SECTION("a zero interval") {
    config.interval = 0;
    CHECK_THROWS_AS(algo::ClockSync(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
  SECTION("the server as its own client") {
    config.clients = {0};
    CHECK_THROWS_AS(algo::ClockSync(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
  SECTION("a slew rate of zero") {
    config.correction = algo::ClockSyncConfig::Correction::slew;
    config.slew_rate_ppm = 0;
    CHECK_THROWS_AS(algo::ClockSync(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
  SECTION("a node without a clock") {
    config.clients = {7};
    CHECK_THROWS_AS(algo::ClockSync(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
}

namespace {

// Passes a token around a ring of `hops` sends, recording each send's stamp.
sim::Task relay(topology::Network& net, int self, int next,
                std::vector<std::unique_ptr<sim::Mailbox<int>>>& boxes, int hops,
                std::vector<std::uint64_t>& send_stamps) {
  while (true) {
    const int token = co_await boxes[static_cast<std::size_t>(self)]->receive();
    if (token >= hops) co_return;
    send_stamps.push_back(net.lamport_clocks()->value(self) + 1);
    algo::send_message(net, self, next, 100.0, *boxes[static_cast<std::size_t>(next)], token + 1);
  }
}

}  // namespace

TEST_CASE("Lamport clocks ride on every message") {
  SECTION("along a causal chain the timestamps strictly increase") {
    sim::Simulator sim;
    const topology::Topology topo = topology::build_star({"a", "b", "c"}, {1e9, 1_us});
    topology::Network net(sim, topo);
    sim::LamportClocks lamport(static_cast<std::size_t>(topo.node_count()));
    lamport.enable_log(true);
    net.set_lamport_clocks(&lamport);
    std::vector<std::unique_ptr<sim::Mailbox<int>>> boxes;
    for (int i = 0; i < 3; ++i) boxes.push_back(std::make_unique<sim::Mailbox<int>>(sim));
    std::vector<std::uint64_t> stamps;
    for (int i = 0; i < 3; ++i) sim.spawn(relay(net, i, (i + 1) % 3, boxes, 7, stamps));
    boxes[0]->send(0);
    sim.run();
    REQUIRE(lamport.log().size() == 7);
    REQUIRE(stamps.size() == 7);
    for (std::size_t i = 0; i < lamport.log().size(); ++i) {
      const sim::LamportClocks::Delivery& d = lamport.log()[i];
      CHECK(d.send_stamp == stamps[i]);
      CHECK(d.send_stamp < d.receive_stamp);
      if (i > 0) CHECK(lamport.log()[i - 1].receive_stamp < d.send_stamp);
    }
    CHECK(lamport.log().back().receive_stamp == 14);  // 7 sends and 7 deliveries in one chain
  }
  SECTION("every message of a real algorithm run is stamped below its delivery") {
    sim::LamportClocks lamport(4);
    lamport.enable_log(true);
    StarWorld w({{"server", 100e9}, {"worker0", 50e9}, {"worker1", 50e9}}, {1.25e9, 5_us},
                StarWorld::synthetic(256, 3), StarWorld::synthetic(64, 4), StarWorld::small_mlp(),
                ml::make_sgd({0.1f, 0.0f, 0.0f, false}), algo::StopCondition{0, 0.0, 5, 0.0},
                algo::EvalSchedule{}, 7);
    w.net->set_lamport_clocks(&lamport);
    algo::PsSyncConfig config;
    config.server = 0;
    config.workers = {1, 2};
    w.launch(std::make_unique<algo::PsSync>(config));
    w.run();
    REQUIRE(lamport.log().size() >= 20);  // 5 steps x 2 workers x (model + gradient)
    std::map<int, std::uint64_t> last_receive;
    for (const sim::LamportClocks::Delivery& d : lamport.log()) {
      CHECK(d.send_stamp < d.receive_stamp);
      CHECK(last_receive[d.to] < d.receive_stamp);  // each node's clock only moves forward
      last_receive[d.to] = d.receive_stamp;
    }
  }
}
