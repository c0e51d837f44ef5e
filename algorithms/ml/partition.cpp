#include "algorithms/ml/partition.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>

#include "sim/random.h"

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

// Sizes summing exactly to `total`, proportional to `weights` (sum > 0), each
// at least `min_size`: floors, then one each to the largest remainders (ties
// to the lower index); if the minimums overshoot, the largest pieces give the
// excess back. REQUIRES total >= min_size * weights.size().
std::vector<std::int64_t> largest_remainder(std::int64_t total, const std::vector<double>& weights,
                                            double weight_sum, std::int64_t min_size) {
  const std::size_t parts = weights.size();
  std::vector<std::int64_t> sizes(parts);
  std::vector<double> remainder(parts);
  std::int64_t assigned = 0;
  for (std::size_t p = 0; p < parts; ++p) {
    const double exact = static_cast<double>(total) * weights[p] / weight_sum;
    sizes[p] = std::clamp(static_cast<std::int64_t>(std::floor(exact)), min_size, total);
    remainder[p] = exact - static_cast<double>(sizes[p]);
    assigned += sizes[p];
  }
  std::vector<std::size_t> by_remainder(parts);
  std::iota(by_remainder.begin(), by_remainder.end(), std::size_t{0});
  std::stable_sort(by_remainder.begin(), by_remainder.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  for (std::size_t k = 0; assigned < total; k = (k + 1) % parts, ++assigned) {
    ++sizes[by_remainder[k]];
  }
  while (assigned > total) {
    --*std::max_element(sizes.begin(), sizes.end());
    --assigned;
  }
  return sizes;
}

}  // namespace

