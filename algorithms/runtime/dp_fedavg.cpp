#include "algorithms/runtime/dp_fedavg.h"

#include <cmath>
#include <stdexcept>

namespace algo {

DpFedAvgStep::DpFedAvgStep(double clip, double noise_multiplier, int expected_clients,
                           std::uint64_t seed)
    : clip_(clip), noise_multiplier_(noise_multiplier), expected_(expected_clients), noise_(seed) {
  if (!(clip > 0.0)) throw std::invalid_argument("DP-FedAvg clip must be > 0");
  if (!(noise_multiplier >= 0.0))
    throw std::invalid_argument("DP-FedAvg noise_multiplier must be >= 0");
  if (expected_clients < 1) throw std::invalid_argument("DP-FedAvg needs >= 1 expected client");
}

void DpFedAvgStep::apply(const ml::Vector& global, std::span<const ml::Vector* const> models,
                         ml::Vector& out) {
  sum_.setZero(global.size());
  norms_.clear();
  for (const ml::Vector* model : models) {
    if (model->size() != global.size())
      throw std::invalid_argument("DP-FedAvg: model size differs");
    delta_ = *model - global;
    double squared = 0.0;
    for (Eigen::Index j = 0; j < delta_.size(); ++j)
      squared += static_cast<double>(delta_[j]) * delta_[j];
    const double norm = std::sqrt(squared);
    norms_.push_back(norm);
    if (norm > clip_) {
      delta_ *= static_cast<float>(clip_ / norm);
      ++clipped_;
    }
    sum_ += delta_;
  }
  if (noise_multiplier_ > 0.0) {
    const double sd = noise_multiplier_ * clip_;
    for (Eigen::Index j = 0; j < sum_.size(); ++j)
      sum_[j] += static_cast<float>(sd * noise_.normal());
  }
  const float scale = 1.0f / static_cast<float>(expected_);
  out = global + scale * sum_;
}

}  // namespace algo
