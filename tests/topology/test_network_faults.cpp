// Oracles for the network's faults: rates before and after a degrade, loss at
// the exact fault instant, rerouting, partitions, host crashes, random loss.
#include <catch2/catch.hpp>
#include <functional>
#include <vector>

#include "host_names.h"
#include "sim/random.h"
#include "sim/simulator.h"
#include "topology/builders.h"
#include "topology/network.h"

using namespace sim::literals;
using topology::LinkParams;
using topology::Network;
using topology::NodeId;
using topology::Topology;

namespace {

// Records when a transfer arrived or was lost.
struct Outcome {
  sim::Simulator* sim;
  sim::Time delivered = -1;
  sim::Time lost = -1;
  std::function<void()> on_delivered() {
    return [this] { delivered = sim->now(); };
  }
  std::function<void()> on_lost() {
    return [this] { lost = sim->now(); };
  }
};

// Runs `action` as a simulator event at `at`.
void at_time(sim::Simulator& sim, sim::Time at, std::function<void()> action) {
  auto* held = new std::function<void()>(std::move(action));
  sim.schedule_at(
      at,
      [](void* context, std::uint64_t) {
        auto* f = static_cast<std::function<void()>*>(context);
        (*f)();
        delete f;
      },
      held);
}

}  // namespace

TEST_CASE("a degraded link changes flow rates exactly at the fault instant", "[network][faults]") {
  // The three-flow line h0 -L1- h1 -L2- h2, 1 GB/s each, 1 MB flows:
  // A h0->h2, B h0->h1, C h1->h2 all get 0.5 GB/s. At 1 ms (0.5 MB drained
  // each) L2 drops to 0.25 GB/s. Max-min then: L2 carries A and C at 0.125
  // each; B takes the rest of L1, 0.875. B has 0.5 MB left: 0.5e6/0.875e9 s
  // more; A and C 0.5e6/0.125e9 = 4 ms more.
  sim::Simulator sim;
  Topology t;
  for (int i = 0; i < 3; ++i) t.add_host("h" + std::to_string(i));
  t.add_link(0, 1, LinkParams{1e9, 0});
  t.add_link(1, 2, LinkParams{1e9, 0});
  Network net(sim, t);
  Outcome a{&sim}, b{&sim}, c{&sim};
  const auto ida = net.start_transfer(0, 2, 1e6, a.on_delivered());
  const auto idb = net.start_transfer(0, 1, 1e6, b.on_delivered());
  const auto idc = net.start_transfer(1, 2, 1e6, c.on_delivered());
  CHECK(net.flow_rate(ida) == 5e8);
  at_time(sim, 1_ms, [&] { net.set_link_bandwidth_factor(1, 0.25); });
  sim.run_until(1_ms);
  CHECK(net.flow_rate(ida) == Approx(1.25e8));
  CHECK(net.flow_rate(idb) == Approx(8.75e8));
  CHECK(net.flow_rate(idc) == Approx(1.25e8));
  sim.run();
  CHECK(b.delivered == 1_ms + sim::from_seconds(0.5e6 / 0.875e9));
  // When B finishes, L1 frees up but A is still held to 0.125 by L2.
  CHECK(a.delivered == 5_ms);
  CHECK(c.delivered == 5_ms);

  SECTION("restoring the factor restores the full rate") {
    sim::Simulator sim2;
    Network net2(sim2, t);
    Outcome lone{&sim2};
    const auto id = net2.start_transfer(1, 2, 1e6, lone.on_delivered());
    at_time(sim2, 200_us, [&] { net2.set_link_bandwidth_factor(1, 0.5); });
    at_time(sim2, 600_us, [&] { net2.set_link_bandwidth_factor(1, 1.0); });
    sim2.run_until(300_us);
    CHECK(net2.flow_rate(id) == 5e8);
    sim2.run();
    // 0.2 MB in the first 200 us, 0.2 MB in the next 400 us, 0.6 MB at 1 GB/s.
    CHECK(lone.delivered == 1200_us);
  }
}

TEST_CASE("a flow across a link that goes down is lost at exactly that instant",
          "[network][faults]") {
  sim::Simulator sim;
  const Topology t = topology::build_star(host_names(3), LinkParams{1e9, 10_us});
  Network net(sim, t);
  Outcome cut{&sim}, other{&sim}, propagating{&sim};
  net.start_transfer(0, 1, 1e6, cut.on_delivered(), cut.on_lost());  // drains 1 ms
  net.start_transfer(2, 0, 1e3, propagating.on_delivered(), propagating.on_lost());
  net.start_transfer(2, 1, 1e6, other.on_delivered(), other.on_lost());  // shares h1's link
  // Link 0 is h0's host link. At 500 us the first flow is half drained; the
  // small one from h2 to h0 drained at 1 us and propagates until 21 us, so
  // cutting at 15 us catches it on the wire.
  at_time(sim, 15_us, [&] { net.set_link_up(0, false); });
  sim.run();
  CHECK(cut.lost == 15_us);
  CHECK(cut.delivered == -1);
  CHECK(propagating.lost == 15_us);
  CHECK(propagating.delivered == -1);
  // The survivor shared h1's downlink at 0.5 GB/s for 15 us (7.5 KB), then
  // has the link alone: 992.5 KB at 1 GB/s more, plus 20 us of latency.
  CHECK(other.delivered == 15_us + sim::from_seconds(992.5e3 / 1e9) + 20_us);
  CHECK(net.transfers_lost() == 2);
  CHECK(net.transfers_completed() == 1);

  SECTION("a send over the dead link is lost at once, and goes through again once it is up") {
    Outcome late{&sim}, again{&sim};
    net.start_transfer(1, 0, 1e3, late.on_delivered(), late.on_lost());
    CHECK_FALSE(net.can_reach(1, 0));
    const sim::Time now = sim.now();
    sim.run();
    CHECK(late.lost == now);
    net.set_link_up(0, true);
    CHECK(net.can_reach(1, 0));
    net.start_transfer(1, 0, 1e3, again.on_delivered(), again.on_lost());
    sim.run();
    CHECK(again.delivered == now + 20_us + 1_us);
    CHECK(again.lost == -1);
  }
}

