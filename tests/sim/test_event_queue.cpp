// EventQueue against an oracle: a std::map keyed by (time, priority, push
// index) pops events in exactly the order the scheduling rule defines.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <queue>
#include <random>
#include <tuple>

#include "sim/event_queue.h"

namespace {

void noop(void*, std::uint64_t) {}

using Key = std::tuple<sim::Time, int, std::uint64_t>;  // time, priority, push index

// Pushes and pops at random, checking every pop against the oracle. Times are
// drawn from a small window above the last popped time so ties (same time,
// same priority) are frequent; `max_pending` bounds the queue.
void check_against_oracle(sim::EventQueue& queue, std::uint32_t seed, int operations,
                          std::size_t max_pending, sim::Time window) {
  std::mt19937 rng(seed);
  std::map<Key, bool> oracle;  // -> daemon flag
  std::uint64_t pushed = 0;
  sim::Time now = 0;
  for (int op = 0; op < operations; ++op) {
    const bool push = oracle.empty() || (oracle.size() < max_pending && rng() % 2 == 0);
    if (push) {
      const sim::Time time = now + static_cast<sim::Time>(rng() % window);
      const auto priority = rng() % 4 == 0 ? sim::Priority::urgent : sim::Priority::normal;
      const bool daemon = rng() % 3 == 0;
      const std::uint64_t id = pushed++;
      queue.push(time, priority, &noop, nullptr, id, daemon);
      oracle.emplace(Key{time, static_cast<int>(priority), id}, daemon);
    } else {
      REQUIRE(queue.top_time() == std::get<0>(oracle.begin()->first));
      const sim::Event event = queue.pop();
      const auto [time, priority, id] = oracle.begin()->first;
      REQUIRE(event.time == time);
      REQUIRE(event.tag == id);
      REQUIRE(event.daemon() == oracle.begin()->second);
      REQUIRE(event.callback == &noop);
      oracle.erase(oracle.begin());
      now = time;
    }
    REQUIRE(queue.size() == oracle.size());
  }
}

}  // namespace

TEST_CASE("event queue: ties at one instant pop in push order, urgent first") {
  sim::EventQueue queue;
  for (std::uint64_t i = 0; i < 100; ++i) {
    queue.push(7, i % 10 == 3 ? sim::Priority::urgent : sim::Priority::normal, &noop, nullptr, i);
  }
  std::vector<std::uint64_t> popped;
  while (!queue.empty()) popped.push_back(queue.pop().tag);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t i = 3; i < 100; i += 10) expected.push_back(i);
  for (std::uint64_t i = 0; i < 100; ++i) {
    if (i % 10 != 3) expected.push_back(i);
  }
  CHECK(popped == expected);
}

TEST_CASE("event queue: events pushed out of time order still pop in key order") {
  // 15 and 10 (again) are pushed after 20; an urgent 20 pushed last pops before the normal 20.
  sim::EventQueue queue;
  queue.push(10, sim::Priority::normal, &noop, nullptr, 0);
  queue.push(20, sim::Priority::normal, &noop, nullptr, 1);
  queue.push(15, sim::Priority::normal, &noop, nullptr, 2);
  queue.push(10, sim::Priority::normal, &noop, nullptr, 3);
  queue.push(20, sim::Priority::urgent, &noop, nullptr, 4);
  std::vector<std::uint64_t> popped;
  while (!queue.empty()) popped.push_back(queue.pop().tag);
  CHECK(popped == std::vector<std::uint64_t>{0, 3, 2, 4, 1});
}

TEST_CASE("event queue: random interleaved pushes and pops match a sorted oracle") {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    sim::EventQueue queue;
    const sim::Time window = seed % 2 ? 3 : 1000;  // many ties, or few
    check_against_oracle(queue, seed, 20'000, seed % 4 == 0 ? 5000 : 64, window);
  }
}

TEST_CASE("event queue: renumbering when sequence numbers run out keeps the order") {
  // 6-bit sequence numbers: renumbered every few dozen pushes, with up to 40
  // events pending (more than half the numbering space).
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    sim::EventQueue queue(6);
    check_against_oracle(queue, seed, 20'000, 40, seed % 2 ? 2 : 50);
  }
}

TEST_CASE("event queue: more pending events than sequence numbers is refused") {
  sim::EventQueue queue(3);
  for (int i = 0; i < 8; ++i) queue.push(1, sim::Priority::normal, &noop, nullptr, 0);
  CHECK_THROWS_AS(queue.push(1, sim::Priority::normal, &noop, nullptr, 0), std::length_error);
}

TEST_CASE("event queue: clear empties it and it works again") {
  sim::EventQueue queue;
  for (int i = 0; i < 10; ++i) queue.push(10 - i, sim::Priority::normal, &noop, nullptr, i);
  queue.clear();
  CHECK(queue.empty());
  check_against_oracle(queue, 99, 2000, 100, 10);
}

namespace {

// The reference: std::priority_queue ordered by the same key, (time,
// priority, push index), smallest first.
using Reference = std::priority_queue<Key, std::vector<Key>, std::greater<Key>>;

struct Workload {
  sim::Time window;     // delays are drawn from [0, window)
  std::size_t pending;  // the queue is kept near this many events
  int urgent_in;        // one push in urgent_in is urgent
  int into_past_in;     // one push in into_past_in (0: none) goes before the last pop
};

// Pops everything in the order the reference gives, with pushes at random
// between pops; every popped event's time and tag are checked.
void compare_with_reference(const Workload& w, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  sim::EventQueue queue;
  Reference reference;
  std::uint64_t pushed = 0;
  sim::Time now = 0;
  const auto push = [&] {
    sim::Time time = now + static_cast<sim::Time>(rng() % static_cast<std::uint64_t>(w.window));
    if (w.into_past_in != 0 && rng() % w.into_past_in == 0)
      time = static_cast<sim::Time>(rng() % (now + 1));
    const auto priority = rng() % w.urgent_in == 0 ? sim::Priority::urgent : sim::Priority::normal;
    queue.push(time, priority, &noop, nullptr, pushed);
    reference.push(Key{time, static_cast<int>(priority), pushed++});
  };
  for (std::size_t i = 0; i < w.pending; ++i) push();
  for (int op = 0; op < 60'000; ++op) {
    REQUIRE(queue.top_time() == std::get<0>(reference.top()));
    const sim::Event event = queue.pop();
    const auto [time, priority, id] = reference.top();
    reference.pop();
    REQUIRE(event.time == time);
    REQUIRE(event.tag == id);
    now = time;
    // Zero, one or two pushes keep the size wandering around w.pending.
    const auto pushes = queue.size() < w.pending ? 1 + rng() % 2 : rng() % 2;
    for (std::uint64_t p = 0; p < pushes; ++p) push();
  }
  while (!reference.empty()) {
    REQUIRE(queue.pop().tag == std::get<2>(reference.top()));
    reference.pop();
  }
  REQUIRE(queue.empty());
}

}  // namespace

TEST_CASE("event queue: the pop order equals a priority_queue's on random workloads with ties") {
  const auto w = GENERATE(Workload{1, 100, 4, 0},         // everything at one instant
                          Workload{4, 4096, 8, 0},        // few distinct times: ties galore
                          Workload{1000, 4096, 50, 0},    // the engine benchmark's shape
                          Workload{1 << 20, 500, 10, 0},  // delays across several levels
                          Workload{sim::Time{1} << 50, 300, 10, 0},  // the top levels
                          Workload{300, 64, 5, 7});  // some pushes before the last pop
  for (std::uint32_t seed = 1; seed <= 3; ++seed) compare_with_reference(w, seed);
}