std::vector<Shard> partition_iid(std::int64_t num_samples, int num_parts, std::uint64_t seed) {
  if (num_parts < 1) throw std::invalid_argument("partition_iid: num_parts must be >= 1");
  return partition_weighted(num_samples,
                            std::vector<double>(static_cast<std::size_t>(num_parts), 1.0), seed);
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
  const std::size_t parts = weights.size();
  const std::vector<std::int64_t> sizes = largest_remainder(num_samples, weights, total, 1);

  std::vector<std::int32_t> order(static_cast<std::size_t>(num_samples));
  std::iota(order.begin(), order.end(), 0);
  sim::RandomStream rng(seed);
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
  check_sample_count("partition_random", num_samples,
                     static_cast<std::size_t>(std::max(num_parts, 0)));
  std::vector<Shard> shards(static_cast<std::size_t>(num_parts));
  sim::RandomStream rng(seed);
  for (std::int64_t i = 0; i < num_samples; ++i) {
    shards[rng.below(static_cast<std::uint64_t>(num_parts))].push_back(
        static_cast<std::int32_t>(i));
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

namespace ml {

namespace {

void check_labels(const char* who, std::span<const std::int32_t> labels, int num_parts) {
  if (num_parts < 1) throw std::invalid_argument(std::string(who) + ": num_parts must be >= 1");
  check_sample_count(who, static_cast<std::int64_t>(labels.size()),
                     static_cast<std::size_t>(num_parts));
}

}  // namespace

std::vector<Shard> partition_dirichlet(std::span<const std::int32_t> labels, int num_classes,
                                       int num_parts, double alpha, std::uint64_t seed) {
  check_labels("partition_dirichlet", labels, num_parts);
  if (!(alpha > 0) || !std::isfinite(alpha)) {
    throw std::invalid_argument("partition_dirichlet: alpha must be finite and > 0");
  }
  if (num_classes < 1) throw std::invalid_argument("partition_dirichlet: num_classes must be >= 1");
  std::vector<Shard> by_class(static_cast<std::size_t>(num_classes));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::int32_t label = labels[i];
    if (label < 0 || label >= num_classes) {
      throw std::invalid_argument("partition_dirichlet: label " + std::to_string(label) +
                                  " outside [0, " + std::to_string(num_classes) + ")");
    }
    by_class[static_cast<std::size_t>(label)].push_back(static_cast<std::int32_t>(i));
  }
  const auto parts = static_cast<std::size_t>(num_parts);
  std::vector<Shard> shards(parts);
  sim::RandomStream rng(seed);
  std::vector<double> proportions(parts);
  for (Shard& members : by_class) {
    rng.shuffle(std::span<std::int32_t>(members));
    double sum = 0.0;
    for (double& p : proportions) {
      p = rng.gamma(alpha);
      sum += p;
    }
    if (!(sum > 0)) {  // every draw underflowed: the alpha -> 0 limit, one part takes all
      std::fill(proportions.begin(), proportions.end(), 0.0);
      proportions[rng.below(parts)] = 1.0;
      sum = 1.0;
    }
    if (members.empty()) continue;
    const std::vector<std::int64_t> sizes =
        largest_remainder(static_cast<std::int64_t>(members.size()), proportions, sum, 0);
    auto begin = members.begin();
    for (std::size_t p = 0; p < parts; ++p) {
      shards[p].insert(shards[p].end(), begin, begin + sizes[p]);
      begin += sizes[p];
    }
  }
  for (Shard& shard : shards) std::sort(shard.begin(), shard.end());
  // Every part gets data: an empty part takes the highest index of the part
  // that is largest at that moment (ties to the lower part).
  for (Shard& shard : shards) {
    if (!shard.empty()) continue;
    Shard& donor =
        *std::max_element(shards.begin(), shards.end(),
                          [](const Shard& a, const Shard& b) { return a.size() < b.size(); });
    shard.push_back(donor.back());
    donor.pop_back();
  }
  return shards;
}

std::vector<Shard> partition_shards(std::span<const std::int32_t> labels, int num_parts,
                                    int shards_per_part, std::uint64_t seed) {
  if (shards_per_part < 1) {
    throw std::invalid_argument("partition_shards: shards_per_part must be >= 1");
  }
  check_labels("partition_shards", labels, num_parts);
  const std::int64_t count = static_cast<std::int64_t>(num_parts) * shards_per_part;
  const auto n = static_cast<std::int64_t>(labels.size());
  if (n < count) {
    throw std::invalid_argument("partition_shards: " + std::to_string(n) + " samples cannot fill " +
                                std::to_string(count) + " shards");
  }
  std::vector<std::int32_t> sorted(labels.size());
  std::iota(sorted.begin(), sorted.end(), 0);
  std::stable_sort(sorted.begin(), sorted.end(), [&](std::int32_t a, std::int32_t b) {
    return labels[static_cast<std::size_t>(a)] < labels[static_cast<std::size_t>(b)];
  });
  // Shard s covers sorted[start(s), start(s + 1)); the first n % count are one larger.
  auto start = [&](std::int64_t s) { return s * (n / count) + std::min(s, n % count); };
  std::vector<std::int64_t> order(static_cast<std::size_t>(count));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  sim::RandomStream rng(seed);
  rng.shuffle(std::span<std::int64_t>(order));
  std::vector<Shard> parts(static_cast<std::size_t>(num_parts));
  for (std::int64_t position = 0; position < count; ++position) {
    const std::int64_t s = order[static_cast<std::size_t>(position)];
    Shard& part = parts[static_cast<std::size_t>(position / shards_per_part)];
    part.insert(part.end(), sorted.begin() + start(s), sorted.begin() + start(s + 1));
  }
  for (Shard& part : parts) std::sort(part.begin(), part.end());
  return parts;
}

std::vector<Shard> partition_natural(std::span<const std::int32_t> groups, int num_groups,
                                     int num_parts) {
  if (num_parts < 1 || num_parts > num_groups) {
    throw std::invalid_argument("partition_natural: " + std::to_string(num_groups) +
                                " clients cannot give each of " + std::to_string(num_parts) +
                                " parts at least one");
  }
  std::vector<Shard> shards(static_cast<std::size_t>(num_parts));
  std::vector<bool> seen(static_cast<std::size_t>(num_groups), false);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::int32_t g = groups[i];
    if (g < 0 || g >= num_groups) {
      throw std::invalid_argument("partition_natural: client id " + std::to_string(g) +
                                  " is outside [0, " + std::to_string(num_groups) + ")");
    }
    seen[static_cast<std::size_t>(g)] = true;
    shards[static_cast<std::size_t>(g % num_parts)].push_back(static_cast<std::int32_t>(i));
  }
  for (int g = 0; g < num_groups; ++g) {
    if (!seen[static_cast<std::size_t>(g)]) {
      throw std::invalid_argument("partition_natural: client " + std::to_string(g) +
                                  " has no sample");
    }
  }
  return shards;
}

const char* partition_kind_name(PartitionKind kind) {
  switch (kind) {
    case PartitionKind::iid:
      return "iid";
    case PartitionKind::dirichlet:
      return "dirichlet";
    case PartitionKind::shards:
      return "shards";
    case PartitionKind::natural:
      return "natural";
  }
  return "iid";
}

}  // namespace ml
