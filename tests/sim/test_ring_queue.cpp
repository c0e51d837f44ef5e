#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <string>

#include "sim/ring_queue.h"

TEST_CASE("a ring queue is a FIFO across wrap-around and growth") {
  // Oracle: std::deque driven by the same pushes and pops.
  sim::RingQueue<std::string> ring;
  std::deque<std::string> oracle;
  int next = 0;
  for (int round = 0; round < 200; ++round) {
    const int pushes = (round * 7) % 23;  // sizes wander up to ~60: wraps and grows
    const int pops = (round * 5) % 19;
    for (int i = 0; i < pushes; ++i) {
      ring.push_back(std::to_string(next));
      oracle.push_back(std::to_string(next));
      ++next;
    }
    for (int i = 0; i < pops && !oracle.empty(); ++i) {
      REQUIRE(ring.front() == oracle.front());
      ring.pop_front();
      oracle.pop_front();
    }
    REQUIRE(ring.size() == oracle.size());
  }
  while (!oracle.empty()) {
    REQUIRE(ring.front() == oracle.front());
    ring.pop_front();
    oracle.pop_front();
  }
  CHECK(ring.empty());
}

TEST_CASE("a ring queue holds move-only values and releases them when popped") {
  sim::RingQueue<std::unique_ptr<int>> ring;
  auto shared = std::make_shared<int>(5);
  sim::RingQueue<std::shared_ptr<int>> owners;
  owners.push_back(shared);
  CHECK(shared.use_count() == 2);
  owners.pop_front();
  CHECK(shared.use_count() == 1);  // the slot no longer keeps it alive
  for (int i = 0; i < 20; ++i) ring.push_back(std::make_unique<int>(i));
  for (int i = 0; i < 20; ++i) {
    CHECK(*ring.front() == i);
    ring.pop_front();
  }
}
