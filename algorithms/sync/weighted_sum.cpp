#include "algorithms/sync/weighted_sum.h"

#include <algorithm>
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
  const std::int64_t n = out.size();
  if (pool == nullptr || n <= kWeightedSumRange) {
    MathTimer timer(pool);
    sum_range(inputs, out, 0, n);
    return;
  }
  jobs.clear();
  for (std::int64_t offset = 0; offset < n; offset += kWeightedSumRange) {
    const std::int64_t size = std::min(kWeightedSumRange, n - offset);
    jobs.push_back(pool->submit([inputs, &out, offset, size] { sum_range(inputs, out, offset, size); }));
  }
  // Last first: helpers take ranges from the front while this thread runs
  // the back ones itself (see Monitor::evaluate_on_pool).
  for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) it->join();
  jobs.clear();
}

}  // namespace algo
