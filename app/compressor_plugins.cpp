#include "app/compressor_plugins.h"

#include <memory>

#include "algorithms/runtime/quantizers.h"
#include "algorithms/runtime/sparsifiers.h"
#include "app/schema.h"

namespace app {
namespace {

// A compressor with a required key, written as a bare name.
void require_map(const ConfigNode& node, const std::string& example) {
  if (!node.is_map()) node.fail("this compressor needs its keys: write it as " + example);
}

// `error_feedback` (default false) of a compressor written as a map.
bool error_feedback(const ConfigNode& node) {
  return node.is_map() && node.get_bool("error_feedback", false);
}

// Exactly one of `fraction` (in (0, 1]) and `count` (>= 1).
algo::KeepRule keep_rule(const ConfigNode& node) {
  if (!node.is_map()) require_map(node, "{kind: " + node.as_string() + ", fraction: 0.01}");
  const bool fraction = node.has("fraction");
  const bool count = node.has("count");
  if (fraction == count) {
    node.fail(fraction ? "give fraction or count, not both"
                       : "missing required key 'fraction' (or 'count')");
  }
  algo::KeepRule rule;
  if (count) {
    rule.count = node.child("count").as_int_in(1);
  } else {
    const ConfigNode value = node.child("fraction");
    rule.fraction = value.as_double_in(0.0, 1.0);
    value.require(rule.fraction > 0.0, "fraction must be greater than 0");
  }
  return rule;
}

template <class Sparsifier>
algo::CompressorFactory sparsifier(const ConfigNode& node) {
  if (node.is_map()) node.check_keys(schema::keys("compressor.sparsifier"));
  const algo::KeepRule rule = keep_rule(node);
  const bool feedback = error_feedback(node);
  return [rule, feedback] { return std::make_unique<Sparsifier>(rule, feedback); };
}

}  // namespace

algo::CompressorFactory parse_topk(const ConfigNode& node) { return sparsifier<algo::TopK>(node); }

algo::CompressorFactory parse_randk(const ConfigNode& node) {
  return sparsifier<algo::RandomK>(node);
}

algo::CompressorFactory parse_qsgd(const ConfigNode& node) {
  require_map(node, "{kind: qsgd, levels: 16}");
  node.check_keys(schema::keys("compressor.qsgd"));
  const std::int64_t levels = node.child("levels").as_int_in(1, 2147483647);
  const bool feedback = error_feedback(node);
  return [levels, feedback] { return std::make_unique<algo::Qsgd>(levels, feedback); };
}

algo::CompressorFactory parse_sign(const ConfigNode& node) {
  if (node.is_map()) node.check_keys(schema::keys("compressor.sign"));
  const bool feedback = error_feedback(node);
  return [feedback] { return std::make_unique<algo::ScaledSign>(feedback); };
}

}  // namespace app
