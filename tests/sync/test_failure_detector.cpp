// The heartbeat failure detector against hand-computed suspicion times, from
// the clock formula local(t) = offset + t + llround(drift x 1e-6 x t) and
// lone-flow delivery times on a star (two links of latency L, bytes / B).
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <vector>

#include "algorithms/services/clock_sync.h"
#include "algorithms/services/failure_detector.h"
#include "topology/builders.h"

using namespace sim::literals;
using Since = algo::FailureDetectorConfig::Since;

namespace {

constexpr double kBandwidth = 1e9;     // bytes/s
constexpr sim::Time kLatency = 5'000;  // per link
// A 64-byte heartbeat alone on the star: 64 ns of draining, two latencies.
constexpr sim::Time kDelay = 64 + 2 * kLatency;

// monitor (host 0) and sender (host 1) on one switch.
struct DetectorWorld {
  DetectorWorld(sim::ClockParams monitor_clock, sim::ClockParams sender_clock)
      : topo(topology::build_star({"monitor", "sender"}, {kBandwidth, kLatency})), net(sim, topo) {
    clocks.emplace_back(monitor_clock, sim::RandomStream(1, "monitor", "clock"));
    clocks.emplace_back(sender_clock, sim::RandomStream(1, "sender", "clock"));
    clocks.emplace_back();  // the switch
  }
  algo::FailureDetector& start(int k, Since since, sim::Time interval = 100_ms) {
    algo::FailureDetectorConfig config;
    config.monitor = 0;
    config.nodes = {1};
    config.interval = interval;
    config.suspect_after = k;
    config.since = since;
    detector = std::make_unique<algo::FailureDetector>(sim, net, clocks, config);
    detector->launch();
    return *detector;
  }

  std::unique_ptr<algo::FailureDetector> detector;  // destroyed after sim
  sim::Simulator sim;
  topology::Topology topo;
  topology::Network net;
  std::vector<sim::NodeClock> clocks;
};

// local(t) of a clock with no walk, anchored at 0.
sim::Time reading(sim::Time offset, double drift_ppm, sim::Time t) {
  return offset + t + std::llround(drift_ppm * 1e-6 * static_cast<double>(t));
}

// The first true time >= from at which a clock reads at least `target`.
sim::Time first_reaching(sim::Time offset, double drift_ppm, sim::Time from, sim::Time target) {
  sim::Time t = from;
  while (reading(offset, drift_ppm, t) < target) ++t;
  return t;
}

}  // namespace

TEST_CASE(
    "arrival mode: a slow sender and a fast monitor are suspected only if k x interval allows") {
  // Sender at -100 ppm sends every llround(100 ms / (1 - 1e-4)) = 100,010,001 ns;
  // the monitor at +100 ppm times k x 100 ms of its clock.
  const sim::Time period = 100'010'001;
  SECTION("k = 1: every gap is longer than the monitor's 100 ms: suspect, then trust") {
    DetectorWorld w({0, 100.0}, {0, -100.0});
    algo::FailureDetector& d = w.start(1, Since::arrival);
    w.sim.run_until(1_s);
    // Heartbeat 0 arrives at kDelay; the monitor's timer of 100 ms of its
    // clock lasts llround(1e8 / 1.0001) = 99,990,001 ns of true time, and the
    // suspicion lands when its clock has run the whole 100 ms.
    const sim::Time armed = kDelay;
    const sim::Time expected =
        first_reaching(0, 100.0, armed + 99'990'001, reading(0, 100.0, armed) + 100_ms);
    REQUIRE(d.events().size() >= 2);
    CHECK(d.events()[0].suspected);
    CHECK(d.events()[0].true_time == expected);
    CHECK(d.events()[0].monitor_local == reading(0, 100.0, expected));
    CHECK_FALSE(d.events()[1].suspected);  // heartbeat 1 clears it
    CHECK(d.events()[1].true_time == period + kDelay);
    // Every interval in 1 s the same: 9 false suspicions (heartbeats 1..9 clear them).
    CHECK(d.suspicions() == 9);
    CHECK(d.false_suspicions() == 9);
  }
  SECTION("k = 2: 199,980,002 ns of true time is never reached by a 100,010,001 ns gap") {
    DetectorWorld w({0, 100.0}, {0, -100.0});
    algo::FailureDetector& d = w.start(2, Since::arrival);
    w.sim.run_until(5_s);
    CHECK(d.events().empty());
    CHECK(d.messages_sent() == 50);  // 5 s / 100.01 ms, from t = 0
    CHECK(d.bytes_sent() == 50 * 64.0);
    CHECK(w.net.total_bytes_sent() == 50 * 64.0);
  }
  SECTION("k = 1, a fast sender and a slow monitor: never") {
    DetectorWorld w({0, -100.0}, {0, 100.0});
    algo::FailureDetector& d = w.start(1, Since::arrival);
    w.sim.run_until(5_s);
    CHECK(d.events().empty());
  }
  SECTION("offsets do not matter in arrival mode") {
    DetectorWorld w({40_ms, 0.0}, {-250_ms, 0.0});
    algo::FailureDetector& d = w.start(2, Since::arrival);
    w.sim.run_until(5_s);
    CHECK(d.events().empty());
  }
}

