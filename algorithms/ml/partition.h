// Partitioning a data set's sample indices into per-worker shards.
#pragma once

#include <cstdint>
#include <span>
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

// ---- Non-IID (label-skewed) partitions, for federated learning. Both read
// only the labels; indices within each returned shard are increasing.

// Dirichlet label skew (as in Hsu et al. 2019): for each class c in order, the
// class's indices are shuffled and a proportion vector p_c ~ Dir(alpha, ...,
// alpha) over the parts is drawn (alpha * 1 Gamma(alpha) draws from RandomStream::gamma,
// normalised); the class is then cut into contiguous pieces of sizes
// n_c * p_c rounded by largest remainder (ties to the lower part), so each
// class is split exactly. Small alpha concentrates each class on few parts;
// alpha -> infinity tends to IID proportions. If every Gamma draw of a class
// underflows to 0 (alpha around 1e-3 and below), the whole class goes to one
// part drawn uniformly, which is the limit of Dir(alpha) as alpha -> 0.
// Every part gets at least one sample: after all classes are dealt, each empty
// part, in index order, takes the highest index of the part that is then
// largest (ties to the lower part). This moves at most num_parts samples and
// never empties a part (a donor holds >= 2 samples when any part is empty and
// num_samples >= num_parts).
// REQUIRES num_parts >= 1, num_parts <= labels.size() <= INT32_MAX, alpha
// finite and > 0, every label in [0, num_classes), else std::invalid_argument.
std::vector<Shard> partition_dirichlet(std::span<const std::int32_t> labels, int num_classes,
                                       int num_parts, double alpha, std::uint64_t seed);

// "k shards per part" (McMahan et al. 2017): the indices are sorted by label
// (ties by index), cut into S = num_parts * shards_per_part contiguous shards
// whose sizes differ by at most 1 (the first num_samples % S are one larger),
// and the S shards, in a seeded random order, are dealt shards_per_part to each
// part (part i gets the shards at positions i*k ... i*k + k - 1 of that order).
// Guarantees (exact): every index in exactly one part; a shard holds one label
// unless it straddles a class boundary, so the number of distinct labels summed
// over all parts is at most num_parts * k + (distinct labels - 1); and when
// num_samples is divisible by S and every class size is a multiple of the
// shard size num_samples / S, every part holds at most k distinct labels.
// REQUIRES num_parts >= 1, shards_per_part >= 1,
// num_parts * shards_per_part <= labels.size() <= INT32_MAX, else
// std::invalid_argument.
std::vector<Shard> partition_shards(std::span<const std::int32_t> labels, int num_parts,
                                    int shards_per_part, std::uint64_t seed);

// Which partition a run uses (`data.partition` in a scenario).
// The data's own partition (a client column, as federated datasets have):
// the clients, numbered 0 .. num_groups - 1, are dealt to the parts in turn
// (part p gets clients p, p + num_parts, p + 2 num_parts, ...), so with as
// many clients as parts each part is exactly one client's data. Indices
// within a shard are increasing. REQUIRES 1 <= num_parts <= num_groups, every
// group id in [0, num_groups) and every group non-empty, else
// std::invalid_argument.
std::vector<Shard> partition_natural(std::span<const std::int32_t> groups, int num_groups,
                                     int num_parts);

enum class PartitionKind { iid, dirichlet, shards, natural };
const char* partition_kind_name(PartitionKind kind);

struct PartitionSpec {
  PartitionKind kind = PartitionKind::iid;
  double alpha = 0.5;       // dirichlet: concentration, > 0
  int shards_per_part = 2;  // shards: k shards per part, >= 1
};

}  // namespace ml
