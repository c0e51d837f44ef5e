// Coordinate-wise robust rules: each output coordinate is an order
// statistic of that coordinate over the n contributions.
//
//   median (`aggregator: median`): the middle value; with n even, the mean
//     of the two middle values. Breakdown point: fewer than n/2 attackers
//     keep every coordinate between two honest values.
//   trimmed mean (`aggregator: {kind: trimmed_mean, beta: B}`): drop the
//     b = floor(B * n) smallest and b largest values, average the n - 2b
//     left (summed in ascending order). Tolerates up to b attackers: each
//     coordinate then stays within the range of the honest values.
//
// Cost: a partial sort per coordinate, charged as n * log2(n) + n FLOPs per
// element (comparisons counted as FLOPs).
#pragma once

#include <vector>

#include "algorithms/robust/robust_rule.h"

namespace algo {

class CoordinateMedian final : public RobustRule {
 public:
  std::string_view name() const override { return "median"; }
  void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                 ml::Vector& out) override;
  double flops(std::int64_t parameters, int count) const override;

 private:
  std::vector<float> column_;  // scratch: one coordinate over the contributions
};

class TrimmedMean final : public RobustRule {
 public:
  // REQUIRES 0 <= beta < 0.5, else std::invalid_argument.
  explicit TrimmedMean(double beta);
  std::string_view name() const override { return "trimmed_mean"; }
  void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                 ml::Vector& out) override;
  double flops(std::int64_t parameters, int count) const override;
  // The values trimmed from each end for n contributions: floor(beta * n).
  int trimmed(int n) const;

 private:
  double beta_;
  std::vector<float> column_;
};

}  // namespace algo