TEST_CASE("sent mode: the sender's stamp against the monitor's clock, so offsets count") {
  // k = 2, 100 ms, no drift: heartbeat j leaves at j x 100 ms stamped
  // j x 100 ms + sender offset, and expires when the monitor reads stamp + 200 ms.
  SECTION("a sender 250 ms behind is suspected as its first heartbeat arrives, for good") {
    DetectorWorld w({0, 0.0}, {-250_ms, 0.0});
    algo::FailureDetector& d = w.start(2, Since::sent);
    w.sim.run_until(2_s);
    REQUIRE(d.events().size() == 1);
    CHECK(d.events()[0].suspected);
    CHECK(d.events()[0].true_time == kDelay);  // stamp + 200 ms = -50 ms: expired on arrival
    CHECK(d.suspected(0));
  }
  SECTION("150 ms behind: suspected 50 ms after each send, trusted at the next arrival") {
    DetectorWorld w({0, 0.0}, {-150_ms, 0.0});
    algo::FailureDetector& d = w.start(2, Since::sent);
    w.sim.run_until(1_s - 1);
    REQUIRE(d.events().size() ==
            19);  // suspect at j x 100 + 50 ms (j = 0..9), trust at arrivals 1..9
    for (int j = 0; j < 10; ++j) {
      INFO("heartbeat " << j);
      CHECK(d.events()[static_cast<std::size_t>(2 * j)].true_time == j * 100_ms + 50_ms);
      if (j > 0)
        CHECK(d.events()[static_cast<std::size_t>(2 * j - 1)].true_time == j * 100_ms + kDelay);
    }
    CHECK(d.suspicions() == 10);
  }
  SECTION("a sender ahead, or one 99 ms behind, is never suspected") {
    const sim::Time offset = GENERATE(150_ms, -99_ms);
    DetectorWorld w({0, 0.0}, {offset, 0.0});
    algo::FailureDetector& d = w.start(2, Since::sent);
    w.sim.run_until(2_s);
    CHECK(d.events().empty());
  }
}

TEST_CASE("a node that falls silent is suspected k intervals after its last heartbeat") {
  DetectorWorld w({0, 0.0}, {0, 0.0});
  algo::FailureDetectorConfig config;
  config.monitor = 0;
  config.nodes = {1};
  config.interval = 100_ms;
  config.suspect_after = 3;
  // The node "crashes" at 1 s: it stops sending, as a fault injector would make it.
  config.is_up = [&w](topology::NodeId) { return w.sim.now() < 1_s; };
  algo::FailureDetector d(w.sim, w.net, w.clocks, config);
  d.launch();
  w.sim.run_until(3_s);
  REQUIRE(d.events().size() == 1);
  // The last heartbeat left at 900 ms: suspected 300 ms after it arrived, a true suspicion.
  CHECK(d.events()[0].true_time == 900_ms + kDelay + 300_ms);
  CHECK_FALSE(d.events()[0].node_up);
  CHECK(d.suspicions() == 1);
  CHECK(d.false_suspicions() == 0);
}

namespace {

sim::Task training(sim::Simulator& sim, sim::Time duration) { co_await sim.sleep(duration); }

// Ends a run that daemons wrongly keep alive, so the test fails instead of hanging.
sim::Task guard(sim::Simulator& sim, sim::Time at) {
  co_await sim.sleep(at);
  sim.stop();
}

}  // namespace

TEST_CASE("clock sync and heartbeats end with the training they serve") {
  DetectorWorld w({0, 0.0}, {2_ms, 30.0});
  w.start(3, Since::arrival);
  algo::ClockSyncConfig sync_config;
  sync_config.server = 0;
  sync_config.clients = {1};
  sync_config.interval = 1_s;
  algo::ClockSync sync(w.sim, w.net, w.clocks, sync_config);
  sync.launch();
  w.sim.spawn(training(w.sim, 2500_ms), "training");
  w.sim.spawn_daemon(guard(w.sim, 100_s), "guard");
  w.sim.run();  // without daemons this would run to the guard
  CHECK(w.sim.now() == 2500_ms);
  CHECK(sync.exchanges() == 3);              // at 0, ~1 s and ~2 s of the client's clock
  CHECK(w.detector->messages_sent() == 26);  // every 99.997 ms of true time from 0 to 2.5 s
}

TEST_CASE("the failure detector rejects a bad configuration") {
  DetectorWorld w({0, 0.0}, {0, 0.0});
  algo::FailureDetectorConfig config;
  config.monitor = 0;
  config.nodes = {1};
  SECTION("no node") {
    config.nodes.clear();
    CHECK_THROWS_AS(algo::FailureDetector(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
  SECTION("the monitor watching itself") {
    config.nodes = {0};
    CHECK_THROWS_AS(algo::FailureDetector(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
  SECTION("k = 0") {
    config.suspect_after = 0;
    CHECK_THROWS_AS(algo::FailureDetector(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
  SECTION("a zero interval") {
    config.interval = 0;
    CHECK_THROWS_AS(algo::FailureDetector(w.sim, w.net, w.clocks, config), std::invalid_argument);
  }
}
