#include "app/privacy_keys.h"

#include <algorithm>

#include "app/algorithm_registry.h"
#include "app/schema.h"

namespace app {

namespace {

double positive(const ConfigNode& node, double max) {
  const double value = node.as_double_in(0.0, max);
  node.require(value > 0, "must be greater than zero");
  return value;
}

// DP-FedAvg replaces the server's aggregator: a rule or an attack would be
// silently skipped, so both are refused.
void check_dp_fedavg(const ConfigNode& entry, const ConfigNode& mechanism, const std::string& kind,
                     const std::vector<NodeGroup>& groups) {
  if (kind != "fedavg" && kind != "fedprox") {
    mechanism.fail("dp_fedavg needs a FedAvg server (kind fedavg or fedprox), not '" + kind +
                   "' (dp_sgd privatises the workers of any algorithm)");
  }
  if (entry.has("aggregator")) {
    entry.child("aggregator")
        .fail(
            "dp_fedavg is the server's aggregation (clip, sum, noise); "
            "remove 'aggregator'");
  }
  const std::vector<int> clients = group_nodes(entry, "clients", "client", groups);
  int index = 0;
  for (const NodeGroup& g : groups) {
    for (int i = 0; i < g.count; ++i, ++index) {
      if (g.byzantine && std::find(clients.begin(), clients.end(), index) != clients.end()) {
        mechanism.fail("dp_fedavg does not model attacks: client group '" + g.name +
                       "' is byzantine");
      }
    }
  }
}

}  // namespace

algo::PrivacySpec load_privacy(const ConfigNode& entry, const std::string& kind,
                               const std::vector<NodeGroup>& groups) {
  const ConfigNode node = entry.child("privacy");
  node.check_keys(schema::keys("algorithm.privacy"));
  algo::PrivacySpec spec;
  const ConfigNode mechanism = node.child("mechanism");
  const std::string name = mechanism.as_string();
  if (name == "dp_sgd") {
    spec.mechanism = algo::PrivacySpec::Mechanism::dp_sgd;
    if (kind == "fedprox" || kind == "scaffold") {
      mechanism.fail("dp_sgd clips the plain loss's per-example gradients; " + kind +
                     " changes the clients' objective (use fedavg, or dp_fedavg)");
    }
  } else if (name == "dp_fedavg") {
    spec.mechanism = algo::PrivacySpec::Mechanism::dp_fedavg;
    check_dp_fedavg(entry, mechanism, kind, groups);
  } else {
    const std::string hint = did_you_mean(name, {"dp_sgd", "dp_fedavg"});
    mechanism.fail(
        "unknown privacy mechanism '" + name + "'" +
        (hint.empty() ? " (expected dp_sgd or dp_fedavg)" : " (did you mean '" + hint + "'?)"));
  }
  spec.clip = positive(node.child("clip"), 1e6);
  spec.noise_multiplier = node.child("noise_multiplier").as_double_in(0.0, 1e6);
  if (node.has("delta")) {
    const ConfigNode delta = node.child("delta");
    spec.delta = delta.as_double_in(0.0, 1.0);
    delta.require(spec.delta > 0 && spec.delta < 1, "delta must be strictly between 0 and 1");
  }
  return spec;
}

}  // namespace app
