#include "topology/routing.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "topology/builders.h"

using namespace sim::literals;
using topology::LinkParams;
using topology::NodeId;
using topology::Routing;
using topology::Topology;

TEST_CASE("routes are shortest by latency with a deterministic tie break", "[routing]") {
  Topology t;
  const NodeId a = t.add_host("a");
  const NodeId b = t.add_host("b");
  const NodeId c = t.add_switch("c");
  const NodeId d = t.add_switch("d");

  SECTION("a faster two-hop path beats a slower direct link") {
    const int direct = t.add_link(a, b, LinkParams{1e9, 10_us});
    const int ac = t.add_link(a, c, LinkParams{5e8, 1_us});
    const int cb = t.add_link(b, c, LinkParams{2e9, 2_us});  // added b->c: crossed in direction 1
    (void)direct;
    Routing routing(t);
    const auto& route = routing.route(a, b);
    // Oracle: 1us + 2us < 10us; channels a->c (dir 0) then c->b (dir 1).
    CHECK(route.latency == 3_us);
    CHECK(route.channels == std::vector<int>{2 * ac + 0, 2 * cb + 1});
    CHECK(route.bottleneck_bandwidth == 5e8);
    SECTION("the reverse route uses the opposite channels") {
      CHECK(routing.route(b, a).channels == std::vector<int>{2 * cb + 0, 2 * ac + 1});
    }
  }
  SECTION("equal latency: fewer hops wins") {
    t.add_link(a, c, LinkParams{1e9, 1_us});
    t.add_link(c, b, LinkParams{1e9, 1_us});
    const int direct = t.add_link(a, b, LinkParams{1e9, 2_us});
    Routing routing(t);
    CHECK(routing.route(a, b).channels == std::vector<int>{2 * direct});
  }
  SECTION("equal latency and hops: the lowest-id predecessor wins, whatever the insertion order") {
    // Two paths a-d-b and a-c-b; c has the lower id. Links via d are added first.
    t.add_link(a, d, LinkParams{1e9, 1_us});
    t.add_link(d, b, LinkParams{1e9, 1_us});
    const int ac = t.add_link(a, c, LinkParams{1e9, 1_us});
    const int cb = t.add_link(c, b, LinkParams{1e9, 1_us});
    Routing routing(t);
    CHECK(routing.route(a, b).channels == std::vector<int>{2 * ac, 2 * cb});
  }
  SECTION("parallel links of equal latency: the lowest link id wins") {
    const int first = t.add_link(b, a, LinkParams{1e9, 1_us});
    t.add_link(a, b, LinkParams{1e9, 1_us});
    Routing routing(t);
    CHECK(routing.route(a, b).channels == std::vector<int>{2 * first + 1});
  }
  SECTION("a cached route is the same object with the same contents") {
    t.add_link(a, c, LinkParams{1e9, 1_us});
    t.add_link(c, b, LinkParams{1e9, 1_us});
    Routing routing(t);
    const Routing::Route& first = routing.route(a, b);
    const std::vector<int> channels = first.channels;
    routing.route(b, a);
    routing.route(c, a);
    const Routing::Route& again = routing.route(a, b);
    CHECK(&first == &again);
    CHECK(again.channels == channels);
  }
  SECTION("src == dst is an empty route of latency 0") {
    Routing routing(t);
    const auto& route = routing.route(c, c);
    CHECK(route.channels.empty());
    CHECK(route.latency == 0);
    CHECK(std::isinf(route.bottleneck_bandwidth));
  }
  SECTION("an unreachable destination throws runtime_error naming both nodes") {
    t.add_link(a, c, LinkParams{1e9, 1_us});
    Routing routing(t);
    try {
      routing.route(a, b);
      FAIL("expected std::runtime_error");
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      CHECK(what.find("'a'") != std::string::npos);
      CHECK(what.find("'b'") != std::string::npos);
    }
  }
  SECTION("an unknown node id throws invalid_argument") {
    Routing routing(t);
    CHECK_THROWS_AS(routing.route(a, 42), std::invalid_argument);
  }
}

TEST_CASE("star routes cross two links and sum their latencies", "[routing]") {
  const Topology t = topology::build_star({"x", "y", "z"}, LinkParams{1e9, 3_us});
  Routing routing(t);
  const auto& route = routing.route(0, 2);
  // Oracle: x->switch is link 0 direction 0, switch->z is link 2 direction 1.
  CHECK(route.channels == std::vector<int>{0, 5});
  CHECK(route.latency == 6_us);
  CHECK(routing.channel_count() == 6);
}
