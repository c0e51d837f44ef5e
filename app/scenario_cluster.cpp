// Loads the `cluster` and `topology` sections of a scenario, and checks them
// against each other.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "app/robust_plugins.h"
#include "app/scenario_loader.h"
#include "app/scenario_sections.h"
#include "app/schema.h"
#include "app/units.h"

namespace app::section {
namespace {

constexpr double kMinBandwidth = 125.0;  // bytes per second: 1 kbit/s

topology::LinkParams load_link(const ConfigNode& node) {
  topology::LinkParams link;
  const ConfigNode bw = node.child("bandwidth");
  link.bandwidth_bytes_per_s = bw.as_bandwidth();
  bw.require(link.bandwidth_bytes_per_s > 0, "bandwidth must be greater than zero");
  // Slower, a model-sized message outlasts simulated time (int64 ns, ~292 years).
  bw.require(link.bandwidth_bytes_per_s >= kMinBandwidth,
             "bandwidth must be at least 1kbps (a slower link outlasts simulated time)");
  link.latency = node.get_duration("latency", 0);
  return link;
}

// Ten standard deviations above the mean of a drift distribution (its largest
// value when bounded): what drift_ppm may draw, bar a 1e-23 chance.
double drift_upper_tail(const sim::Distribution& d) {
  switch (d.kind) {
    case sim::Distribution::Kind::constant:
      return d.a;
    case sim::Distribution::Kind::uniform:
      return std::max(d.a, d.b);
    case sim::Distribution::Kind::normal:
      return d.a + 10 * d.b;
    case sim::Distribution::Kind::lognormal:
      return std::exp(d.a + 10 * d.b);
    case sim::Distribution::Kind::exponential:
      return 11 / d.a;
  }
  return d.a;
}

ClockSpec load_clock(const ConfigNode& node) {
  node.check_keys(schema::keys("cluster.clock"));
  ClockSpec spec;
  if (auto d = node.optional_child("drift_ppm")) {
    spec.drift_ppm = parse_distribution(*d);
    // A normal draw is unbounded, but beyond +-1e5 ppm (10%) it is not a crystal.
    if (spec.drift_ppm.kind == sim::Distribution::Kind::constant ||
        spec.drift_ppm.kind == sim::Distribution::Kind::uniform) {
      d->require(std::abs(spec.drift_ppm.a) <= 1e5 && std::abs(spec.drift_ppm.b) <= 1e5,
                 "drift_ppm must stay within +-100000 ppm");
    }
    // A draw at -1e6 ppm or below is a clock that stops or runs backwards:
    // ten standard deviations below the mean must stay above it.
    if (spec.drift_ppm.kind == sim::Distribution::Kind::normal) {
      d->require(spec.drift_ppm.a - 10 * spec.drift_ppm.b > -1e6,
                 "normal(mean, sd) drift_ppm may draw -1000000 ppm or less (a clock that "
                 "stops): keep mean - 10 sd above -1000000");
    }
    // Nor far above: a clock a million times fast turns every timer into a
    // zero-length wait (a hang) and overflows its readings.
    d->require(drift_upper_tail(spec.drift_ppm) < 1e6,
               spec.drift_ppm.to_string() +
                   " drift_ppm may draw +1000000 ppm or more: keep "
                   "mean + 10 sd below 1000000");
  }
  if (auto o = node.optional_child("offset")) {
    spec.offset_s = parse_distribution(*o, DistributionUnit::duration);
  }
  if (auto w = node.optional_child("drift_walk_ppm"))
    spec.drift_walk_ppm = w->as_double_in(0.0, 1e5);
  return spec;
}

}  // namespace

std::vector<NodeGroup> load_cluster(const ConfigNode& cluster) {
  std::vector<NodeGroup> groups;
  std::set<std::string> node_names_seen;
  for (const std::string& key : cluster.keys()) {
    const ConfigNode g = cluster.child(key);
    g.check_keys(schema::keys("cluster"));
    NodeGroup group;
    group.name = key;
    for (char c : key) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
        g.fail("group names may use letters, digits, '_' and '-' only");
      }
    }
    // Range-checked as int64 before narrowing: 4294967297 must not become 1.
    if (g.has("count")) {
      const std::int64_t count = g.child("count").as_int();
      g.child("count").require(count >= 1 && count <= 1'000'000,
                               "count must be between 1 and 1000000");
      group.count = static_cast<int>(count);
    }
    const ConfigNode flops = g.child("flops");
    group.flop_rate = flops.as_flop_rate();
    flops.require(group.flop_rate > 0, "flops must be greater than zero");
    if (auto s = g.optional_child("straggler")) {
      group.straggler = parse_distribution(*s);
      s->require(group.straggler.always_positive(),
                 "a straggler factor must always be > 0: use a constant, uniform(a, b) with a > 0, "
                 "or lognormal(mu, sigma)");
    }
    if (auto link = g.optional_child("link")) {
      link->check_keys(schema::keys("cluster.link"));
      group.link = load_link(*link);
    }
    if (auto clock = g.optional_child("clock")) group.clock = load_clock(*clock);
    if (auto attack = g.optional_child("byzantine")) group.byzantine = load_attack(*attack);
    for (const std::string& name : node_names(group)) {
      if (!node_names_seen.insert(name).second) {
        g.fail("node name '" + name + "' is produced by two groups");
      }
    }
    groups.push_back(group);
  }
  if (groups.empty()) cluster.fail("the cluster needs at least one node group");
  return groups;
}

