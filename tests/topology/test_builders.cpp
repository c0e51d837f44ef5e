#include "topology/builders.h"
#include "host_names.h"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "topology/network.h"
#include "topology/routing.h"

using namespace sim::literals;
using topology::LinkParams;
using topology::NodeId;
using topology::NodeKind;
using topology::Topology;

namespace {

int switch_count(const Topology& t) {
  int count = 0;
  for (NodeId id = 0; id < t.node_count(); ++id) count += t.kind(id) == NodeKind::network_switch;
  return count;
}

const LinkParams kLink{1e9, 2_us};

}  // namespace

TEST_CASE("builders make the documented number of hosts, switches and links", "[builders]") {
  SECTION("star: n hosts, one switch, n links; hosts keep their names and order") {
    const Topology t = topology::build_star(host_names(5), kLink);
    CHECK(t.hosts() == std::vector<NodeId>{0, 1, 2, 3, 4});
    CHECK(t.name(3) == "h3");
    CHECK(switch_count(t) == 1);
    CHECK(t.find("switch") == 5);
    CHECK(t.link_count() == 5);
    CHECK(topology::rack_index(t) == std::vector<int>{0, 0, 0, 0, 0, -1});
  }
  SECTION("ring: n hosts, n links, host i to i+1") {
    const Topology t = topology::build_ring(host_names(4), kLink);
    CHECK(t.hosts().size() == 4);
    CHECK(switch_count(t) == 0);
    CHECK(t.link_count() == 4);
    CHECK(t.link_ends(3) == std::pair<NodeId, NodeId>{3, 0});
    CHECK(topology::rack_index(t) == std::vector<int>{-1, -1, -1, -1});
  }
  SECTION("ring of two: a single link") {
    const Topology t = topology::build_ring(host_names(2), kLink);
    CHECK(t.link_count() == 1);
  }
  SECTION("tree: ceil(n / k) ToRs plus a spine; the last rack is partial") {
    const Topology t =
        topology::build_two_level_tree(host_names(7), topology::TreeParams{3, kLink, 5_us, 1.0});
    CHECK(t.hosts().size() == 7);
    CHECK(switch_count(t) == 4);  // tor0, tor1, tor2, spine
    CHECK(t.find("tor2").has_value());
    CHECK(t.find("spine").has_value());
    CHECK(t.link_count() == 7 + 3);
    CHECK(topology::rack_index(t) == std::vector<int>{0, 0, 0, 1, 1, 1, 2, -1, -1, -1, -1});
    const auto racks = topology::rack_members(t);
    REQUIRE(racks.size() == 3);
    CHECK(racks[2] == std::vector<NodeId>{6});
  }
}

TEST_CASE("tree oversubscription sets uplink bandwidth and makes a cross-rack bottleneck",
          "[builders]") {
  const double host_bw = 1e9;
  const double over = 4.0;
  const Topology t = topology::build_two_level_tree(
      host_names(10), topology::TreeParams{4, LinkParams{host_bw, 1_us}, 10_us, over});
  const NodeId spine = *t.find("spine");
  const auto uplinks_of = [spine](const Topology& topo) {
    std::vector<double> uplinks;
    for (int link = 0; link < topo.link_count(); ++link) {
      if (topo.link_ends(link).second == spine) {
        uplinks.push_back(topo.link(link).bandwidth_bytes_per_s);
      }
    }
    return uplinks;
  };
  SECTION(
      "uplink bandwidth = hosts_per_rack * host bandwidth / oversubscription, a partial "
      "rack's too") {
    CHECK(uplinks_of(t) == std::vector<double>(3, 4 * host_bw / over));
  }
  SECTION("per-host links do not change the uplinks: the switch's port speed sizes them") {
    std::vector<LinkParams> links(10, LinkParams{host_bw / 10, 1_us});
    const Topology slow = topology::build_two_level_tree(
        host_names(10), topology::TreeParams{4, LinkParams{host_bw, 1_us}, 10_us, over}, links);
    CHECK(uplinks_of(slow) == std::vector<double>(3, 4 * host_bw / over));
  }
  SECTION("an explicit uplink bandwidth replaces the derived one") {
    topology::TreeParams p{4, LinkParams{host_bw, 1_us}, 10_us, over};
    p.uplink_bandwidth = 3e8;
    CHECK(uplinks_of(topology::build_two_level_tree(host_names(10), p)) ==
          std::vector<double>(3, 3e8));
  }
  SECTION("a cross-rack route crosses four links; a partial rack's uplink is no thinner") {
    topology::Routing routing(t);
    const auto& route = routing.route(0, 9);
    CHECK(route.channels.size() == 4);
    CHECK(route.latency == 1_us + 10_us + 10_us + 1_us);
    CHECK(route.bottleneck_bandwidth == 4 * host_bw / over);
    CHECK(routing.route(0, 3).channels.size() == 2);
  }
  SECTION("four hosts of rack 0 sending across share their uplink") {
    // Oracle: uplink of rack 0 = 4e9/4 = 1e9 shared by 4 flows -> 2.5e8 each.
    sim::Simulator sim;
    topology::Network net(sim, t);
    std::vector<std::uint64_t> ids;
    for (NodeId h = 0; h < 4; ++h) ids.push_back(net.start_transfer(h, 4 + h % 2, 1e6, {}));
    for (auto id : ids) CHECK(net.flow_rate(id) == 2.5e8);
  }
}

