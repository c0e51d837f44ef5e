#include "algorithms/runtime/aggregator.h"

#include <cassert>

#include "algorithms/runtime/averaging.h"

namespace algo {

void WeightedMean::aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                             ml::Vector& out) {
  assert(!contributions.empty());
  if (ctx.timing_only) return;
  counts_.clear();
  for (const Contribution& c : contributions) counts_.push_back(c.weight);
  const std::vector<float> weights = proportional_weights(counts_);
  inputs_.clear();
  for (std::size_t i = 0; i < contributions.size(); ++i) {
    inputs_.push_back({weights[i], contributions[i].values});
  }
  weighted_average(ctx, inputs_, out, jobs_);
}

}  // namespace algo
