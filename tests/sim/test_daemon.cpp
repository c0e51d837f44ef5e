// Daemon processes: background services that never keep a run alive.
#include <catch2/catch.hpp>
#include <vector>

#include "sim/simulator.h"

using namespace sim::literals;

namespace {

// Ticks 1,000 times (a broken daemon rule then ends the run late, not never).
sim::Task ticker(sim::Simulator& sim, sim::Time period, std::vector<sim::Time>& ticks) {
  for (int i = 0; i < 1000; ++i) {
    ticks.push_back(sim.now());
    co_await sim.sleep(period);
  }
}

sim::Task worker(sim::Simulator& sim, int steps, sim::Time step) {
  for (int i = 0; i < steps; ++i) co_await sim.sleep(step);
}

sim::Task spawner(sim::Simulator& sim, std::vector<sim::Time>& ticks) {
  co_await sim.sleep(1_ms);
  sim.spawn(ticker(sim, 1_ms, ticks), "child");  // spawned by a daemon: a daemon too
}

sim::Task releaser(sim::Simulator& sim, sim::Time after) {
  co_await sim.sleep(after);
  sim.release();
}

}  // namespace

TEST_CASE("run() ends when only daemon processes are left") {
  sim::Simulator sim;
  std::vector<sim::Time> ticks;
  sim.spawn_daemon(ticker(sim, 1_ms, ticks), "ticker");
  sim.spawn(worker(sim, 3, 1500_us), "worker");
  sim.run();
  CHECK(sim.now() == 4500_us);  // the worker's last wake-up
  // The ticker ran alongside, up to the worker's end (ties fire in order).
  CHECK(ticks == std::vector<sim::Time>{0, 1_ms, 2_ms, 3_ms, 4_ms});
  CHECK_FALSE(sim.has_foreground_work());
  CHECK(sim.events_pending() == 1);  // the ticker's next wake-up, never fired
}

TEST_CASE("a daemon stays a daemon, and run_until still fires daemon events") {
  sim::Simulator sim;
  std::vector<sim::Time> ticks;
  sim.spawn_daemon(spawner(sim, ticks), "spawner");
  SECTION("nothing in the foreground: run() returns at once") {
    sim.run();
    CHECK(sim.now() == 0);
    CHECK(ticks.empty());
  }
  SECTION("run_until fires them up to its limit") {
    sim.run_until(3_ms);
    CHECK(ticks == std::vector<sim::Time>{1_ms, 2_ms, 3_ms});
  }
  SECTION("a hold keeps run() going until released") {
    sim.hold();
    sim.spawn_daemon(releaser(sim, 2500_us), "releaser");
    sim.run();
    CHECK(sim.now() == 2500_us);
    CHECK(ticks == std::vector<sim::Time>{1_ms, 2_ms});
  }
}

TEST_CASE("without daemons run() still ends only when no event is left") {
  sim::Simulator sim;
  sim.spawn(worker(sim, 4, 1_ms), "worker");
  sim.run();
  CHECK(sim.now() == 4_ms);
  CHECK(sim.events_pending() == 0);
}
