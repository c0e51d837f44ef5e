// MeanAggregator (`aggregator: mean`): the unweighted mean of the
// contributions. Every worker or client counts the same, whatever the number
// of samples behind its update; against the default weighted mean this stops
// a client with a large shard from pulling the model towards its own data.
#pragma once

#include <vector>

#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/averaging.h"

namespace algo {

class MeanAggregator final : public Aggregator {
 public:
  std::string_view name() const override { return "mean"; }

  void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                 ml::Vector& out) override {
    const float weight = 1.0f / static_cast<float>(contributions.size());
    inputs_.clear();
    for (const Contribution& c : contributions) inputs_.push_back({weight, c.values});
    weighted_average(ctx, inputs_, out, jobs_);  // the one kernel: sums in order
  }

  // One multiply-add per element per contribution.
  double flops(std::int64_t parameters, int count) const override {
    return static_cast<double>(count) * static_cast<double>(parameters);
  }

 private:
  std::vector<WeightedInput> inputs_;  // scratch, kept for its storage
  std::vector<MathPool::Job> jobs_;
};

}  // namespace algo