// `share`: equal (default) or rtt (topology::Network::Sharing).
static bool load_share_by_rtt(const ConfigNode& node) {
  const auto share = node.optional_child("share");
  if (!share) return false;
  const std::string name = share->as_string();
  if (name == "equal" || name == "rtt") return name == "rtt";
  const std::string hint = did_you_mean(name, {"equal", "rtt"});
  share->fail("unknown value '" + name + "'" +
              (hint.empty() ? " (expected equal or rtt)" : " (did you mean '" + hint + "'?)"));
}

TopologySpec load_topology(const ConfigNode& node) {
  TopologySpec spec;
  const ConfigNode kind = node.child("kind");
  spec.kind = kind.as_string();
  spec.share_by_rtt = load_share_by_rtt(node);
  if (spec.kind == "star" || spec.kind == "ring") {
    node.check_keys(schema::keys("topology.star"));
    spec.link = load_link(node);
    spec.bandwidth_in_bits = is_bit_rate(node.child("bandwidth").as_string());
  } else if (spec.kind == "tree") {
    node.check_keys(schema::keys("topology.tree"));
    spec.link = load_link(node);
    spec.bandwidth_in_bits = is_bit_rate(node.child("bandwidth").as_string());
    spec.hosts_per_rack = static_cast<int>(node.child("hosts_per_rack").as_int_in(1, 1'000'000));
    spec.uplink_latency = node.get_duration("uplink_latency", spec.link.latency);
    if (auto o = node.optional_child("oversubscription")) {
      // Uplinks of 1/1000 to 1000 times the rack's host bandwidth: beyond,
      // transfer times overflow simulated time or round to nothing.
      spec.oversubscription = o->as_double_in(1e-3, 1e3);
    }
    // The switch's uplink capacity, when not hosts_per_rack x bandwidth /
    // oversubscription.
    if (auto u = node.optional_child("uplink_bandwidth")) {
      if (node.has("oversubscription")) {
        u->fail("give uplink_bandwidth or oversubscription, not both");
      }
      spec.uplink_bandwidth = u->as_bandwidth();
      u->require(spec.uplink_bandwidth >= kMinBandwidth,
                 "uplink_bandwidth must be at least 1kbps (a slower link outlasts simulated time)");
    }
  } else if (spec.kind == "explicit") {
    node.check_keys(schema::keys("topology.explicit"));
    if (auto switches = node.optional_child("switches")) {
      for (std::size_t i = 0; i < switches->size(); ++i) {
        spec.switches.push_back(switches->at(i).as_string());
      }
    }
    const ConfigNode links = node.child("links");
    if (!links.is_sequence() || links.size() == 0) links.fail("expected a list of links");
    for (std::size_t i = 0; i < links.size(); ++i) {
      const ConfigNode l = links.at(i);
      l.check_keys(schema::keys("topology.link"));
      spec.links.push_back({l.child("from").as_string(), l.child("to").as_string(), load_link(l)});
      if (i == 0) spec.bandwidth_in_bits = is_bit_rate(l.child("bandwidth").as_string());
    }
  } else {
    kind.fail("unknown topology kind '" + spec.kind + "' (expected star, ring, tree or explicit)");
  }
  load_calibration(node, spec);
  return spec;
}

void check_topology_hosts(const ConfigNode& topo, const Scenario& s) {
  if (s.topology.kind != "explicit") return;
  std::set<std::string> hosts;
  for (const NodeGroup& g : s.groups) {
    for (const std::string& n : node_names(g)) hosts.insert(n);
  }
  std::set<std::string> switches;
  const auto switch_nodes = topo.optional_child("switches");
  for (std::size_t i = 0; i < s.topology.switches.size(); ++i) {
    const std::string& name = s.topology.switches[i];
    if (hosts.count(name) || !switches.insert(name).second) {
      switch_nodes->at(i).fail("switch name '" + name + "' is already used by a node or switch");
    }
  }
  std::vector<std::string> known(hosts.begin(), hosts.end());
  known.insert(known.end(), switches.begin(), switches.end());
  const ConfigNode links = topo.child("links");
  // Union-find over node names: which nodes the links join.
  std::map<std::string, std::string> leader;
  const std::function<std::string(const std::string&)> find = [&](const std::string& n) {
    auto it = leader.find(n);
    if (it == leader.end() || it->second == n) return n;
    return it->second = find(it->second);
  };
  for (std::size_t i = 0; i < s.topology.links.size(); ++i) {
    const ExplicitLink& link = s.topology.links[i];
    for (const char* end : {"from", "to"}) {
      const std::string& name = end[0] == 'f' ? link.from : link.to;
      if (!hosts.count(name) && !switches.count(name)) {
        const std::string hint = did_you_mean(name, known);
        links.at(i).child(end).fail("'" + name + "' is neither a cluster node nor a switch" +
                                    (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    if (link.from == link.to)
      links.at(i).child("to").fail("a link joins '" + link.to + "' to itself");
    leader[find(link.from)] = find(link.to);
  }
  // Nodes in file order: the first one no path reaches from the first node.
  std::vector<std::string> nodes;
  for (const NodeGroup& g : s.groups) {
    for (const std::string& n : node_names(g)) nodes.push_back(n);
  }
  for (const std::string& n : nodes) {
    if (find(n) != find(nodes.front())) {
      links.fail("no path of links joins '" + n + "' to '" + nodes.front() +
                 "': every cluster node must reach every other");
    }
  }
}

void check_group_links(const ConfigNode& cluster, const Scenario& s) {
  if (s.topology.kind == "star" || s.topology.kind == "tree") return;
  for (const NodeGroup& g : s.groups) {
    if (g.link) {
      cluster.child(g.name).child("link").fail(
          "a group link overrides the host links of a star or tree topology, not of '" +
          s.topology.kind + "' (give explicit links instead)");
    }
  }
}

}  // namespace app::section
