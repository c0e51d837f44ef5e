#include "algorithms/ml/partition.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>

#include "algorithms/ml/rng.h"

namespace ml {

namespace {

void check_sample_count(const char* who, std::int64_t num_samples, std::size_t num_parts) {
  if (num_parts < 1) throw std::invalid_argument(std::string(who) + ": num_parts must be >= 1");
  if (num_samples > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument(std::string(who) + ": num_samples must fit in int32 indices");
  }
  if (num_samples < static_cast<std::int64_t>(num_parts)) {
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(num_samples) +
                                " samples cannot fill " + std::to_string(num_parts) + " parts");
  }
}

}  // namespace

std::vector<Shard> partition_iid(std::int64_t num_samples, int num_parts, std::uint64_t seed) {
  if (num_parts < 1) throw std::invalid_argument("partition_iid: num_parts must be >= 1");
  return partition_weighted(num_samples, std::vector<double>(static_cast<std::size_t>(num_parts), 1.0),
                            seed);
}

std::vector<Shard> partition_weighted(std::int64_t num_samples, const std::vector<double>& weights,
                                      std::uint64_t seed) {
  check_sample_count("partition", num_samples, weights.size());
  double total = 0.0;
  for (double w : weights) {
    if (!(w > 0) || !std::isfinite(w)) {
      throw std::invalid_argument("partition: weights must be finite and > 0");
    }
    total += w;
  }
  // Largest remainder: floor of each exact share (at least 1), then the
  // leftover samples one each to the largest remainders, lower index first.
  const std::size_t parts = weights.size();
  std::vector<std::int64_t> sizes(parts);
  std::vector<double> remainder(parts);
  std::int64_t assigned = 0;
  for (std::size_t p = 0; p < parts; ++p) {
    const double exact = static_cast<double>(num_samples) * weights[p] / total;
    sizes[p] = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(exact)));
    remainder[p] = exact - static_cast<double>(sizes[p]);
    assigned += sizes[p];
  }
  std::vector<std::size_t> by_remainder(parts);
  std::iota(by_remainder.begin(), by_remainder.end(), std::size_t{0});
  std::stable_sort(by_remainder.begin(), by_remainder.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  for (std::size_t k = 0; assigned < num_samples; k = (k + 1) % parts, ++assigned) {
    ++sizes[by_remainder[k]];
  }
  // The floors of 1 can overshoot when many weights are tiny: take the excess
  // back from the largest pieces, never below 1.
  while (assigned > num_samples) {
    const auto largest = std::max_element(sizes.begin(), sizes.end());
    --*largest;
    --assigned;
  }

  std::vector<std::int32_t> order(static_cast<std::size_t>(num_samples));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  rng.shuffle(std::span<std::int32_t>(order));
  std::vector<Shard> shards(parts);
  auto begin = order.begin();
  for (std::size_t p = 0; p < parts; ++p) {
    shards[p].assign(begin, begin + sizes[p]);
    begin += sizes[p];
  }
  return shards;
}

std::vector<Shard> partition_random(std::int64_t num_samples, int num_parts, std::uint64_t seed) {
  check_sample_count("partition_random", num_samples, static_cast<std::size_t>(std::max(num_parts, 0)));
  std::vector<Shard> shards(static_cast<std::size_t>(num_parts));
  Rng rng(seed);
  for (std::int64_t i = 0; i < num_samples; ++i) {
    shards[rng.bounded(static_cast<std::uint64_t>(num_parts))].push_back(static_cast<std::int32_t>(i));
  }
  for (std::size_t p = 0; p < shards.size(); ++p) {
    if (shards[p].empty()) {
      throw std::invalid_argument("partition_random: part " + std::to_string(p) +
                                  " drew no samples; use more samples or fewer parts");
    }
  }
  return shards;
}

}  // namespace ml
