// Names a fault may target in a scenario (`faults:`): nodes, groups, racks
// and links, resolved against the scenario's cluster and topology. Shared by
// the timed faults (fault_loader.cpp) and the random ones (random_faults.cpp).
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "app/config_node.h"
#include "run/scenario.h"
#include "topology/topology.h"

namespace app {

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

}  // namespace app
