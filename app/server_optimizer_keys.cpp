#include "app/server_optimizer_keys.h"

#include <string>
#include <vector>

#include "app/schema.h"
#include "app/spelling.h"

namespace app {

namespace {

struct Kind {
  const char* name;
  algo::ServerOptimizerConfig defaults;
};

// Defaults: FedAvgM's server momentum 0.9 with lr 1 (Hsu et al. 2019); the
// adaptive kinds' beta1 0.9, beta2 0.99, tau 1e-3 (Reddi et al. 2021) with
// lr 0.01, a value to tune (the paper searches it per task).
const std::vector<Kind>& kinds() {
  using K = algo::ServerOptimizerKind;
  static const std::vector<Kind> all = {
      {"none", {}},
      {"sgd", {K::sgd, 1.0f, 0.0f}},
      {"fedavgm", {K::sgd, 1.0f, 0.9f}},
      {"fedadam", {K::adam, 0.01f}},
      {"fedyogi", {K::yogi, 0.01f}},
      {"fedadagrad", {K::adagrad, 0.01f}},
  };
  return all;
}

float fraction(const ConfigNode& map, const char* key, float fallback) {
  const auto given = map.optional_child(key);
  if (!given) return fallback;
  const double value = given->as_double_in(0.0, 1.0);
  given->require(value < 1.0, std::string(key) + " must be less than 1");
  return static_cast<float>(value);
}

float positive(const ConfigNode& map, const char* key, float fallback) {
  const auto given = map.optional_child(key);
  if (!given) return fallback;
  const double value = given->as_double_in(0.0, 1e6);
  given->require(value > 0.0 && static_cast<float>(value) > 0.0f,
                 std::string(key) + " must be greater than zero");
  return static_cast<float>(value);
}

}  // namespace

algo::ServerOptimizerFactory load_server_optimizer(const ConfigNode& node) {
  const std::optional<ConfigNode> given = node.optional_child("server_optimizer");
  if (!given) return nullptr;
  const ConfigNode name_node = given->is_map() ? given->child("kind") : *given;
  const std::string name = name_node.as_string();
  std::vector<std::string> known;
  const Kind* kind = nullptr;
  for (const Kind& k : kinds()) {
    known.emplace_back(k.name);
    if (name == k.name) kind = &k;
  }
  if (kind == nullptr) {
    const std::string hint = did_you_mean(name, known);
    name_node.fail("unknown server optimizer '" + name + "'" +
                   (hint.empty() ? " (expected one of: " + join(known, ", ") + ")"
                                 : " (did you mean '" + hint + "'?)"));
  }
  if (name == "none") {
    if (given->is_map()) given->check_keys(schema::keys("plugin"));
    return nullptr;
  }
  algo::ServerOptimizerConfig config = kind->defaults;
  if (given->is_map()) {
    if (config.kind == algo::ServerOptimizerKind::sgd) {
      given->check_keys(schema::keys("algorithm.server_optimizer.sgd"));
      config.momentum = fraction(*given, "momentum", config.momentum);
    } else if (config.kind == algo::ServerOptimizerKind::adagrad) {
      given->check_keys(schema::keys("algorithm.server_optimizer.fedadagrad"));
    } else {
      given->check_keys(schema::keys("algorithm.server_optimizer.adaptive"));
    }
    config.lr = positive(*given, "lr", config.lr);
    config.beta1 = fraction(*given, "beta1", config.beta1);
    config.beta2 = fraction(*given, "beta2", config.beta2);
    config.tau = positive(*given, "tau", config.tau);
  }
  return [config] { return std::make_unique<algo::ServerOptimizer>(config); };
}

}  // namespace app
