// The plug-ins a scenario can name inside `algorithm:`, and how each is read:
// aggregation rules (`aggregator:`) and compressors (`compressor:`).
//
// A plug-in is written as a name (`aggregator: weighted_mean`) or as a map
// with its kind and its own keys (`compressor: {kind: topk, fraction: 0.01}`).
// Each entry's parse function validates those keys (errors at file:line:col
// with a did-you-mean, like every other key) and returns a factory with every
// parameter resolved, so a scenario that loads can always be run. Adding a
// plug-in is one file under algorithms/runtime/ plus one line in
// plugin_registry.cpp (docs/extending.md walks through it).
#pragma once

#include <string>
#include <vector>

#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/compressor.h"
#include "app/config_node.h"

namespace app {

template <class Factory>
struct PluginEntry {
  const char* kind;
  // `node` is the plug-in's value: a scalar (its name) or a map with `kind`.
  // A map's parse must call check_keys(schema::keys("<its section>")), a section
  // of app/schema_algorithms.cpp that lists "kind" first.
  Factory (*parse)(const ConfigNode& node);
  // The first entry's: the plug-in used when the key is absent.
  Factory (*make_default)() = nullptr;
};

// Every registered plug-in of each kind, in the order error messages list them.
const std::vector<PluginEntry<algo::AggregatorFactory>>& aggregator_registry();
const std::vector<PluginEntry<algo::CompressorFactory>>& compressor_registry();

// The plug-in under `key` of `node` (an `algorithm:` map); the registry's
// first entry (the default) when the key is absent.
algo::AggregatorFactory load_aggregator(const ConfigNode& node,
                                        const std::string& key = "aggregator");
algo::CompressorFactory load_compressor(const ConfigNode& node,
                                        const std::string& key = "compressor");

// A plug-in that has no keys of its own: accepts `NAME` or `{kind: NAME}`.
void check_no_keys(const ConfigNode& node);

}  // namespace app
