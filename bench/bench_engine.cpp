// Engine throughput: how many events per second the simulator itself can
// process, with no model work attached. Two shapes: bare callback events (the
// queue and dispatch cost alone) and coroutine processes that sleep and message
// each other (the cost a simulated worker pays per suspension).
#include <benchmark/benchmark.h>

#include "sim/mailbox.h"
#include "sim/simulator.h"

namespace {

// A self-rescheduling null event: the cheapest thing the engine can do.
struct NullEvent {
  sim::Simulator* sim;
  std::int64_t remaining;
  static void fire(void* self, std::uint64_t) {
    auto* e = static_cast<NullEvent*>(self);
    if (--e->remaining > 0) e->sim->schedule_at(e->sim->now() + 1, &NullEvent::fire, e);
  }
};

void BM_NullEvents(benchmark::State& state) {
  const auto pending = static_cast<int>(state.range(0));     // queue depth kept constant
  const std::int64_t kEventsPerChain = 1'000'000 / pending;  // 1M events per iteration
  for (auto _ : state) {
    sim::Simulator sim;
    std::vector<NullEvent> chains(pending, NullEvent{&sim, kEventsPerChain});
    for (int i = 0; i < pending; ++i) sim.schedule_at(i, &NullEvent::fire, &chains[i]);
    sim.run();
    benchmark::DoNotOptimize(sim.events_processed());
  }
  state.SetItemsProcessed(state.iterations() * pending * kEventsPerChain);
}
BENCHMARK(BM_NullEvents)->Arg(1)->Arg(64)->Arg(4096);

// The same with delays of 1..1,000 ns drawn from a per-chain LCG: new events
// land anywhere in the queue, not only at its end, as with real timers.
struct ScatteredEvent {
  sim::Simulator* sim;
  std::int64_t remaining;
  std::uint64_t state;
  static void fire(void* self, std::uint64_t) {
    auto* e = static_cast<ScatteredEvent*>(self);
    e->state = e->state * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto delay = static_cast<sim::Time>(1 + (e->state >> 33) % 1000);
    if (--e->remaining > 0) e->sim->schedule_at(e->sim->now() + delay, &ScatteredEvent::fire, e);
  }
};

void BM_ScatteredEvents(benchmark::State& state) {
  const auto pending = static_cast<int>(state.range(0));
  const std::int64_t kEventsPerChain = 1'000'000 / pending;
  for (auto _ : state) {
    sim::Simulator sim;
    std::vector<ScatteredEvent> chains;
    for (int i = 0; i < pending; ++i) {
      chains.push_back(ScatteredEvent{&sim, kEventsPerChain, static_cast<std::uint64_t>(i)});
    }
    for (int i = 0; i < pending; ++i) sim.schedule_at(i, &ScatteredEvent::fire, &chains[i]);
    sim.run();
    benchmark::DoNotOptimize(sim.events_processed());
  }
  state.SetItemsProcessed(state.iterations() * pending * kEventsPerChain);
}
BENCHMARK(BM_ScatteredEvents)->Arg(64)->Arg(4096);

sim::Task sleeper(sim::Simulator& sim, int steps, int id) {
  for (int i = 0; i < steps; ++i) co_await sim.sleep(1 + (id + i) % 7);
}

void BM_SleepingCoroutines(benchmark::State& state) {
  const auto processes = static_cast<int>(state.range(0));
  const int steps = 1'000'000 / processes;
  for (auto _ : state) {
    sim::Simulator sim;
    for (int p = 0; p < processes; ++p) sim.spawn(sleeper(sim, steps, p));
    sim.run();
    benchmark::DoNotOptimize(sim.events_processed());
  }
  state.SetItemsProcessed(state.iterations() * processes * steps);
}
BENCHMARK(BM_SleepingCoroutines)->Arg(16)->Arg(1024);

// Pairs of processes bouncing a message: each bounce is one send, one wake-up.
sim::Task ping(sim::Mailbox<int>& in, sim::Mailbox<int>& out, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    out.send(i);
    (void)co_await in.receive();
  }
}

void BM_MailboxPingPong(benchmark::State& state) {
  const auto pairs = static_cast<int>(state.range(0));
  const int rounds = 500'000 / pairs;
  for (auto _ : state) {
    sim::Simulator sim;
    std::vector<std::unique_ptr<sim::Mailbox<int>>> boxes;
    for (int p = 0; p < 2 * pairs; ++p) boxes.push_back(std::make_unique<sim::Mailbox<int>>(sim));
    for (int p = 0; p < pairs; ++p) {
      sim.spawn(ping(*boxes[2 * p], *boxes[2 * p + 1], rounds));
      sim.spawn(ping(*boxes[2 * p + 1], *boxes[2 * p], rounds));
    }
    sim.run();
  }
  state.SetItemsProcessed(state.iterations() * pairs * 2 * rounds);
}
BENCHMARK(BM_MailboxPingPong)->Arg(1)->Arg(256);

}  // namespace

BENCHMARK_MAIN();
