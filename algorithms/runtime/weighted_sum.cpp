#include "algorithms/runtime/weighted_sum.h"

#include <cassert>

namespace algo {
namespace {

void sum_range(std::span<const WeightedInput> inputs, ml::Vector& out, std::int64_t offset,
               std::int64_t size) {
  auto range = out.segment(offset, size);
  range.setZero();
  for (const WeightedInput& in : inputs) range += in.weight * in.values->segment(offset, size);
}

}  // namespace

void weighted_sum(MathPool* pool, std::span<const WeightedInput> inputs, ml::Vector& out,
                  std::vector<MathPool::Job>& jobs) {
  for ([[maybe_unused]] const WeightedInput& in : inputs) assert(in.values->size() == out.size());
  run_ranges(pool, out.size(), kWeightedSumRange, jobs,
             [&](std::int64_t offset, std::int64_t size) { sum_range(inputs, out, offset, size); });
}

}  // namespace algo
