// receive_until / receive_for: a receive with a deadline (sim/mailbox.h).
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sim/mailbox.h"
#include "sim/simulator.h"

using namespace sim::literals;

namespace {

struct Outcome {
  sim::Time at = -1;
  std::optional<int> message;
};

sim::Task wait_until(sim::Simulator& sim, sim::Mailbox<int>& box, sim::Time deadline,
                     Outcome& out) {
  out.message = co_await box.receive_until(deadline);
  out.at = sim.now();
}

sim::Task send_at(sim::Simulator& sim, sim::Mailbox<int>& box, sim::Time at, int value) {
  co_await sim.sleep(at - sim.now());
  box.send(value);
}

}  // namespace

TEST_CASE("a receive with a deadline times out at the exact instant") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  Outcome out;
  sim.spawn(wait_until(sim, box, 5_us, out));
  sim.run();
  CHECK(out.at == 5_us);
  CHECK_FALSE(out.message.has_value());
  CHECK(box.waiting_receivers() == 0);
  CHECK(sim.now() == 5_us);
  CHECK(sim.events_processed() == 2);  // the start, the deadline
}

TEST_CASE("a message before the deadline is received, and the deadline never fires") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  Outcome out;
  sim.spawn(wait_until(sim, box, 1_s, out));
  sim.spawn(send_at(sim, box, 3_us, 42));
  sim.run();
  CHECK(out.at == 3_us);
  REQUIRE(out.message.has_value());
  CHECK(*out.message == 42);
  // The cancelled deadline keeps no run alive and is not counted: two
  // starts, the sender's wake-up, the receiver's resumption.
  CHECK(sim.now() == 3_us);
  CHECK(sim.events_processed() == 4);
}

TEST_CASE("a message and a deadline at the same instant follow (time, priority, sequence)") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  Outcome first, second;
  SECTION("the delivery scheduled before the wait began wins") {
    // The sender's wake-up at 2 us is scheduled at its start, before the
    // receiver (spawned later) schedules its deadline for 2 us.
    sim.spawn(send_at(sim, box, 2_us, 7));
    sim.spawn(wait_until(sim, box, 2_us, first));
    sim.run();
    CHECK(first.at == 2_us);
    REQUIRE(first.message.has_value());
    CHECK(*first.message == 7);
  }
  SECTION("the deadline scheduled first wins, and the message waits for the next receive") {
    sim.spawn(wait_until(sim, box, 2_us, first));
    sim.spawn(send_at(sim, box, 2_us, 7));
    sim.run();
    CHECK(first.at == 2_us);
    CHECK_FALSE(first.message.has_value());
    CHECK(box.queued() == 1);  // not lost
    sim.spawn(wait_until(sim, box, 10_us, second));
    sim.run();
    REQUIRE(second.message.has_value());
    CHECK(*second.message == 7);
    CHECK(second.at == 2_us);
  }
}

TEST_CASE("a receiver withdrawn at its deadline takes no message, and FIFO order holds") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  Outcome early, plain_a, plain_b;
  sim.spawn(wait_until(sim, box, 1_us, early));   // first in line, leaves at 1 us
  sim.spawn(wait_until(sim, box, 1_s, plain_a));  // second
  sim.spawn(wait_until(sim, box, 1_s, plain_b));  // third
  sim.spawn(send_at(sim, box, 2_us, 1));
  sim.spawn(send_at(sim, box, 3_us, 2));
  sim.run();
  CHECK_FALSE(early.message.has_value());
  CHECK(early.at == 1_us);
  REQUIRE(plain_a.message.has_value());
  CHECK(*plain_a.message == 1);
  CHECK(plain_a.at == 2_us);
  REQUIRE(plain_b.message.has_value());
  CHECK(*plain_b.message == 2);
  CHECK(plain_b.at == 3_us);
  CHECK(box.waiting_receivers() == 0);
  CHECK(sim.now() == 3_us);  // both 1 s deadlines were cancelled
}

TEST_CASE("a deadline not after now does not wait") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  Outcome out;
  SECTION("a queued message is still taken") {
    box.send(9);
    sim.spawn(wait_until(sim, box, 0, out));
    sim.run();
    REQUIRE(out.message.has_value());
    CHECK(*out.message == 9);
  }
  SECTION("an empty mailbox gives nullopt at once") {
    sim.spawn(wait_until(sim, box, 0, out));
    sim.run();
    CHECK_FALSE(out.message.has_value());
    CHECK(out.at == 0);
    CHECK(sim.events_processed() == 1);
  }
}

TEST_CASE("receive_for counts its timeout from now") {
  sim::Simulator sim;
  sim::Mailbox<std::string> box(sim);
  std::vector<sim::Time> timeouts;
  auto waiter = [](sim::Simulator& sim, sim::Mailbox<std::string>& box,
                   std::vector<sim::Time>& timeouts) -> sim::Task {
    co_await sim.sleep(10_us);
    for (int i = 0; i < 3; ++i) {
      if (!co_await box.receive_for(4_us)) timeouts.push_back(sim.now());
    }
  };
  sim.spawn(waiter(sim, box, timeouts));
  sim.run();
  CHECK(timeouts == std::vector<sim::Time>{14_us, 18_us, 22_us});
}

TEST_CASE("a cancelled event leaves every other event's order unchanged") {
  sim::Simulator sim;
  std::vector<int> fired;
  auto record = [](void* context, std::uint64_t tag) {
    static_cast<std::vector<int>*>(context)->push_back(static_cast<int>(tag));
  };
  sim.schedule_at(5, record, &fired, 1);
  const sim::EventId doomed = sim.schedule_at(5, record, &fired, 2);
  sim.schedule_at(5, record, &fired, 3);
  sim.schedule_at(4, record, &fired, 0);
  sim.cancel(doomed);
  sim.cancel(doomed);  // twice: a no-op
  sim.run();
  CHECK(fired == std::vector<int>{0, 1, 3});
  CHECK(sim.events_processed() == 3);
  sim.cancel(doomed);  // after it was popped: still a no-op
  const sim::EventId later = sim.schedule_at(6, record, &fired, 4);
  sim.run();
  sim.cancel(later);  // fired already: nothing happens
  CHECK(fired == std::vector<int>{0, 1, 3, 4});
}

TEST_CASE("a deadline of kTimeMax is no deadline: no event, a plain wait") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  Outcome out;
  sim.spawn(wait_until(sim, box, sim::kTimeMax, out));
  sim.run();
  CHECK(out.at == -1);                 // still waiting: nothing came, nothing fired
  CHECK(sim.events_processed() == 1);  // the start only
  CHECK(box.waiting_receivers() == 1);
  sim.spawn(send_at(sim, box, 7_us, 3));
  sim.run();
  REQUIRE(out.message.has_value());
  CHECK(*out.message == 3);
  CHECK(out.at == 7_us);
}
