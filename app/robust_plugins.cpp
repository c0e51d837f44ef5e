#include "app/robust_plugins.h"

#include <memory>
#include <string>

#include "algorithms/robust/byzantine_aggregation.h"
#include "algorithms/robust/centered_clipping.h"
#include "algorithms/robust/coordinatewise.h"
#include "algorithms/robust/geometric_median.h"
#include "algorithms/robust/krum.h"
#include "app/plugin_registry.h"
#include "app/schema.h"
#include "app/spelling.h"

namespace app {

namespace {

// `f`: the attackers a Krum rule assumes (an integer >= 0).
int krum_f(const ConfigNode& node) {
  return static_cast<int>(node.child("f").as_int_in(0, 1'000'000));
}

}  // namespace

algo::AggregatorFactory parse_median(const ConfigNode& node) {
  check_no_keys(node);
  return [] { return std::make_unique<algo::CoordinateMedian>(); };
}

algo::AggregatorFactory parse_trimmed_mean(const ConfigNode& node) {
  if (!node.is_map()) node.fail("trimmed_mean needs its beta: {kind: trimmed_mean, beta: 0.25}");
  node.check_keys(schema::keys("aggregator.trimmed_mean"));
  const ConfigNode b = node.child("beta");
  const double beta = b.as_double_in(0.0, 0.5);
  b.require(beta < 0.5, "beta must be below 0.5 (the fraction trimmed from each end)");
  return [beta] { return std::make_unique<algo::TrimmedMean>(beta); };
}

algo::AggregatorFactory parse_krum(const ConfigNode& node) {
  if (!node.is_map()) node.fail("krum needs the attackers it assumes: {kind: krum, f: 2}");
  node.check_keys(schema::keys("aggregator.krum"));
  const int f = krum_f(node);
  return [f] { return std::make_unique<algo::Krum>(f, 1); };
}

algo::AggregatorFactory parse_multi_krum(const ConfigNode& node) {
  if (!node.is_map()) node.fail("multi_krum needs f and m: {kind: multi_krum, f: 2, m: 4}");
  node.check_keys(schema::keys("aggregator.multi_krum"));
  const int f = krum_f(node);
  const int m = static_cast<int>(node.child("m").as_int_in(1, 1'000'000));
  return [f, m] { return std::make_unique<algo::Krum>(f, m); };
}

algo::AggregatorFactory parse_geometric_median(const ConfigNode& node) {
  int iterations = 10;
  if (node.is_map()) {
    node.check_keys(schema::keys("aggregator.geometric_median"));
    if (auto t = node.optional_child("iterations"))
      iterations = static_cast<int>(t->as_int_in(0, 1000));
  }
  return [iterations] { return std::make_unique<algo::GeometricMedian>(iterations); };
}

algo::AggregatorFactory parse_centered_clipping(const ConfigNode& node) {
  if (!node.is_map()) {
    node.fail("centered_clipping needs its radius: {kind: centered_clipping, tau: 1.0}");
  }
  node.check_keys(schema::keys("aggregator.centered_clipping"));
  const ConfigNode t = node.child("tau");
  const double tau = t.as_double_in(0.0);
  t.require(tau > 0, "tau must be greater than zero");
  int iterations = 1;
  if (auto l = node.optional_child("iterations"))
    iterations = static_cast<int>(l->as_int_in(1, 1000));
  return [tau, iterations] { return std::make_unique<algo::CenteredClipping>(tau, iterations); };
}

std::optional<algo::AttackSpec> load_attack(const ConfigNode& node) {
  static const std::vector<std::string> kinds = {"none",     "sign_flip", "scale",
                                                 "gaussian", "alie",      "label_flip"};
  const ConfigNode name_node = node.is_map() ? node.child("kind") : node;
  const std::string name = name_node.as_string();
  algo::AttackSpec spec;
  if (name == "none") {
    if (node.is_map()) node.check_keys(schema::keys("plugin"));
    return std::nullopt;
  }
  if (name == "sign_flip") {
    spec.kind = algo::AttackKind::sign_flip;
    if (node.is_map()) {
      node.check_keys(schema::keys("byzantine.sign_flip"));
      if (auto c = node.optional_child("scale")) spec.scale = c->as_double_in(0.0);
    }
  } else if (name == "scale") {
    spec.kind = algo::AttackKind::scale;
    if (!node.is_map()) node.fail("scale needs its factor: {kind: scale, scale: 10}");
    node.check_keys(schema::keys("byzantine.scale"));
    spec.scale = node.child("scale").as_double();
  } else if (name == "gaussian") {
    spec.kind = algo::AttackKind::gaussian;
    if (node.is_map()) {
      node.check_keys(schema::keys("byzantine.gaussian"));
      if (auto s = node.optional_child("std")) spec.stddev = s->as_double_in(0.0);
    }
  } else if (name == "alie") {
    spec.kind = algo::AttackKind::alie;
    if (node.is_map()) {
      node.check_keys(schema::keys("byzantine.alie"));
      if (auto z = node.optional_child("z")) spec.z = z->as_double();
    }
  } else if (name == "label_flip") {
    spec.kind = algo::AttackKind::label_flip;
    if (node.is_map()) node.check_keys(schema::keys("plugin"));
  } else {
    const std::string hint = did_you_mean(name, kinds);
    name_node.fail("unknown attack '" + name + "'" +
                   (hint.empty() ? " (expected one of: " + join(kinds, ", ") + ")"
                                 : " (did you mean '" + hint + "'?)"));
  }
  return spec;
}

algo::AggregatorFactory with_byzantine(algo::AggregatorFactory rule,
                                       const std::vector<int>& participants,
                                       const std::vector<NodeGroup>& groups, bool relative) {
  // Node index -> its group, in the cluster's node order.
  std::vector<const NodeGroup*> group_of;
  std::vector<std::string> name_of;
  for (const NodeGroup& g : groups) {
    for (const std::string& name : node_names(g)) {
      group_of.push_back(&g);
      name_of.push_back(name);
    }
  }
  std::vector<std::optional<algo::AttackSpec>> attacks;
  std::vector<std::string> names;
  bool any = false;
  for (int node : participants) {
    const NodeGroup& g = *group_of.at(static_cast<std::size_t>(node));
    attacks.push_back(g.byzantine);
    names.push_back(name_of.at(static_cast<std::size_t>(node)));
    any = any || g.byzantine.has_value();
  }
  const bool robust = dynamic_cast<const algo::RobustRule*>(rule().get()) != nullptr;
  if (!any && !robust) return rule;
  // Instances are numbered as the algorithm makes them from its own copy of
  // this factory: the first (the FedAvg server, parameter-server shard 0)
  // reports the counts; each has its own noise streams.
  int made = 0;
  return [rule, attacks, names, relative, made]() mutable -> std::unique_ptr<algo::Aggregator> {
    const int index = made++;
    return std::make_unique<algo::ByzantineAggregation>(
        rule(), attacks, names, relative, index == 0,
        index == 0 ? std::string() : "-" + std::to_string(index));
  };
}

void check_byzantine_algorithms(const ConfigNode& cluster, const Scenario& s) {
  for (const NodeGroup& g : s.groups) {
    if (!g.byzantine || !g.byzantine->acts_on_contribution()) continue;
    for (const AlgorithmChoice& a : s.algorithms) {
      if (a.kind == "ps_sync" || a.kind == "ps_async" || a.kind == "ps_ssp" || a.kind == "fedavg") {
        continue;
      }
      cluster.child(g.name)
          .child("byzantine")
          .fail("a " + std::string(algo::attack_name(g.byzantine->kind)) +
                " attack acts on what a server aggregates, and " + a.kind +
                " has no server: use it with ps_sync, ps_async, ps_ssp or fedavg (label_flip works "
                "with every algorithm)");
    }
  }
}

}  // namespace app
