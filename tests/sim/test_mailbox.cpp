#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/mailbox.h"
#include "sim/simulator.h"

using namespace sim::literals;

namespace {

sim::Task receiver(sim::Simulator& sim, sim::Mailbox<int>& box, int count,
                   std::vector<std::pair<sim::Time, int>>& got) {
  for (int i = 0; i < count; ++i) {
    int v = co_await box.receive();
    got.emplace_back(sim.now(), v);
  }
}

sim::Task sender(sim::Simulator& sim, sim::Mailbox<int>& box, std::vector<int> values,
                 sim::Time gap) {
  for (int v : values) {
    co_await sim.sleep(gap);
    box.send(v);
  }
}

}  // namespace

TEST_CASE("a mailbox delivers messages in FIFO order") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  box.send(1);
  box.send(2);
  box.send(3);
  std::vector<std::pair<sim::Time, int>> got;
  sim.spawn(receiver(sim, box, 3, got));
  sim.run();
  CHECK(got == std::vector<std::pair<sim::Time, int>>{{0, 1}, {0, 2}, {0, 3}});
}

TEST_CASE("receive blocks until a message is sent") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  std::vector<std::pair<sim::Time, int>> got;
  sim.spawn(receiver(sim, box, 2, got));
  sim.spawn(sender(sim, box, {7, 8}, 10_us));
  sim.run();
  CHECK(got == std::vector<std::pair<sim::Time, int>>{{10_us, 7}, {20_us, 8}});
  CHECK(box.queued() == 0);
  CHECK(box.waiting_receivers() == 0);
}

TEST_CASE("waiting receivers are served first come, first served") {
  sim::Simulator sim;
  sim::Mailbox<std::string> box(sim);
  std::vector<std::string> order;
  auto named = [](sim::Mailbox<std::string>& box, std::string name,
                  std::vector<std::string>& order) -> sim::Task {
    std::string m = co_await box.receive();
    order.push_back(name + "<-" + m);
  };
  sim.spawn(named(box, "a", order));
  sim.spawn(named(box, "b", order));
  sim.spawn(named(box, "c", order));
  auto send_all = [](sim::Simulator& sim, sim::Mailbox<std::string>& box) -> sim::Task {
    co_await sim.sleep(1_us);
    box.send("x");
    box.send("y");
    box.send("z");
  };
  sim.spawn(send_all(sim, box));
  sim.run();
  CHECK(order == std::vector<std::string>{"a<-x", "b<-y", "c<-z"});
}

TEST_CASE("a woken receiver resumes after the sender's current step") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  std::vector<std::string> trace;
  auto rx = [](sim::Mailbox<int>& box, std::vector<std::string>& trace) -> sim::Task {
    (void)co_await box.receive();
    trace.push_back("received");
  };
  auto tx = [](sim::Mailbox<int>& box, std::vector<std::string>& trace) -> sim::Task {
    box.send(1);
    trace.push_back("sent");
    co_return;
  };
  sim.spawn(rx(box, trace));
  sim.spawn(tx(box, trace));
  sim.run();
  CHECK(trace == std::vector<std::string>{"sent", "received"});
}

TEST_CASE("try_receive takes a queued message without waiting") {
  sim::Simulator sim;
  sim::Mailbox<int> box(sim);
  CHECK_FALSE(box.try_receive().has_value());
  box.send(4);
  CHECK(box.try_receive() == 4);
}
