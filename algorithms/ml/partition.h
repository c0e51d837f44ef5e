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

}  // namespace ml
