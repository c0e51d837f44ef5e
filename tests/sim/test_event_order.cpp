#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/simulator.h"

using namespace sim::literals;

namespace {

struct Log {
  std::vector<std::uint64_t> fired;
  static void record(void* self, std::uint64_t tag) {
    static_cast<Log*>(self)->fired.push_back(tag);
  }
};

}  // namespace

TEST_CASE("events fire in time order, ties in scheduling order") {
  sim::Simulator sim;
  Log log;
  sim.schedule_at(20, &Log::record, &log, 1);
  sim.schedule_at(10, &Log::record, &log, 2);
  sim.schedule_at(20, &Log::record, &log, 3);
  sim.schedule_at(10, &Log::record, &log, 4);
  sim.schedule_at(20, &Log::record, &log, 5, sim::Priority::urgent);
  sim.run();
  CHECK(log.fired == std::vector<std::uint64_t>{2, 4, 5, 1, 3});
  CHECK(sim.now() == 20);
  CHECK(sim.events_processed() == 5);
}

TEST_CASE("run_until stops at the limit and leaves the clock there") {
  sim::Simulator sim;
  Log log;
  sim.schedule_at(5, &Log::record, &log, 1);
  sim.schedule_at(10, &Log::record, &log, 2);
  sim.schedule_at(11, &Log::record, &log, 3);
  sim.run_until(10);
  CHECK(log.fired == std::vector<std::uint64_t>{1, 2});
  CHECK(sim.now() == 10);
  CHECK(sim.events_pending() == 1);
  sim.run_until(100);
  CHECK(sim.now() == 100);
  CHECK(log.fired.size() == 3);
}

TEST_CASE("stop ends run after the current event") {
  sim::Simulator sim;
  struct Stopper {
    sim::Simulator* sim;
    int fired = 0;
    static void fire(void* self, std::uint64_t) {
      auto* s = static_cast<Stopper*>(self);
      if (++s->fired == 2) s->sim->stop();
    }
  } stopper{&sim};
  for (int i = 0; i < 5; ++i) sim.schedule_at(i, &Stopper::fire, &stopper);
  sim.run();
  CHECK(stopper.fired == 2);
  CHECK(sim.events_pending() == 3);
}

TEST_CASE("scheduling in the past is refused") {
  sim::Simulator sim;
  Log log;
  sim.schedule_at(10, &Log::record, &log, 1);
  sim.run();
  CHECK_THROWS_AS(sim.schedule_at(5, &Log::record, &log, 2), std::logic_error);
}

namespace {

// A little workload of processes that sleep random-looking amounts and log.
sim::Task chatter(sim::Simulator& sim, int id, std::vector<std::string>& trace) {
  for (int i = 0; i < 20; ++i) {
    co_await sim.sleep((id * 7 + i * 3) % 5);
    trace.push_back(std::to_string(sim.now()) + ":" + std::to_string(id));
  }
}

std::vector<std::string> run_chatter() {
  sim::Simulator sim;
  std::vector<std::string> trace;
  for (int id = 0; id < 10; ++id) sim.spawn(chatter(sim, id, trace), "p" + std::to_string(id));
  sim.run();
  return trace;
}

}  // namespace

TEST_CASE("two runs of the same processes give the identical event order") {
  const auto first = run_chatter();
  const auto second = run_chatter();
  CHECK(first.size() == 200);
  CHECK(first == second);
}

TEST_CASE("a progress observer runs every N events and changes no event") {
  sim::Simulator sim;
  Log log;
  std::vector<std::uint64_t> seen;  // events_processed() at each observer call
  sim.set_progress_observer(3, [&] { seen.push_back(sim.events_processed()); });
  for (std::uint64_t i = 0; i < 10; ++i) {
    sim.schedule_at(static_cast<sim::Time>(10 - i), &Log::record, &log, i);
  }
  sim.run_until(8);  // 8 events; the count carries over into run()
  sim.run();
  CHECK(seen == std::vector<std::uint64_t>{3, 6, 9});
  CHECK(log.fired == std::vector<std::uint64_t>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  CHECK(sim.events_processed() == 10);
  sim.set_progress_observer(3, nullptr);  // removed: no call, no crash
  sim.schedule_at(sim.now() + 1, &Log::record, &log, 42);
  sim.schedule_at(sim.now() + 2, &Log::record, &log, 43);
  sim.schedule_at(sim.now() + 3, &Log::record, &log, 44);
  sim.run();
  CHECK(seen.size() == 3);
}
