#include "app/algorithm_registry.h"

#include <algorithm>

#include "app/privacy_keys.h"
#include "app/scenario_sections.h"
#include "app/schema.h"

namespace app {

const std::vector<AlgorithmEntry>& algorithm_registry() {
  static const std::vector<AlgorithmEntry> entries = {
      {"ps_sync", &parse_ps_sync},
      {"ps_async", &parse_ps_async},
      {"ps_ssp", &parse_ps_ssp},
      {"gossip", &parse_gossip},
      {"allreduce_ring", &parse_allreduce_ring},
      {"allreduce_tree", &parse_allreduce_tree},
      {"allreduce_hierarchical", &parse_allreduce_hierarchical},
      {"local_sgd", &parse_local_sgd},
      {"fedavg", &parse_fedavg},
      {"fedprox", &parse_fedprox},
      {"scaffold", &parse_scaffold},
      {"fedbuff", &parse_fedbuff},
      {"fedasync", &parse_fedasync},
      {"hierfl", &parse_hierfl},
  };
  return entries;
}

AlgorithmChoice load_algorithm(const ConfigNode& node, const std::vector<NodeGroup>& groups,
                               const OptimizerSpec& scenario_optimizer) {
  const ConfigNode kind = node.child("kind");
  const std::string name = kind.as_string();
  std::vector<std::string> known;
  for (const AlgorithmEntry& entry : algorithm_registry()) {
    if (name == entry.kind) {
      AlgorithmChoice choice =
          entry.parse(node.without(schema::keys("algorithm.overrides")), groups);
      if (const auto optimizer = node.optional_child("optimizer")) {
        choice.optimizer = section::load_optimizer(*optimizer, scenario_optimizer);
      }
      choice.kind = name;
      if (node.has("privacy")) choice.privacy = load_privacy(node, name, groups);
      choice.label = node.get_string("label", name);
      if (choice.elastic && node.has("elastic")) {
        const ConfigNode timeout = node.child("elastic").child("timeout");
        choice.elastic_timeout_at = section::location(timeout, timeout.path());
      }
      if (choice.batch_size == 0) choice.batch_size = batch_size(node);  // for the memory estimate
      if (choice.label.empty() || choice.label.find_first_of(",\"\n") != std::string::npos) {
        node.child("label").fail("a label must be non-empty, without ',', '\"' or newlines");
      }
      return choice;
    }
    known.emplace_back(entry.kind);
  }
  const std::string hint = did_you_mean(name, known);
  kind.fail("unknown algorithm '" + name + "'" +
            (hint.empty() ? " (expected one of: " + join(known, ", ") + ")"
                          : " (did you mean '" + hint + "'?)"));
}

std::vector<int> group_nodes(const ConfigNode& node, const std::string& key,
                             const std::string& fallback, const std::vector<NodeGroup>& groups) {
  std::vector<std::string> names;
  for (const NodeGroup& g : groups) names.push_back(g.name);
  // Which groups: `key: name`, `key: [name, ...]`, or the fallback name.
  std::vector<bool> chosen(groups.size(), false);
  auto choose = [&](const std::string& name, const ConfigNode& where, bool defaulted) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      const std::string hint = did_you_mean(name, names);
      const std::string message = "no cluster group named '" + name + "'" +
                                  (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
      if (defaulted) {
        where.fail(message + " (the default for '" + key + "'; set it to one of your groups)");
      }
      where.fail(message);
    }
    const auto g = static_cast<std::size_t>(it - names.begin());
    if (chosen[g]) where.fail("group '" + name + "' is listed twice");
    chosen[g] = true;
  };
  const auto given = node.optional_child(key);
  if (!given) {
    choose(fallback, node, true);
  } else if (given->is_sequence()) {
    if (given->size() == 0) given->fail("expected a group name or a non-empty list of group names");
    for (std::size_t i = 0; i < given->size(); ++i)
      choose(given->at(i).as_string(), given->at(i), false);
  } else {
    choose(given->as_string(), *given, false);
  }
  // The chosen groups' nodes, in the cluster's node order.
  std::vector<int> indices;
  int next = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (int i = 0; i < groups[g].count; ++i, ++next) {
      if (chosen[g]) indices.push_back(next);
    }
  }
  return indices;
}

int batch_size(const ConfigNode& node) {
  // Every kind's batch_size has the same default; ps_sync's entry holds it.
  if (!node.has("batch_size"))
    return static_cast<int>(schema::int_default("algorithm.ps_sync", "batch_size"));
  return static_cast<int>(node.child("batch_size").as_int_in(1, 1'000'000));
}

algo::AssignmentPolicy assignment_policy(const ConfigNode& node) {
  const auto a = node.optional_child("assignment");
  if (!a) return algo::AssignmentPolicy::equal;
  const std::string name = a->as_string();
  for (auto policy : {algo::AssignmentPolicy::equal, algo::AssignmentPolicy::random,
                      algo::AssignmentPolicy::capacity}) {
    if (name == algo::assignment_name(policy)) return policy;
  }
  a->fail("unknown assignment '" + name + "' (expected equal, random or capacity)");
}

}  // namespace app
