#include "app/fault_loader.h"

#include <algorithm>
#include <set>
#include <string>

#include "run/world.h"
#include "sim/random.h"
#include "topology/builders.h"

namespace app {
namespace {

using algo::Fault;

const std::vector<std::string> kKinds = {"crash",    "link_down", "degrade", "partition",
                                         "straggle", "link",      "random"};

// Names a fault may target: a node, a group (all its nodes), or rack<k>.
struct Names {
  const Scenario* s;
  const topology::Topology* topo;
  std::vector<std::vector<topology::NodeId>> racks;

  std::vector<std::string> known() const {
    std::vector<std::string> all;
    for (const NodeGroup& g : s->groups) {
      all.push_back(g.name);
      for (std::string& n : node_names(g)) all.push_back(std::move(n));
    }
    for (std::size_t k = 0; k < racks.size(); ++k) all.push_back("rack" + std::to_string(k));
    return all;
  }

  // The hosts a target names: a name, or a list of names and nested lists.
  // A nested list given by a YAML alias shares its anchor's position, so a
  // list that contains itself, or one list given twice in one target (the
  // "billion laughs" of nested aliases), is an error found in linear time.
  std::vector<topology::NodeId> hosts_of(const ConfigNode& node) const {
    std::vector<int> enclosing;
    std::set<int> walked;
    return hosts_of(node, enclosing, walked);
  }

