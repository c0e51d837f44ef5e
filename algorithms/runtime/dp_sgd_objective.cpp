#include "algorithms/runtime/dp_sgd_objective.h"

#include <stdexcept>

namespace algo {

DpSgdObjective::DpSgdObjective(double clip, double noise_multiplier, std::uint64_t seed)
    : clip_(clip), noise_multiplier_(noise_multiplier), noise_(seed) {
  if (!(clip > 0.0)) throw std::invalid_argument("DP-SGD clip must be > 0");
  if (!(noise_multiplier >= 0.0))
    throw std::invalid_argument("DP-SGD noise_multiplier must be >= 0");
}

float DpSgdObjective::loss_and_gradient(ml::Mlp& model, const ml::RowMatrix& x,
                                        std::span<const std::int32_t> y, ml::Vector& gradient) {
  const float loss = model.loss_and_clipped_gradient(x, y, clip_, gradient, norms_);
  examples_ += static_cast<std::int64_t>(norms_.size());
  for (double n : norms_) clipped_ += n > clip_ ? 1 : 0;
  if (noise_multiplier_ > 0.0) {
    // gradient holds (sum of clipped) / B: the noise is added divided by B too.
    const double scale = noise_multiplier_ * clip_ / static_cast<double>(x.rows());
    for (Eigen::Index j = 0; j < gradient.size(); ++j) {
      gradient[j] += static_cast<float>(scale * noise_.normal());
    }
  }
  return loss;
}

}  // namespace algo
