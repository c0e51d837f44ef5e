// Krum and Multi-Krum (Blanchard et al. 2017, "Machine Learning with
// Adversaries: Byzantine Tolerant Gradient Descent").
//
// With n contributions and f assumed attackers, each contribution's score is
// the sum of its squared L2 distances to its k = n - f - 2 nearest other
// contributions (k clamped to [1, n - 1]: fewer contributions than the rule
// assumes still aggregate). Krum (`aggregator: {kind: krum, f: F}`) returns
// the contribution with the lowest score; Multi-Krum (`{kind: multi_krum,
// f: F, m: M}`) the unweighted mean of the M lowest (M clamped to n), summed
// in contribution order. Ties go to the earlier contribution. The n - M not
// selected are flagged rejected. With n >= 2f + 3 Krum selects a
// contribution no farther from the honest ones than an honest one is.
//
// Cost: the n(n-1)/2 pairwise distances (3 FLOPs per element each), plus the
// mean of the selected.
#pragma once

#include <vector>

#include "algorithms/robust/robust_rule.h"

namespace algo {

class Krum final : public RobustRule {
 public:
  // REQUIRES f >= 0 and m >= 1, else std::invalid_argument. m = 1 is Krum.
  Krum(int f, int m);
  std::string_view name() const override { return m_ == 1 ? "krum" : "multi_krum"; }
  void aggregate(const RunContext& ctx, std::span<const Contribution> contributions,
                 ml::Vector& out) override;
  double flops(std::int64_t parameters, int count) const override;
  // The positions selected by the last aggregate(), in increasing order.
  const std::vector<int>& selected() const { return selected_; }

 private:
  int f_, m_;
  std::vector<double> distances_;  // scratch: n x n squared distances
  std::vector<int> selected_;
};

}  // namespace algo