  std::vector<topology::NodeId> hosts_of(const ConfigNode& node, std::vector<int>& enclosing,
                                         std::set<int>& walked) const {
    if (node.is_sequence()) {
      const int position = node.yaml().Mark().pos;
      if (position >= 0) {
        if (std::find(enclosing.begin(), enclosing.end(), position) != enclosing.end()) {
          node.fail("this list contains itself (through a YAML alias): list node names instead");
        }
        if (!walked.insert(position).second) {
          node.fail("this list is given twice in one target (through a YAML alias): give it once");
        }
      }
      enclosing.push_back(position);
      std::vector<topology::NodeId> hosts;
      for (std::size_t i = 0; i < node.size(); ++i) {
        for (topology::NodeId h : hosts_of(node.at(i), enclosing, walked)) {
          if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
        }
      }
      enclosing.pop_back();
      if (hosts.empty()) node.fail("expected at least one node");
      return hosts;
    }
    const std::string name = node.as_string();
    for (const NodeGroup& g : s->groups) {
      if (g.name != name) continue;
      std::vector<topology::NodeId> hosts;
      for (const std::string& n : node_names(g)) hosts.push_back(*topo->find(n));
      return hosts;
    }
    if (auto id = topo->find(name); id && topo->kind(*id) == topology::NodeKind::host) return {*id};
    for (std::size_t k = 0; k < racks.size(); ++k) {
      if (name == "rack" + std::to_string(k)) return racks[k];
    }
    const std::string hint = did_you_mean(name, known());
    node.fail("no node, group or rack named '" + name + "'" +
              (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }

  topology::NodeId any_node(const ConfigNode& node) const {
    const std::string name = node.as_string();
    if (auto id = topo->find(name)) return *id;
    std::vector<std::string> all;
    for (topology::NodeId v = 0; v < topo->node_count(); ++v) all.push_back(topo->name(v));
    const std::string hint = did_you_mean(name, all);
    node.fail("no node or switch named '" + name + "' in the topology" +
              (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }

  // [a, b]: the links joining a and b; a: every link of a.
  std::vector<int> links_of(const ConfigNode& node) const {
    std::vector<int> links;
    if (node.is_sequence()) {
      if (node.size() != 2) node.fail("expected [a, b]: the two ends of a link");
      const topology::NodeId a = any_node(node.at(0));
      const topology::NodeId b = any_node(node.at(1));
      for (const auto& [link, other] : topo->incident_links(a)) {
        if (other == b) links.push_back(link);
      }
      if (links.empty()) {
        node.fail("no link joins '" + topo->name(a) + "' and '" + topo->name(b) + "'");
      }
      return links;
    }
    const topology::NodeId a = any_node(node);
    for (const auto& [link, other] : topo->incident_links(a)) links.push_back(link);
    return links;
  }
};

sim::Time get_time(const ConfigNode& item, const std::string& key, sim::Time fallback) {
  if (!item.has(key)) return fallback;
  const sim::Time t = item.child(key).as_duration();
  item.child(key).require(t >= 0, key + " must be >= 0");
  return t;
}

void load_random(const ConfigNode& node, const Scenario& s, const Names& names,
                 std::vector<Fault>& out) {
  node.check_keys({"crash_rate", "mean_downtime", "nodes", "until"});
  const double rate = node.child("crash_rate").as_double();
  node.child("crash_rate")
      .require(rate > 0, "crash_rate (crashes per node per second) must be > 0");
  const sim::Time downtime = node.child("mean_downtime").as_duration();
  node.child("mean_downtime").require(downtime > 0, "mean_downtime must be > 0");
  sim::Time until = s.stop.max_time;
  if (node.has("until")) {
    until = node.child("until").as_duration();
    node.child("until").require(until > 0, "until must be > 0");
  } else if (until == 0) {
    node.fail("random faults need an end: give 'until' or stop.sim_time");
  }
  std::vector<topology::NodeId> hosts;
  if (node.has("nodes")) {
    hosts = names.hosts_of(node.child("nodes"));
  } else {
    hosts = names.topo->hosts();
  }
  std::sort(hosts.begin(), hosts.end());
  // Each crash is a scheduled fault: bound them before drawing any. A node
  // crashes on average once per 1/rate + mean_downtime.
  constexpr double kMaxRandomCrashes = 1e6;
  const double expected = static_cast<double>(hosts.size()) * sim::to_seconds(until) /
                          (1.0 / rate + sim::to_seconds(downtime));
  if (expected > kMaxRandomCrashes) {
    node.child("crash_rate")
        .fail("would schedule about " + std::to_string(static_cast<long long>(expected)) +
              " crashes (at most 1000000): lower crash_rate or until, or raise mean_downtime");
  }
  for (topology::NodeId h : hosts) {
    sim::RandomStream stream(s.seed, names.topo->name(h), "fault-crash");
    double t = 0.0;
    while (true) {
      t += stream.exponential(rate);
      // Compared in seconds first: a tiny rate's first crash lies far past
      // what simulated time (int64 ns) can hold, and means no crash at all.
      if (t >= sim::to_seconds(until)) break;
      const sim::Time at = sim::from_seconds(t);
      if (at >= until) break;
      Fault f;
      f.kind = Fault::Kind::crash;
      f.at = at;
      f.hosts = {h};
      const double down = stream.exponential(1.0 / sim::to_seconds(downtime));
      f.duration = std::max<sim::Time>(1, sim::from_seconds(down));
      out.push_back(f);
      if (out.size() > 2 * kMaxRandomCrashes) {
        node.child("crash_rate").fail("draws more than 2000000 crashes: lower crash_rate or until");
      }
      t += sim::to_seconds(f.duration);  // the next crash comes after the recovery
    }
  }
}

}  // namespace

std::vector<algo::Fault> load_faults(const ConfigNode& node, const Scenario& s) {
  if (!node.is_sequence())
    node.fail("expected a list of faults, e.g. - {at: 2s, crash: worker1, for: 1s}");
  const topology::Topology topo = build_topology(s);
  Names names{&s, &topo, topology::rack_members(topo)};
  std::vector<Fault> faults;
  int partitions = 0;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const ConfigNode item = node.at(i);
    if (!item.is_map()) item.fail("expected a fault: a map such as {at: 2s, crash: worker1}");
    std::vector<std::string> kinds;
    for (const std::string& k : item.keys()) {
      if (std::find(kKinds.begin(), kKinds.end(), k) != kKinds.end()) kinds.push_back(k);
    }
    if (kinds.size() != 1) {
      item.fail(
          "a fault needs exactly one of crash, link_down, degrade, partition, straggle, "
          "link (with loss) or random");
    }
    const std::string kind = kinds.front();
    if (kind == "random") {
      item.check_keys({"random"});
      load_random(item.child("random"), s, names, faults);
      continue;
    }
    Fault f;
    const ConfigNode target = item.child(kind);
    if (kind == "link") {
      item.check_keys({"link", "loss", "at"});
      f.kind = Fault::Kind::loss;
      f.links = names.links_of(target);
      f.probability = item.child("loss").as_double_in(0.0, 1.0);
      f.at = get_time(item, "at", 0);
      faults.push_back(f);
      continue;
    }
    const bool has_factor = kind == "degrade" || kind == "straggle";
    if (has_factor) {
      item.check_keys({"at", "for", kind, "factor"});
    } else {
      item.check_keys({"at", "for", kind});
    }
    f.at = item.child("at").as_duration();
    item.child("at").require(f.at >= 0, "at must be >= 0");
    f.duration = get_time(item, "for", 0);
    if (kind == "crash" || kind == "partition" || kind == "straggle")
      f.hosts = names.hosts_of(target);
    if (kind == "link_down" || kind == "degrade") f.links = names.links_of(target);
    if (kind == "crash") f.kind = Fault::Kind::crash;
    if (kind == "link_down") f.kind = Fault::Kind::link_down;
    if (kind == "degrade") {
      f.kind = Fault::Kind::degrade;
      f.factor = item.child("factor").as_double();
      item.child("factor").require(f.factor > 0 && f.factor <= 1,
                                   "a degrade factor (of the bandwidth) must be in (0, 1]");
    }
    if (kind == "straggle") {
      f.kind = Fault::Kind::straggle;
      f.factor = item.child("factor").as_double();
      item.child("factor").require(f.factor >= 1,
                                   "a straggle factor (of the compute time) must be >= 1");
    }
    if (kind == "partition") {
      f.kind = Fault::Kind::partition;
      f.group = ++partitions;
      if (f.hosts.size() == static_cast<std::size_t>(topo.hosts().size())) {
        target.fail("a partition must leave some node outside it");
      }
    }
    faults.push_back(f);
  }
  return faults;
}

}  // namespace app
