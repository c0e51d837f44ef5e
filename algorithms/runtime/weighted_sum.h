// A parameter server's gradient average, split over the math pool.
//
// out = w_0 * v_0 + w_1 * v_1 + ..., each element summed in input order from
// zero, exactly as the serial Eigen loop (setZero, then += w_i * v_i) sums
// it. The vector is cut into fixed ranges of kWeightedSumRange elements, the
// same for every thread count, each range a job. An element's arithmetic does
// not depend on the range it falls in, so the result is bit for bit the
// serial one for any number of threads (tested). The ranges start on
// 64-element boundaries, so SIMD lanes hold the same elements as in the
// serial loop: a precaution, as unaligned ranges also matched in a test.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "algorithms/ml/types.h"
#include "algorithms/runtime/math_pool.h"

namespace algo {

inline constexpr std::int64_t kWeightedSumRange = 16'384;  // 64 KB of floats: a multiple of 64

struct WeightedInput {
  float weight;
  const ml::Vector* values;
};

// REQUIRES: every input's size == out.size(); `inputs` and what they point to
// stay valid until the call returns. Runs on `pool` (null: here), joining
// every job before it returns; `jobs` is scratch, kept to reuse its storage.
void weighted_sum(MathPool* pool, std::span<const WeightedInput> inputs, ml::Vector& out,
                  std::vector<MathPool::Job>& jobs);

}  // namespace algo
