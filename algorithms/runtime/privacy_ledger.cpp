#include "algorithms/runtime/privacy_ledger.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "algorithms/privacy/rdp_accountant.h"
#include "algorithms/runtime/dp_sgd_objective.h"
#include "sim/random.h"

namespace algo {

PrivacyLedger::PrivacyLedger(const PrivacySpec& spec, std::uint64_t root_seed)
    : spec_(spec), root_seed_(root_seed) {
  if (!(spec.clip > 0.0 && spec.clip < 1e300))
    throw std::invalid_argument("privacy clip must be > 0");
  if (!(spec.noise_multiplier >= 0.0 && spec.noise_multiplier < 1e300)) {
    throw std::invalid_argument("privacy noise_multiplier must be >= 0");
  }
  if (!(spec.delta > 0.0 && spec.delta < 1.0)) {
    throw std::invalid_argument("privacy delta must be in (0, 1)");
  }
}

void PrivacyLedger::record(const std::string& entity, double q) {
  ++releases_[{entity, std::clamp(q, std::numeric_limits<double>::min(), 1.0)}];
}

std::int64_t PrivacyLedger::releases(const std::string& entity) const {
  std::int64_t total = 0;
  for (const auto& [key, count] : releases_) {
    if (key.first == entity) total += count;
  }
  return total;
}

std::unique_ptr<DpSgdObjective> PrivacyLedger::make_objective(const std::string& node) {
  if (!dp_sgd()) return nullptr;
  const std::uint64_t replica = replicas_made_[node]++;
  const std::uint64_t seed =
      sim::derive_seed(sim::derive_seed(root_seed_, node, "dp-sgd-noise"), replica);
  return std::make_unique<DpSgdObjective>(spec_.clip, spec_.noise_multiplier, seed);
}

double PrivacyLedger::epsilon() const {
  if (releases_.empty()) return 0.0;
  if (spec_.noise_multiplier == 0.0) return std::numeric_limits<double>::infinity();
  double worst = 0.0;
  // The map is ordered by entity, so each entity's rates are consecutive.
  for (auto it = releases_.begin(); it != releases_.end();) {
    privacy::RdpAccountant accountant;
    const std::string& entity = it->first.first;
    for (; it != releases_.end() && it->first.first == entity; ++it) {
      accountant.add_steps(it->first.second, spec_.noise_multiplier, it->second);
    }
    worst = std::max(worst, accountant.epsilon(spec_.delta).epsilon);
  }
  return worst;
}

}  // namespace algo
