// The one averaging kernel. Every average an algorithm takes goes through
// here: a server's mean of pushed gradients or of client models, an
// all-reduce rank's reduced sum over its reduced weight, a gossip worker's
// row of the mixing matrix. So it is also the one place where the hidden
// test fault (RunContext::test_flip_average_sign) negates the result.
//
// Arithmetic, fixed because results depend on it: a weighted average is
// out = w_0 * v_0 + w_1 * v_1 + ..., each element summed from zero in input
// order (weighted_sum.h: split over the math pool in fixed ranges, bit for
// bit the serial sum for any thread count); the all-reduce average is
// sum / total, a division (not a multiplication by 1 / total, which rounds
// differently).
#pragma once

#include <span>
#include <vector>

#include "algorithms/ml/types.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/weighted_sum.h"

namespace algo {

// out = sum_i inputs[i].weight * inputs[i].values. Timing-only runs
// (ctx.timing_only) compute nothing and leave `out` as it is. `jobs` is
// scratch, kept by the caller to reuse its storage.
// REQUIRES: every input's size == out.size(), out sized.
void weighted_average(const RunContext& ctx, std::span<const WeightedInput> inputs, ml::Vector& out,
                      std::vector<MathPool::Job>& jobs);

// The weights `counts[i] / sum(counts)` as floats (each a float division of
// the count by the total), for a mean weighted by samples or data size.
// REQUIRES: counts non-empty, each >= 0, sum > 0.
std::vector<float> proportional_weights(std::span<const std::int64_t> counts);

// out = sum / total, element by element (an all-reduce of weighted vectors
// and of their weight). Timing-only runs compute nothing.
void average_of_sum(const RunContext& ctx, const Eigen::Ref<const ml::Vector>& sum, float total,
                    ml::Vector& out);

}  // namespace algo
