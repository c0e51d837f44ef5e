// Geometric median by Weiszfeld's iteration (Pillutla et al. 2019 use it as
// "robust federated aggregation"): the point minimising the sum of L2
// distances to the contributions. Tolerates fewer than n/2 attackers.
//
// Fixed and deterministic: start at the unweighted mean, then `iterations`
// times z <- sum_i w_i x_i / sum_i w_i with w_i = 1 / max(||x_i - z||, nu)
// (nu = 1e-6 keeps a weight finite when z lands on a contribution);
// distances and weights in double, the weighted sum in float, summed in
// contribution order. It flags none as rejected: every contribution keeps a
// weight. `aggregator: {kind: geometric_median, iterations: T}`, default 10.
//
// Cost: per iteration a distance (3 FLOPs per element) and a weighted sum
// (2 FLOPs per element) per contribution.
#pragma once

#include <vector>

#include "algorithms/robust/robust_rule.h"

namespace algo {

class GeometricMedian final : public RobustRule {
 public:
  static constexpr double kNu = 1e-6;
  // REQUIRES iterations >= 0, else std::invalid_argument.
  explicit GeometricMedian(int iterations);
  std::string_view name() const override { return "geometric_median"; }
  void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                 ml::Vector& out) override;
  double flops(std::int64_t parameters, int count) const override;

 private:
  int iterations_;
  ml::Vector next_;  // scratch
};

}  // namespace algo
