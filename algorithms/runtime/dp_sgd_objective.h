// DpSgdObjective: DP-SGD's gradient (Abadi et al. 2016, "Deep Learning with
// Differential Privacy") as a worker's or client's local objective.
//
// On a batch of B examples: each example's gradient is clipped to L2 norm C
// (Mlp::loss_and_clipped_gradient, per-example norms from the batch's
// activations and deltas), the clipped gradients are summed, Gaussian noise
// N(0, sigma^2 C^2) is added to every coordinate of the sum, and the result
// is divided by B:
//   g = (sum_i f_i g_i + N(0, sigma^2 C^2 I)) / B,   f_i = min(1, C / ||g_i||).
// The noise comes from the objective's own stream (PrivacyLedger gives each
// replica of a node its own seed); with sigma = 0 nothing is drawn or added,
// so with a C no example reaches the gradient equals the plain loss's bit for
// bit. The reported loss is the plain batch loss (it is not released).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "algorithms/runtime/local_objective.h"
#include "sim/random.h"

namespace algo {

class DpSgdObjective final : public LocalObjective {
 public:
  // REQUIRES clip > 0, noise_multiplier >= 0, else std::invalid_argument.
  DpSgdObjective(double clip, double noise_multiplier, std::uint64_t seed);
  std::string_view name() const override { return "dp_sgd"; }

  float loss_and_gradient(ml::Mlp& model, const ml::RowMatrix& x, std::span<const std::int32_t> y,
                          ml::Vector& gradient) override;

  // The noise (a draw, a scale and an add per parameter, counted as 3 x P)
  // and the per-example norms (about the cost of a second bias pass, not
  // counted: O(B (I + O)) per layer against the products' O(B I O)).
  double extra_flops(std::int64_t parameters) const override {
    return noise_multiplier_ > 0.0 ? 3.0 * static_cast<double>(parameters) : 0.0;
  }

  // Every example's norm before clipping, of the last batch.
  const std::vector<double>& last_norms() const { return norms_; }
  std::int64_t examples() const { return examples_; }  // seen so far
  std::int64_t clipped() const { return clipped_; }    // of them, with ||g_i|| > C

 private:
  double clip_;
  double noise_multiplier_;
  sim::RandomStream noise_;
  std::vector<double> norms_;  // scratch, kept for its storage
  std::int64_t examples_ = 0;
  std::int64_t clipped_ = 0;
};

}  // namespace algo
