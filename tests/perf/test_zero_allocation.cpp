// Issue #7: no heap allocation per sleep or per message in steady state.
// Each case runs a workload long enough for every container to reach its
// working size (warm-up), then runs it further and counts the allocations of
// that second stretch, which must be none. Frames of processes are made
// before the warm-up: a new coroutine (a sub-task) may allocate its frame;
// an existing process suspending and resuming must not.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "counting_new.h"
#include "sim/mailbox.h"
#include "sim/simulator.h"

using namespace sim::literals;

namespace {

// Allocations made while `sim` fires every event up to `until`.
std::uint64_t allocations_while_running(sim::Simulator& sim, sim::Time until) {
  const std::uint64_t before = perf::heap_allocations();
  sim.run_until(until);
  return perf::heap_allocations() - before;
}

sim::Task sleeper(sim::Simulator& sim, int id, std::int64_t& sleeps) {
  for (int i = 0;; ++i) {
    co_await sim.sleep(1 + (id * 7 + i) % 13);
    ++sleeps;
  }
}

// A message bigger than the pointers the engine moves around.
struct Payload {
  std::array<std::int64_t, 6> words{};
};

sim::Task bouncer(sim::Mailbox<Payload>& in, sim::Mailbox<Payload>& out, bool serve,
                  std::int64_t& received) {
  if (serve) out.send(Payload{});
  for (;;) {
    Payload p = co_await in.receive();
    ++received;
    ++p.words[0];
    out.send(p);
  }
}

// Sends bursts of 1..40 messages, then sleeps: the consumer finds them queued.
sim::Task producer(sim::Simulator& sim, sim::Mailbox<Payload>& box) {
  for (int i = 0;; ++i) {
    for (int k = 0; k <= i % 40; ++k) box.send(Payload{{i, k}});
    co_await sim.sleep(100);
  }
}

sim::Task consumer(sim::Simulator& sim, sim::Mailbox<Payload>& box, std::int64_t& received) {
  for (;;) {
    (void)co_await box.receive();
    ++received;
    co_await sim.sleep(1);
  }
}

// Waits with a deadline; the partner answers every other request in time.
sim::Task deadline_waiter(sim::Simulator& sim, sim::Mailbox<Payload>& in,
                          sim::Mailbox<Payload>& out, std::int64_t& received,
                          std::int64_t& timeouts) {
  for (std::int64_t i = 0;; ++i) {
    out.send(Payload{{i}});
    if (co_await in.receive_for(10)) {
      ++received;
    } else {
      ++timeouts;
    }
    co_await sim.sleep(1);
  }
}

sim::Task sometimes_answers(sim::Simulator& sim, sim::Mailbox<Payload>& in,
                            sim::Mailbox<Payload>& out) {
  for (;;) {
    Payload p = co_await in.receive();
    if (p.words[0] % 2 == 0) {
      co_await sim.sleep(3);
      out.send(p);
    }
  }
}

}  // namespace

TEST_CASE("the allocation counter sees an allocation") {
  // Guards the other cases against a counter that never counts.
  const std::uint64_t before = perf::heap_allocations();
  auto p = std::make_unique<std::int64_t>(1);
  CHECK(perf::heap_allocations() == before + 1);
}

TEST_CASE("a process allocates nothing per sleep once the run is warm") {
  sim::Simulator sim;
  std::int64_t sleeps = 0;
  for (int id = 0; id < 64; ++id) sim.spawn(sleeper(sim, id, sleeps));
  sim.run_until(100_us);  // warm-up: the event heap reaches its working size
  const std::int64_t warm = sleeps;
  CHECK(allocations_while_running(sim, 300_us) == 0);
  CHECK(sleeps - warm > 1'000'000);  // the stretch did measure a lot of sleeps
}

TEST_CASE("a mailbox allocates nothing per message once the run is warm") {
  sim::Simulator sim;
  std::int64_t received = 0;
  SECTION("pairs bouncing one message: every receive waits") {
    std::vector<std::unique_ptr<sim::Mailbox<Payload>>> boxes;
    for (int i = 0; i < 32; ++i) boxes.push_back(std::make_unique<sim::Mailbox<Payload>>(sim));
    for (int i = 0; i < 32; i += 2) {
      sim.spawn(bouncer(*boxes[i], *boxes[i + 1], true, received));
      sim.spawn(bouncer(*boxes[i + 1], *boxes[i], false, received));
    }
    // No simulated time passes: run in event counts instead.
    for (int i = 0; i < 10'000; ++i) sim.step();
    const std::int64_t warm = received;
    const std::uint64_t before = perf::heap_allocations();
    for (int i = 0; i < 1'000'000; ++i) sim.step();
    CHECK(perf::heap_allocations() - before == 0);
    CHECK(received - warm > 500'000);
  }
  SECTION("bursts that queue up before the receiver takes them") {
    sim::Mailbox<Payload> box(sim);
    sim.spawn(producer(sim, box));
    sim.spawn(consumer(sim, box, received));
    sim.run_until(1_ms);  // warm-up: the largest burst (40) has been queued
    const std::int64_t warm = received;
    CHECK(allocations_while_running(sim, 10_ms) == 0);
    CHECK(received - warm > 100'000);
  }
}

TEST_CASE("a receive with a deadline allocates nothing once the run is warm") {
  sim::Simulator sim;
  std::int64_t received = 0;
  std::int64_t timeouts = 0;
  std::vector<std::unique_ptr<sim::Mailbox<Payload>>> boxes;
  for (int i = 0; i < 32; ++i) boxes.push_back(std::make_unique<sim::Mailbox<Payload>>(sim));
  for (int i = 0; i < 32; i += 2) {
    sim.spawn(deadline_waiter(sim, *boxes[i], *boxes[i + 1], received, timeouts));
    sim.spawn(sometimes_answers(sim, *boxes[i + 1], *boxes[i]));
  }
  sim.run_until(100_us);  // warm-up
  const std::int64_t warm_received = received;
  const std::int64_t warm_timeouts = timeouts;
  CHECK(allocations_while_running(sim, 2_ms) == 0);
  // Both outcomes were exercised many times in the measured stretch.
  CHECK(received - warm_received > 10'000);
  CHECK(timeouts - warm_timeouts > 10'000);
}