TEST_CASE("a link down reroutes new flows when another path exists", "[network][faults]") {
  // A triangle a-b (fast, 1 us), a-c and c-b (10 us each).
  sim::Simulator sim;
  Topology t;
  t.add_host("a");
  t.add_host("b");
  t.add_host("c");
  t.add_link(0, 1, LinkParams{1e9, 1_us});
  t.add_link(0, 2, LinkParams{1e9, 10_us});
  t.add_link(2, 1, LinkParams{1e9, 10_us});
  Network net(sim, t);
  CHECK(net.routing().route(0, 1).latency == 1_us);
  net.set_link_up(0, false);
  CHECK(net.routing().route(0, 1).latency == 20_us);
  Outcome o{&sim};
  net.start_transfer(0, 1, 1e6, o.on_delivered(), o.on_lost());
  sim.run();
  CHECK(o.delivered == 20_us + 1_ms);
  net.set_link_up(0, true);
  CHECK(net.routing().route(0, 1).latency == 1_us);
}

TEST_CASE("a partition isolates exactly the named hosts", "[network][faults]") {
  sim::Simulator sim;
  const Topology t = [] {
    topology::TreeParams p;
    p.hosts_per_rack = 2;
    p.host_link = LinkParams{1e9, 1_us};
    return topology::build_two_level_tree(host_names(6), p);
  }();
  Network net(sim, t);
  const std::vector<NodeId> rack1 = topology::rack_members(t)[1];
  REQUIRE(rack1 == std::vector<NodeId>{2, 3});
  Outcome crossing{&sim}, inside{&sim}, outside{&sim};
  net.start_transfer(0, 2, 1e6, crossing.on_delivered(), crossing.on_lost());
  net.start_transfer(2, 3, 1e6, inside.on_delivered(), inside.on_lost());
  net.start_transfer(4, 5, 1e6, outside.on_delivered(), outside.on_lost());
  at_time(sim, 100_us, [&] { net.set_partition(rack1, 1); });
  sim.run();
  CHECK(crossing.lost == 100_us);
  CHECK(inside.delivered > 1_ms);
  CHECK(outside.delivered > 1_ms);
  for (NodeId a : t.hosts()) {
    for (NodeId b : t.hosts()) {
      const bool same_side = (a == 2 || a == 3) == (b == 2 || b == 3);
      CHECK(net.can_reach(a, b) == same_side);
    }
  }
  net.set_partition(rack1, 0);
  CHECK(net.can_reach(0, 2));
}

TEST_CASE("a crashed host loses what it sends and receives, and counts incarnations",
          "[network][faults]") {
  sim::Simulator sim;
  // A ring h0-h1-h2-h3: h0 to h2 goes through h1 (lowest id on a tie).
  const Topology t = topology::build_ring(host_names(4), LinkParams{1e9, 1_us});
  Network net(sim, t);
  Outcome to{&sim}, from{&sim}, through{&sim}, bystander{&sim};
  net.start_transfer(0, 1, 1e6, to.on_delivered(), to.on_lost());
  net.start_transfer(1, 3, 1e6, from.on_delivered(), from.on_lost());
  net.start_transfer(0, 2, 1e6, through.on_delivered(), through.on_lost());
  net.start_transfer(3, 2, 1e6, bystander.on_delivered(), bystander.on_lost());
  CHECK(net.incarnation(1) == 0);
  at_time(sim, 50_us, [&] { net.crash_host(1); });
  sim.run();
  CHECK(to.lost == 50_us);
  CHECK(from.lost == 50_us);
  CHECK(through.lost == 50_us);
  CHECK(bystander.delivered > 0);
  CHECK_FALSE(net.host_up(1));
  CHECK(net.incarnation(1) == 1);
  // h0 -> h2 now goes the other way round, through h3.
  Outcome rerouted{&sim};
  net.start_transfer(0, 2, 1e3, rerouted.on_delivered(), rerouted.on_lost());
  const sim::Time now = sim.now();
  sim.run();
  CHECK(rerouted.delivered == now + 2_us + 1_us);  // two hops of 1 us, 1 KB at 1 GB/s
  net.recover_host(1);
  CHECK(net.host_up(1));
  CHECK(net.incarnation(1) == 1);
  CHECK(net.can_reach(0, 1));
}

TEST_CASE("a lossy link loses the seeded share of messages, reproducibly", "[network][faults]") {
  auto run = [](double p) {
    sim::Simulator sim;
    const Topology t = topology::build_star(host_names(2), LinkParams{1e9, 1_us});
    Network net(sim, t);
    net.set_link_loss(0, p, sim::derive_seed(7, "h0", "loss"));
    std::vector<int> lost;
    for (int i = 0; i < 2000; ++i) {
      net.start_transfer(0, 1, 100, {}, [&lost, i] { lost.push_back(i); });
    }
    sim.run();
    CHECK(net.transfers_lost() + net.transfers_completed() == 2000);
    return lost;
  };
  const auto first = run(0.1);
  CHECK(first == run(0.1));
  // Binomial(2000, 0.1): mean 200, sd 13.4; 5 sd either side.
  CHECK(first.size() > 133);
  CHECK(first.size() < 267);
  CHECK(run(0.0).empty());
  CHECK(run(1.0).size() == 2000);
}
