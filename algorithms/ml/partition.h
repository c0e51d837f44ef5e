// Partitioning a data set's sample indices into per-worker shards.
#pragma once

#include <cstdint>
#include <vector>

namespace ml {

using Shard = std::vector<std::int32_t>;  // sample indices into a Dataset

// IID: a seeded permutation of [0, num_samples) cut into num_parts contiguous
// pieces whose sizes differ by at most 1 (the first num_samples % num_parts
// pieces get the extra sample). Every index appears in exactly one shard.
// REQUIRES num_parts >= 1 and num_parts <= num_samples <= INT32_MAX (every
// part gets data), else std::invalid_argument.
std::vector<Shard> partition_iid(std::int64_t num_samples, int num_parts, std::uint64_t seed);

// Like partition_iid, but piece sizes proportional to `weights` (largest
// remainder rounding, ties to the lower index, every piece at least 1
// sample). Equal weights give exactly partition_iid's shards.
// REQUIRES weights non-empty, each finite and > 0, and
// weights.size() <= num_samples <= INT32_MAX, else std::invalid_argument.
std::vector<Shard> partition_weighted(std::int64_t num_samples, const std::vector<double>& weights,
                                      std::uint64_t seed);

// Every sample goes to a part drawn uniformly at random (seeded), so sizes
// vary as a multinomial does. Indices within a part are in increasing order.
// std::invalid_argument if a part would be left empty (too few samples).
std::vector<Shard> partition_random(std::int64_t num_samples, int num_parts, std::uint64_t seed);

}  // namespace ml
