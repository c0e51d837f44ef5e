// DP-FedAvg's server step (McMahan et al. 2018, "Learning Differentially
// Private Recurrent Language Models"), with the fixed denominator:
//   Delta_k = clip(m_k - w, C) = (m_k - w) min(1, C / ||m_k - w||)
//   w'      = w + (sum_k Delta_k + N(0, sigma^2 C^2 I)) / (q N)
// where w is the round's global model, m_k the accepted clients' models (in
// client order), and q N the expected number of clients per round (the
// clients sampled per round). Clipping is done here, on the decoded
// updates, so the bound holds whatever the upload's compression did.
// The noise comes from the server's own stream; with sigma = 0 nothing is
// drawn.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "algorithms/ml/types.h"
#include "sim/random.h"

namespace algo {

class DpFedAvgStep {
 public:
  // REQUIRES clip > 0, noise_multiplier >= 0, expected_clients >= 1, else
  // std::invalid_argument.
  DpFedAvgStep(double clip, double noise_multiplier, int expected_clients, std::uint64_t seed);

  // Writes w' into `out` (resized; may be `global` itself). Models empty:
  // out = w plus the noise alone. REQUIRES every model the size of global.
  void apply(const ml::Vector& global, std::span<const ml::Vector* const> models, ml::Vector& out);

  // ||m_k - w|| before clipping, of the last apply, in model order.
  const std::vector<double>& last_norms() const { return norms_; }
  std::int64_t clipped() const { return clipped_; }  // updates so far with a norm > C

  // The server's FLOPs for k updates of `parameters`: a difference, a norm,
  // a scale and an add per element per update, then the noise and the step.
  static double flops(std::int64_t parameters, int k) {
    return (4.0 * k + 3.0) * static_cast<double>(parameters);
  }

 private:
  double clip_;
  double noise_multiplier_;
  int expected_;
  sim::RandomStream noise_;
  ml::Vector sum_, delta_;  // scratch, kept for their storage
  std::vector<double> norms_;
  std::int64_t clipped_ = 0;
};

}  // namespace algo
