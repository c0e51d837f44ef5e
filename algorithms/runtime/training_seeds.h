// The seeds of the training randomness, derived from the scenario's root seed
// by purpose (see sim/random.h), shared by all algorithms so that two
// algorithms on one scenario start from the same model and the same shards.
#pragma once

#include <cstdint>
#include <string_view>

#include "sim/random.h"

namespace algo {

inline std::uint64_t model_init_seed(std::uint64_t root) {
  return sim::derive_seed(root, "model", "init");
}
inline std::uint64_t partition_seed(std::uint64_t root) {
  return sim::derive_seed(root, "data", "partition");
}
inline std::uint64_t batch_order_seed(std::uint64_t root, std::string_view node) {
  return sim::derive_seed(root, node, "batch-order");
}

// The stream of a sender's compressor: its `index`-th (a PS worker has one
// per shard; everything else one, index 0).
inline std::uint64_t compressor_seed(std::uint64_t root, std::string_view node, int index = 0) {
  return sim::derive_seed(sim::derive_seed(root, node, "compressor"),
                          static_cast<std::uint64_t>(index));
}

}  // namespace algo
