#include "algorithms/ml/partition.h"

#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>

#include "algorithms/ml/rng.h"

namespace ml {

std::vector<Shard> partition_iid(std::int64_t num_samples, int num_parts, std::uint64_t seed) {
  if (num_parts < 1) throw std::invalid_argument("partition_iid: num_parts must be >= 1");
  if (num_samples > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument("partition_iid: num_samples must fit in int32 indices");
  }
  if (num_samples < num_parts) {
    throw std::invalid_argument("partition_iid: " + std::to_string(num_samples) +
                                " samples cannot fill " + std::to_string(num_parts) + " parts");
  }
  std::vector<std::int32_t> order(static_cast<std::size_t>(num_samples));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  rng.shuffle(std::span<std::int32_t>(order));

  std::vector<Shard> shards(static_cast<std::size_t>(num_parts));
  const std::int64_t base = num_samples / num_parts;
  const std::int64_t extra = num_samples % num_parts;
  auto begin = order.begin();
  for (int p = 0; p < num_parts; ++p) {
    const std::int64_t size = base + (p < extra ? 1 : 0);
    shards[static_cast<std::size_t>(p)].assign(begin, begin + size);
    begin += size;
  }
  return shards;
}

}  // namespace ml
