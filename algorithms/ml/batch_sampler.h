// BatchSampler: walks one shard in epochs, reshuffling (seeded) at the start
// of every epoch, the first included. The last batch of an epoch is returned
// short when the shard size is not a multiple of the batch size (like the
// PyTorch reference, which keeps it); the next call starts a new epoch.
// A batch never spans two epochs.
#pragma once

#include <cstdint>
#include <span>

#include "algorithms/ml/partition.h"
#include "sim/random.h"

namespace ml {

class BatchSampler {
 public:
  // REQUIRES a non-empty shard, else std::invalid_argument.
  BatchSampler(Shard shard, std::uint64_t seed);

  // The next batch: min(batch_size, samples left in this epoch) indices.
  // The view is owned by the sampler and valid until the next call.
  // REQUIRES batch_size >= 1, else std::invalid_argument.
  std::span<const std::int32_t> next_batch(int batch_size);

  // Epochs whose last batch has been returned.
  std::int64_t epochs_completed() const { return epochs_completed_; }
  // Total indices returned so far, over all epochs.
  std::int64_t samples_drawn() const { return samples_drawn_; }
  std::int64_t shard_size() const { return static_cast<std::int64_t>(order_.size()); }

 private:
  Shard order_;               // the shard, permuted in place at each epoch start
  sim::RandomStream rng_;     // drives the reshuffles only
  std::size_t position_ = 0;  // next unread slot of order_ in this epoch
  std::int64_t epochs_completed_ = 0;
  std::int64_t samples_drawn_ = 0;
};

}  // namespace ml
