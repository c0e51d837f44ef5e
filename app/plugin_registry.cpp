#include "app/plugin_registry.h"

#include <memory>

#include "algorithms/runtime/mean_aggregator.h"
#include "app/schema.h"
#include "app/compressor_plugins.h"
#include "app/robust_plugins.h"

namespace app {

void check_no_keys(const ConfigNode& node) {
  if (node.is_map()) node.check_keys(schema::keys("plugin"));
}

namespace {

// The factory of a plug-in without keys of its own.
template <class Base, class Rule>
std::function<std::unique_ptr<Base>()> make() {
  return [] { return std::make_unique<Rule>(); };
}

template <class Base, class Rule>
std::function<std::unique_ptr<Base>()> plain(const ConfigNode& node) {
  check_no_keys(node);
  return make<Base, Rule>();
}

// Finds the entry `node` names (its scalar value, or its `kind`) and parses it.
template <class Factory>
Factory load_plugin(const ConfigNode& parent, const std::string& key,
                    const std::vector<PluginEntry<Factory>>& registry, const char* what) {
  const std::optional<ConfigNode> given = parent.optional_child(key);
  if (!given) return registry.front().make_default();
  const ConfigNode name_node = given->is_map() ? given->child("kind") : *given;
  const std::string name = name_node.as_string();
  std::vector<std::string> known;
  for (const PluginEntry<Factory>& entry : registry) {
    if (name == entry.kind) return entry.parse(*given);
    known.emplace_back(entry.kind);
  }
  const std::string hint = did_you_mean(name, known);
  name_node.fail("unknown " + std::string(what) + " '" + name + "'" +
                 (hint.empty() ? " (expected one of: " + join(known, ", ") + ")"
                               : " (did you mean '" + hint + "'?)"));
}

}  // namespace

const std::vector<PluginEntry<algo::AggregatorFactory>>& aggregator_registry() {
  static const std::vector<PluginEntry<algo::AggregatorFactory>> entries = {
      {"weighted_mean", &plain<algo::Aggregator, algo::WeightedMean>,
       &make<algo::Aggregator, algo::WeightedMean>},
      {"mean", &plain<algo::Aggregator, algo::MeanAggregator>},
      {"median", &parse_median},
      {"trimmed_mean", &parse_trimmed_mean},
      {"krum", &parse_krum},
      {"multi_krum", &parse_multi_krum},
      {"geometric_median", &parse_geometric_median},
      {"centered_clipping", &parse_centered_clipping},
  };
  return entries;
}

const std::vector<PluginEntry<algo::CompressorFactory>>& compressor_registry() {
  static const std::vector<PluginEntry<algo::CompressorFactory>> entries = {
      {"none", &plain<algo::Compressor, algo::IdentityCompressor>,
       &make<algo::Compressor, algo::IdentityCompressor>},
      {"topk", &parse_topk},
      {"randk", &parse_randk},
      {"qsgd", &parse_qsgd},
      {"sign", &parse_sign},
  };
  return entries;
}

algo::AggregatorFactory load_aggregator(const ConfigNode& node, const std::string& key) {
  return load_plugin(node, key, aggregator_registry(), "aggregator");
}

algo::CompressorFactory load_compressor(const ConfigNode& node, const std::string& key) {
  return load_plugin(node, key, compressor_registry(), "compressor");
}

}  // namespace app
