// Centered clipping (Karimireddy, He and Jaggi 2021, "Learning from History
// for Byzantine Robust Optimization"): start from a center v and move it by
// the mean of the contributions' differences to v, each clipped to L2 norm
// at most tau:
//   repeat L times: v <- v + (1/n) sum_i (x_i - v) * min(1, tau / ||x_i - v||)
// The center is the rule's previous result (for a parameter server the last
// aggregated gradient, for FedAvg the current global model); on the first
// call, the coordinate-wise median of the contributions. An attacker moves
// the result by at most tau / n per iteration whatever it sends.
// `aggregator: {kind: centered_clipping, tau: T, iterations: L}` (L default 1).
// The contributions clipped in the last iteration (||x_i - v|| > tau) are
// flagged as down-weighted.
//
// Cost: per iteration a difference, a norm and a scaled add per
// contribution: 5 FLOPs per element.
#pragma once

#include "algorithms/robust/coordinatewise.h"
#include "algorithms/robust/robust_rule.h"

namespace algo {

class CenteredClipping final : public RobustRule {
 public:
  // REQUIRES tau > 0 and iterations >= 1, else std::invalid_argument.
  CenteredClipping(double tau, int iterations);
  std::string_view name() const override { return "centered_clipping"; }
  void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                 ml::Vector& out) override;
  double flops(std::int64_t parameters, int count) const override;

 private:
  double tau_;
  int iterations_;
  ml::Vector center_;  // the previous result; empty before the first call
  ml::Vector step_;    // scratch
  CoordinateMedian first_center_;
};

}  // namespace algo
