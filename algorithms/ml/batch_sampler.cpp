#include "algorithms/ml/batch_sampler.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace ml {

BatchSampler::BatchSampler(Shard shard, std::uint64_t seed) : order_(std::move(shard)), rng_(seed) {
  if (order_.empty()) throw std::invalid_argument("BatchSampler: the shard is empty");
}

std::span<const std::int32_t> BatchSampler::next_batch(int batch_size) {
  if (batch_size < 1) throw std::invalid_argument("BatchSampler: batch_size must be >= 1");
  if (position_ == 0) rng_.shuffle(std::span<std::int32_t>(order_));
  const std::size_t count =
      std::min(static_cast<std::size_t>(batch_size), order_.size() - position_);
  const std::span<const std::int32_t> batch(order_.data() + position_, count);
  position_ += count;
  samples_drawn_ += static_cast<std::int64_t>(count);
  if (position_ == order_.size()) {
    position_ = 0;
    ++epochs_completed_;
  }
  return batch;
}

}  // namespace ml
