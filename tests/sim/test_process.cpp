#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/mailbox.h"
#include "sim/simulator.h"

using namespace sim::literals;

namespace {

sim::Task sleeper(sim::Simulator& sim, sim::Time d, std::vector<sim::Time>& woke) {
  co_await sim.sleep(d);
  woke.push_back(sim.now());
}

sim::Task add_after(sim::Simulator& sim, sim::Time d, int& value) {
  co_await sim.sleep(d);
  value += 1;
}

sim::Task failing(sim::Simulator& sim) {
  co_await sim.sleep(3_us);
  throw std::runtime_error("disk on fire");
}

}  // namespace

TEST_CASE("a sleeping process wakes exactly its delay later") {
  sim::Simulator sim;
  std::vector<sim::Time> woke;
  sim.spawn(sleeper(sim, 5_us, woke));
  sim.spawn(sleeper(sim, 2_us, woke));
  sim.spawn(sleeper(sim, 0, woke));
  sim.run();
  CHECK(woke == std::vector<sim::Time>{0, 2_us, 5_us});
}

TEST_CASE("spawn schedules the start at now and does not run inline") {
  sim::Simulator sim;
  int value = 0;
  sim.spawn(add_after(sim, 0, value));
  CHECK(value == 0);
  sim.run();
  CHECK(value == 1);
}

TEST_CASE("a process can await a sub-task and join other processes") {
  sim::Simulator sim;
  int value = 0;
  std::vector<sim::Time> joined_at;
  auto parent = [](sim::Simulator& sim, int& value,
                   std::vector<sim::Time>& joined_at) -> sim::Task {
    co_await add_after(sim, 4_us, value);  // subroutine: runs to completion first
    joined_at.push_back(sim.now());
    sim::Process child = sim.spawn(add_after(sim, 6_us, value), "child");
    co_await child.join();
    joined_at.push_back(sim.now());
    co_await child.join();  // joining a finished process returns at once
    joined_at.push_back(sim.now());
  };
  sim::Process p = sim.spawn(parent(sim, value, joined_at), "parent");
  sim.run();
  CHECK(p.finished());
  CHECK(value == 2);
  CHECK(joined_at == std::vector<sim::Time>{4_us, 10_us, 10_us});
}

TEST_CASE("a failure reaches whoever joins the process") {
  sim::Simulator sim;
  std::string caught;
  auto joiner = [](sim::Simulator& sim, std::string& caught) -> sim::Task {
    sim::Process p = sim.spawn(failing(sim), "worker");
    try {
      co_await p.join();
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
  };
  sim.spawn(joiner(sim, caught));
  sim.run();
  CHECK(caught == "disk on fire");
}

TEST_CASE("a failure nobody joins ends the run naming the process") {
  sim::Simulator sim;
  sim.spawn(failing(sim), "worker3");
  try {
    sim.run();
    FAIL("run() should have thrown");
  } catch (const sim::ProcessError& e) {
    CHECK(e.process() == "worker3");
    CHECK(std::string(e.what()) == "process 'worker3' failed: disk on fire");
  }
  CHECK(sim.now() == 3_us);
}

TEST_CASE("a failure inside a sub-task propagates to the awaiting task") {
  sim::Simulator sim;
  bool caught = false;
  auto parent = [](sim::Simulator& sim, bool& caught) -> sim::Task {
    try {
      co_await failing(sim);
    } catch (const std::runtime_error&) {
      caught = true;
    }
  };
  sim.spawn(parent(sim, caught));
  sim.run();
  CHECK(caught);
}

namespace {

// Counts live instances, to see that unfinished frames are destroyed.
struct Tracked {
  static inline int alive = 0;
  Tracked() { ++alive; }
  Tracked(const Tracked&) { ++alive; }
  ~Tracked() { --alive; }
};

sim::Task blocked_forever(sim::Mailbox<int>& box) {
  Tracked local;
  (void)co_await box.receive();
}

sim::Task nested_blocked(sim::Simulator& sim, sim::Mailbox<int>& box) {
  Tracked local;
  co_await sim.sleep(1_us);
  co_await blocked_forever(box);
}

}  // namespace

TEST_CASE("unfinished coroutines are destroyed with the simulator") {
  Tracked::alive = 0;
  {
    sim::Simulator sim;
    sim::Mailbox<int> box(sim);
    sim.spawn(blocked_forever(box));
    sim.spawn(nested_blocked(sim, box));
    sim.run();
    CHECK(Tracked::alive == 3);
    CHECK(box.waiting_receivers() == 2);
  }
  CHECK(Tracked::alive == 0);
}

TEST_CASE("finished process frames are freed at once") {
  Tracked::alive = 0;
  sim::Simulator sim;
  auto short_lived = [](sim::Simulator& sim) -> sim::Task {
    Tracked local;
    co_await sim.sleep(1_us);
  };
  for (int i = 0; i < 100; ++i) sim.spawn(short_lived(sim));
  sim.run_until(0);
  CHECK(Tracked::alive == 100);
  sim.run();
  CHECK(Tracked::alive == 0);
}
