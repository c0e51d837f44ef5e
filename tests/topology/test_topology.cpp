#include "topology/topology.h"

#include <catch2/catch.hpp>
#include <limits>
#include <sstream>
#include <stdexcept>

using namespace sim::literals;
using topology::LinkParams;
using topology::NodeKind;
using topology::Topology;

namespace {
const LinkParams kLink{1e9, 1_us};
}

TEST_CASE("a topology numbers nodes and links densely in insertion order", "[topology]") {
  Topology t;
  const auto a = t.add_host("a");
  const auto s = t.add_switch("s");
  const auto b = t.add_host("b");
  CHECK(a == 0);
  CHECK(s == 1);
  CHECK(b == 2);
  CHECK(t.add_link(a, s, kLink) == 0);
  CHECK(t.add_link(s, b, LinkParams{2e9, 3_us}) == 1);

  SECTION("names, kinds and lookup") {
    CHECK(t.name(s) == "s");
    CHECK(t.kind(a) == NodeKind::host);
    CHECK(t.kind(s) == NodeKind::network_switch);
    CHECK(t.find("b") == b);
    CHECK_FALSE(t.find("nope").has_value());
    CHECK(t.hosts() == std::vector<topology::NodeId>{a, b});
    CHECK(t.node_count() == 3);
    CHECK(t.link_count() == 2);
  }
  SECTION("links keep their ends in the order given and their parameters") {
    CHECK(t.link_ends(1) == std::pair<topology::NodeId, topology::NodeId>{s, b});
    CHECK(t.link(1).bandwidth_bytes_per_s == 2e9);
    CHECK(t.link(1).latency == 3_us);
    const auto at_s = t.incident_links(s);
    REQUIRE(at_s.size() == 2);
    CHECK(at_s[0] == std::pair<int, topology::NodeId>{0, a});
    CHECK(at_s[1] == std::pair<int, topology::NodeId>{1, b});
  }
  SECTION("a copy is independent of the original") {
    Topology copy = t;
    copy.add_host("c");
    CHECK(copy.node_count() == 4);
    CHECK(t.node_count() == 3);
    CHECK_FALSE(t.find("c").has_value());
  }
  SECTION("graphviz output names every node and link") {
    std::ostringstream dot;
    t.write_graphviz(dot);
    const std::string text = dot.str();
    CHECK(text.find("graph G {") != std::string::npos);
    CHECK(text.find("label=\"a\",shape=box") != std::string::npos);
    CHECK(text.find("label=\"s\",shape=ellipse") != std::string::npos);
    CHECK(text.find("0--1") != std::string::npos);
    CHECK(text.find("1--2") != std::string::npos);
    CHECK(text.find("2 GB/s, 3us") != std::string::npos);
  }
}

TEST_CASE("bad nodes and links are rejected with invalid_argument", "[topology]") {
  Topology t;
  const auto a = t.add_host("a");
  const auto b = t.add_host("b");
  SECTION("duplicate name") { CHECK_THROWS_AS(t.add_switch("a"), std::invalid_argument); }
  SECTION("empty name") { CHECK_THROWS_AS(t.add_host(""), std::invalid_argument); }
  SECTION("unknown node") { CHECK_THROWS_AS(t.add_link(a, 7, kLink), std::invalid_argument); }
  SECTION("negative node") { CHECK_THROWS_AS(t.add_link(-1, b, kLink), std::invalid_argument); }
  SECTION("self loop") { CHECK_THROWS_AS(t.add_link(a, a, kLink), std::invalid_argument); }
  SECTION("zero bandwidth") {
    CHECK_THROWS_AS(t.add_link(a, b, LinkParams{0.0, 1_us}), std::invalid_argument);
  }
  SECTION("negative bandwidth") {
    CHECK_THROWS_AS(t.add_link(a, b, LinkParams{-1.0, 1_us}), std::invalid_argument);
  }
  SECTION("infinite bandwidth") {
    CHECK_THROWS_AS(t.add_link(a, b, LinkParams{std::numeric_limits<double>::infinity(), 1_us}),
                    std::invalid_argument);
  }
  SECTION("NaN bandwidth") {
    CHECK_THROWS_AS(t.add_link(a, b, LinkParams{std::numeric_limits<double>::quiet_NaN(), 1_us}),
                    std::invalid_argument);
  }
  SECTION("negative latency") {
    CHECK_THROWS_AS(t.add_link(a, b, LinkParams{1e9, -1}), std::invalid_argument);
  }
  CHECK(t.link_count() == 0);
}