TEST_CASE("builders reject bad parameters with invalid_argument", "[builders]") {
  const LinkParams bad_bw{0.0, 1_us};
  const LinkParams bad_lat{1e9, -1};
  SECTION("star with zero hosts") {
    CHECK_THROWS_AS(topology::build_star({}, kLink), std::invalid_argument);
  }
  SECTION("star with bad bandwidth") {
    CHECK_THROWS_AS(topology::build_star(host_names(2), bad_bw), std::invalid_argument);
  }
  SECTION("star with negative latency") {
    CHECK_THROWS_AS(topology::build_star(host_names(2), bad_lat), std::invalid_argument);
  }
  SECTION("star with duplicate host names") {
    CHECK_THROWS_AS(topology::build_star({"a", "a"}, kLink), std::invalid_argument);
  }
  SECTION("star with a host named like its switch") {
    CHECK_THROWS_AS(topology::build_star({"switch"}, kLink), std::invalid_argument);
  }
  SECTION("ring with zero hosts") {
    CHECK_THROWS_AS(topology::build_ring({}, kLink), std::invalid_argument);
  }
  SECTION("ring with one host") {
    CHECK_THROWS_AS(topology::build_ring(host_names(1), kLink), std::invalid_argument);
  }
  SECTION("ring with bad bandwidth") {
    CHECK_THROWS_AS(topology::build_ring(host_names(3), bad_bw), std::invalid_argument);
  }
  SECTION("tree with zero hosts") {
    CHECK_THROWS_AS(topology::build_two_level_tree({}, {2, kLink, 1_us, 1.0}),
                    std::invalid_argument);
  }
  SECTION("tree with racks of zero hosts") {
    CHECK_THROWS_AS(topology::build_two_level_tree(host_names(4), {0, kLink, 1_us, 1.0}),
                    std::invalid_argument);
  }
  SECTION("tree with zero oversubscription") {
    CHECK_THROWS_AS(topology::build_two_level_tree(host_names(4), {2, kLink, 1_us, 0.0}),
                    std::invalid_argument);
  }
  SECTION("tree with negative oversubscription") {
    CHECK_THROWS_AS(topology::build_two_level_tree(host_names(4), {2, kLink, 1_us, -2.0}),
                    std::invalid_argument);
  }
  SECTION("tree with negative uplink latency") {
    CHECK_THROWS_AS(topology::build_two_level_tree(host_names(4), {2, kLink, -1, 1.0}),
                    std::invalid_argument);
  }
  SECTION("tree with bad host link") {
    CHECK_THROWS_AS(topology::build_two_level_tree(host_names(4), {2, bad_bw, 1_us, 1.0}),
                    std::invalid_argument);
  }
}
